"""Explore: the case study's high-value and authentication-failure reports, downloadable."""

import streamlit as st

from dashboard import ui

st.title("Explore")
f = ui.filters()
where, params = f.where(ui.TXN_COLUMNS)
st.caption(f.describe(ui.TXN_COLUMNS))

high_tab, failure_tab = st.tabs(["High-value transactions", "Authentication failures"])
with high_tab:
    threshold = st.number_input("Minimum amount (VND)", min_value=0, value=100_000_000, step=10_000_000,
                                key="high_value_threshold")
    high = ui.run(f"""
        select transaction_id, transacted_at, customer_id, customer_type, transaction_type, transaction_status,
               amount_vnd, required_level, achieved_level, is_compliant, counterparty_bank_code
        from marts.fct_transactions
        where {where} and amount_vnd >= %(threshold)s
        order by amount_vnd desc, transaction_id
        limit 1000
    """, {**params, "threshold": int(threshold)})
    cols = st.columns(3)
    cols[0].metric("High-value transactions", ui.count(len(high)) + (" (first 1,000)" if len(high) == 1000 else ""))
    cols[1].metric("Their amount", ui.vnd(high["amount_vnd"].sum() if len(high) else 0))
    cols[2].metric("Below the required level", ui.count((~high["is_compliant"].astype(bool)).sum()))
    ui.table(high)
    st.download_button("Download CSV", high.to_csv(index=False), "high_value_transactions.csv", "text/csv")

with failure_tab:
    failures = ui.run(f"""
        select transaction_id, transacted_at, customer_id, transaction_type, transaction_status, amount_vnd,
               auth_attempt_count, auth_failed_count, required_level, achieved_level
        from marts.fct_transactions
        where {where} and auth_failed_count > 0
        order by auth_failed_count desc, transacted_at desc, transaction_id
        limit 1000
    """, params)
    reasons = ui.run(f"""
        select e.failure_reason, e.method_code, count(*) as attempts
        from marts.fct_authentication_events as e
        inner join marts.fct_transactions as t on t.transaction_id = e.transaction_id
        where {where} and not e.is_success
        group by e.failure_reason, e.method_code
        order by attempts desc
    """, params)
    st.metric("Transactions with a failed authentication", ui.count(len(failures)))
    if not ui.empty_notice(reasons, "failed authentications"):
        ui.bar(reasons.groupby("failure_reason", as_index=False)["attempts"].sum(), "failure_reason:N",
               "attempts:Q", title="Failed attempts by reason", horizontal=True)
    ui.table(failures)
    st.download_button("Download CSV", failures.to_csv(index=False), "authentication_failures.csv", "text/csv")
