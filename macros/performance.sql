{#-
    PostgreSQL tuning, on by default; `--vars '{pg_tuning: false}'` turns it off (the benchmark
    measures both). DuckDB needs none of it: these render nothing there.

    - tune_session (a pre-hook on every model): `set local work_mem` for the model's own
      transaction, so the window functions of the transaction models sort in memory rather than in
      temporary files (the server default is 4MB).
    - index_on (a post-hook on the incremental models): an index on the event day, which the
      incremental runs filter and delete by, on the keys the daily runs look earlier rows up by,
      and on the keys the dashboard looks rows up by.
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

{% macro index_on(columns) -%}
    {{ return(adapter.dispatch('index_on', 'timo_bank')(columns)) }}
{%- endmacro %}

{% macro default__index_on(columns) -%}
{%- endmacro %}

{% macro postgres__index_on(columns) -%}
    {%- if var('pg_tuning', true) -%}
        {%- for column in columns %}
            create index if not exists {{ this.identifier }}__{{ column }}
            on {{ this }} ({{ column }});
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
