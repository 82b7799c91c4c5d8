{{ config(
    materialized='incremental',
    unique_key='dq_partition_date',
    lookup_keys=['authenticated_at', 'auth_log_id']
) }}
{%- set cutoff = incremental_cutoff('dq_partition_date') %}

{#-
    Incremental by day of the attempt (macros/incremental.sql). Rows without a timestamp sit in
    partition 1900-01-01 and are re-checked on every run. A key already clean on an earlier day makes
    a later copy a duplicate.
-#}

with

auth_logs as (
    select * from {{ ref('stg_core_banking__authentication_logs') }}
    where cast(authenticated_at as date) >= {{ cutoff }} or authenticated_at is null
),

earlier_keys as (
    {{ earlier_clean_keys('auth_log_id', 'auth_logs', cutoff) }}
),

transactions as (
    select
        transaction_id,
        transacted_at
    from {{ ref('int_transactions_clean') }}
),

methods as (
    select auth_method_id from {{ ref('authentication_methods') }}
),

checked as (
    select
        auth_logs.*,
        case
            when
                auth_logs.auth_log_id is null or auth_logs.transaction_id is null or auth_logs.auth_method_id is null
                or auth_logs.auth_result is null or auth_logs.authenticated_at is null
                then 'missing_required_field'
            when auth_logs.auth_result not in ('success', 'failed', 'expired', 'cancelled') then 'unknown_value'
            when (auth_logs.auth_result = 'success') = (auth_logs.failure_reason is not null)
                then 'inconsistent_failure_reason'
            when auth_logs.authenticated_at < transactions.transacted_at then 'auth_before_transaction'
        end as check_reason,
        transactions.transaction_id is null or methods.auth_method_id is null as is_orphan
    from auth_logs
    left join transactions
        on auth_logs.transaction_id = transactions.transaction_id
    left join methods
        on auth_logs.auth_method_id = methods.auth_method_id
),

keyed as (
    -- each row's copy number among the rows checked now (clean rows and rows already failing apart),
    -- and whether its key was already clean on a day built earlier
    select
        checked.*,
        row_number() over (
            partition by checked.auth_log_id, checked.check_reason is null order by checked.authenticated_at
        ) as key_copy,
        earlier_keys.auth_log_id is not null and checked.check_reason is null as is_key_seen_before
    from checked
    left join earlier_keys
        on checked.auth_log_id = earlier_keys.auth_log_id
),

final as (
    select
        auth_log_id,
        transaction_id,
        auth_method_id,
        auth_result,
        failure_reason,
        authenticated_at,
        coalesce(cast(authenticated_at as date), cast('1900-01-01' as date)) as dq_partition_date,
        case
            when check_reason is not null then check_reason
            when key_copy > 1 or is_key_seen_before then 'duplicate_key'
            when is_orphan then 'orphan_reference'
        end as dq_reason
    from keyed
)

select * from final
