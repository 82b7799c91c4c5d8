{#- dbt-expectations: column_A = column_B; a null on either side passes. One failure per row. -#}
{% test expect_column_pair_values_to_be_equal(model, column_A, column_B, row_condition=none) %}
{{ dq_expression_failures(model, column_A ~ ' = ' ~ column_B, none, row_condition) }}
{% endtest %}
