{#- Raw customers rows that pass every data-quality check: what the rest of the project reads. -#}

with

validated as (
    select * from {{ ref('int_customers_validated') }}
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
        updated_at
    from validated
    where dq_reason is null
)

select * from final
