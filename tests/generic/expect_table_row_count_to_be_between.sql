{#- dbt-expectations: the row count (per group_by group) lies within the bounds. One failure per group. -#}
{% test expect_table_row_count_to_be_between(
    model, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false
) %}
{{- dq_require_bound('expect_table_row_count_to_be_between', min_value, max_value) }}
{{ dq_expression_failures(model, dq_between('count(*)', min_value, max_value, strictly), group_by, row_condition) }}
{% endtest %}
