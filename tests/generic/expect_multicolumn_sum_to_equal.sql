{#- dbt-expectations: the sum of column_list over the table (per group_by) equals sum_total. One failure per group. -#}
{% test expect_multicolumn_sum_to_equal(model, column_list, sum_total, group_by=none, row_condition=none) %}
with summed as (
    select
        {% if group_by %}{{ group_by | join(", ") }},{% endif %}
        {% for c in column_list %}sum({{ c }}){{ " + " if not loop.last }}{% endfor %} as column_sum
    from {{ model }}
    {{ dq_where(row_condition) }}
    {% if group_by %}group by {{ group_by | join(", ") }}{% endif %}
)

select * from summed
where column_sum is null or column_sum <> {{ sum_total }}
{% endtest %}
