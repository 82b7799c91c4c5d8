"""The Dagster code location: the case study's schedules over this project's assets.

Assets, upstream to downstream:

- `raw_landing` (daily partitions): the dataset folder holds the partition's day. A missing dataset is
  generated up to that day; a dataset that ends earlier is advanced to it (`bankgen advance`).
- the raw tables (one asset per dbt source in schema `raw`): the dataset loaded into the warehouse
  (`bankgen load`, one transaction).
- every dbt seed, snapshot and model (`@dbt_assets`, from the manifest), with the dbt tests as asset
  checks. A run for a partition range rebuilds from the range's first day (`rebuild_from_day`,
  macros/incremental.sql) and every later day the warehouse holds, as the incremental models always do.

Automation (the case study's cadences; all can be launched by hand from the UI):

- every 3 hours, `land_transactions`: the next simulated day's transactions, authentication logs and
  status changes land in the dataset folder;
- when the folder holds files the warehouse has not loaded, `raw_arrival_sensor` loads and builds;
- every 6 hours, `refresh_entities`: snapshots, point-in-time states and the customer, account and
  device dimensions;
- every 12 hours, `quality_and_risk`: the data-quality, risk and compliance marts with their tests.

Settings come from the environment, as everywhere else (pipeline/settings.py): TIMO_TARGET,
TIMO_DATA_DIR, TIMO_DUCKDB_PATH, PG*.
"""


import fcntl
import json
import subprocess
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    AssetSpec,
    BackfillPolicy,
    DailyPartitionsDefinition,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    MaterializeResult,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SkipReason,
    asset,
    define_asset_job,
    multi_asset,
    schedule,
    sensor,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, build_dbt_asset_selection, dbt_assets

from generators.advance import advance, last_day
from generators.config import DEFAULT_START, GenerateConfig
from generators.dataset import MANIFEST, file_day
from generators.generate import generate
from generators.stream import stream_files
from pipeline.daily import build_args, remember, warehouse_key
from pipeline.landing import WarehouseUnavailable, dataset_fingerprint, unloaded_files
from pipeline.loader import load_duckdb, load_postgres
from pipeline.settings import (
    PROJECT_ROOT,
    PostgresSettings,
    data_dir,
    dbt_command,
    dbt_executable,
    duckdb_path,
    profiles_dir,
    target_name,
)

TARGET_PATH = PROJECT_ROOT / "target" / "dagster"
PARSED_FROM = ("dbt_project.yml", "models", "macros", "seeds", "snapshots", "tests", "analyses")

# The case study's cadences (Timo: customers/accounts/devices every 6 h, transactions with their
# authentication logs every 3 h, data-quality checks and risk monitoring every 12 h).
CRON = {"land_transactions": "0 */3 * * *", "refresh_entities": "0 */6 * * *", "quality_and_risk": "0 */12 * * *"}


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in PARSED_FROM:
        path = PROJECT_ROOT / name
        files = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file())
        for p in files:
            newest = max(newest, p.stat().st_mtime)
    return newest


def prepared_manifest() -> Path:
    """The manifest @dbt_assets reads, parsed again whenever a project file is newer than it (a lock
    keeps two code servers from parsing at once)."""
    manifest = TARGET_PATH / "manifest.json"
    TARGET_PATH.mkdir(parents=True, exist_ok=True)
    with open(TARGET_PATH / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime():
            done = subprocess.run(dbt_command("parse", "--quiet", target=target_name(), target_path=TARGET_PATH),
                                  cwd=PROJECT_ROOT, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"dbt parse failed: {(done.stdout + done.stderr).strip()[-2000:]}")
    return manifest


def first_day(folder: Path | None = None) -> date:
    """The dataset's first day (its manifest), or the generator's default start when there is none."""
    manifest = (folder or data_dir()) / MANIFEST
    if manifest.exists():
        return date.fromisoformat(json.loads(manifest.read_text())["config"]["start_date"])
    return DEFAULT_START


MANIFEST_PATH = prepared_manifest()
DBT_PROJECT = DbtProject(project_dir=PROJECT_ROOT, target_path=TARGET_PATH, profiles_dir=profiles_dir(),
                         target=target_name())
# to today: streams (bankgen stream) write today's batches, and the sensor builds them as they land
DAILY = DailyPartitionsDefinition(start_date=first_day().isoformat(), end_offset=1)
RAW_SOURCES = sorted((props["source_name"], props["name"]) for props in
                     json.loads(MANIFEST_PATH.read_text())["sources"].values() if props["schema"] == "raw")


class Translator(DagsterDbtTranslator):
    """Assets grouped by layer (staging, intermediate, marts, ...), as the models folder is."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        kind = dbt_resource_props["resource_type"]
        if kind in ("seed", "snapshot"):
            return f"{kind}s"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


@asset(partitions_def=DAILY, group_name="raw", kinds={"python"}, backfill_policy=BackfillPolicy.single_run(),
       description="The dataset folder holds the partition's day: generated if missing, advanced if it ends earlier.")
def raw_landing(context: AssetExecutionContext) -> MaterializeResult:
    day = date.fromisoformat(context.partition_key_range.end)
    folder = data_dir()
    if not (folder / MANIFEST).exists():
        start = first_day(folder)
        context.log.info(f"no dataset in {folder}: generating {start} to {day}")
        generate(GenerateConfig(start_date=start, days=(day - start).days + 1), folder, quiet=True)
    elif stream_files(folder, day):
        context.log.info(f"{day} is written by streams (bankgen stream): its batches are the landing")
    elif day > last_day(folder):
        missing = (day - last_day(folder)).days
        context.log.info(f"advancing {folder} by {missing} day(s) to {day}")
        for result in advance(folder, missing, quiet=True):
            context.log.info(f"{result.day}: +{result.transactions:,} transactions, +{result.auth_logs:,} logs")
    return MaterializeResult(metadata={"dataset": str(folder), "last_day": last_day(folder).isoformat()})


@multi_asset(
    partitions_def=DAILY,
    backfill_policy=BackfillPolicy.single_run(),
    specs=[AssetSpec(AssetKey([source, table]), deps=[raw_landing], group_name="raw", kinds={"duckdb", "postgres"},
                     description=f"raw.{table}, loaded from the dataset folder") for source, table in RAW_SOURCES],
)
def raw_tables(context: AssetExecutionContext):
    """Load the dataset into the warehouse's raw schema (every table, one transaction)."""
    folder = data_dir()
    if target_name() == "duckdb":
        counts = load_duckdb(folder, duckdb_path(), quiet=True)
    else:
        counts = load_postgres(folder, PostgresSettings.from_env(), quiet=True)
    for source, table in RAW_SOURCES:
        yield MaterializeResult(asset_key=AssetKey([source, table]), metadata={"rows": counts.get(table, 0)})


@dbt_assets(manifest=MANIFEST_PATH, project=DBT_PROJECT, partitions_def=DAILY, name="warehouse",
            backfill_policy=BackfillPolicy.single_run(), dagster_dbt_translator=Translator())
def warehouse(context: AssetExecutionContext, dbt: DbtCliResource):
    """`dbt build` of the selected models, seeds and snapshots, rebuilding from the first day of the
    partition range. A run of the whole warehouse (the sensor's `load_and_build`) builds only what the
    day changes once this warehouse has a build that passed (pipeline/daily.py): the daily selection
    against that build's state, every data test included. Its own manifest then becomes the state."""
    rebuild_from = context.partition_key_range.start
    args = ["build", "--vars", json.dumps({"rebuild_from_day": rebuild_from})]
    whole = set(context.selected_asset_keys) == set(context.assets_def.keys)
    if whole:
        daily = build_args(TARGET_PATH, warehouse_key(target_name()), target_name())
        args += daily[1:]
        context.log.info("daily selection: " + (" ".join(daily[1:]) if len(daily) > 1 else
                                                "none yet (no passing build of this warehouse): a full build"))
    invocation = dbt.cli(args, context=context)
    yield from invocation.stream()
    if whole and invocation.is_successful():
        remember(invocation.target_path, target_name(), state_root=TARGET_PATH)


ENTITY_MODELS = "+dim_customers +dim_accounts +dim_devices +dim_account_status_history"
QUALITY_AND_RISK = "marts.quality marts.risk marts.compliance"

land_transactions_job = define_asset_job("land_transactions", selection=AssetSelection.assets(raw_landing),
                                         partitions_def=DAILY,
                                         description="The next day's transactions and authentication logs land.")
load_and_build_job = define_asset_job(
    "load_and_build", selection=AssetSelection.assets(raw_tables) | build_dbt_asset_selection([warehouse]),
    partitions_def=DAILY, description="Load the dataset and build every model, snapshot and test.")
refresh_entities_job = define_asset_job(
    "refresh_entities", selection=build_dbt_asset_selection([warehouse], dbt_select=ENTITY_MODELS),
    partitions_def=DAILY,
    description="Snapshots, point-in-time states and the customer, account and device dimensions.")
quality_and_risk_job = define_asset_job(
    "quality_and_risk", selection=build_dbt_asset_selection([warehouse], dbt_select=QUALITY_AND_RISK),
    partitions_def=DAILY, description="Data-quality, risk and compliance marts and their tests.")


def _last_day_key() -> str | None:
    folder = data_dir()
    return last_day(folder).isoformat() if (folder / MANIFEST).exists() else None


@schedule(cron_schedule=CRON["land_transactions"], job=land_transactions_job,
          default_status=DefaultScheduleStatus.STOPPED)
def every_3_hours_land_transactions(context: ScheduleEvaluationContext):
    """The day after the dataset's last day (the raw_arrival_sensor then loads and builds it)."""
    last = _last_day_key()
    day = (date.today() - timedelta(days=1)).isoformat() if last is None else DAILY.get_next_partition_key(last)
    if day is None or date.fromisoformat(day) >= date.today():
        return SkipReason("the dataset already reaches yesterday: no complete day is left to simulate")
    if stream_files(data_dir(), date.fromisoformat(day)):
        return SkipReason(f"{day} holds streamed batches: streams, not whole days, continue this dataset")
    return RunRequest(run_key=f"land-{day}", partition_key=day)


def _on_last_day(prefix: str):
    def evaluate(context: ScheduleEvaluationContext):
        last = _last_day_key()
        if last is None:
            return SkipReason(f"no dataset in {data_dir()} yet")
        return RunRequest(run_key=f"{prefix}-{context.scheduled_execution_time:%Y%m%d%H%M}", partition_key=last)
    return evaluate


every_6_hours_refresh_entities = schedule(
    cron_schedule=CRON["refresh_entities"], job=refresh_entities_job, name="every_6_hours_refresh_entities",
    default_status=DefaultScheduleStatus.STOPPED)(_on_last_day("entities"))
every_12_hours_quality_and_risk = schedule(
    cron_schedule=CRON["quality_and_risk"], job=quality_and_risk_job, name="every_12_hours_quality_and_risk",
    default_status=DefaultScheduleStatus.STOPPED)(_on_last_day("quality"))


@sensor(job=load_and_build_job, minimum_interval_seconds=30, default_status=DefaultSensorStatus.STOPPED)
def raw_arrival_sensor(context: SensorEvaluationContext):
    """A run when the dataset folder holds files that the warehouse has not loaded (new days, late
    logs, restated days), once per set of files."""
    folder = data_dir()
    if not (folder / MANIFEST).exists():
        return SkipReason(f"no dataset in {folder} yet")
    try:
        waiting = unloaded_files(folder, target_name())
    except WarehouseUnavailable as exc:
        return SkipReason(f"the warehouse cannot be read now ({exc}); trying again at the next tick")
    if not waiting:
        return SkipReason("every file in the dataset folder is loaded")
    fingerprint = dataset_fingerprint(folder)
    if fingerprint == context.cursor:
        return SkipReason("a run for these files was already requested")
    context.update_cursor(fingerprint)
    # the newest day among the waiting files (a stream's today), else the dataset's last day
    days = [d for d in (file_day(Path(name)) for name in waiting) if d]
    partition = max(days) if days else last_day(folder).isoformat()
    return RunRequest(run_key=fingerprint, partition_key=partition, tags={"files_waiting": str(len(waiting))})


defs = Definitions(
    assets=[raw_landing, raw_tables, warehouse],
    jobs=[land_transactions_job, load_and_build_job, refresh_entities_job, quality_and_risk_job],
    schedules=[every_3_hours_land_transactions, every_6_hours_refresh_entities, every_12_hours_quality_and_risk],
    sensors=[raw_arrival_sensor],
    resources={"dbt": DbtCliResource(project_dir=DBT_PROJECT, profiles_dir=str(profiles_dir()), target=target_name(),
                                     dbt_executable=dbt_executable())},
)
