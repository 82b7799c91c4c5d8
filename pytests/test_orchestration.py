"""The Dagster code location (orchestration/definitions.py), in process and in the UI.

- Daily partitions materialized one after the other: the last day of the dataset builds the
  warehouse, the next two each land a new day, load it and build it incrementally, and a fourth holds
  a stream's intraday batch. Each passes every asset check of error severity, and the marts then
  equal a full refresh of a copy. A backfill of a day range is one run from its first day: a damaged
  day is repaired.
- The sensor asks for a run exactly when the dataset folder holds files the warehouse has not loaded.
- The schedules carry the case study's cadences.
- `dagster definitions validate` passes from the project folder with no flags, and `dagster dev`
  shows the asset graph and the schedules in headless Chromium (screenshots in target/test-artifacts).
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from generators.advance import last_day
from generators.config import GenerateConfig
from generators.generate import generate
from pipeline.loader import load_duckdb

from .browser import browser, free_port, wait_for, wait_until_serving
from .conftest import BIN, ROOT, SMALL, duckdb_fetch, full_refresh_of_a_copy, mart_multisets

ARTEFACTS = ROOT / "target" / "test-artifacts"
DAYS = 15


@pytest.fixture(scope="module")
def location(tmp_path_factory):
    """The code location over a fresh 15-day dataset and its own DuckDB file (environment as the
    `make orchestrate` user would set it)."""
    work = tmp_path_factory.mktemp("orchestration")
    data = work / "data"
    generate(GenerateConfig(fmt="parquet", **{**SMALL, "days": DAYS}), data, quiet=True)
    env = {"TIMO_DATA_DIR": str(data), "TIMO_DUCKDB_PATH": str(work / "warehouse.duckdb"), "TIMO_TARGET": "duckdb",
           "DBT_TARGET_PATH": str(work / "dbt-target")}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        module = importlib.import_module("orchestration.definitions")
        module = importlib.reload(module)  # partitions start at this dataset's first day
        yield module, data, work
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _materialize(module, partition: str, assets=None):
    from dagster import materialize

    result = materialize(assets or [module.raw_landing, module.raw_tables, module.warehouse],
                         partition_key=partition, resources=module.defs.resources, raise_on_error=False)
    assert result.success, [str(e.event_specific_data) for e in result.all_events if e.is_failure][:3]
    return result


def _errors(result) -> list:
    """Checks that failed with ERROR severity (the `monitoring` tests may warn: tag monitoring)."""
    from dagster import AssetCheckSeverity

    return [(e.asset_key.to_user_string(), e.check_name) for e in result.get_asset_check_evaluations()
            if not e.passed and e.severity == AssetCheckSeverity.ERROR]


@pytest.fixture(scope="module")
def materialized(location):
    """The last day of the dataset, two days landed by the assets, then a day written by a stream's
    intraday batch (its partition loads and builds the batch)."""
    from generators.stream import Stream

    module, data, work = location
    first_built = last_day(data)
    results = [_materialize(module, first_built.isoformat())]
    for offset in (1, 2):
        results.append(_materialize(module, (first_built + timedelta(days=offset)).isoformat()))
    streamed = first_built + timedelta(days=3)
    midnight = datetime.combine(streamed, datetime.min.time())
    Stream(data, "t", rate=0.01, started_at=midnight).write_batch(midnight + timedelta(hours=9))
    results.append(_materialize(module, streamed.isoformat()))
    return module, data, work, first_built, results


def test_partitions_land_load_build_and_pass_their_checks(materialized):
    module, data, work, first_built, results = materialized
    assert last_day(data) == first_built + timedelta(days=2)  # two days landed
    with duckdb.connect(os.environ["TIMO_DUCKDB_PATH"], read_only=True) as con:
        (streamed,), = con.execute("select count(*) from marts.fct_transactions "
                                   "where transaction_id >= 1000000000").fetchall()
    assert streamed > 100  # the intraday batch reached the marts
    for result in results:
        evaluations = result.get_asset_check_evaluations()
        assert len(evaluations) > 300  # the dbt tests, one check each
        assert _errors(result) == []
        materialized_keys = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
        assert {"raw_landing", "core_banking/payment_transactions", "marts/fct_risk_alerts",
                "intermediate/int_transactions_classified", "snapshots/snap_accounts"} <= materialized_keys, \
            sorted(materialized_keys)[:20]
    with duckdb.connect(os.environ["TIMO_DUCKDB_PATH"], read_only=True) as con:
        (built_to,), = con.execute("select max(transaction_date) from marts.fct_transactions").fetchall()
    assert built_to == last_day(data) + timedelta(days=1)  # the streamed day


def test_later_partitions_build_only_what_the_day_changes(materialized):
    """The first run builds everything; the next ones use the daily selection (pipeline/daily.py): the
    staging views are not rebuilt, yet their tests still check the new day's rows."""
    *_, results = materialized
    view = "staging/stg_core_banking__transactions"

    def built(result):
        return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}

    def checked(result):
        return {e.asset_key.to_user_string() for e in result.get_asset_check_evaluations()}

    assert view in built(results[0])
    for later in results[1:]:
        assert view not in built(later) and view in checked(later)
        assert "intermediate/int_transactions_validated" in built(later)
    assert len(built(results[1])) < len(built(results[0]))


def test_partition_runs_equal_a_full_refresh(materialized, tmp_path):
    """A full refresh of a copy of the warehouse (the snapshots keep the status history the daily runs
    recorded, as in test_incremental.py) gives the same marts as the partition runs."""
    incremental = mart_multisets(duckdb_fetch(os.environ["TIMO_DUCKDB_PATH"]))
    full = mart_multisets(duckdb_fetch(full_refresh_of_a_copy(Path(os.environ["TIMO_DUCKDB_PATH"]), tmp_path)))
    assert set(incremental) == set(full) and len(full) > 15
    differing = [t for t in full if incremental[t] != full[t]]
    assert not differing, differing


def test_an_earlier_partition_rebuilds_from_its_day(materialized):
    """Backfilling an old day (one partition, or a range: one run from its first day) rebuilds that day
    and the later ones; a damaged day comes back as it was."""
    module, data, *_ = materialized
    day = date.fromisoformat(module.DAILY.get_first_partition_key()) + timedelta(days=5)
    query = f"select count(*), sum(amount_vnd) from marts.fct_transactions where transaction_date = '{day}'"
    path = os.environ["TIMO_DUCKDB_PATH"]
    with duckdb.connect(path) as con:
        before = con.execute(query).fetchall()
        con.execute(f"delete from marts.fct_transactions where transaction_date = '{day}'")
        assert con.execute(query).fetchall() != before
    from dagster import materialize

    # a backfill of a three-day range, as the UI launches it: one run (single-run backfill policy)
    result = materialize([module.warehouse], resources=module.defs.resources, raise_on_error=False,
                         tags={"dagster/asset_partition_range_start": day.isoformat(),
                               "dagster/asset_partition_range_end": (day + timedelta(days=2)).isoformat()})
    assert result.success
    assert _errors(result) == []
    with duckdb.connect(path, read_only=True) as con:
        assert con.execute(query).fetchall() == before


def test_the_sensor_asks_for_a_run_only_when_files_wait(location, tmp_path, monkeypatch):
    from dagster import DagsterInstance, RunRequest, SkipReason, build_sensor_context

    module, *_ = location
    data = tmp_path / "data"  # a dataset and warehouse of its own
    generate(GenerateConfig(fmt="parquet", **{**SMALL, "days": DAYS}), data, quiet=True)
    monkeypatch.setenv("TIMO_DATA_DIR", str(data))
    monkeypatch.setenv("TIMO_DUCKDB_PATH", str(tmp_path / "sensor.duckdb"))
    instance = DagsterInstance.ephemeral()

    def tick(cursor=None):
        context = build_sensor_context(instance=instance, cursor=cursor, definitions=module.defs)
        return module.raw_arrival_sensor(context), context.cursor

    load_duckdb(data, None, quiet=True)
    outcome, _ = tick()
    assert isinstance(outcome, SkipReason) and "every file" in outcome.skip_message
    from generators.advance import advance

    advance(data, 1, quiet=True)  # a new day lands and is not loaded
    outcome, cursor = tick()
    assert isinstance(outcome, RunRequest) and outcome.partition_key == last_day(data).isoformat()
    again, _ = tick(cursor)
    assert isinstance(again, SkipReason)  # the same files ask for one run only
    load_duckdb(data, None, quiet=True)
    outcome, _ = tick(cursor)
    assert isinstance(outcome, SkipReason) and "every file" in outcome.skip_message
    # a stream's batch for the next day: the run is for that day (partitions reach today)
    from generators.stream import Stream

    day = last_day(data) + timedelta(days=1)
    Stream(data, "t", rate=0.01, started_at=datetime.combine(day, datetime.min.time())).write_batch(
        datetime.combine(day, datetime.min.time()) + timedelta(hours=2))
    outcome, _ = tick(cursor)
    assert isinstance(outcome, RunRequest) and outcome.partition_key == day.isoformat()


def test_schedules_carry_the_case_study_cadences(location):
    module, *_ = location
    crons = {s.name: s.cron_schedule for s in module.defs.schedules}
    assert crons == {"every_3_hours_land_transactions": "0 */3 * * *",
                     "every_6_hours_refresh_entities": "0 */6 * * *",
                     "every_12_hours_quality_and_risk": "0 */12 * * *"}
    jobs = {s.name: s.job_name for s in module.defs.schedules}
    assert jobs["every_3_hours_land_transactions"] == "land_transactions"
    sensor = module.defs.sensors[0]
    assert sensor.name == "raw_arrival_sensor" and sensor.job_name == "load_and_build"


def test_definitions_validate_from_the_project_folder_with_no_flags(location, tmp_path):
    done = subprocess.run([str(BIN / "dagster"), "definitions", "validate"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "DAGSTER_HOME": str(tmp_path)}, timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "Validation successful for code location timo_bank" in done.stdout + done.stderr


def test_dagster_dev_shows_the_asset_graph_and_the_schedules(location, tmp_path):
    """`dagster dev` from the project folder with no target flags (pyproject's [tool.dagster]), as
    `make orchestrate` starts it."""
    from selenium.webdriver.common.by import By

    port = free_port()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTEFACTS / "dagster-dev.log"
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")  # as make orchestrate does
    with log.open("w") as out:
        server = subprocess.Popen([str(BIN / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(port)], cwd=ROOT,
                                  stdout=out, stderr=subprocess.STDOUT,
                                  env={**os.environ, "DAGSTER_HOME": str(home)}, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    driver = None
    try:
        wait_until_serving(f"{url}/server_info", server, log, timeout=180)
        driver = browser()
        driver.get(f"{url}/asset-groups")
        groups = ("Global asset lineage", "raw", "seeds", "snapshots", "staging", "intermediate", "quarantine",
                  "marts")
        wait_for(driver, lambda: all(g in driver.find_element(By.TAG_NAME, "body").text.split("\n") for g in groups),
                 "the asset graph with one group per layer", timeout=120)
        for button in driver.find_elements(By.XPATH, "//button[normalize-space()='Skip']"):
            button.click()  # the UI's newsletter prompt, in front of the graph
        time.sleep(2)
        driver.save_screenshot(str(ARTEFACTS / "dagster-assets.png"))
        driver.get(f"{url}/automation")
        names = ("every_3_hours_land_transactions", "every_6_hours_refresh_entities",
                 "every_12_hours_quality_and_risk", "raw_arrival_sensor")
        wait_for(driver, lambda: all(n in driver.find_element(By.TAG_NAME, "body").text for n in names),
                 "the schedules and the sensor", timeout=120)
        driver.save_screenshot(str(ARTEFACTS / "dagster-automation.png"))
    finally:
        if driver is not None:
            driver.quit()
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
