{{ config(materialized='incremental', unique_key='alert_date') }}
{%- set cutoff = incremental_cutoff('alert_date') %}

{#-
    Every transaction an alert covers, once per rule: a transaction alert covers its transaction, a
    customer-day alert every transaction of that customer on that day. eval_detection_quality scores
    the rules from these rows. Incremental by alert day: a transaction has one day, so the rows of
    different days never repeat a (rule, transaction) pair.
-#}

with

alerts as (
    select * from {{ ref('fct_risk_alerts') }}
    where alert_date >= {{ cutoff }}
),

transactions as (
    select
        transaction_id,
        customer_id,
        transaction_date
    from {{ ref('int_transactions_clean') }}
    where transaction_date >= {{ cutoff }}
),

covered as (
    select
        rule_code,
        transaction_id,
        alert_date
    from alerts
    where transaction_id is not null
    union
    select
        alerts.rule_code,
        transactions.transaction_id,
        alerts.alert_date
    from alerts
    inner join transactions
        on alerts.customer_id = transactions.customer_id and alerts.alert_date = transactions.transaction_date
    where alerts.transaction_id is null
),

final as (
    select
        cast(rule_code as {{ dbt.type_string() }}) as rule_code,
        cast(transaction_id as bigint) as transaction_id,
        cast(alert_date as date) as alert_date
    from covered
)

select * from final
