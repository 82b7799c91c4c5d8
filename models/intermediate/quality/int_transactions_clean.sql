{#- Raw transactions rows that pass every data-quality check: what the rest of the project reads. -#}

with

validated as (
    select * from {{ ref('int_transactions_validated') }}
),

final as (
    select
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
    where dq_reason is null
)

select * from final
