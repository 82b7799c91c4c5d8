"""Customers, accounts, devices and counterparties: the state tables, drawn once per dataset.

Everything is vectorised; Faker is used only to fill small pools of names, company names and
addresses, which rows then pick from by index.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from faker import Faker

from .config import GenerateConfig
from .identifiers import cccd_numbers, phone_numbers, scatter, tax_codes, zero_pad
from .reference import Reference
from .schema import TABLES

INDIVIDUAL, ORGANIZATION = 0, 1
NO_ID = -1
SECONDS_PER_DAY = 86_400

# Account types and their codes in the per-customer lookup arrays.
CHECKING, SAVINGS, EWALLET = "checking", "savings", "ewallet"
CURRENCY_BY_COUNTRY = {"US": "USD", "HK": "HKD", "SG": "SGD", "JP": "JPY"}  # else VND
TIMO_ACCOUNT_PREFIX = "9021"  # Timo account numbers: 9021 + 8 digits (documented in README)

# Provinces weighted by population: Hanoi and Ho Chi Minh City dominate a digital bank's base.
_BIG_PROVINCES = {"001": 12.0, "079": 14.0, "031": 3.0, "048": 2.5, "092": 2.0, "074": 3.0, "075": 3.0}

_MOBILE_OS = np.array(["iOS 17.6", "iOS 18.1", "Android 13", "Android 14", "Android 15"])
_COMPUTER_OS = np.array(["Windows 10", "Windows 11", "macOS 14", "macOS 15", "Ubuntu 24.04"])
_TABLET_OS = np.array(["iPadOS 17.6", "iPadOS 18.1", "Android 14"])
_EMAIL_DOMAINS = np.array(["gmail.com", "yahoo.com", "outlook.com", "icloud.com"])


def epoch_seconds(moment: datetime) -> int:
    return int((moment - datetime(1970, 1, 1)).total_seconds())


def to_timestamp_array(seconds: np.ndarray) -> pa.Array:
    return pa.array(seconds.astype(np.int64) * 1_000_000, type=pa.timestamp("us"))


def to_date_array(days_since_epoch: np.ndarray) -> pa.Array:
    return pa.array(days_since_epoch.astype(np.int32), type=pa.date32())


def to_amount_array(vnd: np.ndarray) -> pa.Array:
    """Whole VND as decimal(18,2), built from the unscaled 128-bit values (no per-row Python)."""
    unscaled = np.asarray(vnd, dtype=np.int64) * 100
    words = np.empty((len(unscaled), 2), dtype=np.int64)
    words[:, 0] = unscaled
    words[:, 1] = np.where(unscaled < 0, -1, 0)
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(unscaled), [None, pa.py_buffer(words)])


def pick(pool: np.ndarray | list[str], index: np.ndarray) -> pa.Array:
    """Strings chosen from a small pool by index (-1 gives null), without a Python loop."""
    arr = pa.array(list(pool), type=pa.string())
    mask = index < 0
    taken = arr.take(pa.array(np.where(mask, 0, index)))
    if mask.any():
        taken = pc.if_else(pa.array(mask), pa.nulls(len(index), pa.string()), taken)
    return taken


def ascii_slug(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


@dataclass
class Pools:
    person_names: np.ndarray
    company_names: np.ndarray
    addresses: np.ndarray
    person_slugs: np.ndarray
    company_slugs: np.ndarray
    foreign_names: np.ndarray


def make_pools(seed: int, size: int = 4_000) -> Pools:
    """Draw text pools once; rows then index into them."""
    fake = Faker("vi_VN")
    fake.seed_instance(seed)
    # vi_VN's plain first_name() falls back to English names; the gendered ones are Vietnamese.
    # First half of the pool is male, second half female.
    people = ([f"{fake.last_name()} {fake.middle_name()} {fake.first_name_male()}" for _ in range(size // 2)]
              + [f"{fake.last_name()} {fake.middle_name()} {fake.first_name_female()}" for _ in range(size // 2)])
    companies = [f"Công ty {kind} {fake.last_name()} {fake.first_name()}"
                 for kind in np.random.default_rng(seed).choice(
                     ["TNHH", "Cổ phần", "TNHH MTV", "TNHH Thương mại"], size=size // 4)]
    addresses = [fake.address().replace("\n", ", ") for _ in range(size // 2)]
    foreign = Faker("en_US")
    foreign.seed_instance(seed)
    foreign_names = [foreign.name() for _ in range(size // 4)]
    return Pools(
        person_names=np.array(people),
        company_names=np.array(companies),
        addresses=np.array(addresses),
        person_slugs=np.array([ascii_slug(p.split(" ")[-1] + p.split(" ")[0]) for p in people]),
        company_slugs=np.array([ascii_slug(c.split(" ", 2)[-1]) for c in companies]),
        foreign_names=np.array(foreign_names),
    )


@dataclass
class Population:
    """State tables as Arrow tables plus the lookups the daily simulation needs."""

    tables: dict[str, pa.Table]
    n_customers: int
    customer_type: np.ndarray          # per customer index (0-based): INDIVIDUAL / ORGANIZATION
    customer_active: np.ndarray        # customer status == active
    registration_day: np.ndarray       # days since epoch
    activity_rate: np.ndarray          # expected transactions per day
    amount_scale: np.ndarray           # per-customer multiplier on amounts
    checking: np.ndarray               # account_id of the customer's main account
    savings: np.ndarray                # account_id or NO_ID
    ewallet: np.ndarray                # account_id or NO_ID
    account_active: np.ndarray         # indexed by account_id
    account_balance: np.ndarray        # indexed by account_id, whole VND: the running balance (generators/ledger.py)
    account_opened_day: np.ndarray     # indexed by account_id
    primary_device: np.ndarray         # device_id
    secondary_device: np.ndarray       # device_id or NO_ID
    device_type_by_id: np.ndarray      # indexed by device_id: 0 mobile, 1 computer, 2 tablet
    dormant_customers: np.ndarray      # customer indexes with no normal activity
    domestic_accounts: np.ndarray      # other_account_id at domestic banks
    foreign_accounts: np.ndarray       # other_account_id at foreign banks
    next_device_id: int

    def customer_id(self, index: np.ndarray) -> np.ndarray:
        return index + 1


def _weighted_provinces(ref: Reference) -> tuple[np.ndarray, np.ndarray]:
    codes = np.array(ref.province_codes)
    weights = np.array([_BIG_PROVINCES.get(c, 1.0) for c in codes])
    return codes, weights / weights.sum()


def build_population(cfg: GenerateConfig, ref: Reference, pools: Pools) -> Population:
    """Customers, their accounts and devices, and the counterparties at other banks, in that order:
    each stage is a function of its inputs and the one random stream (the order of draws is part of
    the output, so the stages always run in this order)."""
    rng = cfg.rng(0)
    n = cfg.customers
    start_day = (cfg.start_date - datetime(1970, 1, 1).date()).days
    start_sec = start_day * SECONDS_PER_DAY
    c = _customer_stage(rng, cfg, ref, pools, start_day)
    b = _behaviour_stage(rng, c.is_ind, c.status, n)
    a = _account_stage(rng, cfg, c.ctype, b.dormant, c.registration_day, start_day, start_sec, c.idx)
    d = _device_stage(rng, c.ctype, c.registration_day, start_day, start_sec, c.idx)
    o = _counterparty_stage(rng, cfg, ref, pools, n)
    pop = _assemble(c, b, a, d, o, n)
    from .ledger import inbound_profile  # the money arriving from outside: its own random stream
    pop.inbound_profile = inbound_profile(cfg, pop)
    return pop


def _customer_stage(rng, cfg: GenerateConfig, ref: Reference, pools: Pools, start_day: int) -> SimpleNamespace:
    """The customers table: type, identity (CCCD or tax code), contact, residence, status."""
    n = cfg.customers
    ctype = (rng.random(n) < cfg.organization_share).astype(np.int8)
    is_ind = ctype == INDIVIDUAL
    idx = np.arange(n)
    ind_rank = np.cumsum(is_ind) - 1
    org_rank = np.cumsum(~is_ind) - 1

    is_female = rng.random(n) < 0.5
    age_years = np.clip(rng.normal(34, 11, n), 18, 78)
    birth_day = (start_day - age_years * 365.25 - rng.integers(0, 365, n)).astype(np.int64)
    birth_year = birth_day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970

    codes, weights = _weighted_provinces(ref)
    birth_province = codes[rng.choice(len(codes), size=n, p=weights)]
    moved = rng.random(n) < 0.3
    residence = np.where(moved, codes[rng.choice(len(codes), size=n, p=weights)], birth_province)

    cccd = np.where(is_ind, cccd_numbers(birth_province, birth_year, is_female, ind_rank,
                                         salt=cfg.seed * 7 + 104_729), "")
    tax = np.where(~is_ind, tax_codes(org_rank, salt=cfg.seed * 11 + 3_571), "")
    phone = phone_numbers(idx, rng.choice([3, 5, 7, 8, 9], size=n, p=[.3, .1, .15, .2, .25]),
                          salt=cfg.seed * 13 + 7_727)

    half = len(pools.person_names) // 2
    person_pick = rng.integers(0, half, n) + np.where(is_female, half, 0)
    company_pick = rng.integers(0, len(pools.company_names), n)
    name = np.where(is_ind, pools.person_names[person_pick], pools.company_names[company_pick])
    slug = np.where(is_ind, pools.person_slugs[person_pick], pools.company_slugs[company_pick])
    domain = np.where(is_ind, _EMAIL_DOMAINS[rng.integers(0, len(_EMAIL_DOMAINS), n)],
                      np.char.add(slug, ".com.vn"))
    local = np.where(is_ind, np.char.add(slug, (idx + 1).astype(str)), "contact")
    email = np.char.add(np.char.add(local, "@"), domain)
    address = pools.addresses[rng.integers(0, len(pools.addresses), n)]

    registration_day = start_day - rng.integers(1, 1_500, n)
    status_draw = rng.random(n)
    status = np.where(status_draw < 0.95, "active", np.where(status_draw < 0.99, "inactive", "suspended"))
    customer_updated = (registration_day * SECONDS_PER_DAY
                        + rng.integers(0, (start_day - registration_day) * SECONDS_PER_DAY))

    customers = pa.table({
        "customer_id": pa.array(idx + 1),
        "customer_type": pick(["individual", "organization"], ctype),
        "cccd_number": pa.array(np.where(is_ind, cccd, None).tolist(), type=pa.string()),
        "tax_code": pa.array(np.where(is_ind, None, tax).tolist(), type=pa.string()),
        "full_name": pa.array(name.tolist()),
        "gender": pick(["male", "female"], np.where(is_ind, is_female.astype(int), -1)),
        "date_of_birth": pc.if_else(pa.array(is_ind), to_date_array(birth_day),
                                            pa.nulls(n, pa.date32())),
        "phone_number": pa.array(phone.tolist()),
        "email": pa.array(email.tolist()),
        "address": pa.array(address.tolist()),
        "province_code": pa.array(residence.tolist()),
        "registration_date": to_date_array(registration_day),
        "status": pa.array(status.tolist()),
        "updated_at": to_timestamp_array(customer_updated),
    }, schema=TABLES["customers"].arrow_schema)

    return SimpleNamespace(customers=customers, ctype=ctype, is_ind=is_ind, idx=idx,
                           registration_day=registration_day, status=status)


def _behaviour_stage(rng, is_ind: np.ndarray, status: np.ndarray, n: int) -> SimpleNamespace:
    """Activity rates and amount scales; dormant customers never transact on their own."""
    dormant = is_ind & (rng.random(n) < 0.03)
    rate = np.where(is_ind, rng.lognormal(np.log(1.0), 0.8, n), rng.lognormal(np.log(6.0), 0.7, n))
    rate = np.where(dormant, 0.0, rate)
    rate = np.where(status == "active", rate, rate * 0.05)  # blocked customers rarely try
    amount_scale = rng.lognormal(0.0, 0.5, n) * np.where(is_ind, 1.0, 12.0)

    return SimpleNamespace(dormant=dormant, rate=rate, amount_scale=amount_scale)


def _account_stage(rng, cfg: GenerateConfig, ctype, dormant, registration_day, start_day: int, start_sec: int,
                   idx) -> SimpleNamespace:
    """Accounts: a checking account each, savings and e-wallets for some, balances and statuses."""
    n = len(idx)
    is_ind = ctype == INDIVIDUAL
    has_savings = rng.random(n) < np.where(is_ind, 0.35, 0.5)
    has_ewallet = rng.random(n) < np.where(is_ind, 0.5, 0.1)
    has_savings &= ~dormant
    has_ewallet &= ~dormant
    per_customer = 1 + has_savings.astype(int) + has_ewallet.astype(int)
    n_acc = int(per_customer.sum())
    acc_customer = np.repeat(idx, per_customer)
    slot = np.arange(n_acc) - np.repeat(np.cumsum(per_customer) - per_customer, per_customer)
    # slot 0 checking; slot 1 savings if any else ewallet; slot 2 ewallet
    acc_kind = np.where(slot == 0, 0, np.where((slot == 1) & has_savings[acc_customer], 1, 2))
    account_id = np.arange(1, n_acc + 1)
    checking = np.full(n, NO_ID, np.int64)
    savings = np.full(n, NO_ID, np.int64)
    ewallet = np.full(n, NO_ID, np.int64)
    checking[acc_customer[acc_kind == 0]] = account_id[acc_kind == 0]
    savings[acc_customer[acc_kind == 1]] = account_id[acc_kind == 1]
    ewallet[acc_customer[acc_kind == 2]] = account_id[acc_kind == 2]

    acc_is_org = ctype[acc_customer] == ORGANIZATION
    median = np.select([acc_kind == 0, acc_kind == 1], [40e6, 80e6], 4e6) * np.where(acc_is_org, 30, 1)
    balance = np.round(rng.lognormal(np.log(median), 1.0), -3)
    dormant_acc = dormant[acc_customer]
    balance = np.where(dormant_acc, np.round(rng.lognormal(np.log(250e6), 0.8, n_acc), -3), balance)
    reg = registration_day[acc_customer]
    opened_day = reg + (rng.random(n_acc) * (start_day - reg) * 0.3).astype(np.int64)
    opened_day = np.where(dormant_acc, np.minimum(opened_day, start_day - 400), opened_day)
    opened_sec = opened_day * SECONDS_PER_DAY + rng.integers(7 * 3600, 21 * 3600, n_acc)
    acc_draw = rng.random(n_acc)
    acc_status = np.select(
        [acc_draw < 0.975, acc_draw < 0.99, acc_draw < 0.996],
        ["active", "inactive", "frozen"], "closed")
    acc_status = np.where((acc_kind == 0) & (acc_status == "closed"), "frozen", acc_status)
    acc_status = np.where(dormant_acc, "active", acc_status)
    acc_updated = np.maximum(opened_sec, start_sec - rng.integers(1, 200, n_acc) * SECONDS_PER_DAY)

    accounts = pa.table({
        "account_id": pa.array(account_id),
        "customer_id": pa.array(acc_customer + 1),
        "account_number": pa.array(np.char.add(TIMO_ACCOUNT_PREFIX,
                                               zero_pad(scatter(account_id, 100_000_000, cfg.seed + 1), 8)).tolist()),
        "account_type": pick([CHECKING, SAVINGS, EWALLET], acc_kind),
        "currency": pa.array(["VND"] * n_acc),
        "opened_at": to_timestamp_array(opened_sec),
        "balance": to_amount_array(balance),
        "status": pa.array(acc_status.tolist()),
        "updated_at": to_timestamp_array(acc_updated),
        # the period's ledger starts here; generate and advance set `balance` and `balance_at` at its end
        "opening_balance": to_amount_array(balance),
        "balance_at": to_timestamp_array(np.full(n_acc, start_sec)),
    }, schema=TABLES["bank_accounts"].arrow_schema)

    return SimpleNamespace(accounts=accounts, checking=checking, savings=savings, ewallet=ewallet,
                           account_id=account_id, acc_status=acc_status, balance=balance, opened_day=opened_day,
                           n_acc=n_acc)


def _device_stage(rng, ctype, registration_day, start_day: int, start_sec: int, idx) -> SimpleNamespace:
    """One or two devices per customer, with their first use, trust and status."""
    n = len(idx)
    has_second = rng.random(n) < 0.35
    dev_per = 1 + has_second.astype(int)
    n_dev = int(dev_per.sum())
    dev_customer = np.repeat(idx, dev_per)
    dev_slot = np.arange(n_dev) - np.repeat(np.cumsum(dev_per) - dev_per, dev_per)
    dev_is_org = ctype[dev_customer] == ORGANIZATION
    # individuals: mobile first, then tablet or computer; organisations: computer first, then mobile
    dev_type = np.where(dev_slot == 0, np.where(dev_is_org, 1, 0),
                        np.where(dev_is_org, 0, rng.choice([1, 2], size=n_dev)))
    device_id = np.arange(1, n_dev + 1)
    primary_device = device_id[dev_slot == 0]
    secondary_device = np.full(n, NO_ID, np.int64)
    secondary_device[dev_customer[dev_slot == 1]] = device_id[dev_slot == 1]
    first_seen = (registration_day[dev_customer] * SECONDS_PER_DAY
                  + (rng.random(n_dev) * (start_day - registration_day[dev_customer]) * SECONDS_PER_DAY
                     * np.where(dev_slot == 0, 0.05, 0.8)).astype(np.int64))
    trusted = rng.random(n_dev) < np.where(dev_slot == 0, 0.97, 0.7)
    dev_draw = rng.random(n_dev)
    dev_status = np.where(dev_slot == 0, "active",
                          np.select([dev_draw < 0.96, dev_draw < 0.98], ["active", "blocked"], "suspicious"))
    device_tables = [_device_table(device_id, dev_customer, dev_type, first_seen, trusted, dev_status,
                                   start_sec, rng)]

    return SimpleNamespace(device_tables=device_tables, primary_device=primary_device,
                           secondary_device=secondary_device, device_id=device_id, dev_type=dev_type, n_dev=n_dev)


def _counterparty_stage(rng, cfg: GenerateConfig, ref: Reference, pools: Pools, n: int) -> SimpleNamespace:
    """Customers and accounts at other banks, domestic (NAPAS) and foreign."""
    n_other = max(200, n)
    foreign_share = 0.06
    is_foreign = rng.random(n_other) < foreign_share
    dom_banks = np.array(ref.bank_codes_domestic)
    for_banks = np.array(ref.bank_codes_foreign)
    dom_weights = np.linspace(2.0, 0.6, len(dom_banks))
    bank = np.where(is_foreign, for_banks[rng.integers(0, len(for_banks), n_other)],
                    dom_banks[rng.choice(len(dom_banks), size=n_other, p=dom_weights / dom_weights.sum())])
    other_ids = np.arange(1, n_other + 1)
    country = {"CITI": "US", "HSBC": "HK", "DBS": "SG", "MUFG": "JP"}
    currency = CURRENCY_BY_COUNTRY
    other_country = np.array([country.get(b, "VN") for b in bank])
    other_is_org = rng.random(n_other) < 0.2
    foreign_pick = pools.foreign_names[rng.integers(0, len(pools.foreign_names), n_other)]
    company_pick_other = pools.company_names[rng.integers(0, len(pools.company_names), n_other)]
    person_pick_other = pools.person_names[rng.integers(0, len(pools.person_names), n_other)]
    other_name = np.where(is_foreign, foreign_pick, np.where(other_is_org, company_pick_other, person_pick_other))
    other_customers = pa.table({
        "other_customer_id": pa.array(other_ids),
        "bank_code": pa.array(bank.tolist()),
        "customer_type": pick(["individual", "organization"], other_is_org.astype(int)),
        "full_name": pa.array(other_name.tolist()),
        "country_code": pa.array(other_country.tolist()),
    }, schema=TABLES["other_bank_customers"].arrow_schema)
    other_accounts = pa.table({
        "other_account_id": pa.array(other_ids),
        "other_customer_id": pa.array(other_ids),
        "bank_code": pa.array(bank.tolist()),
        "account_number": pa.array(
            np.char.add(bank, zero_pad(scatter(other_ids, 10_000_000_000, cfg.seed + 5), 10)).tolist()),
        "currency": pa.array([currency.get(c, "VND") for c in other_country]),
    }, schema=TABLES["other_bank_accounts"].arrow_schema)

    return SimpleNamespace(other_customers=other_customers, other_accounts=other_accounts, other_ids=other_ids,
                           is_foreign=is_foreign)


def _assemble(c, b, a, d, o, n: int) -> Population:
    """The population: the state tables and the lookups the day-by-day simulation reads."""
    account_id, acc_status, balance, opened_day, n_acc = a.account_id, a.acc_status, a.balance, a.opened_day, a.n_acc
    device_id, dev_type, n_dev = d.device_id, d.dev_type, d.n_dev
    account_active = np.zeros(n_acc + 1, bool)
    account_active[account_id] = acc_status == "active"
    account_balance = np.zeros(n_acc + 1, np.int64)
    account_balance[account_id] = balance.astype(np.int64)
    account_opened = np.zeros(n_acc + 1, np.int64)
    account_opened[account_id] = opened_day
    dev_type_by_id = np.zeros(n_dev + 1, np.int8)
    dev_type_by_id[device_id] = dev_type

    pop = Population(
        tables={"customers": c.customers, "bank_accounts": a.accounts,
                "other_bank_customers": o.other_customers, "other_bank_accounts": o.other_accounts},
        n_customers=n, customer_type=c.ctype, customer_active=c.status == "active",
        registration_day=c.registration_day, activity_rate=b.rate, amount_scale=b.amount_scale,
        checking=a.checking, savings=a.savings, ewallet=a.ewallet, account_active=account_active,
        account_balance=account_balance, account_opened_day=account_opened,
        primary_device=d.primary_device, secondary_device=d.secondary_device,
        device_type_by_id=dev_type_by_id, dormant_customers=np.flatnonzero(b.dormant),
        domestic_accounts=o.other_ids[~o.is_foreign], foreign_accounts=o.other_ids[o.is_foreign],
        next_device_id=n_dev + 1,
    )
    pop.device_tables = d.device_tables  # extended by scenarios that register new devices
    return pop




def _device_table(device_id, customer_index, dev_type, first_seen, trusted, status, last_seen_sec,
                  rng: np.random.Generator) -> pa.Table:
    n = len(device_id)
    os_pick = np.select(
        [dev_type == 0, dev_type == 1],
        [_MOBILE_OS[rng.integers(0, len(_MOBILE_OS), n)], _COMPUTER_OS[rng.integers(0, len(_COMPUTER_OS), n)]],
        _TABLET_OS[rng.integers(0, len(_TABLET_OS), n)])
    ident = np.char.add(np.char.mod("%016x", rng.integers(0, 2**62, n)),
                        np.char.mod("%016x", rng.integers(0, 2**62, n)))
    last_seen = np.maximum(first_seen, np.asarray(last_seen_sec) - rng.integers(0, 3 * SECONDS_PER_DAY, n))
    return pa.table({
        "device_id": pa.array(np.asarray(device_id, np.int64)),
        "customer_id": pa.array(np.asarray(customer_index, np.int64) + 1),
        "device_type": pick(["mobile", "computer", "tablet"], np.asarray(dev_type)),
        "device_identifier": pa.array(ident.tolist()),
        "os_info": pa.array(os_pick.tolist()),
        "is_trusted": pa.array(np.asarray(trusted, bool)),
        "first_seen": to_timestamp_array(np.asarray(first_seen)),
        "last_seen": to_timestamp_array(last_seen),
        "status": pa.array(np.asarray(status).tolist(), type=pa.string()),
        "updated_at": to_timestamp_array(np.asarray(first_seen)),
    }, schema=TABLES["devices"].arrow_schema)


def new_devices_table(device_id, customer_index, dev_type, first_seen, trusted, rng) -> pa.Table:
    """Devices registered during the simulated period (legitimate changes and takeovers)."""
    n = len(device_id)
    return _device_table(np.asarray(device_id), np.asarray(customer_index), np.asarray(dev_type),
                         np.asarray(first_seen), np.asarray(trusted, bool), np.array(["active"] * n),
                         np.asarray(first_seen), rng)
