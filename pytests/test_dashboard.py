"""The Streamlit dashboard: every page through Streamlit's AppTest on a small built warehouse, the
filters, the drill-down, PostgreSQL as the read-only dashboard role, a locked DuckDB file, the
exposure, and a real headless Chromium on the running app (screenshots kept as test artefacts)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psycopg2
import pytest
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from dashboard.warehouse import WarehouseConfig, WarehouseError, query

from .browser import browser as _browser
from .browser import free_port as _free_port
from .browser import wait_for as _wait_for
from .browser import wait_until_serving
from .conftest import BIN, ROOT

APP = str(ROOT / "dashboard" / "app.py")
PAGES = ROOT / "dashboard" / "views"
ARTEFACTS = ROOT / "target" / "test-artifacts"
# page: (metrics, charts, tables) it must show at least
EXPECTED = {
    "overview": (6, 3, 0), "transactions": (0, 5, 2), "security": (3, 4, 2), "behaviour": (0, 3, 2),
    "explore": (4, 1, 2), "customer": (4, 0, 3), "bank": (4, 2, 1), "fraud_queue": (5, 0, 6),
    "compliance": (4, 3, 1), "data_quality": (6, 1, 0), "benford": (3, 1, 1),
    "backtest": (0, 0, 0),  # with no backtest run it says how to run one; test_workflow.py renders a real one
}


@pytest.fixture(autouse=True)
def fresh_cache():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture()
def on_duckdb(built_duckdb, monkeypatch):
    built_duckdb.assert_green()
    monkeypatch.setenv("TIMO_TARGET", "duckdb")
    monkeypatch.setenv("TIMO_DUCKDB_PATH", str(built_duckdb.duckdb_path))
    return built_duckdb.duckdb_path


def _duck(db: Path, sql: str, params=None):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if page and page != "overview":
        at.switch_page(str(PAGES / f"{page}.py")).run()
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_every_page_is_wired_and_expected():
    assert {p.stem for p in PAGES.glob("*.py")} == set(EXPECTED)


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_page_renders_with_data(on_duckdb, page):
    at = _app(page)
    _ok(at)
    metrics, charts, tables = EXPECTED[page]
    assert len(at.title) == 1
    assert len(at.metric) >= metrics
    assert len(at.get("vega_lite_chart")) >= charts
    assert len(at.dataframe) >= tables
    assert all(m.value not in ("", "–") for m in at.metric if m.label != "Nigrini band"), \
        [(m.label, m.value) for m in at.metric]


def test_overview_matches_the_marts(on_duckdb):
    at = _app()
    _ok(at)
    (n, customers), = _duck(on_duckdb, "select count(*), count(distinct customer_id) from marts.fct_transactions")
    assert _number(_metric(at, "Transactions")) == n
    assert _number(_metric(at, "Active customers")) == customers
    (open_alerts,), = _duck(on_duckdb, "select count(*) from marts.mart_fraud_alert_queue where alert_status = 'open'")
    assert _number(_metric(at, "Open alerts")) == open_alerts


def _apply(at: AppTest) -> AppTest:
    return next(b for b in at.sidebar.button if b.label == "Apply").click().run()


def test_filters_change_the_numbers_and_reset_restores_them(on_duckdb):
    at = _app()
    total = _number(_metric(at, "Transactions"))
    (inquiries,), = _duck(on_duckdb, "select count(*) from marts.fct_transactions where transaction_type = 'inquiry'")
    at.sidebar.multiselect(key="w_types").set_value(["inquiry"])
    at = _apply(at)
    _ok(at)
    assert _number(_metric(at, "Transactions")) == inquiries < total
    assert "types: inquiry" in at.caption[0].value

    (first_day,), = _duck(on_duckdb, "select min(transaction_date) from marts.fct_transactions")
    (one_day,), = _duck(on_duckdb, "select count(*) from marts.fct_transactions where transaction_type = 'inquiry' "
                                   "and transaction_date = ?", [first_day])
    at.sidebar.date_input(key="w_dates").set_value((first_day, first_day))
    at = _apply(at)
    assert _number(_metric(at, "Transactions")) == one_day < inquiries

    # the filters hold on another page: the compliance page counts the same day only
    at.switch_page(str(PAGES / "compliance.py")).run()
    (executed,), = _duck(on_duckdb, "select sum(executed_count) from marts.rpt_sbv_daily_compliance "
                                    "where report_date = ?", [first_day])
    assert _number(_metric(at, "Executed transactions")) == executed

    at.switch_page(str(PAGES / "overview.py")).run()
    at = next(b for b in at.sidebar.button if b.label == "Reset filters").click().run()
    _ok(at)
    assert _number(_metric(at, "Transactions")) == total


def test_security_class_and_segment_filters(on_duckdb):
    at = _app()
    at.sidebar.multiselect(key="w_classes").set_value(["C", "D"])
    at.sidebar.multiselect(key="w_segments").set_value(["organization"])
    at = _apply(at)
    (n,), = _duck(on_duckdb, "select count(*) from marts.fct_transactions where required_level in ('C', 'D') "
                             "and customer_type = 'organization'")
    assert _number(_metric(at, "Transactions")) == n > 0


def test_fraud_queue_drills_down_to_the_authentication_trail(on_duckdb):
    at = _app("fraud_queue")
    _ok(at)
    at.multiselect(key="queue_severity").set_value(["critical"]).run()
    _ok(at)
    (critical,), = _duck(on_duckdb, "select count(*) from marts.mart_fraud_alert_queue where severity = 'critical'")
    assert _number(_metric(at, "Critical alerts")) == critical
    alert_id = at.selectbox(key="queue_alert").value
    (transaction_id,), = _duck(on_duckdb, "select transaction_id from marts.mart_fraud_alert_queue where alert_id = ?",
                               [alert_id])
    (attempts,), = _duck(on_duckdb, "select count(*) from marts.fct_authentication_events where transaction_id = ?",
                         [transaction_id])
    trail = at.dataframe[-2].value  # the trail, then every alert on the transaction
    assert len(trail) == attempts > 0
    assert set(trail.columns) >= {"method_code", "auth_result", "attempt_number"}


def test_customer_view_treats_input_as_a_value_not_sql(on_duckdb):
    at = _app("customer")
    _ok(at)
    at.text_input(key="customer_id_typed").set_value("' or 1=1 --").run()
    _ok(at)
    assert any("is not a customer id" in w.value for w in at.warning)
    at.text_input(key="customer_id_typed").set_value("999999999").run()
    _ok(at)
    assert any("No customer 999999999" in w.value for w in at.warning)
    (customer_id,), = _duck(on_duckdb, "select min(customer_id) from marts.mart_customer_overview")
    at.text_input(key="customer_id_typed").set_value(str(customer_id)).run()
    _ok(at)
    (n_accounts,), = _duck(on_duckdb, "select count(*) from marts.dim_accounts where customer_id = ?", [customer_id])
    assert len(at.dataframe[0].value) == n_accounts
    text = " ".join(m.value for m in at.markdown)
    assert re.search(r"CCCD `\*{9}\d{3}`", text), text


def test_a_locked_warehouse_is_reported_retried_and_never_blocks_a_build(on_duckdb, monkeypatch):
    monkeypatch.setenv("TIMO_DASHBOARD_LOCK_RETRIES", "2")
    monkeypatch.setenv("TIMO_DASHBOARD_LOCK_WAIT", "0.2")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); "
                               "sys.stdin.read()", str(on_duckdb)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        at = _app()
        assert not at.exception
        assert any("locked by another process" in w.value for w in at.warning), [w.value for w in at.warning]
        assert not at.metric
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    at.run()
    _ok(at)
    assert _number(_metric(at, "Transactions")) > 0
    # between queries the dashboard holds no lock: a writer (dbt build) can open the file
    writer = subprocess.run([sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1]).close()",
                             str(on_duckdb)], capture_output=True, text=True, timeout=60)
    assert writer.returncode == 0, writer.stderr


def test_a_missing_warehouse_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("TIMO_TARGET", "duckdb")
    monkeypatch.setenv("TIMO_DUCKDB_PATH", str(tmp_path / "nothing.duckdb"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("make run" in e.value for e in at.error)


@pytest.mark.postgres
def test_on_postgres_it_reads_as_the_dashboard_role(built_postgres, monkeypatch):
    built_postgres.assert_green()
    s = built_postgres.settings
    for key, value in {"TIMO_TARGET": "postgres", "PGHOST": s.host, "PGPORT": str(s.port),
                       "PGDATABASE": s.dbname}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("TIMO_DASHBOARD_PGUSER", raising=False)
    cfg = WarehouseConfig.from_env()
    assert cfg.user == "dashboard"
    assert query(cfg, "select current_user as who")["who"].tolist() == ["dashboard"]
    with pytest.raises(WarehouseError, match="may not read"):
        query(cfg, "select * from raw.customers limit 1")
    at = _app()
    _ok(at)
    assert any("as dashboard" in c.value for c in at.sidebar.caption)
    conn = psycopg2.connect(host=s.host, port=s.port, user=s.user, dbname=s.dbname)
    with conn.cursor() as cur:
        cur.execute("select count(*) from marts.fct_transactions")
        (n,) = cur.fetchone()
        cur.execute("select count(*) from marts.fct_transactions where transaction_type = 'inquiry'")
        (inquiries,) = cur.fetchone()
    conn.close()
    assert _number(_metric(at, "Transactions")) == n
    at.sidebar.multiselect(key="w_types").set_value(["inquiry"])
    at = _apply(at)
    assert _number(_metric(at, "Transactions")) == inquiries
    for page in ("fraud_queue", "compliance", "customer"):
        at.switch_page(str(PAGES / f"{page}.py")).run()
        _ok(at)


def test_the_exposure_declares_every_mart_the_dashboard_reads():
    code = " ".join(p.read_text() for p in (ROOT / "dashboard").rglob("*.py"))
    read = set(re.findall(r"marts\.(\w+)", code))
    exposures = yaml.safe_load((ROOT / "models" / "marts" / "_dashboard__exposures.yml").read_text())["exposures"]
    declared = {re.fullmatch(r"ref\('(\w+)'\)", d).group(1) for d in exposures[0]["depends_on"]}
    assert read == declared


# ------------------------------------------------------------------------------------------- browser

PAYLOAD = "[Click](https://evil.example) ![x](https://evil.example/p.png) :red[alarm] $x^2$"


@pytest.fixture()
def running_app(on_duckdb, tmp_path):
    """`streamlit run` as `make dashboard` starts it, from the project folder with its settings file and no
    address flag, over a copy of the warehouse whose most alerted customer is named with markdown."""
    db = tmp_path / "shown.duckdb"
    shutil.copy(on_duckdb, db)
    with duckdb.connect(str(db)) as con:
        con.execute("update marts.mart_customer_overview set full_name = ? where customer_id = ("
                    "select customer_id from marts.mart_customer_overview "
                    "order by alert_count desc, completed_amount_vnd desc, customer_id limit 1)", [PAYLOAD])
    port = _free_port()
    log = (ARTEFACTS / "streamlit.log")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(BIN / "streamlit"), "run", APP, "--server.port", str(port)],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "TIMO_DUCKDB_PATH": str(db)})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(f"{url}/_stcore/health", server, log, timeout=60)
        yield url, port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for name in ("tcp", "tcp6"):
        path = Path("/proc/net") / name
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                if len(address) == 8:
                    found.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]))
                else:
                    words = bytes.fromhex(address)
                    found.add(socket.inet_ntop(socket.AF_INET6, b"".join(words[i:i + 4][::-1]
                                                                         for i in range(0, 16, 4))))
    return found


def test_make_dashboard_binds_to_this_machine_only():
    dry = subprocess.run(["make", "-n", "dashboard"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "--server.address 127.0.0.1" in dry.stdout and "--client.toolbarMode viewer" in dry.stdout, dry.stdout
    wider = subprocess.run(["make", "-n", "dashboard", "ADDRESS=0.0.0.0"], cwd=ROOT, capture_output=True, text=True)
    assert "--server.address 0.0.0.0" in wider.stdout  # another address only when asked for explicitly
    settings = (ROOT / ".streamlit" / "config.toml").read_text()
    assert 'address = "127.0.0.1"' in settings and 'toolbarMode = "viewer"' in settings


def test_builds_never_fail_while_a_reader_queries(on_duckdb, tmp_path):
    """Builds wait for dashboard readers instead of failing to set the lock (profile `retries`).

    Two readers: a slow query holding the file for the first 6 s of each build (so dbt's first
    attempt to open it fails, every time), and the dashboard's pattern throughout: a page view of
    queries through dashboard.warehouse.query, each opening and closing the file, then a pause."""
    db = tmp_path / "busy.duckdb"
    shutil.copy(on_duckdb, db)
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", """
import pathlib, sys, time
from dashboard.warehouse import WarehouseBusy, WarehouseConfig, query
cfg = WarehouseConfig(target="duckdb", duckdb_path=sys.argv[1], lock_retries=0)
stop = pathlib.Path(sys.argv[2])
views = busy = 0
while not stop.exists():
    try:
        for sql in ("select count(*) from marts.fct_transactions", "select count(*) from marts.fct_risk_alerts",
                    "select count(*) from marts.dim_customers", "select count(*) from marts.rpt_sbv_daily_compliance"):
            query(cfg, sql, {})
        views += 1
    except WarehouseBusy:
        busy += 1
    time.sleep(1.0)
print(views, busy)
""", str(db), str(stop)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    env = {**os.environ, "TIMO_DUCKDB_PATH": str(db), "DBT_LOG_PATH": str(tmp_path / "logs")}
    try:
        time.sleep(2)
        for i in range(3):
            slow_query = duckdb.connect(str(db), read_only=True)
            started = time.monotonic()
            build = subprocess.Popen([str(BIN / "dbt"), "run", "--target", "duckdb", "--select", "dim_banks",
                                      "--target-path", str(tmp_path / f"t{i}"), "--profiles-dir", str(ROOT)],
                                     cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            time.sleep(6)
            slow_query.close()
            out, _ = build.communicate(timeout=600)
            assert build.returncode == 0, out[-3000:]
            assert time.monotonic() - started >= 6  # it really waited for the reader
    finally:
        stop.write_text("done")
        out, _ = reader.communicate(timeout=60)
    views, busy = map(int, out.split())
    assert views > 5, (views, busy)  # the dashboard kept reading beside the builds


def test_pages_render_with_data_in_headless_chromium(running_app, on_duckdb):
    from selenium.webdriver.common.by import By

    running_app, port = running_app
    assert _listening_addresses(port) == {"127.0.0.1"}  # this machine only, from the settings file
    (n,), = _duck(on_duckdb, "select count(*) from marts.fct_transactions")
    browser = _browser()
    try:
        browser.get(running_app)
        metrics = _wait_for(browser, lambda: [m.text for m in browser.find_elements(By.CSS_SELECTOR,
                                                                                     '[data-testid="stMetric"]')
                                              if m.text.startswith("Transactions\n")], "the Transactions metric")
        assert metrics[0].split("\n")[1] == f"{n:,}"
        drawn = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'
        _wait_for(browser, lambda: len(browser.find_elements(By.CSS_SELECTOR, drawn)) >= 3, "three drawn charts")
        assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
        browser.save_screenshot(str(ARTEFACTS / "dashboard-overview.png"))

        browser.get(f"{running_app}/fraud_queue")
        _wait_for(browser, lambda: "Critical alerts" in browser.find_element(By.TAG_NAME, "body").text,
                  "the fraud queue's severity counts")
        _wait_for(browser, lambda: len(browser.find_elements(By.CSS_SELECTOR, '[data-testid="stDataFrame"]')) >= 2,
                  "the queue and drill-down tables")
        assert "Authentication trail" in browser.find_element(By.TAG_NAME, "body").text
        assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
        browser.save_screenshot(str(ARTEFACTS / "dashboard-fraud-queue.png"))

        assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stAppDeployButton"]')
        assert "Deploy" not in browser.find_element(By.TAG_NAME, "body").text

        # data is text: a name written as markdown shows as typed, with no link and no external image
        browser.get(f"{running_app}/customer")
        def shown() -> str:  # visible text: the word joiners that keep URLs from being autolinked are invisible
            return browser.find_element(By.TAG_NAME, "body").text.replace("\u2060", "")

        _wait_for(browser, lambda: PAYLOAD.split(" :red")[0] in shown(), "the customer's name as typed")
        live = browser.find_elements(By.CSS_SELECTOR, 'a[href*="evil.example"], img[src*="evil.example"]')
        assert not live, [e.get_attribute("outerHTML") for e in live]
        assert ":red[alarm] $x^2$" in shown()
        browser.save_screenshot(str(ARTEFACTS / "dashboard-customer.png"))

        browser.get(f"{running_app}/compliance")
        _wait_for(browser, lambda: "Compliance rate" in browser.find_element(By.TAG_NAME, "body").text,
                  "the compliance rate")
        browser.save_screenshot(str(ARTEFACTS / "dashboard-compliance.png"))
    finally:
        browser.quit()
    for name in ("overview", "fraud-queue", "customer", "compliance"):
        assert (ARTEFACTS / f"dashboard-{name}.png").stat().st_size > 10_000

