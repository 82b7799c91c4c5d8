{#-
    Every risk rule of docs/domain.md §6, each as one plain select below (its predicate, the value
    that tripped it and a readable detail). The rule's id, severity, grain and typology are data in the
    risk_rules seed; its thresholds are the vars of dbt_project.yml that the seed's threshold_var
    column names (override them with --vars). At most one alert per (rule, transaction) for
    transaction rules and per (rule, customer, day) for customer-day rules. alert_id is a hash of the
    rule and that key, so it is stable across rebuilds. Status is 'open': no alert-workflow data
    exists yet, and the status is never invented.
-#}
{%- set text = dbt.type_string() %}

{{ config(materialized='incremental', unique_key='alert_date') }}
{%- set cutoff = incremental_cutoff('alert_date') %}

{#-
    Incremental by alert day. Transaction and customer-day rules need only the rebuilt days;
    month-to-date e-wallet totals read from the first day of the cutoff's month.
-#}

with

month_transactions as {{ inlined() }} (
    select * from {{ ref('fct_transactions') }}
    where transaction_date >= {{ dbt.date_trunc('month', cutoff) }}
),

transactions as {{ inlined() }} (
    select * from month_transactions
    where transaction_date >= {{ cutoff }}
),

rules as (
    select * from {{ ref('risk_rules') }}
),

-- Transaction rules: one alert per transaction that meets the rule

high_value_transaction as (
    select
        'high_value_transaction' as rule_code,
        transaction_id,
        customer_id,
        from_account_id as account_id,
        transaction_date as alert_date,
        transacted_at as alerted_at,
        cast(amount_vnd as numeric(24, 2)) as trigger_value,
        cast({{ var('high_value_threshold_vnd') }} as numeric(24, 2)) as threshold_value,
        'amount ' || cast(amount_vnd as {{ text }}) || ' VND' as trigger_details
    from transactions
    where
        amount_vnd > {{ var('high_value_threshold_vnd') }}
),

untrusted_device as (
    select
        'untrusted_device' as rule_code,
        transaction_id,
        customer_id,
        from_account_id as account_id,
        transaction_date as alert_date,
        transacted_at as alerted_at,
        cast(null as numeric(24, 2)) as trigger_value,
        cast(null as numeric(24, 2)) as threshold_value,
        'device ' || cast(device_id as {{ text }}) || ' trusted='
        || case when is_device_trusted then 'yes' else 'no' end
        || ' status=' || device_status as trigger_details
    from transactions
    where
        not is_device_trusted or device_status in ('blocked', 'suspicious')
),

weak_authentication as (
    select
        'weak_authentication' as rule_code,
        transaction_id,
        customer_id,
        from_account_id as account_id,
        transaction_date as alert_date,
        transacted_at as alerted_at,
        cast(amount_vnd as numeric(24, 2)) as trigger_value,
        cast(null as numeric(24, 2)) as threshold_value,
        'required ' || required_level || ', achieved ' || coalesce(achieved_level, 'none') as trigger_details
    from transactions
    where
        is_executed and not is_compliant
),

strong_auth_required as (
    select
        'strong_auth_required' as rule_code,
        transaction_id,
        customer_id,
        from_account_id as account_id,
        transaction_date as alert_date,
        transacted_at as alerted_at,
        cast(amount_vnd as numeric(24, 2)) as trigger_value,
        cast({{ var('strong_auth_amount_vnd') }} as numeric(24, 2)) as threshold_value,
        'transfer of ' || cast(amount_vnd as {{ text }}) || ' VND without biometric match' as trigger_details
    from transactions
    where
        is_executed
        and customer_type = 'individual'
        and sbv_group in ('I.3', 'I.4')
        and amount_vnd > {{ var('strong_auth_amount_vnd') }}
        and not has_biometric_match
),

daily_limit_strong_auth as (
    select
        'daily_limit_strong_auth' as rule_code,
        transaction_id,
        customer_id,
        from_account_id as account_id,
        transaction_date as alert_date,
        transacted_at as alerted_at,
        cast(amount_vnd + unverified_total_before_vnd as numeric(24, 2)) as trigger_value,
        cast({{ var('daily_strong_auth_total_vnd') }} as numeric(24, 2)) as threshold_value,
        'G+Tksth ' || cast(amount_vnd + unverified_total_before_vnd as {{ text }})
        || ' VND without biometric match' as trigger_details
    from transactions
    where
        is_executed
        and customer_type = 'individual'
        and sbv_group = 'I.3'
        and amount_vnd + unverified_total_before_vnd > {{ var('daily_strong_auth_total_vnd') }}
        and not has_biometric_match
),

auth_failure as (
    select
        'auth_failure' as rule_code,
        transaction_id,
        customer_id,
        from_account_id as account_id,
        transaction_date as alert_date,
        transacted_at as alerted_at,
        cast(auth_failed_count as numeric(24, 2)) as trigger_value,
        cast({{ var('auth_failure_min_failed_attempts') }} as numeric(24, 2)) as threshold_value,
        cast(auth_failed_count as {{ text }}) || ' failed attempts' as trigger_details
    from transactions
    where
        auth_failed_count >= {{ var('auth_failure_min_failed_attempts') }}
),

inactive_account as (
    select
        'inactive_account' as rule_code,
        transaction_id,
        customer_id,
        from_account_id as account_id,
        transaction_date as alert_date,
        transacted_at as alerted_at,
        cast(null as numeric(24, 2)) as trigger_value,
        cast(null as numeric(24, 2)) as threshold_value,
        'account status ' || from_account_status || ', customer status ' || customer_status as trigger_details
    from transactions
    where
        from_account_status <> 'active' or customer_status <> 'active'
),

new_device_without_biometric as (
    select
        'new_device_without_biometric' as rule_code,
        transaction_id,
        customer_id,
        from_account_id as account_id,
        transaction_date as alert_date,
        transacted_at as alerted_at,
        cast(amount_vnd as numeric(24, 2)) as trigger_value,
        cast(null as numeric(24, 2)) as threshold_value,
        'first transaction on device ' || cast(device_id as {{ text }}) || ' without biometric match' as trigger_details
    from transactions
    where
        is_executed
        and customer_type = 'individual'
        and is_first_use_of_new_device
        and not has_biometric_match
),

account_takeover as (
    select
        'account_takeover' as rule_code,
        transaction_id,
        customer_id,
        from_account_id as account_id,
        transaction_date as alert_date,
        transacted_at as alerted_at,
        cast(amount_vnd as numeric(24, 2)) as trigger_value,
        cast({{ var('takeover_min_amount_vnd') }} as numeric(24, 2)) as threshold_value,
        'new payee from untrusted device ' || cast(device_id as {{ text }}) || ' registered within hours, '
        || cast(device_early_failed_attempts as {{ text }}) || ' failed attempts on it' as trigger_details
    from transactions
    where
        is_transfer_to_other
        and is_new_payee
        and not is_device_trusted
        and transacted_at < {{ dbt.dateadd('hour', var('takeover_device_age_hours'), 'device_first_seen_at') }}
        and device_early_failed_attempts >= 1
        and amount_vnd >= {{ var('takeover_min_amount_vnd') }}
),

structuring as (
    select
        'structuring' as rule_code,
        transaction_id,
        customer_id,
        from_account_id as account_id,
        transaction_date as alert_date,
        transacted_at as alerted_at,
        cast(structuring_band_count as numeric(24, 2)) as trigger_value,
        cast({{ var('structuring_min_count') }} as numeric(24, 2)) as threshold_value,
        cast(structuring_band_count as {{ text }})
        || ' transfers just under {{ var('structuring_max_amount_vnd') }} VND'
        || ' within {{ var('structuring_window_hours') }} hours' as trigger_details
    from transactions
    where
        is_in_structuring_band
        and is_transfer_to_other
        and structuring_band_count >= {{ var('structuring_min_count') }}
),

mule_account as (
    select
        'mule_account' as rule_code,
        transaction_id,
        customer_id,
        mule_account_id as account_id,
        transaction_date as alert_date,
        transacted_at as alerted_at,
        cast(mule_forward_share as numeric(24, 2)) as trigger_value,
        cast({{ var('mule_min_forward_share') }} as numeric(24, 2)) as threshold_value,
        cast(mule_distinct_senders as {{ text }}) || ' senders within {{ var('mule_window_hours') }} hours, '
        || cast(cast(round(mule_forward_share * 100, 0) as integer) as {{ text }}) || '% forwarded' as trigger_details
    from transactions
    where
        is_mule_flow
),

velocity_burst as (
    select
        'velocity_burst' as rule_code,
        transaction_id,
        customer_id,
        from_account_id as account_id,
        transaction_date as alert_date,
        transacted_at as alerted_at,
        cast(velocity_count as numeric(24, 2)) as trigger_value,
        cast({{ var('velocity_min_count') }} as numeric(24, 2)) as threshold_value,
        cast(velocity_count as {{ text }})
        || ' transactions within {{ var('velocity_window_minutes') }} minutes' as trigger_details
    from transactions
    where
        velocity_count >= {{ var('velocity_min_count') }}
),

dormant_reactivation as (
    select
        'dormant_reactivation' as rule_code,
        transaction_id,
        customer_id,
        from_account_id as account_id,
        transaction_date as alert_date,
        transacted_at as alerted_at,
        cast(amount_vnd as numeric(24, 2)) as trigger_value,
        cast({{ var('dormant_min_amount_vnd') }} as numeric(24, 2)) as threshold_value,
        'outflow within 24 hours of reactivating an account quiet for '
        || '{{ var('dormant_quiet_days') }}+ days' as trigger_details
    from transactions
    where
        is_after_dormant_reactivation
),

customer_days as (
    select
        customer_id,
        transaction_date,
        customer_type,
        max(transacted_at) as last_transacted_at,
        sum(auth_failed_count) as failed_attempts,
        sum(case when amount_vnd > {{ var('unusual_pattern_amount_vnd') }} then 1 else 0 end) as large_transactions,
        sum(case when transaction_type = 'payment_goods_services' then 1 else 0 end) as payments,
        sum(case when transaction_type = 'transfer_interbank_international' then 1 else 0 end) as cross_border,
        sum(case
            when
                is_completed
                and from_account_type = 'ewallet'
                and transaction_type in ('ewallet_transfer', 'payment_goods_services')
                then amount_vnd
            else 0
        end) as ewallet_outflow_vnd
    from month_transactions
    group by customer_id, transaction_date, customer_type
),

ewallet_months as (
    select
        *,
        sum(ewallet_outflow_vnd) over (
            partition by customer_id, {{ dbt.date_trunc('month', 'transaction_date') }}
            order by transaction_date rows between unbounded preceding and current row
        ) as month_to_date_outflow_vnd
    from customer_days
    where customer_type = 'individual'
),

ewallet_crossings as (
    select
        *,
        month_to_date_outflow_vnd - ewallet_outflow_vnd as month_to_yesterday_outflow_vnd
    from ewallet_months
),

-- Customer-day rules: one alert per customer and day

auth_failure_rate as (
    select
        'auth_failure_rate' as rule_code,
        cast(null as bigint) as transaction_id,
        customer_id,
        cast(null as bigint) as account_id,
        transaction_date as alert_date,
        last_transacted_at as alerted_at,
        cast(failed_attempts as numeric(24, 2)) as trigger_value,
        cast({{ var('auth_failure_rate_daily_max') }} as numeric(24, 2)) as threshold_value,
        cast(failed_attempts as {{ text }}) || ' failed attempts in the day' as trigger_details
    from customer_days
    where
        failed_attempts > {{ var('auth_failure_rate_daily_max') }}
),

unusual_pattern as (
    select
        'unusual_pattern' as rule_code,
        cast(null as bigint) as transaction_id,
        customer_id,
        cast(null as bigint) as account_id,
        transaction_date as alert_date,
        last_transacted_at as alerted_at,
        cast(large_transactions as numeric(24, 2)) as trigger_value,
        cast({{ var('unusual_pattern_daily_max') }} as numeric(24, 2)) as threshold_value,
        cast(large_transactions as {{ text }})
        || ' transactions over {{ var('unusual_pattern_amount_vnd') }} VND in the day' as trigger_details
    from customer_days
    where
        large_transactions > {{ var('unusual_pattern_daily_max') }}
),

high_payment_volume as (
    select
        'high_payment_volume' as rule_code,
        cast(null as bigint) as transaction_id,
        customer_id,
        cast(null as bigint) as account_id,
        transaction_date as alert_date,
        last_transacted_at as alerted_at,
        cast(payments as numeric(24, 2)) as trigger_value,
        cast({{ var('org_payments_daily_max') }} as numeric(24, 2)) as threshold_value,
        cast(payments as {{ text }}) || ' payments in the day' as trigger_details
    from customer_days
    where
        customer_type = 'organization' and payments > {{ var('org_payments_daily_max') }}
),

unusual_cross_border_frequency as (
    select
        'unusual_cross_border_frequency' as rule_code,
        cast(null as bigint) as transaction_id,
        customer_id,
        cast(null as bigint) as account_id,
        transaction_date as alert_date,
        last_transacted_at as alerted_at,
        cast(cross_border as numeric(24, 2)) as trigger_value,
        cast({{ var('org_cross_border_daily_max') }} as numeric(24, 2)) as threshold_value,
        cast(cross_border as {{ text }}) || ' cross-border transfers in the day' as trigger_details
    from customer_days
    where
        customer_type = 'organization' and cross_border > {{ var('org_cross_border_daily_max') }}
),

ewallet_monthly_limit as (
    select
        'ewallet_monthly_limit' as rule_code,
        cast(null as bigint) as transaction_id,
        customer_id,
        cast(null as bigint) as account_id,
        transaction_date as alert_date,
        last_transacted_at as alerted_at,
        cast(month_to_date_outflow_vnd as numeric(24, 2)) as trigger_value,
        cast({{ var('ewallet_monthly_outflow_limit_vnd') }} as numeric(24, 2)) as threshold_value,
        'e-wallet outflows this month reached ' || cast(month_to_date_outflow_vnd as {{ text }})
        || ' VND' as trigger_details
    from ewallet_crossings
    where
        month_to_date_outflow_vnd > {{ var('ewallet_monthly_outflow_limit_vnd') }}
        and month_to_yesterday_outflow_vnd <= {{ var('ewallet_monthly_outflow_limit_vnd') }}
),

negative_balance as (
    -- the ledger closed an account's day below zero (one alert per customer and day: the lowest account)
    select
        'negative_balance' as rule_code,
        cast(null as bigint) as transaction_id,
        customer_id,
        min(account_id) as account_id,
        balance_date as alert_date,
        max(last_booked_at) as alerted_at,
        cast(min(closing_balance_vnd) as numeric(24, 2)) as trigger_value,
        cast(null as numeric(24, 2)) as threshold_value,
        'closing balance ' || cast(min(closing_balance_vnd) as {{ text }}) || ' VND' as trigger_details
    from {{ ref('fct_account_daily_balances') }}
    where balance_date >= {{ cutoff }} and is_overdrawn
    group by customer_id, balance_date
),

all_alerts as (
    select * from high_value_transaction
    union all
    select * from untrusted_device
    union all
    select * from weak_authentication
    union all
    select * from strong_auth_required
    union all
    select * from daily_limit_strong_auth
    union all
    select * from auth_failure
    union all
    select * from inactive_account
    union all
    select * from new_device_without_biometric
    union all
    select * from account_takeover
    union all
    select * from structuring
    union all
    select * from mule_account
    union all
    select * from velocity_burst
    union all
    select * from dormant_reactivation
    union all
    select * from auth_failure_rate
    union all
    select * from unusual_pattern
    union all
    select * from high_payment_volume
    union all
    select * from unusual_cross_border_frequency
    union all
    select * from ewallet_monthly_limit
    union all
    select * from negative_balance
),

final as (
    select
        cast({{ surrogate_key(['all_alerts.rule_code', 'all_alerts.transaction_id', 'all_alerts.customer_id',
            'all_alerts.alert_date']) }} as {{ dbt.type_string() }}) as alert_id,
        cast(rules.rule_id as {{ dbt.type_string() }}) as rule_id,
        cast(all_alerts.rule_code as {{ dbt.type_string() }}) as rule_code,
        cast(rules.severity as {{ dbt.type_string() }}) as severity,
        cast(rules.grain as {{ dbt.type_string() }}) as alert_grain,
        cast(rules.typology as {{ dbt.type_string() }}) as typology,
        cast(all_alerts.transaction_id as bigint) as transaction_id,
        cast(all_alerts.customer_id as bigint) as customer_id,
        cast(all_alerts.account_id as bigint) as account_id,
        cast('open' as {{ dbt.type_string() }}) as alert_status,
        cast(all_alerts.trigger_value as numeric(24, 2)) as trigger_value,
        cast(all_alerts.threshold_value as numeric(24, 2)) as threshold_value,
        cast(all_alerts.trigger_details as {{ dbt.type_string() }}) as trigger_details,
        cast(all_alerts.alert_date as date) as alert_date,
        cast(all_alerts.alerted_at as timestamp) as alerted_at
    from all_alerts
    inner join rules
        on all_alerts.rule_code = rules.rule_code
    where all_alerts.alert_date >= {{ cutoff }}
)

select * from final
