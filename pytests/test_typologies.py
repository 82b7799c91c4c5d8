"""The typology rules, tried on events written here rather than by the generator: other sizes and
timings, day and month boundaries, mixed with a customer's normal activity, and look-alikes that must
not fire (docs/domain.md §6 says how the detector reads each typology).

A generated dataset without planted fraud (October 15 to November 3, so a month boundary is inside it)
gets extra transactions, each with a successful authentication, appended to the day files they belong
to; then it is loaded and built once. For every event all of its transactions must carry the
typology's alert; for every look-alike none may.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from generators.config import GenerateConfig
from generators.generate import generate
from pipeline.loader import load_duckdb

from .conftest import run_dbt

START = dt.date(2026, 10, 15)
SETTINGS = dict(customers=250, days=20, seed=31, fraud_rate=0.0, start_date=START)
FIRST_ID = 6_000_000_000_000  # keys of the added rows never collide with generated ones
BIOMETRIC = 16  # authentication method id of the biometric match (seeds/authentication_methods.csv)


def at(day: str, clock: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day} {clock}")


class Writer:
    """Collects added transactions and their authentication logs, then writes them into the dataset."""

    def __init__(self, data: Path):
        self.data = data
        self.next_id = FIRST_ID
        self.transactions: list[dict] = []
        self.logs: list[dict] = []
        self.credits: list[dict] = []
        self.events: dict[str, tuple[str, list[int]]] = {}  # name -> (rule, transaction ids)
        self.look_alikes: dict[str, tuple[str, list[int]]] = {}

    def add(self, customer: dict, when: dt.datetime, amount: int, kind: str, to_internal=None,
            to_external=None) -> int:
        self.next_id += 1
        tid = self.next_id
        self.transactions.append({
            "transaction_id": tid, "from_account_id": customer["account_id"], "to_internal_account_id": to_internal,
            "to_external_account_id": to_external, "customer_id": customer["customer_id"],
            "device_id": customer["device_id"], "transaction_type": kind, "amount": Decimal(amount),
            "description": "added by test_typologies", "transaction_ts": when, "status": "completed",
            "channel": "mobile_app"})
        self.logs.append({"log_id": tid, "transaction_id": tid, "auth_method_id": BIOMETRIC, "auth_result": "success",
                          "auth_ts": when + dt.timedelta(seconds=5), "failure_reason": None})
        return tid

    def credit(self, account_id: int, when: dt.datetime, amount: int, sender: dict) -> None:
        """A credit from an account at another bank (inbound_transfers); it has no alert of its own."""
        self.next_id += 1
        self.credits.append({
            "inbound_id": self.next_id, "to_account_id": account_id, "from_external_account_id": sender["id"],
            "sender_bank_code": sender["bank"], "sender_account_number": sender["number"],
            "sender_name": sender["name"], "inbound_type": "interbank_domestic", "amount": Decimal(amount),
            "description": "added by test_typologies", "transaction_ts": when, "status": "completed"})

    def event(self, name: str, rule: str, ids: list[int], look_alike: bool = False) -> None:
        (self.look_alikes if look_alike else self.events)[name] = (rule, ids)

    def write(self) -> None:
        for table, rows, ts in (("payment_transactions", self.transactions, "transaction_ts"),
                                ("authentication_logs", self.logs, "auth_ts"),
                                ("inbound_transfers", self.credits, "transaction_ts")):
            by_day: dict[dt.date, list[dict]] = {}
            for row in rows:
                by_day.setdefault(row[ts].date(), []).append(row)
            for day, added in by_day.items():
                path = self.data / table / f"{day.isoformat()}.parquet"
                existing = pq.read_table(path)
                pq.write_table(pa.concat_tables([existing, pa.Table.from_pylist(added, schema=existing.schema)]), path)
        # the core's balances move with the added money, so the ledger still reconciles
        moved: dict[int, Decimal] = {}
        for row in self.transactions:
            moved[row["from_account_id"]] = moved.get(row["from_account_id"], 0) - row["amount"]
            if row["to_internal_account_id"] is not None:
                moved[row["to_internal_account_id"]] = moved.get(row["to_internal_account_id"], 0) + row["amount"]
        for row in self.credits:
            moved[row["to_account_id"]] = moved.get(row["to_account_id"], 0) + row["amount"]
        path = self.data / "bank_accounts.parquet"
        accounts = pq.read_table(path)
        rows = accounts.to_pylist()
        paid_out: dict[int, Decimal] = {}
        for row in self.transactions:
            paid_out[row["from_account_id"]] = paid_out.get(row["from_account_id"], 0) + row["amount"]
        for row in rows:
            # the account held enough at the start for everything added (a negative core balance is
            # quarantined, and so would be every transaction of the account)
            cushion = paid_out.get(row["account_id"], 0)
            row["opening_balance"] += cushion
            row["balance"] += cushion + moved.get(row["account_id"], 0)
        pq.write_table(pa.Table.from_pylist(rows, schema=accounts.schema), path)


def _customers(con, data: Path) -> list[dict]:
    """Active individuals with an active checking account and a trusted device, most active first."""
    return [dict(zip(("customer_id", "account_id", "device_id"), row, strict=True)) for row in con.execute(f"""
        with tx as (select * from read_parquet('{data}/payment_transactions/*.parquet'))
        select c.customer_id, min(a.account_id), min(d.device_id)
        from read_parquet('{data}/customers.parquet') c
        join read_parquet('{data}/bank_accounts.parquet') a
            on a.customer_id = c.customer_id and a.account_type = 'checking' and a.status = 'active'
        join read_parquet('{data}/devices.parquet') d
            on d.customer_id = c.customer_id and d.is_trusted and d.status = 'active'
        where c.customer_type = 'individual' and c.status = 'active'
        group by c.customer_id
        having count(*) > 0 and min(a.account_id) in (select from_account_id from tx)
        order by c.customer_id
    """).fetchall()]


def _modest(con, data: Path) -> set[int]:
    """Customers who never send more than 2M to someone else: a mule look-alike's account must not
    forward the money by its normal activity."""
    return {r[0] for r in con.execute(f"""
        select customer_id from read_parquet('{data}/payment_transactions/*.parquet')
        group by customer_id
        having max(case when transaction_type like 'transfer%' and transaction_type <> 'transfer_same_bank_same_owner'
                        or transaction_type = 'ewallet_transfer' then amount else 0 end) <= 2000000
    """).fetchall()}


def _dormant(con, data: Path) -> list[dict]:
    """Customers whose old active checking account never transacts in the data."""
    return [dict(zip(("customer_id", "account_id", "device_id"), row, strict=True)) for row in con.execute(f"""
        select c.customer_id, a.account_id, min(d.device_id)
        from read_parquet('{data}/customers.parquet') c
        join read_parquet('{data}/bank_accounts.parquet') a
            on a.customer_id = c.customer_id and a.account_type = 'checking' and a.status = 'active'
        join read_parquet('{data}/devices.parquet') d on d.customer_id = c.customer_id and d.status = 'active'
        where c.customer_type = 'individual' and c.status = 'active'
            and a.opened_at < timestamp '{START}' - interval 200 days
            and a.account_id not in (select from_account_id from read_parquet('{data}/payment_transactions/*.parquet'))
        group by c.customer_id, a.account_id
        order by c.customer_id
    """).fetchall()]


def _strangers(con, data: Path) -> list[dict]:
    """Accounts at domestic banks, those that paid into Timo least first: a mule's senders must be
    strangers to its account (nothing from them in the two days before), which the test checks."""
    return [dict(zip(("id", "bank", "number", "name"), row, strict=True)) for row in con.execute(f"""
        select a.other_account_id, a.bank_code, a.account_number, c.full_name
        from read_parquet('{data}/other_bank_accounts.parquet') as a
        join read_parquet('{data}/other_bank_customers.parquet') as c using (other_customer_id)
        join read_csv('{Path(__file__).parents[1]}/seeds/banks.csv') as b on a.bank_code = b.bank_code
        left join read_parquet('{data}/inbound_transfers/*.parquet') as i
            on i.from_external_account_id = a.other_account_id
        where b.is_domestic
        group by all
        order by count(i.inbound_id), 1""").fetchall()]


def _plant(w: Writer, people: list[dict], dormant: list[dict], outside: int, modest: set[int],
           strangers: list[dict] | None = None) -> None:
    stranger = iter(strangers or [])
    quiet = iter([p for p in people if p["customer_id"] in modest])
    people = [p for p in people if p["customer_id"] not in modest]
    take = iter(people)

    def pay(customer, when, n, gap_seconds, amount=400_000, kind="payment_goods_services"):
        return [w.add(customer, when + dt.timedelta(seconds=i * gap_seconds), amount, kind) for i in range(n)]

    # velocity_burst: at least 6 of a customer's transactions in some 10-minute window
    w.event("burst of 8 in 4 minutes", "velocity_burst", pay(next(take), at("2026-10-20", "14:00:00"), 8, 30))
    w.event("exactly 6 within 9m55s", "velocity_burst", pay(next(take), at("2026-10-21", "09:00:00"), 6, 119))
    w.event("12 across midnight", "velocity_burst", pay(next(take), at("2026-10-22", "23:57:00"), 12, 40))
    w.event("9 across the month boundary", "velocity_burst", pay(next(take), at("2026-10-31", "23:58:30"), 9, 25))
    w.event("5 in 4 minutes", "velocity_burst", pay(next(take), at("2026-10-23", "03:10:00"), 5, 48), look_alike=True)
    w.event("6 spread over 12 minutes", "velocity_burst", pay(next(take), at("2026-10-24", "03:20:00"), 6, 144),
            look_alike=True)

    # mule_account: 5+ senders pay in, 70 %+ of that leaves within 24 hours of the first inflow
    def mule(name, first_in, senders, each, out_after_hours, out_share, look_alike=False, ordinary=None,
             from_banks=0, regular=False):
        account = next(quiet if look_alike else take)
        ids = []
        # senders at other banks: strangers, or (regular) payers who paid the account the day before too
        outsiders = [next(stranger) for _ in range(from_banks)]
        for k, sender in enumerate(outsiders):
            if regular:
                w.credit(account["account_id"], first_in - dt.timedelta(days=1, minutes=5 * k), 500_000, sender)
            w.credit(account["account_id"], first_in + dt.timedelta(minutes=9 * k + 3), each, sender)
        if ordinary:  # ordinary inflows earlier the same day, from one customer: not part of the burst
            source = next(take)
            for k in range(3):
                w.add(source, first_in - dt.timedelta(hours=9 - k), ordinary, "transfer_same_bank_diff_owner",
                      to_internal=account["account_id"])
        for k in range(senders):
            ids.append(w.add(next(take), first_in + dt.timedelta(minutes=17 * k), each,
                             "transfer_same_bank_diff_owner", to_internal=account["account_id"]))
        total = each * (senders + from_banks) * out_share
        for k in range(2):
            ids.append(w.add(account, first_in + dt.timedelta(hours=out_after_hours, minutes=11 * k), round(total / 2),
                             "transfer_interbank_domestic", to_external=outside))
        w.event(name, "mule_account", ids, look_alike)

    mule("evening in, forwarded after midnight", at("2026-10-25", "21:30:00"), 7, 5_000_000, 4, 0.8)
    mule("ordinary inflows the same day", at("2026-10-26", "15:00:00"), 6, 4_000_000, 2, 0.75,
         ordinary=40_000_000)
    mule("across the month boundary", at("2026-10-31", "22:40:00"), 5, 6_000_000, 2.5, 0.7)
    mule("a shop: 8 payers, 30 % leaves", at("2026-10-27", "10:00:00"), 8, 3_000_000, 3, 0.3, look_alike=True)
    mule("4 senders, all forwarded", at("2026-10-28", "10:00:00"), 4, 8_000_000, 2, 1.0, look_alike=True)
    mule("forwarded 30 hours later", at("2026-10-29", "08:00:00"), 6, 5_000_000, 30, 0.9, look_alike=True)
    # senders at other banks count when they are strangers to the account
    mule("3 inside, 2 strangers at other banks", at("2026-10-30", "11:00:00"), 3, 6_000_000, 3, 0.85, from_banks=2)
    mule("3 inside, 2 regular payers at other banks", at("2026-11-01", "11:00:00"), 3, 6_000_000, 3, 0.85,
         look_alike=True, from_banks=2, regular=True)

    # dormant_reactivation: 20M+ out of an account quiet for 14+ days; transfers in the next 24 hours
    sleeper = iter(dormant)
    d1 = next(sleeper)
    w.event("woken on day 18, a second transfer 3 hours later", "dormant_reactivation",
            [w.add(d1, at("2026-11-01", "10:00:00"), 30_000_000, "transfer_interbank_domestic", to_external=outside),
             w.add(d1, at("2026-11-01", "13:00:00"), 25_000_000, "transfer_interbank_domestic", to_external=outside)])
    d2 = next(sleeper)
    w.event("woken late evening, again after midnight", "dormant_reactivation",
            [w.add(d2, at("2026-11-02", "23:30:00"), 21_000_000, "transfer_interbank_domestic", to_external=outside),
             w.add(d2, at("2026-11-03", "01:10:00"), 22_000_000, "transfer_interbank_domestic", to_external=outside)])
    d3 = next(sleeper)
    w.event("woken with 5M only", "dormant_reactivation",
            [w.add(d3, at("2026-11-01", "11:00:00"), 5_000_000, "transfer_interbank_domestic", to_external=outside)],
            look_alike=True)
    active = next(take)
    w.event("30M from an active account", "dormant_reactivation",
            [w.add(active, at("2026-11-02", "12:00:00"), 30_000_000, "transfer_interbank_domestic",
                   to_external=outside)], look_alike=True)

    # structuring: 3+ transfers of 9M to under 10M within 6 hours (either side)
    def band(customer, start, gaps_hours, amount=9_500_000):
        return [w.add(customer, start + dt.timedelta(hours=h), amount, "transfer_interbank_domestic",
                      to_external=outside) for h in gaps_hours]
    w.event("3 within 5 hours", "structuring", band(next(take), at("2026-10-19", "09:00:00"), [0, 2, 5]))
    w.event("4 across midnight", "structuring", band(next(take), at("2026-10-30", "22:00:00"), [0, 1.5, 3, 4]))
    w.event("3 over 13 hours", "structuring", band(next(take), at("2026-10-18", "07:00:00"), [0, 6.5, 13]),
            look_alike=True)
    w.event("3 of exactly 10M", "structuring", band(next(take), at("2026-10-18", "09:00:00"), [0, 1, 2], 10_000_000),
            look_alike=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("typologies")
    data = root / "data"
    generate(GenerateConfig(fmt="parquet", **SETTINGS), data, quiet=True)
    con = duckdb.connect()
    outside = con.execute(f"""
        select min(other_account_id) from read_parquet('{data}/other_bank_accounts.parquet')
        join read_csv('{Path(__file__).parents[1]}/seeds/banks.csv') using (bank_code) where is_domestic
    """).fetchone()[0]
    w = Writer(data)
    _plant(w, _customers(con, data), _dormant(con, data), outside, _modest(con, data), _strangers(con, data))
    con.close()
    w.write()
    db = root / "warehouse.duckdb"
    load_duckdb(data, db, quiet=True)
    result = run_dbt("build", "--target", "duckdb", "--target-path", str(root / "target"),
                     env={"TIMO_DUCKDB_PATH": str(db), "DBT_LOG_PATH": str(root / "logs")})
    assert result.returncode == 0, result.stdout[-5000:]
    with duckdb.connect(str(db), read_only=True) as con:
        alerts = con.execute("select rule_code, transaction_id from marts.fct_risk_alerts "
                             "where transaction_id is not null").fetchall()
        cases = con.execute("select c.typology, t.transaction_id from marts.fct_fraud_cases c "
                            "join marts.fct_fraud_case_transactions t using (case_id)").fetchall()
        clean = {r[0] for r in con.execute("select transaction_id from intermediate.int_transactions_clean").fetchall()}
    assert all(tid in clean for _, (_, ids) in {**w.events, **w.look_alikes}.items() for tid in ids)
    flagged: dict[str, set[int]] = {}
    for rule, tid in alerts:
        flagged.setdefault(rule, set()).add(tid)
    in_cases: dict[str, set[int]] = {}
    for typology, tid in cases:
        in_cases.setdefault(typology, set()).add(tid)
    return w, flagged, in_cases


def test_every_event_is_caught_whole(built):
    w, flagged, _ = built
    missed = {name: sorted(set(ids) - flagged.get(rule, set())) for name, (rule, ids) in w.events.items()}
    assert not {name: ids for name, ids in missed.items() if ids}, missed
    assert {rule for rule, _ in w.events.values()} == {"velocity_burst", "mule_account", "dormant_reactivation",
                                                       "structuring"}


def test_no_look_alike_fires(built):
    w, flagged, _ = built
    fired = {name: sorted(set(ids) & flagged.get(rule, set())) for name, (rule, ids) in w.look_alikes.items()}
    assert not {name: ids for name, ids in fired.items() if ids}, fired


def test_every_event_is_a_case_and_no_look_alike_is(built):
    """Each event's transactions all sit in a case of its typology (at or above the review score);
    no look-alike's transaction is in a case of that typology."""
    w, _, in_cases = built
    missed = {name: sorted(set(ids) - in_cases.get(rule, set())) for name, (rule, ids) in w.events.items()}
    assert not {name: ids for name, ids in missed.items() if ids}, missed
    raised = {name: sorted(set(ids) & in_cases.get(rule, set())) for name, (rule, ids) in w.look_alikes.items()}
    assert not {name: ids for name, ids in raised.items() if ids}, raised
