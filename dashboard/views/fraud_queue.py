"""Fraud queue: the cases to work, by risk score, with their status and the form to act on one, then
every signal (alert) with drill-down to the transaction and its authentication trail."""

import streamlit as st

from dashboard import ui
from dashboard.warehouse import WarehouseError, case_history, record_case_action
from pipeline import workflow

st.title("Fraud queue")

cases = ui.run("""
    select c.case_id, w.case_status, w.assignee, w.severity, c.typology, c.risk_score, c.recommended_action,
           c.customer_id, c.first_signal_at, c.last_signal_at, w.age_hours, w.sla_hours, w.is_sla_breached,
           c.signal_count, c.transaction_count, c.completed_amount_vnd, c.attempted_amount_vnd,
           c.contributing_rules
    from marts.fct_fraud_cases as c
    inner join marts.fct_case_workflow as w on c.case_id = w.case_id
    order by case w.case_status when 'closed' then 1 else 0 end, c.risk_score desc, c.last_signal_at desc, c.case_id
""")
volume = ui.run("select count(*) as n from marts.fct_transactions")
c1, c2, c3, c4 = st.columns(4)
unclosed = cases[cases["case_status"] != "closed"]
c1.metric("Open cases to block", ui.count(int((unclosed["recommended_action"] == "block").sum())))
c2.metric("Open cases to review", ui.count(int((unclosed["recommended_action"] == "review").sum())))
c3.metric("Past their SLA", ui.count(int(unclosed["is_sla_breached"].sum())))
per_thousand = 1000 * len(cases) / volume["n"].iloc[0] if len(volume) and volume["n"].iloc[0] else 0
c4.metric("Cases per 1,000 transactions", f"{per_thousand:.2f}")
st.subheader("Cases")
st.caption("A customer's connected signals, scored per typology with the weights in "
           "seeds/typology_rule_weights.csv; a case enters the queue at its typology's review score.")
if not ui.empty_notice(cases, "cases"):
    ui.table(cases)
    labels = {row.case_id: f"{row.case_status} · {row.risk_score} · {row.typology} · customer {row.customer_id}"
              for row in cases.itertuples()}
    case_id = st.selectbox("Case", list(labels), format_func=labels.get, key="queue_case")
    case_transactions = ui.run("""
        select t.transaction_id, t.transacted_at, t.customer_id, t.transaction_type, t.transaction_status,
               t.amount_vnd, t.counterparty_bank_code, t.device_id, t.is_device_trusted
        from marts.fct_fraud_case_transactions as c
        inner join marts.fct_transactions as t on c.transaction_id = t.transaction_id
        where c.case_id = %(case_id)s
        order by t.transacted_at, t.transaction_id
    """, {"case_id": case_id})
    st.markdown("**The case's transactions**")
    ui.table(case_transactions)

    # the case's workflow: what was recorded (built or not yet), and the form to act on it
    selected = cases[cases["case_id"] == case_id].iloc[0]
    cfg = ui.config()
    try:
        history = case_history(cfg, case_id)
    except WarehouseError as exc:
        st.error(str(exc))
        st.stop()
    recorded_status = workflow.status_after(history.to_dict("records"))
    st.markdown(f"**Workflow** · status at the last build: `{ui.code_text(selected['case_status'])}`"
                + (f" · recorded since: `{recorded_status}` (shown here after the next build)"
                   if recorded_status != selected["case_status"] else ""))
    if "case_flash" in st.session_state:
        st.success(st.session_state.pop("case_flash"))
    if not history.empty:
        ui.table(history)
    allowed = workflow.ALLOWED_FROM[recorded_status]
    with st.form("case_action", clear_on_submit=True):
        f1, f2 = st.columns(2)
        actor = f1.text_input("Your name", key="case_actor", max_chars=workflow.MAX_TEXT["actor"])
        action = f2.selectbox("Action", allowed, key="case_action_choice")
        f3, f4 = st.columns(2)
        assignee = f3.text_input("Assign to (assign, escalate)", key="case_assignee",
                                 max_chars=workflow.MAX_TEXT["assignee"])
        outcome = f4.selectbox("Outcome (close)", workflow.OUTCOMES, key="case_outcome")
        note = st.text_area("Note", key="case_note", max_chars=workflow.MAX_TEXT["note"])
        if st.form_submit_button("Record action"):
            entry = workflow.Action(case_id=case_id, action=action, actor=actor, note=note,
                                    assignee=assignee if action in ("assign", "escalate") else None,
                                    outcome=outcome if action == "close" else None)
            try:
                record_case_action(cfg, entry)
            except workflow.WorkflowError as exc:
                st.error(f"Not recorded: {exc}")
            except Exception as exc:  # the store refused (a role without the right, a full disk)
                st.error(f"Not recorded: {ui.plain(exc)}")
            else:
                st.session_state["case_flash"] = (f"Recorded: {action} by {ui.plain(actor)}. The case's status "
                                                  "changes on the next build.")
                st.rerun()

st.subheader("Signals")
f = ui.filters()
columns = {"date": "alert_date", "segment": "customer_type", "type": "transaction_type",
           "status": "transaction_status", "class": "required_level"}
where, params = f.where(columns)
st.caption(f.describe(columns))

choices = ui.run(f"""
    select distinct severity, severity_rank, coalesce(typology, 'other') as typology, rule_id
    from marts.mart_fraud_alert_queue where {where}
""", params)
if ui.empty_notice(choices, "alerts"):
    st.stop()
c1, c2, c3 = st.columns(3)
severities = c1.multiselect("Severity", choices.sort_values("severity_rank")["severity"].unique().tolist(),
                            key="queue_severity", placeholder="All severities")
typologies = c2.multiselect("Typology", sorted(choices["typology"].unique()), key="queue_typology",
                            placeholder="All typologies")
rules = c3.multiselect("Rule", sorted(choices["rule_id"].unique()), key="queue_rule", placeholder="All rules")
extra, extra_params = [], {}
if severities:
    extra.append("severity = any(%(q_severity)s)")
    extra_params["q_severity"] = severities
if typologies:
    extra.append("coalesce(typology, 'other') = any(%(q_typology)s)")
    extra_params["q_typology"] = typologies
if rules:
    extra.append("rule_id = any(%(q_rule)s)")
    extra_params["q_rule"] = rules
queue_where = " and ".join([where, *extra])
queue_params = {**params, **extra_params}

summary = ui.run(f"""
    select severity, severity_rank, count(*) as alerts, count(distinct customer_id) as customers
    from marts.mart_fraud_alert_queue where {queue_where}
    group by severity, severity_rank order by severity_rank
""", queue_params)
cols = st.columns(max(len(summary), 1))
for col, row in zip(cols, summary.itertuples(), strict=False):
    col.metric(ui.plain(f"{row.severity.title()} alerts"), ui.count(row.alerts), help=f"{row.customers:,} customers")

queue = ui.run(f"""
    select q.alert_id, q.severity, q.rule_id, q.rule_code, q.typology,
           coalesce(w.case_status, 'no case') as case_status, w.assignee, q.alerted_at, q.customer_id, q.full_name,
           q.phone_number_masked, q.transaction_id, q.transaction_type, q.amount_vnd, q.trigger_value,
           q.threshold_value, q.trigger_details
    from (
        select * from marts.mart_fraud_alert_queue where {queue_where}
        order by severity_rank, alerted_at desc, alert_id
        limit 1000
    ) as q
    left join marts.fct_fraud_case_signals as s on q.alert_id = s.alert_id
    left join marts.fct_case_workflow as w on s.case_id = w.case_id
    order by q.severity_rank, q.alerted_at desc, q.alert_id
""", queue_params)
st.caption("An alert's status is its case's (the case workflow); an alert whose signals never reached a "
           "typology's review score belongs to no case.")
st.subheader("Queue" + (" (first 1,000)" if len(queue) == 1000 else ""))
ui.table(queue)

st.subheader("Drill-down")
with_txn = queue[queue["transaction_id"].notna()]
if with_txn.empty:
    st.info("None of these alerts is about a single transaction (account- or customer-level rules).")
    st.stop()
labels = {row.alert_id: f"{row.severity} · {row.rule_id} {row.rule_code} · {row.transaction_id}"
          for row in with_txn.itertuples()}
alert_id = st.selectbox("Alert", list(labels), format_func=labels.get, key="queue_alert")
transaction_id = with_txn.loc[with_txn["alert_id"] == alert_id, "transaction_id"].iloc[0]
txn = ui.run("""
    select transaction_id, transacted_at, customer_id, from_account_id, transaction_type, transaction_status,
           channel, amount_vnd, sbv_group, required_level, achieved_level, is_compliant, device_id, device_type,
           is_device_trusted, is_first_use_of_new_device, counterparty_bank_code, is_new_payee,
           daily_total_before_vnd
    from marts.fct_transactions where transaction_id = %(transaction_id)s
""", {"transaction_id": transaction_id})
st.markdown(f"**Transaction {transaction_id}**")
st.dataframe(txn.T.rename(columns={0: "value"}).astype(str), width="stretch")
trail = ui.run("""
    select attempt_number, authenticated_at, seconds_after_transaction, method_code, factor_category,
           auth_result, failure_reason, device_id
    from marts.fct_authentication_events where transaction_id = %(transaction_id)s
    order by attempt_number, authenticated_at
""", {"transaction_id": transaction_id})
st.markdown("**Authentication trail**")
if not ui.empty_notice(trail, "authentication attempts"):
    ui.table(trail)
others = ui.run("""
    select alert_id, rule_id, rule_code, severity, trigger_details
    from marts.mart_fraud_alert_queue where transaction_id = %(transaction_id)s order by severity_rank, alert_id
""", {"transaction_id": transaction_id})
st.markdown("**Every alert on this transaction**")
ui.table(others)
