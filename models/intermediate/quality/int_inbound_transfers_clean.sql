{#- Credits from outside the bank that pass every data-quality check: what the ledger and the bank view read. -#}

with

validated as (
    select * from {{ ref('int_inbound_transfers_validated') }}
),

final as (
    select
        inbound_id,
        to_account_id,
        from_counterparty_account_id,
        sender_bank_code,
        inbound_type,
        inbound_status,
        description,
        amount_vnd,
        received_at,
        transaction_date
    from validated
    where dq_reason is null
)

select * from final
