{#- dbt-expectations: values lie within [min_value, max_value] (open with strictly); nulls pass. One failure per row. -#}
{% test expect_column_values_to_be_between(
    model, column_name, min_value=none, max_value=none, row_condition=none, strictly=false
) %}
{{- dq_require_bound('expect_column_values_to_be_between', min_value, max_value) }}
{{ dq_expression_failures(model, dq_between(column_name, min_value, max_value, strictly), none, row_condition) }}
{% endtest %}
