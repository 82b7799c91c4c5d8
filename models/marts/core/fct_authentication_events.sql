{{ config(materialized='incremental', unique_key='auth_date', lookup_keys=['transaction_id']) }}
{%- set cutoff = incremental_cutoff('auth_date') %}

{#-
    Incremental by day of the attempt. Attempt numbers count all of a transaction's attempts, which
    follow it within minutes: the attempts of the day before the cutoff are read for numbering only.
    The transaction is joined once (its key is unique in int_transactions_clean), for its time,
    customer and device.
-#}

with

auth_logs as (
    select * from {{ ref('int_authentication_logs_clean') }}
    where authenticated_at >= {{ days_before(cutoff, 1) }}
),

methods as (
    select * from {{ ref('authentication_methods') }}
),

transactions as (
    select * from {{ ref('int_transactions_clean') }}
    where transaction_date >= {{ days_before(cutoff, 1) }}
),

customers as (
    select * from {{ ref('int_customers_clean') }}
),

numbered as (
    select
        auth_logs.*,
        transactions.transacted_at as txn_at,
        transactions.customer_id,
        transactions.device_id,
        row_number() over (
            partition by auth_logs.transaction_id order by auth_logs.authenticated_at, auth_logs.auth_log_id
        ) as attempt_number
    from auth_logs
    inner join transactions
        on auth_logs.transaction_id = transactions.transaction_id
),

timed as (
    select
        *,
        {#- the adapter's datediff expands to a long line -#}
        {{ dbt.datediff('txn_at', 'authenticated_at', 'second') }} as seconds_after  -- noqa: LT05
    from numbered
),

final as (
    select
        cast(numbered.auth_log_id as bigint) as auth_log_id,
        cast(numbered.transaction_id as bigint) as transaction_id,
        cast(numbered.customer_id as bigint) as customer_id,
        cast(numbered.device_id as bigint) as device_id,
        cast(numbered.auth_method_id as integer) as auth_method_id,
        cast(methods.method_code as {{ dbt.type_string() }}) as method_code,
        cast(methods.factor_category as {{ dbt.type_string() }}) as factor_category,
        cast(customers.customer_type as {{ dbt.type_string() }}) as customer_type,
        cast(numbered.auth_result as {{ dbt.type_string() }}) as auth_result,
        cast(numbered.failure_reason as {{ dbt.type_string() }}) as failure_reason,
        cast(numbered.auth_result = 'success' as boolean) as is_success,
        cast(methods.is_biometric_match as boolean) as is_biometric_match,
        cast(numbered.attempt_number as integer) as attempt_number,
        cast(numbered.seconds_after as integer) as seconds_after_transaction,
        cast(cast(numbered.authenticated_at as date) as date) as auth_date,
        cast(numbered.authenticated_at as timestamp) as authenticated_at
    from timed as numbered
    inner join methods
        on numbered.auth_method_id = methods.auth_method_id
    inner join customers
        on numbered.customer_id = customers.customer_id
    where cast(numbered.authenticated_at as date) >= {{ cutoff }}
)

select * from final
