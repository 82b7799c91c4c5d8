{#- Raw devices rows set aside, each with the reason code of the first rule it breaks. -#}

with

validated as (
    select * from {{ ref('int_devices_validated') }}
),

final as (
    select
        'devices' as raw_table,
        dq_reason,
        device_id,
        customer_id,
        device_type,
        device_identifier,
        os_info,
        is_trusted,
        device_status,
        first_seen_at,
        last_seen_at,
        updated_at
    from validated
    where dq_reason is not null
)

select * from final
