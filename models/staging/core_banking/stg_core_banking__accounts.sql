with

source as (
    select * from {{ source('core_banking', 'bank_accounts') }}
),

renamed as (
    select
        account_id,
        customer_id,
        trim(account_number) as account_number,
        lower(trim(account_type)) as account_type,
        upper(trim(currency)) as currency_code,
        cast(balance as numeric(18, 2)) as balance_vnd,
        cast(opening_balance as numeric(18, 2)) as opening_balance_vnd,
        balance_at,
        lower(trim(status)) as account_status,
        opened_at,
        updated_at
    from source
)

select * from renamed
