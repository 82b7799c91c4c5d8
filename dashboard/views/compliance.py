"""Compliance: SBV security classes (Decision 2345/QĐ-NHNN) per day and the breaches."""

import streamlit as st

from dashboard import ui

st.title("Compliance")
f = ui.filters()
columns = {"date": "report_date", "segment": "customer_type"}
where, params = f.where(columns)
st.caption(f.describe(columns))

daily = ui.run(f"""
    select report_date,
           sum(transaction_count) as transactions, sum(executed_count) as executed,
           sum(class_a_count) as class_a, sum(class_b_count) as class_b,
           sum(class_c_count) as class_c, sum(class_d_count) as class_d,
           sum(weak_authentication_count) as weak_authentication,
           sum(strong_auth_required_count) as strong_auth_required,
           sum(daily_limit_strong_auth_count) as daily_limit_strong_auth,
           sum(new_device_without_biometric_count) as new_device_without_biometric,
           sum(ewallet_monthly_limit_count) as ewallet_monthly_limit,
           sum(weak_authentication_amount_vnd) as weak_authentication_amount_vnd
    from marts.rpt_sbv_daily_compliance where {where}
    group by report_date order by report_date
""", params)
if ui.empty_notice(daily, "compliance rows"):
    st.stop()
executed = daily["executed"].sum()
weak = daily["weak_authentication"].sum()
cols = st.columns(4)
cols[0].metric("Executed transactions", ui.count(executed))
cols[1].metric("Compliance rate", ui.share(1 - weak / executed if executed else None),
               help="Executed transactions authenticated at (or above) the SBV-required level")
cols[2].metric("Breaches (below the required level)", ui.count(weak))
cols[3].metric("Breach amount", ui.vnd(daily["weak_authentication_amount_vnd"].sum()))

classes = daily.melt(id_vars="report_date", value_vars=["class_a", "class_b", "class_c", "class_d"],
                     var_name="security_class", value_name="count")
classes["security_class"] = classes["security_class"].str[-1].str.upper()
ui.bar(classes, "report_date:T", "count:Q", color="security_class:N", sort=None,
       title="Transactions by required security class per day")

breaches = daily.melt(id_vars="report_date", value_vars=["strong_auth_required", "daily_limit_strong_auth",
                                                         "new_device_without_biometric", "ewallet_monthly_limit"],
                      var_name="requirement", value_name="count")
ui.line(breaches, "report_date:T", "count:Q", color="requirement:N",
        title="Transactions the requirement applied to, per day")
daily["compliance_rate"] = 1 - daily["weak_authentication"] / daily["executed"].where(daily["executed"] > 0)
ui.line(daily, "report_date:T", "compliance_rate:Q", title="Daily compliance rate")

st.subheader("Breaches")
breach_where, breach_params = f.where(ui.TXN_COLUMNS)
rows = ui.run(f"""
    select transaction_id, transacted_at, customer_id, customer_type, transaction_type, amount_vnd, sbv_group,
           required_level, achieved_level, daily_total_before_vnd
    from marts.fct_transactions
    where {breach_where} and not is_compliant and transaction_status = 'completed'
    order by amount_vnd desc, transaction_id limit 1000
""", breach_params)
st.caption(f.describe(ui.TXN_COLUMNS) + " · completed transactions authenticated below the required level")
ui.table(rows)
