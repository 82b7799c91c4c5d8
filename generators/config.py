"""Generation settings and their validation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

import numpy as np

from .schema import FORMATS

DEFAULT_START = date(2026, 10, 1)
MAX_CUSTOMERS = 900_000  # CCCD serials are unique below 1,000,000 individuals


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
        if self.seed < 0:
            raise ConfigError(f"--seed must be zero or positive, got {self.seed}")
        if self.fmt not in FORMATS:
            raise ConfigError(f"--format must be one of {', '.join(FORMATS)}, got {self.fmt!r}")
        if not 0.0 <= self.fraud_rate <= 0.2:
            raise ConfigError(f"--fraud-rate must be between 0 and 0.2, got {self.fraud_rate}")
        if not 0.0 <= self.dirty_rate <= 0.2:
            raise ConfigError(f"--dirty-rate must be between 0 and 0.2, got {self.dirty_rate}")
        if not 0.0 <= self.organization_share <= 1.0:
            raise ConfigError("organization share must be between 0 and 1")
        return self

    def rng(self, *stream: int) -> np.random.Generator:
        """An independent, reproducible random stream for one part of the generation."""
        return np.random.default_rng(np.random.SeedSequence([self.seed, *stream]))

    def as_manifest(self) -> dict:
        out = asdict(self)
        out["start_date"] = self.start_date.isoformat()
        out.pop("extra")
        return out


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--start-date must be a real date as YYYY-MM-DD, got {text!r}") from None
