"""Day-by-day operation: `bankgen advance` is deterministic, N daily incremental builds give exactly
the marts of one full refresh on DuckDB and on PostgreSQL (late authentication logs, status changes and
a day whose files were removed included), snapshots record status history and add nothing when nothing
changed."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from generators.advance import advance
from generators.config import ConfigError, GenerateConfig
from generators.generate import generate
from pipeline.daily import build_args, remember, state_dir, warehouse_key
from pipeline.loader import load_duckdb, load_postgres

from .conftest import (
    NO_TESTS,
    SMALL,
    full_refresh_of_a_copy,
    pg_env,
    postgres_full_refresh_of_a_copy,
    run_bankgen,
    run_dbt,
    throwaway_database,
)

DAYS = 2


@pytest.fixture(scope="module")
def base_dataset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("incremental") / "data"
    generate(GenerateConfig(fmt="parquet", **SMALL), out, quiet=True)
    return out


def _copy(dataset: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(dataset, target)
    return target


def test_advance_is_deterministic_and_continues_the_dataset(base_dataset, tmp_path):
    once, stepwise = tmp_path / "once", tmp_path / "stepwise"
    shutil.copytree(base_dataset, once)
    shutil.copytree(base_dataset, stepwise)
    results = advance(once, 3, quiet=True)
    for _ in range(3):
        advance(stepwise, 1, quiet=True)
    files = sorted(p.relative_to(once) for p in once.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(stepwise) for p in stepwise.rglob("*") if p.is_file())
    for rel in files:
        assert (once / rel).read_bytes() == (stepwise / rel).read_bytes(), rel

    manifest = json.loads((once / "_manifest.json").read_text())
    assert [r.day for r in results] == [date(2026, 10, 22), date(2026, 10, 23), date(2026, 10, 24)]
    assert manifest["advance"]["days"] == 3
    assert sum(r.late_logs_delivered for r in results) > 0
    assert sum(sum(r.state_changes.values()) for r in results) > 0
    with duckdb.connect() as con:
        ids = con.execute(f"select count(*), count(distinct transaction_id), min(transaction_id) "
                          f"from read_parquet('{once}/payment_transactions/*.parquet')").fetchone()
        late = con.execute(f"select count(*), max(cast(auth_ts as date)) "
                           f"from read_parquet('{once}/authentication_logs/*.late.parquet')").fetchone()
        changed = con.execute(f"select count(*) from read_parquet('{once}/bank_accounts.parquet') "
                              f"where updated_at >= timestamp '2026-10-22'").fetchone()[0] + \
            con.execute(f"select count(*) from read_parquet('{once}/devices.parquet') "
                        f"where updated_at >= timestamp '2026-10-22' and first_seen < timestamp '2026-10-22'"
                        ).fetchone()[0]
    assert ids[0] == ids[1] == manifest["row_counts"]["payment_transactions"] and ids[2] == 1
    # late logs are dated the day before the file that delivers them
    assert late[0] == sum(r.late_logs_delivered for r in results) and late[1] < date(2026, 10, 24)
    assert changed > 0


def test_advance_rejects_bad_input(tmp_path, base_dataset):
    with pytest.raises(ConfigError, match="not a generated dataset"):
        advance(tmp_path, 1, quiet=True)
    result = run_bankgen("advance", "--data", str(base_dataset), "--days", "0")
    assert result.returncode == 2 and "--days must be a whole number from 1" in result.stderr
    result = run_bankgen("advance", "--data", str(base_dataset), "--days", "400")
    assert result.returncode == 2 and "(yesterday)" in result.stderr
    assert json.loads((base_dataset / "_manifest.json").read_text()).get("advance") is None


def _duck_marts(db: Path) -> dict[str, Counter]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [r[0] for r in con.execute("select table_name from information_schema.tables "
                                            "where table_schema = 'marts' order by 1").fetchall()]
        return {t: Counter(con.execute(f"select * from marts.{t}").fetchall())
                for t in tables if t != "rpt_data_quality"}  # run metadata, differs by design


def _normalise(value):
    if isinstance(value, Decimal):
        return round(float(value), 6)
    if isinstance(value, float):
        return round(value, 6)
    return value


def _pg_marts(settings) -> dict[str, Counter]:
    conn = settings.connect()
    with conn.cursor() as cur:
        cur.execute("select table_name from information_schema.tables where table_schema = 'marts' order by 1")
        tables = [r[0] for r in cur.fetchall() if r[0] != "rpt_data_quality"]
        out = {}
        for t in tables:
            cur.execute(f'select * from marts."{t}"')
            out[t] = Counter(tuple(_normalise(v) for v in row) for row in cur.fetchall())
    conn.close()
    return out


# incremental tables and the day column the next daily run filters them by (not the authentication
# events: their last day holds only the few attempts made just after midnight, which a sample can miss)
DAY_COLUMNS = {("intermediate", "int_transactions_validated"): "transaction_date",
               ("intermediate", "int_transactions_enriched"): "transaction_date",
               ("intermediate", "int_transactions_classified"): "transaction_date",
               ("marts", "fct_transactions"): "transaction_date",
               ("marts", "fct_daily_account_summaries"): "summary_date"}


def _days_missing_from_statistics(settings) -> dict[str, tuple]:
    """Tables whose planner statistics on the day column end before the last day they hold. The next
    run's filter on that day would be estimated at one row (and its joins planned as nested loops)."""
    conn = settings.connect()
    out = {}
    with conn.cursor() as cur:
        for (schema, table), column in DAY_COLUMNS.items():
            cur.execute(f'select max({column}) from {schema}."{table}"')
            last_day = cur.fetchone()[0]
            cur.execute("select greatest((select max(v) from unnest(most_common_vals::text::date[]) v), "
                        "(select max(v) from unnest(histogram_bounds::text::date[]) v)) "
                        "from pg_stats where schemaname = %s and tablename = %s and attname = %s",
                        (schema, table, column))
            row = cur.fetchone()
            covered = row[0] if row else None
            if covered is None or covered < last_day:
                out[table] = (last_day, covered)
    conn.close()
    return out


def _diff(a: dict[str, Counter], b: dict[str, Counter]) -> dict[str, int]:
    assert a.keys() == b.keys()
    return {t: sum(((a[t] - b[t]) + (b[t] - a[t])).values()) for t in a if a[t] != b[t]}


def _simulate(data: Path, days: int, load, build, remove_first_new_day: bool = False) -> str:
    """`days` daily runs: advance one day, load, build. With remove_first_new_day, the files of the first
    new day are removed before the last run (a restated day that is gone: its rows must leave every
    incremental table, as a full refresh never sees them). Returns the first new day."""
    first_new_day = None
    for i in range(days):
        advance(data, 1, quiet=True)
        if first_new_day is None:
            first_new_day = max(p.name.split(".")[0] for p in (data / "payment_transactions").glob("*.parquet"))
        if remove_first_new_day and i == days - 1:
            for path in data.glob(f"*/{first_new_day}*"):
                path.unlink()
        load()
        result = build()
        assert result.returncode == 0, result.stdout[-4000:]
    return first_new_day


def _daily_build(target: str, target_path: Path, env: dict, *extra: str, tests: bool = False):
    """One day's `dbt build` as `bankgen simulate` runs it (pipeline/daily.py): only what the day changes,
    against the state of the last build that passed here (a plain build when there is none). Without
    its tests unless asked."""
    key = warehouse_key(target, env)
    result = run_dbt(*build_args(target_path, key, target, tests=tests), "--target", target, "--target-path",
                     str(target_path), *extra, env=env)
    if result.returncode == 0:
        remember(target_path, target, env)
    return result


def _ran(target_path: Path) -> set[str]:
    return {r["unique_id"] for r in json.loads((target_path / "run_results.json").read_text())["results"]}


def test_daily_incremental_runs_equal_a_full_refresh_on_duckdb(base_dataset, tmp_path):
    data = _copy(base_dataset, tmp_path)
    db = tmp_path / "daily.duckdb"
    env = {"TIMO_DUCKDB_PATH": str(db), "DBT_LOG_PATH": str(tmp_path / "logs")}

    def build(*extra):
        return _daily_build("duckdb", tmp_path / "target", env, *extra)

    load_duckdb(data, db, quiet=True)
    assert build().returncode == 0
    removed = _simulate(data, DAYS, lambda: load_duckdb(data, db, quiet=True), build, remove_first_new_day=True)

    incremental = _duck_marts(db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_transactions where transaction_date = ?",
                           [date.fromisoformat(removed)]).fetchone()[0] == 0
    assert _diff(incremental, _duck_marts(full_refresh_of_a_copy(db, tmp_path))) == {}
    assert sum(len(rows) for rows in incremental.values()) > 20_000

    with duckdb.connect(str(db), read_only=True) as con:
        versions = con.execute("select count(*) - count(distinct account_id) from snapshots.snap_accounts").fetchone()
        versions = versions[0] + con.execute(
            "select count(*) - count(distinct device_id) from snapshots.snap_devices").fetchone()[0]
        snapshot_rows = con.execute("select (select count(*) from snapshots.snap_accounts) + "
                                    "(select count(*) from snapshots.snap_devices) + "
                                    "(select count(*) from snapshots.snap_customers)").fetchone()[0]
    assert versions > 0  # status changes became new versions
    # a snapshot with nothing new adds nothing
    result = run_dbt("snapshot", "--target", "duckdb", "--target-path", str(tmp_path / "target"), env=env)
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select (select count(*) from snapshots.snap_accounts) + "
                           "(select count(*) from snapshots.snap_devices) + "
                           "(select count(*) from snapshots.snap_customers)").fetchone()[0] == snapshot_rows


FRAUD_CASE_MODELS = ["fct_fraud_case_signals", "fct_fraud_case_transactions", "fct_fraud_cases"]


def test_a_case_that_gains_a_signal_on_a_rebuilt_day_replaces_its_earlier_version(base_dataset, tmp_path):
    """A case whose stored version ends before the cutoff and which gains a signal on a rebuilt day (late
    data that adds an alert to day C, chained within case_gap_hours to the case's signal of day C-1) keeps
    its case_id and replaces its earlier version; every mart then equals what the full build gave.
    Without the delete by case_id (`replaced_keys`) the case would be there twice."""
    data = _copy(base_dataset, tmp_path)
    db = tmp_path / "cases.duckdb"
    env = {"TIMO_DUCKDB_PATH": str(db), "DBT_LOG_PATH": str(tmp_path / "logs")}
    load_duckdb(data, db, quiet=True)
    built = run_dbt("build", "--target", "duckdb", "--target-path", str(tmp_path / "target"), *NO_TESTS, env=env)
    assert built.returncode == 0, built.stdout[-4000:]

    def rebuild_from(day: date) -> None:
        done = run_dbt("run", "--select", *FRAUD_CASE_MODELS, "--vars", f"{{rebuild_from_day: {day}}}",
                       "--target", "duckdb", "--target-path", str(tmp_path / "target"), env=env)
        assert done.returncode == 0, done.stdout[-4000:]

    full = _duck_marts(db)
    with duckdb.connect(str(db)) as con:
        # a case with signals on two days in a row (C-1, C), ending before the last case does, whose
        # signals before day C already hold all its rules (so it is a case without the later ones: each
        # rule counts once)
        case_id, day = con.execute("""
            with days as (
                select distinct signals.case_id, signals.alert_date as day
                from marts.fct_fraud_case_signals as signals
                inner join marts.fct_fraud_cases as cases
                    on signals.case_id = cases.case_id
                where cases.last_signal_date < (select max(last_signal_date) from marts.fct_fraud_cases)
                    and exists (select 1 from marts.fct_fraud_case_signals as earlier
                                where earlier.case_id = signals.case_id
                                and earlier.alert_date = signals.alert_date - 1)
            )
            select days.case_id, days.day
            from days
            inner join marts.fct_fraud_case_signals as signals
                on days.case_id = signals.case_id
            group by days.case_id, days.day
            having count(distinct signals.rule_code)
                = count(distinct case when signals.alert_date < days.day then signals.rule_code end)
            order by 2, 1
            limit 1""").fetchone()
        # day C's and later alerts of that case arrive late: take them out, as if not yet known
        con.execute("create table main.late_alerts as select * from marts.fct_risk_alerts where alert_id in "
                    "(select alert_id from marts.fct_fraud_case_signals where case_id = ? and alert_date >= ?)",
                    [case_id, day])
        con.execute("delete from marts.fct_risk_alerts where alert_id in (select alert_id from main.late_alerts)")
    rebuild_from(day)
    with duckdb.connect(str(db)) as con:
        assert con.execute("select last_signal_date from marts.fct_fraud_cases where case_id = ?",
                           [case_id]).fetchall() == [(day - timedelta(days=1),)]
        con.execute("insert into marts.fct_risk_alerts select * from main.late_alerts")
    rebuild_from(day)  # the cases' cutoff is day C; the case's stored version ends on day C-1
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_fraud_cases where case_id = ?",
                           [case_id]).fetchone()[0] == 1
    assert _diff(_duck_marts(db), full) == {}


def test_a_daily_build_runs_only_what_the_day_changes(base_dataset, tmp_path):
    """After a day is loaded, the daily build leaves the seeds and the views alone and runs every incremental
    model, snapshot and table downstream of the raw data; a view whose definition differs from the last
    passing build (here: the remembered state says it was different) is rebuilt, with what reads it."""
    data = _copy(base_dataset, tmp_path)
    db = tmp_path / "daily.duckdb"
    target = tmp_path / "target"
    env = {"TIMO_DUCKDB_PATH": str(db), "DBT_LOG_PATH": str(tmp_path / "logs")}
    load_duckdb(data, db, quiet=True)
    assert _daily_build("duckdb", target, env).returncode == 0
    everything = _ran(target)
    manifest = json.loads((target / "manifest.json").read_text())["nodes"]
    kinds = {uid: (node["resource_type"], node["config"].get("materialized")) for uid, node in manifest.items()
             if uid in everything}
    kinds = defaultdict(lambda: ("other", None), kinds)  # exposures are listed in run_results too

    advance(data, 1, quiet=True)
    load_duckdb(data, db, quiet=True)
    changed_view = "model.timo_bank.stg_core_banking__devices"
    state = state_dir(target, warehouse_key("duckdb", env)) / "manifest.json"
    remembered = json.loads(state.read_text())
    remembered["nodes"][changed_view]["raw_code"] += "\n-- an earlier definition"
    state.write_text(json.dumps(remembered))
    result = _daily_build("duckdb", target, env)
    assert result.returncode == 0, result.stdout[-4000:]
    ran = _ran(target)

    assert not [uid for uid in ran if kinds[uid][0] == "seed"]
    assert changed_view in ran
    assert [uid for uid in ran if kinds[uid] == ("model", "view")] != []
    untouched_views = [uid for uid, kind in list(kinds.items()) if kind == ("model", "view") and uid not in ran]
    assert "model.timo_bank.stg_core_banking__transactions" in untouched_views
    assert "model.timo_bank.int_devices_clean" in ran  # reads the changed view
    for uid, kind in list(kinds.items()):
        if kind in (("model", "incremental"), ("snapshot", "snapshot")):
            assert uid in ran, uid
    assert "model.timo_bank.fct_risk_alerts" in ran and "model.timo_bank.dim_customers" in ran
    assert len(ran) < len(everything)

    # the state now is this build's: nothing differs, so the next day's build leaves every view alone,
    # yet still runs the data tests of those views (their rows are the new day's)
    advance(data, 1, quiet=True)
    load_duckdb(data, db, quiet=True)
    (tmp_path / "logs" / "dbt.log").unlink()
    result = _daily_build("duckdb", target, env, tests=True)
    assert result.returncode == 0, result.stdout[-4000:]
    ran = _ran(target)
    # each incremental model asks the warehouse for its last day built once: the delete that replaces
    # the rebuilt days reads the cutoff from the model's compiled SQL (macros/incremental.sql)
    asked = Counter(re.findall(r"select max\((\w+)\) from \S+ where \1 > cast\('1900-01-01' as date\)",
                               (tmp_path / "logs" / "dbt.log").read_text()))
    asking = [uid for uid in ran if uid in manifest and "incremental_cutoff(" in manifest[uid]["raw_code"]]
    assert sum(asked.values()) == len(asking) > 20, (asked, len(asking))
    assert not [uid for uid in ran if kinds[uid][0] == "seed" or kinds[uid] == ("model", "view")]
    tests_of_views = [uid for uid, node in manifest.items() if node["resource_type"] == "test"
                      and node["depends_on"]["nodes"]
                      and all(kinds[parent] == ("model", "view") for parent in node["depends_on"]["nodes"])]
    assert any("stg_core_banking__transactions" in uid for uid in tests_of_views)
    assert set(tests_of_views) <= ran, sorted(set(tests_of_views) - ran)[:5]


def test_a_warehouse_made_afresh_gets_a_full_build(base_dataset, tmp_path):
    """The remembered state belongs to one warehouse: its key is recorded in the warehouse, so a new DuckDB
    file at the same path has none and its first daily build is a full one (seeds and views included)."""
    data = _copy(base_dataset, tmp_path)
    db = tmp_path / "w.duckdb"
    target = tmp_path / "target"
    target.mkdir()
    (target / "manifest.json").write_text("{}")
    env = {"TIMO_DUCKDB_PATH": str(db)}
    assert warehouse_key("duckdb", env) is None  # no warehouse yet
    load_duckdb(data, db, quiet=True)
    assert warehouse_key("duckdb", env) is None  # loaded, never built
    assert build_args(target, None) == ["build"]
    remember(target, "duckdb", env)
    key = warehouse_key("duckdb", env)
    assert key and build_args(target, key)[:3] == ["build", "--selector", "daily"]
    assert "--state" in build_args(target, key)
    assert (state_dir(target, key) / "manifest.json").read_text() == "{}"
    remember(target, "duckdb", env)
    assert warehouse_key("duckdb", env) == key  # the same warehouse keeps its key
    db.unlink()
    load_duckdb(data, db, quiet=True)
    assert warehouse_key("duckdb", env) is None
    assert build_args(target, warehouse_key("duckdb", env)) == ["build"]


def test_a_spark_catalog_made_afresh_has_no_key(tmp_path):
    """On Spark the key sits in the catalog's folder (metastore_db/): none before there is a catalog, kept
    by the same catalog, gone with a catalog made afresh at the same place."""
    env = {"TIMO_SPARK_DIR": str(tmp_path / "spark")}
    target = tmp_path / "target"
    target.mkdir()
    (target / "manifest.json").write_text("{}")
    remember(target, "spark", env)
    assert warehouse_key("spark", env) is None  # no catalog: nothing to remember against
    catalog = tmp_path / "spark" / "metastore_db"
    catalog.mkdir(parents=True)
    remember(target, "spark", env)
    key = warehouse_key("spark", env)
    assert key and build_args(target, key, "spark")[:3] == ["build", "--selector", "daily"]
    remember(target, "spark", env)
    assert warehouse_key("spark", env) == key and not list(catalog.glob("*.tmp"))
    shutil.rmtree(catalog)
    catalog.mkdir()
    assert warehouse_key("spark", env) is None
    assert build_args(target, warehouse_key("spark", env), "spark") == ["build"]


def test_without_the_lookback_late_logs_are_missed(base_dataset, tmp_path):
    """Negative control: with no lookback (only the new day rebuilt), the late authentication logs of
    the day before never reach the marts, and the comparison above catches it."""
    data = _copy(base_dataset, tmp_path)
    db = tmp_path / "daily.duckdb"
    env = {"TIMO_DUCKDB_PATH": str(db), "DBT_LOG_PATH": str(tmp_path / "logs")}
    no_lookback = ["--vars", "{incremental_lookback_days: 0}"]

    def build(*extra):
        return run_dbt("build", "--target", "duckdb", "--target-path", str(tmp_path / "target"), *NO_TESTS,
                       *no_lookback, *extra, env=env)

    load_duckdb(data, db, quiet=True)
    assert build().returncode == 0
    _simulate(data, 2, lambda: load_duckdb(data, db, quiet=True), build)
    differences = _diff(_duck_marts(db), _duck_marts(full_refresh_of_a_copy(db, tmp_path)))
    assert differences.get("fct_authentication_events", 0) > 0, differences


@pytest.mark.postgres
def test_daily_incremental_runs_equal_a_full_refresh_on_postgres(base_dataset, tmp_path):
    data = _copy(base_dataset, tmp_path)

    def build(settings):
        env = {**pg_env(settings), "DBT_LOG_PATH": str(tmp_path / "logs")}
        return _daily_build("postgres", tmp_path / settings.dbname, env)

    with throwaway_database() as daily:
        load_postgres(data, daily, quiet=True)
        assert build(daily).returncode == 0
        _simulate(data, DAYS, lambda: load_postgres(data, daily, quiet=True), lambda: build(daily),
                  remove_first_new_day=True)
        assert _days_missing_from_statistics(daily) == {}
        incremental = _pg_marts(daily)
        # the full refresh runs on a copy: same raw data, same snapshot history
        with postgres_full_refresh_of_a_copy(daily, tmp_path) as full:
            assert _diff(incremental, _pg_marts(full)) == {}
    assert sum(len(rows) for rows in incremental.values()) > 20_000
