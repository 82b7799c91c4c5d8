"""Fraud typologies (docs/domain.md §6) and legitimate device changes, planned once and played day by day.

`--fraud-rate` is the share of all transactions that belong to a planted scenario.  Every typology gets
the same number of events; an event's transactions are labelled in `fraud_labels` with its scenario
and event id.  What is labelled per typology:

- account_takeover: the high-value transfers made from the newly registered device.
- structuring: every just-under-10M transfer of the burst.
- mule_account: the inflows from many senders and the forwarding outflows.
- velocity_burst: every transaction of the burst.
- dormant_reactivation: the large outflows from the long-quiet account.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .activity import DeviceSwitch, payee_index
from .batch import SCENARIOS, T, concat, make_batch, round_vnd
from .population import INDIVIDUAL, NO_ID, SECONDS_PER_DAY, Population

EVENT_SIZE = {"account_takeover": 1.3, "structuring": 4.5, "mule_account": 11.0,
              "velocity_burst": 11.5, "dormant_reactivation": 1.25}
DORMANT_QUIET_DAYS = 14
# The detector counts quiet time from the start of the data: an event on day 15 (0-based) or later has
# 14 full quiet days behind it whatever hour the data starts, so shorter datasets get no dormant event.
DORMANT_FIRST_DAY = DORMANT_QUIET_DAYS + 1
LEGIT_DEVICE_CHANGES_PER_30_DAYS = 0.02


@dataclass
class Plan:
    events: dict[int, list[tuple[str, int, int]]] = field(default_factory=dict)  # day -> (scenario, id, customer)
    counts: dict[str, int] = field(default_factory=dict)
    not_planted: dict[str, str] = field(default_factory=dict)                    # typology -> why
    device_changes: dict[int, np.ndarray] = field(default_factory=dict)          # day -> customer indexes


def _eligible(pop: Population) -> np.ndarray:
    dormant = np.zeros(pop.n_customers, bool)
    dormant[pop.dormant_customers] = True
    ok = (pop.customer_type == INDIVIDUAL) & pop.customer_active & ~dormant
    ok &= pop.account_active[pop.checking]
    return np.flatnonzero(ok)


def plan_scenarios(cfg, pop: Population) -> Plan:
    rng = cfg.rng(2)
    plan = Plan()
    expected = float(pop.activity_rate.sum()) * cfg.days * 0.97
    per_typology = 0
    if cfg.fraud_rate > 0:
        per_typology = max(1, int(round(cfg.fraud_rate * expected / sum(EVENT_SIZE.values()))))
    eligible = rng.permutation(_eligible(pop))
    if len(eligible) == 0:
        eligible = np.arange(pop.n_customers)
    cursor = 0
    event_id = 1
    for scenario in SCENARIOS:
        if scenario == "dormant_reactivation":
            pool = rng.permutation(pop.dormant_customers)
            count = min(per_typology, len(pool))
            if count and cfg.days <= DORMANT_FIRST_DAY:
                plan.not_planted[scenario] = dormant_too_short(cfg.days)
                count = 0
            actors = pool[:count]
            days = rng.integers(DORMANT_FIRST_DAY, max(cfg.days, DORMANT_FIRST_DAY + 1), count)
        else:
            count = per_typology
            take = np.arange(cursor, cursor + count) % len(eligible)
            cursor += count
            actors = eligible[take]
            days = rng.integers(0, cfg.days, count)
        plan.counts[scenario] = int(count)
        for day, actor in zip(days.tolist(), actors.tolist(), strict=True):
            plan.events.setdefault(day, []).append((scenario, event_id, actor))
            event_id += 1

    changers = eligible[rng.random(len(eligible)) < LEGIT_DEVICE_CHANGES_PER_30_DAYS * cfg.days / 30]
    change_day = rng.integers(0, cfg.days, len(changers))
    for day in np.unique(change_day):
        plan.device_changes[int(day)] = changers[change_day == day]
    return plan


def dormant_too_short(days: int) -> str:
    return (f"a dataset of {days} days is too short: an account must be quiet for {DORMANT_QUIET_DAYS} days "
            f"from the start of the data, so events start on day {DORMANT_FIRST_DAY + 1} (use --days "
            f"{DORMANT_FIRST_DAY + 1} or more)")


class DeviceRegistry:
    """Devices registered during the period; their rows are appended to the devices table."""

    def __init__(self, first_id: int):
        self.next_id = first_id
        self.rows: dict[str, list] = {"device_id": [], "customer": [], "first_seen": [], "trusted": []}

    def register(self, customer: int, first_seen: int, trusted: bool) -> int:
        device_id = self.next_id
        self.next_id += 1
        for key, value in zip(self.rows, (device_id, customer, first_seen, trusted), strict=True):
            self.rows[key].append(value)
        return device_id


def apply_device_changes(rng, plan: Plan, day: int, day_start: int, switch: DeviceSwitch,
                         registry: DeviceRegistry) -> None:
    for cust in plan.device_changes.get(day, np.array([], np.int64)).tolist():
        when = day_start + int(rng.integers(6 * 3600, 21 * 3600))
        switch.time[cust] = when
        switch.device[cust] = registry.register(cust, when, bool(rng.random() < 0.7))


def scenario_batch(rng, plan: Plan, day: int, day_start: int, pop: Population,
                   registry: DeviceRegistry, credits: list | None = None) -> dict[str, np.ndarray]:
    """The day's planted transactions; credits from outside the bank that an event needs (a mule's
    outside senders) are appended to `credits` (generators/ledger.py)."""
    batches = []
    for scenario, event_id, actor in plan.events.get(day, []):
        build = _BUILDERS[scenario]
        batch = (_mule_account(rng, pop, actor, day_start, registry, credits) if scenario == "mule_account"
                 else build(rng, pop, actor, day_start, registry))
        batch["scenario"][:] = SCENARIOS.index(scenario)
        batch["event_id"][:] = event_id
        batches.append(batch)
    return concat(batches)


def _new_payees(rng, pop: Population, k: int) -> np.ndarray:
    return pop.domestic_accounts[rng.integers(0, len(pop.domestic_accounts), k)]


def _account_takeover(rng, pop, victim, day_start, registry):
    night = rng.random() < 0.7
    hour = rng.integers(0, 5) if night else rng.integers(8, 22)
    t0 = day_start + int(hour) * 3600 + int(rng.integers(0, 3000))
    device = registry.register(victim, t0 - int(rng.integers(120, 900)), trusted=False)
    k = 1 + int(rng.random() < 0.3)
    ts = t0 + np.arange(k) * rng.integers(120, 600, k)
    interbank = rng.random(k) < 0.8
    ttype = np.where(interbank, T["transfer_interbank_domestic"], T["transfer_same_bank_diff_owner"])
    strangers = rng.integers(0, pop.n_customers, k)
    return make_batch(
        k, customer=victim, from_account=pop.checking[victim],
        to_internal=np.where(interbank, NO_ID, pop.checking[strangers]),
        to_external=np.where(interbank, _new_payees(rng, pop, k), NO_ID),
        # the fraudster takes most of what the account holds (the victim's balance at the start of the day)
        device=device, ttype=ttype, amount=_takeover_amounts(rng, pop.account_balance[pop.checking[victim]], k),
        ts=ts,
        target_level=1, forced_failures=np.r_[int(rng.integers(1, 3)), np.zeros(k - 1, int)],
        allow_biometric_match=False, first_use_of_device=np.arange(k) == 0)


def _takeover_amounts(rng, balance: float, k: int) -> np.ndarray:
    wanted = rng.lognormal(np.log(80e6), 0.6, k)
    share = rng.uniform(0.6, 0.95) / k
    return round_vnd(np.where(balance * share >= 20e6, np.minimum(wanted, balance * share), wanted))


def _structuring(rng, pop, actor, day_start, _registry):
    k = int(rng.integers(3, 7))
    ts = day_start + int(rng.integers(8, 16)) * 3600 + np.cumsum(rng.integers(600, 3000, k))
    interbank = rng.random(k) < 0.6
    payees = payee_index(np.full(k, actor), rng, len(pop.domestic_accounts), 3, new_share=0.0)
    friends = payee_index(np.full(k, actor), rng, pop.n_customers, 17, new_share=0.0)
    friends = np.where(friends == actor, (friends + 1) % pop.n_customers, friends)
    return make_batch(
        k, customer=actor, from_account=pop.checking[actor],
        to_internal=np.where(interbank, NO_ID, pop.checking[friends]),
        to_external=np.where(interbank, pop.domestic_accounts[payees], NO_ID),
        device=pop.primary_device[actor],
        ttype=np.where(interbank, T["transfer_interbank_domestic"], T["transfer_same_bank_diff_owner"]),
        amount=(np.round(rng.uniform(9.0e6, 9.95e6, k), -4)).astype(np.int64), ts=ts)


def _mule_account(rng, pop, mule, day_start, _registry, credits: list | None = None):
    """Senders inside the bank pay the mule's account, and (when `credits` is given) one to three
    strangers at other banks too; most of the money leaves again within hours."""
    wanted = min(int(rng.integers(6, 13)), pop.n_customers - 1)
    outside = int(rng.integers(1, 4)) if credits is not None and len(pop.domestic_accounts) else 0
    wanted = max(wanted - outside, 1)
    candidates = rng.integers(0, pop.n_customers, 4 * wanted + 8)
    # senders are ordinary customers: a dormant one paying in would break its own quiet period
    candidates = candidates[~np.isin(candidates, pop.dormant_customers)]
    _, first_seen = np.unique(candidates, return_index=True)
    distinct = candidates[np.sort(first_seen)]
    senders = distinct[distinct != mule][:wanted]
    k_in = len(senders)
    inflow = round_vnd(rng.uniform(3e6, 15e6, k_in))
    start = day_start + int(rng.integers(8, 13)) * 3600
    ts_in = np.sort(start + rng.integers(0, 4 * 3600, k_in))
    incoming = make_batch(
        k_in, customer=senders, from_account=pop.checking[senders], to_internal=pop.checking[mule],
        device=pop.primary_device[senders], ttype=T["transfer_same_bank_diff_owner"], amount=inflow, ts=ts_in)
    arrived = inflow.sum()
    if outside:
        from .ledger import external_credits
        ts_ext = np.sort(start + rng.integers(0, 4 * 3600, outside))
        ext = external_credits(rng, pop, pop.inbound_profile, int(pop.checking[mule]), ts_ext)
        credits.append(ext)
        arrived += ext["amount"].sum()
        ts_in = np.r_[ts_in, ts_ext]
    k_out = int(rng.integers(1, 4))
    share = rng.uniform(0.8, 0.95)
    split = rng.dirichlet(np.ones(k_out))
    out_amount = round_vnd(arrived * share * split)
    ts_out = ts_in.max() + int(rng.integers(1200, 10800)) + np.cumsum(rng.integers(300, 1800, k_out))
    outgoing = make_batch(
        k_out, customer=mule, from_account=pop.checking[mule], to_external=_new_payees(rng, pop, k_out),
        device=pop.primary_device[mule], ttype=T["transfer_interbank_domestic"], amount=out_amount,
        ts=np.minimum(ts_out, day_start + SECONDS_PER_DAY - 60))
    return concat([incoming, outgoing])


def _velocity_burst(rng, pop, actor, day_start, _registry):
    k = int(rng.integers(8, 16))
    t0 = day_start + int(rng.integers(7, 22)) * 3600 + int(rng.integers(0, 3000))
    ts = np.sort(t0 + rng.integers(0, int(rng.integers(120, 361)), k))
    draw = rng.random(k)
    to_friend = draw < 0.3
    strangers = rng.integers(0, pop.n_customers, k)
    strangers = np.where(strangers == actor, (strangers + 1) % pop.n_customers, strangers)
    return make_batch(
        k, customer=actor, from_account=pop.checking[actor],
        to_internal=np.where(to_friend, pop.checking[strangers], NO_ID),
        device=pop.primary_device[actor],
        ttype=np.where(to_friend, T["transfer_same_bank_diff_owner"], T["payment_goods_services"]),
        amount=round_vnd(rng.lognormal(np.log(5e5), 0.6, k)), ts=ts)


def _dormant_reactivation(rng, pop, actor, day_start, _registry):
    account = pop.checking[actor]
    balance = pop.account_balance[account]
    first = balance * rng.uniform(0.7, 1.0)
    amounts = [first]
    if rng.random() < 0.25:
        amounts.append((balance - first) * rng.uniform(0.5, 0.9))
    amounts = round_vnd(np.array(amounts))
    k = len(amounts)
    ts = day_start + int(rng.integers(7, 23)) * 3600 + np.cumsum(rng.integers(60, 1200, k))
    return make_batch(
        k, customer=actor, from_account=account, to_external=_new_payees(rng, pop, k),
        device=pop.primary_device[actor], ttype=T["transfer_interbank_domestic"], amount=amounts,
        ts=np.minimum(ts, day_start + SECONDS_PER_DAY - 60))


_BUILDERS = {
    "account_takeover": _account_takeover,
    "structuring": _structuring,
    "mule_account": _mule_account,
    "velocity_burst": _velocity_burst,
    "dormant_reactivation": _dormant_reactivation,
}
