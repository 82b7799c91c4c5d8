-- Daily-limit monitoring: individuals whose I.3 transfers passed 20M VND in a day,
-- and how much of it was strongly authenticated.
select
    transaction_date,
    customer_id,
    sum(amount_vnd) as transferred_vnd,
    sum(case when achieved_level in ('C', 'D') then amount_vnd else 0 end) as strongly_authenticated_vnd,
    sum(case when not is_compliant then 1 else 0 end) as breaches
from {{ ref('fct_transactions') }}
where customer_type = 'individual' and sbv_group = 'I.3' and transaction_status = 'completed'
group by transaction_date, customer_id
having sum(amount_vnd) > 20000000
order by transaction_date asc, transferred_vnd desc
