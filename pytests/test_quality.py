"""Dirty input: every planted bad row is quarantined with its reason, nothing is lost, and the marts
are exactly those of the same data without dirt, on DuckDB and PostgreSQL."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from generators.config import GenerateConfig
from generators.generate import generate
from pipeline.loader import load_duckdb, load_postgres

from .conftest import ROOT, pg_env, run_bankgen, run_dbt, throwaway_database

SETTINGS = dict(customers=500, days=18, seed=21, fraud_rate=0.01)
DIRTY_RATE = 0.02
ENTITIES = {  # quarantine model suffix -> (raw table, key column in the quarantine model)
    "customers": ("customers", "customer_id"),
    "accounts": ("bank_accounts", "account_id"),
    "devices": ("devices", "device_id"),
    "counterparty_customers": ("other_bank_customers", "counterparty_customer_id"),
    "counterparty_accounts": ("other_bank_accounts", "counterparty_account_id"),
    "transactions": ("payment_transactions", "transaction_id"),
    "inbound_transfers": ("inbound_transfers", "inbound_id"),
    "authentication_logs": ("authentication_logs", "auth_log_id"),
    "fraud_labels": ("fraud_labels", "transaction_id"),
}
MARTS = ["fct_transactions", "fct_risk_alerts", "dim_customers", "dim_accounts", "fct_daily_account_summaries",
         "rpt_sbv_daily_compliance", "eval_detection_quality"]


@pytest.fixture(scope="module")
def datasets(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("quality")
    generate(GenerateConfig(**SETTINGS), root / "clean", quiet=True)
    generate(GenerateConfig(dirty_rate=DIRTY_RATE, **SETTINGS), root / "dirty", quiet=True)
    return {"clean": root / "clean", "dirty": root / "dirty"}


def _build_duckdb(data: Path, work: Path, runs: int = 1) -> Path:
    db = work / "warehouse.duckdb"
    load_duckdb(data, db, quiet=True)
    for _ in range(runs):
        result = run_dbt("build", "--target", "duckdb", "--target-path", str(work / "target"),
                         env={"TIMO_DUCKDB_PATH": str(db), "DBT_LOG_PATH": str(work / "logs")})
        assert result.returncode == 0, result.stdout[-5000:]
    return db


@pytest.fixture(scope="module")
def duck(datasets, tmp_path_factory) -> dict[str, Path]:
    return {kind: _build_duckdb(data, tmp_path_factory.mktemp(kind), runs=2 if kind == "dirty" else 1)
            for kind, data in datasets.items()}


def _expected(data: Path) -> Counter:
    with (data / "_expected_rejections.csv").open() as handle:
        return Counter((r["table_name"], r["key_value"], r["reason"]) for r in csv.DictReader(handle))


def _quarantined(fetch) -> Counter:
    got: Counter = Counter()
    for entity, (raw_table, key) in ENTITIES.items():
        for value, reason in fetch(f"select {key}, dq_reason from quarantine.quarantine_{entity}"):
            got[(raw_table, str(value), reason)] += 1
    return got


def _duck_fetch(db: Path):
    def fetch(sql: str):
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute(sql).fetchall()
    return fetch


def test_every_kind_is_planted_in_every_table(datasets):
    expected = _expected(datasets["dirty"])
    tables = {t for t, _, _ in expected}
    assert tables == {raw for raw, _ in ENTITIES.values()}
    reasons = {r for _, _, r in expected}
    with (ROOT / "seeds" / "dq_reason_codes.csv").open() as handle:
        codes = {row["reason_code"] for row in csv.DictReader(handle)}
    assert reasons == codes and len(codes) == 17


def test_dirty_rows_are_added_not_mixed_in(datasets):
    import json

    clean = json.loads((datasets["clean"] / "_manifest.json").read_text())
    dirty = json.loads((datasets["dirty"] / "_manifest.json").read_text())
    added = sum(dirty["row_counts"].values()) - sum(clean["row_counts"].values())
    assert added == dirty["dirty_rows"] == sum(_expected(datasets["dirty"]).values()) > 100


def test_quarantine_catches_every_planted_row_on_duckdb(datasets, duck):
    assert _quarantined(_duck_fetch(duck["dirty"])) == _expected(datasets["dirty"])
    assert sum(_quarantined(_duck_fetch(duck["clean"])).values()) == 0


def test_marts_on_dirty_input_equal_marts_on_clean_input(duck):
    dirty, clean = _duck_fetch(duck["dirty"]), _duck_fetch(duck["clean"])
    for mart in MARTS:
        # CCCD tokens are random (each warehouse's vault issues its own): compare everything else
        columns = "* exclude (cccd_token)" if mart == "dim_customers" else "*"
        a = clean(f"select {columns} from marts.{mart} order by all")
        b = dirty(f"select {columns} from marts.{mart} order by all")
        assert len(a) > 0 and a == b, mart
    tokens = "select count(cccd_token), count(distinct cccd_token) from marts.dim_customers"
    assert clean(tokens) == dirty(tokens) and clean(tokens)[0][0] > 0


def test_raw_rows_equal_clean_plus_quarantined(duck):
    fetch = _duck_fetch(duck["dirty"])
    for entity, (raw_table, _) in ENTITIES.items():
        raw = fetch(f"select count(*) from raw.{raw_table}")[0][0]
        clean = fetch(f"select count(*) from intermediate.int_{entity}_clean")[0][0]
        quarantined = fetch(f"select count(*) from quarantine.quarantine_{entity}")[0][0]
        assert raw == clean + quarantined and quarantined > 0, entity


def test_staging_standards_warn_on_dirty_data_and_results_are_kept(duck):
    fetch = _duck_fetch(duck["dirty"])
    runs = fetch("select count(distinct invocation_id) from audit.dbt_test_results")[0][0]
    assert runs == 2  # the audit table survives the second build
    warned = fetch("select count(*) from audit.dbt_test_results where status = 'warn'")[0][0]
    failed = fetch("select count(*) from audit.dbt_test_results where status in ('fail', 'error')")[0][0]
    assert warned >= 2 * 20 and failed == 0
    report = fetch("select sum(warned_count), sum(passed_count), sum(unit_test_count) from marts.rpt_data_quality")[0]
    assert report[0] >= 20 and report[1] > 200 and report[2] >= 12
    per_model = dict(fetch("select model_name, sum(unit_test_count) from marts.rpt_data_quality group by 1"))
    assert per_model["int_transactions_classified"] >= 11
    summary = dict(fetch("select raw_table || ':' || dq_reason, quarantined_rows from marts.rpt_quarantine_summary"))
    assert summary["payment_transactions:future_timestamp"] > 0


@pytest.mark.postgres
def test_quarantine_and_marts_on_postgres(datasets, duck, tmp_path):
    with throwaway_database() as settings:
        load_postgres(datasets["dirty"], settings, quiet=True)
        result = run_dbt("build", "--target", "postgres", "--target-path", str(tmp_path / "target"),
                         env={**pg_env(settings), "DBT_LOG_PATH": str(tmp_path / "logs")})
        assert result.returncode == 0, result.stdout[-5000:]

        def fetch(sql: str):
            conn = settings.connect()
            try:
                with conn.cursor() as cur:
                    cur.execute(sql)
                    return cur.fetchall()
            finally:
                conn.close()

        assert _quarantined(fetch) == _expected(datasets["dirty"])
        clean = _duck_fetch(duck["clean"])
        key = "transaction_id"
        assert fetch("select count(*), sum(amount_vnd) from marts.fct_transactions") == \
            [tuple(clean("select count(*), sum(amount_vnd) from marts.fct_transactions")[0])]
        assert [r[0] for r in fetch(f"select {key} from marts.fct_transactions order by 1")] == \
            [r[0] for r in clean(f"select {key} from marts.fct_transactions order by 1")]


def test_cli_dirty_rate_bounds(tmp_path):
    result = run_bankgen("generate", "--dirty-rate", "0.5", "--out", str(tmp_path / "d"))
    assert result.returncode == 2 and "--dirty-rate must be between 0 and 0.2" in result.stderr
