{#- dbt-expectations: the minimum of column_name (per group_by) lies within the bounds. One failure per group. -#}
{% test expect_column_min_to_be_between(
    model, column_name, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false
) %}
{{- dq_require_bound('expect_column_min_to_be_between', min_value, max_value) }}
{{ dq_expression_failures(model, dq_between('min(' ~ column_name ~ ')', min_value, max_value, strictly), group_by, row_condition) }}
{% endtest %}
