{#- Raw transactions rows set aside, each with the reason code of the first rule it breaks. -#}

with

validated as (
    select * from {{ ref('int_transactions_validated') }}
),

final as (
    select
        'payment_transactions' as raw_table,
        dq_reason,
        transaction_id,
        from_account_id,
        to_internal_account_id,
        to_external_account_id,
        customer_id,
        device_id,
        transaction_type,
        transaction_status,
        channel,
        failure_reason,
        description,
        amount_vnd,
        transacted_at,
        transaction_date
    from validated
    where dq_reason is not null
)

select * from final
