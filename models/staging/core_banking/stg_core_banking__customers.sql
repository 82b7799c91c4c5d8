with

source as (
    select * from {{ source('core_banking', 'customers') }}
),

renamed as (
    select
        customer_id,
        lower(trim(customer_type)) as customer_type,
        nullif(trim(cccd_number), '') as cccd_number,
        nullif(trim(tax_code), '') as tax_code,
        trim(full_name) as full_name,
        lower(trim(gender)) as gender,
        date_of_birth as birth_date,
        nullif(trim(phone_number), '') as phone_number,
        lower(trim(email)) as email,
        trim(address) as address,
        province_code,
        registration_date,
        lower(trim(status)) as customer_status,
        updated_at
    from source
)

select * from renamed
