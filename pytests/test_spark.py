"""Spark, the third engine: the same project on Spark gives the same marts as DuckDB, its daily runs
give the same marts as a full refresh, and the generic tests return what they return elsewhere
(test_spark_cluster.py runs the standalone cluster of `make spark-cluster`).

One Spark session serves the whole module: it is started here, in the test process, and dbt runs in
the same process (dbtRunner), where dbt-spark's session method finds it. Starting Spark once saves
the JVM's start-up on every dbt invocation; the session has the `spark` target's settings
(pipeline/spark.py), with its catalog and tables in a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from generators.advance import advance
from pipeline.daily import build_args, remember, warehouse_key
from pipeline.loader import load_duckdb, load_spark
from pipeline.spark import SparkSettings, spark_session

from . import test_generic_tests as generic
from .conftest import NO_TESTS, ROOT, duckdb_fetch, full_refresh_of_a_copy, run_bankgen, run_dbt

pytestmark = pytest.mark.spark

SKIP_TABLES = {"rpt_data_quality"}  # run metadata: differs between any two builds
SKIP_COLUMNS = {"cccd_token"}  # random tokens, issued per warehouse


def portable(value):
    """One spelling of a value across engines: numbers to 6 decimals, times as ISO text."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (Decimal, float, int)):
        return round(float(value), 6)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def duckdb_marts(db: Path) -> dict[str, Counter]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [t for (t,) in con.execute("select table_name from information_schema.tables "
                                            "where table_schema = 'marts' order by 1").fetchall()]
        out = {}
        for table in tables:
            if table in SKIP_TABLES:
                continue
            columns = sorted(c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' "
                f"and table_name = '{table}'").fetchall() if c not in SKIP_COLUMNS)
            rows = con.execute(f'select {", ".join(chr(34) + c + chr(34) for c in columns)} from marts."{table}"')
            out[table] = Counter(tuple(portable(v) for v in row) for row in rows.fetchall())
    return out


def spark_marts(session) -> dict[str, Counter]:
    out = {}
    for row in session.sql("show tables in marts").collect():
        if row.isTemporary or row.tableName in SKIP_TABLES:
            continue
        types = dict(session.table(f"marts.{row.tableName}").dtypes)
        columns = sorted(c for c in types if c not in SKIP_COLUMNS)
        # timestamps as text in Spark itself: collect() would turn them into this process's local time
        select = ", ".join(f"date_format(`{c}`, 'yyyy-MM-dd HH:mm:ss.SSSSSS')" if types[c] == "timestamp" else f"`{c}`"
                           for c in columns)
        out[row.tableName] = Counter(tuple(portable(v) for v in r)
                                     for r in session.sql(f"select {select} from marts.{row.tableName}").collect())
    return out


def differences(a: dict[str, Counter], b: dict[str, Counter]) -> dict[str, int]:
    assert a.keys() == b.keys(), (sorted(a.keys() ^ b.keys()))
    return {t: sum(((a[t] - b[t]) + (b[t] - a[t])).values()) for t in a if a[t] != b[t]}


@dataclass
class SparkWarehouse:
    settings: SparkSettings
    session: object
    work: Path

    def dbt(self, *args: str, project: Path = ROOT):
        """dbt in this process, on the module's Spark session; the result's failures are asserted by callers."""
        from dbt.cli.main import dbtRunner

        return dbtRunner().invoke([*args, "--project-dir", str(project), "--profiles-dir", str(project),
                                   "--target", "spark", "--target-path", str(self.target_path),
                                   "--log-path", str(self.work / "logs"), "--quiet"])

    @property
    def target_path(self) -> Path:
        return self.work / "target"

    def build(self, *args: str):
        result = self.dbt(*(args if args[:1] == ("build",) else ("build", *args)))
        failed = [(r.node.unique_id, str(r.status), r.message) for r in (result.result or [])
                  if str(r.status) not in ("success", "pass", "warn", "no-op")]
        assert result.success and not failed, (result.exception, failed[:10])
        return result


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    work = tmp_path_factory.mktemp("spark")
    settings = SparkSettings(master="local[2]", home=work / "warehouse", driver_memory="2g", shuffle_partitions=2)
    saved = {k: os.environ.get(k) for k in settings.env()}
    os.environ.update(settings.env())
    session = spark_session(settings)
    try:
        yield SparkWarehouse(settings, session, work)
    finally:
        session.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass
class SparkBuild:
    result: object
    marts: dict[str, Counter]


@pytest.fixture(scope="module")
def spark_built(spark, parquet_dataset) -> SparkBuild:
    """The small dataset loaded and built on Spark with every test; its marts are read at once, so later
    tests may change the warehouse."""
    counts = load_spark(parquet_dataset, spark.settings, quiet=True)
    assert counts["payment_transactions"] > 10_000
    result = spark.build()
    remember(spark.target_path, "spark", spark.settings.env())  # as bankgen simulate does after a build
    return SparkBuild(result=result, marts=spark_marts(spark.session))


def test_every_model_test_and_snapshot_passes_on_spark(spark_built):
    statuses = Counter(r.node.resource_type for r in spark_built.result.result)
    # every seed, model, snapshot, data test and unit test of the project ran (and build() asserted they passed)
    assert statuses["snapshot"] == 3 and statuses["unit_test"] >= 12, statuses
    assert statuses["model"] >= 70 and statuses["test"] >= 390, statuses


def test_spark_gives_the_marts_duckdb_gives(spark_built, built_duckdb):
    built_duckdb.assert_green()
    duck = duckdb_marts(built_duckdb.duckdb_path)
    assert differences(spark_built.marts, duck) == {}
    for table in ("fct_transactions", "fct_risk_alerts", "fct_daily_account_summaries", "rpt_sbv_daily_compliance"):
        assert sum(spark_built.marts[table].values()) > 0, table
    assert sum(spark_built.marts["fct_transactions"].values()) > 10_000


def _snapshot_versions(fetch) -> Counter:
    """Every version of every account and device: (table, key, valid from, valid to)."""
    out = Counter()
    for table, key in (("snap_accounts", "account_id"), ("snap_devices", "device_id")):
        out.update((table, *map(portable, row)) for row in fetch(
            f"select {key}, dbt_valid_from, dbt_valid_to from snapshots.{table}"))
    return out


def test_a_daily_run_on_spark_equals_a_full_refresh_and_duckdb(spark, spark_built, built_duckdb, parquet_dataset,
                                                               tmp_path):
    """One daily run that meets everything a day brings: a new day (late authentication logs of the day
    before and status changes included), and a restated day: the files of a day the first build already
    built are removed. The run overwrites only the partitions of the days it rebuilds, and a day the
    rebuild no longer produces must go, as delete+insert removes it on the other engines.

    The run is a day's build as `bankgen simulate` and the Dagster sensor run it (pipeline/daily.py): the
    daily selection against the state of the first build, whose key the Spark catalog's folder keeps, so
    seeds and views are left alone. Its marts and snapshot versions equal those of the same day on
    DuckDB (from the same first build), and its marts equal a full refresh of that DuckDB warehouse. The
    full refresh runs on DuckDB: Spark's full build already gives DuckDB's marts
    (test_spark_gives_the_marts_duckdb_gives), and a Spark full refresh would cost this module another
    hundred-odd seconds of Spark's per-node overhead."""
    data = tmp_path / "data"
    shutil.copytree(parquet_dataset, data)
    duck = tmp_path / "daily.duckdb"
    shutil.copy(built_duckdb.duckdb_path, duck)
    env = {"TIMO_DUCKDB_PATH": str(duck), "DBT_LOG_PATH": str(tmp_path / "logs")}

    built_days = sorted(p.name.split(".")[0] for p in (data / "payment_transactions").glob("*.parquet"))
    removed_day = built_days[-2]  # built by the first build; the last day stays for the late logs' lookback
    advance(data, 1, quiet=True)
    removed = [path for path in data.glob(f"*/{removed_day}*")]
    assert {p.parent.name for p in removed} >= {"payment_transactions", "authentication_logs"}, removed
    for path in removed:
        path.unlink()
    load_spark(data, spark.settings, quiet=True)
    key = warehouse_key("spark", spark.settings.env())
    assert key is not None  # the first build was remembered
    daily = spark.build(*build_args(spark.target_path, key, "spark", tests=False))
    ran = {r.node.unique_id for r in daily.result}
    assert not [uid for uid in ran if uid.startswith("seed.")] and "model.timo_bank.stg_core_banking__transactions" \
        not in ran, sorted(ran)[:5]  # the daily selection: no seed, no unchanged view
    assert "model.timo_bank.fct_transactions" in ran and "snapshot.timo_bank.snap_accounts" in ran
    load_duckdb(data, duck, quiet=True)
    result = run_dbt("build", "--target", "duckdb", "--target-path", str(tmp_path / "target"), *NO_TESTS, env=env)
    assert result.returncode == 0, result.stdout[-3000:]

    incremental = spark_marts(spark.session)
    days = [r[0] for r in spark.session.sql("show partitions marts.fct_transactions").collect()]
    assert f"transaction_date={removed_day}" not in days and len(days) == len(built_days), sorted(days)[-3:]
    assert differences(incremental, duckdb_marts(duck)) == {}
    spark_versions = _snapshot_versions(lambda sql: spark.session.sql(sql).collect())
    assert spark_versions == _snapshot_versions(duckdb_fetch(duck))
    assert sum(spark_versions.values()) > len({(t, k) for t, k, *_ in spark_versions})  # status changes were versioned

    assert differences(incremental, duckdb_marts(full_refresh_of_a_copy(duck, tmp_path))) == {}
    assert sum(sum(c.values()) for c in incremental.values()) > 20_000


def test_the_generic_tests_return_on_spark_what_dbt_expectations_returns(spark, tmp_path):
    generic.write_project(tmp_path)
    spark.dbt("build", project=tmp_path)
    generic.check(generic.outcomes(tmp_path, spark.work / "target"), "spark")


def test_bad_spark_input_is_one_line_and_exit_2(tmp_path):
    result = run_bankgen("load", "--target", "spark", "--data", str(tmp_path / "missing"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "does not exist" in result.stderr
    (tmp_path / "data").mkdir()
    result = run_bankgen("load", "--target", "spark", "--data", str(tmp_path / "data"))
    assert result.returncode == 2 and "customers.csv or customers.parquet" in result.stderr


def test_spark_without_java_says_so(parquet_dataset, tmp_path):
    result = run_bankgen("load", "--target", "spark", "--data", str(parquet_dataset),
                         env={"JAVA_HOME": str(tmp_path / "no-java"), "TIMO_SPARK_DIR": str(tmp_path / "w")})
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "Spark needs Java 17" in result.stderr
    assert not (tmp_path / "w" / "metastore_db").exists()
