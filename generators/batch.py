"""A day's transactions as a dict of NumPy columns, before identifiers are assigned."""

from __future__ import annotations

import numpy as np

TRANSACTION_TYPES = (
    "transfer_same_bank_same_owner",
    "transfer_same_bank_diff_owner",
    "transfer_interbank_domestic",
    "transfer_interbank_international",
    "payment_goods_services",
    "ewallet_topup",
    "ewallet_withdrawal",
    "ewallet_transfer",
    "inquiry",
)
T = {name: code for code, name in enumerate(TRANSACTION_TYPES)}

SCENARIOS = ("account_takeover", "structuring", "mule_account", "velocity_burst", "dormant_reactivation")
AUTO_LEVEL = -1  # let the simulated app pick the authentication its own rules ask for
LEVELS = "ABCD"

# column -> (dtype, default for rows that do not set it)
COLUMNS: dict[str, tuple[type, int | bool]] = {
    "customer": (np.int64, 0),
    "from_account": (np.int64, -1),
    "to_internal": (np.int64, -1),
    "to_external": (np.int64, -1),
    "device": (np.int64, -1),
    "ttype": (np.int8, 0),
    "amount": (np.int64, 0),
    "ts": (np.int64, 0),
    "target_level": (np.int8, AUTO_LEVEL),
    "forced_failures": (np.int8, 0),
    "allow_biometric_match": (np.bool_, True),
    "first_use_of_device": (np.bool_, False),
    "scenario": (np.int8, -1),
    "event_id": (np.int64, -1),
    "description": (np.int64, -1),  # index into activity.DESCRIPTION_POOL; -1: drawn by type later
}


def make_batch(n: int, **cols) -> dict[str, np.ndarray]:
    out = {}
    for name, (dtype, default) in COLUMNS.items():
        value = cols.pop(name, default)
        out[name] = np.broadcast_to(np.asarray(value, dtype=dtype), (n,)).copy()
    if cols:
        raise KeyError(f"unknown batch columns: {sorted(cols)}")
    return out


def concat(batches: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    batches = [b for b in batches if len(b["ts"])]
    if not batches:
        return make_batch(0)
    return {name: np.concatenate([b[name] for b in batches]) for name in COLUMNS}


def take(batch: dict[str, np.ndarray], order: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[order] for k, v in batch.items()}


def round_vnd(amount: np.ndarray) -> np.ndarray:
    """Amounts as a person types them: whole thousands of VND, at least 1,000."""
    return np.maximum(np.round(amount, -3), 1_000).astype(np.int64)
