{#- dbt-expectations: the row count (per group_by group) equals `value`. One failure per group. -#}
{% test expect_table_row_count_to_equal(model, value, group_by=none, row_condition=none) %}
{{ dq_expression_failures(model, 'count(*) = ' ~ value, group_by, row_condition) }}
{% endtest %}
