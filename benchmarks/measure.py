"""What the benchmarks share: sizes, running a step in its own process (wall time and peak memory),
the machine, the dataset's row counts and size, and dropping a benchmark database."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.settings import PostgresSettings

DAYS = 30
# Measured on the default settings: about 1.75 transactions per customer per day.
TRANSACTIONS_PER_CUSTOMER_DAY = 1.733


def customers_for(transactions: int, days: int = DAYS) -> int:
    return max(50, round(transactions / (days * TRANSACTIONS_PER_CUSTOMER_DAY)))


def run_step(argv: list[str], env: dict | None = None) -> dict:
    """Run a command; return wall seconds and the child's peak RSS in MiB. Output goes to temporary
    files, not pipes: a chatty child (dbt) would fill a pipe that nobody reads until it exits."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, env={**os.environ, **(env or {})}, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {(stdout + stderr).strip()[-1500:]}")
    return {"seconds": round(wall, 2), "peak_rss_mib": round(usage.ru_maxrss / 1024, 1), "stdout": stdout.strip()}


def machine_info() -> dict:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}


def bankgen_path() -> str:
    return str(Path(sys.executable).parent / "bankgen")


def dataset_rows(data: Path) -> dict[str, int]:
    return json.loads((data / "_manifest.json").read_text())["row_counts"]


def folder_mib(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


def drop_database(settings: PostgresSettings) -> None:
    conn = settings.connect(dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s", (settings.dbname,))
        cur.execute(f'drop database if exists "{settings.dbname}"')
    conn.close()


def _process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, resident set in KiB), from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        rss = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        table[int(entry.name)] = (ppid, rss)
    return table


def tree_rss_mib(roots: list[int]) -> float:
    """The resident memory of processes and all their descendants, in MiB (a JVM started by dbt or by
    Spark's daemons counts with them)."""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    seen, stack = set(), [r for r in roots if r in table]
    while stack:
        pid = stack.pop()
        if pid not in seen:
            seen.add(pid)
            stack.extend(children.get(pid, []))
    return sum(table[p][1] for p in seen) / 1024


def run_step_sampled(argv: list[str], env: dict | None = None, also: list[int] | None = None,
                     every: float = 0.5) -> dict:
    """run_step for commands whose memory lives in other processes (Spark's JVM, a cluster's executors):
    the peak is the largest sum, sampled every `every` seconds, of the command's process tree and the
    trees of `also` (the cluster's daemons)."""
    import threading

    peak = [0.0]
    done = threading.Event()

    def sample(pid: int) -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_mib([pid, *(also or [])]))
            done.wait(every)

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, env={**os.environ, **(env or {})}, stdout=out, stderr=err, text=True)
        sampler = threading.Thread(target=sample, args=(proc.pid,), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({code}): {(stdout + stderr).strip()[-1500:]}")
    return {"seconds": round(wall, 2), "peak_rss_mib": round(max(peak[0], usage.ru_maxrss / 1024), 1),
            "stdout": stdout.strip()}
