{#- dbt-expectations: every value has length `value`; nulls pass. One failure per row. -#}
{% test expect_column_value_lengths_to_equal(model, column_name, value, row_condition=none) %}
{{ dq_expression_failures(model, dbt.length(column_name) ~ ' = ' ~ value, none, row_condition) }}
{% endtest %}
