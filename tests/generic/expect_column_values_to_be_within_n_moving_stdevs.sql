{#- dbt-expectations: the sum of column_name per `period` (per group_by) stays within the moving band of the
    trend_periods before it: the value (its natural log with take_logs, its change over lookback_periods with
    take_diffs) is at most sigma_threshold (or sigma_threshold_lower / _upper) sample standard deviations from
    their mean. Only the test_periods before the current period (now, in the project's time zone) are
    tested. One failure per outlying period. -#}
{% test expect_column_values_to_be_within_n_moving_stdevs(
    model, column_name, date_column_name, group_by=none, period='day', lookback_periods=1, trend_periods=7,
    test_periods=14, sigma_threshold=3, sigma_threshold_upper=none, sigma_threshold_lower=none,
    take_diffs=true, take_logs=true
) %}
{%- set upper = sigma_threshold_upper if sigma_threshold_upper else sigma_threshold -%}
{%- set lower = sigma_threshold_lower if sigma_threshold_lower else -1 * sigma_threshold -%}
{%- set partition_by = "partition by " ~ (group_by | join(", ")) if group_by else "" -%}
with grouped_metric_values as (
    select
        {{ dbt.date_trunc(period, date_column_name) }} as metric_period,
        {% for g in group_by or [] %}{{ g }},
        {% endfor %}sum({{ column_name }}) as agg_metric_value
    from {{ model }}
    group by {{ dbt.date_trunc(period, date_column_name) }}{% for g in group_by or [] %}, {{ g }}{% endfor %}
),

metric_values as (
    select
        *,
        {% if take_diffs -%}
        {{ dq_metric_value('agg_metric_value', take_logs) }}
        - {{ dq_metric_value('lag(agg_metric_value, ' ~ lookback_periods ~ ') over (' ~ partition_by ~ ' order by metric_period)', take_logs) }}
        {%- else -%}
        {{ dq_metric_value('agg_metric_value', take_logs) }}
        {%- endif %} as metric_test_value
    from grouped_metric_values
),

metric_moving_calcs as (
    select
        *,
        avg(metric_test_value) over (
            {{ partition_by }} order by metric_period rows between {{ trend_periods }} preceding and 1 preceding
        ) as metric_test_rolling_average,
        stddev(metric_test_value) over (
            {{ partition_by }} order by metric_period rows between {{ trend_periods }} preceding and 1 preceding
        ) as metric_test_rolling_stddev
    from metric_values
),

metric_sigma as (
    select
        *,
        metric_test_value - metric_test_rolling_average as metric_test_delta,
        (metric_test_value - metric_test_rolling_average) / nullif(metric_test_rolling_stddev, 0) as metric_test_sigma
    from metric_moving_calcs
)

select * from metric_sigma
where
    metric_period >= cast({{ dbt.dateadd(period, -1 * test_periods, dbt.date_trunc(period, dq_now())) }} as {{ dbt.type_timestamp() }})
    and metric_period < {{ dbt.date_trunc(period, dq_now()) }}
    and not (metric_test_sigma >= {{ lower }} and metric_test_sigma <= {{ upper }})
{% endtest %}
