"""Static reference data, read from the dbt seeds so there is one source of truth."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# The project folder (seeds, models, profiles): defined here once; pipeline.settings shares it.
PROJECT_ROOT = Path(__file__).resolve().parents[1]

SEEDS_DIR = PROJECT_ROOT / "seeds"


def _read(name: str) -> list[dict[str, str]]:
    path = SEEDS_DIR / f"{name}.csv"
    if not path.exists():
        raise FileNotFoundError(f"reference seed {path} is missing; run bankgen from the project checkout")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Reference:
    bank_codes_domestic: tuple[str, ...]
    bank_codes_foreign: tuple[str, ...]
    province_codes: tuple[str, ...]
    auth_method_ids: dict[str, int]


@lru_cache(maxsize=1)
def load_reference() -> Reference:
    banks = _read("banks")
    provinces = _read("provinces")
    methods = _read("authentication_methods")
    return Reference(
        bank_codes_domestic=tuple(b["bank_code"] for b in banks
                                  if b["is_domestic"] == "true" and b["bank_code"] != "TIMO"),
        bank_codes_foreign=tuple(b["bank_code"] for b in banks if b["is_domestic"] == "false"),
        province_codes=tuple(p["province_code"] for p in provinces),
        auth_method_ids={m["method_code"]: int(m["auth_method_id"]) for m in methods},
    )
