{#- Raw inbound_transfers rows set aside, each with the reason code of the first rule it breaks. -#}

with

validated as (
    select * from {{ ref('int_inbound_transfers_validated') }}
),

final as (
    select
        'inbound_transfers' as raw_table,
        dq_reason,
        inbound_id,
        to_account_id,
        from_counterparty_account_id,
        sender_bank_code,
        sender_account_number,
        sender_name,
        inbound_type,
        inbound_status,
        description,
        amount_vnd,
        received_at,
        transaction_date
    from validated
    where dq_reason is not null
)

select * from final
