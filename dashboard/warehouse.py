"""Read-only access to the marts for the dashboard, on DuckDB or PostgreSQL.

The engine is chosen like dbt's: ``TIMO_TARGET`` (``duckdb`` by default, or ``postgres``).

- DuckDB: the file at ``TIMO_DUCKDB_PATH`` (relative paths are taken from the project folder, as dbt
  does) is opened read-only for one query at a time and closed at once, so a ``dbt build`` can take
  its write lock between two page views. While a build holds the lock the query is retried
  (``TIMO_DASHBOARD_LOCK_RETRIES`` times, ``TIMO_DASHBOARD_LOCK_WAIT`` seconds apart) and then
  fails with :class:`WarehouseBusy`, which the pages show as a message.
- PostgreSQL: ``PGHOST``/``PGPORT``/``PGDATABASE`` as for dbt, but the user is the read-only
  ``dashboard`` role (``TIMO_DASHBOARD_PGUSER``, password ``TIMO_DASHBOARD_PGPASSWORD``), in a
  read-only session.

SQL is written once with psycopg2's named placeholders, ``%(name)s``; for DuckDB they become
``$name``. Values always travel as parameters, never inside the SQL text. Lists work with
``column = any(%(name)s)`` on both engines.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.settings import PostgresSettings, SettingsError, duckdb_path

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


class WarehouseError(RuntimeError):
    """The warehouse cannot answer (missing file, connection refused, mart not built)."""


class WarehouseBusy(WarehouseError):
    """The DuckDB file stayed locked by a writer (a running dbt build) through every retry."""


@dataclass(frozen=True)
class WarehouseConfig:
    target: str
    duckdb_path: str = ""
    host: str = ""
    port: int = 5432
    dbname: str = ""
    user: str = ""
    password: str = ""
    lock_retries: int = 5
    lock_wait: float = 2.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WarehouseConfig:
        env = os.environ if env is None else env
        target = env.get("TIMO_TARGET", "duckdb").strip().lower()
        retries = int(env.get("TIMO_DASHBOARD_LOCK_RETRIES", "5"))
        wait = float(env.get("TIMO_DASHBOARD_LOCK_WAIT", "2"))
        if target == "duckdb":
            return cls(target="duckdb", duckdb_path=str(duckdb_path(env)), lock_retries=retries, lock_wait=wait)
        if target == "postgres":
            try:  # where the server is, as for dbt and bankgen; who connects is the dashboard's own role
                server = PostgresSettings.from_env(env=env)
            except SettingsError as exc:
                raise WarehouseError(str(exc)) from None
            return cls(target="postgres", host=server.host, port=server.port, dbname=server.dbname,
                       user=env.get("TIMO_DASHBOARD_PGUSER", "dashboard"),
                       password=env.get("TIMO_DASHBOARD_PGPASSWORD", ""), lock_retries=retries, lock_wait=wait)
        raise WarehouseError(f"TIMO_TARGET must be 'duckdb' or 'postgres', not {target!r}")

    def describe(self) -> str:
        if self.target == "duckdb":
            return f"DuckDB {self.duckdb_path} (read-only)"
        return f"PostgreSQL {self.host}:{self.port}/{self.dbname} as {self.user}"


def to_duckdb_sql(sql: str) -> str:
    return _PLACEHOLDER.sub(r"$\1", sql)


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set" in text)


def query(config: WarehouseConfig, sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Run one read-only query and return its rows."""
    params = {key: _native(value) for key, value in (params or {}).items()}
    if config.target == "duckdb":
        return _query_duckdb(config, sql, params)
    return _query_postgres(config, sql, params)


def _query_duckdb(config, sql, params) -> pd.DataFrame:
    import duckdb

    if not Path(config.duckdb_path).exists():
        raise WarehouseError(f"no warehouse at {config.duckdb_path}: run `make run` (or set TIMO_DUCKDB_PATH)")
    used = {m.group(1) for m in _PLACEHOLDER.finditer(sql)}
    bound = {k: v for k, v in params.items() if k in used}
    for attempt in range(config.lock_retries + 1):
        try:
            con = duckdb.connect(config.duckdb_path, read_only=True)
        except duckdb.Error as exc:
            if not _is_lock_error(exc):
                raise WarehouseError(f"cannot open {config.duckdb_path}: {exc}") from exc
            if attempt == config.lock_retries:
                raise WarehouseBusy(
                    f"{config.duckdb_path} is locked by another process (a running dbt build?); "
                    f"tried {attempt + 1} times over {attempt * config.lock_wait:.0f} s") from exc
            time.sleep(config.lock_wait)
            continue
        try:
            return _normalise(con.execute(to_duckdb_sql(sql), bound).fetchdf())
        except duckdb.CatalogException as exc:
            raise WarehouseError(f"the marts are not built yet ({exc}); run `make build`") from exc
        except duckdb.Error as exc:
            raise WarehouseError(f"the query failed: {exc}") from exc
        finally:
            con.close()
    raise AssertionError("unreachable")


def _query_postgres(config, sql, params) -> pd.DataFrame:
    import psycopg2
    from psycopg2 import errors

    try:
        conn = psycopg2.connect(host=config.host, port=config.port, dbname=config.dbname, user=config.user,
                                password=config.password or None, connect_timeout=10,
                                application_name="timo_bank_dashboard")
    except psycopg2.OperationalError as exc:
        raise WarehouseError(f"cannot connect to {config.describe()}: {str(exc).strip()}") from exc
    try:
        conn.set_session(readonly=True, autocommit=True)
        with conn.cursor() as cur:
            try:
                cur.execute(sql, params)
            except errors.UndefinedTable as exc:
                raise WarehouseError(f"the marts are not built yet ({str(exc).strip()}); run dbt build") from exc
            except errors.InsufficientPrivilege as exc:
                raise WarehouseError(f"{config.user} may not read this: {str(exc).strip()}") from exc
            except psycopg2.Error as exc:
                raise WarehouseError(f"the query failed: {str(exc).strip()}") from exc
            columns = [d.name for d in cur.description]
            return _normalise(pd.DataFrame(cur.fetchall(), columns=columns))
    finally:
        conn.close()


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """The same dtypes from both engines: numbers as floats or ints, dates as datetimes."""
    for column in frame.columns:
        values = frame[column].dropna()
        if values.empty:
            continue
        first = values.iloc[0]
        if isinstance(first, Decimal):
            frame[column] = frame[column].astype("float64")
        elif isinstance(first, dt.date | dt.datetime) or pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = pd.to_datetime(frame[column], utc=False)
    return frame


def _native(value: Any) -> Any:
    """Plain Python values for the drivers (pandas hands out numpy scalars and timestamps)."""
    if isinstance(value, list | tuple):
        return [_native(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return value.item()
    return value


# ---- the case workflow: the one thing the dashboard writes ---------------------------------------

def case_history(config: WarehouseConfig, case_id: str) -> pd.DataFrame:
    """Every recorded action on a case, built or not yet built (read from the store itself: on
    PostgreSQL as the fraud_analyst role)."""
    from pipeline import workflow

    try:
        rows = workflow.read_files() if config.target == "duckdb" else workflow.read_postgres()
    except Exception as exc:  # a missing store, a refused connection: the page says so
        raise WarehouseError(f"cannot read the case workflow: {exc}") from exc
    frame = pd.DataFrame([r for r in rows if r["case_id"] == case_id], columns=list(workflow.COLUMNS))
    return frame.drop(columns=["action_id", "case_id"])


def record_case_action(config: WarehouseConfig, action) -> None:
    """Check the action against the case's recorded history and record it (pipeline/workflow.py):
    on DuckDB a new file in the store, on PostgreSQL one row inserted as the fraud_analyst role.
    Raises WorkflowError (a message for the page) when it is not allowed."""
    from pipeline import workflow

    action = action.checked()
    history = workflow.read_files() if config.target == "duckdb" else workflow.read_postgres()
    workflow.check_allowed(workflow.status_after(r for r in history if r["case_id"] == action.case_id),
                           action.action)
    workflow.record([action], config.target)
