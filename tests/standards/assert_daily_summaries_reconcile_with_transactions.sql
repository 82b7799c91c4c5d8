{{ config(
    severity='error',
    meta={'rationale': 'Daily totals must equal the transactions they summarise (the case study inflated them).'},
) }}

with summaries as (
    select
        sum(completed_amount_vnd) as amount_vnd,
        sum(transaction_count) as transaction_count
    from {{ ref('fct_daily_account_summaries') }}
),

transactions as (
    select
        sum(case when transaction_status = 'completed' then amount_vnd else 0 end) as amount_vnd,
        count(*) as transaction_count
    from {{ ref('fct_transactions') }}
)

select
    summaries.amount_vnd as summarised_amount_vnd,
    summaries.transaction_count as summarised_count,
    transactions.amount_vnd as transaction_amount_vnd,
    transactions.transaction_count
from summaries
cross join transactions
where summaries.amount_vnd <> transactions.amount_vnd or summaries.transaction_count <> transactions.transaction_count
