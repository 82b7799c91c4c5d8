{#- dbt-expectations: the sum of column_name per group_by group lies within sigma_threshold sample standard
    deviations of the groups' mean (without group_by there is one group, which always passes). One failure per
    outlying group. -#}
{% test expect_column_values_to_be_within_n_stdevs(model, column_name, group_by=none, sigma_threshold=3) %}
with metric_values as (
    select
        {% for g in group_by or [] %}{{ g }},
        {% endfor %}sum({{ column_name }}) as metric_value
    from {{ model }}
    {% if group_by %}group by {{ group_by | join(", ") }}{% endif %}
),

metric_values_with_statistics as (
    select
        *,
        avg(metric_value) over () as metric_average,
        stddev(metric_value) over () as metric_stddev
    from metric_values
),

metric_values_z_scores as (
    select
        *,
        (metric_value - metric_average) / nullif(metric_stddev, 0) as metric_sigma
    from metric_values_with_statistics
)

select * from metric_values_z_scores
where abs(metric_sigma) > {{ sigma_threshold }}
{% endtest %}
