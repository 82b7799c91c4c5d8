"""Money arriving from outside the bank, and the running balance every account keeps.

Inbound flows (the `inbound_transfers` table, docs/domain.md §4a): what other banks, employers,
merchants and e-wallet operators pay into Timo accounts. Each customer has a profile drawn once from
the dataset's seed (its own random stream, so the rest of the dataset does not move):

- salary: about 70% of active individuals are paid once a month, on their employer's pay day, from
  the employer's account at a domestic bank, in the morning;
- interbank_domestic: NAPAS credits from people and firms at domestic banks (individuals about one
  every eight days, organisations many a day, their customers paying them);
- interbank_international: a few remittances and export receipts from foreign banks;
- refund: merchants paying back a purchase;
- ewallet_credit: e-wallet operators paying into a customer's Timo e-wallet.

A credit to an account that is not active is returned to the sender (status `returned`) and never
reaches the balance. Dormant customers receive nothing, so that they stay quiet.

Balances (`settle`): every account starts the period at its opening balance; completed credits add
to it and completed debits take from it, in time order (credits first within a second). A payment
that would take the balance below zero fails with `insufficient_funds` instead, and the money stays.
The generator therefore never lets a balance go negative, and the core's reported balance at the end
equals the opening balance plus every completed flow: what the warehouse reconciles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .activity import HOURLY, payee_index
from .batch import T
from .population import INDIVIDUAL, NO_ID, SECONDS_PER_DAY, Population, pick, to_amount_array, to_timestamp_array
from .schema import TABLES

INBOUND_TYPES = ("salary", "interbank_domestic", "interbank_international", "refund", "ewallet_credit")
INB = {name: code for code, name in enumerate(INBOUND_TYPES)}
INBOUND_STATUSES = ("completed", "returned")
PAY_DAYS = np.array([1, 5, 10, 15, 25])
# expected credits per customer and day, by type (salary is monthly and not a rate): individual, organisation;
# NAPAS credits are per transaction the customer makes (money goes round: who pays much is paid much)
PER_OWN_TRANSACTION = {"interbank_domestic"}
DAILY_RATE = {
    "interbank_domestic": (0.3, 0.4),
    "interbank_international": (0.004, 0.05),
    "refund": (0.015, 0.0),
    "ewallet_credit": (0.06, 0.0),
}
# lognormal median (VND, before the customer's own amount scale) and spread; organisations x20 for NAPAS
AMOUNT = {"salary": (14e6, 0.45), "interbank_domestic": (3e6, 1.2), "interbank_international": (20e6, 1.0),
          "refund": (3e5, 1.0), "ewallet_credit": (5e5, 1.0)}
DESCRIPTIONS = {
    "salary": ["Luong thang", "Tra luong", "Salary"],
    "interbank_domestic": ["Chuyen tien", "Tra tien hang", "Hoan tien vay", "CK den"],
    "interbank_international": ["Remittance", "Kieu hoi", "Export proceeds"],
    "refund": ["Hoan tien don hang", "Refund"],
    "ewallet_credit": ["Rut tien tu vi", "Chuyen tu vi dien tu"],
}
DESCRIPTION_POOL = [d for t in INBOUND_TYPES for d in DESCRIPTIONS[t]]
DESCRIPTION_START = np.cumsum([0] + [len(DESCRIPTIONS[t]) for t in INBOUND_TYPES])[:-1]
DESCRIPTION_COUNT = np.array([len(DESCRIPTIONS[t]) for t in INBOUND_TYPES])
MERCHANT_POOL = 40  # refunds and e-wallet credits come from a few merchants' and operators' accounts


@dataclass
class Senders:
    """Who pays in: the counterparty accounts, by kind, and what a payment message says about them."""
    domestic: np.ndarray        # other_account_id at domestic banks
    domestic_firms: np.ndarray  # the organisations among them
    foreign: np.ndarray         # other_account_id at foreign banks
    bank_code: np.ndarray       # indexed by other_account_id
    account_number: np.ndarray
    name: np.ndarray


@dataclass
class InboundProfile:
    employer: np.ndarray      # per customer index: other_account_id paying the salary, or NO_ID
    pay_day: np.ndarray       # day of the month the salary arrives
    salary: np.ndarray        # VND a month
    senders: Senders


def senders_of(pop: Population) -> Senders:
    customers = pop.tables["other_bank_customers"]
    accounts = pop.tables["other_bank_accounts"]
    size = int(np.max(accounts.column("other_account_id").to_numpy())) + 1
    ids = accounts.column("other_account_id").to_numpy()
    owner = accounts.column("other_customer_id").to_numpy()
    firm_by_customer = np.zeros(int(owner.max()) + 1, bool)
    names_by_customer = np.empty(int(owner.max()) + 1, object)
    cids = customers.column("other_customer_id").to_numpy()
    firm_by_customer[cids] = np.asarray(customers.column("customer_type").to_pylist()) == "organization"
    names_by_customer[cids] = customers.column("full_name").to_pylist()
    bank, number, name = (np.empty(size, object) for _ in range(3))
    bank[ids] = accounts.column("bank_code").to_pylist()
    number[ids] = accounts.column("account_number").to_pylist()
    name[ids] = names_by_customer[owner]
    firm = np.zeros(size, bool)
    firm[ids] = firm_by_customer[owner]
    domestic = np.asarray(pop.domestic_accounts)
    firms = domestic[firm[domestic]]
    return Senders(domestic=domestic, domestic_firms=firms if len(firms) else domestic,
                   foreign=np.asarray(pop.foreign_accounts), bank_code=bank, account_number=number, name=name)


def inbound_profile(cfg, pop: Population) -> InboundProfile:
    """Each customer's salary arrangement, from its own random stream (cfg.rng(20))."""
    rng = cfg.rng(20)
    n = pop.n_customers
    senders = senders_of(pop)
    quiet = np.zeros(n, bool)
    quiet[pop.dormant_customers] = True
    employed = (pop.customer_type == INDIVIDUAL) & ~quiet & (rng.random(n) < 0.7)
    employer = senders.domestic_firms[rng.integers(0, len(senders.domestic_firms), n)]
    employer = np.where(employed, employer, NO_ID)
    pay_day = PAY_DAYS[rng.integers(0, len(PAY_DAYS), n)]
    median, sigma = AMOUNT["salary"]
    salary = np.round(rng.lognormal(np.log(median), sigma, n) * pop.amount_scale, -5).astype(np.int64)
    return InboundProfile(employer=employer, pay_day=pay_day, salary=np.maximum(salary, 1_000_000), senders=senders)


def inbound_activity(rng, pop: Population, profile: InboundProfile, day, day_start: int) -> dict[str, np.ndarray]:
    """The day's credits from outside, in time order: to_account, sender, type, amount, ts, description."""
    n = pop.n_customers
    quiet = np.zeros(n, bool)
    quiet[pop.dormant_customers] = True
    is_ind = pop.customer_type == INDIVIDUAL
    has_wallet = pop.ewallet != NO_ID
    parts = []

    paid = np.flatnonzero((profile.employer != NO_ID) & (profile.pay_day == day.day))
    if len(paid):
        parts.append((paid, np.full(len(paid), INB["salary"]), profile.employer[paid], profile.salary[paid],
                      day_start + rng.integers(8 * 3600, 11 * 3600, len(paid))))
    for name, (ind_rate, org_rate) in DAILY_RATE.items():
        rate = np.where(is_ind, ind_rate, org_rate)
        if name in PER_OWN_TRANSACTION:
            rate = np.minimum(rate * pop.activity_rate, np.where(is_ind, 1.0, np.inf))  # a person: a few a week
        if name == "ewallet_credit":
            rate = np.where(has_wallet, rate, 0.0)
        rate = np.where(quiet, 0.0, rate)
        cust = np.repeat(np.arange(n), rng.poisson(rate))
        k = len(cust)
        if name == "interbank_domestic":
            sender = profile.senders.domestic[payee_index(cust, rng, len(profile.senders.domestic), 61)]
        elif name == "interbank_international":
            sender = profile.senders.foreign[payee_index(cust, rng, len(profile.senders.foreign), 67)]
        else:
            pool = profile.senders.domestic_firms[:MERCHANT_POOL]
            sender = pool[rng.integers(0, len(pool), k)]
        median, sigma = AMOUNT[name]
        scale = pop.amount_scale[cust] * np.where(is_ind[cust] | (name != "interbank_domestic"), 1.0, 5.0)
        amount = np.round(rng.lognormal(np.log(median * scale), sigma), -3)
        amount = np.clip(amount, 10_000, 3e9).astype(np.int64)
        hours = rng.choice(24, size=k, p=HOURLY[INDIVIDUAL] / HOURLY[INDIVIDUAL].sum())
        ts = day_start + hours * 3600 + rng.integers(0, 3600, k)
        parts.append((cust, np.full(k, INB[name]), sender, amount, ts))

    cust, itype, sender, amount, ts = (np.concatenate([p[i] for p in parts]) if parts else np.zeros(0, np.int64)
                                       for i in range(5))
    itype = itype.astype(np.int64)
    refund_to_wallet = (itype == INB["refund"]) & has_wallet[cust] & (rng.random(len(cust)) < 0.3)
    to_wallet = (itype == INB["ewallet_credit"]) | refund_to_wallet
    to_account = np.where(to_wallet, pop.ewallet[cust], pop.checking[cust])
    description = DESCRIPTION_START[itype] + rng.integers(0, 1_000, len(itype)) % DESCRIPTION_COUNT[itype]
    order = np.lexsort((to_account, ts))
    return {"customer": cust[order], "to_account": to_account[order], "sender": sender[order],
            "itype": itype[order], "amount": amount[order], "ts": ts[order], "description": description[order]}


def external_credits(rng, pop: Population, profile: InboundProfile, account: int, ts: np.ndarray) -> dict:
    """Credits from strangers at domestic banks into `account` at the given times (the mule typology's
    outside senders): each from a different account."""
    k = len(ts)
    sender = rng.choice(profile.senders.domestic, size=min(k, len(profile.senders.domestic)), replace=False)
    return {"customer": np.zeros(k, np.int64), "to_account": np.full(k, account, np.int64), "sender": sender,
            "itype": np.full(k, INB["interbank_domestic"], np.int64),
            "amount": np.round(rng.uniform(3e6, 15e6, k), -3).astype(np.int64), "ts": np.asarray(ts, np.int64),
            "description": np.full(k, DESCRIPTION_START[INB["interbank_domestic"]], np.int64)}


def merge_inbound(parts: list[dict]) -> dict:
    parts = [p for p in parts if len(p["ts"])]
    if not parts:
        return {k: np.zeros(0, np.int64) for k in ("customer", "to_account", "sender", "itype", "amount", "ts",
                                                    "description")}
    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((out["to_account"], out["ts"]))
    return {k: v[order] for k, v in out.items()}


def settle(balance: np.ndarray, active: np.ndarray, payments: dict, completed: np.ndarray,
           inbound: dict) -> tuple[np.ndarray, np.ndarray]:
    """Apply a day's money to `balance` (int64 VND, indexed by account_id; changed in place).

    `completed`: the payments the bank would otherwise complete. Returns (insufficient, credited):
    the payments that fail for want of funds, and the inbound credits that reach an active account
    (the others are returned). Events run in time order, credits before payments in the same second;
    the first payment that would overdraw an account fails, and the account is looked at again."""
    n_pay, n_in = len(payments["ts"]), len(inbound["ts"])
    credited = active[inbound["to_account"]] if n_in else np.zeros(0, bool)
    moves = completed & (payments["amount"] > 0) & (payments["ttype"] != T["inquiry"])
    # a global order of the day's events: (time, inbound first, position)
    ts = np.concatenate([inbound["ts"], payments["ts"]])
    kind = np.concatenate([np.zeros(n_in, np.int8), np.ones(n_pay, np.int8)])
    seq = np.empty(n_in + n_pay, np.int64)
    seq[np.lexsort((np.arange(n_in + n_pay), kind, ts))] = np.arange(n_in + n_pay)
    in_seq, pay_seq = seq[:n_in], seq[n_in:]
    to_internal, from_account = payments["to_internal"], payments["from_account"]
    # every entry once, in each account's order; a payment that fails later moves nothing (its delta counts 0)
    pay_rows = np.flatnonzero(moves)
    credit_rows = pay_rows[to_internal[pay_rows] != NO_ID]
    in_rows = np.flatnonzero(credited)
    account = np.concatenate([inbound["to_account"][in_rows], to_internal[credit_rows], from_account[pay_rows]])
    delta = np.concatenate([inbound["amount"][in_rows], payments["amount"][credit_rows], -payments["amount"][pay_rows]])
    order_key = np.concatenate([in_seq[in_rows], pay_seq[credit_rows], pay_seq[pay_rows]])
    payment_of = np.concatenate([np.full(len(in_rows), -1, np.int64), credit_rows, pay_rows])
    is_debit = np.concatenate([np.zeros(len(in_rows) + len(credit_rows), bool), np.ones(len(pay_rows), bool)])
    order = np.lexsort((delta, order_key, account))  # a transfer to oneself: the credit after the debit
    account, delta, payment_of, is_debit = account[order], delta[order], payment_of[order], is_debit[order]
    failed = np.zeros(n_pay, bool)
    dirty = np.ones(len(balance), bool)  # the accounts to look at again: at first all of them
    while True:
        sel = np.flatnonzero(dirty[account])
        if len(sel) == 0:
            break
        acc, owner = account[sel], payment_of[sel]
        effective = np.where((owner >= 0) & failed[np.maximum(owner, 0)], 0, delta[sel])
        total = np.cumsum(effective)
        starts = np.flatnonzero(np.r_[True, acc[1:] != acc[:-1]])
        sizes = np.diff(np.r_[starts, len(acc)])
        running = balance[acc] + total - np.repeat(np.r_[0, total[starts[1:] - 1]], sizes)
        bad = np.flatnonzero((running < 0) & is_debit[sel] & (effective != 0))
        if len(bad) == 0:
            break
        _, first = np.unique(np.repeat(starts, sizes)[bad], return_index=True)
        newly = owner[bad[first]]
        failed[newly] = True
        # only the accounts a newly failed payment touches can change: its payer and its Timo payee
        dirty[:] = False
        dirty[from_account[newly]] = True
        payees = to_internal[newly]
        dirty[payees[payees != NO_ID]] = True
    effective = np.where((payment_of >= 0) & failed[np.maximum(payment_of, 0)], 0, delta)
    np.add.at(balance, account, effective)
    return failed, credited


def inbound_table(inbound: dict, credited: np.ndarray, first_id: int, profile: InboundProfile) -> pa.Table:
    n = len(inbound["ts"])
    senders = profile.senders
    sender = inbound["sender"]
    return pa.table({
        "inbound_id": pa.array(np.arange(first_id, first_id + n, dtype=np.int64)),
        "to_account_id": pa.array(inbound["to_account"].astype(np.int64)),
        "from_external_account_id": pa.array(sender.astype(np.int64)),
        "sender_bank_code": pa.array(senders.bank_code[sender].tolist(), type=pa.string()),
        "sender_account_number": pa.array(senders.account_number[sender].tolist(), type=pa.string()),
        "sender_name": pa.array(senders.name[sender].tolist(), type=pa.string()),
        "inbound_type": pick(INBOUND_TYPES, inbound["itype"].astype(np.int64)),
        "amount": to_amount_array(inbound["amount"]),
        "description": pick(DESCRIPTION_POOL, inbound["description"].astype(np.int64)),
        "transaction_ts": to_timestamp_array(inbound["ts"]),
        "status": pick(INBOUND_STATUSES, (~credited).astype(np.int64)),
    }, schema=TABLES["inbound_transfers"].arrow_schema)


def day_end(day_start: int) -> int:
    return day_start + SECONDS_PER_DAY


def _whole_vnd(column: pa.ChunkedArray) -> np.ndarray:
    """decimal(18,2) whole VND as int64 (nulls as 0), without a Python loop."""
    return column.cast(pa.int64(), safe=False).fill_null(0).to_numpy(zero_copy_only=False)


def close_balances(accounts: pa.Table, balance: np.ndarray, at_seconds: int) -> pa.Table:
    """The accounts table with `balance` the running balance and `balance_at` the moment it holds for.
    Rows whose account the population does not know (added by hand or planted dirty) keep theirs."""
    ids = accounts.column("account_id").to_numpy(zero_copy_only=False)
    known = (ids >= 0) & (ids < len(balance))
    old_at = accounts.column("balance_at").cast(pa.int64()).to_numpy(zero_copy_only=False) // 1_000_000
    new_balance = np.where(known, balance[np.where(known, ids, 0)], _whole_vnd(accounts.column("balance")))
    new_at = np.where(known, at_seconds, old_at)
    accounts = accounts.set_column(accounts.schema.get_field_index("balance"), "balance",
                                   to_amount_array(new_balance))
    return accounts.set_column(accounts.schema.get_field_index("balance_at"), "balance_at",
                               to_timestamp_array(new_at))


def balances_from(accounts: pa.Table, balance: np.ndarray) -> None:
    """Set the running balances (in place) from an accounts table's `balance` (where advance resumes)."""
    ids = accounts.column("account_id").to_numpy(zero_copy_only=False)
    known = (ids >= 0) & (ids < len(balance)) & accounts.column("balance").is_valid().to_numpy(zero_copy_only=False)
    balance[ids[known]] = _whole_vnd(accounts.column("balance"))[known]
