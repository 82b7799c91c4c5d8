"""Load a generated dataset into the warehouse's `raw` schema, all tables in one transaction.

DuckDB reads the files with its own CSV/Parquet readers; PostgreSQL receives them with COPY
(Parquet is streamed batch by batch as CSV).  Every file's columns, and every value that does not
already have its column's exact type, are checked before the warehouse is touched (values.py); any
failure rolls the whole load back, so the warehouse is left as it was.

Each load also records what it loaded in `raw._load_files`, in the same transaction: one row per file
with the dataset's identity (the manifest's `dataset_id`), the day the file holds and its SHA-256.
dbt compares it with what the warehouse was last built from (macros/load_state.sql): a restated
day is rebuilt, and a different dataset stops the build with what to run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import sys
import time
import uuid
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from generators.dataset import file_day, read_manifest
from generators.schema import FORMATS, TABLES, Table, table_files

from .settings import PostgresSettings, duckdb_path
from .values import ValueMismatch, check_file

RAW_SCHEMA = "raw"
LOAD_FILES = "_load_files"
COPY_BATCH_ROWS = 250_000
LOCK_ATTEMPTS = 6  # a DuckDB file held by a reader (the dashboard): wait 0.25 + 0.5 + ... + 8 s at most
LOAD_FILES_COLUMNS = (("table_name", "varchar"), ("file_name", "varchar"), ("is_event_table", "boolean"),
                      ("file_day", "date"), ("sha256", "varchar"), ("file_bytes", "bigint"),
                      ("dataset_id", "varchar"), ("load_id", "varchar"), ("loaded_at", "timestamp"))


class LoadError(RuntimeError):
    """A dataset that cannot be loaded; the message names the file."""


def detect_format(data_dir: Path) -> str:
    manifest = read_manifest(data_dir)
    if manifest is not None:
        fmt = (manifest.get("config") or {}).get("fmt")
        if fmt in FORMATS:
            return fmt
    for fmt in FORMATS:
        if (data_dir / f"customers.{fmt}").exists():
            return fmt
    raise LoadError(f"{data_dir}: no customers.csv or customers.parquet; is this a bankgen dataset?")


def _file_columns(path: Path, fmt: str):
    """The file's column names, and its Parquet schema (read once, for the value checks too)."""
    try:
        if fmt == "parquet":
            schema = pq.read_schema(path)
            return schema.names, schema
        with path.open(encoding="utf-8") as handle:
            header = handle.readline().strip()
        return ([c.strip().strip('"') for c in header.split(",")] if header else []), None
    except Exception as exc:  # unreadable or not the format it claims to be
        raise LoadError(f"{path}: cannot be read as {fmt}: {exc}") from None


def check_dataset(data_dir: Path) -> tuple[str, dict[str, list[Path]]]:
    """Every raw table present with the expected columns, or a LoadError naming the file."""
    data_dir = Path(data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        raise LoadError(f"--data {data_dir} is a file; give the dataset folder written by `bankgen generate`")
    if not data_dir.is_dir():
        raise LoadError(f"data folder {data_dir} does not exist")
    fmt = detect_format(data_dir)
    found: dict[str, list[Path]] = {}
    for table in TABLES.values():
        files = table_files(table, data_dir, fmt)
        if not files:
            where = data_dir / table.name / f"*.{fmt}" if table.daily else data_dir / f"{table.name}.{fmt}"
            raise LoadError(f"{where}: missing file for raw table {table.name}")
        for path in files:
            columns, schema = _file_columns(path, fmt)
            if columns != table.column_names:
                missing = [c for c in table.column_names if c not in columns]
                extra = [c for c in columns if c not in table.column_names]
                detail = "; ".join(filter(None, [
                    f"missing {', '.join(missing)}" if missing else "",
                    f"unexpected {', '.join(extra)}" if extra else "",
                    "same columns in another order" if not missing and not extra else ""]))
                raise LoadError(f"{path}: columns do not match raw.{table.name} ({detail})")
            try:
                check_file(table, path, fmt, schema)
            except ValueMismatch as exc:
                raise LoadError(str(exc)) from None
            except (OSError, ValueError) as exc:  # Arrow's errors are ValueErrors too
                raise LoadError(f"{path}: cannot be read as {fmt}: {_first_line(exc)}") from None
        found[table.name] = files
    return fmt, found


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_record(data_dir: Path, files: dict[str, list[Path]]) -> list[tuple]:
    """The rows of raw._load_files for this load: what was loaded, from which dataset, which day."""
    manifest = read_manifest(data_dir) or {}
    dataset_id = str(manifest.get("dataset_id") or "unidentified")
    load_id = uuid.uuid4().hex
    loaded_at = dt.datetime.now().replace(microsecond=0)
    rows = []
    for name, paths in files.items():
        daily = TABLES[name].daily
        for path in paths:
            day = file_day(path) if daily else None
            rows.append((name, str(path.relative_to(data_dir)), daily, day, _sha256(path), path.stat().st_size,
                         dataset_id, load_id, loaded_at))
    return rows


def _log(quiet: bool, message: str) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


# ---- DuckDB ------------------------------------------------------------------------------------

def _duckdb_reader(table: Table, files: list[Path], fmt: str) -> str:
    paths = "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in files) + "]"
    if fmt == "parquet":
        return f"read_parquet({paths}, union_by_name = false)"
    columns = "{" + ", ".join(f"'{c}': '{t}'" for c, t in table.duckdb_columns().items()) + "}"
    return f"read_csv({paths}, header = true, auto_detect = false, columns = {columns})"


def load_duckdb(data_dir: Path, db_path: Path | None = None, quiet: bool = False) -> dict[str, int]:
    import duckdb

    data_dir = Path(data_dir)
    fmt, files = check_dataset(data_dir)
    record = load_record(data_dir, files)
    db_path = Path(db_path) if db_path else duckdb_path()
    if db_path.exists() and not db_path.is_file():
        raise LoadError(f"DuckDB path {db_path} is a folder, not a database file")
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LoadError(f"cannot create the folder of DuckDB file {db_path}: {exc.strerror}") from None
    con = connect_duckdb(db_path)
    counts: dict[str, int] = {}
    current = ""
    try:
        con.execute("begin transaction")
        con.execute(f"create schema if not exists {RAW_SCHEMA}")
        for name, table in TABLES.items():
            started = time.perf_counter()
            current = f"{files[name][0]}{' (and the other files of ' + name + ')' if len(files[name]) > 1 else ''}"
            select = ", ".join(f"cast({c} as {t}) as {c}" for c, t in table.duckdb_columns().items())
            con.execute(f"create or replace table {RAW_SCHEMA}.{name} as "
                        f"select {select} from {_duckdb_reader(table, files[name], fmt)}")
            counts[name] = con.execute(f"select count(*) from {RAW_SCHEMA}.{name}").fetchone()[0]
            _log(quiet, f"  raw.{name}: {counts[name]:,} rows ({time.perf_counter() - started:.1f}s)")
        current = f"{RAW_SCHEMA}.{LOAD_FILES}"
        columns = ", ".join(f"{c} {t}" for c, t in LOAD_FILES_COLUMNS)
        con.execute(f"create or replace table {RAW_SCHEMA}.{LOAD_FILES} ({columns})")
        con.executemany(f"insert into {RAW_SCHEMA}.{LOAD_FILES} values ({', '.join('?' * len(LOAD_FILES_COLUMNS))})",
                        record)
        con.execute("commit")
    except duckdb.Error as exc:
        con.execute("rollback")
        raise LoadError(f"{current or db_path}: loading into DuckDB {db_path} failed, nothing was changed: "
                        f"{_first_line(exc)}") from None
    finally:
        con.close()
    _ensure_workflow_files()
    return counts


def _ensure_workflow_files() -> None:
    """The case workflow's file store (pipeline/workflow.py), which the build reads; created empty once."""
    from .workflow import ensure_file_store, workflow_dir

    try:
        ensure_file_store()
    except OSError as exc:
        raise LoadError(f"cannot create the case workflow store {workflow_dir()}: {exc.strerror}") from None


def connect_duckdb(db_path: Path, read_only: bool = False):
    """Open a DuckDB file, waiting while another process (a dashboard reader, a build) holds it."""
    import duckdb

    attempts = int(os.environ.get("TIMO_LOCK_ATTEMPTS", LOCK_ATTEMPTS))  # tests shorten the wait
    for attempt in range(max(attempts, 1)):
        try:
            return duckdb.connect(str(db_path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or attempt >= attempts - 1:
                raise LoadError(f"cannot open DuckDB file {db_path}: {_first_line(exc)}") from None
            time.sleep(0.25 * 2**attempt)
        except duckdb.Error as exc:
            raise LoadError(f"cannot open DuckDB file {db_path}: {_first_line(exc)}") from None
    raise AssertionError("unreachable")


# ---- PostgreSQL ---------------------------------------------------------------------------------

class _ParquetAsCsv(io.RawIOBase):
    """A readable stream of CSV text made from a Parquet file, batch by batch (bounded memory)."""

    def __init__(self, path: Path):
        self._batches = pq.ParquetFile(path).iter_batches(batch_size=COPY_BATCH_ROWS)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            batch = next(self._batches, None)
            if batch is None:
                return 0
            sink = io.BytesIO()
            pacsv.write_csv(batch, sink, pacsv.WriteOptions(include_header=False))
            self._buffer = sink.getvalue()
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def ensure_postgres_database(settings: PostgresSettings) -> None:
    conn = settings.connect(dbname="postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (settings.dbname,))
            if cur.fetchone() is None:
                cur.execute(f'create database "{settings.dbname}"')
    finally:
        conn.close()


def _existing_columns(cur, name: str) -> list[str]:
    cur.execute("select column_name from information_schema.columns where table_schema = %s and table_name = %s "
                "order by ordinal_position", (RAW_SCHEMA, name))
    return [row[0] for row in cur.fetchall()]


def load_postgres(data_dir: Path, settings: PostgresSettings | None = None, quiet: bool = False) -> dict[str, int]:
    import psycopg2

    data_dir = Path(data_dir)
    fmt, files = check_dataset(data_dir)
    record = load_record(data_dir, files)
    settings = settings or PostgresSettings.from_env()
    ensure_postgres_database(settings)
    conn = settings.connect()
    counts: dict[str, int] = {}
    current = ""
    try:
        with conn.cursor() as cur:
            cur.execute(f"create schema if not exists {RAW_SCHEMA}")
            for name, table in TABLES.items():
                started = time.perf_counter()
                existing = _existing_columns(cur, name)
                if existing and existing != table.column_names:
                    cur.execute(f"drop table {RAW_SCHEMA}.{name} cascade")
                    existing = []
                if existing:
                    cur.execute(f"truncate table {RAW_SCHEMA}.{name}")
                else:
                    cur.execute(table.postgres_ddl(RAW_SCHEMA))
                copy = (f"copy {RAW_SCHEMA}.{name} ({', '.join(table.column_names)}) from stdin "
                        f"with (format csv, header {'true' if fmt == 'csv' else 'false'})")
                for path in files[name]:
                    current = str(path)
                    if fmt == "csv":
                        with path.open("rb") as handle:
                            cur.copy_expert(copy, handle, size=1 << 20)
                    else:
                        cur.copy_expert(copy, io.BufferedReader(_ParquetAsCsv(path), 1 << 20), size=1 << 20)
                cur.execute(f"select count(*) from {RAW_SCHEMA}.{name}")
                counts[name] = cur.fetchone()[0]
                _log(quiet, f"  raw.{name}: {counts[name]:,} rows ({time.perf_counter() - started:.1f}s)")
            current = f"{RAW_SCHEMA}.{LOAD_FILES}"
            pg_types = {"varchar": "text", "date": "date", "bigint": "bigint", "timestamp": "timestamp",
                        "boolean": "boolean"}
            columns = ", ".join(f"{c} {pg_types[t]}" for c, t in LOAD_FILES_COLUMNS)
            cur.execute(f"drop table if exists {RAW_SCHEMA}.{LOAD_FILES}")
            cur.execute(f"create table {RAW_SCHEMA}.{LOAD_FILES} ({columns})")
            cur.executemany(f"insert into {RAW_SCHEMA}.{LOAD_FILES} values "
                            f"({', '.join(['%s'] * len(LOAD_FILES_COLUMNS))})", record)
        conn.commit()
    except psycopg2.Error as exc:
        conn.rollback()
        message = (exc.pgerror or str(exc)).strip().splitlines()[0]
        context = getattr(getattr(exc, "diag", None), "context", None)
        if context:
            message += f" ({context.strip().splitlines()[0]})"
        raise LoadError(f"{current or 'PostgreSQL'}: load failed, nothing was changed: {message}") from None
    finally:
        conn.close()
    with settings.connect() as conn2, conn2.cursor() as cur:
        for name in TABLES:
            cur.execute(f"analyze {RAW_SCHEMA}.{name}")
    from .workflow import ensure_postgres_store

    conn3 = settings.connect()
    try:
        ensure_postgres_store(conn3)  # the case workflow's table (never dropped or emptied by a load)
    finally:
        conn3.close()
    return counts


# ---- Spark --------------------------------------------------------------------------------------
#
# Managed tables, not external tables over the dataset's files. A load is a copy taken at one moment,
# as on the other engines: `bankgen advance` and the streams keep writing into the dataset folder, and
# raw must not change under a build until the next load (raw._load_files says what was loaded). Each
# table is first written in full beside the old one (raw.__loading_<name>); only when every table and
# the load record are written are the old tables replaced, by renames. A failure before that leaves
# raw as it was and removes what it wrote. Spark has no transaction across tables: a crash during the
# renames themselves (a few catalog calls) can leave some tables new and some old, which the next load
# repairs.

SPARK_STAGING_PREFIX = "__loading_"


def _spark_reader(session, table: Table, files: list[Path], fmt: str):
    paths = [str(p) for p in files]
    columns = table.spark_columns()
    if fmt == "parquet":
        frame = session.read.parquet(*paths)
    else:  # every value as text, then cast as DuckDB and PostgreSQL do (the values were checked already)
        from pyspark.sql.types import StringType, StructField, StructType

        text = StructType([StructField(c, StringType(), True) for c in columns])
        frame = session.read.csv(paths, header=True, schema=text, mode="FAILFAST", multiLine=True, escape='"')
    return frame.selectExpr(*(f"cast(`{c}` as {t}) as `{c}`" for c, t in columns.items()))


def load_spark(data_dir: Path, settings=None, quiet: bool = False) -> dict[str, int]:
    from .spark import SparkSettings, spark_session

    data_dir = Path(data_dir)
    fmt, files = check_dataset(data_dir)
    record = load_record(data_dir, files)
    settings = settings or SparkSettings.from_env()
    session = spark_session(settings)
    counts: dict[str, int] = {}
    staged: list[str] = []
    current = ""
    try:
        session.sql(f"create database if not exists {RAW_SCHEMA}")
        for name, table in TABLES.items():
            started = time.perf_counter()
            current = f"{files[name][0]}{' (and the other files of ' + name + ')' if len(files[name]) > 1 else ''}"
            staging = f"{RAW_SCHEMA}.{SPARK_STAGING_PREFIX}{name}"
            session.sql(f"drop table if exists {staging}")
            staged.append(staging)
            _spark_reader(session, table, files[name], fmt).write.format("parquet").saveAsTable(staging)
            counts[name] = session.table(staging).count()
            _log(quiet, f"  raw.{name}: {counts[name]:,} rows ({time.perf_counter() - started:.1f}s)")
        current = f"{RAW_SCHEMA}.{LOAD_FILES}"
        spark_types = {"varchar": "string", "date": "date", "bigint": "bigint", "timestamp": "timestamp",
                       "boolean": "boolean"}
        schema = ", ".join(f"{c} {spark_types[t]}" for c, t in LOAD_FILES_COLUMNS)
        staging = f"{RAW_SCHEMA}.{SPARK_STAGING_PREFIX}{LOAD_FILES}"
        session.sql(f"drop table if exists {staging}")
        staged.append(staging)
        rows = [(*r[:3], dt.date.fromisoformat(r[3]) if r[3] else None, *r[4:]) for r in record]
        session.createDataFrame(rows, schema=schema).coalesce(1).write.format("parquet").saveAsTable(staging)
    except Exception as exc:  # py4j and Spark errors share no base class worth naming
        for staging in staged:
            with contextlib.suppress(Exception):
                session.sql(f"drop table if exists {staging}")
        raise LoadError(f"{current or settings.home}: loading into Spark failed, nothing was changed: "
                        f"{_first_line(exc)}") from None
    for name in [*TABLES, LOAD_FILES]:
        session.sql(f"drop table if exists {RAW_SCHEMA}.{name}")
        session.sql(f"alter table {RAW_SCHEMA}.{SPARK_STAGING_PREFIX}{name} rename to {RAW_SCHEMA}.{name}")
    # the case workflow: a table over the same files the dashboard writes on DuckDB (dropping an external
    # table leaves its files); made again on each load, so it follows $TIMO_WORKFLOW_DIR
    _ensure_workflow_files()
    from .workflow import workflow_dir

    session.sql("create database if not exists workflow")
    session.sql("drop table if exists workflow.case_actions")
    session.sql("create table workflow.case_actions (action_id string, case_id string, action string, "
                "outcome string, assignee string, actor string, acted_at timestamp_ntz, note string) using parquet "
                f"location '{workflow_dir() / 'case_actions'}'")
    return counts
