{#- dbt-expectations: every date_part (every `interval` of them) from test_start_date up to, not including,
    test_end_date has at least one row (the range defaults to the data's first and last day). One failure per
    empty period, less those exclusion_condition keeps out (it can name date_<date_part>). -#}
{% test expect_row_values_to_have_data_for_every_n_datepart(
    model, date_col, date_part="day", interval=none, row_condition=none, exclusion_condition=none,
    test_start_date=none, test_end_date=none
) %}
{%- set start_date, end_date = test_start_date, test_end_date -%}
{%- if execute and (not start_date or not end_date) -%}
    {%- set bounds = run_query("select min(cast(" ~ date_col ~ " as date)), max(cast(" ~ date_col ~ " as date)) from "
                               ~ model ~ " " ~ dq_where(row_condition)) -%}
    {%- set first_day, last_day = bounds.columns[0].values()[0], bounds.columns[1].values()[0] -%}
    {%- set start_date = start_date or (first_day | string)[:10] -%}
    {%- set end_date = end_date or (last_day | string)[:10] -%}
{%- endif -%}
{%- set bucket = "cast(" ~ dbt.date_trunc(date_part, date_col) ~ " as " ~ dbt.type_timestamp() ~ ")" -%}
{%- if interval -%}
    {%- set offset = "mod(cast(" ~ dbt.datediff("cast('" ~ start_date ~ "' as date)", date_col, date_part) ~ " as "
                     ~ dbt.type_int() ~ "), cast(" ~ interval ~ " as " ~ dbt.type_int() ~ ")) * (-1)" -%}
    {%- set bucket = dbt.dateadd(date_part, offset, bucket) -%}
{%- endif -%}
{%- if not execute or start_date in (none, 'None', '') -%}
select cast(null as {{ dbt.type_timestamp() }}) as date_{{ date_part }} where 1 = 0
{%- else -%}
with base_dates as (
    select cast(date_{{ date_part }} as {{ dbt.type_timestamp() }}) as date_{{ date_part }}
    from (
        {{ dbt.date_spine(date_part, "cast('" ~ start_date ~ "' as " ~ dbt.type_timestamp() ~ ")",
                          "cast('" ~ end_date ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
    ) as spine
    {% if interval -%}
    where mod(
        cast({{ dbt.datediff("cast('" ~ start_date ~ "' as date)", 'date_' ~ date_part, date_part) }} as {{ dbt.type_int() }}),
        cast({{ interval }} as {{ dbt.type_int() }})
    ) = 0
    {%- endif %}
),

model_data as (
    select
        cast({{ bucket }} as {{ dbt.type_timestamp() }}) as date_{{ date_part }},
        count(*) as row_cnt
    from {{ model }}
    {{ dq_where(row_condition) }}
    group by cast({{ bucket }} as {{ dbt.type_timestamp() }})
),

final as (
    select
        base_dates.date_{{ date_part }},
        model_data.date_{{ date_part }} is null as is_missing,
        coalesce(model_data.row_cnt, 0) as row_cnt
    from base_dates
    left join model_data
        on base_dates.date_{{ date_part }} = model_data.date_{{ date_part }}
)

select * from final
where row_cnt = 0
{% if exclusion_condition %}and {{ exclusion_condition }}{% endif %}
{%- endif -%}
{% endtest %}
