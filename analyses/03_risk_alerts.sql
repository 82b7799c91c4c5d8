-- Risk alerts by rule and severity, with the customers they concern.
select
    rule_id,
    rule_code,
    severity,
    count(*) as alerts,
    count(distinct customer_id) as customers,
    min(alert_date) as first_alert_date,
    max(alert_date) as last_alert_date
from {{ ref('fct_risk_alerts') }}
group by rule_id, rule_code, severity
order by rule_id
