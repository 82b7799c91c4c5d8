"""No secret and no identifier in any artefact: after a build and `dbt docs generate`, no file under the
target folders or the dbt logs holds the database password or any CCCD, phone number or e-mail of the
dataset; the marts carry random tokens that reveal nothing, and only the vault maps them back, which
analysts and the dashboard cannot read (PostgreSQL)."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import psycopg2
import pyarrow.parquet as pq
import pytest
from psycopg2 import errors

from .conftest import PG_PASSWORD_CANARY, ROOT, run_dbt


def _identifiers(dataset: Path) -> dict[str, set[str]]:
    customers = pq.read_table(dataset / "customers.parquet").to_pydict()
    return {"cccd": {v for v in customers["cccd_number"] if v}, "phone": {v for v in customers["phone_number"] if v},
            "email": {v for v in customers["email"] if v}}


def _scan(folders: list[Path], needles: dict[str, set[str]]) -> dict[str, list[str]]:
    """Which needle of each kind appears in which file (12- and 10-digit runs and e-mails are extracted,
    then looked up, so the scan is exact and fast)."""
    found: dict[str, list[str]] = {}
    files = [p for folder in folders for p in folder.rglob("*") if p.is_file()]
    assert len(files) > 20, files
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        for kind, values in needles.items():
            if kind == "cccd":
                hits = set(re.findall(r"(?<!\d)\d{12}(?!\d)", text)) & values
            elif kind == "phone":
                hits = set(re.findall(r"(?<!\d)0\d{9}(?!\d)", text)) & values
            elif kind == "email":
                hits = set(re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", text)) & values
            else:
                hits = {v for v in values if v in text}
            if hits:
                found.setdefault(kind, []).append(f"{path}: {sorted(hits)[:3]}")
    return found


def _docs(built, work: Path) -> Path:
    target = work / "docs-target"
    engine = "duckdb" if built.duckdb_path else "postgres"
    result = run_dbt("docs", "generate", "--static", "--target", engine, "--target-path", str(target),
                     env={**built.env, "DBT_LOG_PATH": str(work / "docs-logs")})
    assert result.returncode == 0, result.stdout[-3000:]
    assert (target / "static_index.html").stat().st_size > 100_000
    return target


def test_no_identifier_in_any_duckdb_artefact(built_duckdb, parquet_dataset, tmp_path):
    built_duckdb.assert_green()
    docs = _docs(built_duckdb, tmp_path)
    folders = [built_duckdb.target_path, Path(built_duckdb.env["DBT_LOG_PATH"]), docs, tmp_path / "docs-logs"]
    assert _scan(folders, _identifiers(parquet_dataset)) == {}


@pytest.mark.postgres
def test_no_secret_or_identifier_in_any_postgres_artefact(built_postgres, parquet_dataset, tmp_path):
    built_postgres.assert_green()
    assert built_postgres.env["PGPASSWORD"] == PG_PASSWORD_CANARY
    docs = _docs(built_postgres, tmp_path)
    folders = [built_postgres.target_path, Path(built_postgres.env["DBT_LOG_PATH"]), docs, tmp_path / "docs-logs"]
    secrets = {v for k, v in {**os.environ, **built_postgres.env}.items()
               if re.search(r"PASSWORD|SECRET|SALT|TOKEN|KEY", k) and len(v) >= 8}
    assert PG_PASSWORD_CANARY in secrets
    needles = {**_identifiers(parquet_dataset), "secret": secrets}
    assert _scan(folders, needles) == {}
    # the project itself: no secret configured anywhere (the old design kept a salt in the environment)
    tracked = [p for p in ROOT.rglob("*") if p.is_file() and ".git" not in p.parts and ".venv" not in p.parts
               and "target" not in p.parts and p.suffix in (".sql", ".yml", ".yaml", ".py", ".example", ".toml")]
    assert not [p for p in tracked if p != Path(__file__) and "TIMO_PII_SALT" in p.read_text(errors="replace")]


def _as(settings, role: str):
    conn = psycopg2.connect(host=settings.host, port=settings.port, user=role, dbname=settings.dbname)
    conn.autocommit = True
    return conn


@pytest.mark.postgres
def test_tokens_reveal_nothing_and_only_pii_reader_maps_them(built_postgres, parquet_dataset):
    built_postgres.assert_green()
    settings = built_postgres.settings
    admin = settings.connect()
    with admin.cursor() as cur:
        cur.execute("select c.cccd_number, d.cccd_number_masked, d.cccd_token, d.birth_year, d.gender "
                    "from staging.stg_core_banking__customers c join marts.dim_customers d using (customer_id) "
                    "where c.cccd_number is not null")
        rows = cur.fetchall()
        cur.execute("select count(*), count(distinct cccd_token) from pii.pii_cccd_tokens")
        vault = cur.fetchone()
        cur.execute("select md5(cccd_number) from staging.stg_core_banking__customers where cccd_number is not null")
        digests = {r[0] for r in cur.fetchall()}  # the plain digest of every customer's number
    admin.close()
    assert len(rows) > 100 and vault[0] == vault[1] >= len(rows)
    for cccd, masked, token, _, _ in rows:
        assert masked == "*" * 9 + cccd[-3:]
        assert re.fullmatch(r"cccd_[0-9a-f]{32}", token)
        assert token[5:] not in digests and cccd not in token
        # not a digest of the number, with or without anything analysts can see beside it
        for text in (cccd, cccd[-3:], f"{cccd}{rows[0][3]}"):
            for algorithm in ("md5", "sha1", "sha256"):
                assert hashlib.new(algorithm, text.encode()).hexdigest()[:32] != token[5:]
    assert len({token for _, _, token, _, _ in rows}) == len(rows)

    analyst = _as(settings, "analyst")
    with analyst.cursor() as cur:
        cur.execute("select count(*) from marts.dim_customers where cccd_token is not null")
        assert cur.fetchone()[0] == len(rows)
        with pytest.raises(errors.InsufficientPrivilege):
            cur.execute("select * from pii.pii_cccd_tokens limit 1")
    analyst.close()
    for role in ("dashboard",):
        conn = _as(settings, role)
        with conn.cursor() as cur, pytest.raises(errors.InsufficientPrivilege):
            cur.execute("select * from pii.pii_cccd_tokens limit 1")
        conn.close()
    reader = _as(settings, "pii_reader")
    with reader.cursor() as cur:
        cur.execute("select count(*) from pii.pii_cccd_tokens")
        assert cur.fetchone()[0] == vault[0]
        with pytest.raises(errors.InsufficientPrivilege):
            cur.execute("select * from raw.customers limit 1")
    reader.close()


@pytest.mark.postgres
def test_tokens_survive_a_full_refresh(built_postgres, tmp_path):
    from .conftest import throwaway_database

    built_postgres.assert_green()
    with throwaway_database(template=built_postgres.settings.dbname) as copy:
        env = {**built_postgres.env, "PGDATABASE": copy.dbname, "DBT_LOG_PATH": str(tmp_path / "logs")}
        before = _tokens(copy)
        result = run_dbt("build", "--full-refresh", "--target", "postgres", "--select", "pii_cccd_tokens+",
                         "--exclude", "resource_type:test", "--target-path", str(tmp_path / "t"), env=env)
        assert result.returncode == 0, result.stdout[-3000:]
        assert _tokens(copy) == before


def _tokens(settings) -> dict:
    conn = settings.connect()
    with conn.cursor() as cur:
        cur.execute("select customer_id, cccd_token from marts.dim_customers where cccd_token is not null")
        out = dict(cur.fetchall())
    conn.close()
    assert out
    return out
