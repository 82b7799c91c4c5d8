{#- dbt-expectations: the number of distinct non-null values (per group_by) is less than `value`. One failure per group. -#}
{% test expect_column_distinct_count_to_be_less_than(
    model, column_name, value, quote_values=false, group_by=none, row_condition=none
) %}
{{ dq_expression_failures(model, 'count(distinct ' ~ column_name ~ ') < ' ~ value, group_by, row_condition) }}
{% endtest %}
