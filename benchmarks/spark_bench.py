"""Spark beside DuckDB (`make bench-spark`): the same generated dataset at each size, loaded and built on

- DuckDB (the embedded default),
- Spark in local mode (`local[2]`: driver and executors in the dbt process's JVM),
- Spark on a standalone cluster of two one-core workers on this machine (`bankgen spark-cluster`),

in one run, each step (load, `dbt build` without tests, `dbt test`) from the command line as a user
runs it, in its own process. Peak memory is sampled from the step's whole process tree (the JVM that
dbt-spark starts counts) and, on the cluster, the master's and workers' trees (their executors count).

Then the figures are carried, on paper, to a 1-billion-transaction year: from each stage's measured
rate and how it grew from the smaller size to the larger. Writes bench/results/spark.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
from datetime import UTC, datetime
from pathlib import Path

from generators.dataset import remove_dataset
from pipeline.settings import PROJECT_ROOT, dbt_command
from pipeline.spark import SparkSettings
from pipeline.spark_cluster import Cluster

from .benchsuite import _generate, _slowest, _step
from .measure import bankgen_path, dataset_rows, folder_mib, machine_info, run_step, run_step_sampled

NO_TESTS = ["--exclude", "resource_type:test", "resource_type:unit_test"]
ENGINES = ("duckdb", "spark-local", "spark-cluster")
YEAR = 1_000_000_000


def _say(text: str) -> None:
    print(f"[bench-spark] {text}", flush=True)


class Run:
    """One engine's warehouse for one size: where it lives, and how its steps are run and measured."""

    def __init__(self, kind: str, work: Path, label: str, partitions: int, cluster: Cluster | None = None):
        self.kind = kind
        self.work = work / f"{kind}-{label}"
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self.target_path = self.work / "target"
        self.env = {"DBT_LOG_PATH": str(self.work / "logs")}
        self.cluster = cluster
        if kind == "duckdb":
            self.env["TIMO_DUCKDB_PATH"] = str(self.work / "warehouse.duckdb")
        else:
            settings = SparkSettings(master=cluster.master_url if cluster else "local[2]", home=self.work / "spark",
                                     driver_memory="6g" if not cluster else "2g", shuffle_partitions=partitions,
                                     executor_memory="2500m")
            self.env.update(settings.env())

    @property
    def target(self) -> str:
        return "duckdb" if self.kind == "duckdb" else "spark"

    def _run(self, argv: list[str]) -> dict:
        if self.kind == "duckdb":
            return run_step(argv, env=self.env)
        daemons = self.cluster.daemon_pids() if self.cluster else []
        return run_step_sampled(argv, env=self.env, also=daemons)

    def load(self, data: Path) -> dict:
        extra = ["--duckdb-path", self.env["TIMO_DUCKDB_PATH"]] if self.kind == "duckdb" else []
        return self._run([bankgen_path(), "load", "--target", self.target, "--data", str(data), "--quiet", *extra])

    def dbt(self, *args: str) -> dict:
        return self._run([*dbt_command(*args, target=self.target, target_path=self.target_path),
                          "--project-dir", str(PROJECT_ROOT)])

    def close(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


def measure(kind: str, data: Path, work: Path, n: int, rows: int, partitions: int) -> dict:
    cluster = None
    if kind == "spark-cluster":
        cluster = Cluster(folder=work / "cluster", workers=2, cores=1, memory="3g")
        _say("  spark-cluster: starting a master and two one-core workers")
        cluster.start()
    run = Run(kind, work, str(n), partitions, cluster)
    try:
        _say(f"  {kind}: load")
        load = run.load(data)
        _say(f"  {kind}: dbt build without tests (seeds, snapshots, models)")
        models = run.dbt("build", *NO_TESTS)
        slowest_models = _slowest(run.target_path, 8)
        _say(f"  {kind}: dbt test (data and unit tests)")
        tests = run.dbt("test")
        figures = {"load": _step(load, rows), "dbt_models": _step(models, n, "transactions"),
                   "dbt_tests": _step(tests, n, "transactions"), "slowest_models": slowest_models,
                   "slowest_tests": _slowest(run.target_path, 5)}
        figures["seconds"] = round(load["seconds"] + models["seconds"] + tests["seconds"], 1)
        figures["peak_rss_mib"] = max(load["peak_rss_mib"], models["peak_rss_mib"], tests["peak_rss_mib"])
        _say(f"  {kind}: load {load['seconds']:.0f} s, models {models['seconds']:.0f} s, "
             f"tests {tests['seconds']:.0f} s, peak {figures['peak_rss_mib']:,.0f} MiB")
        return figures
    finally:
        run.close()
        if cluster:
            cluster.stop()


def project_seconds(n1: int, t1: float, n2: int, t2: float, n: int = YEAR) -> float:
    """A stage's seconds at n transactions from two measured sizes: the larger of
    - a fixed cost plus a cost per transaction, fitted through both points (Spark's start-up, planning and
      per-model overhead are the fixed part, which a plain ratio would multiply by 100), and
    - a power law t ~ n^b through both points, where b > 1 (work that grows faster than the data:
      sorts, self-joins and windows that stop fitting in memory)."""
    per_row = max((t2 - t1) / (n2 - n1), 0.0)
    fixed = max(t1 - per_row * n1, 0.0)
    linear = fixed + per_row * n
    b = math.log(t2 / t1) / math.log(n2 / n1)
    power = t2 * (n / n2) ** b if b > 1 else 0.0
    return max(linear, power)


def projection(runs: list[dict]) -> dict:
    """A 1-billion-transaction year from the two largest sizes, per engine and stage: hours on this
    machine's two cores if the growth goes on as measured, and the cores a 2-hour full rebuild needs if
    the work spreads evenly over executors (the best case a cluster offers; shuffles make it worse)."""
    small, large = runs[-2], runs[-1]
    n1, n2 = small["transactions"], large["transactions"]
    out = {}
    for kind in ENGINES:
        if kind not in small or kind not in large:
            continue
        stages = {}
        for stage in ("load", "dbt_models", "dbt_tests"):
            t1, t2 = small[kind][stage]["seconds"], large[kind][stage]["seconds"]
            seconds = project_seconds(n1, t1, n2, t2)
            stages[stage] = {"growth_exponent": round(math.log(t2 / t1) / math.log(n2 / n1), 2),
                             "hours_on_2_cores": round(seconds / 3600, 1)}
        total_hours = sum(s["hours_on_2_cores"] for s in stages.values())
        core_hours = 2 * total_hours
        out[kind] = {"stages": stages, "hours_on_2_cores": round(total_hours, 1),
                     "cores_for_a_2_hour_rebuild": math.ceil(core_hours / 2)}
    return out


def to_markdown(report: dict) -> str:
    m = report["machine"]
    lines = [f"# Spark beside DuckDB ({report['finished']}, {m['cpus']} CPUs, {m['memory_gib']} GiB)", "",
             "Each step from the command line in its own process; peak memory of the whole process tree (Spark's "
             "JVM; on the cluster also the master, the workers and their executors).", "",
             "| transactions | engine | load | dbt models | dbt tests | total | peak memory |",
             "|---|---|---|---|---|---|---|"]
    for run in report["runs"]:
        for kind in ENGINES:
            if kind in run:
                f = run[kind]
                lines.append(f"| {run['transactions']:,} | {kind} | {f['load']['seconds']:.1f} s | "
                             f"{f['dbt_models']['seconds']:.1f} s | {f['dbt_tests']['seconds']:.1f} s | "
                             f"{f['seconds']:.1f} s | {f['peak_rss_mib']:,.0f} MiB |")
    lines += ["", "Generation: " + ", ".join(f"{r['transactions']:,} transactions in {r['generate']['seconds']:.1f} s"
                                            for r in report["runs"]), ""]
    if len(report["runs"]) >= 2:
        small, large = report["runs"][-2], report["runs"][-1]
        lines += [f"Growth from {small['transactions']:,} to {large['transactions']:,} transactions "
                  f"(×{large['transactions'] / small['transactions']:.1f}), as the exponent b of time ~ n^b "
                  "(1 is linear):", ""]
        for kind in ENGINES:
            if kind in small and kind in large:
                stages = report["projection"][kind]["stages"]
                lines.append(f"- {kind}: " + ", ".join(f"{stage} b={stages[stage]['growth_exponent']}"
                                                       for stage in ("load", "dbt_models", "dbt_tests")))
        lines += ["", "Slowest models at the largest size:", ""]
        for kind in ENGINES:
            if kind in large:
                lines.append(f"- {kind}: " + ", ".join(f"{s['node'].split('.')[-1]} {s['seconds']:.0f} s"
                                                       for s in large[kind]["slowest_models"][:5]))
        lines += ["", "## On paper: a 1-billion-transaction year", "",
                  "Each stage carried to 10^9 transactions on this machine's two cores: a fixed cost plus a cost "
                  "per transaction fitted through the two sizes, or the power law through them where a stage "
                  "grew faster than the data (b > 1), whichever is larger; then the cores a two-hour full "
                  "rebuild needs if the work spread evenly over executors.", "",
                  "| engine | load | models | tests | hours on 2 cores | cores for 2 hours |",
                  "|---|---|---|---|---|---|"]
        for kind, p in report["projection"].items():
            s = p["stages"]
            lines.append(f"| {kind} | {s['load']['hours_on_2_cores']} h (b={s['load']['growth_exponent']}) | "
                         f"{s['dbt_models']['hours_on_2_cores']} h (b={s['dbt_models']['growth_exponent']}) | "
                         f"{s['dbt_tests']['hours_on_2_cores']} h (b={s['dbt_tests']['growth_exponent']}) | "
                         f"{p['hours_on_2_cores']} | {p['cores_for_a_2_hour_rebuild']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.spark_bench", description=__doc__)
    parser.add_argument("--sizes", default="1000000,10000000", help="transaction counts (default 1M and 10M)")
    parser.add_argument("--engines", default=",".join(ENGINES), help=f"any of {', '.join(ENGINES)}")
    parser.add_argument("--out", default="bench/results/spark.json")
    parser.add_argument("--work", default="data/bench-spark", help="scratch folder (removed afterwards)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not sizes or any(s < 1000 for s in sizes) or any(e not in ENGINES for e in engines):
        parser.error(f"--sizes takes transaction counts of 1000 or more, --engines any of {', '.join(ENGINES)}")
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    report = {"machine": machine_info(), "started": datetime.now(UTC).isoformat(timespec="seconds"), "runs": []}
    for size in sizes:
        data, gen = _generate(work, size)
        rows = dataset_rows(data)
        n = rows["payment_transactions"]
        run = {"transactions": n, "customers": gen["customers"], "dataset_mib": folder_mib(data),
               "generate": _step(gen["result"], n, "transactions")}
        # about one shuffle partition per 100k transactions, at least 4 (Spark's guidance: ~100 MB a partition)
        partitions = max(4, n // 250_000)
        run["spark_shuffle_partitions"] = partitions
        for kind in engines:
            run[kind] = measure(kind, data, work, n, sum(rows.values()), partitions)
        report["runs"].append(run)
        remove_dataset(data)
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    if len(report["runs"]) >= 2:
        report["projection"] = projection(report["runs"])
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report, indent=2))
    tmp.replace(out)
    md = out.with_suffix(".md")
    md.with_suffix(".md.tmp").write_text(to_markdown(report))
    md.with_suffix(".md.tmp").replace(md)
    print(to_markdown(report))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
