{#- dbt-expectations: values decrease (strictly by default) in sort_column order, per group_by.
    Each row is compared with the row before it; a null on either side passes. One failure per row. -#}
{% test expect_column_values_to_be_decreasing(
    model, column_name, sort_column=none, strictly=true, row_condition=none, group_by=none, step=none
) %}
with all_values as (
    select
        {{ sort_column or column_name }} as sort_column,
        {% for g in group_by or [] %}{{ g }},
        {% endfor %}{{ column_name }} as value_field
    from {{ model }}
    {{ dq_where(row_condition) }}
),

add_lag_values as (
    select
        *,
        lag(value_field) over (
            {% if group_by %}partition by {{ group_by | join(", ") }}{% endif %}
            order by sort_column
        ) as value_field_lag
    from all_values
)

select * from add_lag_values
where
    value_field_lag is not null
    and not (
        (value_field {{ '<' if strictly else '<=' }} value_field_lag)
        {% if step %}and (value_field_lag - value_field) = {{ step }}{% endif %}
    )
{% endtest %}
