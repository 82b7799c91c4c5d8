{#-
    Every signal (fct_risk_alerts) with the fraud case it belongs to. The signals of one customer form
    one group while each follows the previous within case_gap_hours (24); fct_fraud_cases keeps the
    groups whose score reaches review. A mule's inflows are alerts on the senders' transactions: they
    belong to the group of the owner of the account under suspicion (the alert's account_id). case_id hashes that customer and the group's
    first alert, so it stays the same across rebuilds.
-#}

with

alerts as (
    select * from {{ ref('fct_risk_alerts') }}
),

accounts as (
    select
        account_id,
        customer_id
    from {{ ref('dim_accounts') }}
),

signals as (
    select
        alerts.*,
        case
            when alerts.rule_code = 'mule_account' and suspects.customer_id is not null then suspects.customer_id
            else alerts.customer_id
        end as case_customer_id
    from alerts
    left join accounts as suspects
        on alerts.account_id = suspects.account_id
),

sequenced as (
    select
        *,
        lag(alerted_at) over (partition by case_customer_id order by alerted_at, alert_id) as previous_signal_at
    from signals
),

numbered as (
    select
        *,
        sum(case
            when
                previous_signal_at is null
                or alerted_at > {{ dbt.dateadd('hour', var('case_gap_hours'), 'previous_signal_at') }}
                then 1
            else 0
        end) over (
            partition by case_customer_id order by alerted_at, alert_id rows between unbounded preceding and current row
        ) as case_number
    from sequenced
),

case_signals as (
    select
        *,
        first_value(alert_id) over (
            partition by case_customer_id, case_number order by alerted_at, alert_id
            rows between unbounded preceding and unbounded following
        ) as opening_alert_id
    from numbered
),

final as (
    select
        cast({{ surrogate_key(['case_customer_id', 'opening_alert_id']) }} as {{ dbt.type_string() }}) as case_id,
        cast(alert_id as {{ dbt.type_string() }}) as alert_id,
        cast(case_customer_id as bigint) as case_customer_id,
        cast(opening_alert_id as {{ dbt.type_string() }}) as opening_alert_id,
        cast(rule_code as {{ dbt.type_string() }}) as rule_code,
        cast(transaction_id as bigint) as transaction_id,
        cast(customer_id as bigint) as alert_customer_id,
        cast(alert_date as date) as alert_date,
        cast(trigger_details as {{ dbt.type_string() }}) as trigger_details,
        cast(alerted_at as timestamp) as alerted_at
    from case_signals
)

select * from final
