"""Security & risk: authentication outcomes, alerts by rule and typology, method usage and success."""

import streamlit as st

from dashboard import ui

st.title("Security & risk")
f = ui.filters()
auth_cols = {"date": "auth_date", "segment": "customer_type"}
alert_cols = {"date": "alert_date", "segment": "customer_type", "type": "transaction_type",
              "status": "transaction_status", "class": "required_level"}
auth_where, auth_params = f.where(auth_cols)
alert_where, alert_params = f.where(alert_cols)
st.caption(f.describe(alert_cols) + " (authentication charts: date and segment only)")

results = ui.run(f"""
    select auth_result, count(*) as attempts
    from marts.fct_authentication_events where {auth_where}
    group by auth_result order by attempts desc
""", auth_params)
if ui.empty_notice(results, "authentication attempts"):
    st.stop()
total = int(results["attempts"].sum())
success = int(results.loc[results["auth_result"] == "success", "attempts"].sum())
cols = st.columns(3)
cols[0].metric("Authentication attempts", ui.count(total))
cols[1].metric("Success rate", ui.share(success / total if total else None))
alert_total = ui.run(f"select count(*) as alerts from marts.mart_fraud_alert_queue where {alert_where}",
                     alert_params).iloc[0]["alerts"]
cols[2].metric("Risk alerts", ui.count(alert_total))

left, right = st.columns(2)
with left:
    ui.bar(results, "auth_result:N", "attempts:Q", title="Authentication results")
with right:
    by_rule = ui.run(f"""
        select rule_id || ' ' || rule_code as rule, severity, count(*) as alerts
        from marts.mart_fraud_alert_queue where {alert_where}
        group by rule_id, rule_code, severity order by alerts desc
    """, alert_params)
    if not ui.empty_notice(by_rule, "alerts"):
        ui.bar(by_rule, "rule:N", "alerts:Q", color="severity:N", title="Alerts by rule", horizontal=True)

methods = ui.run(f"""
    select method_code, factor_category, count(*) as attempts,
           sum(case when is_success then 1 else 0 end) as successes,
           avg(case when is_success then 1.0 else 0.0 end) as success_rate
    from marts.fct_authentication_events where {auth_where}
    group by method_code, factor_category order by attempts desc
""", auth_params)
left, right = st.columns(2)
with left:
    ui.bar(methods, "method_code:N", "attempts:Q", color="factor_category:N", title="Method usage",
           horizontal=True)
with right:
    ui.bar(methods, "method_code:N", "success_rate:Q", title="Success rate by method", horizontal=True)
ui.table(methods, column_config={"success_rate": st.column_config.NumberColumn(format="percent")})

typologies = ui.run(f"""
    select coalesce(typology, 'other') as typology, count(*) as alerts, count(distinct customer_id) as customers
    from marts.mart_fraud_alert_queue where {alert_where}
    group by coalesce(typology, 'other') order by alerts desc
""", alert_params)
st.subheader("Alerts by typology")
ui.table(typologies)
