{#-
    Spark (dbt-spark, session method): the few places where dbt-spark's own materializations do not fit
    this project. Everything here is a `spark__` implementation that dbt's dispatch picks on Spark only;
    DuckDB and PostgreSQL never see it. docs/spark.md explains each choice.
-#}

{#- Contracts declare standard SQL type names (varchar, double precision, numeric(p, s)); Spark spells two
    of them differently. The contract check builds an empty row of the declared types: translate them. -#}
{% macro spark_type_name(data_type) -%}
    {%- set name = data_type | trim | lower -%}
    {%- if name in ('varchar', 'text', 'character varying') -%}
        string
    {%- elif name == 'double precision' -%}
        double
    {%- else -%}
        {{ data_type }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__get_empty_schema_sql(columns) %}
    {%- set translated = {} -%}
    {%- for name in columns -%}
        {%- set column = columns[name] -%}
        {%- set copy = {} -%}
        {%- do copy.update(column) -%}
        {%- if column.get('data_type') is not none -%}
            {%- do copy.update({'data_type': spark_type_name(column['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({name: copy}) -%}
    {%- endfor -%}
    {{ return(default__get_empty_schema_sql(translated)) }}
{% endmacro %}

{#- Grants: access control stays on PostgreSQL (docs/access-control.md). Spark's own catalog has no GRANT;
    a cluster that enforces access (Ranger, Unity Catalog) does it outside dbt. -#}
{% macro spark__apply_grants(relation, grant_config, should_revoke=True) %}
{% endmacro %}

{#- Seeds: dbt-spark's session method pastes seed values into the SQL without escaping them, so a cell
    holding an apostrophe breaks the insert. Here each value is a Spark string literal, escaped. -#}
{% macro spark_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ (value | string) | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}

{% macro spark__load_csv_rows(model, agate_table) %}
    {% set column_override = model['config'].get('column_types', {}) %}
    {% set types = [] %}
    {% for col_name in agate_table.column_names %}
        {% do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) %}
    {% endfor %}
    {% set statements = [] %}
    {% for chunk in agate_table.rows | batch(get_batch_size()) %}
        {% set sql %}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    cast({{ spark_literal(value) }} as {{ types[loop.index0] }}){{ ", " if not loop.last }}
                {%- endfor -%}){{ "," if not loop.last }}
            {% endfor %}
        {% endset %}
        {% do adapter.add_query(sql, abridge_sql_log=True) %}
        {% if loop.first %}
            {% do statements.append(sql) %}
        {% endif %}
    {% endfor %}
    {{ return(statements[0]) }}
{% endmacro %}

{#- Incremental models on Spark: dbt-spark has no delete+insert, so they use insert_overwrite over a table
    partitioned by the model's day column (its unique_key, see macros/incremental.sql) and Spark's dynamic
    partition overwrite: each rebuilt day's partition is replaced as a whole. A day at or after the cutoff
    that the rebuild no longer produces (a day whose rows all went away) would survive a dynamic
    overwrite; delete+insert removes it, so it is dropped here first, and both engines hold the same days. -#}
{% macro spark__partition_cols(label, required=false) %}
    {%- set cols = config.get('partition_by', validator=validation.any[list, basestring]) -%}
    {%- if cols is none and config.get('materialized') == 'incremental' and config.get('unique_key') is string -%}
        {%- set cols = config.get('unique_key') -%}
    {%- endif -%}
    {%- if cols is not none %}
        {%- if cols is string -%}
            {%- set cols = [cols] -%}
        {%- endif -%}
        {{ label }} ({{ cols | join(', ') }})
    {%- endif %}
{%- endmacro %}

{% macro get_insert_overwrite_sql(source_relation, target_relation, existing_relation) %}
    {%- set day_column = config.get('unique_key') -%}
    {%- if execute and day_column is string and config.get('partition_by') is none -%}
        {%- set cutoff = compiled_cutoff(day_column) | trim -%}
        {%- set stale = run_query(
            "select distinct cast(" ~ day_column ~ " as string) from " ~ target_relation
            ~ " where " ~ day_column ~ " >= " ~ cutoff ~ " and " ~ day_column ~ " not in (select "
            ~ day_column ~ " from " ~ source_relation ~ " where " ~ day_column ~ " is not null)"
        ) -%}
        {%- for row in stale.rows if row[0] is not none -%}
            {%- do run_query("alter table " ~ target_relation ~ " drop if exists partition ("
                             ~ day_column ~ " = '" ~ row[0] ~ "')") -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set dest_columns = adapter.get_columns_in_relation(target_relation) -%}
    insert overwrite table {{ target_relation }}
    {{ partition_cols(label="partition") }}
    select {{ dest_columns | map(attribute='quoted') | join(', ') }} from {{ source_relation }}
{% endmacro %}

{#- Snapshots on Spark without Delta Lake. dbt-spark's snapshots need MERGE, which only Delta, Iceberg and
    Hudi tables have, and their jars come from Maven, which a bank's locked-down cluster (and this
    project's machines) may not reach. On plain Parquet tables a snapshot run computes the whole next
    version of the table (earlier versions closed where the source changed, new versions appended: what
    MERGE would do) into `<snapshot>__dbt_next`, then swaps it in by renames. The snapshot tables hold one
    row per entity version, small beside the event tables. With file_format delta/iceberg/hudi, the
    MERGE path of dbt-spark is used as before. -#}
{% materialization snapshot, adapter='spark' %}
    {%- set file_format = config.get('file_format') or 'parquet' -%}
    {%- set grant_config = config.get('grants') -%}
    {%- set strategy_name = config.get('strategy') -%}
    {%- set target_table = model.get('alias', model.get('name')) -%}
    {%- set target_relation_exists, target_relation = get_or_create_relation(
            database=none, schema=model.schema, identifier=target_table, type='table') -%}
    {%- set merges = file_format in ['delta', 'iceberg', 'hudi'] -%}

    {% if not adapter.check_schema_exists(model.database, model.schema) %}
        {% do create_schema(model.schema) %}
    {% endif %}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {% set strategy_macro = strategy_dispatch(strategy_name) %}
    {% set strategy = strategy_macro(model, "snapshotted_data", "source_data", model['config'], target_relation_exists) %}

    {% if not target_relation_exists %}
        {% set build_sql = build_snapshot_table(strategy, model['compiled_code']) %}
        {% call statement('main') %}
            {{ create_table_as(False, target_relation, build_sql) }}
        {% endcall %}
    {% else %}
        {% set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() %}
        {{ adapter.valid_snapshot_target(target_relation, columns) }}
        {% set staging_table = spark_build_snapshot_staging_table(strategy, sql, target_relation) %}
        {% set missing_columns = adapter.get_missing_columns(staging_table, target_relation)
                                 | rejectattr('name', 'in', ['dbt_change_type', 'DBT_CHANGE_TYPE',
                                                             'dbt_unique_key', 'DBT_UNIQUE_KEY'])
                                 | list %}
        {% do create_columns(target_relation, missing_columns) %}
        {% if merges %}
            {% set source_columns = adapter.get_columns_in_relation(staging_table)
                                    | rejectattr('name', 'in', ['dbt_change_type', 'DBT_CHANGE_TYPE',
                                                                'dbt_unique_key', 'DBT_UNIQUE_KEY'])
                                    | list %}
            {% call statement('main') %}
                {{ snapshot_merge_sql(target=target_relation, source=staging_table,
                                      insert_cols=source_columns | map(attribute='quoted') | list) }}
            {% endcall %}
        {% else %}
            {% call statement('main') %}
                {{ spark_snapshot_swap(target_relation, staging_table, columns) }}
            {% endcall %}
        {% endif %}
    {% endif %}

    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {% if staging_table is defined %}
        {% do post_snapshot(staging_table) %}
    {% endif %}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- Writes the snapshot's next version beside it and swaps it in; returns a harmless statement for the
    materialization's 'main' call. Current versions are those whose valid_to is null or the configured
    dbt_valid_to_current, as in dbt-spark's MERGE. -#}
{% macro spark_snapshot_swap(target_relation, staging_table, columns) %}
    {%- set target_columns = adapter.get_columns_in_relation(target_relation) -%}
    {%- set current_to = config.get('dbt_valid_to_current') -%}
    {%- set next_relation = target_relation.incorporate(path={"identifier": target_relation.identifier ~ '__dbt_next'}) -%}
    {%- set backup_relation = target_relation.incorporate(path={"identifier": target_relation.identifier ~ '__dbt_backup'}) -%}
    {%- set valid_to = columns.dbt_valid_to -%}
    {%- set scd_id = columns.dbt_scd_id -%}
    {% set next_sql %}
        with

        closing as (
            select {{ scd_id }}, {{ valid_to }} from {{ staging_table }}
            where dbt_change_type in ('update', 'delete')
        ),

        kept as (
            select
                {%- for column in target_columns %}
                {% if column.name | lower == valid_to | lower -%}
                case
                    when closing.{{ scd_id }} is not null
                        and (existing.{{ valid_to }} is null
                            {%- if current_to %} or existing.{{ valid_to }} = {{ current_to }}{% endif %})
                        then closing.{{ valid_to }}
                    else existing.{{ valid_to }}
                end as {{ column.quoted }}
                {%- else -%}
                existing.{{ column.quoted }}
                {%- endif %}{{ "," if not loop.last }}
                {%- endfor %}
            from {{ target_relation }} as existing
            left join closing on existing.{{ scd_id }} = closing.{{ scd_id }}
        ),

        added as (
            select
                {%- for column in target_columns %}
                staged.{{ column.quoted }}{{ "," if not loop.last }}
                {%- endfor %}
            from {{ staging_table }} as staged
            where
                staged.dbt_change_type = 'insert'
                and staged.{{ scd_id }} not in (select {{ scd_id }} from {{ target_relation }})
        )

        select * from kept
        union all
        select * from added
    {% endset %}
    {% do adapter.drop_relation(next_relation) %}
    {% do adapter.drop_relation(backup_relation) %}
    {% do run_query(create_table_as(False, next_relation, next_sql)) %}
    {% do adapter.rename_relation(target_relation, backup_relation) %}
    {% do adapter.rename_relation(next_relation, target_relation) %}
    {% do adapter.drop_relation(backup_relation) %}
    {{ return("select 1 as swapped") }}
{% endmacro %}
