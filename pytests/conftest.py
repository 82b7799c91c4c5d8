"""Shared fixtures: small generated datasets, throwaway warehouses, a dbt runner."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import uuid
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from generators.config import GenerateConfig
from generators.generate import generate
from pipeline.loader import LoadError, load_duckdb, load_postgres
from pipeline.settings import PROJECT_ROOT, PostgresSettings, dbt_command

ROOT = PROJECT_ROOT
BIN = Path(sys.executable).parent
SMALL = dict(customers=400, days=21, seed=7, fraud_rate=0.01)
NO_TESTS = ["--exclude", "resource_type:test", "resource_type:unit_test"]  # dbt build: models, seeds, snapshots
# A password the shared PostgreSQL build is given (trust authentication ignores it): the secrets test
# proves it appears in no dbt artefact or log.
PG_PASSWORD_CANARY = f"canary-{uuid.uuid4().hex}"


# Tests that build a warehouse with dbt, run the browser or run a whole day's simulation are `slow`:
# `pytest -m "not slow"` is the quick loop (generator, loader, command-line safety; about a minute).
SLOW_FIXTURES = {"built_duckdb", "built_postgres", "on_duckdb", "running_app", "duckdb_warehouse",
                 "postgres_warehouse", "duck", "datasets", "base_dataset"}
SLOW_MODULES = {"test_consistency_rules", "test_typologies", "test_dbt_build", "test_generic_tests",
                "test_orchestration", "test_incremental", "test_load_state", "test_marts", "test_quality",
                "test_secrets", "test_triggers", "test_access", "test_spark", "test_spark_cluster"}


# The longest modules first: pytest-xdist (--dist loadfile) hands whole modules to its workers in this
# order, so the Spark module's minutes overlap the many short modules instead of ending the run.
FIRST_MODULES = ("test_spark", "test_orchestration", "test_spark_cluster")


def pytest_collection_modifyitems(items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1]
        if module in SLOW_MODULES or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)

    def rank(item):
        module = item.module.__name__.rsplit(".", 1)[-1]
        return FIRST_MODULES.index(module) if module in FIRST_MODULES else len(FIRST_MODULES)
    items.sort(key=rank)  # stable: the order within each module is kept


@pytest.fixture(scope="session", autouse=True)
def profiles_file():
    """dbt and sqlfluff read profiles.yml from the project; make it from the example if absent."""
    target = ROOT / "profiles.yml"
    if not target.exists():
        shutil.copy(ROOT / "profiles.yml.example", target)
    return target


@pytest.fixture(scope="session", autouse=True)
def workflow_store(tmp_path_factory):
    """The case workflow's file store and the backtests' folder of this test process (pipeline/workflow.py,
    pipeline/backtest.py): never the project's own warehouse/. Tests that record actions use their own."""
    folder = tmp_path_factory.mktemp("workflow")
    chosen = {"TIMO_WORKFLOW_DIR": str(folder), "TIMO_BACKTEST_DIR": str(folder / "backtest")}
    saved = {key: os.environ.get(key) for key in chosen}
    os.environ.update(chosen)
    yield folder
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def parquet_dataset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("data") / "parquet"
    generate(GenerateConfig(fmt="parquet", **SMALL), out, quiet=True)
    return out


@pytest.fixture(scope="session")
def csv_dataset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("data") / "csv"
    generate(GenerateConfig(fmt="csv", **SMALL), out, quiet=True)
    return out


@contextlib.contextmanager
def throwaway_database(template: str | None = None):
    """A new PostgreSQL database (a copy of `template` if given), dropped afterwards. A server that
    cannot be reached is a failure, never a skip: CI must exercise PostgreSQL for real."""
    name = f"timo_bank_test_{uuid.uuid4().hex[:10]}"
    settings = PostgresSettings.from_env(dbname=name)
    try:
        admin = settings.connect(dbname="postgres")
    except LoadError as exc:
        pytest.fail(f"PostgreSQL is required for this test and is not reachable: {exc}")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"' + (f' template "{template}"' if template else ""))
    try:
        yield settings
    finally:
        with admin.cursor() as cur:
            cur.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s", (name,))
            cur.execute(f'drop database if exists "{name}"')
        admin.close()


@pytest.fixture()
def pg_database():
    with throwaway_database() as settings:
        yield settings


def run_bankgen(*args: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "bankgen"), *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=600)


def run_dbt(*args: str, env: dict) -> subprocess.CompletedProcess:
    """dbt in the project folder with a private target/log folder per call site."""
    return subprocess.run(dbt_command(*args, profiles=ROOT), capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **env}, timeout=1_200)


def pg_env(settings: PostgresSettings) -> dict:
    return settings.env()


@dataclass
class Built:
    """A warehouse loaded with the small parquet dataset and built by `dbt build` (once per session)."""
    target_path: Path
    result: subprocess.CompletedProcess
    duckdb_path: Path | None = None
    settings: PostgresSettings | None = None
    env: dict | None = None

    def assert_green(self) -> None:
        assert self.result.returncode == 0, self.result.stdout[-4000:] + self.result.stderr[-2000:]


@pytest.fixture(scope="session")
def built_duckdb(parquet_dataset, tmp_path_factory) -> Built:
    work = tmp_path_factory.mktemp("built_duckdb")
    db = work / "warehouse.duckdb"
    load_duckdb(parquet_dataset, db, quiet=True)
    env = {"TIMO_DUCKDB_PATH": str(db), "DBT_LOG_PATH": str(work / "logs")}
    result = run_dbt("build", "--target", "duckdb", "--target-path", str(work / "target"), env=env)
    return Built(target_path=work / "target", result=result, duckdb_path=db, env=env)


@pytest.fixture(scope="session")
def built_postgres(parquet_dataset, tmp_path_factory):
    work = tmp_path_factory.mktemp("built_postgres")
    with throwaway_database() as settings:
        load_postgres(parquet_dataset, settings, quiet=True)
        env = {**pg_env(settings), "PGPASSWORD": PG_PASSWORD_CANARY, "DBT_LOG_PATH": str(work / "logs")}
        result = run_dbt("build", "--target", "postgres", "--target-path", str(work / "target"), env=env)
        yield Built(target_path=work / "target", result=result, settings=settings, env=env)


def _normalised(value):
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def mart_multisets(fetch) -> dict[str, Counter]:
    """Every mart as a multiset of rows, for comparing two warehouses; `fetch(sql)` returns rows. Left
    out: rpt_data_quality (run metadata) and dim_customers.cccd_token (issued per warehouse)."""
    tables = [t for (t,) in fetch("select table_name from information_schema.tables where table_schema = 'marts' "
                                  "order by 1") if t != "rpt_data_quality"]
    out = {}
    for table in tables:
        columns = [c for (c,) in fetch("select column_name from information_schema.columns where table_schema = "
                                       f"'marts' and table_name = '{table}' order by ordinal_position")
                   if c != "cccd_token"]
        out[table] = Counter(tuple(_normalised(v) for v in row)
                             for row in fetch(f'select {", ".join(columns)} from marts."{table}"'))
    return out


def postgres_fetch(settings: PostgresSettings):
    """A `fetch(sql)` over a PostgreSQL database, one connection per query."""
    def fetch(sql):
        conn = settings.connect()
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall()
        finally:
            conn.close()
    return fetch


def duckdb_fetch(db: Path):
    """A `fetch(sql)` over a DuckDB file, read-only."""
    import duckdb

    def fetch(sql):
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute(sql).fetchall()
    return fetch


def full_refresh_of_a_copy(db: Path, work: Path) -> Path:
    """A copy of the DuckDB warehouse `db`, rebuilt by `dbt build --full-refresh` without tests. The copy
    keeps the warehouse's raw data and its snapshots' history, so its marts are what the warehouse's
    incremental runs should have given. Returns the copy's path."""
    copy = work / f"{db.stem}-full-refresh.duckdb"
    shutil.copy(db, copy)
    done = run_dbt("build", "--full-refresh", "--target", "duckdb", "--target-path", str(work / "full-refresh-target"),
                   *NO_TESTS, env={"TIMO_DUCKDB_PATH": str(copy), "DBT_LOG_PATH": str(work / "logs")})
    assert done.returncode == 0, done.stdout[-4000:]
    return copy


@contextlib.contextmanager
def postgres_full_refresh_of_a_copy(settings: PostgresSettings, work: Path):
    """The same on PostgreSQL: a copy of the database (a throwaway database made from it as a template),
    rebuilt by `dbt build --full-refresh` without tests; yields the copy's settings, dropped afterwards."""
    with throwaway_database(template=settings.dbname) as copy:
        done = run_dbt("build", "--full-refresh", "--target", "postgres", "--target-path",
                       str(work / "full-refresh-target"), *NO_TESTS,
                       env={**pg_env(copy), "DBT_LOG_PATH": str(work / "logs")})
        assert done.returncode == 0, done.stdout[-4000:]
        yield copy
