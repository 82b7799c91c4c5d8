"""What has landed in a dataset folder and is not in the warehouse yet (the orchestration's sensor).

A file is waiting when the last load did not record it, recorded another size, or the file changed
after that load (its modification time is later than the load's). Nothing is hashed, so a check costs
one directory listing and one small query, whatever the size of the dataset.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from generators.schema import TABLES, table_files

from .loader import LOAD_FILES, RAW_SCHEMA, detect_format
from .settings import PostgresSettings, duckdb_path


class WarehouseUnavailable(RuntimeError):
    """The load record cannot be read now (no warehouse yet, or a build holds the DuckDB file)."""


def dataset_files(folder: Path) -> list[Path]:
    fmt = detect_format(folder)
    return sorted(p for table in TABLES.values() for p in table_files(table, folder, fmt))


def dataset_fingerprint(folder: Path) -> str:
    """One value that changes whenever a data file is added, removed, resized or rewritten."""
    digest = hashlib.sha256()
    for path in dataset_files(folder):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def warehouse_rows(target: str, sql: str, env=None) -> list[tuple]:
    """The rows of one read-only query on the target warehouse (the settings of `env` or the process)."""
    if target == "duckdb":
        import duckdb

        with duckdb.connect(str(duckdb_path(env)), read_only=True) as con:
            return con.execute(sql).fetchall()
    conn = PostgresSettings.from_env(env=env).connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()


def _load_record(target: str) -> list[tuple]:
    if target == "duckdb" and not duckdb_path().exists():
        return []
    try:
        return warehouse_rows(target, f"select file_name, file_bytes, loaded_at from {RAW_SCHEMA}.{LOAD_FILES}")
    except Exception as exc:  # a missing table is "nothing loaded"; anything else is "try later"
        text = str(exc).lower()
        if "does not exist" in text or "not found" in text:
            return []
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WarehouseUnavailable(first) from None


def unloaded_files(folder: Path, target: str) -> list[str]:
    """The dataset's files (relative paths) that the warehouse's last load does not hold as they are now."""
    loaded = {name: (size, at) for name, size, at in _load_record(target)}
    waiting = []
    for path in dataset_files(folder):
        name = str(path.relative_to(folder))
        stat = path.stat()
        if name not in loaded:
            waiting.append(name)
            continue
        size, at = loaded[name]
        changed_after = dt.datetime.fromtimestamp(stat.st_mtime) > at + dt.timedelta(seconds=1)
        if size != stat.st_size or changed_after:
            waiting.append(name)
    return waiting
