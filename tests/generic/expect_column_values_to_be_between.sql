{#-
    dbt-expectations' test of the same name: non-null values lie between min_value and max_value
    (inclusive, or exclusive with strictly=true); either bound may be omitted. Fails per row.
-#}
{% test expect_column_values_to_be_between(
    model, column_name, min_value=none, max_value=none, row_condition=none, strictly=false
) %}
{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error("expect_column_values_to_be_between needs min_value or max_value") }}
{%- endif -%}
{%- set lower = ">" if strictly else ">=" -%}
{%- set upper = "<" if strictly else "<=" -%}
select {{ column_name }}
from {{ model }}
where
    {{ column_name }} is not null
    {% if row_condition %}and ({{ row_condition }}){% endif %}
    and not (
        1 = 1
        {% if min_value is not none %}and {{ column_name }} {{ lower }} {{ min_value }}{% endif %}
        {% if max_value is not none %}and {{ column_name }} {{ upper }} {{ max_value }}{% endif %}
    )
{% endtest %}
