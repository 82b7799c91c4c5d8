{{ config(
    severity='error',
    meta={'rationale': 'A tax code with a wrong check digit is mistyped or forged (docs/domain.md §3).'},
) }}

select
    customer_id,
    tax_code
from {{ ref('int_customers_clean') }}
where tax_code is not null and not {{ is_valid_tax_code('tax_code') }}
