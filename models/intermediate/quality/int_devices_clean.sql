{#- Raw devices rows that pass every data-quality check: what the rest of the project reads. -#}

with

validated as (
    select * from {{ ref('int_devices_validated') }}
),

final as (
    select
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
    where dq_reason is null
)

select * from final
