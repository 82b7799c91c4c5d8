"""A daily `dbt build` that does only what the day changes, in one dbt invocation.

After a day is loaded, the views, the seeds and the tables that read only seeds are as they were: a
view reads its table when it is queried, and a seed or its tables change only when the project's
files do. A full `dbt build` still runs every one of them (at 3M transactions, with the 109 nodes of
the project, about half of a day's nodes). The daily build selects instead:

- every incremental model, table and snapshot downstream of the raw sources (their rows depend on
  the day), and
- on PostgreSQL, the views downstream of those tables (see daily_selection), and
- `state:modified+`: every node whose definition (SQL, config, seed file) differs from the last build
  that passed here, with everything downstream of it, so a changed view or seed is rebuilt on the
  next day as it would be by a full build.

The state is the manifest of the last build that passed, kept under the dbt target folder
(`daily-state/<key>/manifest.json`). The key is random and recorded in the warehouse itself (table
audit.daily_build_state), so a warehouse created afresh (a new file, a dropped and re-created database)
has no key, never inherits another's state, and gets a full build first.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path

SOURCES = ("core_banking", "interbank", "ground_truth", "workflow")
BUILT_EVERY_DAY = ("config.materialized:incremental", "config.materialized:table", "resource_type:snapshot")


def daily_selection(target: str) -> list[str]:
    """The --select terms of a daily build (a union; each term an intersection). On PostgreSQL a rebuilt
    table is swapped in and the old one dropped with CASCADE, which drops the views that read it: those
    views (every view downstream of a table) are built again after it."""
    terms = [f"source:{source}+,{kind}" for source in SOURCES for kind in BUILT_EVERY_DAY]
    if target == "postgres":
        terms.append("config.materialized:table+,config.materialized:view")
    return terms + ["state:modified+"]


KEY_TABLE = "daily_build_state"  # in schema audit: one row, the key of this warehouse's remembered state


def _duckdb(env: Mapping[str, str], read_only: bool):
    import duckdb

    from .settings import duckdb_path

    path = duckdb_path({**os.environ, **env})
    if not path.exists():
        return None
    return duckdb.connect(str(path), read_only=read_only)


def _postgres(env: Mapping[str, str]):
    from .settings import PostgresSettings

    try:
        return PostgresSettings.from_env(env={**os.environ, **env}).connect()
    except Exception:  # noqa: BLE001 - no database: nothing remembered
        return None


def warehouse_key(target: str, env: Mapping[str, str] | None = None) -> str | None:
    """The key of the state this warehouse remembers, read from the warehouse itself (audit.daily_build_state);
    None when it has none (a warehouse created afresh, whatever its name, starts with a full build)."""
    env = env or {}
    query = f"select state_key from audit.{KEY_TABLE}"
    try:
        if target == "duckdb":
            con = _duckdb(env, read_only=True)
            if con is None:
                return None
            try:
                row = con.execute(query).fetchone()
            finally:
                con.close()
        elif target == "postgres":
            conn = _postgres(env)
            if conn is None:
                return None
            try:
                with conn.cursor() as cur:
                    cur.execute(query)
                    row = cur.fetchone()
            finally:
                conn.close()
        else:
            return None
    except Exception:  # noqa: BLE001 - no such table (never remembered) or the file is busy: a full build
        return None
    return row[0] if row else None


def _store_key(target: str, env: Mapping[str, str], key: str) -> bool:
    statements = ["create schema if not exists audit",
                  f"create table if not exists audit.{KEY_TABLE} (state_key varchar(64))",
                  f"delete from audit.{KEY_TABLE}",
                  f"insert into audit.{KEY_TABLE} values ('{key}')"]
    try:
        if target == "duckdb":
            con = _duckdb(env, read_only=False)
            if con is None:
                return False
            try:
                for statement in statements:
                    con.execute(statement)
            finally:
                con.close()
        else:
            conn = _postgres(env)
            if conn is None:
                return False
            with conn, conn.cursor() as cur:
                for statement in statements:
                    cur.execute(statement)
            conn.close()
    except Exception:  # noqa: BLE001 - the warehouse is busy: nothing remembered, the next day builds fully
        return False
    return True


def state_dir(target_path: Path, key: str) -> Path:
    return target_path / "daily-state" / key


def build_args(target_path: Path, key: str | None, target: str = "duckdb") -> list[str]:
    """`dbt build` arguments for a day: the daily selection against the last passing build's state, or
    a plain build when this warehouse has none yet."""
    if key is None:
        return ["build"]
    state = state_dir(target_path, key)
    if not (state / "manifest.json").exists():
        return ["build"]
    threads = []
    if target == "duckdb" and not os.environ.get("TIMO_DUCKDB_THREADS"):
        # a day's nodes are small, and most of their time is dbt's own work per node: two at a time
        # (a full build runs one at a time, profiles.yml.example says why)
        threads = ["--threads", "2"]
    return ["build", "--select", *daily_selection(target), "--state", str(state), *threads]


def remember(target_path: Path, target: str, env: Mapping[str, str] | None = None) -> None:
    """After a build that passed: its manifest becomes the state the next day is compared with (written under
    a temporary name, then renamed), and the warehouse records the state's key."""
    if not (target_path / "manifest.json").exists():
        return
    key = warehouse_key(target, env) or uuid.uuid4().hex[:16]
    state = state_dir(target_path, key)
    state.mkdir(parents=True, exist_ok=True)
    tmp = state / "manifest.json.tmp"
    shutil.copyfile(target_path / "manifest.json", tmp)
    tmp.replace(state / "manifest.json")
    _store_key(target, env or {}, key)
