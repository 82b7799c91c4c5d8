"""`bankgen`: generate raw bank data, load it into a warehouse, and benchmark both."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from generators.config import DEFAULT_START, ConfigError, GenerateConfig, parse_date

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad input as one line and exit status 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _rate(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="bankgen", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    gen = sub.add_parser("generate", help="write every raw table as CSV or Parquet",
                         description="Write customers, accounts, devices, counterparties, transactions, "
                                     "authentication logs and fraud labels into a dataset folder. The same "
                                     "arguments always give byte-identical files.")
    gen.add_argument("--customers", type=_whole, default=2_000, help="number of Timo customers (default 2000)")
    gen.add_argument("--days", type=_whole, default=30, help="days of activity to simulate (default 30)")
    gen.add_argument("--start-date", default=DEFAULT_START.isoformat(),
                     help=f"first simulated day, YYYY-MM-DD (default {DEFAULT_START.isoformat()})")
    gen.add_argument("--seed", type=_whole, default=42, help="random seed (default 42)")
    gen.add_argument("--out", default="data/raw", help="dataset folder to create or replace (default data/raw)")
    gen.add_argument("--format", dest="fmt", default="parquet", help="csv or parquet (default parquet)")
    gen.add_argument("--fraud-rate", type=_rate, default=0.005,
                     help="share of transactions that belong to a planted fraud scenario (default 0.005)")
    gen.add_argument("--dirty-rate", type=_rate, default=0.0,
                     help="share of extra bad rows planted in every table, listed in _expected_rejections.csv "
                          "(default 0: clean data)")
    gen.add_argument("--quiet", action="store_true", help="no progress bar")

    load = sub.add_parser("load", help="load a dataset into the raw schema of DuckDB, PostgreSQL or Spark",
                          description="Replace the raw tables with a dataset's files, all or nothing. "
                                      "PostgreSQL settings come from PGHOST, PGPORT, PGUSER, PGPASSWORD and "
                                      "PGDATABASE (defaults 127.0.0.1, 5432, postgres, empty, timo_bank); Spark's "
                                      "from TIMO_SPARK_MASTER and TIMO_SPARK_DIR (defaults local[2], "
                                      "warehouse/spark).")
    load.add_argument("--target", default="duckdb",
                      help="duckdb, postgres or spark (default duckdb; Spark settings: TIMO_SPARK_* variables)")
    load.add_argument("--data", default="data/raw", help="dataset folder written by generate (default data/raw)")
    load.add_argument("--duckdb-path", default=None,
                      help="DuckDB file (default $TIMO_DUCKDB_PATH or warehouse/timo_bank.duckdb)")
    load.add_argument("--quiet", action="store_true", help="no per-table lines")

    bench = sub.add_parser("bench", help="benchmarks; writes JSON (and Markdown with --suite)",
                           description="Without --suite: generate transactions (Parquet) at each size, measure "
                                       "wall time and peak memory, then load into DuckDB and PostgreSQL. With "
                                       "--suite: the end-to-end suite (generate, load, dbt models and tests at "
                                       "each size on both engines; 90-day incremental against full refresh; "
                                       "per-row triggers against COPY + dbt).")
    bench.add_argument("--suite", action="store_true", help="run the end-to-end suite (make bench)")
    bench.add_argument("--sizes", default="1000000,10000000",
                       help="comma-separated transaction counts (default 1000000,10000000; with --suite: "
                            "100000,1000000,10000000 on DuckDB)")
    bench.add_argument("--postgres-sizes", default="100000,1000000",
                       help="--suite: sizes built on PostgreSQL (default 100000,1000000)")
    bench.add_argument("--incremental", default="3000000,10000000",
                       help="--suite: transaction counts of the 90-day incremental benchmark on DuckDB "
                            "(default 3000000,10000000; 0 skips)")
    bench.add_argument("--incremental-postgres", default="3000000",
                       help="--suite: the same on PostgreSQL (default 3000000; 0 skips)")
    bench.add_argument("--triggers", type=_whole, default=100_000,
                       help="--suite: transactions in the trigger comparison (default 100000; 0 skips)")
    bench.add_argument("--tuning", type=_whole, default=1_000_000,
                       help="--suite: transactions in the PostgreSQL before/after tuning run "
                            "(default 1000000; 0 skips)")
    bench.add_argument("--out", default=None,
                       help="where to write the figures (default bench/results/generator.json, or "
                            "bench/results/bench.json with --suite)")
    bench.add_argument("--work", default="data/bench", help="scratch folder for the generated data")
    bench.add_argument("--targets", default="duckdb,postgres", help="engines to load into (default both)")
    adv = sub.add_parser("advance", help="append the next days to a generated dataset",
                         description="Continue a dataset day by day: new transactions, authentication logs "
                                     "(some arriving a day late) and fraud events, and status changes to "
                                     "accounts, customers and devices stamped with updated_at. Deterministic "
                                     "for the dataset's seed.")
    adv.add_argument("--data", default="data/raw", help="dataset folder written by generate (default data/raw)")
    adv.add_argument("--days", type=_whole, default=1, help="days to add (default 1)")
    adv.add_argument("--quiet", action="store_true", help="no per-day lines")

    sim = sub.add_parser("simulate", help="advance one day, load, dbt build (incremental); repeat",
                         description="Feed the warehouse day by day: for each day, advance the dataset, load "
                                     "it, and run dbt build (snapshots, incremental models, tests).")
    sim.add_argument("--data", default="data/raw", help="dataset folder written by generate (default data/raw)")
    sim.add_argument("--days", type=_whole, default=3, help="days to simulate (default 3)")
    sim.add_argument("--target", default=None, help="duckdb or postgres (default $TIMO_TARGET or duckdb)")
    sim.add_argument("--duckdb-path", default=None,
                     help="DuckDB file (default $TIMO_DUCKDB_PATH or warehouse/timo_bank.duckdb)")
    sim.add_argument("--profiles-dir", default=None,
                     help="folder of profiles.yml (default as dbt: $DBT_PROFILES_DIR, the project, ~/.dbt)")

    stream = sub.add_parser("stream", help="write small batches of new transactions as they happen (start/stop/run)",
                            description="Streams, like the BDT2023 streamers: every --interval seconds a batch of "
                                        "transactions (at --rate per second) with their authentication logs, some "
                                        "arriving late, lands in the dataset folder as new files. start runs them in "
                                        "the background, stop ends them, run writes in the foreground.")
    stream.add_argument("action", choices=["start", "stop", "run"], help="start, stop or run (foreground)")
    stream.add_argument("--data", default="data/raw", help="dataset folder written by generate (default data/raw)")
    stream.add_argument("--name", default=None, help="stream name (default s; s1, s2, ... with --streams)")
    stream.add_argument("--rate", type=float, default=50.0, help="transactions per second, all streams (default 50)")
    stream.add_argument("--interval", type=float, default=10.0, help="seconds between batches (default 10)")
    stream.add_argument("--streams", type=_whole, default=1, help="parallel streams sharing the rate (default 1)")
    stream.add_argument("--late-share", type=float, default=0.02,
                        help="share of authentication logs delivered with the next batch (default 0.02)")
    stream.add_argument("--duration", type=float, default=None, help="run: stop after this many seconds")

    clean = sub.add_parser("clean", help="delete a DuckDB warehouse file and/or generated datasets, nothing else",
                           description="Delete what bankgen and dbt wrote: a DuckDB warehouse file (checked to be one) "
                                       "and dataset folders (checked to be bankgen datasets holding nothing else). "
                                       "Anything else is refused with exit 2 and left alone.")
    clean.add_argument("--duckdb-path", default=None, help="a DuckDB warehouse file to delete (with its .wal)")
    clean.add_argument("--data", action="append", default=[], help="a dataset folder to delete (repeatable)")

    cluster = sub.add_parser("spark-cluster", help="start, stop or show a standalone Spark cluster on this machine",
                             description="A Spark master and workers on 127.0.0.1, started with the daemon script "
                                         "pyspark ships; pid files and logs under $TIMO_SPARK_DIR/cluster. Point "
                                         "the spark target at it with TIMO_SPARK_MASTER=spark://127.0.0.1:7077.")
    cluster.add_argument("action", choices=["start", "stop", "status"])
    cluster.add_argument("--workers", type=_whole, default=2, help="workers (default 2)")
    cluster.add_argument("--cores", type=_whole, default=1, help="cores per worker (default 1)")
    cluster.add_argument("--memory", default="3g", help="memory per worker for its executors (default 3g)")

    workflow = sub.add_parser(
        "workflow", help="the fraud team's case actions: record one, list them, or write a plausible history",
        description="The case workflow's append-only store (pipeline/workflow.py): on DuckDB the files under "
                    "$TIMO_WORKFLOW_DIR (default warehouse/workflow), on PostgreSQL workflow.case_actions "
                    "(written as the fraud_analyst role). A case's status changes on the next dbt build.")
    workflow.add_argument("what", choices=["record", "list", "history"])
    workflow.add_argument("--target", choices=["duckdb", "postgres"], default=None,
                          help="the warehouse (default $TIMO_TARGET, else duckdb)")
    workflow.add_argument("--case", dest="case_id", default=None, help="record: the case_id")
    workflow.add_argument("--action", default=None, help="record: assign, start, escalate, close or reopen")
    workflow.add_argument("--outcome", default=None, help="close: confirmed_fraud, false_positive or inconclusive")
    workflow.add_argument("--assignee", default=None, help="record, assign or escalate: who gets the case")
    workflow.add_argument("--actor", default=None, help="record: who acts")
    workflow.add_argument("--note", default=None, help="record: a note (plain text)")
    workflow.add_argument("--seed", type=_whole, default=42, help="history: random seed (default 42)")

    backtest = sub.add_parser(
        "backtest", help="replay the built history under other rule thresholds; figures per setting",
        description="Copies the DuckDB warehouse to a scratch file, rebuilds the models that read the given vars "
                    "(and all below them) once per setting, and writes alerts, cases, event recall, case precision "
                    "(labels) and precision from the analysts' outcomes to $TIMO_BACKTEST_DIR/backtest_<rule>.json "
                    "and .csv (default warehouse/backtest). The warehouse itself is never changed.")
    backtest.add_argument("--rule", required=True, help="a rule_code or rule_id of seeds/risk_rules.csv")
    backtest.add_argument("--set", dest="sets", action="append", default=[], metavar="VAR=V1,V2,...",
                          help="a dbt var and the values to try (repeatable: every combination is replayed)")
    backtest.add_argument("--out", default=None,
                          help="output folder (default: $TIMO_BACKTEST_DIR, or warehouse/backtest)")
    backtest.add_argument("--duckdb-path", default=None, help="the warehouse (default as for load)")

    add = sub.add_parser(
        "add", help="add one customer, account, device or counterparty to a dataset by hand",
        description="Checks the row as the generator and the warehouse do (CCCD against birth date, gender and "
                    "province; mobile prefix; tax code check digit; e-mail; an existing owner; identifiers nobody "
                    "else holds), then writes it into the dataset's state table(s) atomically. The next "
                    "`bankgen load` and `dbt build` show it. Bad input: one line naming the option, exit 2.")
    add.add_argument("entity", choices=["customer", "account", "device", "counterparty"])
    add.add_argument("--data", default="data/raw", help="dataset folder (default data/raw)")
    add.add_argument("--type", help="customer: individual|organization; account: checking|savings|ewallet; "
                                    "device: mobile|computer|tablet; counterparty: individual|organization")
    add.add_argument("--name", help="customer or counterparty: full name")
    add.add_argument("--phone", help="customer: mobile number, 10 digits")
    add.add_argument("--email", help="customer: e-mail address (optional)")
    add.add_argument("--address", help="customer: address (optional)")
    add.add_argument("--province", help="customer: province code (seeds/provinces.csv)")
    add.add_argument("--birth-date", help="individual: date of birth, YYYY-MM-DD")
    add.add_argument("--gender", help="individual: male or female")
    add.add_argument("--cccd", help="individual: 12-digit CCCD")
    add.add_argument("--tax-code", help="organization: 10-digit tax code")
    add.add_argument("--customer-id", help="account or device: the owner")
    add.add_argument("--opening-balance", help="account: whole VND (default 0)")
    add.add_argument("--number", help="account or counterparty: the account number (default: a new one)")
    add.add_argument("--identifier", help="device: 32 hexadecimal digits (default: a new one)")
    add.add_argument("--os", help="device: operating system")
    add.add_argument("--trusted", action="store_true", help="device: trusted from the start")
    add.add_argument("--bank", help="counterparty: the bank's code (seeds/banks.csv)")

    summary = sub.add_parser("summary", help="print what the DuckDB warehouse holds and the last dbt results")
    summary.add_argument("--duckdb-path", default=None, help="DuckDB file (default as for load)")
    return parser


def _workflow(args) -> int:
    from . import workflow
    from .settings import target_name

    target = args.target or target_name()
    if args.what == "history":
        workflow.write_history(target, seed=args.seed)
        return 0
    if args.what == "list":
        rows = workflow.read_files() if target == "duckdb" else workflow.read_postgres()
        for row in rows:
            print("\t".join("" if row[c] is None else str(row[c]) for c in workflow.COLUMNS))
        return 0
    action = workflow.Action(case_id=args.case_id or "", action=args.action or "", actor=args.actor or "",
                             outcome=args.outcome, assignee=args.assignee, note=args.note)
    workflow.check_action(action, target)
    workflow.record([action], target)
    print(f"recorded: {action.action} on case {action.case_id} by {action.actor}; its status changes on the next build")
    return 0


def _add(args) -> int:
    from generators.add import add_entity

    fields = {k: v for k, v in vars(args).items() if k not in ("command", "entity", "data")}
    row = add_entity(Path(args.data), args.entity, fields)
    key = next(iter(k for k in row if k.endswith("_id") and k not in ("customer_id", "other_customer_id")),
               "customer_id")
    print(f"added {args.entity} {row[key]} to {Path(args.data).resolve()}; `bankgen load` and `dbt build` show it")
    return 0


def _backtest(args) -> int:
    from .backtest import backtest_dir, run_backtest

    out = Path(args.out) if args.out else backtest_dir()
    results = run_backtest(args.rule, args.sets, out_dir=out,
                           db=Path(args.duckdb_path) if args.duckdb_path else None)
    print(f"{len(results)} settings replayed; figures in {out / ('backtest_' + results[0]['rule_code'] + '.json')} "
          "and .csv")
    return 0


def _summary(args) -> int:
    from .summary import summarise

    print(summarise(Path(args.duckdb_path) if args.duckdb_path else None))
    return 0


def _clean(args) -> int:
    from generators.dataset import check_replaceable, remove_dataset, remove_warehouse_file

    for folder in args.data:  # check everything before deleting anything
        check_replaceable(Path(folder))
    if args.duckdb_path and remove_warehouse_file(Path(args.duckdb_path)):
        print(f"deleted DuckDB warehouse {args.duckdb_path}")
    for folder in args.data:
        if Path(folder).exists():
            remove_dataset(Path(folder))
            print(f"deleted dataset {folder}")
    return 0


def _generate(args) -> int:
    from generators.generate import generate

    cfg = GenerateConfig(customers=args.customers, days=args.days, start_date=parse_date(args.start_date),
                         seed=args.seed, fmt=args.fmt.lower(), fraud_rate=args.fraud_rate,
                         dirty_rate=args.dirty_rate).validate()
    started = time.perf_counter()
    manifest = generate(cfg, Path(args.out), quiet=args.quiet)
    if not args.quiet:
        counts = manifest["row_counts"]
        print(f"wrote {counts['payment_transactions']:,} transactions, {counts['authentication_logs']:,} "
              f"authentication logs and {counts['fraud_labels']:,} fraud labels for {counts['customers']:,} "
              f"customers to {Path(args.out).resolve()} in {time.perf_counter() - started:.1f}s")
    return 0


def _load(args) -> int:
    from .loader import load_duckdb, load_postgres, load_spark
    from .settings import PostgresSettings
    from .spark import SparkSettings

    target = args.target.lower()
    started = time.perf_counter()
    if target == "duckdb":
        counts = load_duckdb(Path(args.data), Path(args.duckdb_path) if args.duckdb_path else None, quiet=args.quiet)
        where = "DuckDB"
    elif target == "postgres":
        settings = PostgresSettings.from_env()
        counts = load_postgres(Path(args.data), settings, quiet=args.quiet)
        where = f"PostgreSQL {settings.host}:{settings.port}/{settings.dbname}"
    elif target == "spark":
        spark = SparkSettings.from_env()
        counts = load_spark(Path(args.data), spark, quiet=args.quiet)
        where = f"Spark ({spark.master}, catalog in {spark.home})"
    else:
        raise ConfigError(f"--target must be duckdb, postgres or spark, got {args.target!r}")
    if not args.quiet:
        print(f"loaded {sum(counts.values()):,} rows into {len(counts)} raw tables of {where} "
              f"in {time.perf_counter() - started:.1f}s")
    return 0


def _advance(args) -> int:
    from generators.advance import advance

    def line(r):
        if not args.quiet:
            changes = r.changes_text()
            print(f"{r.day}: {r.transactions:,} transactions, {r.auth_logs:,} authentication logs "
                  f"(+{r.late_logs_delivered} late from the day before, {r.late_logs_held} held back); "
                  f"state changes: {changes}")

    advance(Path(args.data), args.days, quiet=True, on_day=line)
    return 0


def _stream(args) -> int:
    from . import streaming

    folder = Path(args.data)
    if args.action == "start":
        streaming.start(folder, args.name or "s", args.rate, args.interval, args.streams, args.late_share)
    elif args.action == "stop":
        streaming.stop(folder, args.name)
    else:
        streaming.run_foreground(folder, args.name or "s", args.rate, args.interval, args.late_share, args.duration)
    return 0


def _simulate(args) -> int:
    import os

    from .simulate import simulate

    target = (args.target or os.environ.get("TIMO_TARGET", "duckdb")).lower()
    simulate(Path(args.data), args.days, target, Path(args.duckdb_path) if args.duckdb_path else None,
             profiles=Path(args.profiles_dir) if args.profiles_dir else None)
    return 0


def _sizes(text: str, option: str, allow_zero: bool = False) -> list[int]:
    """Comma-separated positive counts; with allow_zero, a lone 0 means none."""
    try:
        sizes = [int(s.replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError:
        raise ConfigError(f"{option} must be whole numbers separated by commas, got {text!r}") from None
    if allow_zero and sizes == [0]:
        return []
    if any(s <= 0 for s in sizes):
        raise ConfigError(f"{option} must be positive" + (" (or 0 alone to skip)" if allow_zero else ""))
    return sizes


def _bench(args) -> int:
    if args.suite:
        from benchmarks.benchsuite import run_suite

        duckdb_sizes = _sizes(args.sizes, "--sizes") if args.sizes != "1000000,10000000" else [
            100_000, 1_000_000, 10_000_000]
        run_suite(duckdb_sizes, _sizes(args.postgres_sizes, "--postgres-sizes"),
                  _sizes(args.incremental, "--incremental", allow_zero=True),
                  _sizes(args.incremental_postgres, "--incremental-postgres", allow_zero=True), args.triggers,
                  Path(args.out or "bench/results/bench.json"), Path(args.work), tuning_transactions=args.tuning)
        return 0
    from benchmarks.bench import run_bench

    sizes = _sizes(args.sizes, "--sizes")
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    if not sizes:
        raise ConfigError("--sizes must be positive")
    if any(t not in ("duckdb", "postgres") for t in targets):
        raise ConfigError(f"--targets takes duckdb and/or postgres, got {args.targets!r}")
    run_bench(sizes, Path(args.out or "bench/results/generator.json"), Path(args.work), targets)
    return 0


def _spark_cluster(args) -> int:
    from .spark_cluster import Cluster

    if args.workers < 1 or args.cores < 1:
        raise ConfigError("--workers and --cores must be whole numbers from 1")
    cluster = Cluster.from_settings(workers=args.workers, cores=args.cores, memory=args.memory)
    if args.action == "start":
        cluster.start()
        print(f"Spark cluster up: {cluster.master_url}, {args.workers} workers x {args.cores} core(s); "
              f"master UI http://127.0.0.1:{cluster.webui_port}; logs in {cluster.folder / 'logs'}")
    elif args.action == "stop":
        cluster.stop()
        print("Spark cluster stopped")
    else:
        for name, alive in cluster.running().items():
            print(f"{name}: {'running' if alive else 'stopped'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    from .loader import LoadError

    args = build_parser().parse_args(argv)
    handlers = {"generate": _generate, "load": _load, "bench": _bench, "summary": _summary,
                "advance": _advance, "simulate": _simulate, "clean": _clean, "stream": _stream,
                "spark-cluster": _spark_cluster, "workflow": _workflow, "backtest": _backtest,
                "add": _add}
    try:
        return handlers[args.command](args)
    except (ConfigError, LoadError) as exc:
        print(f"bankgen {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # an unwritable or vanished path met after the checks
        where = f": {exc.filename}" if exc.filename else ""
        print(f"bankgen {args.command}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"bankgen {args.command}: interrupted; nothing was left half-written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
