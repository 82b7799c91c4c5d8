{{ config(materialized='table') }}

{#- Every raw customer row with the first rule it breaks (null when clean). Checks apply in the
    order of seeds/dq_reason_codes.csv; duplicates are looked for among otherwise valid rows. -#}

with

customers as (
    select * from {{ ref('stg_core_banking__customers') }}
),

provinces as (
    select * from {{ ref('provinces') }}
),

checked as (
    select
        customers.*,
        case
            when
                customers.customer_id is null or customers.customer_type is null or customers.full_name is null
                or customers.phone_number is null or customers.registration_date is null
                or customers.customer_status is null
                or (
                    customers.customer_type = 'individual'
                    and (customers.cccd_number is null or customers.birth_date is null or customers.gender is null)
                )
                or (customers.customer_type = 'organization' and customers.tax_code is null)
                then 'missing_required_field'
            when
                customers.customer_type not in ('individual', 'organization')
                or customers.customer_status not in ('active', 'inactive', 'suspended')
                or customers.gender not in ('male', 'female')
                then 'unknown_value'
            when
                customers.birth_date >= cast({{ dbt.current_timestamp() }} as date)
                or customers.birth_date >= customers.registration_date
                then 'invalid_birth_date'
            when
                customers.customer_type = 'individual'
                and (not {{ is_valid_cccd_format('customers.cccd_number') }} or provinces.province_code is null)
                then 'invalid_cccd'
            when
                customers.customer_type = 'individual'
                and not {{ cccd_matches_birth('customers.cccd_number', 'customers.birth_date', 'customers.gender') }}
                then 'cccd_birth_mismatch'
            when not {{ is_valid_mobile('customers.phone_number') }} then 'invalid_phone'
            when customers.email is not null and not {{ is_valid_email('customers.email') }} then 'invalid_email'
            when customers.customer_type = 'organization' and not {{ is_valid_tax_code('customers.tax_code') }}
                then 'invalid_tax_code'
        end as check_reason
    from customers
    left join provinces
        on substr(customers.cccd_number, 1, 3) = provinces.province_code
),

keyed as (
    select
        *,
        row_number() over (
            partition by customer_id, check_reason is null order by registration_date, updated_at
        ) as key_copy
    from checked
),

identified as (
    select
        *,
        row_number() over (
            partition by cccd_number, check_reason is null and key_copy = 1 order by customer_id
        ) as cccd_copy,
        row_number() over (
            partition by tax_code, check_reason is null and key_copy = 1 order by customer_id
        ) as tax_code_copy,
        row_number() over (
            partition by phone_number, check_reason is null and key_copy = 1 order by customer_id
        ) as phone_copy
    from keyed
),

final as (
    select
        customer_id,
        customer_type,
        cccd_number,
        tax_code,
        full_name,
        gender,
        birth_date,
        phone_number,
        email,
        address,
        province_code,
        registration_date,
        customer_status,
        updated_at,
        case
            when check_reason is not null then check_reason
            when key_copy > 1 then 'duplicate_key'
            when
                (cccd_number is not null and cccd_copy > 1) or (tax_code is not null and tax_code_copy > 1)
                or phone_copy > 1
                then 'duplicate_identifier'
        end as dq_reason
    from identified
)

select * from final
