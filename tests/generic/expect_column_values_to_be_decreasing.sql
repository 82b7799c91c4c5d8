{#- dbt-expectations: values decrease (strictly by default) in sort_column order, per group_by.
    Each row is compared with the row before it; a null on either side passes. One failure per row. -#}
{% test expect_column_values_to_be_decreasing(
    model, column_name, sort_column=none, strictly=true, row_condition=none, group_by=none, step=none
) %}
{{ dq_order_failures(model, column_name, sort_column, strictly, row_condition, group_by, step, '<') }}
{% endtest %}
