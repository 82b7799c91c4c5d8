"""Bank view: money flowing from Timo accounts to each counterparty bank."""

import streamlit as st

from dashboard import ui

st.title("Bank view")
f = ui.filters()
columns = {"date": "flow_date"}
where, params = f.where(columns)
st.caption(f.describe(columns) + " · outbound flows (the raw data holds transactions initiated at Timo)")

banks = ui.run(f"""
    select bank_code, bank_short_name, is_domestic, sum(transaction_count) as transactions,
           sum(completed_count) as completed, sum(completed_amount_vnd) / 1e6 as completed_million_vnd,
           sum(new_payee_count) as new_payees
    from marts.mart_bank_counterparty_flows where {where}
    group by bank_code, bank_short_name, is_domestic
    order by completed_million_vnd desc, bank_code
""", params)
if ui.empty_notice(banks, "counterparty flows"):
    st.stop()
cols = st.columns(3)
cols[0].metric("Counterparty banks", ui.count(len(banks)))
cols[1].metric("Outbound transactions", ui.count(banks["transactions"].sum()))
cols[2].metric("Completed amount", ui.vnd(banks["completed_million_vnd"].sum() * 1e6))
ui.bar(banks, "bank_short_name:N", "completed_million_vnd:Q", color="is_domestic:N",
       title="Completed amount by counterparty bank (million VND)", horizontal=True)
ui.table(banks)

bank = st.selectbox("Daily flows for", banks["bank_code"].tolist(),
                    format_func=dict(zip(banks["bank_code"], banks["bank_short_name"], strict=True)).get,
                    key="bank_pick")
daily = ui.run(f"""
    select flow_date, transaction_count, completed_amount_vnd / 1e6 as completed_million_vnd, distinct_senders
    from marts.mart_bank_counterparty_flows where bank_code = %(bank)s and {where}
    order by flow_date
""", {**params, "bank": bank})
ui.line(daily, "flow_date:T", "completed_million_vnd:Q", title="Completed amount per day (million VND)")
