-- Account activity: the most active accounts of the period with their breaches.
select
    account_id,
    customer_id,
    sum(transaction_count) as transaction_count,
    sum(completed_amount_vnd) as completed_amount_vnd,
    sum(breach_count) as breaches,
    max(last_transaction_at) as last_transaction_at
from {{ ref('fct_daily_account_summaries') }}
group by account_id, customer_id
order by transaction_count desc
limit 100
