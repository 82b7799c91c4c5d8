{#-
    Incremental models here rebuild whole event days. Each run selects every row whose day is on or
    after the cutoff, and dbt's delete+insert strategy (unique_key = the day column) deletes those
    days from the table and inserts them again: a day is always replaced as a whole, never merged row
    by row. The same SQL on DuckDB and PostgreSQL (both adapters support delete+insert).

    `incremental_lookback_days` (default 1) is how many of the days already in the table are
    rebuilt with the new ones: the cutoff is the last day built minus (lookback - 1). Late
    authentication logs arrive one day late, so the last day built is the only earlier day they
    can change; with the default it is rebuilt, and T, Tksth and the classification of every
    affected transaction are recomputed. 0 rebuilds only the new days (the tests' negative control). Models
    whose features look further back (windows over earlier days, month-to-date totals, first
    uses) read that history from their inputs but emit only the rebuilt days.

    Outside an incremental run (first build, --full-refresh, unit tests) the cutoff is 1900-01-01:
    everything.
-#}

{% macro incremental_cutoff(date_column) -%}
    {%- set floor = "cast('1900-01-01' as date)" -%}
    {%- if execute and this is not none and is_incremental() -%}
        {%- set result = run_query("select max(" ~ date_column ~ ") from " ~ this
                                   ~ " where " ~ date_column ~ " > " ~ floor) -%}
        {%- set last_day = result.columns[0].values()[0] -%}
        {%- if last_day is none -%}
            {{- floor -}}
        {%- else -%}
            {%- set cutoff = last_day - modules.datetime.timedelta(days=var('incremental_lookback_days') - 1) -%}
            cast('{{ cutoff.isoformat()[:10] }}' as date)
        {%- endif -%}
    {%- else -%}
        {{- floor -}}
    {%- endif -%}
{%- endmacro %}

{#- A day `days` before a cutoff expression (for history that a rebuilt day's features read). -#}
{% macro days_before(cutoff, days) -%}
    cast({{ dbt.dateadd('day', -1 * days, cutoff) }} as date)
{%- endmacro %}
