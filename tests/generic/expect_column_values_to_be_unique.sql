{#- dbt-expectations: non-null values are unique. One failure per row that shares its value. -#}
{% test expect_column_values_to_be_unique(model, column_name, row_condition=none) %}
with filtered as (
    select {{ column_name }} as value
    from {{ model }}
    {{ dq_where(row_condition) }}
        and {{ column_name }} is not null
),

counted as (
    select
        value,
        count(*) over (partition by value) as n_rows
    from filtered
)

select value from counted where n_rows > 1
{% endtest %}
