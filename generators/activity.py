"""Ordinary customer activity for one day: who transacts, what, how much, when, from which device."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from .batch import TRANSACTION_TYPES, T, make_batch, round_vnd
from .population import INDIVIDUAL, NO_ID, SECONDS_PER_DAY, Population

# Share of each transaction type (order of TRANSACTION_TYPES), by customer type.
TYPE_MIX = {
    INDIVIDUAL: np.array([0.08, 0.22, 0.25, 0.005, 0.25, 0.06, 0.03, 0.045, 0.06]),
    1: np.array([0.05, 0.15, 0.35, 0.05, 0.33, 0.01, 0.01, 0.0, 0.05]),
}
# Median amount (VND) and spread of a lognormal per transaction type, for an individual.
AMOUNT_MEDIAN = np.array([3e6, 1.5e6, 2.5e6, 40e6, 2.5e5, 8e5, 1e6, 4e5, 0.0])
AMOUNT_SIGMA = np.array([1.2, 1.25, 1.3, 1.0, 1.2, 1.0, 1.0, 1.1, 0.0])
AMOUNT_CAP = {INDIVIDUAL: 3e9, 1: 50e9}

# Relative activity by hour of day (Asia/Ho_Chi_Minh local time).
HOURLY = {
    INDIVIDUAL: np.array([.5, .3, .2, .15, .2, .5, 1.5, 3, 5, 6, 6, 6.5, 7, 5.5, 5.5, 5.5, 5.5, 6, 6.5, 7,
                          7.5, 6.5, 4, 2]),
    1: np.array([.05, .02, .02, .02, .02, .05, .3, 2, 8, 10, 10, 9, 5, 7, 9, 9, 8, 6, 2, 1, .5, .3, .2, .1]),
}
WEEKDAY_FACTOR = {INDIVIDUAL: np.array([1.0, 1.0, 1.0, 1.0, 1.05, 0.9, 0.8]),
                  1: np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.35, 0.15])}

DESCRIPTIONS = {
    "transfer_same_bank_same_owner": ["Chuyen tien tiet kiem", "Chuyen sang tai khoan chinh", "Tat toan"],
    "transfer_same_bank_diff_owner": ["Chuyen tien", "CK tien nha", "Tra tien an trua", "Gui tien bo me"],
    "transfer_interbank_domestic": ["Chuyen khoan lien ngan hang", "Thanh toan tien hang", "Tra no", "Luong"],
    "transfer_interbank_international": ["Thanh toan quoc te", "Hoc phi du hoc", "Import payment"],
    "payment_goods_services": ["Thanh toan hoa don dien", "Thanh toan QR", "Mua hang online", "Cuoc di dong"],
    "ewallet_topup": ["Nap tien vi"],
    "ewallet_withdrawal": ["Rut tien vi ve tai khoan"],
    "ewallet_transfer": ["Chuyen tien vi", "Chia tien"],
    "inquiry": ["Van tin so du"],
}
DESCRIPTION_POOL = [d for t in TRANSACTION_TYPES for d in DESCRIPTIONS[t]]
DESCRIPTION_START = np.cumsum([0] + [len(DESCRIPTIONS[t]) for t in TRANSACTION_TYPES])[:-1]
DESCRIPTION_COUNT = np.array([len(DESCRIPTIONS[t]) for t in TRANSACTION_TYPES])

PAYEE_MULTIPLIER = 2_654_435_761


def day_factor(day: date, ctype: np.ndarray) -> np.ndarray:
    weekday = day.weekday()
    payday = 1.15 if day.day in (1, 2, 15, 25) else 1.0
    return np.where(ctype == INDIVIDUAL, WEEKDAY_FACTOR[INDIVIDUAL][weekday], WEEKDAY_FACTOR[1][weekday]) * payday


def draw_times(rng, ctype: np.ndarray, day_start: int) -> np.ndarray:
    n = len(ctype)
    hours = np.empty(n, np.int64)
    for kind in (INDIVIDUAL, 1):
        mask = ctype == kind
        p = HOURLY[kind] / HOURLY[kind].sum()
        hours[mask] = rng.choice(24, size=int(mask.sum()), p=p)
    return day_start + hours * 3600 + rng.integers(0, 3600, n)


def payee_index(customer: np.ndarray, rng, pool_size: int, salt: int, new_share: float = 0.08) -> np.ndarray:
    """Each customer pays a few regular payees (a stable hash of customer and slot), sometimes a new one."""
    slot = np.minimum(rng.geometric(0.45, len(customer)) - 1, 5)
    regular = (customer * PAYEE_MULTIPLIER + slot * 40_503 + salt) % pool_size
    new = rng.integers(0, pool_size, len(customer))
    return np.where(rng.random(len(customer)) < new_share, new, regular)


def normal_activity(rng, pop: Population, day: date, day_start: int, device_switch) -> dict[str, np.ndarray]:
    """The day's ordinary transactions."""
    expected = pop.activity_rate * day_factor(day, pop.customer_type)
    counts = rng.poisson(expected)
    cust = np.repeat(np.arange(pop.n_customers), counts)
    n = len(cust)
    ctype = pop.customer_type[cust]

    # transaction type, then fall back where the customer lacks the account it needs
    u = rng.random(n)
    ttype = np.empty(n, np.int8)
    for kind in (INDIVIDUAL, 1):
        mask = ctype == kind
        ttype[mask] = np.searchsorted(np.cumsum(TYPE_MIX[kind]), u[mask], side="right").clip(0, 8)
    has_wallet = pop.ewallet[cust] != NO_ID
    has_second = (pop.savings[cust] != NO_ID) | has_wallet
    ewallet_type = np.isin(ttype, [T["ewallet_topup"], T["ewallet_withdrawal"], T["ewallet_transfer"]])
    ttype = np.where(ewallet_type & ~has_wallet, T["payment_goods_services"], ttype)
    ttype = np.where((ttype == T["transfer_same_bank_same_owner"]) & ~has_second,
                     T["transfer_same_bank_diff_owner"], ttype).astype(np.int8)

    # source and destination accounts
    checking = pop.checking[cust]
    wallet = pop.ewallet[cust]
    savings = pop.savings[cust]
    pay_from_wallet = (ttype == T["payment_goods_services"]) & has_wallet & (rng.random(n) < 0.3)
    from_wallet = np.isin(ttype, [T["ewallet_withdrawal"], T["ewallet_transfer"]]) | pay_from_wallet
    from_savings = (ttype == T["transfer_same_bank_same_owner"]) & (savings != NO_ID) & (rng.random(n) < 0.5)
    from_account = np.select([from_wallet, from_savings], [wallet, savings], checking)

    to_internal = np.full(n, NO_ID, np.int64)
    own_target = np.where(from_savings, checking, np.where(savings != NO_ID, savings, wallet))
    to_internal = np.where(ttype == T["transfer_same_bank_same_owner"], own_target, to_internal)
    diff_owner = ttype == T["transfer_same_bank_diff_owner"]
    payee = payee_index(cust, rng, pop.n_customers, salt=17)
    payee = np.where(payee == cust, (payee + 1) % pop.n_customers, payee)
    to_internal = np.where(diff_owner, pop.checking[payee], to_internal)
    wallet_transfer = ttype == T["ewallet_transfer"]
    wallet_owners = np.flatnonzero(pop.ewallet != NO_ID)
    wallet_payee = wallet_owners[payee_index(cust, rng, len(wallet_owners), salt=29)]
    wallet_payee = np.where(wallet_payee == cust, wallet_owners[0], wallet_payee)
    to_internal = np.where(wallet_transfer & (wallet_payee != cust), pop.ewallet[wallet_payee], to_internal)
    ttype = np.where(wallet_transfer & (to_internal == NO_ID), T["payment_goods_services"], ttype).astype(np.int8)

    to_external = np.full(n, NO_ID, np.int64)
    dom = ttype == T["transfer_interbank_domestic"]
    intl = ttype == T["transfer_interbank_international"]
    to_external = np.where(dom, pop.domestic_accounts[payee_index(cust, rng, len(pop.domestic_accounts), 3)],
                           to_external)
    to_external = np.where(intl, pop.foreign_accounts[payee_index(cust, rng, len(pop.foreign_accounts), 5)],
                           to_external)

    # amounts: lognormal per type, scaled per customer, capped, inquiries are zero
    median = AMOUNT_MEDIAN[ttype] * pop.amount_scale[cust]
    amount = rng.lognormal(np.log(np.maximum(median, 1.0)), AMOUNT_SIGMA[ttype])
    cap = np.where(ctype == INDIVIDUAL, AMOUNT_CAP[INDIVIDUAL], AMOUNT_CAP[1])
    amount = round_vnd(np.minimum(amount, cap))
    amount = np.where(ttype == T["inquiry"], 0, amount)

    ts = draw_times(rng, ctype, day_start)

    # device: mostly the main one; a registered replacement takes over from its first-seen time
    use_second = (pop.secondary_device[cust] != NO_ID) & (rng.random(n) < 0.15)
    device = np.where(use_second, pop.secondary_device[cust], pop.primary_device[cust])
    switched = ~use_second & (ts >= device_switch.time[cust])
    device = np.where(switched, device_switch.device[cust], device)

    return make_batch(n, customer=cust, from_account=from_account, to_internal=to_internal,
                      to_external=to_external, device=device, ttype=ttype, amount=amount, ts=ts)


def fill_descriptions(rng, batch) -> None:
    missing = batch["description"] < 0
    ttype = batch["ttype"]
    drawn = DESCRIPTION_START[ttype] + rng.integers(0, 1_000, len(ttype)) % DESCRIPTION_COUNT[ttype]
    batch["description"] = np.where(missing, drawn, batch["description"])


class DeviceSwitch:
    """Legitimate device changes: from `time`, the customer's main device is `device`."""

    def __init__(self, n_customers: int):
        self.time = np.full(n_customers, np.iinfo(np.int64).max, np.int64)
        self.device = np.full(n_customers, NO_ID, np.int64)
        self.used = np.zeros(n_customers, bool)


def day_start_seconds(start: date, offset: int) -> int:
    return ((start + timedelta(days=offset)) - date(1970, 1, 1)).days * SECONDS_PER_DAY
