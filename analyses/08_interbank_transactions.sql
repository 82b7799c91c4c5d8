-- Interbank and cross-border transfers by counterparty bank.
select
    bank_code,
    bank_short_name,
    is_domestic,
    sum(transaction_count) as transfers,
    sum(completed_amount_vnd) as completed_amount_vnd,
    sum(new_payee_count) as transfers_to_new_payees
from {{ ref('mart_bank_counterparty_flows') }}
where bank_code <> 'TIMO'
group by bank_code, bank_short_name, is_domestic
order by completed_amount_vnd desc
