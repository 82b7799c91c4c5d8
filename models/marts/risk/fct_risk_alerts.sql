{#-
    Every risk rule of docs/domain.md §6. At most one alert per (rule, transaction) for transaction
    rules and per (rule, customer, day) for customer-day rules. alert_id is a hash of the rule and
    that key, so it is stable across rebuilds. Status is 'open': no alert-workflow data exists yet,
    and the status is never invented.
-#}

{%- set transaction_rules = [
    {'code': 'high_value_transaction',
     'when': 'amount_vnd > ' ~ var('high_value_threshold_vnd'),
     'value': 'amount_vnd', 'threshold': var('high_value_threshold_vnd'),
     'details': "'amount ' || " ~ as_text('amount_vnd') ~ " || ' VND'"},
    {'code': 'untrusted_device',
     'when': "not is_device_trusted or device_status in ('blocked', 'suspicious')",
     'details': "'device ' || " ~ as_text('device_id') ~ " || ' trusted=' || case when is_device_trusted"
                ~ " then 'yes' else 'no' end || ' status=' || device_status"},
    {'code': 'weak_authentication',
     'when': 'is_executed and not is_compliant',
     'value': 'amount_vnd',
     'details': "'required ' || required_level || ', achieved ' || coalesce(achieved_level, 'none')"},
    {'code': 'strong_auth_required',
     'when': "is_executed and customer_type = 'individual' and sbv_group in ('I.3', 'I.4') and amount_vnd > "
             ~ var('strong_auth_amount_vnd') ~ " and not has_biometric_match",
     'value': 'amount_vnd', 'threshold': var('strong_auth_amount_vnd'),
     'details': "'transfer of ' || " ~ as_text('amount_vnd') ~ " || ' VND without biometric match'"},
    {'code': 'daily_limit_strong_auth',
     'when': "is_executed and customer_type = 'individual' and sbv_group = 'I.3' and amount_vnd"
             ~ " + unverified_total_before_vnd > " ~ var('daily_strong_auth_total_vnd') ~ " and not has_biometric_match",
     'value': 'amount_vnd + unverified_total_before_vnd', 'threshold': var('daily_strong_auth_total_vnd'),
     'details': "'G+Tksth ' || " ~ as_text('amount_vnd + unverified_total_before_vnd')
                ~ " || ' VND without biometric match'"},
    {'code': 'auth_failure',
     'when': 'auth_failed_count >= ' ~ var('auth_failure_min_failed_attempts'),
     'value': 'auth_failed_count', 'threshold': var('auth_failure_min_failed_attempts'),
     'details': as_text('auth_failed_count') ~ " || ' failed attempts'"},
    {'code': 'inactive_account',
     'when': "from_account_status <> 'active' or customer_status <> 'active'",
     'details': "'account status ' || from_account_status || ', customer status ' || customer_status"},
    {'code': 'new_device_without_biometric',
     'when': "is_executed and customer_type = 'individual' and is_first_use_of_new_device and not has_biometric_match",
     'value': 'amount_vnd',
     'details': "'first transaction on device ' || " ~ as_text('device_id') ~ " || ' without biometric match'"},
    {'code': 'account_takeover',
     'when': 'is_transfer_to_other and is_new_payee and not is_device_trusted and transacted_at < '
             ~ dbt.dateadd('hour', var('takeover_device_age_hours'), 'device_first_seen_at')
             ~ ' and device_early_failed_attempts >= 1 and amount_vnd >= ' ~ var('takeover_min_amount_vnd'),
     'value': 'amount_vnd', 'threshold': var('takeover_min_amount_vnd'),
     'details': "'new payee from untrusted device ' || " ~ as_text('device_id')
                ~ " || ' registered within hours, ' || " ~ as_text('device_early_failed_attempts')
                ~ " || ' failed attempts on it'"},
    {'code': 'structuring',
     'when': 'is_in_structuring_band and is_transfer_to_other and structuring_band_count >= '
             ~ var('structuring_min_count'),
     'value': 'structuring_band_count', 'threshold': var('structuring_min_count'),
     'details': as_text('structuring_band_count') ~ " || ' transfers just under " ~ var('structuring_max_amount_vnd')
                ~ " VND within " ~ var('structuring_window_hours') ~ " hours'"},
    {'code': 'mule_account',
     'when': 'is_mule_flow',
     'account': 'mule_account_id',
     'value': 'mule_forward_share', 'threshold': var('mule_min_forward_share'),
     'details': as_text('mule_distinct_senders') ~ " || ' senders within " ~ var('mule_window_hours') ~ " hours, ' || "
                ~ as_text('cast(round(mule_forward_share * 100, 0) as integer)') ~ " || '% forwarded'"},
    {'code': 'velocity_burst',
     'when': 'velocity_count >= ' ~ var('velocity_min_count'),
     'value': 'velocity_count', 'threshold': var('velocity_min_count'),
     'details': as_text('velocity_count') ~ " || ' transactions within " ~ var('velocity_window_minutes')
                ~ " minutes'"},
    {'code': 'dormant_reactivation',
     'when': 'is_after_dormant_reactivation',
     'value': 'amount_vnd', 'threshold': var('dormant_min_amount_vnd'),
     'details': "'outflow within 24 hours of reactivating an account quiet for " ~ var('dormant_quiet_days')
                ~ "+ days'"},
] -%}

{%- set customer_day_rules = [
    {'code': 'auth_failure_rate',
     'when': 'failed_attempts > ' ~ var('auth_failure_rate_daily_max'),
     'value': 'failed_attempts', 'threshold': var('auth_failure_rate_daily_max'),
     'details': as_text('failed_attempts') ~ " || ' failed attempts in the day'"},
    {'code': 'unusual_pattern',
     'when': 'large_transactions > ' ~ var('unusual_pattern_daily_max'),
     'value': 'large_transactions', 'threshold': var('unusual_pattern_daily_max'),
     'details': as_text('large_transactions') ~ " || ' transactions over " ~ var('unusual_pattern_amount_vnd')
                ~ " VND in the day'"},
    {'code': 'high_payment_volume',
     'when': "customer_type = 'organization' and payments > " ~ var('org_payments_daily_max'),
     'value': 'payments', 'threshold': var('org_payments_daily_max'),
     'details': as_text('payments') ~ " || ' payments in the day'"},
    {'code': 'unusual_cross_border_frequency',
     'when': "customer_type = 'organization' and cross_border > " ~ var('org_cross_border_daily_max'),
     'value': 'cross_border', 'threshold': var('org_cross_border_daily_max'),
     'details': as_text('cross_border') ~ " || ' cross-border transfers in the day'"},
] -%}

{%- set ewallet_rule = {
    'code': 'ewallet_monthly_limit',
    'when': 'month_to_date_outflow_vnd > ' ~ var('ewallet_monthly_outflow_limit_vnd')
            ~ ' and month_to_yesterday_outflow_vnd <= ' ~ var('ewallet_monthly_outflow_limit_vnd'),
    'value': 'month_to_date_outflow_vnd', 'threshold': var('ewallet_monthly_outflow_limit_vnd'),
    'details': "'e-wallet outflows this month reached ' || " ~ as_text('month_to_date_outflow_vnd') ~ " || ' VND'"} -%}

{{ config(materialized='incremental', unique_key='alert_date') }}
{%- set cutoff = incremental_cutoff('alert_date') %}

{#-
    Incremental by alert day. Transaction and customer-day rules need only the rebuilt days;
    month-to-date e-wallet totals read from the first day of the cutoff's month.
-#}

with

month_transactions as (
    select * from {{ ref('int_transactions_profiled') }}
    where transaction_date >= {{ dbt.date_trunc('month', cutoff) }}
),

transactions as (
    select * from month_transactions
    where transaction_date >= {{ cutoff }}
),

rules as (
    select * from {{ ref('risk_rules') }}
),

transaction_alerts as (
    {%- for rule in transaction_rules %}
        {{ alert_branch(rule, 'transactions', 'transaction') }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
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

customer_day_alerts as (
    {%- for rule in customer_day_rules %}
        {{ alert_branch(rule, 'customer_days', 'customer_day') }}
        union all
    {%- endfor %}
    {{ alert_branch(ewallet_rule, 'ewallet_crossings', 'customer_day') }}
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
    where all_alerts.alert_date >= {{ cutoff }}
)

select * from final
