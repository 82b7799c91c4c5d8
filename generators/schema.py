"""The raw tables: one definition shared by the generator, the writers, the loader and the tests."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

# logical type -> (Arrow type, DuckDB type, PostgreSQL type, Spark type)
TYPES: dict[str, tuple[pa.DataType, str, str, str]] = {
    "bigint": (pa.int64(), "BIGINT", "bigint", "bigint"),
    "varchar": (pa.string(), "VARCHAR", "text", "string"),
    "date": (pa.date32(), "DATE", "date", "date"),
    "timestamp": (pa.timestamp("us"), "TIMESTAMP", "timestamp", "timestamp"),
    "boolean": (pa.bool_(), "BOOLEAN", "boolean", "boolean"),
    "amount": (pa.decimal128(18, 2), "DECIMAL(18,2)", "numeric(18,2)", "decimal(18,2)"),
}


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]
    daily: bool  # event tables are written one file per day; state tables as one file
    description: str

    @property
    def column_names(self) -> list[str]:
        return [c for c, _ in self.columns]

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c, TYPES[t][0]) for c, t in self.columns])

    def duckdb_columns(self) -> dict[str, str]:
        return {c: TYPES[t][1] for c, t in self.columns}

    def spark_columns(self) -> dict[str, str]:
        return {c: TYPES[t][3] for c, t in self.columns}

    def postgres_ddl(self, schema: str) -> str:
        cols = ",\n  ".join(f"{c} {TYPES[t][2]}" for c, t in self.columns)
        return f"create table {schema}.{self.name} (\n  {cols}\n)"


TABLES: dict[str, Table] = {t.name: t for t in [
    Table("customers", (
        ("customer_id", "bigint"), ("customer_type", "varchar"), ("cccd_number", "varchar"),
        ("tax_code", "varchar"), ("full_name", "varchar"), ("gender", "varchar"),
        ("date_of_birth", "date"), ("phone_number", "varchar"), ("email", "varchar"),
        ("address", "varchar"), ("province_code", "varchar"), ("registration_date", "date"),
        ("status", "varchar"), ("updated_at", "timestamp"),
    ), False, "Timo customers, individuals and organisations"),
    Table("bank_accounts", (
        ("account_id", "bigint"), ("customer_id", "bigint"), ("account_number", "varchar"),
        ("account_type", "varchar"), ("currency", "varchar"), ("opened_at", "timestamp"),
        ("balance", "amount"), ("status", "varchar"), ("updated_at", "timestamp"),
        ("opening_balance", "amount"), ("balance_at", "timestamp"),
    ), False, "Timo accounts: checking, savings and e-wallets; `balance` is the core's balance at "
              "`balance_at`, `opening_balance` the balance the period's ledger starts from"),
    Table("devices", (
        ("device_id", "bigint"), ("customer_id", "bigint"), ("device_type", "varchar"),
        ("device_identifier", "varchar"), ("os_info", "varchar"), ("is_trusted", "boolean"),
        ("first_seen", "timestamp"), ("last_seen", "timestamp"), ("status", "varchar"),
        ("updated_at", "timestamp"),
    ), False, "Devices registered to Timo customers"),
    Table("other_bank_customers", (
        ("other_customer_id", "bigint"), ("bank_code", "varchar"), ("customer_type", "varchar"),
        ("full_name", "varchar"), ("country_code", "varchar"),
    ), False, "Counterparties who bank elsewhere"),
    Table("other_bank_accounts", (
        ("other_account_id", "bigint"), ("other_customer_id", "bigint"), ("bank_code", "varchar"),
        ("account_number", "varchar"), ("currency", "varchar"),
    ), False, "Counterparty accounts at domestic and foreign banks"),
    Table("payment_transactions", (
        ("transaction_id", "bigint"), ("from_account_id", "bigint"),
        ("to_internal_account_id", "bigint"), ("to_external_account_id", "bigint"),
        ("customer_id", "bigint"), ("device_id", "bigint"), ("transaction_type", "varchar"),
        ("amount", "amount"), ("description", "varchar"), ("transaction_ts", "timestamp"),
        ("status", "varchar"), ("channel", "varchar"), ("failure_reason", "varchar"),
    ), True, "Every transaction initiated from a Timo account"),
    Table("inbound_transfers", (
        ("inbound_id", "bigint"), ("to_account_id", "bigint"), ("from_external_account_id", "bigint"),
        ("sender_bank_code", "varchar"), ("sender_account_number", "varchar"), ("sender_name", "varchar"),
        ("inbound_type", "varchar"), ("amount", "amount"), ("description", "varchar"),
        ("transaction_ts", "timestamp"), ("status", "varchar"),
    ), True, "Money arriving in Timo accounts from other banks: NAPAS and international credits, "
             "salaries, refunds and e-wallet credits"),
    Table("authentication_logs", (
        ("log_id", "bigint"), ("transaction_id", "bigint"), ("auth_method_id", "bigint"),
        ("auth_result", "varchar"), ("auth_ts", "timestamp"), ("failure_reason", "varchar"),
    ), True, "Every authentication attempt made to confirm a transaction"),
    Table("fraud_labels", (
        ("transaction_id", "bigint"), ("scenario", "varchar"), ("event_id", "bigint"),
    ), True, "Ground truth: transactions planted by a fraud scenario"),
]}

FORMATS = ("csv", "parquet")


def table_files(table: Table, data_dir, fmt: str) -> list:
    """The files of one table in a dataset folder, in a stable order."""
    from pathlib import Path

    data_dir = Path(data_dir)
    if table.daily:
        folder = data_dir / table.name
        # hidden files (editor backups, macOS `._x` forks, temporary files being written) are never data
        return sorted(p for p in folder.glob(f"*.{fmt}") if not p.name.startswith(".")) if folder.is_dir() else []
    path = data_dir / f"{table.name}.{fmt}"
    return [path] if path.exists() else []
