"""`bankgen add`: entities added by hand pass the warehouse's checks and show after the next load and
build; bad input is one line naming the option, exit 2, and the dataset unchanged."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from generators import add as add_module
from pipeline.loader import load_duckdb

from .conftest import run_bankgen, run_dbt

PERSON = ["--name", "Nguyen Van Test", "--phone", "0912345678", "--province", "001", "--birth-date", "1990-05-04",
          "--gender", "male", "--cccd", "001090123456", "--email", "van.test@example.vn"]
FIRM = ["--type", "organization", "--name", "Cong ty Thu Nghiem", "--phone", "0987654321", "--province", "079",
        "--tax-code", "0100000003"]


def _fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("add") / "data"
    assert run_bankgen("generate", "--customers", "120", "--days", "4", "--seed", "3", "--out", str(data),
                       "--quiet").returncode == 0
    return data


def _add(data: Path, *args: str):
    return run_bankgen("add", *args, "--data", str(data))


@pytest.mark.parametrize(("args", "option"), [
    (["customer", *PERSON[:3], "0123456789", *PERSON[4:]], "--phone"),
    (["customer", *PERSON[:-5], "female", *PERSON[-4:]], "--cccd"),            # the CCCD says male
    (["customer", *PERSON[:7], "1999-05-04", *PERSON[8:]], "--cccd"),          # the CCCD says born in 1990
    (["customer", *PERSON[:5], "999", *PERSON[6:]], "--province"),
    (["customer", *PERSON[:7], "2999-01-01", *PERSON[8:]], "--birth-date"),
    (["customer", *PERSON[:-1], "van.test@example"], "--email"),
    (["customer", *FIRM[:-1], "0100000001"], "--tax-code"),
    (["customer", "--type", "robot", *PERSON], "--type"),
    (["account", "--customer-id", "99999"], "--customer-id"),
    (["account", "--customer-id", "1", "--opening-balance", "-5"], "--opening-balance"),
    (["account", "--customer-id", "1", "--opening-balance", "12.5"], "--opening-balance"),
    (["account", "--customer-id", "1", "--number", "123"], "--number"),
    (["device", "--customer-id", "1", "--identifier", "xyz"], "--identifier"),
    (["counterparty", "--bank", "TIMO", "--name", "A"], "--bank"),
    (["counterparty", "--bank", "VCB"], "--name"),
])
def test_bad_input_names_the_option_exits_2_and_changes_nothing(dataset, args, option):
    before = _fingerprint(dataset)
    result = _add(dataset, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bankgen add: error: ") and option in lines[0], lines
    assert _fingerprint(dataset) == before


def test_an_identifier_someone_holds_is_refused(dataset, tmp_path):
    with duckdb.connect() as con:
        phone, cccd, born, gender, province = con.execute(
            f"select phone_number, cccd_number, date_of_birth, gender, province_code "
            f"from read_parquet('{dataset}/customers.parquet') where customer_type = 'individual' "
            "order by customer_id limit 1").fetchone()
    taken_phone = ["customer", "--name", "A", "--phone", phone, "--province", "001", "--birth-date", "1990-05-04",
                   "--gender", "male", "--cccd", "001090999999"]
    taken_cccd = ["customer", "--name", "A", "--phone", "0911111119", "--province", province, "--birth-date",
                  str(born), "--gender", gender, "--cccd", cccd]
    for args, option in ((taken_phone, "--phone"), (taken_cccd, "--cccd")):
        result = _add(dataset, *args)
        assert result.returncode == 2 and option in result.stderr and "already" in result.stderr


def test_a_write_that_fails_midway_leaves_the_dataset_as_it_was(dataset, monkeypatch):
    before = _fingerprint(dataset)
    written = []

    def failing_write(table, path, fmt):
        written.append(path)
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        return original(table, path, fmt)

    original = add_module.write_table
    monkeypatch.setattr(add_module, "write_table", failing_write)
    with pytest.raises(OSError):
        add_module.add_entity(dataset, "counterparty", {"bank": "VCB", "name": "Half Written"})
    assert _fingerprint(dataset) == before


def test_added_entities_pass_the_warehouse_checks_and_show_after_load_and_build(dataset, tmp_path):
    data = tmp_path / "data"
    import shutil
    shutil.copytree(dataset, data)
    assert _add(data, "customer", *PERSON).returncode == 0
    assert _add(data, "customer", *FIRM).returncode == 0
    with duckdb.connect() as con:
        person, firm = [r[0] for r in con.execute(
            f"select customer_id from read_parquet('{data}/customers.parquet') "
            "where full_name in ('Nguyen Van Test', 'Cong ty Thu Nghiem') order by customer_type").fetchall()]
    assert _add(data, "account", "--customer-id", str(person), "--opening-balance", "7000000").returncode == 0
    assert _add(data, "account", "--customer-id", str(firm), "--type", "checking").returncode == 0
    assert _add(data, "device", "--customer-id", str(person), "--type", "mobile", "--trusted").returncode == 0
    result = _add(data, "counterparty", "--bank", "HSBC", "--name", "Jane Roe", "--type", "individual")
    assert result.returncode == 0, result.stderr
    # the dataset goes on: a day advanced after the additions still reconciles (tests/standards in the build)
    assert run_bankgen("advance", "--data", str(data), "--days", "1", "--quiet").returncode == 0

    db = tmp_path / "warehouse.duckdb"
    load_duckdb(data, db, quiet=True)
    build = run_dbt("build", "--target", "duckdb", "--target-path", str(tmp_path / "target"),
                    env={"TIMO_DUCKDB_PATH": str(db), "DBT_LOG_PATH": str(tmp_path / "logs")})
    assert build.returncode == 0, build.stdout[-4000:]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from quarantine.quarantine_customers").fetchone() == (0,)
        shown = con.execute(f"""
            select (select count(*) from marts.dim_customers where customer_id in ({person}, {firm})),
                   (select count(*) from marts.dim_accounts where customer_id in ({person}, {firm})),
                   (select sum(ledger_balance_vnd) from marts.dim_accounts where customer_id = {person}),
                   (select count(*) from marts.dim_devices where customer_id = {person} and is_trusted),
                   (select count(*) from marts.dim_banks where bank_code = 'HSBC')""").fetchone()
        assert shown == (2, 2, 7_000_000, 1, 1)
        added_bank_account = con.execute("select count(*) from intermediate.int_counterparty_accounts_clean "
                                         "where bank_code = 'HSBC' and currency_code = 'HKD' and "
                                         "counterparty_account_id = (select max(counterparty_account_id) from "
                                         "intermediate.int_counterparty_accounts_clean)").fetchone()
        assert added_bank_account == (1,)
