"""`bankgen bench`: wall time and peak memory of generation and loading at given sizes.

Each step runs in its own child process so that its peak resident memory (from `wait4`) is its
own. Figures are printed as a table and written to a JSON file (temporary name, then rename).
`bankgen bench --suite` (make bench) runs the end-to-end suite of `benchmarks/benchsuite.py`.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from generators.dataset import remove_dataset
from pipeline.settings import PostgresSettings

DAYS = 30
# Measured on the default settings: about 1.75 transactions per customer per day.
TRANSACTIONS_PER_CUSTOMER_DAY = 1.733


def customers_for(transactions: int, days: int = DAYS) -> int:
    return max(50, round(transactions / (days * TRANSACTIONS_PER_CUSTOMER_DAY)))


def _run(argv: list[str], env: dict | None = None) -> dict:
    """Run a command; return wall seconds and the child's peak RSS in MiB. Output goes to temporary
    files, not pipes: a chatty child (dbt) would fill a pipe that nobody reads until it exits."""
    import tempfile

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


def _bankgen() -> str:
    return str(Path(sys.executable).parent / "bankgen")


def _dataset_rows(data: Path) -> dict[str, int]:
    return json.loads((data / "_manifest.json").read_text())["row_counts"]


def _folder_mib(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


def run_bench(sizes: list[int], out: Path, work: Path, targets: list[str]) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "settings": {"days": DAYS, "format": "parquet", "seed": 42},
        "targets": {"generate_1m_seconds": 30, "generate_10m_seconds": 300, "generate_10m_peak_rss_mib": 2048},
        "runs": [],
    }
    for size in sizes:
        customers = customers_for(size)
        data = work / f"tx-{size}"
        print(f"[bench] {size:,} transactions: generating ({customers:,} customers x {DAYS} days)", flush=True)
        gen = _run([_bankgen(), "generate", "--customers", str(customers), "--days", str(DAYS), "--format",
                    "parquet", "--out", str(data), "--quiet"])
        rows = _dataset_rows(data)
        run = {"requested_transactions": size, "customers": customers, "rows": rows,
               "dataset_mib": _folder_mib(data),
               "generate": {k: gen[k] for k in ("seconds", "peak_rss_mib")}}
        run["generate"]["transactions_per_second"] = round(rows["payment_transactions"] / gen["seconds"])
        total_rows = sum(rows.values())
        if "duckdb" in targets:
            db = work / f"bench-{size}.duckdb"
            db.unlink(missing_ok=True)
            print("[bench]   loading into DuckDB", flush=True)
            load = _run([_bankgen(), "load", "--target", "duckdb", "--data", str(data), "--duckdb-path", str(db),
                         "--quiet"])
            run["load_duckdb"] = {"seconds": load["seconds"], "peak_rss_mib": load["peak_rss_mib"],
                                  "rows_per_second": round(total_rows / load["seconds"])}
            db.unlink(missing_ok=True)
        if "postgres" in targets:
            settings = PostgresSettings.from_env(dbname=f"timo_bank_bench_{uuid.uuid4().hex[:8]}")
            print(f"[bench]   loading into PostgreSQL ({settings.dbname}, dropped afterwards)", flush=True)
            try:
                env = settings.env()
                load = _run([_bankgen(), "load", "--target", "postgres", "--data", str(data), "--quiet"], env=env)
                run["load_postgres"] = {"seconds": load["seconds"], "peak_rss_mib": load["peak_rss_mib"],
                                        "rows_per_second": round(total_rows / load["seconds"])}
            finally:
                _drop_database(settings)
        remove_dataset(data)
        report["runs"].append(run)
        _print_run(run)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    tmp.rename(out)
    print(f"[bench] figures written to {out}")
    return report


def _drop_database(settings: PostgresSettings) -> None:
    conn = settings.connect(dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s", (settings.dbname,))
        cur.execute(f'drop database if exists "{settings.dbname}"')
    conn.close()


def _print_run(run: dict) -> None:
    rows = run["rows"]
    print(f"  transactions {rows['payment_transactions']:>12,}   auth logs {rows['authentication_logs']:>12,}   "
          f"dataset {run['dataset_mib']:,} MiB")
    for step in ("generate", "load_duckdb", "load_postgres"):
        if step in run:
            fig = run[step]
            rate = fig.get("transactions_per_second") or fig.get("rows_per_second")
            unit = "transactions/s" if step == "generate" else "rows/s"
            print(f"  {step:<14} {fig['seconds']:>8.1f} s   peak RSS {fig['peak_rss_mib']:>8.1f} MiB   "
                  f"{rate:>12,} {unit}")
