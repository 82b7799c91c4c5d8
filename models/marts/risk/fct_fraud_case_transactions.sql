{{ config(materialized='incremental', unique_key='transaction_date', lookup_keys=['case_id']) }}
{%- set cutoff = incremental_cutoff('transaction_date') %}

{#- The drill-down of a fraud case group: every transaction its signals cover. A transaction signal
    covers its transaction; a customer-day signal every transaction of that customer that day (as in
    fct_alert_transactions). Either way the transaction's day is the signal's alert day. Groups below
    the review score have rows here too; fct_fraud_cases says which groups are cases. Incremental by
    that day. -#}

with

case_signals as (
    select * from {{ ref('fct_fraud_case_signals') }}
    where alert_date >= {{ cutoff }}
),

transactions as (
    select
        transaction_id,
        customer_id,
        transaction_date
    from {{ ref('fct_transactions') }}
    where transaction_date >= {{ cutoff }}
),

covered as (
    select
        case_id,
        transaction_id,
        alert_date as transaction_date
    from case_signals
    where transaction_id is not null
    union
    select
        case_signals.case_id,
        transactions.transaction_id,
        transactions.transaction_date
    from case_signals
    inner join transactions
        on
            case_signals.alert_customer_id = transactions.customer_id
            and case_signals.alert_date = transactions.transaction_date
    where case_signals.transaction_id is null
),

final as (
    select
        cast(case_id as {{ dbt.type_string() }}) as case_id,
        cast(transaction_id as bigint) as transaction_id,
        cast(transaction_date as date) as transaction_date
    from covered
)

select * from final
