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

    Restated days: when an event file of an earlier day was loaded again with other content (or
    removed), the cutoff moves back to that day minus the lookback, so it and every later day are
    rebuilt (macros/load_state.sql compares raw._load_files with what the last build used).

    A chosen day: `--vars '{rebuild_from_day: 2026-10-05}'` moves the cutoff back to that day (never
    forward), so it and every later day are rebuilt. The orchestration's daily partitions use it: a
    backfill of a day range from the Dagster UI is one run from the range's first day
    (orchestration/definitions.py).

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
            {%- set lookback = var('incremental_lookback_days') -%}
            {%- set cutoff = as_date(last_day) - modules.datetime.timedelta(days=lookback - 1) -%}
            {%- set changed = earliest_changed_day() -%}
            {%- if changed is not none -%}
                {%- set restated = as_date(changed) - modules.datetime.timedelta(days=lookback) -%}
                {%- if restated < cutoff -%}
                    {%- set cutoff = restated -%}
                {%- endif -%}
            {%- endif -%}
            {%- set chosen = var('rebuild_from_day', none) -%}
            {%- if chosen is not none and as_date(chosen | string) < cutoff -%}
                {%- set cutoff = as_date(chosen | string) -%}
            {%- endif -%}
            cast('{{ cutoff.isoformat()[:10] }}' as date) {{ cutoff_mark(date_column) }} {{ cutoff.isoformat()[:10] }} */
        {%- endif -%}
    {%- else -%}
        {{- floor -}}
    {%- endif -%}
{%- endmacro %}

{#- The comment incremental_cutoff leaves after the day it chose, so that the materialization (the delete
    below, Spark's partitions to drop) reads the day from the model's compiled SQL instead of asking the
    warehouse the same two questions again (the last day built, the restated days: on Spark about 2.5 s
    per incremental model a day). -#}
{% macro cutoff_mark(date_column) -%}
    /* incremental cutoff of {{ date_column }}:
{%- endmacro %}

{#- The cutoff the model's SQL was compiled with in this run (found by its mark); asked afresh when the
    SQL has none (an incremental run whose table held no dated row yet). -#}
{% macro compiled_cutoff(date_column) -%}
    {%- set mark = cutoff_mark(date_column) | trim -%}
    {%- set code = (model.compiled_code if model is mapping else none) or "" -%}
    {%- set at = code.find(mark) -%}
    {%- if at >= 0 -%}
        {%- set start = at + (mark | length) + 1 -%}
        cast('{{ code[start:start + 10] }}' as date)
    {%- else -%}
        {{ incremental_cutoff(date_column) }}
    {%- endif -%}
{%- endmacro %}

{#- A date from what a query returned for a date column (a date, a datetime or ISO text). -#}
{% macro as_date(value) -%}
    {%- if value is string -%}
        {%- do return(modules.datetime.date.fromisoformat(value[:10])) -%}
    {%- elif value.date is defined -%}
        {%- do return(value.date()) -%}
    {%- endif -%}
    {%- do return(value) -%}
{%- endmacro %}

{#- A day `days` before a cutoff expression (for history that a rebuilt day's features read). -#}
{% macro days_before(cutoff, days) -%}
    cast({{ dbt.dateadd('day', -1 * days, cutoff) }} as date)
{%- endmacro %}

{#- Replacing the rebuilt days (DuckDB, PostgreSQL). dbt's delete+insert deletes only the days the new
    rows hold, so a rebuilt day that no longer has any row (its files removed, all its rows gone) would
    keep its old rows. Here the delete also takes every day from the cutoff on, in the same transaction
    as the insert; the rows of the 1900-01-01 partition (no usable timestamp), rebuilt on every run, are
    deleted because the new rows hold that day. Spark's counterpart is in macros/spark.sql.
    A model whose rows can move to a later day when they are rebuilt (a fraud case that gained a signal
    today) names its row key in `replaced_keys`: the rows with a key among the new rows' go too. -#}
{% macro delete_rebuilt_days_then_insert(target, source, unique_key, dest_columns) -%}
    {%- set columns = get_quoted_csv(dest_columns | map(attribute="name")) -%}
    delete from {{ target }}
    where
        {{ unique_key }} in (select {{ unique_key }} from {{ source }})
        or {{ unique_key }} >= {{ compiled_cutoff(unique_key) }}
        {%- for key in config.get('replaced_keys') or [] %}
        or {{ key }} in (select {{ key }} from {{ source }})
        {%- endfor %};

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{%- endmacro %}

{% macro duckdb__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {%- if unique_key is string and not incremental_predicates -%}
        {{ delete_rebuilt_days_then_insert(target, source, unique_key, dest_columns) }}
    {%- else -%}
        {{ dbt_duckdb.duckdb__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) }}
    {%- endif -%}
{%- endmacro %}

{% macro postgres__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {%- if unique_key is string and not incremental_predicates -%}
        {{ delete_rebuilt_days_then_insert(target, source, unique_key, dest_columns) }}
    {%- else -%}
        {{ dbt.default__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) }}
    {%- endif -%}
{%- endmacro %}
