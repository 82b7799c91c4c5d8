{{ config(materialized='incremental', unique_key='transaction_date') }}
{%- set cutoff = incremental_cutoff('transaction_date') %}
{%- set history_start = days_before(cutoff, var('profile_history_days')) %}

{#-
    Account takeover's device evidence (docs/domain.md §6): for a transaction made during its
    device's first takeover_device_age_hours, the failed authentication attempts seen on the device
    in those hours; 0 for a transaction made later (the rule reads only the first hours). A device
    first seen within those hours of a rebuilt day was first seen at most a day earlier, so
    profile_history_days of earlier days hold all of its first hours, and a daily run gives what a
    full refresh gives. Incremental by day.
-#}

with

transactions as (
    select
        enriched.transaction_id,
        enriched.device_id,
        enriched.device_first_seen_at,
        enriched.transacted_at,
        enriched.transaction_date,
        authenticated.auth_failed_count
    from {{ ref('int_transactions_enriched') }} as enriched
    inner join {{ ref('int_transactions_authenticated') }} as authenticated
        on enriched.transaction_id = authenticated.transaction_id
    where
        enriched.transaction_date >= {{ history_start }}
        and authenticated.transaction_date >= {{ history_start }}
),

device_first_hours as (
    select
        device_id,
        sum(auth_failed_count) as device_early_failed_attempts
    from transactions
    where
        transacted_at >= device_first_seen_at
        and transacted_at
        < {{ dbt.dateadd('hour', var('takeover_device_age_hours'), 'device_first_seen_at') }}
    group by device_id
),

final as (
    select
        transactions.transaction_id,
        transactions.transaction_date,
        case
            when
                transactions.transacted_at >= transactions.device_first_seen_at
                and transactions.transacted_at
                < {{ dbt.dateadd('hour', var('takeover_device_age_hours'), 'transactions.device_first_seen_at') }}
                then coalesce(device_first_hours.device_early_failed_attempts, 0)
            else 0
        end as device_early_failed_attempts
    from transactions
    left join device_first_hours
        on transactions.device_id = device_first_hours.device_id
    where transactions.transaction_date >= {{ cutoff }}
)

select * from final
