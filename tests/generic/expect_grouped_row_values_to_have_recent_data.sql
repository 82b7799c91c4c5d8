{#- dbt-expectations: in every group_by group the newest timestamp_column not in the future is within `interval`
    `datepart`s of now (the project's time zone). One failure per stale group; no qualifying rows pass. -#}
{% test expect_grouped_row_values_to_have_recent_data(model, group_by, timestamp_column, datepart, interval, row_condition=none) %}
with latest_grouped_timestamps as (
    select
        {% for g in group_by or [] %}{{ g }},
        {% endfor %}max(cast({{ timestamp_column }} as {{ dbt.type_timestamp() }})) as latest_timestamp_column
    from {{ model }}
    {{ dq_where(row_condition) }}
        and cast({{ timestamp_column }} as {{ dbt.type_timestamp() }}) <= {{ dq_now() }}
    {% if group_by %}group by {{ group_by | join(", ") }}{% endif %}
)

select * from latest_grouped_timestamps
where latest_timestamp_column < cast({{ dbt.dateadd(datepart, -1 * interval, dq_now()) }} as {{ dbt.type_timestamp() }})
{% endtest %}
