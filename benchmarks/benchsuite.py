"""The end-to-end benchmark suite (`make bench`): how big this gets on one machine, and why dbt.

1. Scale: generate, load and `dbt build` (models, then tests, timed separately) at each size, on
   DuckDB and on PostgreSQL. Wall time, peak memory of each step's process, rows per second, and how
   the cost grows between sizes.
2. Incremental: 90 days of history, then one more day built incrementally against a full refresh of
   the same warehouse, on both engines (the ratio is measured in the same run). Beside it, the floor
   under any day: a day that brings nothing new (the same files loaded again, the daily build run),
   and a dbt build of one small model.
3. Triggers: the case study's per-row PostgreSQL triggers (benchmarks/triggers.py) against COPY +
   dbt on the same transactions, and whether the two classify alike.

Every step runs in its own process; peak memory is that process's maximum resident set size (for
PostgreSQL steps, the client's, not the server's). Figures are printed, and written to a JSON file
and a Markdown table (temporary names, then renamed).
"""

from __future__ import annotations

import json
import shutil
import statistics
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from generators.dataset import remove_dataset
from pipeline.daily import build_args, remember, warehouse_key
from pipeline.settings import PROJECT_ROOT, PostgresSettings, dbt_command

from .measure import bankgen_path, customers_for, dataset_rows, drop_database, folder_mib, machine_info, run_step
from .triggers import agreement, run_triggers

TARGETS = {"duckdb_10m_total_seconds": 120, "duckdb_10m_peak_rss_mib": 4096, "postgres_1m_total_seconds": 60,
           "incremental_ratio_max_3m": 0.10, "incremental_ratio_max_10m_duckdb": 0.05, "model_growth_max_1m_to_10m": 12}
NO_TESTS = ["--exclude", "resource_type:test", "resource_type:unit_test"]


def _say(text: str) -> None:
    print(f"[bench] {text}", flush=True)


class Engine:
    """Where dbt runs: a DuckDB file, a throwaway PostgreSQL database or a Spark catalog and its tables
    in a scratch folder (local[2]); close() removes it."""

    def __init__(self, kind: str, work: Path, label: str):
        self.kind = kind
        self.target_path = work / f"target-{kind}"
        self.env = {"DBT_LOG_PATH": str(work / "logs")}
        if kind == "spark":
            self.path = work / f"spark-{label}"
            shutil.rmtree(self.path, ignore_errors=True)
            self.env.update({"TIMO_SPARK_DIR": str(self.path), "TIMO_SPARK_MASTER": "local[2]"})
            self.settings = None
        elif kind == "duckdb":
            self.path = work / f"{label}.duckdb"
            self.path.unlink(missing_ok=True)
            self.env["TIMO_DUCKDB_PATH"] = str(self.path)
            self.settings = None
        else:
            self.settings = PostgresSettings.from_env(dbname=f"timo_bank_bench_{label}_{uuid.uuid4().hex[:6]}")
            self.env.update(self.settings.env())

    def load(self, data: Path) -> dict:
        extra = ["--duckdb-path", str(self.path)] if self.kind == "duckdb" else []
        return run_step([bankgen_path(), "load", "--target", self.kind, "--data", str(data), "--quiet", *extra],
                        env=self.env)

    def dbt(self, *args: str) -> dict:
        return run_step([*dbt_command(*args, target=self.kind, target_path=self.target_path),
                     "--project-dir", str(PROJECT_ROOT)], env=self.env)

    def close(self) -> None:
        if self.kind == "spark":
            shutil.rmtree(self.path, ignore_errors=True)
        elif self.kind == "duckdb":
            self.path.unlink(missing_ok=True)
            shutil.rmtree(self.path.parent / f"{self.path.name}.tmp", ignore_errors=True)
        else:
            drop_database(self.settings)


def _step(result: dict, rows: int | None = None, unit: str = "rows") -> dict:
    out = {"seconds": result["seconds"], "peak_rss_mib": result["peak_rss_mib"]}
    if rows:
        out[f"{unit}_per_second"] = round(rows / result["seconds"])
    return out


def _generate(work: Path, transactions: int, days: int = 30, start: date | None = None) -> tuple[Path, dict]:
    customers = customers_for(transactions, days)
    data = work / f"data-{transactions}-{days}d"
    remove_dataset(data)
    args = [bankgen_path(), "generate", "--customers", str(customers), "--days", str(days), "--format", "parquet",
            "--out", str(data), "--quiet"]
    if start:
        args += ["--start-date", start.isoformat()]
    _say(f"generating {transactions:,} transactions ({customers:,} customers x {days} days)")
    return data, {"customers": customers, "result": run_step(args)}


def scale_run(work: Path, transactions: int, engines: list[str]) -> dict:
    data, gen = _generate(work, transactions)
    rows = dataset_rows(data)
    n = rows["payment_transactions"]
    run = {"requested_transactions": transactions, "transactions": n, "customers": gen["customers"],
           "dataset_mib": folder_mib(data), "generate": _step(gen["result"], n, "transactions")}
    for kind in engines:
        engine = Engine(kind, work, f"scale{transactions}")
        try:
            _say(f"  {kind}: load")
            load = engine.load(data)
            _say(f"  {kind}: dbt parse, then dbt build without tests (seeds, snapshots, models)")
            parse = engine.dbt("parse")
            models = engine.dbt("build", *NO_TESTS)
            slowest_models = _slowest(engine.target_path)
            _say(f"  {kind}: dbt test (data and unit tests)")
            tests = engine.dbt("test")
            figures = {"load": _step(load, sum(rows.values())), "dbt_parse": _step(parse),
                       "dbt_models": _step(models, n, "transactions"), "dbt_tests": _step(tests, n, "transactions")}
            figures["total_seconds"] = round(gen["result"]["seconds"] + load["seconds"] + parse["seconds"]
                                             + models["seconds"] + tests["seconds"], 1)
            figures["peak_rss_mib"] = max(gen["result"]["peak_rss_mib"], load["peak_rss_mib"], parse["peak_rss_mib"],
                                          models["peak_rss_mib"], tests["peak_rss_mib"])
            figures["slowest_models"] = slowest_models
            figures["slowest_tests"] = _slowest(engine.target_path)
            run[kind] = figures
        finally:
            engine.close()
    remove_dataset(data)
    return run


def _node_seconds(target_path: Path, digits: int = 3) -> dict[str, float]:
    """Every node of the last dbt invocation with that target path (its run_results.json) and its
    execution time, slowest first; empty when there is none."""
    path = target_path / "run_results.json"
    results = json.loads(path.read_text())["results"] if path.exists() else []
    ordered = sorted(results, key=lambda r: -r["execution_time"])
    return {r["unique_id"].split(".", 2)[-1]: round(r["execution_time"], digits) for r in ordered}


def _slowest(target_path: Path, k: int = 5) -> list[dict]:
    """The slowest nodes of the last dbt invocation with that target path."""
    return [{"node": node, "seconds": seconds}
            for node, seconds in list(_node_seconds(target_path, digits=2).items())[:k]]


def _node_count(target_path: Path) -> int:
    """How many nodes the last dbt invocation with that target path ran."""
    return len(_node_seconds(target_path))


def incremental_run(work: Path, transactions: int, engines: list[str], days: int = 90, steps: int = 3,
                    plain_day: bool = False) -> dict:
    """90 days built once, then `steps` more days each advanced, loaded and built incrementally, then a
    full refresh of the same warehouse. The ratio is the median incremental day against that refresh.
    With plain_day, one more day is built with a plain `dbt build` (every node, as a warehouse without a
    remembered state is), before the full refresh: the daily selection's gain, in the same run."""
    start = date.today() - timedelta(days=days + steps + 2)
    base, gen = _generate(work, transactions, days, start)
    out = {"days_of_history": days, "incremental_days": steps, "customers": gen["customers"],
           "transactions": dataset_rows(base)["payment_transactions"]}
    for kind in engines:
        data = work / f"incremental-{kind}"
        remove_dataset(data)
        shutil.copytree(base, data)
        engine = Engine(kind, work, "incremental")
        try:
            _say(f"  {kind}: load {days} days and build them (first build)")
            engine.load(data)
            engine.dbt("parse")
            first = engine.dbt("build", *NO_TESTS)
            remember(engine.target_path, kind, engine.env)
            daily = []
            for day in range(1, steps + 1):
                advance = run_step([bankgen_path(), "advance", "--data", str(data), "--days", "1", "--quiet"])
                load = engine.load(data)
                key = warehouse_key(kind, engine.env)
                build = engine.dbt(*build_args(engine.target_path, key, kind, tests=False))
                remember(engine.target_path, kind, engine.env)
                daily.append({"advance": _step(advance), "load": _step(load), "incremental_build": _step(build),
                              "nodes": _node_count(engine.target_path), "slowest_models": _slowest(engine.target_path),
                              "node_seconds": _node_seconds(engine.target_path)})
                _say(f"  {kind}: day {days + day}: advance {advance['seconds']:.1f} s, load {load['seconds']:.1f} s, "
                     f"incremental build {build['seconds']:.1f} s")
            floor = _floor(engine, data, kind)
            plain = None
            if plain_day:
                run_step([bankgen_path(), "advance", "--data", str(data), "--days", "1", "--quiet"])
                engine.load(data)
                build = engine.dbt("build", *NO_TESTS)
                plain = {**_step(build), "nodes": _node_count(engine.target_path)}
                _say(f"  {kind}: one more day with a plain dbt build (every node): {build['seconds']:.1f} s")
            _say(f"  {kind}: full refresh of the same warehouse ({days + steps + bool(plain)} days)")
            full = engine.dbt("build", "--full-refresh", *NO_TESTS)
            median = statistics.median(d["incremental_build"]["seconds"] for d in daily)
            out[kind] = {"first_build": _step(first), "days": daily, "median_incremental_seconds": round(median, 2),
                         **({"plain_build_day": plain} if plain else {}),
                         "full_refresh": {**_step(full), "slowest_models": _slowest(engine.target_path)},
                         "ratio": round(median / full["seconds"], 3), **floor,
                         "empty_day_ratio": round(floor["empty_day"]["seconds"] / full["seconds"], 3)}
            _say(f"  {kind}: median incremental day {median:.1f} s, full refresh {full['seconds']:.1f} s, "
                 f"ratio {out[kind]['ratio']:.1%}; a day with nothing new {out[kind]['empty_day_ratio']:.1%}")
        finally:
            engine.close()
            remove_dataset(data)
    remove_dataset(base)
    return out


def _floor(engine: Engine, data: Path, kind: str) -> dict:
    """What a day costs when it brings nothing: the same files loaded again and the daily build run (every
    node of the daily selection, no new row), and one dbt build of a single small model (dbt's start-up,
    project and state reading, and its end: what any dbt invocation costs here). A day cannot cost less than
    the first, whatever its rows; the difference between a day and this is what the day's rows cost."""
    engine.load(data)
    key = warehouse_key(kind, engine.env)
    empty = engine.dbt(*build_args(engine.target_path, key, kind, tests=False))
    remember(engine.target_path, kind, engine.env)
    empty_nodes, empty_seconds = _node_count(engine.target_path), _node_seconds(engine.target_path)
    one = engine.dbt("build", "--select", "dim_banks", *NO_TESTS)
    _say(f"  {kind}: a day with nothing new {empty['seconds']:.1f} s ({empty_nodes} nodes); "
         f"a dbt build of one model {one['seconds']:.1f} s")
    return {"empty_day": {**_step(empty), "nodes": empty_nodes, "node_seconds": empty_seconds},
            "one_model_build": _step(one)}


def trigger_run(work: Path, transactions: int) -> dict:
    data, gen = _generate(work, transactions)
    engine = Engine("postgres", work, "triggers")
    try:
        from pipeline.loader import ensure_postgres_database

        ensure_postgres_database(engine.settings)
        _say(f"  triggers: {transactions:,} row inserts through BEFORE/AFTER INSERT triggers")
        triggers = run_triggers(data, engine.settings)
        _say("  dbt path: COPY into raw, then dbt build without tests")
        load = engine.load(data)
        engine.dbt("parse")
        models = engine.dbt("build", *NO_TESTS)
        dbt_seconds = load["seconds"] + models["seconds"]
        _say("  dbt path, the triggers' share of the work only: classification and daily summaries")
        same_work = engine.dbt("run", "--select", "+int_transactions_classified", "+fct_daily_account_summaries")
        return {"transactions": triggers["transactions"], "triggers": triggers,
                "copy_and_dbt": {"copy_seconds": load["seconds"], "dbt_build_seconds": models["seconds"],
                                 "seconds": round(dbt_seconds, 2),
                                 "dbt_same_work_seconds": same_work["seconds"]},
                "ratio_trigger_to_dbt": round(triggers["seconds"] / dbt_seconds, 2),
                "agreement": agreement(engine.settings)}
    finally:
        engine.close()
        remove_dataset(data)


def tuning_run(work: Path, transactions: int) -> dict:
    """PostgreSQL before/after the tuning of macros/performance.sql: the same full build twice."""
    data, _ = _generate(work, transactions)
    engine = Engine("postgres", work, "tuning")
    try:
        engine.load(data)
        engine.dbt("parse")
        out = {"transactions": dataset_rows(data)["payment_transactions"]}
        for label, extra in (("before", ["--vars", "{pg_tuning: false}"]), ("after", [])):
            _say(f"  postgres {label} tuning: dbt build --full-refresh without tests")
            result = engine.dbt("build", "--full-refresh", *NO_TESTS, *extra)
            out[label] = {**_step(result), "slowest_models": _slowest(engine.target_path, 8)}
        out["speedup"] = round(out["before"]["seconds"] / out["after"]["seconds"], 2)
        return out
    finally:
        engine.close()
        remove_dataset(data)


def _growth(runs: list[dict], kind: str) -> list[dict]:
    out = []
    for small, big in zip(runs, runs[1:], strict=False):
        if kind not in small or kind not in big:
            continue
        size = big["transactions"] / small["transactions"]
        models = big[kind]["dbt_models"]["seconds"] / small[kind]["dbt_models"]["seconds"]
        tests = big[kind]["dbt_tests"]["seconds"] / small[kind]["dbt_tests"]["seconds"]
        out.append({"from": small["transactions"], "to": big["transactions"], "size_ratio": round(size, 1),
                    "models_time_ratio": round(models, 1), "tests_time_ratio": round(tests, 1)})
    return out


def run_suite(duckdb_sizes: list[int], postgres_sizes: list[int], incremental_duckdb: list[int],
              incremental_postgres: list[int], trigger_transactions: int, out: Path, work: Path,
              tuning_transactions: int = 0) -> dict:
    work = work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "targets": TARGETS, "scale": [], "growth": {}, "incremental": [], "triggers": None, "tuning": None,
    }
    for size in sorted(set(duckdb_sizes) | set(postgres_sizes)):
        engines = [k for k, sizes in (("duckdb", duckdb_sizes), ("postgres", postgres_sizes)) if size in sizes]
        report["scale"].append(scale_run(work, size, engines))
        _write(report, out)
    for kind in ("duckdb", "postgres"):
        report["growth"][kind] = _growth(report["scale"], kind)
    for size in sorted(set(incremental_duckdb) | set(incremental_postgres)):
        engines = [k for k, sizes in (("duckdb", incremental_duckdb), ("postgres", incremental_postgres))
                   if size in sizes]
        _say(f"incremental: 90 days, about {size:,} transactions ({', '.join(engines)})")
        report["incremental"].append(incremental_run(work, size, engines))
        _write(report, out)
    if trigger_transactions:
        _say(f"triggers against COPY + dbt: {trigger_transactions:,} transactions")
        report["triggers"] = trigger_run(work, trigger_transactions)
        _write(report, out)
    if tuning_transactions:
        _say(f"PostgreSQL tuning before/after: {tuning_transactions:,} transactions")
        report["tuning"] = tuning_run(work, tuning_transactions)
    _write(report, out)
    markdown = to_markdown(report)
    md = _write_markdown(markdown, out)
    print(markdown)
    _say(f"figures written to {out} and {md}")
    return report


def _floor_cell(run: dict, key: str, ratio_key: str | None = None) -> str:
    if key not in run:  # figures written before the floor was measured
        return "–"
    share = f" ({run[ratio_key]:.1%})" if ratio_key else ""
    return f"{run[key]['seconds']:.1f} s{share}"


def _write_markdown(markdown: str, out: Path) -> Path:
    """The Markdown beside the JSON file `out` (a temporary name, then renamed); returns its path."""
    md = out.with_suffix(".md")
    tmp = md.with_suffix(".md.tmp")
    tmp.write_text(markdown, encoding="utf-8")
    tmp.rename(md)
    return md


def _write(report: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    tmp.rename(out)


def _fmt(step: dict | None, rate_key: str | None = None) -> str:
    if not step:
        return "–"
    text = f"{step['seconds']:.1f} s, {step['peak_rss_mib']:,.0f} MiB"
    if rate_key and rate_key in step:
        text += f", {step[rate_key]:,}/s"
    return text


def to_markdown(report: dict) -> str:
    lines = [f"# Benchmark ({report['when']}, {report['machine']['cpus']} CPUs, "
             f"{report['machine']['memory_gib']} GiB)", ""]
    lines += ["## Scale (30 days of data; time, peak RSS of the step's process, throughput)", "",
              "| transactions | engine | generate | load | dbt models | dbt tests | total | peak RSS |",
              "|---|---|---|---|---|---|---|---|"]
    for run in report["scale"]:
        for kind in ("duckdb", "postgres"):
            if kind in run:
                f = run[kind]
                gen = _fmt(run["generate"], "transactions_per_second")
                lines.append(f"| {run['transactions']:,} | {kind} | {gen} | {_fmt(f['load'], 'rows_per_second')} "
                             f"| {_fmt(f['dbt_models'], 'transactions_per_second')} "
                             f"| {_fmt(f['dbt_tests'])} | {f['total_seconds']:.1f} s | {f['peak_rss_mib']:,.0f} MiB |")
    lines += ["", "Growth between sizes (time ratio against size ratio):", ""]
    for kind, steps in report["growth"].items():
        for g in steps:
            lines.append(f"- {kind}: {g['from']:,} → {g['to']:,} transactions (×{g['size_ratio']}): models "
                         f"×{g['models_time_ratio']}, tests ×{g['tests_time_ratio']}")
    runs = report.get("incremental") or []
    if runs:
        lines += ["", "## Incremental (90 days built, then one day at a time; dbt build without tests)", "",
                  "| transactions (customers) | engine | full refresh | incremental days | median day | ratio "
                  "| day with nothing new | dbt build of one model |",
                  "|---|---|---|---|---|---|---|---|"]
        for inc in runs:
            for kind in ("duckdb", "postgres"):
                if kind in inc:
                    f = inc[kind]
                    days = ", ".join(f"{d['incremental_build']['seconds']:.1f}" for d in f["days"])
                    lines.append(f"| {inc['transactions']:,} ({inc['customers']:,}) | {kind} "
                                 f"| {f['full_refresh']['seconds']:.1f} s | {days} s "
                                 f"| {f['median_incremental_seconds']:.1f} s | {f['ratio']:.1%} "
                                 f"| {_floor_cell(f, 'empty_day', 'empty_day_ratio')} "
                                 f"| {_floor_cell(f, 'one_model_build')} |")
    trg = report.get("triggers")
    if trg:
        a, t, c = trg["agreement"], trg["triggers"], trg["copy_and_dbt"]
        lines += ["", f"## Triggers against COPY + dbt ({trg['transactions']:,} transactions, PostgreSQL)", "",
                  f"- per-row triggers: {t['seconds']:.1f} s ({t['rows_per_second']:,} rows/s)",
                  f"- COPY + dbt build (every model, no tests): {c['seconds']:.1f} s "
                  f"(COPY {c['copy_seconds']:.1f} s, dbt {c['dbt_build_seconds']:.1f} s)",
                  f"- dbt for the triggers' share of the work only (`dbt run --select +int_transactions_classified "
                  f"+fct_daily_account_summaries`): {c['dbt_same_work_seconds']:.1f} s",
                  f"- ratio triggers / (COPY + dbt): {trg['ratio_trigger_to_dbt']}",
                  f"- same required level where the rules agree (groups without a Tksth rule): "
                  f"{a['groups_without_tksth_rules']['same_required_level']:,} of "
                  f"{a['groups_without_tksth_rules']['transactions']:,}",
                  f"- same required level in groups with a Tksth rule (the trigger uses T for Tksth): "
                  f"{a['groups_with_tksth_rules']['same_required_level']:,} of "
                  f"{a['groups_with_tksth_rules']['transactions']:,}",
                  f"- daily summaries with the same count and completed amount: "
                  f"{a['daily_summaries']['same_count_and_amount']:,} of {a['daily_summaries']['account_days']:,}"]
    tun = report.get("tuning")
    if tun:
        lines += ["", f"## PostgreSQL tuning ({tun['transactions']:,} transactions, dbt build --full-refresh "
                      "without tests)", "",
                  f"- before (`--vars '{{pg_tuning: false}}'`): {tun['before']['seconds']:.1f} s; after: "
                  f"{tun['after']['seconds']:.1f} s (×{tun['speedup']})", "",
                  "| model | before | after |", "|---|---|---|"]
        after = {m["node"]: m["seconds"] for m in tun["after"]["slowest_models"]}
        for m in tun["before"]["slowest_models"]:
            later = f"{after[m['node']]:.1f} s" if m["node"] in after else "–"
            lines.append(f"| {m['node']} | {m['seconds']:.1f} s | {later} |")
    return "\n".join(lines) + "\n"
