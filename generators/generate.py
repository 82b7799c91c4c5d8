"""Generate a whole dataset: state tables once, event tables day by day (bounded memory)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
from tqdm import tqdm

from . import __version__
from .activity import DESCRIPTION_POOL, DeviceSwitch, day_start_seconds, fill_descriptions, normal_activity
from .auth import auth_log_table, simulate_attempts
from .batch import SCENARIOS, TRANSACTION_TYPES, concat, take
from .config import GenerateConfig
from .dataset import EXPECTED_REJECTIONS, MANIFEST
from .dirty import DirtyPlanter
from .population import (
    Population,
    build_population,
    make_pools,
    new_devices_table,
    pick,
    to_amount_array,
    to_timestamp_array,
)
from .reference import load_reference
from .scenarios import DeviceRegistry, apply_device_changes, plan_scenarios, scenario_batch
from .schema import TABLES
from .writers import atomic_directory, write_table

STATUSES = ("completed", "failed", "pending", "cancelled")
CHANNELS = ("mobile_app", "internet_banking")


def _nullable_ids(values: np.ndarray) -> pa.Array:
    return pa.array(values, type=pa.int64(), mask=values < 0)


def _mark_first_use(batch, switch: DeviceSwitch) -> None:
    """Flag each customer's first transaction on a device registered during the period."""
    cust = batch["customer"]
    on_new = (batch["device"] == switch.device[cust]) & ~switch.used[cust]
    rows = np.flatnonzero(on_new)
    if len(rows) == 0:
        return
    _, first = np.unique(cust[rows], return_index=True)
    batch["first_use_of_device"][rows[first]] = True
    switch.used[cust[rows[first]]] = True


def _statuses(rng, batch, attempts, pop: Population) -> np.ndarray:
    n = len(batch["ts"])
    blocked = ~pop.account_active[batch["from_account"]] | ~pop.customer_active[batch["customer"]]
    draw = rng.random(n)
    processed = np.select([draw < 0.992, draw < 0.997], [0, 1], 2)
    return np.where(~attempts["txn_ok"], np.where(attempts["last_result"] == 3, 3, 1),
                    np.where(blocked, 1, processed))


def _channels(batch, pop: Population) -> np.ndarray:
    known = batch["device"] < len(pop.device_type_by_id)
    dtype = np.where(known, pop.device_type_by_id[np.where(known, batch["device"], 0)], 0)
    return (dtype == 1).astype(np.int64)


def _transactions_table(batch, txn_ids, status, channel) -> pa.Table:
    return pa.table({
        "transaction_id": pa.array(txn_ids),
        "from_account_id": pa.array(batch["from_account"]),
        "to_internal_account_id": _nullable_ids(batch["to_internal"]),
        "to_external_account_id": _nullable_ids(batch["to_external"]),
        "customer_id": pa.array(batch["customer"] + 1),
        "device_id": pa.array(batch["device"]),
        "transaction_type": pick(TRANSACTION_TYPES, batch["ttype"].astype(np.int64)),
        "amount": to_amount_array(batch["amount"]),
        "description": pick(DESCRIPTION_POOL, batch["description"]),
        "transaction_ts": to_timestamp_array(batch["ts"]),
        "status": pick(STATUSES, status),
        "channel": pick(CHANNELS, channel),
    }, schema=TABLES["payment_transactions"].arrow_schema)


def _labels_table(batch, txn_ids) -> pa.Table:
    rows = np.flatnonzero(batch["scenario"] >= 0)
    return pa.table({
        "transaction_id": pa.array(txn_ids[rows]),
        "scenario": pick(SCENARIOS, batch["scenario"][rows].astype(np.int64)),
        "event_id": pa.array(batch["event_id"][rows]),
    }, schema=TABLES["fraud_labels"].arrow_schema)


def generate(cfg: GenerateConfig, out_dir: Path, quiet: bool = False) -> dict:
    """Write every raw table of the dataset into `out_dir`; returns the manifest."""
    cfg.validate()
    out_dir = Path(out_dir)
    with atomic_directory(out_dir) as tmp:
        ref = load_reference()
        pop = build_population(cfg, ref, make_pools(cfg.seed))
        plan = plan_scenarios(cfg, pop)
        switch = DeviceSwitch(pop.n_customers)
        registry = DeviceRegistry(pop.next_device_id)
        method_ids = ref.auth_method_ids
        method_codes = {v: k for k, v in method_ids.items()}
        rows: Counter[str] = Counter()
        labelled: Counter[str] = Counter()
        next_txn, next_log = 1, 1
        planter = DirtyPlanter(cfg.dirty_rate, cfg.seed)
        table_index = {name: i for i, name in enumerate(TABLES)}

        days = tqdm(range(cfg.days), desc="generating", unit="day", disable=quiet, file=sys.stderr)
        for day in days:
            rng = cfg.rng(1, day)
            current = cfg.start_date + timedelta(days=day)
            start = day_start_seconds(cfg.start_date, day)
            apply_device_changes(rng, plan, day, start, switch, registry)
            batch = concat([normal_activity(rng, pop, current, start, switch),
                            scenario_batch(rng, plan, day, start, pop, registry)])
            fill_descriptions(rng, batch)
            n = len(batch["ts"])
            batch = take(batch, np.lexsort((batch["customer"], batch["ts"])))
            _mark_first_use(batch, switch)
            txn_ids = np.arange(next_txn, next_txn + n, dtype=np.int64)
            attempts = simulate_attempts(rng, batch, pop.customer_type[batch["customer"]], method_ids, method_codes)
            status = _statuses(rng, batch, attempts, pop)

            stem = current.isoformat()
            txns = _transactions_table(batch, txn_ids, status, _channels(batch, pop))
            logs = auth_log_table(attempts, txn_ids, batch["ts"], next_log, rng)
            labels = _labels_table(batch, txn_ids)
            for name, table in (("payment_transactions", txns), ("authentication_logs", logs),
                                ("fraud_labels", labels)):
                labelled.update(table.column("scenario").to_pylist() if name == "fraud_labels" else [])
                table = planter.add(name, table, cfg.rng(4, day, table_index[name]))
                write_table(table, tmp / name / f"{stem}.{cfg.fmt}", cfg.fmt)
                rows[name] += table.num_rows
            next_txn += n
            next_log += logs.num_rows
            days.set_postfix(transactions=f"{rows['payment_transactions']:,}")

        extra = registry.rows
        new_devices = new_devices_table(extra["device_id"], extra["customer"], np.zeros(len(extra["device_id"]), int),
                                        extra["first_seen"], extra["trusted"], cfg.rng(3))
        state = dict(pop.tables)
        state["devices"] = pa.concat_tables(pop.device_tables + [new_devices])
        for name, table in state.items():
            table = planter.add(name, table, cfg.rng(5, table_index[name]))
            write_table(table, tmp / f"{name}.{cfg.fmt}", cfg.fmt)
            rows[name] = table.num_rows

        manifest = {
            "generator": "bankgen",
            "version": __version__,
            "dataset_id": cfg.dataset_id(__version__),
            "config": cfg.as_manifest(),
            "row_counts": {name: rows[name] for name in TABLES},
            "scenario_events": plan.counts,
            "typologies_not_planted": plan.not_planted,
            "labelled_transactions": {s: labelled.get(s, 0) for s in SCENARIOS},
            "next_ids": {"transaction_id": next_txn, "log_id": next_log, "device_id": registry.next_id},
            "dirty_rows": len(planter.expected),
        }
        if cfg.dirty_rate > 0:
            planter.write(tmp / EXPECTED_REJECTIONS)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest
