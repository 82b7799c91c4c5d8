{{ config(materialized='incremental', unique_key='transaction_date') }}
{%- set cutoff = incremental_cutoff('transaction_date') %}

{#-
    Achieved authentication level per transaction (docs/domain.md §4): the highest level reached by its
    successful attempts, read from the auth_level_rules seed. Rows of that seed marked
    requires_biometric_match count only when the same transaction also has a successful biometric
    match; failed, expired and cancelled attempts never count.
-#}

with

-- read twice (the attempts' customers, then every transaction of the days): only the columns used
transactions as (
    select
        transaction_id,
        customer_id,
        transaction_date
    from {{ ref('int_transactions_clean') }}
    where transaction_date >= {{ cutoff }}
),

customers as (
    select * from {{ ref('int_customers_clean') }}
),

auth_logs as (
    -- an attempt never precedes its transaction (such rows are quarantined)
    select * from {{ ref('int_authentication_logs_clean') }}
    where authenticated_at >= {{ cutoff }}
),

methods as (
    select * from {{ ref('authentication_methods') }}
),

level_rules as (
    select * from {{ ref('auth_level_rules') }}
),

-- per customer type and method, the highest level a successful attempt reaches on its own, and the
-- highest it reaches when the same transaction also has a successful biometric match (every rule then
-- applies); one row per pair, so each attempt meets its levels with one join and no window
rule_levels as (
    select
        customer_type,
        method_code,
        max(case when not requires_biometric_match then achieved_level end) as level_alone,
        max(achieved_level) as level_with_match
    from level_rules
    group by customer_type, method_code
),

attempts as (
    select
        auth_logs.transaction_id,
        auth_logs.auth_result,
        auth_logs.authenticated_at,
        methods.method_code,
        methods.is_biometric_match,
        rule_levels.level_alone,
        rule_levels.level_with_match
    from auth_logs
    inner join methods
        on auth_logs.auth_method_id = methods.auth_method_id
    inner join transactions
        on auth_logs.transaction_id = transactions.transaction_id
    inner join customers
        on transactions.customer_id = customers.customer_id
    left join rule_levels
        on
            customers.customer_type = rule_levels.customer_type
            and methods.method_code = rule_levels.method_code
),

per_transaction as (
    select
        transaction_id,
        count(*) as auth_attempt_count,
        sum(case when auth_result <> 'success' then 1 else 0 end) as auth_failed_count,
        count(distinct method_code) as auth_method_count,
        {{ any_true("auth_result = 'success' and is_biometric_match") }} as has_biometric_match,
        {{ any_true("auth_result = 'success' and method_code = 'device_biometric'") }} as has_device_biometric,
        {{ any_true("auth_result = 'success'") }} as has_successful_auth,
        max(case when auth_result = 'success' then level_alone end) as level_alone,
        max(case when auth_result = 'success' then level_with_match end) as level_with_match,
        min(authenticated_at) as first_auth_at,
        max(authenticated_at) as last_auth_at
    from attempts
    group by transaction_id
),

final as (
    select
        transactions.transaction_id,
        transactions.transaction_date,
        case
            when per_transaction.has_biometric_match then per_transaction.level_with_match
            else per_transaction.level_alone
        end as achieved_level,
        coalesce(per_transaction.has_biometric_match, false) as has_biometric_match,
        coalesce(per_transaction.has_device_biometric, false) as has_device_biometric,
        coalesce(per_transaction.has_successful_auth, false) as has_successful_auth,
        coalesce(per_transaction.auth_attempt_count, 0) as auth_attempt_count,
        coalesce(per_transaction.auth_failed_count, 0) as auth_failed_count,
        coalesce(per_transaction.auth_method_count, 0) as auth_method_count,
        per_transaction.first_auth_at,
        per_transaction.last_auth_at
    from transactions
    left join per_transaction
        on transactions.transaction_id = per_transaction.transaction_id
)

select * from final
