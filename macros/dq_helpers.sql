{#- Shared pieces of the project's dbt-expectations-compatible generic tests. -#}

{#- "where <row_condition>" or "where 1 = 1"; further conditions append with "and". -#}
{% macro dq_where(row_condition) -%}
    where {% if row_condition %}({{ row_condition }}){% else %}1 = 1{% endif %}
{%- endmacro %}

{#- A comparison that is strict or not. -#}
{% macro dq_compare(left, op, right, strictly) -%}
    {%- if op == 'min' -%}{{ left }} {{ '>' if strictly else '>=' }} {{ right }}
    {%- else -%}{{ left }} {{ '<' if strictly else '<=' }} {{ right }}{%- endif -%}
{%- endmacro %}

{#- Validate the bounds of a between-test. -#}
{% macro dq_require_bound(test_name, min_value, max_value) -%}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error(test_name ~ " needs min_value or max_value") }}
    {%- endif -%}
{%- endmacro %}

{#- Compare an aggregate of two relations, optionally per group (used by two generic tests). -#}
{% macro dq_compare_aggregates(model, expression, compare_model, compare_expression, group_by, compare_group_by,
                               row_condition, compare_row_condition, tolerance, tolerance_percent) %}
{%- set compare_group_by = compare_group_by or group_by -%}
with a as (
    select
        {% for g in group_by or [] %}{{ g }} as group_{{ loop.index }},{% endfor %}
        {{ expression }} as expression_value
    from {{ model }}
    {{ dq_where(row_condition) }}
    {% if group_by %}group by {{ group_by | join(", ") }}{% endif %}
),

b as (
    select
        {% for g in compare_group_by or [] %}{{ g }} as group_{{ loop.index }},{% endfor %}
        {{ compare_expression }} as expression_value
    from {{ compare_model }}
    {{ dq_where(compare_row_condition) }}
    {% if compare_group_by %}group by {{ compare_group_by | join(", ") }}{% endif %}
),

compared as (
    select
        a.expression_value as model_value,
        b.expression_value as compare_value
    from a
    full outer join b
        on 1 = 1
        {% for g in group_by or [] %}and a.group_{{ loop.index }} = b.group_{{ loop.index }}{% endfor %}
)

select * from compared
where
    model_value is null
    or compare_value is null
    {% if tolerance_percent %}
    or abs(model_value - compare_value) > abs(compare_value) * {{ tolerance_percent }}
    {% else %}
    or abs(model_value - compare_value) > {{ tolerance }}
    {% endif %}
{% endmacro %}
