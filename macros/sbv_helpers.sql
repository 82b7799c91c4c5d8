{#- Cross-database helpers. Each dispatches, so an adapter (e.g. Spark) can override it. -#}

{#- Mask all but the last `keep` characters of a PII value (null stays null). -#}
{% macro mask_pii(column, keep=3) -%}
    {{ return(adapter.dispatch('mask_pii', 'timo_bank')(column, keep)) }}
{%- endmacro %}

{% macro default__mask_pii(column, keep=3) -%}
    case
        when {{ column }} is null then null
        when length({{ column }}) <= {{ keep }} then repeat('*', length({{ column }}))
        else repeat('*', length({{ column }}) - {{ keep }}) || right({{ column }}, {{ keep }})
    end
{%- endmacro %}

{#- A window frame around the current row measured in seconds of the ORDER BY timestamp. -#}
{% macro seconds_range_frame(preceding_seconds, following_seconds=0) -%}
    {{ return(adapter.dispatch('seconds_range_frame', 'timo_bank')(preceding_seconds, following_seconds)) }}
{%- endmacro %}

{% macro default__seconds_range_frame(preceding_seconds, following_seconds=0) -%}
    range between interval '{{ preceding_seconds | int }} seconds' preceding
    and {% if following_seconds | int > 0 %}interval '{{ following_seconds | int }} seconds' following{% else %}current row{% endif %}
{%- endmacro %}

{#- Boolean aggregate "any row true", portable to engines without bool_or. -#}
{% macro any_true(condition) -%}
    max(case when {{ condition }} then 1 else 0 end) = 1
{%- endmacro %}

{#- Deterministic surrogate key from a list of SQL expressions. -#}
{% macro surrogate_key(expressions) -%}
    {%- set parts = [] -%}
    {%- for e in expressions -%}
        {%- do parts.append("coalesce(cast(" ~ e ~ " as " ~ dbt.type_string() ~ "), '~')") -%}
    {%- endfor -%}
    {{ dbt.hash(parts | join(" || '|' || ")) }}
{%- endmacro %}

{#- A VND amount stored as text in a seed; an empty cell means "no limit" (null). -#}
{% macro seed_amount(column) -%}
    cast(nullif(trim({{ column }}), '') as numeric(20, 2))
{%- endmacro %}

{#- Mask the local part of an e-mail address, keeping the domain (null stays null). -#}
{% macro mask_email(column) -%}
    case
        when {{ column }} is null then null
        else repeat('*', length(split_part({{ column }}, '@', 1))) || '@' || split_part({{ column }}, '@', 2)
    end
{%- endmacro %}

{#- Gather planner statistics on a freshly built table (PostgreSQL); nothing elsewhere.
    - A table: analysed after every build.
    - An incremental table with no statistics yet (first build, full refresh: reltuples < 0):
      analysed whole.
    - An incremental table after a daily run: only its day columns (the unique key, and event_time
      where the model sets one), with a sample of 3,000 rows (statistics target 10, a few tens of
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
        {%- set day_columns = [model.config.unique_key] -%}
        {%- set event_time = model.config.get('event_time') -%}
        {%- if event_time and event_time not in day_columns -%}
            {%- do day_columns.append(event_time) -%}
        {%- endif -%}
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

{#- A random, unguessable token ('<prefix>_' and 32 hex digits) for the PII vault (models/pii):
    drawn from the engine's random UUIDs, so it carries no information about the value it stands for. -#}
{% macro random_token(prefix) -%}
    {{ return(adapter.dispatch('random_token', 'timo_bank')(prefix)) }}
{%- endmacro %}

{% macro default__random_token(prefix) -%}
    '{{ prefix }}_' || replace(cast(uuid() as {{ dbt.type_string() }}), '-', '')
{%- endmacro %}

{% macro postgres__random_token(prefix) -%}
    '{{ prefix }}_' || replace(cast(gen_random_uuid() as {{ dbt.type_string() }}), '-', '')
{%- endmacro %}

{#- The receiving account as one key across Timo and other banks ('timo:<id>' or 'ext:<id>'); null
    when the transaction has no receiving account. -#}
{% macro counterparty_key(internal_account_id, external_account_id) -%}
    case
        when {{ internal_account_id }} is not null
            then 'timo:' || cast({{ internal_account_id }} as {{ dbt.type_string() }})
        when {{ external_account_id }} is not null
            then 'ext:' || cast({{ external_account_id }} as {{ dbt.type_string() }})
    end
{%- endmacro %}
