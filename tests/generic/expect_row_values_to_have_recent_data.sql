{#- dbt-expectations: the newest value of column_name not in the future is within `interval` `datepart`s of now
    (the project's time zone, var dbt_date:time_zone). One failure when stale or when no row qualifies. -#}
{% test expect_row_values_to_have_recent_data(model, column_name, datepart, interval, row_condition=none) %}
with max_recency as (
    select max(cast({{ column_name }} as {{ dbt.type_timestamp() }})) as max_timestamp
    from {{ model }}
    {{ dq_where(row_condition) }}
        and cast({{ column_name }} as {{ dbt.type_timestamp() }}) <= {{ dq_now() }}
)

select * from max_recency
where
    coalesce(max_timestamp, cast('1970-01-01' as {{ dbt.type_timestamp() }}))
    < cast({{ dbt.dateadd(datepart, -1 * interval, dq_now()) }} as {{ dbt.type_timestamp() }})
{% endtest %}
