-- Transaction summary: count, completed amount and success rate per day and transaction type.
select
    transaction_date,
    transaction_type,
    count(*) as transaction_count,
    sum(case when transaction_status = 'completed' then amount_vnd else 0 end) as completed_amount_vnd,
    avg(case when transaction_status = 'completed' then 1.0 else 0.0 end) as completion_rate
from {{ ref('fct_transactions') }}
group by transaction_date, transaction_type
order by transaction_date, transaction_type
