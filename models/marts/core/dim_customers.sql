with

customers as (
    select * from {{ ref('int_customers_clean') }}
),

provinces as (
    select * from {{ ref('provinces') }}
),

cccd_tokens as (
    select * from {{ ref('pii_cccd_tokens') }}
),

accounts as (
    select
        customer_id,
        count(*) as account_count,
        sum(balance_vnd) as total_balance_vnd
    from {{ ref('int_accounts_clean') }}
    group by customer_id
),

devices as (
    select
        customer_id,
        count(*) as device_count
    from {{ ref('int_devices_clean') }}
    group by customer_id
),

final as (
    select
        cast(customers.customer_id as bigint) as customer_id,
        cast(customers.customer_type as {{ dbt.type_string() }}) as customer_type,
        cast({{ mask_pii('customers.cccd_number') }} as {{ dbt.type_string() }}) as cccd_number_masked,
        cast(cccd_tokens.cccd_token as {{ dbt.type_string() }}) as cccd_token,
        cast(customers.tax_code as {{ dbt.type_string() }}) as tax_code,
        cast(customers.full_name as {{ dbt.type_string() }}) as full_name,
        cast(customers.gender as {{ dbt.type_string() }}) as gender,
        cast(extract(year from customers.birth_date) as integer) as birth_year,
        cast({{ mask_pii('customers.phone_number') }} as {{ dbt.type_string() }}) as phone_number_masked,
        cast({{ mask_email('customers.email') }} as {{ dbt.type_string() }}) as email_masked,
        cast(customers.province_code as {{ dbt.type_string() }}) as province_code,
        cast(provinces.province_name as {{ dbt.type_string() }}) as province_name,
        cast(provinces.region as {{ dbt.type_string() }}) as region,
        cast(customers.customer_status as {{ dbt.type_string() }}) as customer_status,
        cast(coalesce(accounts.account_count, 0) as integer) as account_count,
        cast(coalesce(devices.device_count, 0) as integer) as device_count,
        cast(coalesce(accounts.total_balance_vnd, 0) as numeric(24, 2)) as total_balance_vnd,
        cast(customers.registration_date as date) as registration_date,
        cast(customers.updated_at as timestamp) as updated_at
    from customers
    left join provinces
        on customers.province_code = provinces.province_code
    left join cccd_tokens
        on customers.cccd_number = cccd_tokens.cccd_number
    left join accounts
        on customers.customer_id = accounts.customer_id
    left join devices
        on customers.customer_id = devices.customer_id
)

select * from final
