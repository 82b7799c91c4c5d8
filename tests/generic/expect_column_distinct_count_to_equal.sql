{#- dbt-expectations: the number of distinct non-null values (per group_by) equals `value`. One failure per group. -#}
{% test expect_column_distinct_count_to_equal(
    model, column_name, value, quote_values=false, group_by=none, row_condition=none
) %}
with counted as (
    select
        {% if group_by %}{{ group_by | join(", ") }},{% endif %}
        count(distinct {{ column_name }}) as distinct_values
    from {{ model }}
    {{ dq_where(row_condition) }}
    {% if group_by %}group by {{ group_by | join(", ") }}{% endif %}
)

select * from counted where distinct_values <> {{ value }}
{% endtest %}
