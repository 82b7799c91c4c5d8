{{ config(materialized='table') }}

with

auth_logs as (
    select * from {{ ref('stg_core_banking__authentication_logs') }}
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
    select
        *,
        row_number() over (partition by auth_log_id, check_reason is null order by authenticated_at) as key_copy
    from checked
),

final as (
    select
        auth_log_id,
        transaction_id,
        auth_method_id,
        auth_result,
        failure_reason,
        authenticated_at,
        case
            when check_reason is not null then check_reason
            when key_copy > 1 then 'duplicate_key'
            when is_orphan then 'orphan_reference'
        end as dq_reason
    from keyed
)

select * from final
