{#- dbt-expectations: an aggregate `expression` over the model equals `compare_expression` (default the same) over
    compare_model, per group when given, within `tolerance` (absolute) or `tolerance_percent` (a fraction of the
    model's value); nulls and missing groups count as 0. One failure per mismatching group. -#}
{% test expect_table_aggregation_to_equal_other_table(
    model, expression, compare_model, compare_expression=none, group_by=none, compare_group_by=none,
    row_condition=none, compare_row_condition=none, tolerance=0.0, tolerance_percent=none
) %}
{{ dq_compare_aggregates(model, expression, compare_model, compare_expression, group_by,
                         compare_group_by, row_condition, compare_row_condition, tolerance, tolerance_percent) }}
{% endtest %}
