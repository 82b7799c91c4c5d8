{#- Raw accounts rows set aside, each with the reason code of the first rule it breaks. -#}

with

validated as (
    select * from {{ ref('int_accounts_validated') }}
),

final as (
    select
        'bank_accounts' as raw_table,
        dq_reason,
        account_id,
        customer_id,
        account_number,
        account_type,
        currency_code,
        balance_vnd,
        opening_balance_vnd,
        balance_at,
        account_status,
        opened_at,
        updated_at
    from validated
    where dq_reason is not null
)

select * from final
