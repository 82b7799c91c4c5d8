"""Bank view: money to and from each counterparty bank, and the net position."""

import streamlit as st

from dashboard import ui

st.title("Bank view")
f = ui.filters()
columns = {"date": "flow_date"}
where, params = f.where(columns)
st.caption(f.describe(columns) + " · sent: completed transfers from Timo accounts; received: credits from the bank "
           "that reached a Timo account; net position: received minus sent")

banks = ui.run(f"""
    select bank_code, bank_short_name, is_domestic, sum(transaction_count) as transactions,
           sum(completed_count) as completed, sum(completed_amount_vnd) / 1e6 as sent_million_vnd,
           sum(inbound_completed_count) as credits, sum(inbound_amount_vnd) / 1e6 as received_million_vnd,
           sum(inbound_returned_count) as returned_credits, sum(net_position_vnd) / 1e6 as net_million_vnd,
           sum(new_payee_count) as new_payees
    from marts.mart_bank_counterparty_flows where {where}
    group by bank_code, bank_short_name, is_domestic
    order by sent_million_vnd + received_million_vnd desc, bank_code
""", params)
if ui.empty_notice(banks, "counterparty flows"):
    st.stop()
cols = st.columns(4)
cols[0].metric("Counterparty banks", ui.count(len(banks)))
cols[1].metric("Sent", ui.vnd(banks["sent_million_vnd"].sum() * 1e6))
cols[2].metric("Received", ui.vnd(banks["received_million_vnd"].sum() * 1e6))
cols[3].metric("Net position", ui.vnd(banks["net_million_vnd"].sum() * 1e6))
ui.bar(banks, "bank_short_name:N", "net_million_vnd:Q", color="is_domestic:N",
       title="Net position by counterparty bank (million VND; above zero: more came in than left)", horizontal=True)
ui.table(banks)

bank = st.selectbox("Daily flows for", banks["bank_code"].tolist(),
                    format_func=dict(zip(banks["bank_code"], banks["bank_short_name"], strict=True)).get,
                    key="bank_pick")
daily = ui.run(f"""
    select flow_date, 'sent' as direction, completed_amount_vnd / 1e6 as million_vnd
    from marts.mart_bank_counterparty_flows where bank_code = %(bank)s and {where}
    union all
    select flow_date, 'received' as direction, inbound_amount_vnd / 1e6 as million_vnd
    from marts.mart_bank_counterparty_flows where bank_code = %(bank)s and {where}
    order by flow_date, direction
""", {**params, "bank": bank})
ui.line(daily, "flow_date:T", "million_vnd:Q", color="direction:N",
        title="Sent and received per day (million VND)")
