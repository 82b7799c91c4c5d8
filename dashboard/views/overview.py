"""Overview: headline KPIs and daily trends for the filtered transactions."""

import streamlit as st

from dashboard import ui

st.title("Overview")
f = ui.filters()
where, params = f.where(ui.TXN_COLUMNS)
st.caption(f.describe(ui.TXN_COLUMNS))

kpi = ui.run(f"""
    select
        count(*) as transactions,
        sum(case when t.transaction_status = 'completed' then t.amount_vnd else 0 end) as completed_amount,
        count(distinct t.customer_id) as active_customers,
        sum(case when a.transaction_id is not null then t.amount_vnd else 0 end) as suspicious_amount,
        sum(t.auth_attempt_count) as auth_attempts,
        sum(t.auth_attempt_count - t.auth_failed_count) as auth_successes
    from marts.fct_transactions as t
    left join (select distinct transaction_id from marts.mart_fraud_alert_queue
               where transaction_id is not null) as a on a.transaction_id = t.transaction_id
    where {where}
""", params).iloc[0]
alerts = ui.run(f"""
    select count(*) as open_alerts from marts.mart_fraud_alert_queue
    where alert_status = 'open' and {f.where({'date': 'alert_date', 'segment': 'customer_type'})[0]}
""", f.where({"date": "alert_date", "segment": "customer_type"})[1]).iloc[0]

cols = st.columns(3) + st.columns(3)
cols[0].metric("Transactions", ui.count(kpi["transactions"]))
cols[1].metric("Completed amount", ui.vnd(kpi["completed_amount"]))
cols[2].metric("Active customers", ui.count(kpi["active_customers"]))
cols[3].metric("Suspicious amount", ui.vnd(kpi["suspicious_amount"]),
               help="Amount of the transactions that raised at least one risk alert")
rate = kpi["auth_successes"] / kpi["auth_attempts"] if kpi["auth_attempts"] else None
cols[4].metric("Authentication success", ui.share(rate), help="Successful attempts / all attempts")
cols[5].metric("Open alerts", ui.count(alerts["open_alerts"]), help="Date and segment filters apply")

daily = ui.run(f"""
    select transaction_date as day, count(*) as transactions,
           sum(case when transaction_status = 'completed' then amount_vnd else 0 end) / 1e6 as completed_million_vnd,
           sum(case when is_compliant then 0 else 1 end) as non_compliant
    from marts.fct_transactions
    where {where}
    group by transaction_date
    order by transaction_date
""", params)
if not ui.empty_notice(daily, "transactions"):
    left, right = st.columns(2)
    with left:
        ui.line(daily, "day:T", "transactions:Q", title="Transactions per day")
    with right:
        ui.line(daily, "day:T", "completed_million_vnd:Q", title="Completed amount per day (million VND)")
    ui.line(daily, "day:T", "non_compliant:Q", title="Transactions below the SBV-required level per day")
