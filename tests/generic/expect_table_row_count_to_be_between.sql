{#- dbt-expectations: the row count (per group_by group) lies within the bounds. One failure per group. -#}
{% test expect_table_row_count_to_be_between(
    model, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false
) %}
{{- dq_require_bound('expect_table_row_count_to_be_between', min_value, max_value) }}
with counted as (
    select
        {% if group_by %}{{ group_by | join(", ") }},{% endif %}
        count(*) as n_rows
    from {{ model }}
    {{ dq_where(row_condition) }}
    {% if group_by %}group by {{ group_by | join(", ") }}{% endif %}
)

select * from counted
where not (
    1 = 1
    {% if min_value is not none %}and {{ dq_compare('n_rows', 'min', min_value, strictly) }}{% endif %}
    {% if max_value is not none %}and {{ dq_compare('n_rows', 'max', max_value, strictly) }}{% endif %}
)
{% endtest %}
