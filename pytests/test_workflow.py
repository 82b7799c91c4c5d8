"""The case workflow (pipeline/workflow.py, models/marts/workflow): analysts' actions drive each case's
status, the store is append-only (on PostgreSQL only the fraud_analyst role may insert, and nobody may
change a row), a build while actions are written loses none, and bad input is one line with exit 2.
Each engine's test works on its own copy of the shared warehouse with its own store."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
import time

import psycopg2
import pytest

from pipeline import workflow
from pipeline.workflow import Action, CaseFacts

from .conftest import ROOT, duckdb_fetch, pg_env, postgres_fetch, run_bankgen, run_dbt, throwaway_database

ARTEFACTS = ROOT / "target" / "test-artifacts"
SELECT = ["--select", "stg_workflow__case_actions+", "--exclude", "resource_type:unit_test"]


class Warehouse:
    """One engine's copy of the built warehouse, with its own workflow store."""

    def __init__(self, engine, env, fetch, record, tmp_path):
        self.engine, self.env, self.fetch, self.record, self.tmp_path = engine, env, fetch, record, tmp_path

    def build(self):
        result = run_dbt("build", "--target", self.engine, "--target-path", str(self.tmp_path / "target"),
                         *SELECT, env=self.env)
        assert result.returncode == 0, result.stdout[-3000:]

    def cases(self, n):
        return [c for (c,) in self.fetch("select case_id from marts.fct_fraud_cases order by case_id")][:n]

    def as_of(self):
        return self.fetch("select max(transacted_at) from marts.fct_transactions")[0][0]


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request, built_duckdb, tmp_path):
    store = tmp_path / "store"
    if request.param == "duckdb":
        built_duckdb.assert_green()
        db = tmp_path / "warehouse.duckdb"
        shutil.copy(built_duckdb.duckdb_path, db)
        workflow.ensure_file_store(store)
        env = {"TIMO_DUCKDB_PATH": str(db), "TIMO_WORKFLOW_DIR": str(store), "DBT_LOG_PATH": str(tmp_path / "logs")}
        yield Warehouse("duckdb", env, duckdb_fetch(db), lambda actions: workflow.append_files(actions, store),
                        tmp_path)
        return
    built = request.getfixturevalue("built_postgres")
    built.assert_green()
    with throwaway_database(template=built.settings.dbname) as settings:
        analyst = workflow.PostgresSettings(settings.host, settings.port, "fraud_analyst", "", settings.dbname)
        env = {**pg_env(settings), "DBT_LOG_PATH": str(tmp_path / "logs")}
        yield Warehouse("postgres", env, postgres_fetch(settings),
                        lambda actions: workflow.append_postgres(actions, analyst), tmp_path)


def test_actions_drive_each_case_status(warehouse):
    """Status from the latest action, reopen included; who holds the case; escalation; outcome only on
    a closed case; a case nobody touched is open; an action on a case the warehouse does not hold is
    kept and marked, not dropped."""
    c = warehouse.cases(7)
    assert len(c) == 7
    start = warehouse.as_of() - dt.timedelta(days=2)

    def at(hours):
        return start + dt.timedelta(hours=hours)
    script = {
        c[0]: [("assign", None, "ana")],
        c[1]: [("assign", None, "ana"), ("start", None, None)],
        c[2]: [("assign", None, "ana"), ("start", None, None), ("escalate", None, "lead")],
        c[3]: [("assign", None, "ana"), ("start", None, None), ("close", "false_positive", None)],
        c[4]: [("assign", None, "ana"), ("close", "confirmed_fraud", None), ("reopen", None, None)],
        c[5]: [("assign", None, "ana"), ("close", "confirmed_fraud", None), ("reopen", None, None),
               ("assign", None, "bao"), ("escalate", None, "lead"), ("close", "inconclusive", None)],
        "not-a-case": [("assign", None, "ana")],
    }
    actions = [Action(case_id, action, actor="ana", outcome=outcome, assignee=assignee, acted_at=at(i + 3 * n),
                      note="<b>typed</b> 'text'")
               for n, (case_id, steps) in enumerate(script.items())
               for i, (action, outcome, assignee) in enumerate(steps)]
    assert warehouse.record(actions) == len(actions)
    warehouse.build()

    got = {row[0]: row[1:] for row in warehouse.fetch(
        "select case_id, case_status, assignee, is_escalated, outcome, action_count, reopen_count "
        "from marts.fct_case_workflow")}
    assert got[c[0]] == ("assigned", "ana", False, None, 1, 0)
    assert got[c[1]] == ("in_review", "ana", False, None, 2, 0)
    assert got[c[2]] == ("in_review", "lead", True, None, 3, 0)
    assert got[c[3]] == ("closed", "ana", False, "false_positive", 3, 0)
    assert got[c[4]] == ("open", None, False, None, 3, 1)
    assert got[c[5]] == ("closed", "lead", True, "inconclusive", 6, 1)
    assert got[c[6]] == ("open", None, False, None, 0, 0)
    assert "not-a-case" not in got
    for case_id, steps in script.items():  # the Python rule the dashboard uses agrees with the marts
        if case_id in got:
            assert workflow.status_after([{"action": a} for a, _, _ in steps]) == got[case_id][0]

    kept = warehouse.fetch("select case_id, is_current_case, note from marts.fct_case_actions")
    assert len(kept) == len(actions)
    assert [(case_id, current) for case_id, current, _ in kept if not current] == [("not-a-case", False)]
    assert {note for *_, note in kept} == {"<b>typed</b> 'text'"}  # stored as typed

    (outcomes,) = warehouse.fetch("select sum(confirmed_fraud_count), sum(false_positive_count), "
                                  "sum(inconclusive_count), sum(closed_count), sum(open_count) "
                                  "from marts.rpt_case_outcomes")
    assert tuple(int(v) for v in outcomes[:4]) == (0, 1, 1, 2)
    (workload,) = warehouse.fetch("select closed_count from marts.rpt_analyst_workload where analyst = 'ana'")
    assert workload[0] == 4  # every close (two of them on one case) was recorded with actor ana


def test_a_build_while_actions_are_written_loses_none(warehouse):
    """Actions are written one by one for as long as a build runs (it reads the store midway); the next
    build holds every one of them."""
    cases = warehouse.cases(10)
    start = warehouse.as_of() - dt.timedelta(days=1)
    written, stop = [], threading.Event()

    def writer():
        n = 0
        while not stop.is_set() or n < 5:
            action = Action(cases[n % len(cases)], "assign", "writer", assignee=f"a{n}",
                            acted_at=start + dt.timedelta(seconds=n))
            warehouse.record([action])
            written.append(action)
            n += 1
            time.sleep(0.05)
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        warehouse.build()
    finally:
        stop.set()
        thread.join(timeout=60)
    assert len(written) >= 5
    warehouse.build()
    (count,) = warehouse.fetch("select count(*) from marts.fct_case_actions where actor = 'writer'")[0]
    assert count == len(written)


@pytest.mark.postgres
def test_the_analyst_role_inserts_and_reads_and_nobody_changes_a_row(built_postgres):
    built_postgres.assert_green()
    with throwaway_database(template=built_postgres.settings.dbname) as settings:
        analyst = workflow.PostgresSettings(settings.host, settings.port, "fraud_analyst", "", settings.dbname)
        when = dt.datetime(2026, 10, 20, 9, 30)
        assert workflow.append_postgres([Action("case-1", "assign", "ana", assignee="ana", acted_at=when)],
                                        analyst) == 1
        assert [r["case_id"] for r in workflow.read_postgres(analyst)] == ["case-1"]

        def as_role(role, sql):
            conn = psycopg2.connect(host=settings.host, port=settings.port, user=role, dbname=settings.dbname)
            try:
                with conn.cursor() as cur:
                    cur.execute(sql)
                conn.commit()
            finally:
                conn.close()
        for sql in ("update workflow.case_actions set note = 'changed'", "delete from workflow.case_actions",
                    "truncate workflow.case_actions"):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                as_role("fraud_analyst", sql)
            with pytest.raises(psycopg2.errors.RaiseException, match="append-only"):
                as_role(settings.user, sql)  # the owner too: the trigger refuses it
        for role in ("dashboard", "analyst"):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                as_role(role, "insert into workflow.case_actions (action_id, case_id, action, actor, acted_at) "
                              "values ('x', 'case-2', 'start', 'me', now())")
        with pytest.raises(psycopg2.errors.CheckViolation):  # a close needs its outcome, in the table too
            as_role("fraud_analyst", "insert into workflow.case_actions (action_id, case_id, action, actor, "
                                     "acted_at) values ('y', 'case-2', 'close', 'me', now())")
        assert len(workflow.read_postgres(analyst)) == 1


def test_bad_actions_are_one_line_and_exit_2(built_duckdb, tmp_path):
    built_duckdb.assert_green()
    env = {"TIMO_DUCKDB_PATH": str(built_duckdb.duckdb_path), "TIMO_WORKFLOW_DIR": str(tmp_path / "store")}
    (case_id,), = duckdb_fetch(built_duckdb.duckdb_path)("select case_id from marts.fct_fraud_cases limit 1")
    bad = {
        ("--case", case_id, "--action", "close", "--actor", "me"): "outcome must be one of",
        ("--case", case_id, "--action", "approve", "--actor", "me"): "action must be one of",
        ("--case", case_id, "--action", "assign", "--actor", "me"): "assignee is required",
        ("--case", case_id, "--action", "start"): "actor is required",
        ("--case", "no-such-case", "--action", "start", "--actor", "me"): "is not a case of the warehouse",
        ("--case", case_id, "--action", "reopen", "--actor", "me"): "cannot be given 'reopen'",
        ("--case", case_id, "--action", "start", "--actor", "me", "--note", "x" * 2001): "note is longer",
    }
    for args, message in bad.items():
        result = run_bankgen("workflow", "record", *args, env=env)
        assert result.returncode == 2 and result.stderr.count("\n") == 1, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
    assert not list((tmp_path / "store").glob("case_actions/2*.parquet"))  # nothing was recorded
    ok = run_bankgen("workflow", "record", "--case", case_id, "--action", "start", "--actor", "me", env=env)
    assert ok.returncode == 0, ok.stderr
    assert [r["action"] for r in workflow.read_files(tmp_path / "store")] == ["start"]


def test_the_history_is_plausible_and_deterministic():
    as_of = dt.datetime(2026, 10, 31, 23, 0)
    cases = [CaseFacts(f"c{i:03d}", as_of - dt.timedelta(hours=7 * i), holds_fraud=i % 3 == 0) for i in range(120)]
    history = workflow.plausible_history(cases, as_of, seed=5)
    assert history == workflow.plausible_history(cases, as_of, seed=5)
    assert history != workflow.plausible_history(cases, as_of, seed=6)
    assert all(a.acted_at <= as_of for a in history)
    opened = {c.case_id: c.opened_at for c in cases}
    assert all(a.acted_at > opened[a.case_id] for a in history)
    assert not {a.case_id for a in history} & {c.case_id for c in cases if c.opened_at > as_of - dt.timedelta(days=1)}
    for action in history:
        action.checked()  # every action is valid on its own
    by_case = {}
    for action in history:
        by_case.setdefault(action.case_id, []).append(action)
    for steps in by_case.values():  # and every step may follow the one before it
        status = "open"
        for step in steps:
            workflow.check_allowed(status, step.action)
            status = workflow.status_after([{"action": step.action}])
    closes = [a for a in history if a.action == "close"]
    fraud = {c.case_id for c in cases if c.holds_fraud}
    assert closes and all(a.outcome != "false_positive" for a in closes if a.case_id in fraud)
    assert {a.action for a in history} >= {"assign", "start", "close"}


def test_an_analyst_closes_a_case_in_the_browser_and_the_next_build_shows_it(built_duckdb, tmp_path):
    """`make dashboard` over a copy of the warehouse with its own store: in headless Chromium, the
    analyst closes the queue's first case as confirmed fraud with a note written as HTML; the action is
    in the store as typed; after the next build the page counts one open case fewer."""
    import os
    import subprocess

    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from .browser import browser as new_browser
    from .browser import free_port, wait_for, wait_until_serving
    from .conftest import BIN

    built_duckdb.assert_green()
    db, store = tmp_path / "shown.duckdb", tmp_path / "store"
    shutil.copy(built_duckdb.duckdb_path, db)
    workflow.ensure_file_store(store)
    env = {"TIMO_DUCKDB_PATH": str(db), "TIMO_WORKFLOW_DIR": str(store), "DBT_LOG_PATH": str(tmp_path / "logs")}
    first = duckdb_fetch(db)("select c.case_id, c.recommended_action from marts.fct_fraud_cases as c "
                             "order by c.risk_score desc, c.last_signal_at desc, c.case_id limit 1")[0]
    metric = "Open cases to block" if first[1] == "block" else "Open cases to review"
    port, log = free_port(), tmp_path / "streamlit.log"
    with log.open("w") as out:
        server = subprocess.Popen([str(BIN / "streamlit"), "run", str(ROOT / "dashboard" / "app.py"),
                                   "--server.port", str(port)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                  env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}/fraud_queue"
    browser = new_browser()
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/_stcore/health", server, log, timeout=60)
        browser.get(url)

        def text():
            return browser.find_element(By.TAG_NAME, "body").text

        def metric_value():
            found = [m.text.split("\n")[1] for m in browser.find_elements(By.CSS_SELECTOR, '[data-testid="stMetric"]')
                     if m.text.startswith(metric + "\n")]
            return int(found[0].replace(",", "")) if found else None
        before = wait_for(browser, metric_value, f"the {metric!r} metric")
        wait_for(browser, lambda: "Record action" in text(), "the case form")
        browser.find_element(By.CSS_SELECTOR, 'input[aria-label="Your name"]').send_keys("Trang Nguyen")
        action = [b for b in browser.find_elements(By.CSS_SELECTOR, '[data-testid="stSelectbox"]')
                  if b.text.startswith("Action")][0]
        action.find_element(By.CSS_SELECTOR, "input").send_keys("close", Keys.ENTER)
        note = browser.find_element(By.CSS_SELECTOR, 'textarea[aria-label="Note"]')
        note.send_keys("<script>alert(1)</script> card stolen, customer confirmed")
        note.send_keys(Keys.CONTROL, Keys.ENTER)  # the form's own shortcut for its submit button
        wait_for(browser, lambda: "Recorded: close by Trang Nguyen" in text(), "the confirmation")
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(ARTEFACTS / "dashboard-case-closed.png"))
        recorded = workflow.read_files(store)
        assert [(r["case_id"], r["action"], r["outcome"], r["actor"], r["note"]) for r in recorded] == [
            (first[0], "close", "confirmed_fraud", "Trang Nguyen",
             "<script>alert(1)</script> card stolen, customer confirmed")]
        assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')

        result = run_dbt("build", "--target", "duckdb", "--target-path", str(tmp_path / "target"), *SELECT, env=env)
        assert result.returncode == 0, result.stdout[-3000:]
        browser.get(url)
        wait_for(browser, lambda: metric_value() == before - 1, f"{metric} to fall from {before} to {before - 1}")
        assert duckdb_fetch(db)("select case_status, outcome from marts.fct_case_workflow where case_id = ?"
                                .replace("?", f"'{first[0]}'")) == [("closed", "confirmed_fraud")]
    finally:
        browser.quit()
        server.terminate()
        server.wait(timeout=30)


def test_the_backtest_point_for_the_current_thresholds_equals_the_built_marts(built_duckdb, tmp_path, monkeypatch):
    """`bankgen backtest` on a copy of the shared warehouse with analysts' outcomes recorded: the setting
    in dbt_project.yml reproduces the built marts exactly; a lower threshold raises at least as many
    alerts and a higher one at most as many; the warehouse itself is unchanged; the Backtest page shows
    the figures."""
    from streamlit.testing.v1 import AppTest

    built_duckdb.assert_green()
    db, store, out = tmp_path / "w.duckdb", tmp_path / "store", tmp_path / "backtests"
    shutil.copy(built_duckdb.duckdb_path, db)
    fetch = duckdb_fetch(db)
    cases = [c for (c,) in fetch("select case_id from marts.fct_fraud_cases where typology = 'structuring' "
                                 "order by case_id")]
    as_of = fetch("select max(transacted_at) from marts.fct_transactions")[0][0]
    workflow.append_files([Action(cases[0], "close", "ana", outcome="confirmed_fraud", acted_at=as_of),
                           Action(cases[-1], "close", "ana", outcome="false_positive", acted_at=as_of)], store)
    env = {"TIMO_DUCKDB_PATH": str(db), "TIMO_WORKFLOW_DIR": str(store), "DBT_LOG_PATH": str(tmp_path / "logs")}
    built = run_dbt("build", "--target", "duckdb", "--target-path", str(tmp_path / "target"), *SELECT, env=env)
    assert built.returncode == 0, built.stdout[-3000:]
    before = fetch("select * from marts.fct_fraud_cases order by case_id")

    result = run_bankgen("backtest", "--rule", "structuring", "--set", "structuring_min_count=2,3,4",
                         "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    document = json.loads((out / "backtest_structuring.json").read_text())
    points = {r["setting"]["structuring_min_count"]: r for r in document["results"]}
    assert [r["is_current"] for r in document["results"]] == [False, True, False]

    (alerts,), = fetch("select count(*) from marts.fct_risk_alerts where rule_code = 'structuring'")
    (planted, found, recall, n_cases, true_cases, precision), = fetch(
        "select planted_events, found_events, event_recall, cases, true_cases, case_precision "
        "from marts.eval_case_detection_quality where typology = 'structuring'")
    now = points[3]
    assert (now["alerts"], now["cases"], now["planted_events"], now["found_events"], now["true_cases"]) == (
        alerts, n_cases, planted, found, true_cases)
    assert now["event_recall"] == round(recall, 6) and now["case_precision"] == round(precision, 6)
    assert (now["confirmed_fraud"], now["false_positive"], now["analyst_precision"]) == (1, 1, 0.5)
    assert points[2]["alerts"] >= now["alerts"] >= points[4]["alerts"]
    assert points[2]["alerts"] > points[4]["alerts"]
    assert fetch("select * from marts.fct_fraud_cases order by case_id") == before  # the warehouse is untouched
    assert not list(out.glob(".scratch*"))
    csv_rows = (out / "backtest_structuring.csv").read_text().splitlines()
    assert len(csv_rows) == 4 and csv_rows[0].startswith("rule_code,setting,is_current,alerts")

    monkeypatch.setenv("TIMO_BACKTEST_DIR", str(out))
    monkeypatch.setenv("TIMO_DUCKDB_PATH", str(db))
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
    at.run()
    at.switch_page(str(ROOT / "dashboard" / "views" / "backtest.py")).run()
    assert not at.exception and not at.error
    shown = {m.label: m.value for m in at.metric}
    assert shown["Alerts now"] == f"{alerts:,}" and shown["Settings replayed"] == "3"
    assert len(at.get("vega_lite_chart")) == 1 and len(at.dataframe[-1].value) == 3


def test_bad_backtests_are_one_line_and_exit_2(tmp_path):
    bad = {
        ("--rule", "no_such_rule", "--set", "structuring_min_count=2"): "is not a rule",
        ("--rule", "structuring"): "give at least one --set",
        ("--rule", "structuring", "--set", "structuring_min_count=two"): "is not a number",
        ("--rule", "structuring", "--set", "no_such_var=1"): "not a numeric var",
        ("--rule", "structuring", "--set", "structuring_min_count"): "expected name=value",
        ("--rule", "structuring", "--set", "structuring_min_count=2", "--duckdb-path",
         str(tmp_path / "none.duckdb")): "no warehouse at",
    }
    for args, message in bad.items():
        result = run_bankgen("backtest", *args, "--out", str(tmp_path / "out"))
        assert result.returncode == 2 and result.stderr.count("\n") == 1, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
