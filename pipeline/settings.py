"""One place for the settings every part shares: the command line, the tests, the benchmarks and the
dashboard. It holds:

- the project folder;
- the DuckDB file;
- the PostgreSQL connection and the environment that hands it to dbt;
- the dbt profile, found the way dbt finds it;
- one way to spell a dbt command.

Every value comes from the environment, with the defaults of `profiles.yml.example`.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generators.config import ConfigError
from generators.reference import PROJECT_ROOT

DEFAULT_DUCKDB = "warehouse/timo_bank.duckdb"
DEFAULT_DATA = "data/raw"


class SettingsError(ConfigError):
    """A setting that cannot be used: reported as one line with exit status 2."""


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """$TIMO_DATA_DIR, or the dataset folder `make run` writes (data/raw); relative paths are taken
    from the project. The orchestration lands files here and loads them from here."""
    env = os.environ if env is None else env
    path = Path(env.get("TIMO_DATA_DIR") or DEFAULT_DATA)
    return path if path.is_absolute() else PROJECT_ROOT / path


def target_name(env: Mapping[str, str] | None = None) -> str:
    """$TIMO_TARGET (duckdb or postgres; default duckdb): the warehouse the dashboard and the
    orchestration use."""
    env = os.environ if env is None else env
    target = (env.get("TIMO_TARGET") or "duckdb").strip().lower()
    if target not in ("duckdb", "postgres"):
        raise SettingsError(f"TIMO_TARGET must be 'duckdb' or 'postgres', not {target!r}")
    return target


def duckdb_path(env: Mapping[str, str] | None = None) -> Path:
    """$TIMO_DUCKDB_PATH, or the project's warehouse file; relative paths are taken from the project."""
    env = os.environ if env is None else env
    path = Path(env.get("TIMO_DUCKDB_PATH") or DEFAULT_DUCKDB)
    return path if path.is_absolute() else PROJECT_ROOT / path


@dataclass
class PostgresSettings:
    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_env(cls, dbname: str | None = None, env: Mapping[str, str] | None = None) -> PostgresSettings:
        env = os.environ if env is None else env
        port = env.get("PGPORT", "5432")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(f"PGPORT must be a port number from 1 to 65535, got {port!r}")
        return cls(host=env.get("PGHOST", "127.0.0.1"), port=int(port), user=env.get("PGUSER", "postgres"),
                   password=env.get("PGPASSWORD", ""), dbname=dbname or env.get("PGDATABASE", "timo_bank"))

    def env(self) -> dict[str, str]:
        """The PG* variables that point dbt (profiles.yml.example) and libpq at this database."""
        return {"PGHOST": self.host, "PGPORT": str(self.port), "PGUSER": self.user, "PGPASSWORD": self.password,
                "PGDATABASE": self.dbname}

    def connect(self, dbname: str | None = None):
        import psycopg2

        from pipeline.loader import LoadError

        try:
            return psycopg2.connect(host=self.host, port=self.port, user=self.user,
                                    password=self.password, dbname=dbname or self.dbname)
        except psycopg2.OperationalError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "connection failed"
            where = f"{self.host}:{self.port} as {self.user}"
            raise LoadError(f"cannot connect to PostgreSQL at {where}: {first}") from None


def dbt_executable() -> str:
    local = Path(sys.executable).parent / "dbt"
    found = str(local) if local.exists() else shutil.which("dbt")
    if not found:
        raise SettingsError("dbt is not installed in this environment (pip install -e . installs it)")
    return found


def profiles_dir(explicit: Path | str | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The folder of profiles.yml, looked up as dbt does: the --profiles-dir flag, then
    $DBT_PROFILES_DIR, then the project folder, then ~/.dbt. A missing profile is a one-line error."""
    env = {**os.environ, **(env or {})}
    candidates = ([("--profiles-dir", Path(explicit))] if explicit else []) + (
        [("DBT_PROFILES_DIR", Path(env["DBT_PROFILES_DIR"]))] if env.get("DBT_PROFILES_DIR") else [])
    for where, folder in candidates:  # an explicit choice is never second-guessed
        if not (folder / "profiles.yml").is_file():
            raise SettingsError(f"{where} points at {folder}, which has no profiles.yml")
        return folder
    for folder in (PROJECT_ROOT, Path.home() / ".dbt"):
        if (folder / "profiles.yml").is_file():
            return folder
    raise SettingsError(f"no dbt profile found: copy profiles.yml.example to {PROJECT_ROOT / 'profiles.yml'} "
                        "(make install does), or set DBT_PROFILES_DIR")


def dbt_command(*args: str, target: str | None = None, profiles: Path | str | None = None,
                target_path: Path | str | None = None) -> list[str]:
    """The one spelling of a dbt command, run from the project folder, with the profile as dbt finds it."""
    command = [dbt_executable(), *args, "--profiles-dir", str(profiles or profiles_dir())]
    if target:
        command += ["--target", target]
    if target_path:
        command += ["--target-path", str(target_path)]
    return command
