"""Model by model, before and after a change (`make bench-models`): the same generated datasets built by
two checkouts of this project, one after the other, on the same machine in the same run.

For each size (1M and 10M transactions by default) and each engine (DuckDB at every size, PostgreSQL
at the sizes of --postgres-sizes): load, `dbt build --full-refresh` without tests, then `dbt test`, each
timed in its own process (wall time, peak RSS). Then, per model, dbt's own execution time from
run_results.json, the growth of each model between the smallest and the largest size (time ratio
against size ratio), and whether the marts of the two checkouts hold the same rows (row for row: an
order-free SHA-256 of every mart's rows, random CCCD tokens left out, on each engine at the comparison size).

    python -m benchmarks.models --before ../timo-before --after . --out bench/results/models.json

`--before` is another checkout (a `git worktree add ../timo-before <commit>` of the commit before the
change) with its own .venv, or the same one when only the project files differ. Figures are printed and
written to JSON and Markdown (temporary names, then renamed).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

from generators.dataset import remove_dataset
from pipeline.settings import PostgresSettings

from .benchsuite import _generate, _node_seconds, _write, _write_markdown
from .measure import dataset_rows, drop_database, machine_info, run_step

NO_TESTS = ["--exclude", "resource_type:test", "resource_type:unit_test"]
HEAVY = 1.0  # a model is "heavy" when it takes at least this many seconds at the largest size, after


def _say(text: str) -> None:
    print(f"[bench-models] {text}", flush=True)


class Build:
    """One checkout's warehouse on one engine: a DuckDB file or a throwaway PostgreSQL database."""

    def __init__(self, tree: Path, kind: str, work: Path, label: str):
        self.tree, self.kind = tree, kind
        self.work = work / f"{label}-{kind}"
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self.env = {"DBT_LOG_PATH": str(self.work / "logs")}
        self.bin = tree / ".venv" / "bin"
        if not (self.bin / "dbt").exists():
            self.bin = Path(os.environ.get("VIRTUAL_ENV", Path(__file__).resolve().parents[1] / ".venv")) / "bin"
        if kind == "duckdb":
            self.path = self.work / "warehouse.duckdb"
            self.env["TIMO_DUCKDB_PATH"] = str(self.path)
            self.settings = None
        else:
            self.settings = PostgresSettings.from_env(dbname=f"timo_bank_models_{label}_{uuid.uuid4().hex[:6]}")
            self.env.update(self.settings.env())

    def _dbt(self, *args: str) -> dict:
        return run_step([str(self.bin / "dbt"), *args, "--profiles-dir", str(self.tree), "--project-dir",
                         str(self.tree), "--target", self.kind, "--target-path", str(self.work / "target")],
                        env=self.env)

    def run(self, data: Path) -> dict:
        extra = ["--duckdb-path", str(self.path)] if self.kind == "duckdb" else []
        load = run_step([str(self.bin / "bankgen"), "load", "--target", self.kind, "--data", str(data), "--quiet",
                         *extra], env=self.env)
        self._dbt("parse")
        models = self._dbt("build", "--full-refresh", *NO_TESTS)
        per_model = _node_seconds(self.work / "target", digits=2)
        tests = self._dbt("test")
        return {"load_seconds": load["seconds"], "models_seconds": models["seconds"],
                "tests_seconds": tests["seconds"],
                "peak_rss_mib": max(load["peak_rss_mib"], models["peak_rss_mib"], tests["peak_rss_mib"]),
                "models_peak_rss_mib": models["peak_rss_mib"], "per_model": per_model}

    def marts_digest(self, columns: dict[str, list[str]] | None = None) -> tuple[dict[str, str], dict[str, list[str]]]:
        """mart -> rows and an order-free SHA-256 of its rows (each row's text sorted, then hashed), and
        mart -> its columns. With `columns` (another build's), each mart is hashed on those columns only,
        so that a mart which gained columns is still compared on everything it had; the gained columns
        are in the second result, and a column that went missing makes that mart differ."""
        if self.kind == "duckdb":
            import duckdb

            con = duckdb.connect(str(self.path), read_only=True)
            cur = con
        else:
            con = self.settings.connect()
            cur = con.cursor()
        cur.execute("select table_name, column_name from information_schema.columns where table_schema = 'marts' "
                    "order by table_name, ordinal_position")
        found: dict[str, list[str]] = {}
        for table, column in cur.fetchall():
            found.setdefault(table, []).append(column)
        out = {}
        for name, own in found.items():
            wanted = own if columns is None or name not in columns else columns[name]
            if not set(wanted) <= set(own):
                out[name] = f"missing columns {sorted(set(wanted) - set(own))}"
                continue
            cur.execute("select " + ", ".join(f'"{c}"' for c in wanted) + f' from marts."{name}"')
            rows = sorted(_row_text(row) for row in _without_tokens(cur.description, cur.fetchall()))
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            out[name] = f"{len(rows)} rows {digest[:16]}"
        con.close()
        return out, found

    def close(self) -> None:
        if self.settings:
            drop_database(self.settings)
        shutil.rmtree(self.work, ignore_errors=True)


def _without_tokens(description, rows: list[tuple]) -> list[tuple]:
    """Rows without their `*_token` columns: the CCCD token vault issues random tokens on each build."""
    keep = [i for i, column in enumerate(description) if not column[0].endswith("_token")]
    return [tuple(row[i] for i in keep) for row in rows]


def _row_text(row: tuple) -> str:
    """A row as text both engines agree on (numbers as their decimal value, timestamps without zone)."""
    parts = []
    for value in row:
        if isinstance(value, float):
            value = round(value, 6)
        elif hasattr(value, "normalize") and hasattr(value, "as_tuple"):  # Decimal
            value = value.normalize()
        parts.append(repr(value) if not isinstance(value, str) else value)
    return "|".join(str(p) for p in parts)


def run(before: Path, after: Path, sizes: list[int], postgres_sizes: list[int], compare_size: int, work: Path,
        out: Path) -> dict:
    work = work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    report = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine_info(),
              "before": str(before), "after": str(after), "runs": [], "marts_identical": {}}
    for size in sorted(sizes):
        data, gen = _generate(work, size)
        n = dataset_rows(data)["payment_transactions"]
        for kind in ["duckdb"] + (["postgres"] if size in postgres_sizes else []):
            digests, columns = {}, {}
            for label, tree in (("before", before), ("after", after)):
                _say(f"{n:,} transactions, {kind}, {label}: load, dbt build --full-refresh, dbt test")
                build = Build(tree, kind, work, label)
                try:
                    figures = build.run(data)
                    if size == compare_size:
                        digests[label], columns[label] = build.marts_digest(columns.get("before"))
                finally:
                    build.close()
                report["runs"].append({"transactions": n, "customers": gen["customers"], "engine": kind,
                                       "tree": label, **figures})
                _say(f"  models {figures['models_seconds']:.1f} s, tests {figures['tests_seconds']:.1f} s, "
                     f"peak {figures['peak_rss_mib']:,.0f} MiB")
                _write(report, out)
            if digests:
                differ = sorted(k for k in set(digests["before"]) | set(digests["after"])
                                if digests["before"].get(k) != digests["after"].get(k))
                gained = {t: [c for c in cs if c not in columns["before"].get(t, cs)]
                          for t, cs in columns["after"].items()}
                report["marts_identical"][kind] = {"transactions": n, "marts": len(digests["after"]),
                                                   "differ": differ,
                                                   "columns_gained": {t: cs for t, cs in gained.items() if cs}}
                _say(f"  marts identical on {kind}: {not differ} ({len(digests['after'])} marts; differ: {differ})")
        remove_dataset(data)
    _write(report, out)
    markdown = to_markdown(report)
    _write_markdown(markdown, out)
    print(markdown)
    return report


def _find(report: dict, n: int, engine: str, tree: str) -> dict | None:
    return next((r for r in report["runs"] if r["transactions"] == n and r["engine"] == engine
                 and r["tree"] == tree), None)


def to_markdown(report: dict) -> str:
    m = report["machine"]
    lines = [f"# Models before and after ({report['when']}, {m['cpus']} CPUs, {m['memory_gib']} GiB)", "",
             f"Before: `{report['before']}`; after: `{report['after']}`; the same datasets, one after the other.", "",
             "| transactions | engine | tree | load | dbt models | dbt tests | load + models + tests | peak RSS |",
             "|---|---|---|---|---|---|---|---|"]
    for r in report["runs"]:
        total = r["load_seconds"] + r["models_seconds"] + r["tests_seconds"]
        lines.append(f"| {r['transactions']:,} | {r['engine']} | {r['tree']} | {r['load_seconds']:.1f} s "
                     f"| {r['models_seconds']:.1f} s | {r['tests_seconds']:.1f} s | {total:.1f} s "
                     f"| {r['peak_rss_mib']:,.0f} MiB |")
    sizes = sorted({r["transactions"] for r in report["runs"] if r["engine"] == "duckdb"})
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        pairs = {t: (_find(report, small, "duckdb", t), _find(report, large, "duckdb", t)) for t in ("before", "after")}
        if all(a and b for a, b in pairs.values()):
            ratio = large / small
            lines += ["", f"## DuckDB, model by model: {small:,} → {large:,} transactions (×{ratio:.1f})", "",
                      "dbt's execution time of each model that takes at least "
                      f"{HEAVY:.0f} s at {large:,} after the change; growth = time at {large:,} / time at {small:,}.",
                      "", f"| model | before {small:,} | before {large:,} | growth before | after {small:,} "
                      f"| after {large:,} | growth after |", "|---|---|---|---|---|---|---|"]
            (b_small, b_large), (a_small, a_large) = pairs["before"], pairs["after"]
            names = sorted((k for k, v in a_large["per_model"].items() if v >= HEAVY and not k.startswith("test")),
                           key=lambda k: -a_large["per_model"][k])
            for k in names:
                cells = []
                for s_run, l_run in ((b_small, b_large), (a_small, a_large)):
                    s, ll = s_run["per_model"].get(k), l_run["per_model"].get(k)
                    growth = f"×{ll / s:.1f}" if s and ll else "–"
                    cells += [f"{s:.2f} s" if s else "–", f"{ll:.2f} s" if ll else "–", growth]
                lines.append(f"| {k} | " + " | ".join(cells) + " |")
    if report["marts_identical"]:
        lines += ["", "## Marts before and after", ""]
        for kind, v in report["marts_identical"].items():
            verdict = "identical, row for row" if not v["differ"] else f"differ: {', '.join(v['differ'])}"
            gained = v.get("columns_gained") or {}
            also = "".join(f"; `{t}` gained {len(cs)} columns, compared on the ones it had ({', '.join(cs)})"
                           for t, cs in gained.items())
            lines.append(f"- {kind}, {v['transactions']:,} transactions: {v['marts']} marts, {verdict}{also}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, type=Path, help="the checkout before the change")
    parser.add_argument("--after", default=Path("."), type=Path, help="the checkout after it (default: here)")
    parser.add_argument("--sizes", default="1000000,10000000", help="transaction counts (DuckDB)")
    parser.add_argument("--postgres-sizes", default="1000000", help="transaction counts also built on PostgreSQL")
    parser.add_argument("--compare-size", type=int, default=1000000, help="size at which the marts are compared")
    parser.add_argument("--work", default="data/bench", type=Path)
    parser.add_argument("--out", default="bench/results/models.json", type=Path)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    pg = [int(s) for s in args.postgres_sizes.split(",") if s]
    run(args.before.resolve(), args.after.resolve(), sizes, pg, args.compare_size, args.work, args.out)


if __name__ == "__main__":
    main()
