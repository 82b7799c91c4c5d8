{#-
    The versions of one entity from its snapshot as half-open intervals [state_from, state_to) that
    cover all time: the first version also stands for everything before it was recorded, so a
    point-in-time join finds exactly one version for any moment.
-#}
{% macro point_in_time_versions(snapshot, key) -%}
with

versions as (
    select * from {{ ref(snapshot) }}
),

ordered as (
    select
        *,
        row_number() over (partition by {{ key }} order by dbt_valid_from) as version_number
    from versions
),

final as (
    select
        *,
        case
            when version_number = 1 then cast('1900-01-01 00:00:00' as timestamp)
            else dbt_valid_from
        end as state_from,
        dbt_valid_to as state_to
    from ordered
)

select * from final  -- noqa: AM04
{%- endmacro %}
