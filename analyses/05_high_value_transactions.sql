-- High-value transactions (over 100M VND) with their authentication and compliance.
select
    transaction_id,
    customer_id,
    transaction_type,
    amount_vnd,
    required_level,
    achieved_level,
    is_compliant,
    has_biometric_match,
    transacted_at
from {{ ref('fct_transactions') }}
where amount_vnd > 100000000
order by amount_vnd desc
