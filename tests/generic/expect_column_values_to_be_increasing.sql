{#- dbt-expectations: values increase (strictly by default) in sort_column order, per group_by. One failure per row. -#}
{% test expect_column_values_to_be_increasing(
    model, column_name, sort_column=none, strictly=true, row_condition=none, group_by=none, step=none
) %}
with ordered as (
    select
        {{ column_name }} as value_field,
        lag({{ column_name }}) over (
            {% if group_by %}partition by {{ group_by | join(", ") }}{% endif %}
            order by {{ sort_column or column_name }}
        ) as previous_value
    from {{ model }}
    {{ dq_where(row_condition) }}
        and {{ column_name }} is not null
)

select * from ordered
where
    previous_value is not null
    and not (
        value_field {{ '>' if strictly else '>=' }} previous_value
        {% if step %}and value_field - previous_value = {{ step }}{% endif %}
    )
{% endtest %}
