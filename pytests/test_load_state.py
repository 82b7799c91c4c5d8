"""What a build knows of what was loaded (macros/load_state.sql): a different dataset loaded over the
same days stops the build before any model and the full refresh it asks for equals a clean build; a
restated past day is rebuilt without being asked. Both end with marts identical to a clean full build."""

from __future__ import annotations

import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from generators.config import GenerateConfig
from generators.generate import generate
from pipeline.loader import load_duckdb, load_postgres

from .conftest import NO_TESTS, pg_env, run_dbt, throwaway_database

# random tokens (a fresh vault issues new ones) and run metadata differ between any two warehouses
VARIES = {"dim_customers": {"cccd_token"}}
SKIP = {"rpt_data_quality"}


def _marts(con) -> dict[str, Counter]:
    out = {}
    tables = [r[0] for r in con.execute("select table_name from information_schema.tables "
                                        "where table_schema = 'marts' order by 1").fetchall()]
    for table in tables:
        if table in SKIP:
            continue
        columns = [r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ? "
            "order by ordinal_position", [table]).fetchall() if r[0] not in VARIES.get(table, set())]
        rows = con.execute(f"select {', '.join(columns)} from marts.{table}").fetchall()
        out[table] = Counter(tuple(round(float(v), 6) if isinstance(v, (Decimal, float)) else v for v in row)
                             for row in rows)
    return out


def _duck_marts(db: Path) -> dict[str, Counter]:
    with duckdb.connect(str(db), read_only=True) as con:
        return _marts(con)


def _diff(a, b) -> dict[str, int]:
    assert a.keys() == b.keys()
    return {t: sum(((a[t] - b[t]) + (b[t] - a[t])).values()) for t in a if a[t] != b[t]}


def _build(db: Path, work: Path, *extra: str):
    return run_dbt("build", "--target", "duckdb", "--target-path", str(work / "target"), *NO_TESTS, *extra,
                   env={"TIMO_DUCKDB_PATH": str(db), "DBT_LOG_PATH": str(work / "logs")})


def _clean_build(data: Path, work: Path) -> dict[str, Counter]:
    db = work / "clean.duckdb"
    load_duckdb(data, db, quiet=True)
    result = _build(db, work)
    assert result.returncode == 0, result.stdout[-4000:]
    return _duck_marts(db)


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    base = tmp_path_factory.mktemp("load_state")
    a, b = base / "a", base / "b"
    generate(GenerateConfig(customers=300, days=10, seed=11, fraud_rate=0.01), a, quiet=True)
    generate(GenerateConfig(customers=300, days=10, seed=12, fraud_rate=0.01), b, quiet=True)
    return a, b


RESTATED_DAY = "2026-10-03"


@pytest.fixture(scope="module")
def built_a(datasets, tmp_path_factory) -> tuple[Path, dict[str, Counter]]:
    """Dataset a loaded and built once, with its marts; each DuckDB test starts from a copy of the file
    (the load record holds paths relative to the dataset folder, so a copy of the data folder matches)."""
    work = tmp_path_factory.mktemp("built_a")
    db = work / "w.duckdb"
    load_duckdb(datasets[0], db, quiet=True)
    result = _build(db, work)
    assert result.returncode == 0, result.stdout[-4000:]
    return db, _duck_marts(db)


@pytest.fixture(scope="module")
def restated_clean(datasets, tmp_path_factory) -> dict[str, Counter]:
    """The marts of a clean build of dataset a with its day 3 restated (what both DuckDB tests compare with)."""
    work = tmp_path_factory.mktemp("restated_clean")
    data = work / "data"
    shutil.copytree(datasets[0], data)
    _restate(data, RESTATED_DAY)
    return _clean_build(data, work)


def test_another_dataset_stops_the_build_before_the_marts(datasets, built_a, tmp_path):
    _, b = datasets
    db = tmp_path / "w.duckdb"
    shutil.copy(built_a[0], db)
    before = _duck_marts(db)
    assert _diff(before, built_a[1]) == {}
    load_duckdb(b, db, quiet=True)
    stopped = _build(db, tmp_path)
    assert stopped.returncode != 0
    assert "raw holds dataset" in stopped.stdout and "dbt build --full-refresh" in stopped.stdout
    assert "START sql" not in stopped.stdout  # no model ran
    assert _diff(before, _duck_marts(db)) == {}  # the marts are untouched
    refreshed = _build(db, tmp_path, "--full-refresh")
    assert refreshed.returncode == 0, refreshed.stdout[-4000:]
    assert "snapshot history started afresh" in refreshed.stdout
    clean = _clean_build(b, tmp_path / "clean")
    assert _diff(_duck_marts(db), clean) == {}
    with duckdb.connect(str(db), read_only=True) as con:  # no entity of the old dataset is left in history
        old = con.execute("select count(*) from snapshots.snap_customers where dbt_valid_to < '9999-01-01'"
                          ).fetchone()[0]
    assert old == 0


def _restate(data: Path, day: str) -> None:
    """A corrected extract of one past day: some amounts changed, one transaction withdrawn."""
    path = data / "payment_transactions" / f"{day}.parquet"
    table = pq.read_table(path)
    amounts = table.column("amount").to_pylist()
    amounts = [a * 3 if i % 7 == 0 else a for i, a in enumerate(amounts)]
    table = table.set_column(table.schema.get_field_index("amount"), "amount",
                             pa.array(amounts, table.schema.field("amount").type))
    pq.write_table(table.slice(1), path)


def _built_then_restated(dataset: Path, built: tuple[Path, dict[str, Counter]], tmp_path: Path) -> Path:
    """A copy of the warehouse built from `dataset` (fixture built_a) over a copy of the dataset, whose day
    3 is then restated and loaded again (not yet built). Returns the warehouse."""
    data = tmp_path / "data"
    shutil.copytree(dataset, data)
    db = tmp_path / "w.duckdb"
    shutil.copy(built[0], db)
    _restate(data, RESTATED_DAY)
    load_duckdb(data, db, quiet=True)
    return db


def test_a_restated_past_day_is_rebuilt_on_duckdb(datasets, built_a, restated_clean, tmp_path):
    db = _built_then_restated(datasets[0], built_a, tmp_path)
    result = _build(db, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    after = _duck_marts(db)
    assert _diff(built_a[1], after).get("fct_transactions", 0) > 0  # the restatement reached the marts
    assert _diff(after, restated_clean) == {}


def test_without_the_load_record_a_restated_day_would_be_missed(datasets, built_a, restated_clean, tmp_path):
    """Negative control: the same restatement with the load record removed (as a loader that does not
    write raw._load_files) leaves day 3 stale, and the comparison above catches it."""
    db = _built_then_restated(datasets[0], built_a, tmp_path)
    with duckdb.connect(str(db)) as con:
        con.execute("drop table raw._load_files")
    assert _build(db, tmp_path).returncode == 0
    assert _diff(_duck_marts(db), restated_clean).get("fct_transactions", 0) > 0


def _pg_marts(settings) -> dict[str, Counter]:
    conn = settings.connect()

    class _Con:  # the few calls _marts makes, on psycopg2
        def execute(self, sql, params=None):
            cur = conn.cursor()
            cur.execute(sql.replace("?", "%s"), params)
            return cur

    try:
        return _marts(_Con())
    finally:
        conn.close()


@pytest.mark.postgres
def test_a_restated_past_day_is_rebuilt_on_postgres(datasets, tmp_path):
    a, _ = datasets
    data = tmp_path / "data"
    shutil.copytree(a, data)

    def build(settings, *extra):
        return run_dbt("build", "--target", "postgres", "--target-path", str(tmp_path / settings.dbname),
                       *NO_TESTS, *extra, env={**pg_env(settings), "DBT_LOG_PATH": str(tmp_path / "logs")})

    with throwaway_database() as daily, throwaway_database() as clean:
        load_postgres(data, daily, quiet=True)
        assert build(daily).returncode == 0
        _restate(data, RESTATED_DAY)
        load_postgres(data, daily, quiet=True)
        result = build(daily)
        assert result.returncode == 0, result.stdout[-4000:]
        load_postgres(data, clean, quiet=True)
        assert build(clean).returncode == 0
        assert _diff(_pg_marts(daily), _pg_marts(clean)) == {}
