"""Authentication attempts for a day's transactions, and the outcome they give each transaction.

The simulated banking app asks, for each transaction, for the authentication its own reading of the
SBV rules requires (`app_required_level`); a realistic minority of transactions get one level less
(an app defect or an exemption misapplied), which is what the dbt models must catch.  The
authoritative classification is the dbt model, not this approximation.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .batch import AUTO_LEVEL, T
from .population import INDIVIDUAL, pick, to_timestamp_array
from .schema import TABLES

UNDER_AUTHENTICATED_SHARE = 0.025
ABANDON_SHARE = 0.01
MAX_ATTEMPTS = 3

M_10, M_20, M_5, M_100 = 10e6, 20e6, 5e6, 100e6
BN = 1e9

RESULTS = ("success", "failed", "expired", "cancelled")
REASONS = ("wrong_otp", "otp_expired", "face_mismatch", "biometric_not_recognised", "wrong_pin",
           "wrong_password", "user_cancelled", "verification_failed")


def _partition_running_totals(batch, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per (account, group) earlier amounts of the day, in time order: T and an approximate Tksth."""
    n = len(batch["ts"])
    if n == 0:
        return np.zeros(0), np.zeros(0)
    order = np.lexsort((np.arange(n), batch["ts"], group, batch["from_account"]))
    key_acc = batch["from_account"][order]
    key_grp = group[order]
    amount = batch["amount"][order].astype(np.float64)
    small = np.where(amount <= M_10, amount, 0.0)
    new_part = np.ones(n, bool)
    new_part[1:] = (key_acc[1:] != key_acc[:-1]) | (key_grp[1:] != key_grp[:-1])
    starts = np.flatnonzero(new_part)
    part_id = np.cumsum(new_part) - 1

    def earlier(values):
        csum = np.cumsum(values) - values
        return csum - csum[starts][part_id]

    t_sorted, tk_sorted = earlier(amount), earlier(small)
    t = np.empty(n)
    tk = np.empty(n)
    t[order] = t_sorted
    tk[order] = tk_sorted
    return t, tk


def sbv_group(ctype: np.ndarray, ttype: np.ndarray) -> np.ndarray:
    """1..4 for I.1-I.4, 5..7 for II.1-II.3 (same mapping as the seed sbv_transaction_groups)."""
    own = (ttype == T["transfer_same_bank_same_owner"]) | (ttype == T["inquiry"])
    cross = ttype == T["transfer_interbank_international"]
    pay = ttype == T["payment_goods_services"]
    ind = np.select([own, pay, cross], [1, 2, 4], 3)
    org = np.select([own, cross], [5, 7], 6)
    return np.where(ctype == INDIVIDUAL, ind, org).astype(np.int8)


def app_required_level(batch, ctype: np.ndarray) -> np.ndarray:
    group = sbv_group(ctype, batch["ttype"])
    g = batch["amount"].astype(np.float64)
    t, tk = _partition_running_totals(batch, group)
    wallet_own = (batch["ttype"] == T["ewallet_topup"]) | (batch["ttype"] == T["ewallet_withdrawal"])
    i2 = np.select([g + t <= M_5, g + t <= M_100, g + t <= 1.5 * BN], [0, 1, 2], 3)
    small = (g <= M_10) & (g + tk <= M_20)
    i3 = np.select([small & wallet_own, small, (g <= 500 * 1e6) & (g + t <= 1.5 * BN)], [0, 1, 2], 3)
    i4 = np.where((g <= 200e6) & (g + t <= BN), 2, 3)
    ii2 = np.where((g <= BN) & (g + t <= 10 * BN), 1, 2)
    ii3 = np.where((g <= 500e6) & (g + t <= 5 * BN), 2, 3)
    return np.select([group == 1, group == 2, group == 3, group == 4, group == 5, group == 6],
                     [0, i2, i3, i4, 0, ii2], ii3).astype(np.int8)


def _choose(rng, options: list[str], probs: list[float], n: int, ids: dict[str, int]) -> np.ndarray:
    return np.array([ids[o] for o in options])[rng.choice(len(options), size=n, p=probs)]


def plan_factors(rng, batch, ctype: np.ndarray, ids: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """The (first, second) authentication method of each transaction; second is -1 when none."""
    n = len(batch["ts"])
    required = app_required_level(batch, ctype)
    lower = rng.random(n) < UNDER_AUTHENTICATED_SHARE
    target = np.where(lower, np.maximum(required - 1, 0), required)
    target = np.where(batch["target_level"] != AUTO_LEVEL, batch["target_level"], target)
    ind = ctype == INDIVIDUAL
    bm = ids["biometric_match"]

    ind_b = _choose(rng, ["soft_otp_basic", "sms_otp", "device_biometric"], [.45, .25, .30], n, ids)
    ind_c = _choose(rng, ["soft_otp_basic", "sms_otp"], [.7, .3], n, ids)
    org_b = _choose(rng, ["sms_otp", "email_otp", "matrix_card"], [.5, .2, .3], n, ids)
    org_c = _choose(rng, ["token_otp_basic", "soft_otp_basic", "e_signature"], [.5, .3, .2], n, ids)
    org_d = _choose(rng, ["token_otp_advanced", "secure_e_signature"], [.6, .4], n, ids)

    ind_first = np.select([target == 0, target == 1], [ids["pin_code"], ind_b], bm)
    ind_second = np.select([target <= 1, target == 2], [-1, ind_c], ids["soft_otp_advanced"])
    org_first = np.select([target == 0, target == 1, target == 2], [ids["password"], org_b, org_c], org_d)
    first = np.where(ind, ind_first, org_first)
    second = np.where(ind, ind_second, -1)

    # Decision 2345 art. 2: first use of a new device asks for a biometric match (most comply).
    add_bm = ind & batch["first_use_of_device"] & (first != bm) & (rng.random(n) < 0.9)
    second = np.where(add_bm, first, second)
    first = np.where(add_bm, bm, first)
    # Scenarios where the fraudster cannot pass a face match get a one-factor OTP instead.
    no_bm = ~batch["allow_biometric_match"] & (first == bm)
    first = np.where(no_bm, np.where(second >= 0, second, ids["sms_otp"]), first)
    second = np.where(no_bm, -1, second)
    return first.astype(np.int64), second.astype(np.int64)


def simulate_attempts(rng, batch, ctype, ids: dict[str, int], method_codes: dict[int, str]):
    """Attempt rows (as arrays) and, per transaction, whether authentication succeeded."""
    n = len(batch["ts"])
    first, second = plan_factors(rng, batch, ctype, ids)
    methods = np.stack([first, second], axis=1).reshape(-1)           # (txn, factor) pairs
    txn = np.repeat(np.arange(n), 2)
    factor = np.tile([0, 1], n)

    is_bm = methods == ids["biometric_match"]
    p_fail = np.where(is_bm, 0.06, 0.035)
    fails = np.minimum(rng.geometric(1 - p_fail) - 1, MAX_ATTEMPTS)
    forced = batch["forced_failures"][txn]
    fails = np.where((factor == 0) & (forced > 0), forced, fails)
    success = fails < MAX_ATTEMPTS

    # A small share of people give up on the last factor they are asked for.
    last_factor = np.where(second[txn] >= 0, 1, 0) == factor
    abandon = last_factor & success & (rng.random(2 * n) < ABANDON_SHARE) & (forced == 0)
    final = np.where(success, 0, -1)                                   # 0 success, -1 no final row
    final = np.where(abandon, np.where(rng.random(2 * n) < 0.6, 3, 2), final)  # cancelled / expired

    # A second factor is only asked for once the first succeeded.
    first_ok = np.repeat((final.reshape(n, 2)[:, 0] == 0), 2)
    attempted = (methods >= 0) & ((factor == 0) | first_ok)
    rows_per = np.where(attempted, fails + (final >= 0), 0)
    txn_ok = np.all((~attempted | (final == 0)).reshape(n, 2), axis=1) & (final.reshape(n, 2)[:, 0] == 0)
    last_result = np.where(abandon.reshape(n, 2).any(axis=1), 3, 1)

    pair = np.repeat(np.arange(2 * n), rows_per)
    within = np.arange(len(pair)) - np.repeat(np.cumsum(rows_per) - rows_per, rows_per)
    is_final_row = (within == fails[pair]) & (final[pair] >= 0)
    expired_fail = rng.random(len(pair)) < 0.25
    result = np.where(is_final_row, final[pair], np.where(expired_fail, 2, 1))
    return {
        "txn": txn[pair],
        "method": methods[pair],
        "result": result.astype(np.int8),
        "rank": _rank_within(txn[pair]),
        "txn_ok": txn_ok,
        "last_result": last_result,
        "method_codes": method_codes,
    }


def _rank_within(txn: np.ndarray) -> np.ndarray:
    if len(txn) == 0:
        return txn
    starts = np.ones(len(txn), bool)
    starts[1:] = txn[1:] != txn[:-1]
    first_index = np.maximum.accumulate(np.where(starts, np.arange(len(txn)), 0))
    return np.arange(len(txn)) - first_index


def failure_reasons(method_code: np.ndarray, result: np.ndarray) -> np.ndarray:
    """Index into REASONS, or -1 for success."""
    otp = np.char.find(method_code.astype(str), "otp") >= 0
    reason = np.select(
        [result == 3, otp & (result == 2), otp,
         method_code == "biometric_match", method_code == "device_biometric",
         method_code == "pin_code", method_code == "password"],
        [6, 1, 0, 2, 3, 4, 5], 7)
    return np.where(result == 0, -1, reason)


def auth_log_table(attempts, txn_ids: np.ndarray, txn_ts: np.ndarray, first_log_id: int, rng) -> pa.Table:
    n = len(attempts["txn"])
    offsets = 3 + attempts["rank"] * 20 + rng.integers(0, 15, n)
    method_code = np.array([attempts["method_codes"].get(m, "") for m in range(max(attempts["method_codes"]) + 1)],
                           dtype=object)
    codes = method_code[attempts["method"]] if n else np.array([], dtype=str)
    reasons = failure_reasons(codes.astype(str), attempts["result"])
    return pa.table({
        "log_id": pa.array(np.arange(first_log_id, first_log_id + n, dtype=np.int64)),
        "transaction_id": pa.array(txn_ids[attempts["txn"]]),
        "auth_method_id": pa.array(attempts["method"].astype(np.int64)),
        "auth_result": pick(RESULTS, attempts["result"]),
        "auth_ts": to_timestamp_array(txn_ts[attempts["txn"]] + offsets),
        "failure_reason": pick(REASONS, reasons),
    }, schema=TABLES["authentication_logs"].arrow_schema)
