"""Backtesting a rule's thresholds on the built history, before switching a change on.

`bankgen backtest --rule structuring --set structuring_min_count=2,3,4` replays the warehouse's
history under each setting (every combination of the --set values) and reports, per setting, what the
fraud team would have seen: the rule's alerts, the cases of its typology, event recall and case
precision against the labels, and precision against the analysts' outcomes (the case workflow).

The production warehouse is never touched. On DuckDB the warehouse file is copied, while a read-only
connection keeps writers out, to a scratch file in the output folder; each setting rebuilds, with a
full refresh, everything from the feature models (models/intermediate/features) down, with the
setting as dbt vars, and the figures are read from the scratch file. The scratch file is deleted at
the end. The figures go to backtest_<rule>.json and .csv in the output folder ($TIMO_BACKTEST_DIR,
default warehouse/backtest), which the dashboard's Backtest page plots.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import os
import shutil
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

import yaml

from generators.reference import PROJECT_ROOT

from .settings import SettingsError, dbt_command, duckdb_path

DEFAULT_BACKTEST_DIR = "warehouse/backtest"
MAX_SETTINGS = 50
SKIP = ["--exclude", "resource_type:test", "resource_type:unit_test", "resource_type:snapshot", "--full-refresh"]
FIELDS = ("rule_code", "setting", "is_current", "alerts", "cases", "planted_events", "found_events", "event_recall",
          "true_cases", "case_precision", "cases_with_outcome", "confirmed_fraud", "false_positive",
          "analyst_precision", "cases_per_1000_transactions", "seconds")


class BacktestError(SettingsError):
    """Bad input to a backtest: one line, exit status 2."""


def backtest_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    path = Path(env.get("TIMO_BACKTEST_DIR") or DEFAULT_BACKTEST_DIR)
    return path if path.is_absolute() else PROJECT_ROOT / path


def project_vars() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())["vars"]


def rules() -> dict[str, dict]:
    """The risk rules (seeds/risk_rules.csv) by rule_code."""
    with (PROJECT_ROOT / "seeds" / "risk_rules.csv").open() as handle:
        return {row["rule_code"]: row for row in csv.DictReader(handle)}


def readers(names) -> list[str]:
    """The models whose SQL reads any of these vars (directly or through a macro that reads it): what a
    replay rebuilds, with everything downstream of them."""
    macros = {path.stem: path.read_text() for path in (PROJECT_ROOT / "macros").glob("*.sql")}
    found = set()
    for path in (PROJECT_ROOT / "models").rglob("*.sql"):
        text = path.read_text()
        for name in names:
            spelled = (f"var('{name}'", f'var("{name}"')
            if any(s in text for s in spelled):
                found.add(path.stem)
            elif any(s in body for body in macros.values() for s in spelled):
                found.add("path:models/intermediate")  # a macro reads it: replay from the intermediates
    return sorted(found)


def _number(text: str, name: str):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            raise BacktestError(f"--set {name}: {text!r} is not a number") from None


def parse_settings(rule: str, sets: list[str]) -> tuple[dict, list[dict]]:
    """The rule's row and every combination of the --set values, each a {var: value} mapping."""
    known = rules()
    by_id = {row["rule_id"]: row for row in known.values()}
    row = known.get(rule) or by_id.get(rule.upper())
    if row is None:
        raise BacktestError(f"--rule {rule!r} is not a rule of seeds/risk_rules.csv "
                            f"(one of {', '.join(sorted(known))})")
    if not sets:
        default = row["threshold_var"] or "a threshold var"
        raise BacktestError(f"give at least one --set, for example --set {default}=v1,v2,v3")
    variables = project_vars()
    grid: dict[str, list] = {}
    for item in sets:
        name, sep, values = item.partition("=")
        name = name.strip()
        if not sep or not values.strip():
            raise BacktestError(f"--set {item!r}: expected name=value[,value...]")
        if name not in variables or isinstance(variables[name], str):
            raise BacktestError(f"--set {name}: not a numeric var of dbt_project.yml")
        if name in grid:
            raise BacktestError(f"--set {name} is given twice")
        grid[name] = [_number(v.strip(), name) for v in values.split(",")]
    if not readers(grid):
        raise BacktestError(f"no model reads {', '.join(grid)}: nothing would change")
    combinations = [dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())]
    if len(combinations) > MAX_SETTINGS:
        raise BacktestError(f"{len(combinations)} settings: at most {MAX_SETTINGS} in one backtest")
    return row, combinations


METRICS_SQL = """
    with alerts as (
        select count(*) as n from marts.fct_risk_alerts where rule_code = '{rule}'
    ),
    labels as (
        select * from marts.eval_case_detection_quality where typology = '{typology}'
    ),
    outcomes as (
        select
            count(case when outcome is not null then 1 end) as with_outcome,
            count(case when outcome = 'confirmed_fraud' then 1 end) as confirmed,
            count(case when outcome = 'false_positive' then 1 end) as false_positive
        from marts.fct_case_workflow where typology = '{typology}'
    ),
    volume as (select count(*) as n from marts.fct_transactions)
    select alerts.n, coalesce(labels.cases, 0), labels.planted_events, labels.found_events, labels.event_recall,
           labels.true_cases, labels.case_precision, outcomes.with_outcome, outcomes.confirmed,
           outcomes.false_positive, volume.n
    from alerts cross join outcomes cross join volume left join labels on true
"""


def metrics(fetch, rule: dict) -> dict:
    """The figures of one setting, from a built warehouse; `fetch(sql)` returns rows."""
    typology = rule["typology"] or rule["rule_code"]
    (row,) = fetch(METRICS_SQL.format(rule=rule["rule_code"], typology=typology))
    alerts, cases, planted, found, recall, true_cases, precision, with_outcome, confirmed, fp, volume = row
    judged = (confirmed or 0) + (fp or 0)
    return {"alerts": int(alerts), "cases": int(cases), "planted_events": _int(planted),
            "found_events": _int(found), "event_recall": _float(recall), "true_cases": _int(true_cases),
            "case_precision": _float(precision), "cases_with_outcome": int(with_outcome or 0),
            "confirmed_fraud": int(confirmed or 0), "false_positive": int(fp or 0),
            "analyst_precision": (confirmed / judged) if judged else None,
            "cases_per_1000_transactions": 1000 * int(cases) / int(volume) if volume else None}


def _int(value):
    return None if value is None else int(value)


def _float(value):
    return None if value is None else round(float(value), 6)


def _copy_warehouse(source: Path, scratch: Path) -> None:
    """A consistent copy: a read-only connection is held while the file is copied, so no build can
    write to it meanwhile (a running build makes the backtest wait, then fail with a message)."""
    from .loader import connect_duckdb

    if not source.is_file():
        raise BacktestError(f"no warehouse at {source}: build it first (make run)")
    con = connect_duckdb(source, read_only=True)
    try:
        tables = con.execute("select count(*) from information_schema.tables where table_schema = 'marts' "
                             "and table_name = 'fct_case_workflow'").fetchone()[0]
        if not tables:
            raise BacktestError(f"{source} has no built marts (marts.fct_case_workflow): run dbt build first")
        shutil.copyfile(source, scratch)
    finally:
        con.close()


def run_backtest(rule_name: str, sets: list[str], out_dir: Path | None = None, db: Path | None = None,
                 quiet: bool = False) -> list[dict]:
    """Every setting's figures (see the module's text); writes backtest_<rule>.json and .csv."""
    import duckdb

    rule, settings = parse_settings(rule_name, sets)
    out_dir = Path(out_dir) if out_dir else backtest_dir()
    source = Path(db) if db else duckdb_path()
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = out_dir / f".scratch-{os.getpid()}.duckdb"
    current = project_vars()
    results = []
    try:
        _copy_warehouse(source, scratch)
        for number, setting in enumerate(settings, 1):
            started = time.perf_counter()
            env = {**os.environ, "TIMO_DUCKDB_PATH": str(scratch), "DBT_LOG_PATH": str(out_dir / "logs")}
            selection = ["--select", *(f"{name}+" for name in readers(setting))]
            command = dbt_command("build", *selection, *SKIP, "--vars", json.dumps(setting), "--quiet", target="duckdb",
                                  target_path=out_dir / "target")
            done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or ["dbt failed"]
                raise BacktestError(f"setting {setting}: the replay failed: {tail[0][:300]}")
            with duckdb.connect(str(scratch), read_only=True) as con:
                figures = metrics(lambda sql, con=con: con.execute(sql).fetchall(), rule)
            results.append({"rule_code": rule["rule_code"], "setting": setting,
                            "is_current": all(current.get(k) == v for k, v in setting.items()), **figures,
                            "seconds": round(time.perf_counter() - started, 1)})
            if not quiet:
                shown = ", ".join(f"{k}={v}" for k, v in setting.items())
                print(f"[{number}/{len(settings)}] {shown}: {figures['alerts']:,} alerts, {figures['cases']:,} cases, "
                      f"recall {_pct(figures['event_recall'])}, precision {_pct(figures['case_precision'])} "
                      f"(labels), {_pct(figures['analyst_precision'])} (analysts, "
                      f"{figures['cases_with_outcome']} judged) in {results[-1]['seconds']} s", flush=True)
    finally:
        for path in (scratch, Path(str(scratch) + ".wal")):
            path.unlink(missing_ok=True)
    _write(results, rule, out_dir, source)
    return results


def _pct(value) -> str:
    return "–" if value is None else f"{value:.1%}"


def _write(results: list[dict], rule: dict, out_dir: Path, source: Path) -> None:
    name = f"backtest_{rule['rule_code']}"
    document = {"rule_code": rule["rule_code"], "rule_id": rule["rule_id"], "typology": rule["typology"] or None,
                "warehouse": str(source), "written_at": dt.datetime.now().isoformat(timespec="seconds"),
                "results": results}
    for suffix, write in ((".json", lambda h: json.dump(document, h, indent=2)), (".csv", lambda h: _csv(results, h))):
        temporary = out_dir / f".{name}{suffix}.tmp"
        with temporary.open("w", newline="") as handle:
            write(handle)
        os.replace(temporary, out_dir / f"{name}{suffix}")


def _csv(results: list[dict], handle) -> None:
    writer = csv.DictWriter(handle, fieldnames=FIELDS)
    writer.writeheader()
    for row in results:
        writer.writerow({**row, "setting": ";".join(f"{k}={v}" for k, v in row["setting"].items())})


def read_results(out_dir: Path | None = None) -> list[dict]:
    """Every rule's latest backtest in the folder (for the dashboard)."""
    folder = Path(out_dir) if out_dir else backtest_dir()
    documents = []
    for path in sorted(folder.glob("backtest_*.json")):
        try:
            documents.append(json.loads(path.read_text()))
        except (OSError, json.JSONDecodeError):
            continue
    return documents
