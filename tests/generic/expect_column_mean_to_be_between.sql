{#- dbt-expectations: the mean of column_name (per group_by) lies within the bounds. One failure per group. -#}
{% test expect_column_mean_to_be_between(
    model, column_name, min_value=none, max_value=none, group_by=none, row_condition=none, strictly=false
) %}
{{- dq_require_bound('expect_column_mean_to_be_between', min_value, max_value) }}
with averaged as (
    select
        {% if group_by %}{{ group_by | join(", ") }},{% endif %}
        avg({{ column_name }}) as column_mean
    from {{ model }}
    {{ dq_where(row_condition) }}
    {% if group_by %}group by {{ group_by | join(", ") }}{% endif %}
)

select * from averaged
where not (
    1 = 1
    {% if min_value is not none %}and {{ dq_compare('column_mean', 'min', min_value, strictly) }}{% endif %}
    {% if max_value is not none %}and {{ dq_compare('column_mean', 'max', max_value, strictly) }}{% endif %}
)
{% endtest %}
