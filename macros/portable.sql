{#- Cross-database helpers. Each engine-specific one dispatches (adapter.dispatch), so an adapter
    (PostgreSQL, DuckDB, later Spark) can override it. -#}

{#- A window frame around the current row measured in seconds of the ORDER BY timestamp. -#}
{% macro seconds_range_frame(preceding_seconds, following_seconds=0) -%}
    {{ return(adapter.dispatch('seconds_range_frame', 'timo_bank')(preceding_seconds, following_seconds)) }}
{%- endmacro %}

{% macro default__seconds_range_frame(preceding_seconds, following_seconds=0) -%}
    range between interval '{{ preceding_seconds | int }} seconds' preceding
    and {% if following_seconds | int > 0 %}interval '{{ following_seconds | int }} seconds' following{% else %}current row{% endif %}
{%- endmacro %}

{#- A double-precision float: `double precision` in standard SQL (PostgreSQL, DuckDB), `double` on Spark. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'timo_bank')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}

{#- Day of the week of a timestamp as an integer, 0 = Sunday ... 6 = Saturday (PostgreSQL's and DuckDB's
    `extract(dow ...)`; Spark's dayofweek counts 1 = Sunday ... 7 = Saturday). -#}
{% macro day_of_week(timestamp) -%}
    {{ return(adapter.dispatch('day_of_week', 'timo_bank')(timestamp)) }}
{%- endmacro %}

{% macro default__day_of_week(timestamp) -%}
    cast(extract(dow from {{ timestamp }}) as integer)
{%- endmacro %}

{% macro spark__day_of_week(timestamp) -%}
    cast(dayofweek({{ timestamp }}) - 1 as integer)
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

{#- True when `column` contains a match for the POSIX-style `pattern` (portable across engines via dispatch). -#}
{% macro regex_matches(column, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'timo_bank')(column, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(column, pattern) -%}
    regexp_like({{ column }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__regex_matches(column, pattern) -%}
    ({{ column }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__regex_matches(column, pattern) -%}
    regexp_matches({{ column }}, '{{ pattern }}')
{%- endmacro %}

{#- Microseconds since 1970-01-01 of a timestamp without a zone (read as UTC), as a bigint: exact on every engine. -#}
{% macro epoch_micros(timestamp) -%}
    {{ return(adapter.dispatch('epoch_micros')(timestamp)) }}
{%- endmacro %}

{% macro default__epoch_micros(timestamp) -%}
    cast(extract(epoch from {{ timestamp }}) * 1000000 as bigint)
{%- endmacro %}

{% macro duckdb__epoch_micros(timestamp) -%}
    epoch_us({{ timestamp }})
{%- endmacro %}

{% macro spark__epoch_micros(timestamp) -%}
    unix_micros({{ timestamp }})
{%- endmacro %}

{#- Hours from one timestamp to another, to the hundredth, half up, counted in whole seconds. Exact
    integer steps (each floor() divides a whole number that a double holds exactly), so every engine
    rounds alike; a double's own rounding would tip a value at .xx5 differently on each. -#}
{% macro hours_between(start, finish) -%}
    cast(cast(floor((floor(({{ epoch_micros(finish) }} - {{ epoch_micros(start) }}) / 1000000.0) * 100 + 1800)
        / 3600.0) as bigint) as numeric(18, 0)) * 0.01
{%- endmacro %}

{#- Spark keeps a table's file list: a table over files another process writes (the case workflow's
    store) is refreshed before it is read. Nothing to do elsewhere. -#}
{% macro refresh_external_source(relation) -%}
    {{ return(adapter.dispatch('refresh_external_source')(relation)) }}
{%- endmacro %}

{% macro default__refresh_external_source(relation) -%}
{%- endmacro %}

{% macro spark__refresh_external_source(relation) -%}
    refresh table {{ relation }}
{%- endmacro %}

{#- Put between a CTE's name and its body (`name as {{ inlined() }} (...)`) to have DuckDB inline the CTE
    into each place that reads it instead of storing its rows once. DuckDB stores a CTE that is read more
    than once; for a wide `select *` of a big table that each reader filters or narrows differently,
    storing it costs more than reading the columnar table again (at 10M transactions fct_risk_alerts
    spilled 27 GB to disk that way and took 25 s; inlined, 4 s). PostgreSQL's rows are read whole, and
    there the stored CTE was the faster (fct_risk_alerts at 1M: 7.5 s stored, 8.8 s inlined): nothing is
    rendered there, nor on Spark. -#}
{% macro inlined() -%}
    {{ return(adapter.dispatch('inlined', 'timo_bank')()) }}
{%- endmacro %}

{% macro default__inlined() -%}
{%- endmacro %}

{% macro duckdb__inlined() -%}
    not materialized
{%- endmacro %}

{#- Put between a small CTE's name and its body (`name as {{ computed_once() }} (...)`) when PostgreSQL
    misjudges it. The SBV decision table of int_transactions_classified is a few dozen rows built with
    window functions; PostgreSQL estimated one row, joined it to every transaction in a nested loop and
    ran its windows again for each of them (at 1M: 30 s for the model; computed once, 8.6 s). Nothing
    is rendered on DuckDB and Spark, which compute it once anyway. -#}
{% macro computed_once() -%}
    {{ return(adapter.dispatch('computed_once', 'timo_bank')()) }}
{%- endmacro %}

{% macro default__computed_once() -%}
{%- endmacro %}

{% macro postgres__computed_once() -%}
    materialized
{%- endmacro %}

{#- Whether a model numbers the copies of its repeated keys apart from the rows whose key occurs once
    (int_transactions_validated). On DuckDB the window that numbers copies sorted every row and cost
    more than the checks (at 10M: 8.2 s for the model, 6.2 s with only repeated keys in the window).
    On PostgreSQL the split was slower (at 1M: 6.8 s with one window, 7.3 s split, 9.3 s split and
    inlined): there, and on Spark, one window numbers every row. -#}
{% macro numbers_repeated_keys_apart() -%}
    {{ return(adapter.dispatch('numbers_repeated_keys_apart', 'timo_bank')()) }}
{%- endmacro %}

{% macro default__numbers_repeated_keys_apart() -%}
    {{ return(false) }}
{%- endmacro %}

{% macro duckdb__numbers_repeated_keys_apart() -%}
    {{ return(true) }}
{%- endmacro %}
