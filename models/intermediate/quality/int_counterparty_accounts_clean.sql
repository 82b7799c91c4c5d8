{#- Raw counterparty accounts rows that pass every data-quality check: what the rest of the project reads. -#}

with

validated as (
    select * from {{ ref('int_counterparty_accounts_validated') }}
),

final as (
    select
        counterparty_account_id,
        counterparty_customer_id,
        bank_code,
        account_number,
        currency_code
    from validated
    where dq_reason is null
)

select * from final
