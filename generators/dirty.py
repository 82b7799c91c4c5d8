"""Dirty rows for `--dirty-rate`: bad rows of every kind, added beside the clean data.

Dirty rows are *extra* rows (copies of real rows with one defect and a fresh key, exact duplicates,
orphans), never edits of real rows, so the clean part of a dirty dataset is exactly the dataset the
same arguments give without `--dirty-rate`. Every planted row is listed in `_expected_rejections.csv`
with the reason code the quarantine must give it. The reason codes, in the order the checks apply,
are the rows of seeds/dq_reason_codes.csv; a planted row breaks exactly one rule, and no earlier one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from .schema import TABLES

JUNK_ID_BASE = 9_000_000_000_000  # keys of added rows never collide with generated ones
MISSING_ID_BASE = 8_000_000_000_000  # keys no table holds: each orphan points at its own one
FUTURE = dt.datetime(2099, 1, 1, 12, 0, 0)

# table -> (key column, kinds planted in it)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "customers": ("customer_id", ("duplicate_key", "invalid_cccd", "cccd_birth_mismatch", "invalid_phone",
                                  "invalid_tax_code", "missing_required_field", "unknown_value",
                                  "duplicate_identifier", "invalid_birth_date", "invalid_email")),
    "bank_accounts": ("account_id", ("duplicate_key", "orphan_reference", "invalid_amount", "unknown_value",
                                     "missing_required_field")),
    "devices": ("device_id", ("duplicate_key", "orphan_reference", "unknown_value")),
    "other_bank_customers": ("other_customer_id", ("duplicate_key", "orphan_reference")),
    "other_bank_accounts": ("other_account_id", ("duplicate_key", "orphan_reference")),
    "payment_transactions": ("transaction_id", ("duplicate_key", "orphan_reference", "invalid_amount",
                                                "missing_required_field", "future_timestamp", "unknown_value",
                                                "invalid_destination", "counterparty_bank_mismatch")),
    "authentication_logs": ("log_id", ("duplicate_key", "orphan_reference", "auth_before_transaction",
                                       "unknown_value", "missing_required_field", "inconsistent_failure_reason")),
    "fraud_labels": ("transaction_id", ("duplicate_key", "orphan_reference", "unknown_value")),
    "inbound_transfers": ("inbound_id", ("duplicate_key", "orphan_reference", "invalid_amount",
                                         "missing_required_field", "unknown_value", "counterparty_bank_mismatch")),
}


@dataclass
class DirtyPlanter:
    rate: float
    seed: int
    expected: list[tuple[str, str, str]] = field(default_factory=list)
    _next: dict[str, int] = field(default_factory=dict)

    def _junk_id(self, table: str) -> int:
        self._next[table] = self._next.get(table, 0) + 1
        return JUNK_ID_BASE + self._next[table]

    def add(self, name: str, table: pa.Table, rng: np.random.Generator) -> pa.Table:
        """`table` with its dirty rows appended (same schema); the plan goes to `expected`."""
        if self.rate <= 0 or table.num_rows == 0:
            return table
        key, kinds = KINDS[name]
        per_kind = max(1, int(round(self.rate * table.num_rows / len(kinds))))
        rows = []
        for kind in kinds:
            # some kinds only fit some rows (a tax code needs an organisation): try more than needed
            picks = rng.integers(0, table.num_rows, min(table.num_rows, per_kind * 40))
            planted = 0
            for source in table.take(pa.array(picks)).to_pylist():
                row = self._spoil(name, key, kind, dict(source), rng)
                if row is None:
                    continue
                rows.append(row)
                self.expected.append((name, str(row[key]), kind))
                planted += 1
                if planted == per_kind:
                    break
        if not rows:
            return table
        return pa.concat_tables([table, pa.Table.from_pylist(rows, schema=TABLES[name].arrow_schema)])

    def _spoil(self, name: str, key: str, kind: str, row: dict, rng) -> dict | None:
        if kind == "duplicate_key":
            return row  # an exact copy: one of the two is quarantined
        row[key] = self._junk_id(name)
        unique_suffix = f"{row[key] % 10**8:08d}"
        # Checks apply in the order of the module docstring, so a junk row's one defect is found before
        # its copied identifiers could count as duplicates; only keys checked later must be fresh.
        if name == "customers":
            return self._spoil_customer(kind, row, rng)
        if name == "bank_accounts":
            row["account_number"] = "9999" + unique_suffix
        if name == "devices":
            row["device_identifier"] = "f" * 16 + unique_suffix * 2
        if name == "other_bank_accounts":
            row["account_number"] = "XX" + unique_suffix + "00"
        if kind == "orphan_reference":
            parent = {"bank_accounts": "customer_id", "devices": "customer_id", "other_bank_customers": "bank_code",
                      "other_bank_accounts": "other_customer_id", "payment_transactions": "from_account_id",
                      "authentication_logs": "transaction_id", "fraud_labels": "transaction_id",
                      "inbound_transfers": "to_account_id"}[name]
            row[parent] = "NOBANK" if parent == "bank_code" else MISSING_ID_BASE + self._junk_id(name) - JUNK_ID_BASE
            return row
        if kind == "unknown_value":
            column, value = {"bank_accounts": ("status", "dormant"), "devices": ("device_type", "smartwatch"),
                             "payment_transactions": ("transaction_type", "crypto_purchase"),
                             "authentication_logs": ("auth_result", "maybe"),
                             "fraud_labels": ("scenario", "alien_invasion"),
                             "inbound_transfers": ("inbound_type", "lottery_win")}[name]
            row[column] = value
            return row
        if kind == "missing_required_field":
            column = {"bank_accounts": "account_number", "payment_transactions": "transaction_ts",
                      "authentication_logs": "auth_method_id", "inbound_transfers": "transaction_ts"}[name]
            row[column] = None
            return row
        if kind == "invalid_amount":
            if name == "bank_accounts":
                row["balance"] = -abs(row["balance"]) - 1
            else:
                row["amount"] = -abs(row["amount"]) - 1 if rng.random() < 0.5 else 999_999_999_999
            return row
        if kind == "future_timestamp":
            row["transaction_ts"] = FUTURE
            return row
        if kind == "auth_before_transaction":
            row["auth_ts"] = row["auth_ts"] - dt.timedelta(days=2)
            return row
        if kind == "invalid_destination":
            return self._spoil_destination(row, rng)
        if kind == "counterparty_bank_mismatch" and name == "inbound_transfers":
            # the message names another bank than the one the sender's account is at
            row["sender_bank_code"] = "BIDV" if row["sender_bank_code"] != "BIDV" else "VCB"
            return row
        if kind == "counterparty_bank_mismatch":
            # an interbank transfer whose type says the other scope: the bank no longer fits the type
            swap = {"transfer_interbank_domestic": "transfer_interbank_international",
                    "transfer_interbank_international": "transfer_interbank_domestic"}
            if row["transaction_type"] not in swap:
                return None
            row["transaction_type"] = swap[row["transaction_type"]]
            return row
        if kind == "inconsistent_failure_reason":
            # a success that gives a failure reason, or a failure that gives none
            row["failure_reason"] = "wrong_otp" if row["auth_result"] == "success" else None
            return row
        raise ValueError(f"no way to plant {kind} in {name}")

    @staticmethod
    def _spoil_destination(row: dict, rng) -> dict | None:
        """A destination that breaks the type's rule: two destinations, a transfer with none, or a
        payment, top-up, withdrawal or inquiry with one (an existing account, so it is no orphan)."""
        internal, external = row["to_internal_account_id"], row["to_external_account_id"]
        if internal is None and external is None:
            row["to_internal_account_id"] = row["from_account_id"]
        elif external is not None and rng.random() < 0.5:
            row["to_internal_account_id"] = row["from_account_id"]
        else:
            row["to_internal_account_id"] = row["to_external_account_id"] = None
        return row

    @staticmethod
    def _spoil_customer(kind: str, row: dict, rng) -> dict | None:
        individual = row["customer_type"] == "individual"
        if kind in ("invalid_cccd", "cccd_birth_mismatch", "invalid_birth_date") and not individual:
            return None
        if kind == "invalid_birth_date":
            # born in the future, or on or after the day of registration
            later = FUTURE.date() if rng.random() < 0.5 else row["registration_date"] + dt.timedelta(days=1)
            row["date_of_birth"] = later
            return row
        if kind == "invalid_email":
            if not row["email"]:
                return None
            local, _, domain = row["email"].partition("@")
            broken = [f"{local}.{domain}", f"{local}@{domain.split('.')[0]}", f"{local}@@{domain}"]
            row["email"] = str(rng.choice(broken))
            return row
        if kind == "invalid_tax_code" and individual:
            return None
        if kind == "invalid_cccd":
            row["cccd_number"] = "12345ABC"
        elif kind == "cccd_birth_mismatch":
            wrong_year = (row["date_of_birth"].year + 7) % 100
            row["cccd_number"] = row["cccd_number"][:4] + f"{wrong_year:02d}" + row["cccd_number"][6:]
        elif kind == "invalid_phone":
            row["phone_number"] = "0123" + row["phone_number"][4:]
        elif kind == "invalid_tax_code":
            row["tax_code"] = row["tax_code"][:9] + str((int(row["tax_code"][9]) + 1) % 10)
        elif kind == "missing_required_field":
            row["full_name"] = None
        elif kind == "unknown_value":
            row["status"] = "deleted"
        return row  # duplicate_identifier: a fresh key with another customer's CCCD/tax code and phone

    def write(self, path) -> None:
        lines = ["table_name,key_value,reason"] + [",".join(e) for e in sorted(self.expected)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
