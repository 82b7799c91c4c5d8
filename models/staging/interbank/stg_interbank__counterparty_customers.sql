with

source as (
    select * from {{ source('interbank', 'other_bank_customers') }}
),

renamed as (
    select
        other_customer_id as counterparty_customer_id,
        upper(trim(bank_code)) as bank_code,
        lower(trim(customer_type)) as customer_type,
        trim(full_name) as full_name,
        upper(trim(country_code)) as country_code
    from source
)

select * from renamed
