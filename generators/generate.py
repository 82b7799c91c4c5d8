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
from .activity import DeviceSwitch, day_start_seconds
from .batch import SCENARIOS
from .config import GenerateConfig
from .dataset import EXPECTED_REJECTIONS, MANIFEST
from .day import simulate_day
from .dirty import DirtyPlanter
from .ledger import close_balances
from .population import build_population, make_pools, new_devices_table
from .reference import load_reference
from .scenarios import DeviceRegistry, apply_device_changes, plan_scenarios
from .schema import TABLES
from .writers import atomic_directory, write_table


def generate(cfg: GenerateConfig, out_dir: Path, quiet: bool = False) -> dict:
    """Write every raw table of the dataset into `out_dir`; returns the manifest."""
    cfg.validate()
    out_dir = Path(out_dir)
    with atomic_directory(out_dir) as tmp:
        # the stages: population, scenario plan, then each day (activity, authentication, status,
        # labels: generators/day.py), dirty rows, writing
        ref = load_reference()
        pop = build_population(cfg, ref, make_pools(cfg.seed))
        plan = plan_scenarios(cfg, pop)
        switch = DeviceSwitch(pop.n_customers)
        registry = DeviceRegistry(pop.next_device_id)
        rows: Counter[str] = Counter()
        labelled: Counter[str] = Counter()
        next_txn, next_log, next_inbound = 1, 1, 1
        planter = DirtyPlanter(cfg.dirty_rate, cfg.seed)
        table_index = {name: i for i, name in enumerate(TABLES)}

        days = tqdm(range(cfg.days), desc="generating", unit="day", disable=quiet, file=sys.stderr)
        for day in days:
            rng = cfg.rng(1, day)
            current = cfg.start_date + timedelta(days=day)
            start = day_start_seconds(cfg.start_date, day)
            apply_device_changes(rng, plan, day, start, switch, registry)
            tables = simulate_day(rng, pop, plan, day, current, start, switch, registry, next_txn, next_log,
                                  ref.auth_method_ids, cfg.rng(21, day), next_inbound)
            labelled.update(tables.fraud_labels.column("scenario").to_pylist())
            stem = current.isoformat()
            for name, table in (("payment_transactions", tables.transactions),
                                ("authentication_logs", tables.authentication_logs),
                                ("fraud_labels", tables.fraud_labels),
                               ("inbound_transfers", tables.inbound_transfers)):
                table = planter.add(name, table, cfg.rng(4, day, table_index[name]))
                write_table(table, tmp / name / f"{stem}.{cfg.fmt}", cfg.fmt)
                rows[name] += table.num_rows
            next_txn += tables.transaction_count
            next_log += tables.authentication_logs.num_rows
            next_inbound += tables.inbound_transfers.num_rows
            days.set_postfix(transactions=f"{rows['payment_transactions']:,}")

        extra = registry.rows
        new_devices = new_devices_table(extra["device_id"], extra["customer"], np.zeros(len(extra["device_id"]), int),
                                        extra["first_seen"], extra["trusted"], cfg.rng(3))
        state = dict(pop.tables)
        # the core's balance at the end of the period: the opening balance moved by every completed flow
        state["bank_accounts"] = close_balances(state["bank_accounts"], pop.account_balance,
                                                day_start_seconds(cfg.start_date, cfg.days))
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
            "next_ids": {"transaction_id": next_txn, "log_id": next_log, "device_id": registry.next_id,
                     "inbound_id": next_inbound},
            "dirty_rows": len(planter.expected),
        }
        if cfg.dirty_rate > 0:
            planter.write(tmp / EXPECTED_REJECTIONS)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest
