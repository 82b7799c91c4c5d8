{#- dbt-expectations: within each row the columns of column_list hold different values, compared as text; a
    null among them fails, and rows are ignored when all (default) or any are null. One failure per row. -#}
{% test expect_select_column_values_to_be_unique_within_record(
    model, column_list, quote_columns=false, ignore_row_if="all_values_are_missing", row_condition=none
) %}
{%- set columns = dq_columns(column_list, quote_columns) -%}
with column_values as (
    select
        {% for c in columns %}cast({{ c }} as {{ dbt.type_string() }}) as value_{{ loop.index }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ model }}
    {{ dq_where(row_condition) }}
        and {{ dq_keep_row(ignore_row_if, columns) }}
)

select * from column_values
where
    {% for c in columns %}value_{{ loop.index }} is null or {% endfor %}
    {%- for c in columns %}{% set outer = loop.index %}{% for d in columns %}{% if loop.index > outer %}
    value_{{ outer }} = value_{{ loop.index }} or{% endif %}{% endfor %}{% endfor %} 1 = 0
{% endtest %}
