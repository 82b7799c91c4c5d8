"""Money in from other banks and balances from the ledger (docs/domain.md §4a).

The funds check (generators/ledger.py `settle`) is tried on flows written here: exact boundaries,
credits in the same second, chains of transfers between Timo accounts, returned credits. Then a
generated and an advanced dataset are reconciled from their files, and the warehouse's ledger from its
marts; a core balance changed by hand must fail the build's reconciliation test.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest

from generators.batch import T, make_batch
from generators.ledger import merge_inbound, settle

from .conftest import postgres_fetch, run_bankgen, run_dbt

NO = -1


def _payments(rows):
    """rows: (from_account, to_internal or NO, amount, ts)"""
    rows = list(rows)
    return make_batch(len(rows), from_account=[r[0] for r in rows], to_internal=[r[1] for r in rows],
                      amount=[r[2] for r in rows], ts=[r[3] for r in rows],
                      ttype=T["transfer_same_bank_diff_owner"])


def _credits(rows):
    """rows: (to_account, amount, ts)"""
    if not rows:
        return merge_inbound([])
    n = len(rows)
    return merge_inbound([{"customer": np.zeros(n, np.int64), "to_account": np.array([r[0] for r in rows]),
                           "sender": np.ones(n, np.int64), "itype": np.ones(n, np.int64),
                           "amount": np.array([r[1] for r in rows]), "ts": np.array([r[2] for r in rows]),
                           "description": np.zeros(n, np.int64)}])


def _settle(balances, payments, credits=(), active=None):
    balance = np.array(balances, np.int64)
    active = np.ones(len(balance), bool) if active is None else np.array(active)
    pay = _payments(payments)
    failed, credited = settle(balance, active, pay, np.ones(len(pay["ts"]), bool), _credits(list(credits)))
    return failed.tolist(), credited.tolist(), balance.tolist()


def test_a_payment_of_exactly_the_balance_goes_through_and_one_more_thousand_does_not():
    assert _settle([0, 5_000_000, 0], [(1, 2, 5_000_000, 100)]) == ([False], [], [0, 0, 5_000_000])
    assert _settle([0, 5_000_000, 0], [(1, 2, 5_001_000, 100)]) == ([True], [], [0, 5_000_000, 0])


def test_a_credit_in_the_same_second_comes_first_and_a_later_one_is_too_late():
    assert _settle([0, 0, 0], [(1, 2, 300_000, 50)], credits=[(1, 300_000, 50)])[0] == [False]
    assert _settle([0, 0, 0], [(1, 2, 300_000, 50)], credits=[(1, 300_000, 51)])[0] == [True]


def test_money_passed_along_a_chain_fails_down_the_chain_when_the_first_link_fails():
    # 1 pays 2, then 2 pays 3 with that money, then 3 pays 4; 1 is short by 1,000 VND
    chain = [(1, 2, 2_000_000, 10), (2, 3, 2_000_000, 20), (3, 4, 2_000_000, 30)]
    failed, _, balance = _settle([0, 1_999_000, 0, 0, 0], chain)
    assert failed == [True, True, True] and balance == [0, 1_999_000, 0, 0, 0]
    failed, _, balance = _settle([0, 2_000_000, 0, 0, 0], chain)
    assert failed == [False, False, False] and balance == [0, 0, 0, 0, 2_000_000]


def test_only_the_payments_that_would_overdraw_fail_and_later_smaller_ones_still_pass():
    failed, _, balance = _settle([0, 1_000_000], [(1, NO, 600_000, 1), (1, NO, 600_000, 2), (1, NO, 400_000, 3)])
    assert failed == [False, True, False] and balance == [0, 0]


def test_a_credit_to_an_account_that_is_not_active_is_returned_and_never_counted():
    failed, credited, balance = _settle([0, 0, 0], [(1, NO, 100_000, 9)],
                                        credits=[(1, 100_000, 5), (2, 50_000, 5)], active=[True, False, True])
    assert credited == [False, True] and failed == [True] and balance == [0, 0, 50_000]


def _reconcile(data: Path, fmt: str = "parquet") -> tuple[int, int, int]:
    """(accounts, accounts whose balance differs from opening + completed flows before balance_at,
    events after which some running balance was negative), from a clean dataset's files."""
    con = duckdb.connect()
    con.execute(f"""
        create view t as select * from read_parquet('{data}/payment_transactions/*.{fmt}') where status = 'completed';
        create view i as select * from read_parquet('{data}/inbound_transfers/*.{fmt}') where status = 'completed';
        create view a as select * from read_parquet('{data}/bank_accounts.{fmt}');
        create view e as
            select from_account_id as account_id, -amount as amount, transaction_ts as ts, 1 as kind,
                transaction_id as id from t
            union all select to_internal_account_id, amount, transaction_ts, 1, transaction_id from t
                where to_internal_account_id is not null
            union all select to_account_id, amount, transaction_ts, 0, inbound_id from i;
    """)
    accounts, differing = con.execute("""
        select count(*), count(*) filter (where a.balance <> a.opening_balance + coalesce(s.total, 0))
        from a left join (
            select e.account_id, sum(e.amount) as total from e join a using (account_id)
            where e.ts < a.balance_at group by e.account_id) as s using (account_id)""").fetchone()
    negative = con.execute("""
        select count(*) from (
            select a.opening_balance + sum(e.amount) over (
                partition by e.account_id order by e.ts, e.kind, e.id, e.amount rows unbounded preceding) as running
            from e join a using (account_id)) where running < 0""").fetchone()[0]
    return accounts, differing, negative


def test_a_generated_dataset_reconciles_never_overdraws_and_has_every_kind_of_money_in(tmp_path):
    data = tmp_path / "data"
    assert run_bankgen("generate", "--customers", "400", "--days", "12", "--seed", "5", "--out", str(data),
                       "--quiet").returncode == 0
    accounts, differing, negative = _reconcile(data)
    assert accounts > 400 and differing == 0 and negative == 0
    con = duckdb.connect()
    kinds = dict(con.execute(f"select inbound_type, count(*) from read_parquet('{data}/inbound_transfers/*.parquet') "
                             "group by 1").fetchall())
    assert set(kinds) == {"salary", "interbank_domestic", "interbank_international", "refund", "ewallet_credit"}
    reasons = dict(con.execute("select failure_reason, count(*) from "
                               f"read_parquet('{data}/payment_transactions/*.parquet') where status = 'failed' "
                               "group by 1").fetchall())
    total = con.execute(f"select count(*) from read_parquet('{data}/payment_transactions/*.parquet')").fetchone()[0]
    # funds fail some payments, but a bank where most payments bounce would not be believable
    assert 0 < reasons["insufficient_funds"] < 0.06 * total
    # a balance is checked before the money leaves: the generator never writes an overdrawing payment
    assert run_bankgen("advance", "--data", str(data), "--days", "2", "--quiet").returncode == 0
    assert _reconcile(data)[1:] == (0, 0)


@pytest.fixture(scope="module")
def ledger_warehouse(built_duckdb) -> Path:
    built_duckdb.assert_green()  # the build ran assert_ledger_balances_match_the_core and it passed
    return built_duckdb.duckdb_path


def test_the_ledger_equals_the_core_balance_for_every_account_and_the_bank_view_holds_every_credit(ledger_warehouse):
    with duckdb.connect(str(ledger_warehouse), read_only=True) as con:
        accounts, equal = con.execute("select count(*), count(*) filter (where ledger_balance_vnd = balance_vnd) "
                                      "from marts.dim_accounts").fetchone()
        assert accounts > 0 and equal == accounts
        overdrawn = con.execute("select count(*) from marts.fct_account_daily_balances where is_overdrawn").fetchone()
        assert overdrawn == (0,)
        # opening + flows = closing on every row, and each day opens where the last one closed
        assert con.execute("""
            select count(*) from (
                select *, lag(closing_balance_vnd) over (partition by account_id order by balance_date) as before
                from marts.fct_account_daily_balances)
            where opening_balance_vnd + inflow_vnd - outflow_vnd <> closing_balance_vnd
                or (before is not null and before <> opening_balance_vnd)""").fetchone() == (0,)
        credited = con.execute("select sum(amount_vnd) from intermediate.int_inbound_transfers_clean "
                               "where inbound_status = 'completed'").fetchone()[0]
        in_view = con.execute("select sum(inbound_amount_vnd) from marts.mart_bank_counterparty_flows").fetchone()[0]
        assert credited > 0 and in_view == credited


def test_a_core_balance_that_disagrees_with_the_ledger_fails_the_build(ledger_warehouse, tmp_path):
    db = tmp_path / "tampered.duckdb"
    shutil.copy(ledger_warehouse, db)
    with duckdb.connect(str(db)) as con:
        account = con.execute("select min(account_id) from raw.bank_accounts").fetchone()[0]
        con.execute("update raw.bank_accounts set balance = balance + 1000 where account_id = ?", [account])
    env = {"TIMO_DUCKDB_PATH": str(db), "DBT_LOG_PATH": str(tmp_path / "logs")}
    result = run_dbt("build", "--target", "duckdb", "--target-path", str(tmp_path / "target"),
                     "--select", "int_accounts_validated+", "assert_ledger_balances_match_the_core", env=env)
    assert result.returncode != 0
    assert "assert_ledger_balances_match_the_core" in result.stdout and "Got 1 result" in result.stdout


def test_postgres_derives_the_same_balances_and_bank_view(built_postgres, ledger_warehouse):
    built_postgres.assert_green()
    fetch = postgres_fetch(built_postgres.settings)
    assert fetch("select count(*) from marts.dim_accounts where ledger_balance_vnd <> balance_vnd") == [(0,)]
    with duckdb.connect(str(ledger_warehouse), read_only=True) as con:
        for sql in ("select count(*), sum(closing_balance_vnd), sum(inflow_vnd) "
                    "from marts.fct_account_daily_balances",
                    "select sum(inbound_amount_vnd), sum(net_position_vnd) from marts.mart_bank_counterparty_flows"):
            assert [tuple(r) for r in fetch(sql)] == con.execute(sql).fetchall(), sql


def test_an_account_the_ledger_takes_below_zero_raises_negative_balance(ledger_warehouse, tmp_path):
    """A core that let an account go overdrawn (its opening balance and its balance both lower by the same
    amount, both still at least zero, so the ledger still reconciles): the day it closes below zero is
    flagged and alerted. The account chosen is the one whose lowest day lies furthest below both."""
    db = tmp_path / "overdrawn.duckdb"
    shutil.copy(ledger_warehouse, db)
    with duckdb.connect(str(db)) as con:
        account, customer, lowest_day, lowest, opening = con.execute("""
            select b.account_id, b.customer_id, b.balance_date, b.closing_balance_vnd, a.opening_balance_vnd
            from marts.fct_account_daily_balances as b
            join marts.dim_accounts as a using (account_id)
            where least(a.opening_balance_vnd, a.balance_vnd) - b.closing_balance_vnd > 1000
            order by least(a.opening_balance_vnd, a.balance_vnd) - b.closing_balance_vnd desc, b.balance_date
            limit 1""").fetchone()
        cut = lowest + 1000  # the lowest day now closes 1,000 VND below zero
        con.execute("update raw.bank_accounts set opening_balance = opening_balance - ?, balance = balance - ? "
                    "where account_id = ?", [cut, cut, account])
    env = {"TIMO_DUCKDB_PATH": str(db), "DBT_LOG_PATH": str(tmp_path / "logs")}
    # a restated opening balance leaves the daily balances built before it stale: the build says so
    stale = run_dbt("build", "--target", "duckdb", "--target-path", str(tmp_path / "target"),
                    "--select", "int_accounts_validated+", env=env)
    assert stale.returncode != 0 and "assert_daily_balances_follow_the_ledger" in stale.stdout
    result = run_dbt("build", "--target", "duckdb", "--target-path", str(tmp_path / "target"),
                     "--select", "int_accounts_validated+", "--full-refresh", env=env)
    assert result.returncode == 0, result.stdout[-3000:]  # the core still reconciles; overdrawn days warn
    assert "accepted_values_fct_account_daily_balances_is_overdrawn" in result.stdout
    with duckdb.connect(str(db), read_only=True) as con:
        overdrawn = con.execute("select balance_date, closing_balance_vnd from marts.fct_account_daily_balances "
                                "where is_overdrawn order by 1").fetchall()
        alerts = con.execute("select customer_id, account_id, alert_date, trigger_value from marts.fct_risk_alerts "
                             "where rule_code = 'negative_balance'").fetchall()
    assert opening >= cut and overdrawn and (lowest_day, -1000) in overdrawn
    assert {(customer, account, day, value) for day, value in overdrawn} == set(alerts)
