{#-
    Access control on PostgreSQL (DuckDB has no roles: these do nothing there).

    Roles, created idempotently by `dbt run-operation create_roles` and before every build:
    - transformer: may create schemas and tables in the database: run dbt as it;
    - analyst and dashboard: may read the marts, nothing else, and may write nowhere;
    - pii_reader: may read the PII vault (schema pii: CCCD tokens and their numbers), nothing else.
    The names are fixed (dbt_project.yml's grants config names them too).
    Table grants come from dbt's `grants` config on the marts, so every rebuild keeps them; the schema
    USAGE they also need is granted after each run. No password is set here: set one out of band
    (ALTER ROLE ... PASSWORD) where the server does not use trust authentication.
-#}

{% macro access_roles() -%}
    {{ return({'transformer': 'transformer', 'analyst': 'analyst', 'dashboard': 'dashboard',
               'pii_reader': 'pii_reader'}) }}
{%- endmacro %}

{% macro create_roles() %}
    {% if target.type != 'postgres' %}
        {% do log("create_roles: roles exist only on PostgreSQL; nothing to do on " ~ target.type, info=true) %}
        {% do return('') %}
    {% endif %}
    {% set roles = [
        (access_roles()['transformer'], 'login nosuperuser nocreaterole'),
        (access_roles()['analyst'], 'login nosuperuser nocreatedb nocreaterole'),
        (access_roles()['dashboard'], 'login nosuperuser nocreatedb nocreaterole'),
        (access_roles()['pii_reader'], 'login nosuperuser nocreatedb nocreaterole'),
    ] %}
    {% for name, options in roles %}
        {% do run_query(
            "do $$ begin create role " ~ adapter.quote(name) ~ " " ~ options
            ~ "; exception when duplicate_object then null; end $$"
        ) %}
    {% endfor %}
    {% set database = adapter.quote(target.dbname) %}
    {% do run_query("revoke create, temporary on database " ~ database ~ " from public") %}
    {% do run_query("grant connect on database " ~ database ~ " to " ~ adapter.quote(access_roles()['analyst'])
                    ~ ", " ~ adapter.quote(access_roles()['dashboard']) ~ ", "
                    ~ adapter.quote(access_roles()['pii_reader'])) %}
    {% do run_query("grant create, temporary on database " ~ database ~ " to "
                    ~ adapter.quote(access_roles()['transformer'])) %}
    {% do log("create_roles: " ~ roles | map('first') | join(', ') ~ " ready in " ~ target.dbname, info=true) %}
{% endmacro %}

{% macro grant_mart_schema_usage() %}
    {% if target.type == 'postgres' and execute %}
        {% do run_query("create schema if not exists marts") %}
        {% do run_query("grant usage on schema marts to " ~ adapter.quote(access_roles()['analyst']) ~ ", "
                        ~ adapter.quote(access_roles()['dashboard'])) %}
        {% do run_query("create schema if not exists pii") %}
        {% do run_query("revoke all on schema pii from public") %}
        {% do run_query("grant usage on schema pii to " ~ adapter.quote(access_roles()['pii_reader'])) %}
    {% endif %}
{% endmacro %}

{#- DuckDB has no roles or grants: the grants config applies on PostgreSQL only, silently here. -#}
{% macro duckdb__apply_grants(relation, grant_config, should_revoke=True) %}
{% endmacro %}
