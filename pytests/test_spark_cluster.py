"""The standalone cluster of `make spark-cluster`, driven from the command line as a user drives it: a
master and two workers on 127.0.0.1, `bankgen load --target spark` and `dbt build --target spark`
against spark://127.0.0.1:7077, then the cluster stopped. Its own module (and its own Spark processes,
outside the test process), so that pytest-xdist can run it beside test_spark.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections import Counter

import duckdb
import pytest

from .conftest import BIN, NO_TESTS, ROOT, run_bankgen
from .test_spark import portable

pytestmark = pytest.mark.spark


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_the_standalone_cluster_builds_what_local_mode_builds(parquet_dataset, built_duckdb, tmp_path):
    """`make spark-cluster`'s path, from the command line: a master and two workers on 127.0.0.1, the load
    and the transaction models up to the SBV classification built on them (its Tksth fold runs on the
    workers), equal to DuckDB's; then the cluster stops and nothing listens any more."""
    env = {"TIMO_SPARK_DIR": str(tmp_path / "warehouse"), "TIMO_SPARK_MASTER": "spark://127.0.0.1:7077",
           "TIMO_SPARK_SHUFFLE_PARTITIONS": "2", "TIMO_SPARK_DRIVER_MEMORY": "1g"}
    started = run_bankgen("spark-cluster", "start", env=env)
    assert started.returncode == 0, started.stderr
    try:
        assert _listening(7077)
        loaded = run_bankgen("load", "--target", "spark", "--data", str(parquet_dataset), env=env)
        assert loaded.returncode == 0, loaded.stderr[-2000:]
        assert "spark://127.0.0.1:7077" in loaded.stdout
        built = subprocess.run([str(BIN / "dbt"), "build", "--profiles-dir", str(ROOT), "--target", "spark",
                                "--target-path", str(tmp_path / "target"), "--select", "+int_transactions_classified",
                                *NO_TESTS], cwd=ROOT, capture_output=True, text=True, timeout=900,
                               env={**os.environ, **env, "DBT_LOG_PATH": str(tmp_path / "logs")})
        assert built.returncode == 0, built.stdout[-3000:]
        logs = "".join(p.read_text(errors="replace") for p in (tmp_path / "warehouse" / "cluster" / "logs").glob("*"))
        assert logs.count("Launching executor") >= 2  # both workers ran executors for the build
    finally:
        stopped = run_bankgen("spark-cluster", "stop", env=env)
    assert stopped.returncode == 0 and not _listening(7077)

    # the table's Parquet files, as the workers wrote them, read without starting Spark again (one day
    # per partition folder; the day is in the folder's name, not in the files)
    files = tmp_path / "warehouse" / "tables" / "intermediate.db" / "int_transactions_classified"
    assert len(list(files.glob("transaction_date=*"))) > 10
    with duckdb.connect() as con:
        on_cluster = Counter((t, lvl, portable(v)) for t, lvl, v in con.execute(
            "select transaction_id, required_level, unverified_total_before_vnd from read_parquet(?)",
            [str(files / "*" / "*.parquet")]).fetchall())
    with duckdb.connect(str(built_duckdb.duckdb_path), read_only=True) as con:
        on_duckdb = Counter((t, lvl, portable(v)) for t, lvl, v in con.execute(
            "select transaction_id, required_level, unverified_total_before_vnd "
            "from intermediate.int_transactions_classified").fetchall())
    assert on_cluster == on_duckdb and len(on_duckdb) > 10_000
