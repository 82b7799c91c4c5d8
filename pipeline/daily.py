"""A daily `dbt build` that does only what the day changes, in one dbt invocation.

After a day is loaded, the views, the seeds and the tables that read only seeds are as they were: a
view reads its table when it is queried, and a seed or its tables change only when the project's
files do. A full `dbt build` still runs every one of them (at 3M transactions, with the 109 nodes of
the project, about half of a day's nodes). The daily build selects instead (selectors.yml, `daily` and
`daily_postgres`):

- every incremental model, table and snapshot downstream of the raw sources (their rows depend on
  the day),
- every data test: a view is not rebuilt, but the rows it shows are the new day's,
- on PostgreSQL, the views downstream of those tables (see daily_selector), and
- `state:modified+`: every node whose definition (SQL, config, seed file) differs from the last build
  that passed here, with everything downstream of it, so a changed view or seed is rebuilt on the
  next day as it would be by a full build.

The state is the manifest of the last build that passed, kept under the dbt target folder
(`daily-state/<key>/manifest.json`). The key is random and recorded in the warehouse itself (table
audit.daily_build_state; on Spark a file in the catalog's folder, metastore_db/), so a warehouse created
afresh (a new file, a dropped and re-created database, a new catalog) has no key, never inherits
another's state, and gets a full build first.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path


def daily_selector(target: str, tests: bool = True) -> str:
    """The named selection (selectors.yml) of a daily build on that engine, with its data tests or
    without any test. On PostgreSQL a rebuilt table is swapped in and the old one dropped with CASCADE,
    which drops the views that read it: that selection also builds every view downstream of a table."""
    name = "daily" if tests else "daily_models"
    return f"{name}_postgres" if target == "postgres" else name


KEY_TABLE = "daily_build_state"  # in schema audit: one row, the key of this warehouse's remembered state


class _KeyInTable:
    """DuckDB and PostgreSQL keep the key in the warehouse itself, in table audit.daily_build_state: a
    warehouse created afresh (a new file, a dropped and re-created database) has none."""

    def __init__(self, target: str, env: Mapping[str, str]):
        self.target, self.env = target, env

    def read(self) -> str | None:
        try:
            row = _execute(self.target, self.env, [f"select state_key from audit.{KEY_TABLE}"], read_only=True)
        except Exception:  # noqa: BLE001 - no such table (never remembered) or the file is busy: a full build
            return None
        return row[0] if row else None

    def write(self, key: str) -> None:
        try:
            _execute(self.target, self.env, ["create schema if not exists audit",
                                             f"create table if not exists audit.{KEY_TABLE} (state_key varchar(64))",
                                             f"delete from audit.{KEY_TABLE}",
                                             f"insert into audit.{KEY_TABLE} values ('{key}')"])
        except Exception:  # noqa: BLE001 - the warehouse is busy: nothing remembered, the next day builds fully
            pass


class _KeyBesideCatalog:
    """Spark keeps the key in a file beside its catalog (metastore_db/, pipeline/spark.py): a catalog made
    afresh has none. Without a catalog (nothing was ever loaded there, or the settings are bad) there is
    no key and none is written."""

    def __init__(self, env: Mapping[str, str]):
        from .settings import SettingsError
        from .spark import SparkSettings

        try:
            catalog = SparkSettings.from_env({**os.environ, **env}).metastore_dir
        except SettingsError:
            catalog = None
        self.path = catalog / KEY_TABLE if catalog is not None and catalog.is_dir() else None

    def read(self) -> str | None:
        key = self.path.read_text().strip() if self.path is not None and self.path.is_file() else ""
        return key or None

    def write(self, key: str) -> None:
        if self.path is not None:
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(key + "\n")
            tmp.replace(self.path)


def _key_store(target: str, env: Mapping[str, str]) -> _KeyInTable | _KeyBesideCatalog:
    """Where this engine keeps the key of its remembered state."""
    return _KeyBesideCatalog(env) if target == "spark" else _KeyInTable(target, env)


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


def _execute(target: str, env: Mapping[str, str], statements: list[str], read_only: bool = False):
    """Run statements in the warehouse (on PostgreSQL in one transaction; DuckDB commits each); the
    last one's first row, or None (no warehouse, or a statement that returns nothing)."""
    if target == "duckdb":
        con = _duckdb(env, read_only)
        if con is None:
            return None
        try:
            row = None
            for statement in statements:
                row = con.execute(statement).fetchone()
            return row
        finally:
            con.close()
    if target == "postgres":
        conn = _postgres(env)
        if conn is None:
            return None
        try:
            with conn, conn.cursor() as cur:
                for statement in statements:
                    cur.execute(statement)
                return cur.fetchone() if cur.description else None
        finally:
            conn.close()
    return None


def warehouse_key(target: str, env: Mapping[str, str] | None = None) -> str | None:
    """The key of the state this warehouse remembers, read from where the engine keeps it (_key_store);
    None when it has none (a warehouse created afresh, whatever its name, starts with a full build)."""
    return _key_store(target, env or {}).read()


def state_dir(target_path: Path, key: str) -> Path:
    return target_path / "daily-state" / key


def build_args(target_path: Path, key: str | None, target: str = "duckdb", tests: bool = True) -> list[str]:
    """`dbt build` arguments for a day: the daily selection against the last passing build's state, or
    a plain build when this warehouse has none yet. Without tests, no test is built either way (dbt
    ignores --exclude beside --selector, so the exclusion is part of the arguments here)."""
    plain = ["build"] if tests else ["build", "--exclude", "resource_type:test", "resource_type:unit_test"]
    if key is None:
        return plain
    state = state_dir(target_path, key)
    if not (state / "manifest.json").exists():
        return plain
    threads = []
    if target == "duckdb" and not os.environ.get("TIMO_DUCKDB_THREADS"):
        # a day's statements are small (most take 0.01 to 0.3 s): two at a time share the cores well
        # (a full build runs one at a time, profiles.yml.example says why)
        threads = ["--threads", "2"]
    return ["build", "--selector", daily_selector(target, tests), "--state", str(state), *threads]


def remember(target_path: Path, target: str, env: Mapping[str, str] | None = None,
             state_root: Path | None = None) -> None:
    """After a build that passed: its manifest becomes the state the next day is compared with (written under
    a temporary name, then renamed), and the warehouse records the state's key. The state is kept under
    state_root (default: the build's own target folder, where build_args looks for it)."""
    if not (target_path / "manifest.json").exists():
        return
    key = warehouse_key(target, env) or uuid.uuid4().hex[:16]
    state = state_dir(state_root or target_path, key)
    state.mkdir(parents=True, exist_ok=True)
    tmp = state / "manifest.json.tmp"
    shutil.copyfile(target_path / "manifest.json", tmp)
    tmp.replace(state / "manifest.json")
    _key_store(target, env or {}).write(key)
