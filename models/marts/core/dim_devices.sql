with

devices as (
    select * from {{ ref('int_devices_clean') }}
),

usage as (
    select
        device_id,
        count(*) as transaction_count,
        min(transacted_at) as first_transaction_at,
        max(transacted_at) as last_transaction_at
    from {{ ref('int_transactions_clean') }}
    group by device_id
),

final as (
    select
        cast(devices.device_id as bigint) as device_id,
        cast(devices.customer_id as bigint) as customer_id,
        cast(devices.device_type as {{ dbt.type_string() }}) as device_type,
        cast(devices.os_info as {{ dbt.type_string() }}) as os_info,
        cast(devices.device_status as {{ dbt.type_string() }}) as device_status,
        cast(devices.is_trusted as boolean) as is_trusted,
        cast(coalesce(usage.transaction_count, 0) as integer) as transaction_count,
        cast(devices.first_seen_at as timestamp) as first_seen_at,
        cast(devices.last_seen_at as timestamp) as last_seen_at,
        cast(usage.first_transaction_at as timestamp) as first_transaction_at,
        cast(usage.last_transaction_at as timestamp) as last_transaction_at
    from devices
    left join usage
        on devices.device_id = usage.device_id
)

select * from final
