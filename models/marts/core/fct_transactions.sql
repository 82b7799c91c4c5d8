{{ config(materialized='incremental', unique_key='transaction_date', lookup_keys=['transaction_id', 'customer_id']) }}
{%- set cutoff = incremental_cutoff('transaction_date') %}

{#-
    One row per transaction with everything the marts and the risk rules read, side by side: the
    enriched transaction, its authentication, its SBV classification and one feature model per
    behaviour (models/intermediate/features), all computed from the transactions alone, never from
    fraud labels. Each parent has one row per transaction; this model only joins them and fixes the
    types its contract promises. The first columns are the analysts' fact; the rest are what the risk
    rules, the compliance report and the daily summaries read. Incremental by day.
-#}

with

enriched as (
    select * from {{ ref('int_transactions_enriched') }}
    where transaction_date >= {{ cutoff }}
),

authenticated as (
    select * from {{ ref('int_transactions_authenticated') }}
    where transaction_date >= {{ cutoff }}
),

classified as (
    select * from {{ ref('int_transactions_classified') }}
    where transaction_date >= {{ cutoff }}
),

velocity as (
    select * from {{ ref('int_transaction_velocity') }}
    where transaction_date >= {{ cutoff }}
),

structuring as (
    select * from {{ ref('int_transaction_structuring') }}
    where transaction_date >= {{ cutoff }}
),

device_failures as (
    select * from {{ ref('int_transaction_device_failures') }}
    where transaction_date >= {{ cutoff }}
),

mule_flows as (
    select * from {{ ref('int_transaction_mule_flows') }}
    where transaction_date >= {{ cutoff }}
),

dormancy as (
    select * from {{ ref('int_transaction_dormancy') }}
    where transaction_date >= {{ cutoff }}
),

final as (
    select
        cast(enriched.transaction_id as bigint) as transaction_id,
        cast(enriched.customer_id as bigint) as customer_id,
        cast(enriched.from_account_id as bigint) as from_account_id,
        cast(enriched.to_internal_account_id as bigint) as to_internal_account_id,
        cast(enriched.to_external_account_id as bigint) as to_external_account_id,
        cast(enriched.device_id as bigint) as device_id,
        cast(enriched.transaction_type as {{ dbt.type_string() }}) as transaction_type,
        cast(enriched.transaction_status as {{ dbt.type_string() }}) as transaction_status,
        cast(enriched.channel as {{ dbt.type_string() }}) as channel,
        cast(enriched.customer_type as {{ dbt.type_string() }}) as customer_type,
        cast(enriched.sbv_group as {{ dbt.type_string() }}) as sbv_group,
        cast(classified.required_level as {{ dbt.type_string() }}) as required_level,
        cast(authenticated.achieved_level as {{ dbt.type_string() }}) as achieved_level,
        cast(classified.is_compliant as boolean) as is_compliant,
        cast(authenticated.has_biometric_match as boolean) as has_biometric_match,
        cast(authenticated.auth_attempt_count as integer) as auth_attempt_count,
        cast(authenticated.auth_failed_count as integer) as auth_failed_count,
        cast(enriched.counterparty_bank_code as {{ dbt.type_string() }}) as counterparty_bank_code,
        cast(enriched.is_counterparty_domestic as boolean) as is_counterparty_domestic,
        cast(enriched.is_same_owner as boolean) as is_same_owner,
        cast(enriched.is_new_payee as boolean) as is_new_payee,
        cast(enriched.device_type as {{ dbt.type_string() }}) as device_type,
        cast(enriched.is_device_trusted as boolean) as is_device_trusted,
        cast(enriched.device_status as {{ dbt.type_string() }}) as device_status,
        cast(enriched.is_first_use_of_new_device as boolean) as is_first_use_of_new_device,
        cast(enriched.amount_vnd as numeric(18, 2)) as amount_vnd,
        cast(classified.daily_total_before_vnd as numeric(24, 2)) as daily_total_before_vnd,
        cast(classified.unverified_total_before_vnd as numeric(24, 2)) as unverified_total_before_vnd,
        cast(extract(hour from enriched.transacted_at) as integer) as transaction_hour,
        {{ day_of_week('enriched.transacted_at') }} as transaction_day_of_week,
        cast(enriched.transaction_date as date) as transaction_date,
        cast(enriched.transacted_at as timestamp) as transacted_at,
        cast(authenticated.first_auth_at as timestamp) as first_auth_at,
        -- what the risk rules, the compliance report and the daily summaries read
        cast(enriched.customer_status as {{ dbt.type_string() }}) as customer_status,
        cast(enriched.from_account_type as {{ dbt.type_string() }}) as from_account_type,
        cast(enriched.from_account_status as {{ dbt.type_string() }}) as from_account_status,
        cast(enriched.is_completed as boolean) as is_completed,
        cast(enriched.is_executed as boolean) as is_executed,
        cast(enriched.is_transfer_to_other as boolean) as is_transfer_to_other,
        cast(enriched.device_first_seen_at as timestamp) as device_first_seen_at,
        cast(velocity.velocity_count as integer) as velocity_count,
        cast(structuring.is_in_structuring_band as boolean) as is_in_structuring_band,
        cast(structuring.structuring_band_count as integer) as structuring_band_count,
        cast(device_failures.device_early_failed_attempts as integer) as device_early_failed_attempts,
        cast(mule_flows.is_mule_flow as boolean) as is_mule_flow,
        cast(mule_flows.mule_account_id as bigint) as mule_account_id,
        cast(mule_flows.mule_distinct_senders as integer) as mule_distinct_senders,
        cast(mule_flows.mule_forward_share as numeric(24, 10)) as mule_forward_share,
        cast(dormancy.is_after_dormant_reactivation as boolean) as is_after_dormant_reactivation
    from enriched
    inner join authenticated
        on enriched.transaction_id = authenticated.transaction_id
    inner join classified
        on enriched.transaction_id = classified.transaction_id
    inner join velocity
        on enriched.transaction_id = velocity.transaction_id
    inner join structuring
        on enriched.transaction_id = structuring.transaction_id
    inner join device_failures
        on enriched.transaction_id = device_failures.transaction_id
    inner join mule_flows
        on enriched.transaction_id = mule_flows.transaction_id
    inner join dormancy
        on enriched.transaction_id = dormancy.transaction_id
)

select * from final
