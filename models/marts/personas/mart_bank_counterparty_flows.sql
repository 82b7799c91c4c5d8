{{ config(materialized='incremental', unique_key='flow_date') }}
{%- set cutoff = incremental_cutoff('flow_date') %}

{#-
    The bank's view of money leaving Timo per counterparty bank and day (Timo itself for transfers
    between Timo accounts). The raw data records transactions initiated from Timo accounts only, so
    credits arriving from other banks are not in it.
-#}

with

transactions as (
    select * from {{ ref('fct_transactions') }}
    where counterparty_bank_code is not null and transaction_date >= {{ cutoff }}
),

banks as (
    select * from {{ ref('dim_banks') }}
)

select
    transactions.counterparty_bank_code as bank_code,
    banks.short_name as bank_short_name,
    banks.is_domestic,
    transactions.transaction_date as flow_date,
    count(*) as transaction_count,
    sum(case when transactions.transaction_status = 'completed' then 1 else 0 end) as completed_count,
    sum(case when transactions.transaction_status = 'completed' then transactions.amount_vnd else 0 end)
        as completed_amount_vnd,
    count(distinct transactions.customer_id) as distinct_senders,
    count(distinct coalesce(transactions.to_external_account_id, transactions.to_internal_account_id))
        as distinct_receiving_accounts,
    sum(case when transactions.is_new_payee then 1 else 0 end) as new_payee_count
from transactions
left join banks
    on transactions.counterparty_bank_code = banks.bank_code
group by transactions.counterparty_bank_code, banks.short_name, banks.is_domestic, transactions.transaction_date
