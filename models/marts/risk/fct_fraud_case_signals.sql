{{ config(materialized='incremental', unique_key='alert_date', lookup_keys=['case_id']) }}
{%- set cutoff = incremental_cutoff('alert_date') %}

{#-
    Every signal (fct_risk_alerts) with the fraud case it belongs to. The signals of one customer form
    one group while each follows the previous within case_gap_hours (24); fct_fraud_cases keeps the
    groups whose score reaches review. A mule's inflows are alerts on the senders' transactions: they
    belong to the group of the owner of the account under suspicion (the alert's account_id). case_id hashes that customer and the group's
    first alert, so it stays the same across rebuilds.

    Incremental by alert day. A group only ever grows forward in time, so the signals before the
    rebuilt days keep their case; a rebuilt signal continues the case of its customer's last earlier
    signal (this table's own row) when it follows it within case_gap_hours. That needs an alert's day
    to be the day of its alerted_at (a test on fct_risk_alerts).
-#}

with

alerts as (
    select * from {{ ref('fct_risk_alerts') }}
    where alert_date >= {{ cutoff }}
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

carried as (
    -- each customer's last signal before the rebuilt days, with its case, when a rebuilt signal can
    -- still follow it (nothing on a full build)
    {%- if is_incremental() %}
        select
            case_customer_id,
            alert_id,
            alerted_at,
            opening_alert_id
        from (
            select
                case_customer_id,
                alert_id,
                alerted_at,
                opening_alert_id,
                row_number() over (
                    partition by case_customer_id order by alerted_at desc, alert_id desc
                ) as recency
            from {{ this }}
            where
                alert_date < {{ cutoff }}
                and alerted_at >= {{ dbt.dateadd('hour', -1 * var('case_gap_hours'), cutoff) }}
        ) as earlier
        where recency = 1
    {%- else %}
        select
            cast(null as bigint) as case_customer_id,
            cast(null as {{ dbt.type_string() }}) as alert_id,
            cast(null as timestamp) as alerted_at,
            cast(null as {{ dbt.type_string() }}) as opening_alert_id
        where 1 = 0
    {%- endif %}
),

timeline as (
    -- the rebuilt signals, each customer's behind its carried signal
    select
        case_customer_id,
        alert_id,
        alerted_at,
        opening_alert_id as carried_opening_alert_id
    from carried
    union all
    select
        case_customer_id,
        alert_id,
        alerted_at,
        null as carried_opening_alert_id
    from signals
),

sequenced as (
    select
        *,
        lag(alerted_at) over (partition by case_customer_id order by alerted_at, alert_id) as previous_signal_at
    from timeline
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

openings as (
    -- a carried signal comes first in its customer's timeline: its case's opening alert is its own
    select
        alert_id,
        carried_opening_alert_id,
        first_value(coalesce(carried_opening_alert_id, alert_id)) over (
            partition by case_customer_id, case_number order by alerted_at, alert_id
            rows between unbounded preceding and unbounded following
        ) as opening_alert_id
    from numbered
),

final as (
    select
        cast({{ surrogate_key(['signals.case_customer_id', 'openings.opening_alert_id']) }} as {{ dbt.type_string() }})
            as case_id,
        cast(signals.alert_id as {{ dbt.type_string() }}) as alert_id,
        cast(signals.case_customer_id as bigint) as case_customer_id,
        cast(openings.opening_alert_id as {{ dbt.type_string() }}) as opening_alert_id,
        cast(signals.rule_code as {{ dbt.type_string() }}) as rule_code,
        cast(signals.transaction_id as bigint) as transaction_id,
        cast(signals.customer_id as bigint) as alert_customer_id,
        cast(signals.alert_date as date) as alert_date,
        cast(signals.trigger_details as {{ dbt.type_string() }}) as trigger_details,
        cast(signals.alerted_at as timestamp) as alerted_at
    from signals
    inner join openings
        on
            signals.alert_id = openings.alert_id
            and openings.carried_opening_alert_id is null
)

select * from final
