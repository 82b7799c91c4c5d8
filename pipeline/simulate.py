"""`bankgen simulate --days K`: the warehouse fed day by day.

Each day: advance the dataset one day, load it into the warehouse, then one `dbt build` of what the day
changes (pipeline/daily.py): the snapshots (status history) before the incremental models that read
them, the tables, and the tests after; views and seeds only when their files changed. One
line per day says what arrived and what it cost.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from generators.advance import advance
from generators.config import ConfigError

from .daily import build_args, remember, warehouse_key
from .loader import load_duckdb, load_postgres
from .settings import PROJECT_ROOT, PostgresSettings, dbt_command, profiles_dir

DEFAULT_TARGET = PROJECT_ROOT / "target"


def run_dbt(args: list[str], target: str, env: dict | None = None, target_path: Path | None = None,
            profiles: Path | None = None):
    """dbt in the project folder; returns (seconds, completed process, results by status)."""
    command = dbt_command(*args, target=target, profiles=profiles or profiles_dir(env=env), target_path=target_path)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - started
    results = Counter()
    path = (target_path or DEFAULT_TARGET) / "run_results.json"
    if path.exists():
        for r in json.loads(path.read_text())["results"]:
            results[f"{r['unique_id'].split('.')[0]} {r['status']}"] += 1
    return seconds, done, results


def simulate(data_dir: Path, days: int, target: str, duckdb_path: Path | None = None,
             full_refresh_first: bool = False, out=print, profiles: Path | None = None) -> list[dict]:
    from generators.advance import MAX_DAYS, last_day
    from generators.config import check_day_range

    if not 0 < days <= MAX_DAYS:
        raise ConfigError(f"--days must be a whole number from 1 to {MAX_DAYS}, got {days}")
    if target not in ("duckdb", "postgres"):
        raise ConfigError(f"--target must be duckdb or postgres, got {target!r}")
    env = {"TIMO_DUCKDB_PATH": str(duckdb_path)} if duckdb_path else {}
    profiles = profiles_dir(profiles, env)
    first = last_day(data_dir) + timedelta(days=1)
    check_day_range(first, first + timedelta(days=days - 1), f"simulating {days} day(s) from {first}")
    rows = []
    for day in range(days):
        started = time.perf_counter()
        result = advance(data_dir, 1, quiet=True)[0]
        advanced = time.perf_counter() - started
        started = time.perf_counter()
        if target == "duckdb":
            load_duckdb(data_dir, duckdb_path, quiet=True)
        else:
            load_postgres(data_dir, PostgresSettings.from_env(), quiet=True)
        loaded = time.perf_counter() - started
        # one dbt invocation a day, building only what the day changes (pipeline/daily.py)
        if full_refresh_first and day == 0:
            args = ["build", "--full-refresh"]
        else:
            args = build_args(DEFAULT_TARGET, warehouse_key(target, env), target)
        seconds, done, results = run_dbt(args, target, env, profiles=profiles)
        if done.returncode == 0:
            remember(DEFAULT_TARGET, target, env)
        changes = result.changes_text()
        status = "ok" if done.returncode == 0 else f"FAILED (exit {done.returncode})"
        out(f"{result.day}  +{result.transactions:,} transactions  +{result.auth_logs:,} auth logs "
            f"(+{result.late_logs_delivered} late from the day before, {result.late_logs_held} held back)  "
            f"changes: {changes}  | advance {advanced:.1f}s load {loaded:.1f}s dbt build {seconds:.1f}s {status}")
        rows.append({"day": result.day.isoformat(), "transactions": result.transactions,
                     "late_logs": result.late_logs_delivered, "build_seconds": round(seconds, 2),
                     "ok": done.returncode == 0, "results": dict(results)})
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
            raise ConfigError(f"dbt build failed on {result.day}:\n{tail}")
    return rows
