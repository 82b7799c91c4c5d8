"""`bankgen add customer|account|device|counterparty`: one entity added to a dataset by hand (the
BDT2023 project's little form for adding a user, an account or a bank).

The row gets the same checks the generator's rows satisfy and the warehouse applies (docs/domain.md
§3): a CCCD that agrees with the birth date, gender and a real province; a mobile number with a
Vietnamese prefix; a tax code with the right check digit; an e-mail address of the usual shape; an
owner that exists; identifiers no other row holds. Anything wrong is one line naming the option, and
the dataset is left as it was.

The new key follows the table's largest (planted dirty rows, whose keys start at 8e12, aside); a
device takes the manifest's next device id, which `advance` continues from. Everything added joins
at the end of the dataset's last day: a customer registers on the day after it, an account opens then
with its opening balance as its balance. Hand-added entities do not transact in the days `advance`
simulates; they are there for the next load and build to show. The table files are written under
temporary names and renamed into place, the manifest last.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa

from .config import ConfigError, manifest_last_day
from .dataset import MANIFEST, parse_manifest
from .dirty import MISSING_ID_BASE
from .identifiers import is_valid_cccd, is_valid_mobile, is_valid_tax_code
from .population import CURRENCY_BY_COUNTRY, TIMO_ACCOUNT_PREFIX
from .reference import SEEDS_DIR
from .schema import TABLES
from .writers import read_table, write_table

ENTITIES = ("customer", "account", "device", "counterparty")
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+([.][A-Za-z0-9-]+)*[.][A-Za-z]{2,}$")
OS_BY_TYPE = {"mobile": "Android 14", "computer": "Windows 11", "tablet": "iPadOS 18.1"}
MAX_OPENING_VND = Decimal("1000000000000")


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _required(fields: dict, name: str) -> str:
    value = fields.get(name)
    if value is None or not str(value).strip():
        raise ConfigError(f"--{name.replace('_', '-')} is required")
    return str(value).strip()


def _choice(fields: dict, name: str, allowed: tuple[str, ...], default: str | None = None) -> str:
    value = (fields.get(name) or default or "").strip().lower()
    if value not in allowed:
        raise ConfigError(f"--{name.replace('_', '-')} must be one of {', '.join(allowed)}, got {fields.get(name)!r}")
    return value


def _whole_id(fields: dict, name: str) -> int:
    text = _required(fields, name)
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(f"--{name.replace('_', '-')} must be a whole number from 1, got {text!r}")
    return int(text)


def _ids(table: pa.Table, column: str) -> list[int]:
    return [v for v in table.column(column).to_pylist() if v is not None and v < MISSING_ID_BASE]


class Dataset:
    """A dataset folder's state tables, read for adding rows and written back whole."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise ConfigError(f"--data {folder} is not a dataset folder")
        self.manifest = parse_manifest(self.folder)
        self.fmt = self.manifest["config"]["fmt"]
        self.moment = datetime.combine(manifest_last_day(self.manifest) + timedelta(days=1), datetime.min.time())
        self.tables: dict[str, pa.Table] = {}
        self.changed: dict[str, pa.Table] = {}

    def table(self, name: str) -> pa.Table:
        if name not in self.tables:
            path = self.folder / f"{name}.{self.fmt}"
            if not path.is_file():
                raise ConfigError(f"{path} is missing: the dataset is incomplete")
            try:
                self.tables[name] = read_table(path, self.fmt, TABLES[name].arrow_schema)
            except (OSError, pa.ArrowException) as exc:
                raise ConfigError(f"{path} cannot be read as {self.fmt}: {str(exc).splitlines()[0]}") from None
        return self.tables[name]

    def append(self, name: str, row: dict) -> None:
        table = self.changed.get(name, self.table(name))
        self.changed[name] = pa.concat_tables([table, pa.Table.from_pylist([row], schema=TABLES[name].arrow_schema)])

    def save(self) -> None:
        """Every changed table under a temporary name, then renamed into place; the manifest last."""
        staged = []
        try:
            for name, table in self.changed.items():
                final = self.folder / f"{name}.{self.fmt}"
                tmp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
                write_table(table, tmp, self.fmt)
                staged.append((tmp, final))
            for name, table in self.changed.items():
                self.manifest["row_counts"][name] = table.num_rows
            manifest_tmp = self.folder / f".{MANIFEST}.tmp-{os.getpid()}"
            manifest_tmp.write_text(json.dumps(self.manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            staged.append((manifest_tmp, self.folder / MANIFEST))
        except BaseException:
            for tmp, _ in staged:
                tmp.unlink(missing_ok=True)
            raise
        for tmp, final in staged:
            tmp.replace(final)


def _customer(ds: Dataset, fields: dict) -> dict:
    customers = ds.table("customers")
    kind = _choice(fields, "type", ("individual", "organization"), "individual")
    name = _required(fields, "name")
    phone = _required(fields, "phone")
    if not is_valid_mobile(phone):
        raise ConfigError(f"--phone {phone!r} is not a Vietnamese mobile number (0, then 3/5/7/8/9, then 8 digits)")
    if phone in set(customers.column("phone_number").to_pylist()):
        raise ConfigError(f"--phone {phone} already belongs to another customer")
    email = (fields.get("email") or "").strip() or None
    if email is not None and not EMAIL.match(email):
        raise ConfigError(f"--email {email!r} is not an e-mail address (local part, one @, a domain with a dot)")
    provinces = {p["province_code"] for p in _seed("provinces")}
    province = _required(fields, "province")
    if province not in provinces:
        raise ConfigError(f"--province {province!r} is not a province code of seeds/provinces.csv")
    registered = ds.moment.date()
    row = {"customer_type": kind, "full_name": name, "phone_number": phone, "email": email,
           "address": (fields.get("address") or "").strip() or None, "province_code": province,
           "registration_date": registered, "status": "active", "updated_at": ds.moment,
           "cccd_number": None, "tax_code": None, "gender": None, "date_of_birth": None}
    if kind == "individual":
        try:
            born = date.fromisoformat(_required(fields, "birth_date"))
        except ValueError:
            raise ConfigError(f"--birth-date must be a date as YYYY-MM-DD, got {fields.get('birth_date')!r}") from None
        if born >= registered or born >= date.today():
            raise ConfigError(f"--birth-date {born} must be in the past and before registration ({registered})")
        gender = _choice(fields, "gender", ("male", "female"))
        cccd = _required(fields, "cccd")
        if not is_valid_cccd(cccd, born.year, gender == "female", provinces):
            raise ConfigError(f"--cccd {cccd!r} is not a CCCD for this person: 12 digits, a province code, then the "
                              f"century/gender digit and the last two digits of the birth year {born.year}")
        if cccd in set(customers.column("cccd_number").to_pylist()):
            raise ConfigError(f"--cccd {cccd} already belongs to another customer")
        row.update(cccd_number=cccd, gender=gender, date_of_birth=born)
    else:
        tax = _required(fields, "tax_code")
        if not is_valid_tax_code(tax):
            raise ConfigError(f"--tax-code {tax!r} is not a tax code with a right check digit (10 digits)")
        if tax in set(customers.column("tax_code").to_pylist()):
            raise ConfigError(f"--tax-code {tax} already belongs to another customer")
        row["tax_code"] = tax
    row["customer_id"] = max(_ids(customers, "customer_id"), default=0) + 1
    ds.append("customers", row)
    return row


def _owner(ds: Dataset, fields: dict) -> int:
    customer_id = _whole_id(fields, "customer_id")
    if customer_id not in set(_ids(ds.table("customers"), "customer_id")):
        raise ConfigError(f"--customer-id {customer_id}: no such customer in the dataset")
    return customer_id


def _account(ds: Dataset, fields: dict) -> dict:
    accounts = ds.table("bank_accounts")
    customer_id = _owner(ds, fields)
    kind = _choice(fields, "type", ("checking", "savings", "ewallet"), "checking")
    text = str(fields.get("opening_balance") or "0")
    try:
        opening = Decimal(text)
    except InvalidOperation:
        raise ConfigError(f"--opening-balance must be an amount in VND, got {text!r}") from None
    if not opening.is_finite() or not 0 <= opening <= MAX_OPENING_VND or opening != opening.to_integral_value():
        raise ConfigError(f"--opening-balance must be whole VND from 0 to {MAX_OPENING_VND:,}, got {opening}")
    account_id = max(_ids(accounts, "account_id"), default=0) + 1
    taken = set(accounts.column("account_number").to_pylist())
    number = (fields.get("number") or "").strip()
    if number:
        if not re.fullmatch(TIMO_ACCOUNT_PREFIX + r"[0-9]{8}", number):
            raise ConfigError(f"--number {number!r} is not a Timo account number ({TIMO_ACCOUNT_PREFIX} and 8 digits)")
    else:
        counter = 0
        while not number or number in taken:
            digest = hashlib.sha256(f"account:{account_id}:{counter}".encode()).hexdigest()
            number, counter = TIMO_ACCOUNT_PREFIX + f"{int(digest, 16) % 10**8:08d}", counter + 1
    if number in taken:
        raise ConfigError(f"--number {number} already belongs to another account")
    row = {"account_id": account_id, "customer_id": customer_id, "account_number": number, "account_type": kind,
           "currency": "VND", "opened_at": ds.moment, "balance": opening, "status": "active",
           "updated_at": ds.moment, "opening_balance": opening, "balance_at": ds.moment}
    ds.append("bank_accounts", row)
    return row


def _device(ds: Dataset, fields: dict) -> dict:
    devices = ds.table("devices")
    customer_id = _owner(ds, fields)
    kind = _choice(fields, "type", ("mobile", "computer", "tablet"), "mobile")
    device_id = max(ds.manifest["next_ids"]["device_id"], max(_ids(devices, "device_id"), default=0) + 1)
    identifier = (fields.get("identifier") or "").strip().lower()
    if identifier:
        if not re.fullmatch(r"[0-9a-f]{32}", identifier):
            raise ConfigError(f"--identifier {identifier!r} must be 32 hexadecimal digits")
    else:
        identifier = hashlib.sha256(f"device:{device_id}:{customer_id}".encode()).hexdigest()[:32]
    if identifier in set(devices.column("device_identifier").to_pylist()):
        raise ConfigError(f"--identifier {identifier} is already registered")
    row = {"device_id": device_id, "customer_id": customer_id, "device_type": kind, "device_identifier": identifier,
           "os_info": (fields.get("os") or "").strip() or OS_BY_TYPE[kind], "is_trusted": bool(fields.get("trusted")),
           "first_seen": ds.moment, "last_seen": ds.moment, "status": "active", "updated_at": ds.moment}
    ds.append("devices", row)
    ds.manifest["next_ids"]["device_id"] = device_id + 1
    return row


def _counterparty(ds: Dataset, fields: dict) -> dict:
    banks = {b["bank_code"]: b for b in _seed("banks") if b["bank_code"] != "TIMO"}
    bank = _required(fields, "bank").upper()
    if bank not in banks:
        raise ConfigError(f"--bank {bank!r} is not another bank's code in seeds/banks.csv")
    kind = _choice(fields, "type", ("individual", "organization"), "individual")
    name = _required(fields, "name")
    customers, accounts = ds.table("other_bank_customers"), ds.table("other_bank_accounts")
    customer_id = max(_ids(customers, "other_customer_id"), default=0) + 1
    account_id = max(_ids(accounts, "other_account_id"), default=0) + 1
    taken = set(accounts.column("account_number").to_pylist())
    digest = int(hashlib.sha256(f"other:{account_id}".encode()).hexdigest(), 16)
    number = (fields.get("number") or "").strip() or bank + f"{digest % 10**10:010d}"
    if not re.fullmatch(re.escape(bank) + r"[0-9]{10}", number):
        raise ConfigError(f"--number {number!r} must be the bank code {bank} followed by 10 digits")
    if number in taken:
        raise ConfigError(f"--number {number} already belongs to another counterparty account")
    country = banks[bank]["country_code"]
    ds.append("other_bank_customers", {"other_customer_id": customer_id, "bank_code": bank, "customer_type": kind,
                                       "full_name": name, "country_code": country})
    row = {"other_account_id": account_id, "other_customer_id": customer_id, "bank_code": bank,
           "account_number": number, "currency": CURRENCY_BY_COUNTRY.get(country, "VND")}
    ds.append("other_bank_accounts", row)
    return row


ADDERS = {"customer": _customer, "account": _account, "device": _device, "counterparty": _counterparty}


def add_entity(folder: Path, entity: str, fields: dict) -> dict:
    """Add one entity to the dataset in `folder`; returns the row written (ConfigError on bad input)."""
    if entity not in ADDERS:
        raise ConfigError(f"what to add must be one of {', '.join(ENTITIES)}, got {entity!r}")
    ds = Dataset(folder)
    row = ADDERS[entity](ds, fields)
    ds.save()
    return row
