{{ config(materialized='incremental', unique_key='transaction_date') }}
{%- set cutoff = incremental_cutoff('transaction_date') %}

{#-
    One narrow row per source account and day with clean transactions: how many, the first and the
    last. int_transaction_dormancy reads each account's last transaction before the days it
    rebuilds from here, and dim_accounts sums the account's activity from here, instead of both
    reading every transaction. Incremental by day.
-#}

with

transactions as (
    select
        from_account_id,
        transacted_at,
        transaction_date
    from {{ ref('int_transactions_clean') }}
    where transaction_date >= {{ cutoff }}
),

final as (
    select
        from_account_id,
        transaction_date,
        count(*) as transaction_count,
        min(transacted_at) as first_transacted_at,
        max(transacted_at) as last_transacted_at
    from transactions
    group by from_account_id, transaction_date
)

select * from final
