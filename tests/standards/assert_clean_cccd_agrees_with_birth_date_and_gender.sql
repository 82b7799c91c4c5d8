{{ config(
    severity='error',
    meta={'rationale': 'CCCD digits 4-6 encode century, gender and birth year; a mismatch means a wrong identity.'},
) }}

select
    customer_id,
    cccd_number,
    birth_date,
    gender
from {{ ref('int_customers_clean') }}
where
    customer_type = 'individual'
    and not {{ cccd_matches_birth('cccd_number', 'birth_date', 'gender') }}
