{#-
    Data-quality results over time: every dbt invocation appends one row per data test and unit test
    to audit.dbt_test_results, a table no model owns, so it survives rebuilds and full refreshes.
    on-run-start creates it when missing; on-run-end inserts the results.
-#}

{% macro create_test_results_table() %}
    {% if execute %}
        {% do run_query("create schema if not exists audit") %}
        {% do run_query(
            "create table if not exists audit.dbt_test_results ("
            ~ " invocation_id varchar(64), run_started_at timestamp, test_unique_id varchar(500),"
            ~ " test_name varchar(500), test_type varchar(20), model_name varchar(200), status varchar(20),"
            ~ " failures bigint, execution_seconds " ~ type_double() ~ ", severity varchar(10), recorded_at timestamp)"
        ) %}
    {% endif %}
{% endmacro %}

{% macro record_test_results(results) %}
    {% if execute %}
        {% set rows = [] %}
        {% for result in results if result.node.resource_type in ('test', 'unit_test') %}
            {% set node = result.node %}
            {% if node.resource_type == 'unit_test' %}
                {% set parent = node.tested_node_unique_id or '' %}
            {% else %}
                {% set parent = node.attached_node or (node.depends_on.nodes | first) or '' %}
            {% endif %}
            {% set model_name = parent.split('.')[-1] %}
            {% set severity = (node.config.severity or 'error') | lower %}
            {% do rows.append(
                "('" ~ invocation_id ~ "', cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as timestamp), '"
                ~ node.unique_id | replace("'", "''") ~ "', '" ~ node.name | replace("'", "''") ~ "', '"
                ~ node.resource_type ~ "', '" ~ model_name | replace("'", "''") ~ "', '" ~ result.status ~ "', "
                ~ (result.failures if result.failures is not none else 0) ~ ", "
                ~ (result.execution_time or 0) ~ ", '" ~ severity ~ "', " ~ dbt.current_timestamp() ~ ")"
            ) %}
        {% endfor %}
        {% if rows %}
            {% do create_test_results_table() %}
            {% for batch in rows | batch(500) %}
                {% do run_query("insert into audit.dbt_test_results values " ~ batch | join(", ")) %}
            {% endfor %}
        {% endif %}
    {% endif %}
{% endmacro %}
