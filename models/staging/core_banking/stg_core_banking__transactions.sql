with

source as (
    select * from {{ source('core_banking', 'payment_transactions') }}
),

renamed as (
    select
        transaction_id,
        from_account_id,
        to_internal_account_id,
        to_external_account_id,
        customer_id,
        device_id,
        lower(trim(transaction_type)) as transaction_type,
        lower(trim(status)) as transaction_status,
        lower(trim(channel)) as channel,
        lower(trim(failure_reason)) as failure_reason,
        description,
        cast(amount as numeric(18, 2)) as amount_vnd,
        transaction_ts as transacted_at,
        cast(transaction_ts as date) as transaction_date
    from source
)

select * from renamed
