{#- Raw counterparty customers rows that pass every data-quality check: what the rest of the project reads. -#}

with

validated as (
    select * from {{ ref('int_counterparty_customers_validated') }}
),

final as (
    select
        counterparty_customer_id,
        bank_code,
        customer_type,
        full_name,
        country_code
    from validated
    where dq_reason is null
)

select * from final
