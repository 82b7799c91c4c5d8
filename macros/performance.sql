{#-
    PostgreSQL tuning, on by default; `--vars '{pg_tuning: false}'` turns it off (the benchmark
    measures both). DuckDB needs none of it: these render nothing there.

    - tune_session (a pre-hook on every model): `set local work_mem` for the model's own
      transaction, so the window functions of the transaction models sort in memory rather than in
      temporary files (the server default is 4MB).
    - index_lookup_keys (a project-wide post-hook): on an incremental model, an index on its event
      day (`unique_key`), which the incremental runs filter and delete by, and on each of its
      `lookup_keys` (a config of the model's own: the keys the daily runs look earlier rows up by,
      and the keys the dashboard looks rows up by).
-#}

{% macro tune_session() -%}
    {{ return(adapter.dispatch('tune_session', 'timo_bank')()) }}
{%- endmacro %}

{% macro default__tune_session() -%}
{%- endmacro %}

{% macro postgres__tune_session() -%}
    {%- if var('pg_tuning', true) -%}
        set local work_mem = '{{ var('pg_work_mem', '256MB') }}'
    {%- endif -%}
{%- endmacro %}

{#- The columns an incremental model is looked up by: its day, then its lookup_keys config. -#}
{% macro incremental_key_columns() -%}
    {%- set columns = [model.config.unique_key] if model.config.unique_key else [] -%}
    {%- for column in model.config.get('lookup_keys') or [] if column not in columns -%}
        {%- do columns.append(column) -%}
    {%- endfor -%}
    {{- return(columns) -}}
{%- endmacro %}

{% macro index_lookup_keys() -%}
    {{ return(adapter.dispatch('index_lookup_keys', 'timo_bank')()) }}
{%- endmacro %}

{% macro default__index_lookup_keys() -%}
{%- endmacro %}

{% macro postgres__index_lookup_keys() -%}
    {%- if var('pg_tuning', true) and model.config.materialized == 'incremental' -%}
        {%- for column in incremental_key_columns() %}
            create index if not exists {{ this.identifier }}__{{ column }}
            on {{ this }} ({{ column }});
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- Gather planner statistics on a freshly built table (PostgreSQL); nothing elsewhere.
    - A table: analysed after every build.
    - An incremental table with no statistics yet (first build, full refresh: reltuples < 0):
      analysed whole.
    - An incremental table after a daily run: only its day and lookup columns (the unique key and
      the model's lookup_keys, macros/performance.sql), with a sample of 3,000 rows (statistics target 10, a few tens of
      milliseconds; a whole-table analyse costs about 0.5 s per table at 3M rows). This cannot be
      skipped: with about 90 distinct days the statistics list every day as a most common value,
      so a day built after the last analyse is estimated at one row, and the next run's joins on
      it become nested loops (at 3M transactions, a 16 s daily run took over 15 minutes). The
      other columns' statistics still describe the table (autovacuum refreshes them). -#}
{% macro analyze_after_build() -%}
    {{ return(adapter.dispatch('analyze_after_build', 'timo_bank')()) }}
{%- endmacro %}

{% macro default__analyze_after_build() -%}
{%- endmacro %}

{% macro postgres__analyze_after_build() -%}
    {%- if model.config.materialized == 'table' -%}
        analyze {{ this }}
    {%- elif model.config.materialized == 'incremental' and not model.config.unique_key -%}
        analyze {{ this }}
    {%- elif model.config.materialized == 'incremental' -%}
        {%- set day_columns = incremental_key_columns() -%}
        do $$
        begin
            if (select reltuples < 0 from pg_class where oid = '{{ this }}'::regclass) then
                analyze {{ this }};
            else
                perform set_config('default_statistics_target', '10', true);
                analyze {{ this }} ({{ day_columns | join(', ') }});
            end if;
        end
        $$
    {%- endif -%}
{%- endmacro %}
