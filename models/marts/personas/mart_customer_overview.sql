{#- The customer's view (BDT2023 user stories): my details (masked), my accounts, my activity, my anomalies. -#}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

transactions as (
    select * from {{ ref('fct_transactions') }}
),

alerts as (
    select * from {{ ref('fct_risk_alerts') }}
),

activity as (
    select
        customer_id,
        count(*) as transaction_count,
        sum(case when transaction_status = 'completed' then amount_vnd else 0 end) as completed_amount_vnd,
        sum(case when transaction_status = 'completed' and not is_compliant then 1 else 0 end)
            as non_compliant_count,
        min(transacted_at) as first_transaction_at,
        max(transacted_at) as last_transaction_at
    from transactions
    group by customer_id
),

anomalies as (
    select
        customer_id,
        count(*) as alert_count,
        count(distinct transaction_id) as alerted_transaction_count,
        sum(case when severity in ('high', 'critical') then 1 else 0 end) as high_severity_alert_count
    from alerts
    group by customer_id
)

select
    customers.customer_id,
    customers.customer_type,
    customers.full_name,
    customers.cccd_number_masked,
    customers.phone_number_masked,
    customers.email_masked,
    customers.province_name,
    customers.customer_status,
    customers.account_count,
    customers.device_count,
    customers.total_balance_vnd,
    coalesce(activity.transaction_count, 0) as transaction_count,
    coalesce(activity.completed_amount_vnd, 0) as completed_amount_vnd,
    coalesce(activity.non_compliant_count, 0) as non_compliant_count,
    coalesce(anomalies.alert_count, 0) as alert_count,
    coalesce(anomalies.alerted_transaction_count, 0) as alerted_transaction_count,
    coalesce(anomalies.high_severity_alert_count, 0) as high_severity_alert_count,
    customers.registration_date,
    activity.first_transaction_at,
    activity.last_transaction_at
from customers
left join activity
    on customers.customer_id = activity.customer_id
left join anomalies
    on customers.customer_id = anomalies.customer_id
