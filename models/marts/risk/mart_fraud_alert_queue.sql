{{ config(materialized='incremental', unique_key='alert_date', lookup_keys=['customer_id']) }}
{%- set cutoff = incremental_cutoff('alert_date') %}

{#- The fraud team's queue: every alert with the facts needed to triage it, highest priority first. -#}

with

alerts as (
    select * from {{ ref('fct_risk_alerts') }}
    where alert_date >= {{ cutoff }}
),

transactions as (
    -- a transaction's alerts are dated its day
    select * from {{ ref('fct_transactions') }}
    where transaction_date >= {{ cutoff }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

final as (
    select
        alerts.alert_id,
        alerts.rule_id,
        alerts.rule_code,
        alerts.severity,
        case alerts.severity when 'critical' then 1 when 'high' then 2 when 'medium' then 3 else 4 end
            as severity_rank,
        alerts.alert_status,
        alerts.typology,
        alerts.customer_id,
        customers.customer_type,
        customers.full_name,
        customers.phone_number_masked,
        alerts.account_id,
        alerts.transaction_id,
        transactions.transaction_type,
        transactions.transaction_status,
        transactions.amount_vnd,
        transactions.counterparty_bank_code,
        transactions.device_id,
        transactions.is_device_trusted,
        transactions.required_level,
        transactions.achieved_level,
        alerts.trigger_value,
        alerts.threshold_value,
        alerts.trigger_details,
        alerts.alert_date,
        alerts.alerted_at
    from alerts
    left join transactions
        on alerts.transaction_id = transactions.transaction_id
    left join customers
        on alerts.customer_id = customers.customer_id
)

select * from final
