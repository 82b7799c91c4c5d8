"""`bankgen bench`: wall time and peak memory of generation and loading at given sizes.

Each step runs in its own child process so that its peak resident memory (from `wait4`) is its
own. Figures are printed as a table and written to a JSON file (temporary name, then rename).
`bankgen bench --suite` (make bench) runs the end-to-end suite of `benchmarks/benchsuite.py`.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

from generators.dataset import remove_dataset
from pipeline.settings import PostgresSettings

from .measure import DAYS, bankgen_path, customers_for, dataset_rows, drop_database, folder_mib, machine_info, run_step


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
        gen = run_step([bankgen_path(), "generate", "--customers", str(customers), "--days", str(DAYS), "--format",
                    "parquet", "--out", str(data), "--quiet"])
        rows = dataset_rows(data)
        run = {"requested_transactions": size, "customers": customers, "rows": rows,
               "dataset_mib": folder_mib(data),
               "generate": {k: gen[k] for k in ("seconds", "peak_rss_mib")}}
        run["generate"]["transactions_per_second"] = round(rows["payment_transactions"] / gen["seconds"])
        total_rows = sum(rows.values())
        if "duckdb" in targets:
            db = work / f"bench-{size}.duckdb"
            db.unlink(missing_ok=True)
            print("[bench]   loading into DuckDB", flush=True)
            load = run_step([bankgen_path(), "load", "--target", "duckdb", "--data", str(data),
                             "--duckdb-path", str(db), "--quiet"])
            run["load_duckdb"] = {"seconds": load["seconds"], "peak_rss_mib": load["peak_rss_mib"],
                                  "rows_per_second": round(total_rows / load["seconds"])}
            db.unlink(missing_ok=True)
        if "postgres" in targets:
            settings = PostgresSettings.from_env(dbname=f"timo_bank_bench_{uuid.uuid4().hex[:8]}")
            print(f"[bench]   loading into PostgreSQL ({settings.dbname}, dropped afterwards)", flush=True)
            try:
                env = settings.env()
                load = run_step([bankgen_path(), "load", "--target", "postgres", "--data", str(data), "--quiet"],
                                env=env)
                run["load_postgres"] = {"seconds": load["seconds"], "peak_rss_mib": load["peak_rss_mib"],
                                        "rows_per_second": round(total_rows / load["seconds"])}
            finally:
                drop_database(settings)
        remove_dataset(data)
        report["runs"].append(run)
        _print_run(run)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    tmp.rename(out)
    print(f"[bench] figures written to {out}")
    return report


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
