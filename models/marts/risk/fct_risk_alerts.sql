{#-
    Every risk rule of SPEC section 6. At most one alert per (rule, transaction) for transaction
    rules and per (rule, customer, day) for customer-day rules. alert_id is a hash of the rule and
    that key, so it is stable across rebuilds. Status is 'open': no alert-workflow data exists yet,
    and the status is never invented.
-#}

with

transactions as (
    select * from {{ ref('int_transactions_profiled') }}
),

rules as (
    select * from {{ ref('risk_rules') }}
),

transaction_alerts as (
    select
        'high_value_transaction' as rule_code,
        transaction_id,
        customer_id,
        from_account_id as account_id,
        transaction_date as alert_date,
        transacted_at as alerted_at,
        amount_vnd as trigger_value,
        cast({{ var('high_value_threshold_vnd') }} as numeric(24, 2)) as threshold_value,
        'amount ' || cast(amount_vnd as {{ dbt.type_string() }}) || ' VND' as trigger_details
    from transactions
    where amount_vnd > {{ var('high_value_threshold_vnd') }}

    union all

    select
        'untrusted_device',
        transaction_id,
        customer_id,
        from_account_id,
        transaction_date,
        transacted_at,
        null,
        null,
        'device ' || cast(device_id as {{ dbt.type_string() }}) || ' trusted='
        || case when is_device_trusted then 'yes' else 'no' end || ' status=' || device_status
    from transactions
    where not is_device_trusted or device_status in ('blocked', 'suspicious')

    union all

    select
        'weak_authentication',
        transaction_id,
        customer_id,
        from_account_id,
        transaction_date,
        transacted_at,
        amount_vnd,
        null,
        'required ' || required_level || ', achieved ' || coalesce(achieved_level, 'none')
    from transactions
    where is_executed and not is_compliant

    union all

    select
        'strong_auth_required',
        transaction_id,
        customer_id,
        from_account_id,
        transaction_date,
        transacted_at,
        amount_vnd,
        cast({{ var('strong_auth_amount_vnd') }} as numeric(24, 2)),
        'transfer of ' || cast(amount_vnd as {{ dbt.type_string() }}) || ' VND without biometric match'
    from transactions
    where
        is_executed
        and customer_type = 'individual'
        and sbv_group in ('I.3', 'I.4')
        and amount_vnd > {{ var('strong_auth_amount_vnd') }}
        and not has_biometric_match

    union all

    select
        'daily_limit_strong_auth',
        transaction_id,
        customer_id,
        from_account_id,
        transaction_date,
        transacted_at,
        amount_vnd + unverified_total_before_vnd,
        cast({{ var('daily_strong_auth_total_vnd') }} as numeric(24, 2)),
        'G+Tksth ' || cast(amount_vnd + unverified_total_before_vnd as {{ dbt.type_string() }})
        || ' VND without biometric match'
    from transactions
    where
        is_executed
        and customer_type = 'individual'
        and sbv_group = 'I.3'
        and amount_vnd + unverified_total_before_vnd > {{ var('daily_strong_auth_total_vnd') }}
        and not has_biometric_match

    union all

    select
        'auth_failure',
        transaction_id,
        customer_id,
        from_account_id,
        transaction_date,
        transacted_at,
        auth_failed_count,
        {{ var('auth_failure_min_failed_attempts') }},
        cast(auth_failed_count as {{ dbt.type_string() }}) || ' failed attempts'
    from transactions
    where auth_failed_count >= {{ var('auth_failure_min_failed_attempts') }}

    union all

    select
        'inactive_account',
        transaction_id,
        customer_id,
        from_account_id,
        transaction_date,
        transacted_at,
        null,
        null,
        'account status ' || from_account_status || ', customer status ' || customer_status
    from transactions
    where from_account_status <> 'active' or customer_status <> 'active'

    union all

    select
        'new_device_without_biometric',
        transaction_id,
        customer_id,
        from_account_id,
        transaction_date,
        transacted_at,
        amount_vnd,
        null,
        'first transaction on device ' || cast(device_id as {{ dbt.type_string() }}) || ' without biometric match'
    from transactions
    where
        is_executed
        and customer_type = 'individual'
        and is_first_use_of_new_device
        and not has_biometric_match

    union all

    select
        'account_takeover',
        transaction_id,
        customer_id,
        from_account_id,
        transaction_date,
        transacted_at,
        amount_vnd,
        cast({{ var('takeover_min_amount_vnd') }} as numeric(24, 2)),
        'new payee from untrusted device ' || cast(device_id as {{ dbt.type_string() }})
        || ' registered within hours, ' || cast(device_early_failed_attempts as {{ dbt.type_string() }})
        || ' failed attempts on it'
    from transactions
    where
        is_transfer_to_other
        and is_new_payee
        and not is_device_trusted
        and transacted_at < {{ dbt.dateadd('hour', var('takeover_device_age_hours'), 'device_first_seen_at') }}
        and device_early_failed_attempts >= 1
        and amount_vnd >= {{ var('takeover_min_amount_vnd') }}

    union all

    select
        'structuring',
        transaction_id,
        customer_id,
        from_account_id,
        transaction_date,
        transacted_at,
        structuring_band_count,
        {{ var('structuring_min_count') }},
        cast(structuring_band_count as {{ dbt.type_string() }}) || ' transfers just under '
        || cast({{ var('structuring_max_amount_vnd') }} as {{ dbt.type_string() }}) || ' VND within '
        || cast({{ var('structuring_window_hours') }} as {{ dbt.type_string() }}) || ' hours'
    from transactions
    where
        is_in_structuring_band
        and is_transfer_to_other
        and structuring_band_count >= {{ var('structuring_min_count') }}

    union all

    select
        'mule_account',
        transaction_id,
        customer_id,
        from_account_id,
        transaction_date,
        transacted_at,
        mule_forward_share,
        cast({{ var('mule_min_forward_share') }} as numeric(24, 2)),
        cast(mule_distinct_senders as {{ dbt.type_string() }}) || ' senders in one day, '
        || cast(cast(round(mule_forward_share * 100, 0) as integer) as {{ dbt.type_string() }}) || '% forwarded'
    from transactions
    where is_mule_flow

    union all

    select
        'velocity_burst',
        transaction_id,
        customer_id,
        from_account_id,
        transaction_date,
        transacted_at,
        velocity_count,
        {{ var('velocity_min_count') }},
        cast(velocity_count as {{ dbt.type_string() }}) || ' transactions within '
        || cast({{ var('velocity_window_minutes') }} as {{ dbt.type_string() }}) || ' minutes'
    from transactions
    where velocity_count >= {{ var('velocity_min_count') }}

    union all

    select
        'dormant_reactivation',
        transaction_id,
        customer_id,
        from_account_id,
        transaction_date,
        transacted_at,
        amount_vnd,
        cast({{ var('dormant_min_amount_vnd') }} as numeric(24, 2)),
        'outflow within 24 hours of reactivating an account quiet for '
        || cast({{ var('dormant_quiet_days') }} as {{ dbt.type_string() }}) || '+ days'
    from transactions
    where is_after_dormant_reactivation
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
    from transactions
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

customer_day_alerts as (
    select
        'auth_failure_rate' as rule_code,
        cast(null as bigint) as transaction_id,
        customer_id,
        cast(null as bigint) as account_id,
        transaction_date as alert_date,
        last_transacted_at as alerted_at,
        failed_attempts as trigger_value,
        {{ var('auth_failure_rate_daily_max') }} as threshold_value,
        cast(failed_attempts as {{ dbt.type_string() }}) || ' failed attempts in the day' as trigger_details
    from customer_days
    where failed_attempts > {{ var('auth_failure_rate_daily_max') }}

    union all

    select
        'unusual_pattern',
        null,
        customer_id,
        null,
        transaction_date,
        last_transacted_at,
        large_transactions,
        {{ var('unusual_pattern_daily_max') }},
        cast(large_transactions as {{ dbt.type_string() }}) || ' transactions over '
        || cast({{ var('unusual_pattern_amount_vnd') }} as {{ dbt.type_string() }}) || ' VND in the day'
    from customer_days
    where large_transactions > {{ var('unusual_pattern_daily_max') }}

    union all

    select
        'high_payment_volume',
        null,
        customer_id,
        null,
        transaction_date,
        last_transacted_at,
        payments,
        {{ var('org_payments_daily_max') }},
        cast(payments as {{ dbt.type_string() }}) || ' payments in the day'
    from customer_days
    where customer_type = 'organization' and payments > {{ var('org_payments_daily_max') }}

    union all

    select
        'unusual_cross_border_frequency',
        null,
        customer_id,
        null,
        transaction_date,
        last_transacted_at,
        cross_border,
        {{ var('org_cross_border_daily_max') }},
        cast(cross_border as {{ dbt.type_string() }}) || ' cross-border transfers in the day'
    from customer_days
    where customer_type = 'organization' and cross_border > {{ var('org_cross_border_daily_max') }}

    union all

    select
        'ewallet_monthly_limit',
        null,
        customer_id,
        null,
        transaction_date,
        last_transacted_at,
        month_to_date_outflow_vnd,
        {{ var('ewallet_monthly_outflow_limit_vnd') }},
        'e-wallet outflows this month reached ' || cast(month_to_date_outflow_vnd as {{ dbt.type_string() }})
        || ' VND'
    from ewallet_crossings
    where
        month_to_date_outflow_vnd > {{ var('ewallet_monthly_outflow_limit_vnd') }}
        and month_to_yesterday_outflow_vnd <= {{ var('ewallet_monthly_outflow_limit_vnd') }}
),

all_alerts as (
    select * from transaction_alerts
    union all
    select * from customer_day_alerts
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
)

select * from final
