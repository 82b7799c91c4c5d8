"""Continue a generated dataset day by day: `bankgen advance --data DIR --days K`.

Each new day:
1. the day's transactions, authentication attempts and fraud events are simulated from the state
   the day starts with (statuses as the files hold them, ids continuing the manifest's);
2. the state tables change during the day, each change stamped with its `updated_at`: accounts
   frozen, unfrozen or closed, customers suspended or reinstated, devices blocked or confirmed as
   trusted; the bank also freezes some accounts caught forwarding mule money;
3. a small share of the day's authentication attempts reaches the bank late: they are written with
   the next day's files (`authentication_logs/<next day>.late.<fmt>`), so the warehouse sees them one
   day after their own date. Attempts held back at the last advanced day wait in `_pending/` for the
   next advance.

Everything is deterministic for the dataset's seed and the day's position: advancing 3 days once
gives the same files as advancing 1 day three times. New files are written under temporary names
and renamed into place; the manifest is rewritten last. Dirty rows (`--dirty-rate`) are planted by
`generate` only: advanced days are clean.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
from tqdm import tqdm

from .activity import DeviceSwitch, day_start_seconds
from .batch import SCENARIOS
from .config import ConfigError, GenerateConfig, check_day_range, config_from_manifest, manifest_last_day
from .dataset import MANIFEST, PENDING, clean_stale_temp, parse_manifest
from .day import simulate_day
from .ledger import balances_from, close_balances
from .population import SECONDS_PER_DAY, build_population, make_pools, new_devices_table
from .reference import load_reference
from .scenarios import (
    DORMANT_FIRST_DAY,
    EVENT_SIZE,
    DeviceRegistry,
    Plan,
    _eligible,
    dormant_too_short,
    plan_scenarios,
)
from .schema import TABLES
from .stream import stream_files
from .writers import read_table, write_table

MAX_DAYS = 3_660
LATE_LOG_SHARE = 0.004        # of a day's attempts, delivered with the next day's files
# daily probabilities of a state change
P_FREEZE, P_UNFREEZE, P_CLOSE = 0.0008, 0.06, 0.0001
P_SUSPEND, P_REINSTATE = 0.0003, 0.04
P_BLOCK_DEVICE, P_TRUST_DEVICE = 0.0004, 0.03
P_FREEZE_MULE = 0.5


@dataclass
class AdvanceResult:
    day: date
    transactions: int
    auth_logs: int
    late_logs_delivered: int
    late_logs_held: int
    state_changes: dict[str, int]

    def changes_text(self) -> str:
        return ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in self.state_changes.items() if v) or "none"


def _read_manifest(data_dir: Path) -> dict:
    if not data_dir.is_dir():
        raise ConfigError(f"data folder {data_dir} does not exist" if not data_dir.exists()
                          else f"{data_dir} is a file, not a dataset folder")
    manifest = parse_manifest(data_dir)
    path = data_dir / MANIFEST
    for key in ("config", "next_ids", "row_counts", "scenario_events", "labelled_transactions"):
        if not isinstance(manifest.get(key), dict):
            raise ConfigError(f"{path} lacks its {key!r} section: regenerate the dataset with `bankgen generate`")
    return manifest


def _day_index(cfg: GenerateConfig, day: date) -> int:
    return (day - cfg.start_date).days


def _stamp(rng, day_start: int, n: int) -> np.ndarray:
    return day_start + rng.integers(60, SECONDS_PER_DAY - 60, n)


def _change(table: pa.Table, column: str, rows: np.ndarray, values, stamps: np.ndarray) -> pa.Table:
    """Set `column` (and updated_at) on the given row positions."""
    if len(rows) == 0:
        return table
    col = table.column(column).to_numpy(zero_copy_only=False).copy()
    col[rows] = values
    upd = table.column("updated_at").cast(pa.int64()).to_numpy(zero_copy_only=False).copy()
    upd[rows] = stamps * 1_000_000  # microseconds
    table = table.set_column(table.schema.get_field_index(column), column,
                             pa.array(col, type=table.schema.field(column).type))
    return table.set_column(table.schema.get_field_index("updated_at"), "updated_at",
                            pa.array(upd, type=pa.int64()).cast(table.schema.field("updated_at").type))


def _positions(table: pa.Table, key: str, ids: np.ndarray) -> np.ndarray:
    """Row positions of the first row of each id (dirty copies keep their own values)."""
    keys = table.column(key).to_numpy(zero_copy_only=False)
    unique, first = np.unique(keys, return_index=True)
    ids = np.asarray(ids, dtype=keys.dtype)
    at = np.searchsorted(unique, ids).clip(0, max(len(unique) - 1, 0))
    found = (len(unique) > 0) & (unique[at] == ids) if len(unique) else np.zeros(len(ids), bool)
    return first[at[found]].astype(np.int64)


class _State:
    """The state tables as the files hold them, and the population lookups kept in step."""

    def __init__(self, data_dir: Path, fmt: str, pop):
        self.fmt = fmt
        self.tables = {name: read_table(data_dir / f"{name}.{fmt}", fmt, TABLES[name].arrow_schema)
                       for name in ("customers", "bank_accounts", "devices")}
        self.pop = pop
        self.sync_lookups()
        balances_from(self.tables["bank_accounts"], pop.account_balance)  # the day starts from the core's balance

    def _column(self, name: str, column: str) -> np.ndarray:
        return np.asarray(self.tables[name].column(column).to_pylist(), dtype=object)

    def change_day(self, rng, day_start: int, mule_accounts: np.ndarray) -> dict[str, int]:
        counts: Counter[str] = Counter()
        accounts = self.tables["bank_accounts"]
        status = self._column("bank_accounts", "status")
        draw = rng.random(len(status))
        freeze = np.flatnonzero((status == "active") & (draw < P_FREEZE))
        close = np.flatnonzero((status == "active") & (draw >= P_FREEZE) & (draw < P_FREEZE + P_CLOSE))
        unfreeze = np.flatnonzero((status == "frozen") & (draw < P_UNFREEZE))
        mules = _positions(accounts, "account_id", mule_accounts[rng.random(len(mule_accounts)) < P_FREEZE_MULE])
        mules = mules[status[mules] == "active"] if len(mules) else mules
        freeze = np.union1d(freeze, mules)
        for rows, value, label in ((freeze, "frozen", "accounts_frozen"), (close, "closed", "accounts_closed"),
                                   (unfreeze, "active", "accounts_unfrozen")):
            accounts = _change(accounts, "status", rows, value, _stamp(rng, day_start, len(rows)))
            counts[label] += len(rows)
        self.tables["bank_accounts"] = accounts

        customers = self.tables["customers"]
        status = self._column("customers", "status")
        draw = rng.random(len(status))
        suspend = np.flatnonzero((status == "active") & (draw < P_SUSPEND))
        reinstate = np.flatnonzero((status == "suspended") & (draw < P_REINSTATE))
        for rows, value, label in ((suspend, "suspended", "customers_suspended"),
                                   (reinstate, "active", "customers_reinstated")):
            customers = _change(customers, "status", rows, value, _stamp(rng, day_start, len(rows)))
            counts[label] += len(rows)
        self.tables["customers"] = customers

        devices = self.tables["devices"]
        status = self._column("devices", "status")
        trusted = np.asarray(devices.column("is_trusted").to_pylist(), dtype=object)
        draw = rng.random(len(status))
        block = np.flatnonzero((status == "active") & (draw < P_BLOCK_DEVICE))
        trust = np.flatnonzero((status == "active") & (trusted == False) & (draw >= 1 - P_TRUST_DEVICE))  # noqa: E712
        devices = _change(devices, "status", block, "blocked", _stamp(rng, day_start, len(block)))
        devices = _change(devices, "is_trusted", trust, True, _stamp(rng, day_start, len(trust)))
        counts["devices_blocked"] += len(block)
        counts["devices_trusted"] += len(trust)
        self.tables["devices"] = devices
        return dict(counts)

    def add_devices(self, registry: DeviceRegistry, rng) -> None:
        """Devices registered today (account takeovers) join the devices table."""
        extra = registry.rows
        if extra["device_id"]:
            new = new_devices_table(extra["device_id"], extra["customer"], np.zeros(len(extra["device_id"]), int),
                                    extra["first_seen"], extra["trusted"], rng)
            self.tables["devices"] = pa.concat_tables([self.tables["devices"], new])
        for values in extra.values():
            values.clear()

    def sync_lookups(self) -> None:
        """The population's status lookups follow the tables (statuses changed today hold tomorrow)."""
        customers = self.tables["customers"]
        ids = customers.column("customer_id").to_numpy(zero_copy_only=False)
        status = self._column("customers", "status")
        ok = (ids >= 1) & (ids <= self.pop.n_customers)
        self.pop.customer_active[ids[ok] - 1] = status[ok] == "active"
        accounts = self.tables["bank_accounts"]
        aids = accounts.column("account_id").to_numpy(zero_copy_only=False)
        astatus = self._column("bank_accounts", "status")
        ok = (aids >= 0) & (aids < len(self.pop.account_active))
        self.pop.account_active[aids[ok]] = astatus[ok] == "active"


def _plan_day(rng, cfg: GenerateConfig, pop, next_event_id: int, reactivated: set[int],
              index: int) -> tuple[Plan, int]:
    """Fraud events of one advanced day: a Poisson number per typology at the dataset's fraud rate."""
    plan = Plan()
    expected = float(pop.activity_rate.sum()) * 0.97
    lam = cfg.fraud_rate * expected / sum(EVENT_SIZE.values()) if cfg.fraud_rate > 0 else 0.0
    eligible = _eligible(pop)
    if len(eligible) == 0:
        eligible = np.arange(pop.n_customers)
    for scenario in SCENARIOS:
        count = int(rng.poisson(lam))
        if scenario == "dormant_reactivation":
            pool = np.array([c for c in pop.dormant_customers.tolist() if c not in reactivated], dtype=np.int64)
            actors = rng.permutation(pool)[:count]
            if index < DORMANT_FIRST_DAY:  # too soon after the start of the data to look dormant
                actors = actors[:0]
            reactivated.update(actors.tolist())
        else:
            actors = eligible[rng.integers(0, len(eligible), count)]
        plan.counts[scenario] = len(actors)
        for actor in actors.tolist():
            plan.events.setdefault(0, []).append((scenario, next_event_id, actor))
            next_event_id += 1
    return plan, next_event_id


def _write(table: pa.Table, path: Path, fmt: str, staged: list[tuple[Path, Path]]) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    write_table(table, tmp, fmt)
    staged.append((tmp, path))


def advance(data_dir: Path, days: int, quiet: bool = False, on_day=None) -> list[AdvanceResult]:
    """Append `days` new days to the dataset in `data_dir`; returns one result per day.

    Nothing is half-written: new files are staged under temporary names and moved into place only
    when every day is complete; on any error or Ctrl-C the staged files are removed."""
    staged: list[tuple[Path, Path]] = []
    try:
        return _advance(Path(data_dir), days, quiet, on_day, staged)
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise


def _advance(data_dir: Path, days: int, quiet: bool, on_day, staged: list[tuple[Path, Path]]) -> list[AdvanceResult]:
    data_dir = Path(data_dir)
    if not 0 < days <= MAX_DAYS:
        raise ConfigError(f"--days must be a whole number from 1 to {MAX_DAYS}, got {days}")
    manifest = _read_manifest(data_dir)
    cfg = config_from_manifest(manifest)
    state_info = manifest.setdefault("advance", {"days": 0, "reactivated": [], "next_event_id": None,
                                                 "late_logs": 0})
    first_day = cfg.start_date + timedelta(days=cfg.days + state_info["days"])
    last_day = first_day + timedelta(days=days - 1)
    check_day_range(first_day, last_day, f"advancing {days} day(s) from {first_day}")
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        if stream_files(data_dir, day):
            raise ConfigError(f"{day} already holds streamed batches (bankgen stream): advance writes whole days only "
                              "after the last day that streams wrote")
    for name in ("customers", "bank_accounts", "devices"):
        if not (data_dir / f"{name}.{cfg.fmt}").is_file():
            raise ConfigError(f"{data_dir / f'{name}.{cfg.fmt}'}: missing state table; the dataset is incomplete")
    for folder in [data_dir, data_dir / PENDING, *(data_dir / t.name for t in TABLES.values() if t.daily)]:
        clean_stale_temp(folder)

    ref = load_reference()
    pop = build_population(cfg, ref, make_pools(cfg.seed))
    base_plan = plan_scenarios(cfg, pop)
    reactivated = set(state_info["reactivated"])
    if not reactivated:
        reactivated = {actor for events in base_plan.events.values() for s, _, actor in events
                       if s == "dormant_reactivation"}
    next_event_id = state_info["next_event_id"] or 1 + sum(base_plan.counts.values())
    try:
        state = _State(data_dir, cfg.fmt, pop)
    except (OSError, pa.ArrowException) as exc:
        raise ConfigError(f"{data_dir}: a state table cannot be read as {cfg.fmt}: "
                          f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    registry = DeviceRegistry(manifest["next_ids"]["device_id"])
    next_txn, next_log = manifest["next_ids"]["transaction_id"], manifest["next_ids"]["log_id"]
    next_inbound = manifest["next_ids"].get("inbound_id", 1)
    pending_path = data_dir / PENDING / f"authentication_logs.{cfg.fmt}"
    held = (read_table(pending_path, cfg.fmt, TABLES["authentication_logs"].arrow_schema)
            if pending_path.exists() else None)

    results: list[AdvanceResult] = []
    rows: Counter[str] = Counter()
    labelled: Counter[str] = Counter()
    scenario_counts: Counter[str] = Counter()
    days_iter = tqdm(range(days), desc="advancing", unit="day", disable=quiet, file=sys.stderr)
    for offset in days_iter:
        current = first_day + timedelta(days=offset)
        index = _day_index(cfg, current)
        rng = cfg.rng(10, index)
        start = day_start_seconds(cfg.start_date, index)
        plan, next_event_id = _plan_day(cfg.rng(11, index), cfg, pop, next_event_id, reactivated, index)
        scenario_counts.update(plan.counts)
        switch = DeviceSwitch(pop.n_customers)
        tables = simulate_day(rng, pop, plan, 0, current, start, switch, registry, next_txn, next_log,
                              ref.auth_method_ids, cfg.rng(22, index), next_inbound)
        txns, logs, labels = tables.transactions, tables.authentication_logs, tables.fraud_labels
        n = tables.transaction_count
        late_mask = cfg.rng(12, index).random(logs.num_rows) < LATE_LOG_SHARE
        on_time, late = logs.filter(pa.array(~late_mask)), logs.filter(pa.array(late_mask))

        stem = current.isoformat()
        _write(txns, data_dir / "payment_transactions" / f"{stem}.{cfg.fmt}", cfg.fmt, staged)
        _write(on_time, data_dir / "authentication_logs" / f"{stem}.{cfg.fmt}", cfg.fmt, staged)
        delivered = 0
        if held is not None and held.num_rows:
            _write(held, data_dir / "authentication_logs" / f"{stem}.late.{cfg.fmt}", cfg.fmt, staged)
            delivered = held.num_rows
        _write(labels, data_dir / "fraud_labels" / f"{stem}.{cfg.fmt}", cfg.fmt, staged)
        _write(tables.inbound_transfers, data_dir / "inbound_transfers" / f"{stem}.{cfg.fmt}", cfg.fmt, staged)
        rows["inbound_transfers"] += tables.inbound_transfers.num_rows
        next_inbound += tables.inbound_transfers.num_rows
        held = late
        labelled.update(labels.column("scenario").to_pylist())
        rows["payment_transactions"] += txns.num_rows
        rows["authentication_logs"] += on_time.num_rows + delivered
        rows["fraud_labels"] += labels.num_rows

        mule_events = [actor for s, _, actor in plan.events.get(0, []) if s == "mule_account"]
        changes = state.change_day(cfg.rng(13, index), start, pop.checking[np.array(mule_events, dtype=np.int64)])
        state.sync_lookups()
        state.add_devices(registry, cfg.rng(14, index))
        next_txn += n
        next_log += logs.num_rows
        result = AdvanceResult(current, txns.num_rows, on_time.num_rows, delivered, late.num_rows, changes)
        results.append(result)
        if on_day:
            on_day(result)

    state.tables["bank_accounts"] = close_balances(state.tables["bank_accounts"], pop.account_balance,
                                                   day_start_seconds(cfg.start_date, _day_index(cfg, last_day) + 1))
    for name, table in state.tables.items():
        _write(table, data_dir / f"{name}.{cfg.fmt}", cfg.fmt, staged)
    if held is not None and held.num_rows:
        _write(held, pending_path, cfg.fmt, staged)

    # every file is complete: move them into place, then record the new state in the manifest
    for tmp, final in staged:
        tmp.replace(final)
    if (held is None or not held.num_rows) and pending_path.exists():
        pending_path.unlink()
        shutil.rmtree(pending_path.parent, ignore_errors=True)
    counts = manifest["row_counts"]
    for name in ("payment_transactions", "authentication_logs", "fraud_labels", "inbound_transfers"):
        counts[name] = counts.get(name, 0) + rows[name]
    for name, table in state.tables.items():
        counts[name] = table.num_rows
    manifest["next_ids"] = {"transaction_id": next_txn, "log_id": next_log, "device_id": registry.next_id,
                            "inbound_id": next_inbound}
    for scenario in SCENARIOS:
        manifest["scenario_events"][scenario] = manifest["scenario_events"].get(scenario, 0) + scenario_counts[scenario]
        manifest["labelled_transactions"][scenario] = (manifest["labelled_transactions"].get(scenario, 0)
                                                       + labelled[scenario])
    state_info["days"] += days
    total_days = cfg.days + state_info["days"]
    not_planted = manifest.setdefault("typologies_not_planted", {})
    if total_days > DORMANT_FIRST_DAY:
        not_planted.pop("dormant_reactivation", None)
    elif manifest["scenario_events"].get("dormant_reactivation", 0) == 0 and cfg.fraud_rate > 0:
        not_planted["dormant_reactivation"] = dormant_too_short(total_days)
    state_info["reactivated"] = sorted(reactivated)
    state_info["next_event_id"] = next_event_id
    state_info["late_logs_pending"] = 0 if held is None else held.num_rows
    state_info["last_day"] = last_day.isoformat()
    tmp_manifest = data_dir / f".{MANIFEST}.tmp-{os.getpid()}"
    tmp_manifest.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp_manifest.replace(data_dir / MANIFEST)
    return results


def last_day(data_dir: Path) -> date:
    return manifest_last_day(_read_manifest(Path(data_dir)))


