{#- dbt-expectations: every value of column_name is null. One failure per non-null row. -#}
{% test expect_column_values_to_be_null(model, column_name, row_condition=none) %}
{{ dq_expression_failures(model, column_name ~ ' is null', none, row_condition) }}
{% endtest %}
