"""The generator: formats, identifiers, referential integrity, behaviour, determinism, scenarios, errors."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest

from generators import generate as generate_module
from generators.config import GenerateConfig
from generators.generate import generate
from generators.identifiers import is_valid_cccd, is_valid_mobile, is_valid_tax_code, tax_codes
from generators.reference import load_reference
from generators.schema import TABLES

from .conftest import ROOT, run_bankgen

SCENARIOS = {"account_takeover", "structuring", "mule_account", "velocity_burst", "dormant_reactivation"}


def _con(data: Path, fmt: str) -> duckdb.DuckDBPyConnection:
    """Views over a dataset folder, named like the raw tables, plus the seeds."""
    con = duckdb.connect()
    for name, table in TABLES.items():
        pattern = f"{data}/{name}/*.{fmt}" if table.daily else f"{data}/{name}.{fmt}"
        reader = "read_parquet" if fmt == "parquet" else "read_csv"
        extra = "" if fmt == "parquet" else f", columns = {table.duckdb_columns()}, header = true"
        con.execute(f"create view {name} as select * from {reader}('{pattern}'{extra})")
    for seed in ("banks", "authentication_methods"):
        con.execute(f"create view {seed} as select * from read_csv('{ROOT}/seeds/{seed}.csv', all_varchar = true)")
    return con


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# ---- identifiers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["0100109106", "0100112437", "0101248141", "0100109106-001"])
def test_known_tax_codes_pass(code):
    assert is_valid_tax_code(code)


@pytest.mark.parametrize("code", ["0100109107", "010010910", "01001091061", "ABCDEFGHIJ"])
def test_bad_tax_codes_fail(code):
    assert not is_valid_tax_code(code)


def test_generated_tax_codes_have_valid_check_digits():
    codes = tax_codes(np.arange(5_000), salt=99)
    assert all(is_valid_tax_code(c) for c in codes)
    assert len(set(codes)) == len(codes)


def test_customers_identifiers_are_valid_and_unique(parquet_dataset):
    con = _con(parquet_dataset, "parquet")
    rows = con.execute("select customer_type, cccd_number, tax_code, date_of_birth, gender, phone_number "
                       "from customers").fetchall()
    provinces = set(load_reference().province_codes)
    for ctype, cccd, tax, dob, gender, phone in rows:
        assert is_valid_mobile(phone), phone
        if ctype == "individual":
            assert is_valid_cccd(cccd, dob.year, gender == "female", provinces), (cccd, dob, gender)
            assert tax is None
        else:
            assert is_valid_tax_code(tax), tax
            assert cccd is None and dob is None
    for column in ("cccd_number", "tax_code", "phone_number"):
        dupes = con.execute(f"select count(*) - count(distinct {column}) from customers "
                            f"where {column} is not null").fetchone()[0]
        assert dupes == 0, column
    share_org = con.execute("select avg((customer_type = 'organization')::int) from customers").fetchone()[0]
    assert 0.05 < share_org < 0.16


# ---- formats --------------------------------------------------------------------------------------

def test_every_raw_table_is_written_in_both_formats(parquet_dataset, csv_dataset):
    for data, fmt in ((parquet_dataset, "parquet"), (csv_dataset, "csv")):
        manifest = json.loads((data / "_manifest.json").read_text())
        con = _con(data, fmt)
        for name, table in TABLES.items():
            got = con.execute(f"select count(*) from {name}").fetchone()[0]
            assert got == manifest["row_counts"][name] > 0, (fmt, name)
            cols = [d[0] for d in con.execute(f"select * from {name} limit 0").description]
            assert cols == table.column_names


def test_csv_and_parquet_hold_the_same_data(parquet_dataset, csv_dataset):
    pq_con, csv_con = _con(parquet_dataset, "parquet"), _con(csv_dataset, "csv")
    for name in ("customers", "payment_transactions", "authentication_logs"):
        order = TABLES[name].column_names[0]
        a = pq_con.execute(f"select * from {name} order by {order}").fetchall()
        b = csv_con.execute(f"select * from {name} order by {order}").fetchall()
        assert a == b, name


# ---- referential integrity and behaviour -----------------------------------------------------------

ORPHAN_CHECKS = {
    "accounts without customer": "select count(*) from bank_accounts a anti join customers c using (customer_id)",
    "devices without customer": "select count(*) from devices d anti join customers c using (customer_id)",
    "transactions from unknown account": "select count(*) from payment_transactions t "
                                         "anti join bank_accounts a on a.account_id = t.from_account_id",
    "transactions to unknown internal account": "select count(*) from payment_transactions t "
                                                "where to_internal_account_id is not null and to_internal_account_id "
                                                "not in (select account_id from bank_accounts)",
    "transactions to unknown external account": "select count(*) from payment_transactions t "
                                                "where to_external_account_id is not null and to_external_account_id "
                                                "not in (select other_account_id from other_bank_accounts)",
    "auth logs without transaction": "select count(*) from authentication_logs l "
                                     "anti join payment_transactions t using (transaction_id)",
    "auth logs with unknown method": "select count(*) from authentication_logs l where auth_method_id::varchar "
                                     "not in (select auth_method_id from authentication_methods)",
    "labels without transaction": "select count(*) from fraud_labels f anti join payment_transactions t "
                                  "using (transaction_id)",
    "source account of another customer": "select count(*) from payment_transactions t join bank_accounts a "
                                          "on a.account_id = t.from_account_id where a.customer_id <> t.customer_id "
                                          "and t.transaction_type <> 'transfer_same_bank_diff_owner' "
                                          "and t.transaction_id not in (select transaction_id from fraud_labels)",
    "device of another customer": "select count(*) from payment_transactions t join devices d using (device_id) "
                                  "where d.customer_id <> t.customer_id",
    "device used before it was first seen": "select count(*) from payment_transactions t join devices d "
                                            "using (device_id) where t.transaction_ts < d.first_seen",
    "both internal and external target": "select count(*) from payment_transactions where "
                                         "to_internal_account_id is not null and to_external_account_id is not null",
    "counterparty on a no-counterparty type": "select count(*) from payment_transactions where transaction_type in "
                                              "('payment_goods_services', 'ewallet_topup', 'ewallet_withdrawal', "
                                              "'inquiry') and coalesce(to_internal_account_id, "
                                              "to_external_account_id) is not null",
    "transfer without its counterparty": "select count(*) from payment_transactions where ("
                                         "transaction_type like 'transfer_same_bank%' or transaction_type = "
                                         "'ewallet_transfer') and to_internal_account_id is null or "
                                         "transaction_type like 'transfer_interbank%' and to_external_account_id "
                                         "is null",
    "international to a domestic bank": "select count(*) from payment_transactions t join other_bank_accounts o "
                                        "on o.other_account_id = t.to_external_account_id join banks b using "
                                        "(bank_code) where t.transaction_type = 'transfer_interbank_international' "
                                        "and b.is_domestic = 'true'",
    "domestic interbank to a foreign bank": "select count(*) from payment_transactions t join other_bank_accounts o "
                                            "on o.other_account_id = t.to_external_account_id join banks b using "
                                            "(bank_code) where t.transaction_type = 'transfer_interbank_domestic' "
                                            "and b.is_domestic = 'false'",
    "same-owner transfer to someone else": "select count(*) from payment_transactions t join bank_accounts a on "
                                           "a.account_id = t.to_internal_account_id where t.transaction_type = "
                                           "'transfer_same_bank_same_owner' and a.customer_id <> t.customer_id",
    "bad amounts": "select count(*) from payment_transactions where (transaction_type = 'inquiry') <> (amount = 0) "
                   "or amount < 0",
    "authentication before its transaction": "select count(*) from authentication_logs l join payment_transactions t "
                                             "using (transaction_id) where l.auth_ts < t.transaction_ts",
    "failure reason on success": "select count(*) from authentication_logs where (auth_result = 'success') = "
                                 "(failure_reason is not null)",
    "completed without a successful attempt": "select count(*) from payment_transactions t where status = "
                                              "'completed' and not exists (select 1 from authentication_logs l where "
                                              "l.transaction_id = t.transaction_id and l.auth_result = 'success')",
    "transaction outside the simulated days": "select count(*) from payment_transactions where transaction_ts < "
                                              "date '2026-10-01' or transaction_ts >= date '2026-10-22'",
}


@pytest.mark.parametrize("check", sorted(ORPHAN_CHECKS))
def test_integrity(parquet_dataset, check):
    assert _con(parquet_dataset, "parquet").execute(ORPHAN_CHECKS[check]).fetchone()[0] == 0


def test_behaviour_is_realistic(parquet_dataset):
    con = _con(parquet_dataset, "parquet")
    per_type = dict(con.execute("select transaction_type, count(*) from payment_transactions group by 1").fetchall())
    assert set(per_type) == {
        "transfer_same_bank_same_owner", "transfer_same_bank_diff_owner", "transfer_interbank_domestic",
        "transfer_interbank_international", "payment_goods_services", "ewallet_topup", "ewallet_withdrawal",
        "ewallet_transfer", "inquiry"}
    # several accounts and devices per customer on average
    assert con.execute("select count(*) / count(distinct customer_id) from bank_accounts").fetchone()[0] > 1.3
    assert con.execute("select count(*) / count(distinct customer_id) from devices").fetchone()[0] > 1.2
    # payments are smaller than interbank transfers (lognormal per type)
    med = dict(con.execute("select transaction_type, median(amount) from payment_transactions group by 1").fetchall())
    assert med["payment_goods_services"] < med["transfer_interbank_domestic"] < med["transfer_interbank_international"]
    # daily seasonality: the small hours are quiet
    night, day = con.execute("select avg((hour(transaction_ts) between 1 and 4)::int), "
                             "avg((hour(transaction_ts) between 9 and 12)::int) from payment_transactions").fetchone()
    assert night * 5 < day
    # weekly seasonality: Sundays are quieter than Wednesdays
    sun, wed = con.execute("select count(*) filter (where dayofweek(transaction_ts) = 0) / 3, "
                           "count(*) filter (where dayofweek(transaction_ts) = 3) / 3 "
                           "from payment_transactions").fetchone()
    assert sun < wed
    # some attempts fail and are retried; most transactions complete
    failed_then_ok = con.execute(
        "select count(*) from (select transaction_id from authentication_logs group by 1 "
        "having bool_or(auth_result = 'failed') and bool_or(auth_result = 'success'))").fetchone()[0]
    assert failed_then_ok > 50
    completed = con.execute("select avg((status = 'completed')::int) from payment_transactions").fetchone()[0]
    assert 0.9 < completed < 0.995


def test_most_large_individual_transfers_use_a_biometric_match(parquet_dataset):
    con = _con(parquet_dataset, "parquet")
    share = con.execute("""
        select avg(has_bm::int) from (
            select t.transaction_id,
                   bool_or(m.method_code = 'biometric_match' and l.auth_result = 'success') as has_bm
            from payment_transactions t
            join customers c using (customer_id)
            join authentication_logs l using (transaction_id)
            join authentication_methods m on m.auth_method_id = l.auth_method_id::varchar
            where c.customer_type = 'individual' and t.amount > 10000000
              and t.transaction_type in ('transfer_same_bank_diff_owner', 'transfer_interbank_domestic')
              and t.transaction_id not in (select transaction_id from fraud_labels)
            group by 1)""").fetchone()[0]
    assert 0.85 < share < 0.999  # most comply, a realistic minority do not


# ---- scenarios ------------------------------------------------------------------------------------

def test_every_typology_is_planted_and_labelled(parquet_dataset):
    con = _con(parquet_dataset, "parquet")
    labelled = dict(con.execute("select scenario, count(*) from fraud_labels group by 1").fetchall())
    assert set(labelled) == SCENARIOS
    manifest = json.loads((parquet_dataset / "_manifest.json").read_text())
    assert manifest["labelled_transactions"] == labelled
    assert all(n >= 1 for n in manifest["scenario_events"].values())


def test_scenarios_have_their_signatures(parquet_dataset):
    con = _con(parquet_dataset, "parquet")
    # takeover: from a device first seen minutes before, untrusted, after failed attempts, >= 10M
    ato = con.execute("""
        select bool_and(not d.is_trusted), bool_and(t.transaction_ts - d.first_seen < interval 1 hour),
               min(t.amount), bool_and(exists (select 1 from authentication_logs l
                   where l.transaction_id = t.transaction_id and l.auth_result <> 'success'))
        from fraud_labels f join payment_transactions t using (transaction_id) join devices d using (device_id)
        where f.scenario = 'account_takeover' and t.transaction_id = (
            select min(transaction_id) from fraud_labels g where g.event_id = f.event_id)""").fetchone()
    assert ato[0] and ato[1] and ato[2] >= 10_000_000 and ato[3]
    # structuring: every amount just under 10M
    lo, hi = con.execute("select min(amount), max(amount) from fraud_labels join payment_transactions "
                         "using (transaction_id) where scenario = 'structuring'").fetchone()
    assert 9_000_000 <= lo and hi < 10_000_000
    # mule: many distinct senders into one account per event
    senders = con.execute("""
        select min(n) from (select event_id, count(distinct t.customer_id) as n from fraud_labels
        join payment_transactions t using (transaction_id)
        where scenario = 'mule_account' and t.transaction_type = 'transfer_same_bank_diff_owner' group by 1)
    """).fetchone()[0]
    assert senders >= 6
    # velocity: at least 8 transactions within 6 minutes
    burst = con.execute("""select min(n), max(span) from (select event_id, count(*) as n,
        max(transaction_ts) - min(transaction_ts) as span from fraud_labels join payment_transactions
        using (transaction_id) where scenario = 'velocity_burst' group by 1)""").fetchone()
    assert burst[0] >= 8 and burst[1].total_seconds() <= 360
    # dormant: the account had no earlier transaction in the data and moves most of its balance
    dormant = con.execute("""
        select count(*) filter (where exists (select 1 from payment_transactions e
               where e.from_account_id = t.from_account_id and e.transaction_ts < t.transaction_ts
               and e.transaction_id not in (select transaction_id from fraud_labels))),
               min(t.amount / a.balance)
        from fraud_labels f join payment_transactions t using (transaction_id)
        join bank_accounts a on a.account_id = t.from_account_id
        where f.scenario = 'dormant_reactivation' and t.transaction_id = (
            select min(transaction_id) from fraud_labels g where g.event_id = f.event_id)""").fetchone()
    assert dormant[0] == 0 and dormant[1] >= 0.69


@pytest.mark.parametrize("days, planted", [(14, False), (15, False), (16, True)])
def test_dormant_events_only_where_the_quiet_period_fits(tmp_path, days, planted):
    """The detector needs 14 quiet days from the start of the data: a shorter dataset plants no
    dormant event and says why in the manifest; a long enough one plants them after day 15."""
    cfg = GenerateConfig(customers=400, days=days, seed=3, fraud_rate=0.02)
    manifest = generate(cfg, tmp_path / "d", quiet=True)
    note = manifest["typologies_not_planted"]
    if planted:
        assert manifest["scenario_events"]["dormant_reactivation"] > 0 and note == {}
        con = duckdb.connect()
        first = con.execute(f"""
            select min(cast(t.transaction_ts as date)) from read_parquet('{tmp_path}/d/fraud_labels/*.parquet') f
            join read_parquet('{tmp_path}/d/payment_transactions/*.parquet') t using (transaction_id)
            where f.scenario = 'dormant_reactivation'""").fetchone()[0]
        assert (first - cfg.start_date).days >= 15
    else:
        assert manifest["scenario_events"]["dormant_reactivation"] == 0
        assert manifest["labelled_transactions"]["dormant_reactivation"] == 0
        assert "too short" in note["dormant_reactivation"] and "--days 16" in note["dormant_reactivation"]
    assert manifest["scenario_events"]["mule_account"] > 0


def test_fraud_rate_zero_plants_nothing(tmp_path):
    manifest = generate(GenerateConfig(customers=150, days=3, fraud_rate=0.0), tmp_path / "d", quiet=True)
    assert manifest["row_counts"]["fraud_labels"] == 0
    assert manifest["row_counts"]["payment_transactions"] > 0


# ---- determinism ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_arguments_give_byte_identical_files(tmp_path, fmt):
    cfg = GenerateConfig(customers=250, days=4, seed=11, fmt=fmt)
    generate(cfg, tmp_path / "a", quiet=True)
    generate(cfg, tmp_path / "b", quiet=True)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_another_seed_gives_other_data(tmp_path):
    generate(GenerateConfig(customers=250, days=4, seed=11), tmp_path / "a", quiet=True)
    generate(GenerateConfig(customers=250, days=4, seed=12), tmp_path / "b", quiet=True)
    a, b = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert a["customers.parquet"] != b["customers.parquet"]


def test_start_date_moves_the_data(tmp_path):
    generate(GenerateConfig(customers=100, days=2, start_date=date(2025, 1, 1)), tmp_path / "d", quiet=True)
    files = sorted(p.name for p in (tmp_path / "d" / "payment_transactions").iterdir())
    assert files == ["2025-01-01.parquet", "2025-01-02.parquet"]


# ---- command line and bad input ---------------------------------------------------------------------

def test_cli_generates_with_progress_and_summary(tmp_path):
    result = run_bankgen("generate", "--customers", "120", "--days", "2", "--out", str(tmp_path / "d"),
                         "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert "generating" in result.stderr  # the progress bar
    assert "wrote" in result.stdout and "transactions" in result.stdout
    quiet = run_bankgen("generate", "--customers", "120", "--days", "2", "--out", str(tmp_path / "q"), "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""


@pytest.mark.parametrize("args, message", [
    (["--customers", "0"], "--customers must be a positive"),
    (["--customers", "-5"], "--customers must be a positive"),
    (["--days", "0"], "--days must be a positive"),
    (["--customers", "ten"], "expected a whole number"),
    (["--start-date", "2026-02-30"], "--start-date must be a real date"),
    (["--start-date", "yesterday"], "--start-date must be a real date"),
    (["--format", "xlsx"], "--format must be one of csv, parquet"),
    (["--fraud-rate", "2"], "--fraud-rate must be between"),
    (["--seed", "-1"], "--seed must be between 0 and"),
    (["--seed", "999999999999999999999999999"], "--seed must be between 0 and"),
    (["--start-date", "9999-12-30"], "--start-date must be between"),
    (["--start-date", "2099-01-01"], "--start-date must be between"),
    (["--start-date", "0001-01-01"], "--start-date must be between"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    out = tmp_path / "out"
    result = run_bankgen("generate", "--out", str(out), *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_bankgen("generate", "--customers", "50", "--days", "1", "--out", str(blocker / "data"))
    assert result.returncode == 2 and "cannot" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_failure_midway_leaves_nothing_half_written(tmp_path, monkeypatch):
    out = tmp_path / "data"
    generate(GenerateConfig(customers=80, days=2), out, quiet=True)
    before = _digest(out)

    calls = {"n": 0}
    real = generate_module.write_table

    def failing_write(table, path, fmt):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError("disk full (simulated)")
        real(table, path, fmt)

    monkeypatch.setattr(generate_module, "write_table", failing_write)
    with pytest.raises(OSError):
        generate(GenerateConfig(customers=90, days=3, seed=5), out, quiet=True)
    assert _digest(out) == before                      # the old dataset is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no temporary folder left


def test_regenerating_replaces_the_folder(tmp_path):
    out = tmp_path / "data"
    generate(GenerateConfig(customers=80, days=3), out, quiet=True)
    generate(GenerateConfig(customers=80, days=1), out, quiet=True)
    assert len(list((out / "payment_transactions").iterdir())) == 1
