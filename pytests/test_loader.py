"""`bankgen load` on DuckDB and PostgreSQL: counts, idempotence, clear errors, all-or-nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from generators.schema import TABLES
from pipeline.loader import LoadError, load_duckdb, load_postgres

from .conftest import pg_env, run_bankgen


def _expected(data: Path) -> dict[str, int]:
    return json.loads((data / "_manifest.json").read_text())["row_counts"]


def _duck_counts(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in TABLES}


def _pg_counts(settings) -> dict[str, int]:
    conn = settings.connect()
    try:
        with conn.cursor() as cur:
            out = {}
            for t in TABLES:
                cur.execute(f"select count(*) from raw.{t}")
                out[t] = cur.fetchone()[0]
            return out
    finally:
        conn.close()


def _broken_copies(data: Path, tmp: Path) -> dict[str, tuple[Path, str]]:
    """Datasets with one defect each, and the file the error must name."""
    fmt = "parquet" if (data / "customers.parquet").exists() else "csv"
    cases = {}
    missing = tmp / "missing"
    shutil.copytree(data, missing)
    (missing / f"devices.{fmt}").unlink()
    cases["missing file"] = (missing, f"devices.{fmt}")

    no_days = tmp / "no_days"
    shutil.copytree(data, no_days)
    shutil.rmtree(no_days / "authentication_logs")
    cases["missing daily folder"] = (no_days, "authentication_logs")

    renamed = tmp / "renamed"
    shutil.copytree(data, renamed)
    victim = sorted((renamed / "payment_transactions").iterdir())[1]
    if fmt == "csv":
        text = victim.read_text().replace('"amount"', '"amount_vnd"', 1)
        victim.write_text(text)
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(victim)
        pq.write_table(table.rename_columns([c if c != "amount" else "amount_vnd" for c in table.column_names]),
                       victim)
    cases["renamed column"] = (renamed, victim.name)
    return cases


def _with_bad_value(csv_dataset: Path, tmp: Path) -> tuple[Path, Path]:
    """A copy of a CSV dataset whose last authentication-log file ends with an unparseable row."""
    other = tmp / "other"
    shutil.copytree(csv_dataset, other)
    last = sorted((other / "authentication_logs").iterdir())[-1]
    last.write_text(last.read_text() + "not-a-number,1,1,success,2026-10-01 00:00:00,\n")
    return other, last


def test_duckdb_load_counts_and_is_idempotent(parquet_dataset, tmp_path):
    db = tmp_path / "w.duckdb"
    first = load_duckdb(parquet_dataset, db, quiet=True)
    assert first == _expected(parquet_dataset)
    load_duckdb(parquet_dataset, db, quiet=True)
    assert _duck_counts(db) == _expected(parquet_dataset)


def test_duckdb_loads_csv_with_types(csv_dataset, tmp_path):
    db = tmp_path / "w.duckdb"
    load_duckdb(csv_dataset, db, quiet=True)
    with duckdb.connect(str(db), read_only=True) as con:
        types = dict(con.execute("select column_name, data_type from information_schema.columns "
                                 "where table_schema = 'raw' and table_name = 'payment_transactions'").fetchall())
        assert types["amount"] == "DECIMAL(18,2)" and types["transaction_ts"] == "TIMESTAMP"
        cccd = con.execute("select min(cccd_number) from raw.customers").fetchone()[0]
        assert len(cccd) == 12  # leading zeros kept: read as text, not numbers
    assert _duck_counts(db) == _expected(csv_dataset)


@pytest.mark.parametrize("case", ["missing file", "missing daily folder", "renamed column"])
def test_duckdb_bad_dataset_names_the_file_and_changes_nothing(parquet_dataset, tmp_path, case):
    db = tmp_path / "w.duckdb"
    load_duckdb(parquet_dataset, db, quiet=True)
    before = _duck_counts(db)
    broken, culprit = _broken_copies(parquet_dataset, tmp_path)[case]
    with pytest.raises(LoadError, match=culprit):
        load_duckdb(broken, db, quiet=True)
    assert _duck_counts(db) == before


def test_duckdb_bad_values_roll_back_everything(csv_dataset, tmp_path):
    db = tmp_path / "w.duckdb"
    load_duckdb(csv_dataset, db, quiet=True)
    before = _duck_counts(db)
    other, last = _with_bad_value(csv_dataset, tmp_path)
    with pytest.raises(LoadError, match="nothing was changed"):
        load_duckdb(other, db, quiet=True)
    assert _duck_counts(db) == before


def test_cli_load_missing_folder_is_exit_2(tmp_path):
    result = run_bankgen("load", "--target", "duckdb", "--data", str(tmp_path / "nope"),
                         "--duckdb-path", str(tmp_path / "w.duckdb"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_cli_load_unknown_target_is_exit_2(parquet_dataset):
    result = run_bankgen("load", "--target", "oracle", "--data", str(parquet_dataset))
    assert result.returncode == 2 and "--target must be duckdb, postgres or spark" in result.stderr


@pytest.mark.postgres
def test_postgres_load_parquet_counts_and_is_idempotent(parquet_dataset, pg_database):
    assert load_postgres(parquet_dataset, pg_database, quiet=True) == _expected(parquet_dataset)
    load_postgres(parquet_dataset, pg_database, quiet=True)
    assert _pg_counts(pg_database) == _expected(parquet_dataset)


@pytest.mark.postgres
def test_postgres_load_csv_via_cli(csv_dataset, pg_database):
    result = run_bankgen("load", "--target", "postgres", "--data", str(csv_dataset), env=pg_env(pg_database))
    assert result.returncode == 0, result.stderr
    assert "loaded" in result.stdout
    assert _pg_counts(pg_database) == _expected(csv_dataset)
    conn = pg_database.connect()
    with conn.cursor() as cur:
        cur.execute("select sum(amount), min(transaction_ts) from raw.payment_transactions")
        total, first = cur.fetchone()
    conn.close()
    with duckdb.connect() as con:
        expected = con.execute(f"select sum(amount), min(transaction_ts) from read_csv("
                               f"'{csv_dataset}/payment_transactions/*.csv', "
                               f"columns = {TABLES['payment_transactions'].duckdb_columns()}, header = true)"
                               ).fetchone()
    assert (total, first) == expected


@pytest.mark.postgres
@pytest.mark.parametrize("case", ["missing file", "renamed column"])
def test_postgres_bad_dataset_names_the_file_and_changes_nothing(parquet_dataset, pg_database, tmp_path, case):
    load_postgres(parquet_dataset, pg_database, quiet=True)
    before = _pg_counts(pg_database)
    broken, culprit = _broken_copies(parquet_dataset, tmp_path)[case]
    with pytest.raises(LoadError, match=culprit):
        load_postgres(broken, pg_database, quiet=True)
    assert _pg_counts(pg_database) == before


@pytest.mark.postgres
def test_postgres_bad_values_roll_back_everything(csv_dataset, pg_database, tmp_path):
    load_postgres(csv_dataset, pg_database, quiet=True)
    before = _pg_counts(pg_database)
    other, last = _with_bad_value(csv_dataset, tmp_path)
    with pytest.raises(LoadError, match=last.name):
        load_postgres(other, pg_database, quiet=True)
    assert _pg_counts(pg_database) == before


@pytest.mark.postgres
def test_postgres_unreachable_server_is_a_clear_error(parquet_dataset, pg_database):
    from dataclasses import replace

    with pytest.raises(LoadError, match="cannot connect to PostgreSQL at 127.0.0.1:1"):
        load_postgres(parquet_dataset, replace(pg_database, host="127.0.0.1", port=1), quiet=True)
