{#- Raw customers rows set aside, each with the reason code of the first rule it breaks. -#}

with

validated as (
    select * from {{ ref('int_customers_validated') }}
),

final as (
    select
        'customers' as raw_table,
        dq_reason,
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
    where dq_reason is not null
)

select * from final
