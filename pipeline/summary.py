"""What `make run` built and where: row counts per layer, test results, docs location."""

from __future__ import annotations

import json
from pathlib import Path

from generators.reference import PROJECT_ROOT

from .loader import LoadError, connect_duckdb
from .settings import duckdb_path


def summarise(db_path: Path | None = None, target_dir: Path | None = None) -> str:
    db_path = Path(db_path) if db_path else duckdb_path()
    target_dir = Path(target_dir) if target_dir else PROJECT_ROOT / "target"
    if not db_path.exists():
        raise LoadError(f"no DuckDB warehouse at {db_path}: build one with `make run` "
                        "(or bankgen load and dbt build)")
    if not db_path.is_file():
        raise LoadError(f"{db_path} is a folder, not a DuckDB warehouse file")
    lines = [f"Warehouse (DuckDB): {db_path}"]
    with connect_duckdb(db_path, read_only=True) as con:
        rows = con.execute(
            "select table_schema, table_name, table_type from information_schema.tables "
            "where table_schema not in ('information_schema', 'pg_catalog') order by 1, 2").fetchall()
        for schema, name, kind in rows:
            count = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            lines.append(f"  {schema + '.' + name:<55} {count:>12,} rows  ({'view' if kind == 'VIEW' else 'table'})")
    results = target_dir / "build_results.json"  # saved by `make build` before docs overwrite run_results
    if not results.exists():
        results = target_dir / "run_results.json"
    if results.exists():
        statuses: dict[str, int] = {}
        for result in json.loads(results.read_text())["results"]:
            kind = result["unique_id"].split(".")[0]
            key = f"{kind} {result['status']}"
            statuses[key] = statuses.get(key, 0) + 1
        lines.append(f"dbt results ({results.name}): " + ", ".join(f"{n} {k}" for k, n in sorted(statuses.items())))
    docs = target_dir / "static_index.html"
    if docs.exists():
        lines.append(f"dbt docs (one file, open in a browser): {docs}")
    return "\n".join(lines)
