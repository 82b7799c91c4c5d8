"""The consistency rules, tried on rows edited in place (the way a faulty extract carries them), not on
the generator's own dirty rows: each broken row is quarantined with its reason, each look-alike that
keeps the rule is not, and raw = clean + quarantined still holds.

Rules (seeds/dq_reason_codes.csv): a transaction's destination fits its type (transaction_destinations),
an interbank transfer's bank fits its scope (banks.is_domestic), an authentication attempt has a failure
reason exactly when it failed, an e-mail address is well formed, a birth date lies in the past and before
registration.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from generators.config import GenerateConfig
from generators.generate import generate
from pipeline.loader import load_duckdb

from .conftest import run_dbt

SETTINGS = dict(customers=300, days=12, seed=5, fraud_rate=0.01)
KEYS = {"customers": "customer_id", "payment_transactions": "transaction_id", "authentication_logs": "log_id"}
QUARANTINE = {"customers": ("quarantine_customers", "customer_id"),
              "payment_transactions": ("quarantine_transactions", "transaction_id"),
              "authentication_logs": ("quarantine_authentication_logs", "auth_log_id")}


def _pick(con, sql: str, n: int = 1) -> list:
    ids = [r[0] for r in con.execute(sql + f" order by 1 limit {n}").fetchall()]
    assert len(ids) == n, sql
    return ids


def _edit(data: Path, table: str, edits: dict[int, dict]) -> None:
    """Apply {key: {column: value}} to the rows of `table` in place, file by file, keeping the schema."""
    key = KEYS[table]
    single = data / f"{table}.parquet"
    files = [single] if single.exists() else sorted((data / table).glob("*.parquet"))
    done = set()
    moved: dict[int, object] = {}  # what the edits change in each account's money, as the core would book it
    for path in files:
        original = pq.read_table(path)
        rows = original.to_pylist()
        touched = False
        for row in rows:
            if row[key] in edits:
                if table == "payment_transactions":
                    _book(moved, row, -1)
                row.update(edits[row[key]])
                if table == "payment_transactions":
                    _book(moved, row, +1)
                done.add(row[key])
                touched = True
        if touched:
            pq.write_table(pa.Table.from_pylist(rows, schema=original.schema), path)
    assert done == set(edits), set(edits) - done
    if moved:  # the core's balances agree with the extract as edited (the ledger reconciliation checks them)
        path = data / "bank_accounts.parquet"
        accounts = pq.read_table(path)
        rows = accounts.to_pylist()
        for row in rows:
            row["balance"] += moved.get(row["account_id"], 0)
        pq.write_table(pa.Table.from_pylist(rows, schema=accounts.schema), path)


def _book(moved: dict, row: dict, sign: int) -> None:
    """Add (sign +1) or take back (-1) a payment's effect on the balances of the Timo accounts it names."""
    if row["status"] != "completed" or row["amount"] is None:
        return
    if row["from_account_id"] is not None:
        moved[row["from_account_id"]] = moved.get(row["from_account_id"], 0) - sign * row["amount"]
    if row["to_internal_account_id"] is not None:
        moved[row["to_internal_account_id"]] = moved.get(row["to_internal_account_id"], 0) + sign * row["amount"]


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    root = tmp_path_factory.mktemp("consistency")
    data = root / "data"
    generate(GenerateConfig(fmt="parquet", **SETTINGS), data, quiet=True)
    con = duckdb.connect()
    tx = f"read_parquet('{data}/payment_transactions/*.parquet')"
    logs = f"read_parquet('{data}/authentication_logs/*.parquet')"
    customers = f"read_parquet('{data}/customers.parquet')"
    accounts = f"read_parquet('{data}/other_bank_accounts.parquet')"
    banks = f"read_csv('{Path(__file__).parents[1]}/seeds/banks.csv')"
    at_banks = f"select other_account_id from {accounts} join {banks} using (bank_code) where"
    foreign = _pick(con, f"{at_banks} not is_domestic")[0]
    domestic = _pick(con, f"{at_banks} is_domestic")[0]

    expected: dict[tuple[str, int], str] = {}  # (table, key) -> reason
    look_alikes: list[tuple[str, int]] = []

    # transactions: destinations by type, and the bank's scope
    labelled = f"select transaction_id from read_parquet('{data}/fraud_labels/*.parquet')"

    def tx_of(kind: str, offset: int = 0) -> int:
        return _pick(con, f"select transaction_id from {tx} where transaction_type = '{kind}' "
                          f"and transaction_id not in ({labelled})", offset + 1)[offset]
    tx_edits = {
        tx_of("payment_goods_services"): ({"to_internal_account_id": None, "to_external_account_id": domestic},
                                          "invalid_destination"),
        tx_of("payment_goods_services", 1): ({"to_internal_account_id": "from"}, "invalid_destination"),
        tx_of("inquiry"): ({"to_external_account_id": foreign}, "invalid_destination"),
        tx_of("ewallet_topup"): ({"to_internal_account_id": "from"}, "invalid_destination"),
        tx_of("transfer_same_bank_diff_owner"): ({"to_external_account_id": domestic}, "invalid_destination"),
        tx_of("transfer_same_bank_same_owner"): ({"to_internal_account_id": None}, "invalid_destination"),
        tx_of("transfer_interbank_domestic"): ({"to_external_account_id": None}, "invalid_destination"),
        tx_of("transfer_interbank_domestic", 1): ({"to_internal_account_id": "from", "to_external_account_id": None},
                                                  "invalid_destination"),
        tx_of("ewallet_transfer"): ({"to_internal_account_id": None, "to_external_account_id": domestic},
                                    "invalid_destination"),
        tx_of("transfer_interbank_domestic", 2): ({"to_external_account_id": foreign}, "counterparty_bank_mismatch"),
        tx_of("transfer_interbank_international"): ({"to_external_account_id": domestic},
                                                    "counterparty_bank_mismatch"),
    }
    from_accounts = dict(con.execute(f"select transaction_id, from_account_id from {tx}").fetchall())
    edits = {}
    for key, (change, reason) in tx_edits.items():
        edits[key] = {c: (from_accounts[key] if v == "from" else v) for c, v in change.items()}
        expected[("payment_transactions", key)] = reason
    # look-alikes: a domestic transfer re-pointed to another domestic bank, an international one to a foreign bank
    same_scope = {tx_of("transfer_interbank_domestic", 3): {"to_external_account_id": domestic},
                  tx_of("transfer_interbank_international", 1): {"to_external_account_id": foreign}}
    edits.update(same_scope)
    look_alikes += [("payment_transactions", k) for k in same_scope]
    _edit(data, "payment_transactions", edits)

    # authentication logs: failure_reason null exactly when the attempt succeeded
    def log_of(result: str, offset: int = 0) -> int:
        return _pick(con, f"select log_id from {logs} where auth_result = '{result}'", offset + 1)[offset]
    log_edits = {log_of("success"): ({"failure_reason": "wrong_otp"}, "inconsistent_failure_reason"),
                 log_of("failed"): ({"failure_reason": None}, "inconsistent_failure_reason"),
                 log_of("expired"): ({"failure_reason": None}, "inconsistent_failure_reason"),
                 log_of("cancelled"): ({"failure_reason": None}, "inconsistent_failure_reason")}
    changed_reason = log_of("failed", 1)  # look-alike: a failure with another reason keeps the rule
    _edit(data, "authentication_logs", {**{k: v for k, (v, _) in log_edits.items()},
                                        changed_reason: {"failure_reason": "otp_expired"}})
    expected.update({("authentication_logs", k): reason for k, (_, reason) in log_edits.items()})
    look_alikes.append(("authentication_logs", changed_reason))

    # customers: e-mail format, birth date in the past and before registration
    individuals = _pick(con, f"select customer_id from {customers} where customer_type = 'individual'", 5)
    organisation = _pick(con, f"select customer_id from {customers} where customer_type = 'organization'")[0]
    registered = dict(con.execute(f"select customer_id, registration_date from {customers}").fetchall())
    today = dt.date.today()
    customer_edits = {
        individuals[0]: ({"email": "an.nguyen.gmail.com"}, "invalid_email"),
        individuals[1]: ({"email": "an.nguyen@gmail"}, "invalid_email"),
        organisation: ({"email": "contact@@company.vn"}, "invalid_email"),
        # born tomorrow, or on the day of registration (the birth check comes before the CCCD's birth digits)
        individuals[2]: ({"date_of_birth": today + dt.timedelta(days=1)}, "invalid_birth_date"),
        individuals[3]: ({"date_of_birth": registered[individuals[3]]}, "invalid_birth_date"),
        # look-alike: an unusual but well-formed address
        individuals[4]: ({"email": "an.nguyen+timo@mail.example.com.vn"}, None),
    }
    _edit(data, "customers", {k: v for k, (v, _) in customer_edits.items()})
    for key, (_, reason) in customer_edits.items():
        if reason:
            expected[("customers", key)] = reason
        else:
            look_alikes.append(("customers", key))
    con.close()

    db = root / "warehouse.duckdb"
    load_duckdb(data, db, quiet=True)
    result = run_dbt("build", "--target", "duckdb", "--target-path", str(root / "target"),
                     env={"TIMO_DUCKDB_PATH": str(db), "DBT_LOG_PATH": str(root / "logs")})
    assert result.returncode == 0, result.stdout[-5000:]
    return db, expected, look_alikes


def _reasons(db: Path) -> dict[tuple[str, int], str]:
    with duckdb.connect(str(db), read_only=True) as con:
        out = {}
        for table, (model, key) in QUARANTINE.items():
            for value, reason in con.execute(f"select {key}, dq_reason from quarantine.{model}").fetchall():
                out[(table, value)] = reason
        return out


def test_every_broken_row_is_quarantined_with_its_reason(edited):
    db, expected, _ = edited
    got = _reasons(db)
    assert {k: got.get(k) for k in expected} == expected
    assert set(expected.values()) == {"invalid_destination", "counterparty_bank_mismatch",
                                      "inconsistent_failure_reason", "invalid_email", "invalid_birth_date"}


def test_look_alikes_that_keep_the_rules_are_not_quarantined(edited):
    db, _, look_alikes = edited
    got = _reasons(db)
    assert look_alikes and not [k for k in look_alikes if k in got]


def test_nothing_else_is_quarantined_and_nothing_is_lost(edited):
    db, expected, _ = edited
    got = _reasons(db)
    # the edited transactions' own authentication logs become orphans; nothing else is set aside
    others = {k: v for k, v in got.items() if k not in expected}
    assert set(others.values()) <= {"orphan_reference"}
    with duckdb.connect(str(db), read_only=True) as con:
        orphans = con.execute("""
            select count(*) from quarantine.quarantine_authentication_logs as q
            where
                q.dq_reason = 'orphan_reference'
                and q.transaction_id not in (select transaction_id from quarantine.quarantine_transactions)
        """).fetchone()[0]
        assert orphans == 0
        for raw, entity in (("customers", "customers"), ("payment_transactions", "transactions"),
                            ("authentication_logs", "authentication_logs")):
            n_raw = con.execute(f"select count(*) from raw.{raw}").fetchone()[0]
            n_clean = con.execute(f"select count(*) from intermediate.int_{entity}_clean").fetchone()[0]
            n_quarantined = con.execute(f"select count(*) from quarantine.quarantine_{entity}").fetchone()[0]
            assert n_raw == n_clean + n_quarantined


def test_money_held_in_quarantine_explains_the_balances_it_touches(edited):
    """The quarantined transactions moved money in the core: the accounts they name do not reconcile with
    the ledger, and rpt_balance_reconciliation says why instead of failing or hiding them."""
    db, expected, _ = edited
    with duckdb.connect(str(db), read_only=True) as con:
        status = dict(con.execute("select reconciliation_status, count(*) from marts.rpt_balance_reconciliation "
                                  "group by 1").fetchall())
        explained = {a for (a,) in con.execute("select account_id from marts.rpt_balance_reconciliation "
                                               "where reconciliation_status = 'explained_by_quarantine'").fetchall()}
        named = {a for (a,) in con.execute("""
            select from_account_id from quarantine.quarantine_transactions where transaction_status = 'completed'
            union select to_internal_account_id from quarantine.quarantine_transactions
            where transaction_status = 'completed' and to_internal_account_id is not null""").fetchall()}
    assert "unexplained" not in status and status["reconciled"] > 0
    assert explained and explained <= named
