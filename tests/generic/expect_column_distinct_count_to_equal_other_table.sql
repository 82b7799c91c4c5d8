{#- dbt-expectations: the number of distinct values equals that of compare_column_name (default the same) in
    compare_model. One failure when they differ. -#}
{% test expect_column_distinct_count_to_equal_other_table(
    model, compare_model, column_name, compare_column_name=none, row_condition=none, compare_row_condition=none
) %}
{{ dq_compare_aggregates(model, 'count(distinct ' ~ column_name ~ ')', compare_model,
                         'count(distinct ' ~ (compare_column_name or column_name) ~ ')', none, none,
                         row_condition, compare_row_condition, 0.0, none) }}
{% endtest %}
