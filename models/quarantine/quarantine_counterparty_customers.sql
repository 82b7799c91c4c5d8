{#- Raw counterparty customers rows set aside, each with the reason code of the first rule it breaks. -#}

with

validated as (
    select * from {{ ref('int_counterparty_customers_validated') }}
),

final as (
    select
        'other_bank_customers' as raw_table,
        dq_reason,
        counterparty_customer_id,
        bank_code,
        customer_type,
        full_name,
        country_code
    from validated
    where dq_reason is not null
)

select * from final
