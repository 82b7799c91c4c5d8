with

source as (
    select * from {{ source('interbank', 'inbound_transfers') }}
),

renamed as (
    select
        inbound_id,
        to_account_id,
        from_external_account_id as from_counterparty_account_id,
        upper(trim(sender_bank_code)) as sender_bank_code,
        trim(sender_account_number) as sender_account_number,
        sender_name,
        lower(trim(inbound_type)) as inbound_type,
        lower(trim(status)) as inbound_status,
        description,
        cast(amount as numeric(18, 2)) as amount_vnd,
        transaction_ts as received_at,
        cast(transaction_ts as date) as transaction_date
    from source
)

select * from renamed
