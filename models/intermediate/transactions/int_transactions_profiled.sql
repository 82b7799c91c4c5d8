{{ config(materialized='incremental', unique_key='transaction_date') }}
{%- set cutoff = incremental_cutoff('transaction_date') %}

{#-
    One row per transaction with everything the marts and the risk rules read: the enriched
    transaction, its authentication, its SBV classification and one feature model per behaviour
    (models/intermediate/features), all computed from the transactions alone, never from fraud labels.
    Each parent has one row per transaction; this model only puts them side by side.
    Incremental by day.
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
        enriched.transaction_id,
        enriched.customer_id,
        enriched.from_account_id,
        enriched.to_internal_account_id,
        enriched.to_external_account_id,
        enriched.to_internal_customer_id,
        enriched.device_id,
        enriched.transaction_type,
        enriched.transaction_status,
        enriched.channel,
        enriched.customer_type,
        enriched.customer_status,
        enriched.sbv_group,
        enriched.is_own_linked_wallet,
        enriched.from_account_type,
        enriched.from_account_status,
        enriched.counterparty_bank_code,
        enriched.is_counterparty_domestic,
        enriched.counterparty_key,
        enriched.is_same_owner,
        enriched.device_type,
        enriched.is_device_trusted,
        enriched.device_status,
        enriched.is_new_payee,
        enriched.is_first_use_of_new_device,
        enriched.is_completed,
        enriched.is_executed,
        enriched.is_transfer_to_other,
        enriched.amount_vnd,
        enriched.transacted_at,
        enriched.transaction_date,
        enriched.from_account_opened_at,
        enriched.device_first_seen_at,
        authenticated.achieved_level,
        authenticated.has_biometric_match,
        authenticated.has_successful_auth,
        authenticated.auth_attempt_count,
        authenticated.auth_failed_count,
        authenticated.auth_method_count,
        authenticated.first_auth_at,
        classified.required_level,
        classified.is_compliant,
        classified.daily_total_before_vnd,
        classified.unverified_total_before_vnd,
        velocity.velocity_count,
        structuring.is_in_structuring_band,
        structuring.structuring_band_count,
        device_failures.device_early_failed_attempts,
        mule_flows.is_mule_flow,
        mule_flows.mule_account_id,
        mule_flows.mule_distinct_senders,
        mule_flows.mule_forward_share,
        dormancy.is_after_dormant_reactivation
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
