{#- dbt-expectations: the newest value of column_name is within `interval` `datepart`s of now. One failure when stale. -#}
{% test expect_row_values_to_have_recent_data(model, column_name, datepart, interval, row_condition=none) %}
with latest as (
    select max({{ column_name }}) as latest_value
    from {{ model }}
    {{ dq_where(row_condition) }}
)

select latest_value
from latest
where
    latest_value is null
    or cast(latest_value as timestamp)
    < cast({{ dbt.dateadd(datepart, -1 * interval, dbt.current_timestamp()) }} as timestamp)
{% endtest %}
