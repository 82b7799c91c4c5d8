{#-
    Daily SBV report (Circular 50/2024, Decision 2345, Circular 40/2024) per customer type:
    counts and amounts by required class, and breaches by kind. Breach counts come from
    fct_risk_alerts so that one rule set defines every breach: one column per rule the risk_rules seed
    marks is_sbv_breach (pytests/test_marts.py checks that the two lists agree).
-#}

{{ config(materialized='incremental', unique_key='report_date') }}
{%- set cutoff = incremental_cutoff('report_date') %}

with

transactions as (
    select * from {{ ref('fct_transactions') }}
    where transaction_date >= {{ cutoff }}
),

alerts as (
    select * from {{ ref('fct_risk_alerts') }}
    where alert_date >= {{ cutoff }}
),

customers as (
    select
        customer_id,
        customer_type
    from {{ ref('int_customers_clean') }}
),

by_class as (
    select
        transaction_date as report_date,
        customer_type,
        count(*) as transaction_count,
        sum(case when is_executed then 1 else 0 end) as executed_count,
        sum(case when is_completed then amount_vnd else 0 end) as completed_amount_vnd,
        {%- for level in ['A', 'B', 'C', 'D'] %}
            sum(case when required_level = '{{ level }}' then 1 else 0 end) as class_{{ level | lower }}_count,
            sum(case when is_completed and required_level = '{{ level }}' then amount_vnd else 0 end)
                as class_{{ level | lower }}_amount_vnd,
        {%- endfor %}
        sum(case when is_executed and is_compliant then 1 else 0 end) as compliant_executed_count
    from transactions
    group by transaction_date, customer_type
),

breaches as (
    select
        alerts.alert_date as report_date,
        customers.customer_type,
        sum(case when alerts.rule_code = 'weak_authentication' then 1 else 0 end) as weak_authentication_count,
        sum(case when alerts.rule_code = 'strong_auth_required' then 1 else 0 end) as strong_auth_required_count,
        sum(case when alerts.rule_code = 'daily_limit_strong_auth' then 1 else 0 end)
            as daily_limit_strong_auth_count,
        sum(case when alerts.rule_code = 'new_device_without_biometric' then 1 else 0 end)
            as new_device_without_biometric_count,
        sum(case when alerts.rule_code = 'ewallet_monthly_limit' then 1 else 0 end) as ewallet_monthly_limit_count
    from alerts
    inner join customers
        on alerts.customer_id = customers.customer_id
    group by alerts.alert_date, customers.customer_type
),

weak_amounts as (
    select
        transaction_date as report_date,
        customer_type,
        sum(amount_vnd) as weak_authentication_amount_vnd
    from transactions
    where is_executed and not is_compliant
    group by transaction_date, customer_type
),

final as (
    select
        cast(by_class.report_date as date) as report_date,
        cast(by_class.customer_type as {{ dbt.type_string() }}) as customer_type,
        cast(by_class.transaction_count as integer) as transaction_count,
        cast(by_class.executed_count as integer) as executed_count,
        cast(by_class.completed_amount_vnd as numeric(24, 2)) as completed_amount_vnd,
        {%- for level in ['a', 'b', 'c', 'd'] %}
            cast(by_class.class_{{ level }}_count as integer) as class_{{ level }}_count,
            cast(by_class.class_{{ level }}_amount_vnd as numeric(24, 2)) as class_{{ level }}_amount_vnd,
        {%- endfor %}
        cast(coalesce(breaches.weak_authentication_count, 0) as integer) as weak_authentication_count,
        cast(coalesce(breaches.strong_auth_required_count, 0) as integer) as strong_auth_required_count,
        cast(coalesce(breaches.daily_limit_strong_auth_count, 0) as integer) as daily_limit_strong_auth_count,
        cast(coalesce(breaches.new_device_without_biometric_count, 0) as integer) as new_device_without_biometric_count,
        cast(coalesce(breaches.ewallet_monthly_limit_count, 0) as integer) as ewallet_monthly_limit_count,
        cast(coalesce(weak_amounts.weak_authentication_amount_vnd, 0) as numeric(24, 2))
            as weak_authentication_amount_vnd,
        case
            when by_class.executed_count > 0
                then cast(by_class.compliant_executed_count as {{ type_double() }}) / by_class.executed_count
        end as compliance_rate
    from by_class
    left join breaches
        on by_class.report_date = breaches.report_date and by_class.customer_type = breaches.customer_type
    left join weak_amounts
        on by_class.report_date = weak_amounts.report_date and by_class.customer_type = weak_amounts.customer_type
)

select * from final
