"""Generation settings and their validation."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import numpy as np

from .schema import FORMATS

DEFAULT_START = date(2026, 10, 1)
MAX_CUSTOMERS = 900_000  # CCCD serials are unique below 1,000,000 individuals
MIN_START = date(2000, 1, 1)  # customers are born up to 80 years earlier; CCCD century codes start at 1900
MAX_SEED = 2**32 - 1


def last_allowed_day() -> date:
    """The latest day a dataset may contain: yesterday, so that no timestamp lies after now."""
    return date.today() - timedelta(days=1)


def check_day_range(first: date, last: date, what: str) -> None:
    """Refuse a range of simulated days that starts too early or reaches today or later."""
    if first < MIN_START:
        raise ConfigError(f"{what} would start on {first}, before {MIN_START}: choose a later --start-date")
    if last > last_allowed_day():
        raise ConfigError(f"{what} would end on {last}, but the last day can be at most {last_allowed_day()} "
                          "(yesterday): bankgen never writes a timestamp after the moment it runs")


class ConfigError(ValueError):
    """Bad user input: reported as one line with exit status 2."""


@dataclass(frozen=True)
class GenerateConfig:
    customers: int = 2_000
    days: int = 30
    start_date: date = DEFAULT_START
    seed: int = 42
    fmt: str = "parquet"
    fraud_rate: float = 0.005
    organization_share: float = 0.10
    dirty_rate: float = 0.0
    extra: dict = field(default_factory=dict)

    def validate(self) -> GenerateConfig:
        if self.customers <= 0:
            raise ConfigError(f"--customers must be a positive whole number, got {self.customers}")
        if self.customers > MAX_CUSTOMERS:
            raise ConfigError(f"--customers must be at most {MAX_CUSTOMERS:,}, got {self.customers:,}")
        if self.days <= 0:
            raise ConfigError(f"--days must be a positive whole number, got {self.days}")
        if self.days > 3_660:
            raise ConfigError(f"--days must be at most 3660, got {self.days}")
        if not 0 <= self.seed <= MAX_SEED:
            raise ConfigError(f"--seed must be between 0 and {MAX_SEED:,}, got {self.seed}")
        if self.fmt not in FORMATS:
            raise ConfigError(f"--format must be one of {', '.join(FORMATS)}, got {self.fmt!r}")
        if not 0.0 <= self.fraud_rate <= 0.2:
            raise ConfigError(f"--fraud-rate must be between 0 and 0.2, got {self.fraud_rate}")
        if not 0.0 <= self.dirty_rate <= 0.2:
            raise ConfigError(f"--dirty-rate must be between 0 and 0.2, got {self.dirty_rate}")
        if not 0.0 <= self.organization_share <= 1.0:
            raise ConfigError("organization share must be between 0 and 1")
        if self.start_date < MIN_START or self.start_date > last_allowed_day():
            raise ConfigError(f"--start-date must be between {MIN_START} and {last_allowed_day()} (yesterday), "
                              f"got {self.start_date}")
        check_day_range(self.start_date, self.start_date + timedelta(days=self.days - 1),
                        f"--start-date {self.start_date} with --days {self.days}")
        return self

    def rng(self, *stream: int) -> np.random.Generator:
        """An independent, reproducible random stream for one part of the generation."""
        return np.random.default_rng(np.random.SeedSequence([self.seed, *stream]))

    def as_manifest(self) -> dict:
        out = asdict(self)
        out["start_date"] = self.start_date.isoformat()
        out.pop("extra")
        return out

    def dataset_id(self, version: str) -> str:
        """The dataset's identity: the same for every run with these settings (whatever --days; days
        added by `advance` keep it), different for any other seed, size, start date or rate."""
        identity = {k: v for k, v in self.as_manifest().items() if k != "days"}
        identity["generator_version"] = version
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]


def parse_date(text: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--start-date must be a real date as YYYY-MM-DD, got {text!r}") from None


def config_from_manifest(manifest: dict) -> GenerateConfig:
    """The settings a dataset was generated with (its manifest's `config`), checked; every reader of a
    dataset (advance, stream) rebuilds the same population from them."""
    c = manifest.get("config") or {}
    try:
        cfg = GenerateConfig(customers=int(c["customers"]), days=int(c["days"]),
                             start_date=date.fromisoformat(c["start_date"]), seed=int(c["seed"]), fmt=c["fmt"],
                             fraud_rate=float(c["fraud_rate"]), organization_share=float(c["organization_share"]),
                             dirty_rate=float(c["dirty_rate"]))
        for key in ("transaction_id", "log_id", "device_id"):
            int(manifest["next_ids"][key])
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"_manifest.json has a missing or malformed setting ({exc}): "
                          "regenerate the dataset") from None
    return cfg


def manifest_last_day(manifest: dict) -> date:
    """The last day a dataset holds: its generated days plus the days `advance` appended."""
    cfg = config_from_manifest(manifest)
    return cfg.start_date + timedelta(days=cfg.days + manifest.get("advance", {}).get("days", 0) - 1)
