"""Customer view: one customer's details (PII masked), accounts, transactions and anomalies."""

import streamlit as st

from dashboard import ui

st.title("Customer view")
candidates = ui.run("""
    select customer_id, full_name, customer_type, alert_count
    from marts.mart_customer_overview
    order by alert_count desc, completed_amount_vnd desc, customer_id
    limit 500
""")
if ui.empty_notice(candidates, "customers"):
    st.stop()
labels = {row.customer_id: f"{row.customer_id} · {row.full_name} · {row.customer_type} · {row.alert_count} alerts"
          for row in candidates.itertuples()}
typed = st.text_input("Customer id (or pick one of the 500 most alerted below)", key="customer_id_typed").strip()
picked = st.selectbox("Customer", list(labels), format_func=labels.get, key="customer_pick")
if typed and not typed.isdigit():
    st.warning(f"{ui.plain(repr(typed))} is not a customer id: ids are whole numbers.")
    st.stop()
customer_id = int(typed) if typed else picked

details = ui.run("select * from marts.mart_customer_overview where customer_id = %(customer_id)s",
                 {"customer_id": customer_id})
if details.empty:
    st.warning(f"No customer {customer_id!r} in the marts.")
    st.stop()
c = details.iloc[0]
st.subheader(ui.plain(f"{c['full_name']} ({c['customer_type']}, {c['customer_status']})"))
cols = st.columns(4)
cols[0].metric("Transactions", ui.count(c["transaction_count"]))
cols[1].metric("Completed amount", ui.vnd(c["completed_amount_vnd"]))
cols[2].metric("Below the required level", ui.count(c["non_compliant_count"]))
cols[3].metric("Alerts", ui.count(c["alert_count"]))
st.markdown(  # inline code shows its content literally; a backtick inside is replaced so it cannot close it
    f"CCCD `{ui.code_text(c['cccd_number_masked'])}` · phone `{ui.code_text(c['phone_number_masked'])}` · "
    f"email `{ui.code_text(c['email_masked'])}` · {ui.plain(c['province_name'])} · "
    f"registered {c['registration_date']:%d %b %Y}")

accounts = ui.run("""
    select account_id, account_number, account_type, currency_code, account_status, balance_vnd,
           transaction_count, opened_at, last_transaction_at
    from marts.dim_accounts where customer_id = %(customer_id)s order by account_id
""", {"customer_id": customer_id})
st.subheader("Accounts")
ui.table(accounts)
history = ui.run("""
    select account_id, version_number, account_status, valid_from, valid_to, is_current
    from marts.dim_account_status_history
    where customer_id = %(customer_id)s and account_id in (
        select account_id from marts.dim_account_status_history
        where customer_id = %(customer_id)s group by account_id having count(*) > 1
    )
    order by account_id, version_number
""", {"customer_id": customer_id})
if not history.empty:
    st.markdown("**Status history** (accounts whose status changed)")
    ui.table(history)

f = ui.filters()
txn_columns = {k: v for k, v in ui.TXN_COLUMNS.items() if k != "segment"}
where, params = f.where(txn_columns)
transactions = ui.run(f"""
    select transaction_id, transacted_at, transaction_type, transaction_status, amount_vnd, required_level,
           achieved_level, is_compliant, device_id, counterparty_bank_code
    from marts.fct_transactions
    where customer_id = %(customer_id)s and {where}
    order by transacted_at desc, transaction_id limit 500
""", {**params, "customer_id": customer_id})
st.subheader("Transactions")
st.caption(f.describe(txn_columns) + " · latest 500")
ui.table(transactions)

anomalies = ui.run("""
    select alert_id, alerted_at, rule_id, rule_code, severity, typology, transaction_id, amount_vnd,
           trigger_value, threshold_value, trigger_details
    from marts.mart_fraud_alert_queue where customer_id = %(customer_id)s
    order by severity_rank, alerted_at desc, alert_id
""", {"customer_id": customer_id})
st.subheader("Anomalies (risk alerts)")
if not ui.empty_notice(anomalies, "alerts"):
    ui.table(anomalies)
