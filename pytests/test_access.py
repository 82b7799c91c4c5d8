"""Access control on a real PostgreSQL server: analysts and the dashboard read the marts and nothing
else, write nowhere, and never see an identity number."""

from __future__ import annotations

import psycopg2
import pytest
from psycopg2 import errors

from .conftest import pg_env, run_dbt

pytestmark = pytest.mark.postgres
HIDDEN_SCHEMAS = ("raw", "reference", "staging", "intermediate", "snapshots", "quarantine", "audit", "pii")


@pytest.fixture(scope="module")
def built(built_postgres):
    built_postgres.assert_green()
    settings = built_postgres.settings
    conn = settings.connect()
    with conn.cursor() as cur:
        cur.execute("select table_schema, table_name from information_schema.tables "
                    "where table_schema in %s or table_schema = 'marts'", (HIDDEN_SCHEMAS,))
        tables = cur.fetchall()
    conn.close()
    return settings, tables


def _as(settings, role: str):
    conn = psycopg2.connect(host=settings.host, port=settings.port, user=role, dbname=settings.dbname)
    conn.autocommit = True
    return conn


def _denied(conn, sql: str) -> bool:
    with conn.cursor() as cur:
        try:
            cur.execute(sql)
        except errors.InsufficientPrivilege:
            return True
    return False


@pytest.mark.parametrize("role", ["analyst", "dashboard"])
def test_reads_every_mart_and_nothing_else(built, role):
    settings, tables = built
    marts = [t for s, t in tables if s == "marts"]
    hidden = [(s, t) for s, t in tables if s != "marts"]
    assert len(marts) >= 15 and {s for s, _ in hidden} >= {"raw", "staging", "intermediate", "snapshots", "quarantine",
                                                            "pii"}
    conn = _as(settings, role)
    with conn.cursor() as cur:
        for table in marts:
            cur.execute(f'select count(*) from marts."{table}"')
            assert cur.fetchone()[0] >= 0
    assert all(_denied(conn, f'select 1 from "{s}"."{t}" limit 1') for s, t in hidden)
    conn.close()


@pytest.mark.parametrize("role", ["analyst", "dashboard"])
def test_writes_nowhere(built, role):
    settings, _ = built
    conn = _as(settings, role)
    for sql in ["create table marts.sneaky (a int)", "create table public.sneaky (a int)",
                "create temporary table sneaky (a int)", "create schema sneaky",
                "insert into marts.dim_banks (bank_code) values ('X')",
                "update marts.fct_transactions set amount_vnd = 0",
                "delete from marts.fct_risk_alerts", "truncate marts.dim_customers",
                "drop table marts.fct_transactions"]:
        assert _denied(conn, sql), sql
    conn.close()


def test_roles_survive_a_rebuild_and_creation_is_idempotent(built, tmp_path):
    settings, _ = built
    env = {**pg_env(settings), "DBT_LOG_PATH": str(tmp_path / "logs2")}
    assert run_dbt("run-operation", "create_roles", "--target", "postgres", env=env).returncode == 0
    result = run_dbt("build", "--target", "postgres", "--select", "fct_transactions", "--target-path",
                     str(tmp_path / "target2"), env=env)
    assert result.returncode == 0, result.stdout[-3000:]
    conn = _as(settings, "analyst")
    with conn.cursor() as cur:
        cur.execute("select count(*) from marts.fct_transactions")
        assert cur.fetchone()[0] > 0
    conn.close()
