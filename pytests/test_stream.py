"""Micro-batches (`bankgen stream`): what a stream writes, and intraday builds.

- Batches hold only times in their window, never after the moment they are written; identifiers are
  unique across parallel streams and far from the ones `advance` hands out; an authentication attempt
  that has not happened yet arrives with a later batch, and every log arrives in the end.
- A stream writes only days after the dataset's last day; `advance` refuses a day that streams wrote.
- `bankgen stream start` runs parallel streams in the background and `stop` ends them, leaving no pid file.
- Intraday batches, each loaded and built incrementally, followed by the next day's first batch (which
  delivers the late logs of the day before: the day's close), give the marts of a full refresh, on
  DuckDB and on PostgreSQL.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from datetime import date, datetime, timedelta

import duckdb
import pyarrow.parquet as pq
import pytest

from generators.advance import advance
from generators.config import ConfigError, GenerateConfig
from generators.generate import generate
from generators.stream import STREAM_ID_GAP, Stream
from pipeline.daily import build_args, remember, warehouse_key
from pipeline.loader import load_duckdb, load_postgres
from pipeline.streaming import running

from .conftest import (
    SMALL,
    full_refresh_of_a_copy,
    mart_multisets,
    pg_env,
    postgres_full_refresh_of_a_copy,
    run_bankgen,
    run_dbt,
    throwaway_database,
)

DAY = date(2026, 10, 16)  # the day after the 15-day dataset


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    out = tmp_path_factory.mktemp("stream") / "data"
    generate(GenerateConfig(fmt="parquet", **{**SMALL, "days": 15}), out, quiet=True)
    return out


def _copy(base, tmp_path):
    shutil.copytree(base, tmp_path / "data")
    return tmp_path / "data"


def _rows(folder, table, pattern="*.stream-*"):
    files = sorted((folder / table).glob(pattern))
    return [r for f in files for r in pq.read_table(f).to_pylist()]


def test_batches_stay_in_their_window_with_unique_ids_and_late_logs(base, tmp_path):
    data = _copy(base, tmp_path)
    one = Stream(data, "a", rate=0.02, late_share=0.05, started_at=datetime(2026, 10, 16))
    two = Stream(data, "b", rate=0.02, late_share=0.05, started_at=datetime(2026, 10, 16))
    ends = [datetime(2026, 10, 16, h) for h in (4, 8, 12)]
    for end in ends:
        for stream in (one, two):
            result = stream.write_batch(end)
            assert result.transactions > 0
    for stream in (one, two):
        stream.write_batch(datetime(2026, 10, 16, 22))
        assert stream.close(datetime(2026, 10, 16, 23)).auth_logs > 0  # stopping delivers what was held
        assert stream.held.num_rows == 0
    ends += [datetime(2026, 10, 16, 22), datetime(2026, 10, 16, 23)]
    txns = _rows(data, "payment_transactions")
    logs = _rows(data, "authentication_logs")
    ids = [r["transaction_id"] for r in txns]
    assert len(ids) == len(set(ids)) > 500
    manifest_next = __import__("json").loads((data / "_manifest.json").read_text())["next_ids"]
    assert min(ids) >= manifest_next["transaction_id"] + STREAM_ID_GAP
    log_ids = [r["log_id"] for r in logs]
    assert len(log_ids) == len(set(log_ids))
    # every transaction's attempts arrived, and no file holds a moment after the batch that wrote it
    assert {r["transaction_id"] for r in logs} <= set(ids)
    assert len({r["transaction_id"] for r in logs}) > 0.9 * len(ids)
    for path in sorted((data / "authentication_logs").glob("*.stream-*")) + \
            sorted((data / "payment_transactions").glob("*.stream-*")):
        seq = int(path.name.split("-")[-1].split(".")[0])
        written_at = ends[seq - 1]
        column = "auth_ts" if "authentication" in str(path) else "transaction_ts"
        latest = max((r[column] for r in pq.read_table(path).to_pylist()), default=None)
        assert latest is None or latest <= written_at, (path.name, latest, written_at)
    batch_of = {}
    for path in (data / "payment_transactions").glob("*.stream-*"):
        for r in pq.read_table(path).to_pylist():
            batch_of[r["transaction_id"]] = path.name.split(".stream-")[1]
    late = [r for path in (data / "authentication_logs").glob("*.stream-*") for r in pq.read_table(path).to_pylist()
            if batch_of[r["transaction_id"]] != path.name.split(".stream-")[1]]
    assert 0 < len(late) < 0.2 * len(logs)  # some logs came with a later batch than their transaction
    assert not [p for p in data.rglob(".*") if p.is_file() and ".streams" not in str(p)]  # no half-written file


def test_a_stream_rebuilds_the_datasets_own_population(tmp_path):
    """Every generation setting of the manifest is honoured (here a non-default organisation share), so
    the stream's customers are the dataset's customers, with the same types."""
    data = tmp_path / "data"
    generate(GenerateConfig(fmt="parquet", **{**SMALL, "days": 15}, organization_share=0.5), data, quiet=True)
    stream = Stream(data, "a", rate=0.01, started_at=datetime(2026, 10, 16))
    types = [r["customer_type"] for r in pq.read_table(data / "customers.parquet").to_pylist()]
    organisations = sum(t == "organization" for t in types)
    assert organisations > 0.3 * len(types)
    assert int((stream.pop.customer_type == 1).sum()) == organisations


def test_streams_and_advance_never_write_the_same_day(base, tmp_path):
    data = _copy(base, tmp_path)
    with pytest.raises(ConfigError, match="after the dataset's last day"):
        Stream(data, "a", started_at=datetime(2026, 10, 15, 12))
    Stream(data, "a", rate=0.01, started_at=datetime(2026, 10, 16)).write_batch(datetime(2026, 10, 16, 1))
    with pytest.raises(ConfigError, match="already holds streamed batches"):
        advance(data, 1, quiet=True)


def test_bad_stream_input_is_one_line_and_exit_2(base, tmp_path):
    data = _copy(base, tmp_path)
    for args, words in ((["--rate", "0"], "--rate"), (["--interval", "0.1"], "--interval"),
                        (["--name", "Bad Name"], "--name"), (["--streams", "40"], "--streams")):
        done = run_bankgen("stream", "start", "--data", str(data), *args)
        assert done.returncode == 2, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1 and words in done.stderr, done.stderr
    done = run_bankgen("stream", "start", "--data", str(tmp_path / "missing"))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1


def test_start_and_stop_parallel_streams(tmp_path):
    data = tmp_path / "data"
    yesterday = date.today() - timedelta(days=1)
    generate(GenerateConfig(fmt="parquet", **{**SMALL, "days": 3, "start_date": yesterday - timedelta(days=2)}),
             data, quiet=True)
    done = run_bankgen("stream", "start", "--data", str(data), "--rate", "20", "--interval", "1", "--streams", "2")
    assert done.returncode == 0, done.stderr
    try:
        assert set(running(data)) == {"s1", "s2"}
        refused = run_bankgen("generate", "--out", str(data), "--days", "2", "--customers", "50", "--quiet")
        assert refused.returncode == 2 and "bankgen stream stop" in refused.stderr, refused.stderr
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(list((data / "payment_transactions").glob("*.stream-*"))) < 4:
            time.sleep(0.2)
    finally:
        stopped = run_bankgen("stream", "stop", "--data", str(data))
    assert stopped.returncode == 0, stopped.stderr
    assert running(data) == {} and not list((data / ".streams").glob("*.pid"))
    names = Counter(p.name.split(".stream-")[1].rsplit("-", 1)[0]
                    for p in (data / "payment_transactions").glob("*.stream-*"))
    assert names["s1"] >= 2 and names["s2"] >= 2, names
    rows = _rows(data, "payment_transactions")
    assert all(r["transaction_ts"] <= datetime.now() for r in rows)
    assert len({r["transaction_id"] for r in rows}) == len(rows)
    # stopped, the folder is bankgen's own again: it may be replaced
    replaced = run_bankgen("generate", "--out", str(data), "--days", "2", "--customers", "50", "--quiet")
    assert replaced.returncode == 0, replaced.stderr


# ---- intraday builds ------------------------------------------------------------------------------------

MOMENTS = [datetime(2026, 10, 16, 8), datetime(2026, 10, 16, 16), datetime(2026, 10, 16, 23, 59, 59),
           datetime(2026, 10, 17, 0, 30)]  # the last: the next day's first batch, with yesterday's late logs


@pytest.mark.parametrize("engine, lookback", [("duckdb", 1), pytest.param("postgres", 1, marks=pytest.mark.postgres),
                                              ("duckdb", 0)])
def test_intraday_batches_then_the_close_equal_a_full_refresh(base, tmp_path, engine, lookback):
    """lookback 0 is the negative control: without rebuilding the day before, the late logs that the
    close delivers never reach the marts, and the comparison catches it."""
    data = _copy(base, tmp_path)
    stream = Stream(data, "s1", rate=0.03, started_at=datetime(2026, 10, 16))
    with throwaway_database() if engine == "postgres" else _nothing() as settings:
        if engine == "duckdb":
            db = tmp_path / "w.duckdb"
            env = {"TIMO_DUCKDB_PATH": str(db)}
            load = lambda: load_duckdb(data, db, quiet=True)  # noqa: E731

            def fetch(sql, where=db):
                with duckdb.connect(str(where), read_only=True) as con:
                    return con.execute(sql).fetchall()
        else:
            env = pg_env(settings)
            load = lambda: load_postgres(data, settings, quiet=True)  # noqa: E731

            def fetch(sql, where=None):
                conn = settings.connect(dbname=where)
                try:
                    with conn.cursor() as cur:
                        cur.execute(sql)
                        return cur.fetchall()
                finally:
                    conn.close()
        env["DBT_LOG_PATH"] = str(tmp_path / "logs")

        target_path = tmp_path / "target"

        def build(*extra, environment=env, batch=False, tests=False):
            # a batch builds as the sensor's runs do (pipeline/daily.py): only what it changes, against
            # the state of the last build that passed
            args = build_args(target_path, warehouse_key(engine, environment), engine, tests=tests) if batch \
                else ["build", *extra]
            done = run_dbt(*args, "--target", engine, "--target-path", str(target_path),
                           "--vars", f"{{incremental_lookback_days: {lookback}}}", env=environment)
            assert done.returncode == 0, done.stdout[-4000:]
            if batch:
                remember(target_path, engine, environment)

        load()
        build(batch=True)
        for moment in MOMENTS:
            stream.write_batch(moment)
            load()
            # the last one with every test (not in the negative control, whose point is the comparison)
            build(batch=True, tests=moment == MOMENTS[-1] and bool(lookback))
        (streamed,), = fetch("select count(*) from marts.fct_transactions where transaction_id >= 1000000000")
        assert streamed > 1000
        day_before = {r["transaction_id"] for r in _rows(data, "payment_transactions", f"{DAY}.stream-*")}
        late = sum(r["transaction_id"] in day_before
                   for r in _rows(data, "authentication_logs", f"{DAY + timedelta(days=1)}.stream-*"))
        incremental = mart_multisets(fetch)

        # a full refresh of a copy (the snapshots keep what the intraday runs recorded)
        if engine == "duckdb":
            copy = full_refresh_of_a_copy(db, tmp_path)
            full = mart_multisets(lambda sql: fetch(sql, copy))
        else:
            with postgres_full_refresh_of_a_copy(settings, tmp_path) as other:
                full = mart_multisets(lambda sql: fetch(sql, other.dbname))
    assert late > 0  # the day's close delivered logs of the day before
    differing = {t: sum(((incremental[t] - full[t]) + (full[t] - incremental[t])).values())
                 for t in full if incremental.get(t) != full[t]}
    assert set(incremental) == set(full)
    if lookback:
        assert not differing, differing
    else:
        assert "fct_transactions" in differing, differing


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False
