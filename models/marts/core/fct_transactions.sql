{{ config(materialized='incremental', unique_key='transaction_date', lookup_keys=['transaction_id', 'customer_id']) }}
{%- set cutoff = incremental_cutoff('transaction_date') %}

with

transactions as (
    select * from {{ ref('int_transactions_profiled') }}
    where transaction_date >= {{ cutoff }}
),

final as (
    select
        cast(transaction_id as bigint) as transaction_id,
        cast(customer_id as bigint) as customer_id,
        cast(from_account_id as bigint) as from_account_id,
        cast(to_internal_account_id as bigint) as to_internal_account_id,
        cast(to_external_account_id as bigint) as to_external_account_id,
        cast(device_id as bigint) as device_id,
        cast(transaction_type as {{ dbt.type_string() }}) as transaction_type,
        cast(transaction_status as {{ dbt.type_string() }}) as transaction_status,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(customer_type as {{ dbt.type_string() }}) as customer_type,
        cast(sbv_group as {{ dbt.type_string() }}) as sbv_group,
        cast(required_level as {{ dbt.type_string() }}) as required_level,
        cast(achieved_level as {{ dbt.type_string() }}) as achieved_level,
        cast(is_compliant as boolean) as is_compliant,
        cast(has_biometric_match as boolean) as has_biometric_match,
        cast(auth_attempt_count as integer) as auth_attempt_count,
        cast(auth_failed_count as integer) as auth_failed_count,
        cast(counterparty_bank_code as {{ dbt.type_string() }}) as counterparty_bank_code,
        cast(is_counterparty_domestic as boolean) as is_counterparty_domestic,
        cast(is_same_owner as boolean) as is_same_owner,
        cast(is_new_payee as boolean) as is_new_payee,
        cast(device_type as {{ dbt.type_string() }}) as device_type,
        cast(is_device_trusted as boolean) as is_device_trusted,
        cast(device_status as {{ dbt.type_string() }}) as device_status,
        cast(is_first_use_of_new_device as boolean) as is_first_use_of_new_device,
        cast(amount_vnd as numeric(18, 2)) as amount_vnd,
        cast(daily_total_before_vnd as numeric(24, 2)) as daily_total_before_vnd,
        cast(unverified_total_before_vnd as numeric(24, 2)) as unverified_total_before_vnd,
        cast(extract(hour from transacted_at) as integer) as transaction_hour,
        {{ day_of_week('transacted_at') }} as transaction_day_of_week,
        cast(transaction_date as date) as transaction_date,
        cast(transacted_at as timestamp) as transacted_at,
        cast(first_auth_at as timestamp) as first_auth_at
    from transactions
)

select * from final
