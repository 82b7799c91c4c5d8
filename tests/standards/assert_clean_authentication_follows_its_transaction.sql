{{ config(
    severity='error',
    meta={'rationale': 'An attempt cannot confirm a transaction that did not exist yet.'},
) }}

select auth_logs.auth_log_id
from {{ ref('int_authentication_logs_clean') }} as auth_logs
inner join {{ ref('int_transactions_clean') }} as txns
    on auth_logs.transaction_id = txns.transaction_id
where auth_logs.authenticated_at < txns.transacted_at
