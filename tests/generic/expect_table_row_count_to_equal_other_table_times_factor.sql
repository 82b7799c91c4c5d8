{#- dbt-expectations: the row count equals compare_model's row count times `factor` (per group when given). One failure per mismatching group. -#}
{% test expect_table_row_count_to_equal_other_table_times_factor(
    model, compare_model, factor, group_by=none, compare_group_by=none, row_condition=none, compare_row_condition=none
) %}
{{ dq_compare_aggregates(model, 'count(*)', compare_model, 'count(*) * ' ~ factor, group_by, compare_group_by,
                         row_condition, compare_row_condition, 0.0, none) }}
{% endtest %}
