"""`dbt build` (seeds, models, tests) on DuckDB and on a throwaway PostgreSQL database, and lint."""

from __future__ import annotations

import json
import os
import subprocess

import duckdb
import pytest

from pipeline.loader import load_duckdb

from .conftest import BIN, ROOT, run_dbt


def _results(target_path) -> dict[str, str]:
    data = json.loads((target_path / "run_results.json").read_text())
    return {r["unique_id"]: r["status"] for r in data["results"]}


def _monitors(target_path) -> set[str]:
    """Tests tagged `monitoring` (the volume and amount anomaly bands): a warning from them is a signal
    for a person to look at, not a broken build, so they may warn; they may not error."""
    nodes = json.loads((target_path / "manifest.json").read_text())["nodes"]
    return {k for k, node in nodes.items() if "monitoring" in node.get("tags", [])}


def _assert_green(result, target_path):
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    statuses = _results(target_path)
    monitors = _monitors(target_path)
    assert len(monitors) == 2 and monitors <= set(statuses)
    # exposures (the dashboard) are declarations: dbt reports them as no-op
    bad = {k: v for k, v in statuses.items() if v not in ("success", "pass")
           and not (k.startswith("exposure.") and v == "no-op") and not (k in monitors and v == "warn")}
    assert not bad, bad
    kinds = {k.split(".")[0] for k in statuses}
    assert {"model", "seed", "test"} <= kinds
    return statuses


def test_dbt_build_on_duckdb(built_duckdb):
    built_duckdb.assert_green()
    statuses = _assert_green(built_duckdb.result, built_duckdb.target_path)
    assert sum(k.startswith("test.") for k in statuses) >= 80
    with duckdb.connect(str(built_duckdb.duckdb_path), read_only=True) as con:
        n_raw = con.execute("select count(*) from raw.payment_transactions").fetchone()[0]
        n_stg = con.execute("select count(*) from staging.stg_core_banking__transactions").fetchone()[0]
    assert n_raw == n_stg > 0


def test_a_broken_key_is_quarantined_and_the_standards_gate(parquet_dataset, tmp_path):
    """A duplicated raw transaction warns in staging and goes to quarantine while the build stays
    green; a broken standard on the clean layer fails the build."""
    db = tmp_path / "warehouse.duckdb"
    load_duckdb(parquet_dataset, db, quiet=True)
    with duckdb.connect(str(db)) as con:
        con.execute("insert into raw.payment_transactions select * from raw.payment_transactions limit 1")
    env = {"TIMO_DUCKDB_PATH": str(db), "DBT_LOG_PATH": str(tmp_path / "logs")}
    target = tmp_path / "target"
    result = run_dbt("build", "--target", "duckdb", "--target-path", str(target), env=env)
    assert result.returncode == 0, result.stdout[-4000:]
    data = json.loads((target / "run_results.json").read_text())["results"]
    monitors = _monitors(target)
    warned = {r["unique_id"].split(".")[2]: r["failures"] for r in data
              if r["status"] == "warn" and r["unique_id"] not in monitors}
    assert warned == {"unique_stg_core_banking__transactions_transaction_id": 1}
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select dq_reason from quarantine.quarantine_transactions").fetchall() == [
            ("duplicate_key",)]

    with duckdb.connect(str(db)) as con:
        con.execute("update intermediate.int_transactions_classified set required_level = null "
                    "where transaction_id = (select min(transaction_id) from intermediate.int_transactions_classified)")
    result = run_dbt("test", "--target", "duckdb", "--target-path", str(target), "--select",
                     "int_transactions_classified,test_type:data", env=env)
    assert result.returncode != 0
    failed = [k for k, v in _results(target).items() if v == "fail"]
    assert any("not_null_int_transactions_classified_required_level" in k for k in failed), failed


def test_copies_of_a_key_keep_the_earliest_clean_one(parquet_dataset, tmp_path):
    """Copies of one transaction key: the earliest copy that passes the checks is clean and the later
    ones are duplicates; a copy that fails a check keeps its own reason and does not take the key."""
    db = tmp_path / "warehouse.duckdb"
    load_duckdb(parquet_dataset, db, quiet=True)
    with duckdb.connect(str(db)) as con:
        key, at = con.execute("select transaction_id, transaction_ts from raw.payment_transactions "
                              "order by transaction_id limit 1").fetchone()
        for minutes in (5, 10):  # two later copies
            con.execute("insert into raw.payment_transactions select * replace "
                        f"(transaction_ts + interval {minutes} minute as transaction_ts) "
                        "from raw.payment_transactions where transaction_id = ? limit 1", [key])
        # an earlier copy with an unknown channel: it fails a check, so it is not the key's clean copy
        con.execute("insert into raw.payment_transactions select * replace "
                    "(transaction_ts - interval 1 minute as transaction_ts, 'fax' as channel) "
                    "from raw.payment_transactions where transaction_id = ? limit 1", [key])
    env = {"TIMO_DUCKDB_PATH": str(db), "DBT_LOG_PATH": str(tmp_path / "logs")}
    result = run_dbt("build", "--select", "+int_transactions_validated", "--exclude", "resource_type:test",
                     "resource_type:unit_test", "--target", "duckdb", "--target-path", str(tmp_path / "target"),
                     env=env)
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select transacted_at, dq_reason from intermediate.int_transactions_validated "
                           "where transaction_id = ? order by transacted_at", [key]).fetchall()
        others = con.execute("select count(*) from intermediate.int_transactions_validated "
                             "where transaction_id <> ? and dq_reason = 'duplicate_key'", [key]).fetchone()[0]
    assert [reason for _, reason in rows] == ["unknown_value", None, "duplicate_key", "duplicate_key"]
    assert rows[1][0] == at and others == 0


@pytest.mark.postgres
def test_dbt_build_on_postgres(built_postgres):
    _assert_green(built_postgres.result, built_postgres.target_path)
    conn = built_postgres.settings.connect()
    with conn.cursor() as cur:
        cur.execute("select count(*) from staging.stg_core_banking__transactions")
        n_stg = cur.fetchone()[0]
        cur.execute("select count(*) from raw.payment_transactions")
        n_raw = cur.fetchone()[0]
    conn.close()
    assert n_raw == n_stg > 0


def test_sqlfluff_lint_is_clean(tmp_path):
    # compile against an empty warehouse, so incremental models lint as on a first build
    result = subprocess.run([str(BIN / "sqlfluff"), "lint", "models", "analyses", "tests", "--disable-progress-bar"],
                            capture_output=True, text=True, cwd=ROOT, timeout=900,
                            env={**os.environ, "TIMO_DUCKDB_PATH": str(tmp_path / "lint.duckdb")})
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_ruff_is_clean():
    result = subprocess.run([str(BIN / "ruff"), "check", "generators", "pipeline", "benchmarks", "dashboard",
                             "orchestration", "pytests", "dbt_score_rules", "scripts"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout[-6000:]


def _dbt_score(manifest) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "dbt-score"), "lint", "--manifest", str(manifest)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


def test_the_manifest_follows_the_projects_conventions(tmp_path):
    """dbt-score with the project's rules (dbt_score_rules/, thresholds in pyproject.toml) passes, and
    fails on a manifest where one model lost its key test and another reads a source outside staging."""
    parsed = run_dbt("parse", "--target-path", str(tmp_path / "target"), env={"DBT_LOG_PATH": str(tmp_path / "logs")})
    assert parsed.returncode == 0, parsed.stdout[-3000:]
    manifest = tmp_path / "target" / "manifest.json"
    result = _dbt_score(manifest)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]

    data = json.loads(manifest.read_text())
    for key in [k for k, n in data["nodes"].items() if n["resource_type"] == "test"
                and n.get("attached_node") == "model.timo_bank.dim_banks"]:
        del data["nodes"][key]
    data["nodes"]["model.timo_bank.fct_transactions"]["depends_on"]["nodes"].append(
        "source.timo_bank.core_banking.payment_transactions")
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    result = _dbt_score(broken)
    assert result.returncode != 0
    assert "has_a_primary_key_test" in result.stdout and "sources_only_in_staging" in result.stdout
