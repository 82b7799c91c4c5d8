"""One simulated day: the day's activity (ordinary and planted), in time order, then authentication,
then each transaction's status, as the three daily tables (transactions, authentication logs, labels).

`generate` calls it for every day of a new dataset and `advance` for each day it appends; both own the
state that carries from day to day (the device switch and registry, the next ids) and what happens
after it (dirty rows, late logs, writing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa

from .activity import DESCRIPTION_POOL, DeviceSwitch, fill_descriptions, normal_activity
from .auth import auth_log_table, simulate_attempts
from .batch import SCENARIOS, TRANSACTION_TYPES, concat, take
from .ledger import inbound_activity, inbound_table, merge_inbound, settle
from .population import Population, pick, to_amount_array, to_timestamp_array
from .scenarios import DeviceRegistry, Plan, scenario_batch
from .schema import TABLES

STATUSES = ("completed", "failed", "pending", "cancelled")
# why a transaction did not complete (failure_reason; empty for completed and pending ones)
FAILURE_REASONS = ("authentication_failed", "authentication_cancelled", "account_not_active", "processing_error",
                   "insufficient_funds")
CHANNELS = ("mobile_app", "internet_banking")


@dataclass
class Day:
    """The tables of one simulated day."""
    transactions: pa.Table
    authentication_logs: pa.Table
    fraud_labels: pa.Table
    inbound_transfers: pa.Table

    @property
    def transaction_count(self) -> int:
        return self.transactions.num_rows


def simulate_day(rng, pop: Population, plan: Plan, plan_day: int, day: date, day_start: int,
                 switch: DeviceSwitch, registry: DeviceRegistry, first_transaction_id: int,
                 first_log_id: int, method_ids: dict[str, int], inbound_rng=None, first_inbound_id: int = 1) -> Day:
    """The day's transactions with ids from `first_transaction_id` and their logs with ids from
    `first_log_id`, and the credits from outside with ids from `first_inbound_id` (drawn from
    `inbound_rng`); `pop.account_balance` moves with the day's money. The draws from each random
    stream come in a fixed order, so a day is reproducible."""
    credits: list = []
    batch = concat([normal_activity(rng, pop, day, day_start, switch),
                    scenario_batch(rng, plan, plan_day, day_start, pop, registry, credits)])
    fill_descriptions(rng, batch)
    batch = take(batch, np.lexsort((batch["customer"], batch["ts"])))
    mark_first_use(batch, switch)
    txn_ids = np.arange(first_transaction_id, first_transaction_id + len(batch["ts"]), dtype=np.int64)
    method_codes = {v: k for k, v in method_ids.items()}
    attempts = simulate_attempts(rng, batch, pop.customer_type[batch["customer"]], method_ids, method_codes)
    status, reason = statuses(rng, batch, attempts, pop)
    inbound = merge_inbound([inbound_activity(inbound_rng, pop, pop.inbound_profile, day, day_start), *credits])
    status, reason = settle_day(pop, batch, status, reason, inbound)
    return Day(transactions=transactions_table(batch, txn_ids, status, channels(batch, pop), reason),
               authentication_logs=auth_log_table(attempts, txn_ids, batch["ts"], first_log_id, rng),
               fraud_labels=labels_table(batch, txn_ids),
               inbound_transfers=inbound_table(inbound, inbound["credited"], first_inbound_id, pop.inbound_profile))


def settle_day(pop: Population, batch, status, reason, inbound) -> tuple[np.ndarray, np.ndarray]:
    """Move the day's money (generators/ledger.py): payments that would overdraw fail with
    insufficient_funds; `inbound` gains `credited` (the credits that reached an active account)."""
    insufficient, credited = settle(pop.account_balance, pop.account_active, batch, status == 0, inbound)
    inbound["credited"] = credited
    return (np.where(insufficient, 1, status),
            np.where(insufficient, FAILURE_REASONS.index("insufficient_funds"), reason))


def mark_first_use(batch, switch: DeviceSwitch) -> None:
    """Flag each customer's first transaction on a device registered during the period."""
    cust = batch["customer"]
    on_new = (batch["device"] == switch.device[cust]) & ~switch.used[cust]
    rows = np.flatnonzero(on_new)
    if len(rows) == 0:
        return
    _, first = np.unique(cust[rows], return_index=True)
    batch["first_use_of_device"][rows[first]] = True
    switch.used[cust[rows[first]]] = True


def statuses(rng, batch, attempts, pop: Population) -> tuple[np.ndarray, np.ndarray]:
    """Status index (STATUSES) and failure reason index (FAILURE_REASONS, -1 for none): failed
    authentication fails or cancels the transaction; an inactive account or customer fails it;
    otherwise almost all complete (funds are checked later, by settle_day)."""
    n = len(batch["ts"])
    blocked = ~pop.account_active[batch["from_account"]] | ~pop.customer_active[batch["customer"]]
    draw = rng.random(n)
    processed = np.select([draw < 0.992, draw < 0.997], [0, 1], 2)
    cancelled = attempts["last_result"] == 3
    status = np.where(~attempts["txn_ok"], np.where(cancelled, 3, 1), np.where(blocked, 1, processed))
    reason = np.select([~attempts["txn_ok"] & cancelled, ~attempts["txn_ok"], blocked, processed == 1],
                       [1, 0, 2, 3], -1)
    return status, reason


def channels(batch, pop: Population) -> np.ndarray:
    """Channel index (CHANNELS): internet banking from a computer, the app otherwise."""
    known = batch["device"] < len(pop.device_type_by_id)
    dtype = np.where(known, pop.device_type_by_id[np.where(known, batch["device"], 0)], 0)
    return (dtype == 1).astype(np.int64)


def _nullable_ids(values: np.ndarray) -> pa.Array:
    return pa.array(values, type=pa.int64(), mask=values < 0)


def transactions_table(batch, txn_ids, status, channel, reason) -> pa.Table:
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
        "failure_reason": pick(FAILURE_REASONS, np.asarray(reason, np.int64)),
    }, schema=TABLES["payment_transactions"].arrow_schema)


def labels_table(batch, txn_ids) -> pa.Table:
    rows = np.flatnonzero(batch["scenario"] >= 0)
    return pa.table({
        "transaction_id": pa.array(txn_ids[rows]),
        "scenario": pick(SCENARIOS, batch["scenario"][rows].astype(np.int64)),
        "event_id": pa.array(batch["event_id"][rows]),
    }, schema=TABLES["fraud_labels"].arrow_schema)
