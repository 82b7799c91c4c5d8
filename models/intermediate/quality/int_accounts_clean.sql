{#- Raw accounts rows that pass every data-quality check: what the rest of the project reads. -#}

with

validated as (
    select * from {{ ref('int_accounts_validated') }}
),

final as (
    select
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
    where dq_reason is null
)

select * from final
