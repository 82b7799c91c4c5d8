"""Data quality: test results of recent builds, the rows held in quarantine, and the balances the core
reports against the ledger."""

import streamlit as st

from dashboard import ui

st.title("Data quality")
quarantine = ui.run("""
    select raw_table, dq_reason, quarantined_rows, rationale from marts.rpt_quarantine_summary
    order by quarantined_rows desc, raw_table, dq_reason
""")
volumes = ui.run("""
    select transaction_date, transaction_type, transaction_count from marts.rpt_daily_transaction_volumes
    order by transaction_date, transaction_type
""")
runs = ui.run("""
    select invocation_id, run_started_at, model_name, test_count, passed_count, warned_count, failed_count,
           errored_count, unit_test_count, failing_rows, execution_seconds
    from marts.rpt_data_quality
    order by run_started_at desc, model_name
""")
cols = st.columns(3)
cols[0].metric("Quarantined rows", ui.count(quarantine["quarantined_rows"].sum() if len(quarantine) else 0))
latest = runs[runs["invocation_id"] == runs["invocation_id"].iloc[0]] if len(runs) else runs
cols[1].metric("Tests in the latest recorded build", ui.count(latest["test_count"].sum() if len(latest) else 0))
cols[2].metric("Failing or warning tests",
               ui.count((latest["failed_count"].sum() + latest["warned_count"].sum()) if len(latest) else 0))

st.subheader("Quarantine")
if quarantine.empty:
    st.success("No rows are in quarantine: every raw row passed the standards.")
else:
    ui.bar(quarantine, "raw_table:N", "quarantined_rows:Q", color="dq_reason:N", title="Quarantined rows",
           horizontal=True)
    ui.table(quarantine)

st.subheader("Balances: the core against the ledger")
st.caption("Each account's balance as the core reports it, against its opening balance plus every completed flow "
           "the warehouse holds (docs/domain.md §4a). A difference is explained when flows of the account are held "
           "in quarantine; an unexplained one fails the build.")
reconciliation = ui.run("""
    select reconciliation_status, count(*) as accounts, sum(difference_vnd) / 1e6 as difference_million_vnd
    from marts.rpt_balance_reconciliation group by reconciliation_status order by reconciliation_status
""")
if not reconciliation.empty:
    by_status = dict(zip(reconciliation["reconciliation_status"], reconciliation["accounts"], strict=True))
    cols = st.columns(3)
    cols[0].metric("Accounts reconciled", ui.count(by_status.get("reconciled", 0)))
    cols[1].metric("Explained by quarantine", ui.count(by_status.get("explained_by_quarantine", 0)))
    cols[2].metric("Unexplained", ui.count(by_status.get("unexplained", 0)))
    differing = ui.run("""
        select account_id, customer_id, core_balance_vnd, ledger_balance_vnd, difference_vnd, quarantined_flow_count,
               reconciliation_status
        from marts.rpt_balance_reconciliation where reconciliation_status <> 'reconciled'
        order by abs(difference_vnd) desc, account_id limit 200
    """)
    if not differing.empty:
        ui.table(differing)

st.subheader("Daily volumes")
st.caption("Clean transactions per day and type: the series the anomaly standards watch (a day beyond "
           "3 standard deviations of the two weeks before it warns).")
if not volumes.empty:
    ui.line(volumes, "transaction_date:T", "transaction_count:Q", color="transaction_type:N",
            title="Transactions per day and type")

st.subheader("Test results by model")
if runs.empty:
    st.info("No test results recorded yet: they are written at the end of a build and shown from the next one.")
else:
    st.caption(ui.plain(f"Latest recorded build {latest['invocation_id'].iloc[0]} at "
                        f"{latest['run_started_at'].iloc[0]}"))
    ui.table(latest)
    history = runs.groupby("run_started_at", as_index=False)[["passed_count", "warned_count", "failed_count"]].sum()
    ui.line(history.melt(id_vars="run_started_at", var_name="result", value_name="tests"),
            "run_started_at:T", "tests:Q", color="result:N", title="Tests per build")
