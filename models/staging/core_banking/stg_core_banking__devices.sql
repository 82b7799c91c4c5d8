with

source as (
    select * from {{ source('core_banking', 'devices') }}
),

renamed as (
    select
        device_id,
        customer_id,
        lower(trim(device_type)) as device_type,
        device_identifier,
        os_info,
        is_trusted,
        lower(trim(status)) as device_status,
        first_seen as first_seen_at,
        last_seen as last_seen_at,
        updated_at
    from source
)

select * from renamed
