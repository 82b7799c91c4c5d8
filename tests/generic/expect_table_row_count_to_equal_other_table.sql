{#- dbt-expectations: the row count equals compare_model's times `factor` (per group when group_by /
    compare_group_by are given; compare_row_condition defaults to row_condition). One failure per mismatching group. -#}
{% test expect_table_row_count_to_equal_other_table(
    model, compare_model, group_by=none, compare_group_by=none, factor=1,
    row_condition=none, compare_row_condition=none
) %}
{{ dq_compare_aggregates(model, 'count(*)', compare_model, 'count(*) * ' ~ factor, group_by, compare_group_by,
                         row_condition, compare_row_condition, 0.0, none) }}
{% endtest %}
