{#- Raw counterparty accounts rows set aside, each with the reason code of the first rule it breaks. -#}

with

validated as (
    select * from {{ ref('int_counterparty_accounts_validated') }}
),

final as (
    select
        'other_bank_accounts' as raw_table,
        dq_reason,
        counterparty_account_id,
        counterparty_customer_id,
        bank_code,
        account_number,
        currency_code
    from validated
    where dq_reason is not null
)

select * from final
