{{ config(materialized='table') }}

with

devices as (
    select * from {{ ref('stg_core_banking__devices') }}
),

customers as (
    select customer_id from {{ ref('int_customers_clean') }}
),

checked as (
    select
        devices.*,
        case
            when
                devices.device_id is null or devices.customer_id is null or devices.device_type is null
                or devices.is_trusted is null or devices.device_status is null or devices.first_seen_at is null
                then 'missing_required_field'
            when
                devices.device_type not in ('mobile', 'computer', 'tablet')
                or devices.device_status not in ('active', 'blocked', 'suspicious')
                then 'unknown_value'
        end as check_reason,
        customers.customer_id is null as is_orphan
    from devices
    left join customers
        on devices.customer_id = customers.customer_id
),

keyed as (
    select
        *,
        row_number() over (partition by device_id, check_reason is null order by first_seen_at) as key_copy
    from checked
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
        updated_at,
        case
            when check_reason is not null then check_reason
            when key_copy > 1 then 'duplicate_key'
            when is_orphan then 'orphan_reference'
        end as dq_reason
    from keyed
)

select * from final
