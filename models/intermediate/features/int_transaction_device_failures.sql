{{ config(materialized='incremental', unique_key='transaction_date') }}
{%- set cutoff = incremental_cutoff('transaction_date') %}
{%- set history_start = days_before(cutoff, var('profile_history_days')) %}

{#-
    Account takeover's device evidence (docs/domain.md §6): the failed authentication attempts
    seen on the transaction's device during its first takeover_device_age_hours. Only a device first
    seen within those hours can matter to the rule, so profile_history_days of earlier days cover it.
    Incremental by day.
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
        transacted_at
        < {{ dbt.dateadd('hour', var('takeover_device_age_hours'), 'device_first_seen_at') }}
    group by device_id
),

final as (
    select
        transactions.transaction_id,
        transactions.transaction_date,
        coalesce(device_first_hours.device_early_failed_attempts, 0) as device_early_failed_attempts
    from transactions
    left join device_first_hours
        on transactions.device_id = device_first_hours.device_id
    where transactions.transaction_date >= {{ cutoff }}
)

select * from final
