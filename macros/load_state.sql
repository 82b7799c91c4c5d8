{#-
    What the warehouse was built from, and what raw holds now.

    `bankgen load` writes raw._load_files in the same transaction as the data: one row per loaded
    file with the dataset's identity (the manifest's dataset_id), the day an event file holds (from
    its name) and its SHA-256. After a build that rebuilt every incremental model successfully,
    on-run-end copies that list to audit.built_from. Comparing the two tells a build what changed:

    - another dataset (a different dataset_id): the incremental days and the snapshot history belong
      to the old data. A plain build or run stops in on-run-start, before any model, and says what
      to run; `--full-refresh` rebuilds everything and starts the snapshot history afresh (the
      snapshot tables are dropped first, since they record the old dataset's entities).
    - the same dataset with event files added, restated (another checksum) or removed: the earliest
      such day is rebuilt, and every day after it, since later days' features (first uses, dormancy,
      rolling windows, month-to-date totals) read earlier days. incremental_cutoff uses it.

    Without raw._load_files (data put into raw by other means) nothing is compared, and incremental
    runs rebuild from the last day built as before.
-#}

{#- The relation when the table exists, else none. A plain catalog query: adapter.get_relation would
    open a transaction on the hooks' connection that dbt then rolls back with the other hooks' work. -#}
{% macro _relation_if_exists(schema, identifier) %}
    {% do return(adapter.dispatch('_relation_if_exists', 'timo_bank')(schema, identifier)) %}
{% endmacro %}

{% macro default___relation_if_exists(schema, identifier) %}
    {% set found = run_query(
        "select count(*) from information_schema.tables where table_schema = '" ~ schema
        ~ "' and table_name = '" ~ identifier ~ "'"
    ) %}
    {% if found.columns[0].values()[0] > 0 %}
        {% do return(api.Relation.create(database=target.database, schema=schema, identifier=identifier)) %}
    {% endif %}
    {% do return(none) %}
{% endmacro %}

{#- Spark: dbt's relation cache, filled at the start of the run for every schema the project uses (raw
    and audit are sources' schemas), answers without a query; Spark has no transaction to disturb, and no
    information_schema in its session catalog. -#}
{% macro spark___relation_if_exists(schema, identifier) %}
    {% do return(adapter.get_relation(database=none, schema=schema, identifier=identifier)) %}
{% endmacro %}

{% macro _dataset_ids(relation) %}
    {% set result = run_query("select distinct dataset_id from " ~ relation ~ " order by 1") %}
    {% do return(result.columns[0].values() | list) %}
{% endmacro %}

{#- on-run-start: stop a build over another dataset before it touches a model. -#}
{% macro check_raw_dataset() %}
    {% if not execute or flags.WHICH not in ('build', 'run', 'snapshot') %}
        {% do return('') %}
    {% endif %}
    {% set loaded = _relation_if_exists('raw', '_load_files') %}
    {% set built = _relation_if_exists('audit', 'built_from') %}
    {% if loaded is none or built is none %}
        {% do return('') %}
    {% endif %}
    {% set raw_ids = _dataset_ids(loaded) %}
    {% set built_ids = _dataset_ids(built) %}
    {% if built_ids and raw_ids != built_ids %}
        {% if flags.FULL_REFRESH %}
            {% for node in graph.nodes.values() if node.resource_type == 'snapshot' %}
                {% set snapshot = _relation_if_exists(node.schema, node.alias) %}
                {% if snapshot is not none %}
                    {% do run_query("drop table " ~ snapshot) %}
                    {% do adapter.cache_dropped(api.Relation.create(database=node.database, schema=node.schema,
                                                                    identifier=node.alias, type='table')) %}
                {% endif %}
            {% endfor %}
            {% do log("raw holds dataset " ~ raw_ids | join(', ') ~ ", the warehouse was built from "
                      ~ built_ids | join(', ') ~ ": full refresh, snapshot history started afresh", info=true) %}
        {% else %}
            {% do exceptions.raise_compiler_error(
                "raw holds dataset " ~ raw_ids | join(', ') ~ " but the warehouse was built from dataset "
                ~ built_ids | join(', ') ~ ", whose days and snapshot history do not apply to it; nothing was built. "
                ~ "Run `dbt build --full-refresh` to rebuild everything from the new data (snapshot history "
                ~ "starts afresh), or load the earlier dataset again."
            ) %}
        {% endif %}
    {% endif %}
{% endmacro %}

{#- The earliest event day whose files changed since the last complete build: a date, the floor date
    when every day must be rebuilt (nothing built yet, or a changed file whose day is unknown), or
    none when raw._load_files is absent. -#}
{% macro earliest_changed_day() %}
    {% if not execute %}
        {% do return(none) %}
    {% endif %}
    {% set loaded = _relation_if_exists('raw', '_load_files') %}
    {% if loaded is none %}
        {% do return(none) %}
    {% endif %}
    {% set built = _relation_if_exists('audit', 'built_from') %}
    {% set floor = modules.datetime.date(1900, 1, 1) %}
    {% if built is none %}
        {% do return(floor) %}
    {% endif %}
    {% set sql %}
        with

        loaded as (
            select table_name, file_name, file_day, sha256 from {{ loaded }} where is_event_table
        ),

        built as (
            select table_name, file_name, file_day, sha256 from {{ built }} where is_event_table
        ),

        changed as (
            select loaded.file_day
            from loaded
            left join built
                on loaded.table_name = built.table_name
                and loaded.file_name = built.file_name
                and loaded.sha256 = built.sha256
            where built.file_name is null
            union all
            select built.file_day
            from built
            left join loaded
                on built.table_name = loaded.table_name
                and built.file_name = loaded.file_name
            where loaded.file_name is null
        )

        select
            (select count(*) from built) as built_files,
            count(*) as changed_files,
            coalesce(sum(case when file_day is null then 1 else 0 end), 0) as undated_files,
            min(file_day) as earliest_day
        from changed
    {% endset %}
    {% set row = run_query(sql).rows[0] %}
    {% if row['built_files'] == 0 or row['undated_files'] > 0 %}
        {% do return(floor) %}
    {% elif row['changed_files'] == 0 %}
        {% do return(none) %}
    {% endif %}
    {% do return(as_date(row['earliest_day'])) %}
{% endmacro %}

{#- on-run-end: after every incremental model was rebuilt successfully, remember what raw held. -#}
{% macro record_built_from(results) %}
    {% if not execute or flags.WHICH not in ('build', 'run') %}
        {% do return('') %}
    {% endif %}
    {% set loaded = _relation_if_exists('raw', '_load_files') %}
    {% if loaded is none %}
        {% do return('') %}
    {% endif %}
    {% set succeeded = [] %}
    {% for result in results if result.status == 'success' %}
        {% do succeeded.append(result.node.unique_id) %}
    {% endfor %}
    {% for node in graph.nodes.values()
           if node.resource_type == 'model' and node.config.materialized == 'incremental'
           and node.config.enabled and node.unique_id not in succeeded %}
        {% do return('') %}
    {% endfor %}
    {% do run_query("create schema if not exists audit") %}
    {% do run_query(
        "create table if not exists audit.built_from (table_name varchar(200), file_name varchar(1000),"
        ~ " file_day date, sha256 varchar(64), is_event_table boolean, dataset_id varchar(64),"
        ~ " load_id varchar(64), built_at timestamp)"
    ) %}
    {% do replace_rows("audit.built_from",
        "select table_name, file_name, file_day, sha256, is_event_table, dataset_id, load_id, "
        ~ dbt.current_timestamp() ~ " from " ~ loaded
    ) %}
{% endmacro %}

{#- Replace every row of a table no model owns with a query's rows: delete and insert (one transaction on
    DuckDB and PostgreSQL); Spark's Parquet tables have no DELETE, and an overwrite does the same. -#}
{% macro replace_rows(table, select_sql) %}
    {% do return(adapter.dispatch('replace_rows', 'timo_bank')(table, select_sql)) %}
{% endmacro %}

{% macro default__replace_rows(table, select_sql) %}
    {% do run_query("delete from " ~ table) %}
    {% do run_query("insert into " ~ table ~ " " ~ select_sql) %}
{% endmacro %}

{% macro spark__replace_rows(table, select_sql) %}
    {% do run_query("insert overwrite table " ~ table ~ " " ~ select_sql) %}
{% endmacro %}
