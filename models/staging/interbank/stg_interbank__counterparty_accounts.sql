with

source as (
    select * from {{ source('interbank', 'other_bank_accounts') }}
),

renamed as (
    select
        other_account_id as counterparty_account_id,
        other_customer_id as counterparty_customer_id,
        upper(trim(bank_code)) as bank_code,
        trim(account_number) as account_number,
        upper(trim(currency)) as currency_code
    from source
)

select * from renamed
