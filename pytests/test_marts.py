"""The marts on the default dataset, built on DuckDB and on PostgreSQL.

- the classification agrees with an independent, row-by-row Python reading of docs/domain.md §5;
- both engines give identical fct_transactions and fct_risk_alerts;
- every planted typology is caught (recall >= 0.9, precision >= 0.8) without the marts reading labels;
- no mart column holds an unmasked CCCD or phone number.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from generators.config import GenerateConfig
from generators.generate import generate
from pipeline.loader import load_duckdb, load_postgres

from .conftest import ROOT, pg_env, run_dbt, throwaway_database

DEFAULT = GenerateConfig()  # 2,000 customers x 30 days, seed 42: what `make run` builds
LEVELS = "ABCD"


@pytest.fixture(scope="module")
def default_dataset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("default") / "data"
    generate(DEFAULT, out, quiet=True)
    return out


@pytest.fixture(scope="module")
def duckdb_warehouse(default_dataset, tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("duck")
    db = work / "warehouse.duckdb"
    load_duckdb(default_dataset, db, quiet=True)
    result = run_dbt("build", "--target", "duckdb", "--target-path", str(work / "target"),
                     env={"TIMO_DUCKDB_PATH": str(db), "DBT_LOG_PATH": str(work / "logs")})
    assert result.returncode == 0, result.stdout[-5000:]
    return db


@pytest.fixture(scope="module")
def postgres_warehouse(default_dataset, tmp_path_factory):
    """The same data built on a throwaway PostgreSQL database (module-scoped, dropped afterwards)."""
    work = tmp_path_factory.mktemp("pg")
    with throwaway_database() as settings:
        load_postgres(default_dataset, settings, quiet=True)
        result = run_dbt("build", "--target", "postgres", "--target-path", str(work / "target"),
                         env={**pg_env(settings), "DBT_LOG_PATH": str(work / "logs")})
        assert result.returncode == 0, result.stdout[-5000:]
        yield settings


def _duck_rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _pg_rows(settings, sql: str) -> list[tuple]:
    conn = settings.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()


# ---- an independent reading of docs/domain.md §5 ------------------------------------------------------

def _rules() -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = defaultdict(list)
    with (ROOT / "seeds" / "sbv_required_level_rules.csv").open() as handle:
        for row in csv.DictReader(handle):
            out[(row["sbv_group"], row["customer_type"])].append(row)
    for rules in out.values():
        rules.sort(key=lambda r: int(r["rule_order"]))
    return out


def _required(rules: list[dict], g: Decimal, t: Decimal, tk: Decimal, own_wallet: bool) -> str:
    def ok(limit: str, value: Decimal) -> bool:
        return limit == "" or value <= Decimal(limit)

    for rule in rules:
        if (ok(rule["max_amount_vnd"], g) and ok(rule["max_amount_plus_daily_total_vnd"], g + t)
                and ok(rule["max_amount_plus_unverified_total_vnd"], g + tk)
                and (rule["only_own_linked_wallet"] == "false" or own_wallet)):
            return rule["required_level"]
    raise AssertionError("no rule matched")


def test_classification_matches_a_sequential_reading_of_the_rules(duckdb_warehouse):
    rows = _duck_rows(duckdb_warehouse, """
        select e.transaction_id, e.from_account_id, e.sbv_group, e.customer_type, e.transaction_date,
               e.is_own_linked_wallet, e.is_completed, a.achieved_level, e.amount_vnd,
               f.required_level, f.daily_total_before_vnd, f.unverified_total_before_vnd
        from intermediate.int_transactions_enriched e
        join intermediate.int_transactions_authenticated a using (transaction_id)
        join marts.fct_transactions f using (transaction_id)
        order by e.from_account_id, e.sbv_group, e.transaction_date, e.transacted_at, e.transaction_id""")
    names = ("transaction_id", "from_account_id", "sbv_group", "customer_type", "transaction_date",
             "is_own_linked_wallet", "is_completed", "achieved_level", "amount_vnd")
    expected = _walk([dict(zip(names, row[:9], strict=True)) for row in rows], _rules())
    walked = len(rows) - len({(r[1], r[2], r[4]) for r in rows})  # transactions after the first of a partition
    mismatches = [(tid, expected[tid], (level, t_db, tk_db)) for (tid, *_, level, t_db, tk_db) in rows
                  if expected[tid] != (level, t_db, tk_db)]
    assert walked > 1_000  # plenty of multi-transaction partitions were exercised
    assert not mismatches, mismatches[:10]


def _walk(rows: list[dict], rules: dict[tuple[str, str], list[dict]]) -> dict[int, tuple[str, Decimal, Decimal]]:
    """The sequential reading of §5 over rows sorted by partition then position: id -> (level, T, Tksth).
    T and Tksth restart with each partition (account, group, day); only completed transactions add to
    them, Tksth only those of class A or B, and a C or D achieved level resets Tksth."""
    out, key, t, tk = {}, None, Decimal(0), Decimal(0)
    for row in rows:
        if (row["from_account_id"], row["sbv_group"], row["transaction_date"]) != key:
            key, t, tk = (row["from_account_id"], row["sbv_group"], row["transaction_date"]), Decimal(0), Decimal(0)
        level = _required(rules[(row["sbv_group"], row["customer_type"])], row["amount_vnd"], t, tk,
                          bool(row["is_own_linked_wallet"]))
        out[row["transaction_id"]] = (level, t, tk)
        if row["is_completed"]:
            t += row["amount_vnd"]
        if row["achieved_level"] in ("C", "D"):
            tk = Decimal(0)
        elif row["is_completed"] and level in ("A", "B"):
            tk += row["amount_vnd"]
    return out


def _random_rules(rng) -> dict[tuple[str, str], list[dict]]:
    """Rule tables unlike the seed: up to six rules a group, limits drawn from a few shared values (so
    that bounds coincide), several Tksth limits in one group, own-wallet rules anywhere, and a last
    rule without limits (the seed's own convention: some rule always matches)."""
    values = [Decimal(v) for v in (1_000, 5_000, 10_000, 20_000, 50_000)]
    out = {}
    for group in ("G1", "G2", "G3", "G4"):
        rules = []
        for order in range(1, rng.randint(1, 5) + 1):
            pick = lambda share: str(rng.choice(values)) if rng.random() < share else ""  # noqa: E731
            rules.append({"rule_order": str(order), "required_level": rng.choice("ABCD"),
                          "max_amount_vnd": pick(0.4), "max_amount_plus_daily_total_vnd": pick(0.4),
                          "max_amount_plus_unverified_total_vnd": pick(0.5),
                          "only_own_linked_wallet": "true" if rng.random() < 0.2 else "false"})
        rules.append({"rule_order": str(len(rules) + 1), "required_level": rng.choice("CD"), "max_amount_vnd": "",
                      "max_amount_plus_daily_total_vnd": "", "max_amount_plus_unverified_total_vnd": "",
                      "only_own_linked_wallet": "false"})
        out[(group, "individual")] = rules
    return out


def test_classification_follows_any_rule_table(duckdb_warehouse, tmp_path):
    """The model's compiled SQL, run on rule tables and partitions drawn at random (amounts on and one
    dong either side of every limit), gives the sequential reading's level and Tksth for every row:
    the classification follows the rules it is given, not the shapes of the seed."""
    import random

    compiled = (duckdb_warehouse.parent / "target" / "compiled" / "timo_bank" / "models" / "intermediate"
                / "transactions" / "int_transactions_classified.sql").read_text()
    scratch = tmp_path / duckdb_warehouse.name  # the same catalog name as the compiled SQL's
    rng = random.Random(20261207)
    checked = walked = 0
    for _ in range(8):
        rules = _random_rules(rng)
        limits = sorted({Decimal(r[k]) for rs in rules.values() for r in rs for k in
                         ("max_amount_vnd", "max_amount_plus_daily_total_vnd", "max_amount_plus_unverified_total_vnd")
                         if r[k]})
        amounts = [v + d for v in limits for d in (Decimal(-1), Decimal(0), Decimal(1))] + [Decimal(1), Decimal(700)]
        rows, tid = [], 0
        for account in range(1, 41):
            for group, _ in rules:
                total = Decimal(0)
                size = rng.choice([1, 1, 2, 3, 5])
                for seq in range(1, size + 1):
                    tid += 1
                    row = {"transaction_id": tid, "from_account_id": account, "sbv_group": group,
                           "transaction_date": "2026-10-01", "customer_type": "individual",
                           "is_own_linked_wallet": rng.random() < 0.3, "is_completed": rng.random() < 0.8,
                           "achieved_level": rng.choice(["A", "B", "B", "C", "D", None]),
                           "amount_vnd": rng.choice(amounts), "transacted_at": f"2026-10-01 10:{seq:02d}:00",
                           "seq_in_partition": seq, "partition_size": size, "daily_total_before_vnd": total}
                    row["resets_unverified_total"] = row["achieved_level"] in ("C", "D")
                    rows.append(row)
                    total += row["amount_vnd"] if row["is_completed"] else 0
        scratch.unlink(missing_ok=True)
        with duckdb.connect(str(scratch)) as con:
            con.execute("create schema reference; create schema intermediate")
            con.execute("create table reference.sbv_required_level_rules (sbv_group varchar, customer_type varchar, "
                        "rule_order integer, required_level varchar, max_amount_vnd varchar, "
                        "max_amount_plus_daily_total_vnd varchar, max_amount_plus_unverified_total_vnd varchar, "
                        "only_own_linked_wallet boolean, rule_note varchar)")
            con.executemany("insert into reference.sbv_required_level_rules values (?, ?, ?, ?, ?, ?, ?, ?, '')",
                            [(g, c, int(r["rule_order"]), r["required_level"], r["max_amount_vnd"],
                              r["max_amount_plus_daily_total_vnd"], r["max_amount_plus_unverified_total_vnd"],
                              r["only_own_linked_wallet"] == "true") for (g, c), rs in rules.items() for r in rs])
            columns = list(rows[0])
            con.execute("create table intermediate.int_transactions_daily_partitions (transaction_id bigint, "
                        "from_account_id bigint, sbv_group varchar, transaction_date date, customer_type varchar, "
                        "is_own_linked_wallet boolean, is_completed boolean, achieved_level varchar, "
                        "amount_vnd decimal(18, 2), transacted_at timestamp, seq_in_partition bigint, "
                        "partition_size bigint, daily_total_before_vnd decimal(38, 2), "
                        "resets_unverified_total boolean)")
            con.executemany(f"insert into intermediate.int_transactions_daily_partitions ({', '.join(columns)}) "
                            f"values ({', '.join('?' for _ in columns)})", [list(r.values()) for r in rows])
            got = {tid: (level, t, tk) for tid, level, t, tk in con.execute(
                "select transaction_id, required_level, daily_total_before_vnd, unverified_total_before_vnd "
                f"from ({compiled})").fetchall()}
        expected = _walk(rows, rules)
        assert got == expected, sorted((k, got.get(k), v) for k, v in expected.items() if got.get(k) != v)[:5]
        checked += len(rows)
        walked += sum(1 for r in rows if r["seq_in_partition"] > 1)
    assert checked > 2_500 and walked > 1_200, (checked, walked)


def test_every_transaction_is_classified_once(duckdb_warehouse):
    (n_stg, n_fct, n_null) = _duck_rows(duckdb_warehouse, """
        select (select count(*) from staging.stg_core_banking__transactions),
               (select count(*) from marts.fct_transactions),
               (select count(*) from marts.fct_transactions where required_level is null)""")[0]
    assert n_stg == n_fct > 100_000 and n_null == 0


# ---- the two engines agree -------------------------------------------------------------------------

def _normalise(rows: list[tuple]) -> list[tuple]:
    def norm(v):
        if isinstance(v, float):
            return round(v, 9)
        if isinstance(v, Decimal):
            return v.normalize()
        return v
    return [tuple(norm(v) for v in row) for row in rows]


@pytest.mark.postgres
@pytest.mark.parametrize("model, key", [("fct_transactions", "transaction_id"), ("fct_risk_alerts", "alert_id"),
                                        ("fct_fraud_cases", "case_id")])
def test_duckdb_and_postgres_give_the_same_rows(duckdb_warehouse, postgres_warehouse, model, key):
    sql = f"select * from marts.{model} order by {key}"
    duck = _normalise(_duck_rows(duckdb_warehouse, sql))
    pg = _normalise(_pg_rows(postgres_warehouse, sql))
    assert len(duck) == len(pg) > 0
    differing = [(a, b) for a, b in zip(duck, pg, strict=True) if a != b]
    assert not differing, differing[:3]


# ---- detection quality ----------------------------------------------------------------------------

def test_each_typology_is_detected(duckdb_warehouse):
    rows = _duck_rows(duckdb_warehouse, """
        select typology, precision_score, recall_score, alerted_transactions, labelled_transactions
        from marts.eval_detection_quality where typology is not null order by typology""")
    assert {r[0] for r in rows} == {"account_takeover", "structuring", "mule_account", "velocity_burst",
                                    "dormant_reactivation"}
    for typology, precision, recall, alerted, labelled in rows:
        assert labelled >= 15, typology
        assert recall >= 0.9, (typology, recall, alerted, labelled)
        assert precision >= 0.8, (typology, precision, alerted, labelled)


def test_cases_meet_the_targets(duckdb_warehouse):
    """Every typology: event recall >= 0.95 and case precision >= 0.8; the queue holds at most 5 cases
    per 1,000 transactions (issue targets, default dataset)."""
    rows = _duck_rows(duckdb_warehouse, """
        select typology, planted_events, event_recall, cases, case_precision, cases_per_1000_transactions
        from marts.eval_case_detection_quality order by typology""")
    by_typology = {r[0]: r for r in rows}
    assert set(by_typology) == {"all", "account_takeover", "structuring", "mule_account", "velocity_burst",
                                "dormant_reactivation"}
    for typology, planted, recall, cases, precision, _ in rows:
        assert planted >= 10 and cases >= 10, typology
        assert recall >= 0.95, (typology, recall)
        assert precision >= 0.8, (typology, precision)
    assert 0 < by_typology["all"][5] <= 5
    # a case scores at least its typology's review score, and its transactions are its signals' ones
    (bad,), = _duck_rows(duckdb_warehouse, """
        select count(*) from marts.fct_fraud_cases
        where risk_score < review_score or transaction_count = 0 or signal_count = 0""")
    assert bad == 0


# ---- the rule catalogue ------------------------------------------------------------------------------

def _risk_rules() -> list[dict]:
    with (ROOT / "seeds" / "risk_rules.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_each_alert_reports_the_threshold_its_rule_names(duckdb_warehouse):
    """A rule's threshold is one dbt var, named by the seed: every alert reports that var's value (or
    none when the seed names none), so the seed, dbt_project.yml and the rule's SQL cannot drift apart."""
    project_vars = yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]
    reported = dict(_duck_rows(duckdb_warehouse, """
        select rule_code, list_distinct(list(coalesce(cast(threshold_value as varchar), 'none')))
        from marts.fct_risk_alerts group by rule_code"""))
    rules = _risk_rules()
    assert len(reported) >= 15, sorted(reported)
    for rule in rules:
        if rule["rule_code"] not in reported:
            continue
        if rule["threshold_var"]:
            expected = Decimal(str(project_vars[rule["threshold_var"]]))
            assert [Decimal(v) for v in reported[rule["rule_code"]]] == [expected], rule
        else:
            assert reported[rule["rule_code"]] == ["none"], rule


def test_the_compliance_report_counts_each_sbv_breach_rule(duckdb_warehouse):
    breach_rules = {r["rule_code"] for r in _risk_rules() if r["is_sbv_breach"] == "true"}
    columns = {c for (c,) in _duck_rows(duckdb_warehouse, """
        select column_name from information_schema.columns
        where table_schema = 'marts' and table_name = 'rpt_sbv_daily_compliance'
            and column_name like '%\\_count' escape '\\'""")}
    breach_columns = {c[:-len("_count")] for c in columns} - {"transaction", "executed"} - {
        f"class_{level}" for level in "abcd"}
    assert breach_rules and breach_columns == breach_rules


def test_only_the_evaluation_reads_the_labels():
    readers = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "models").rglob("*.sql")
                     if "fraud_labels" in p.read_text() or "'ground_truth'" in p.read_text())
    assert readers == [
        # the labels' own staging, validation, clean and quarantine models
        "models/intermediate/quality/int_fraud_labels_clean.sql",
        "models/intermediate/quality/int_fraud_labels_validated.sql",
        # counts of quarantined rows per table (no label values)
        "models/marts/quality/rpt_quarantine_summary.sql",
        # the two models that score detection against them (rules, then cases)
        "models/marts/risk/eval_case_detection_quality.sql",
        "models/marts/risk/eval_detection_quality.sql",
        "models/quarantine/quarantine_fraud_labels.sql",
        "models/staging/ground_truth/stg_ground_truth__fraud_labels.sql",
    ]


# ---- PII ----------------------------------------------------------------------------------------------

DIGIT_RUNS = re.compile(r"\d{10,}")


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_no_mart_column_holds_an_unmasked_cccd_or_phone(request, engine):
    """Every run of 10+ digits in any text column of any mart is checked against the customers' real
    CCCD and phone numbers (from staging, which keeps them)."""
    if engine == "duckdb":
        db = request.getfixturevalue("duckdb_warehouse")
        fetch = lambda sql: _duck_rows(db, sql)  # noqa: E731
    else:
        settings = request.getfixturevalue("postgres_warehouse")
        fetch = lambda sql: _pg_rows(settings, sql)  # noqa: E731
    secrets = {v for row in fetch("select cccd_number, phone_number from staging.stg_core_banking__customers")
               for v in row if v}
    assert len(secrets) > 3_000
    columns = fetch("select table_name, column_name from information_schema.columns "
                    "where table_schema = 'marts' and data_type in ('VARCHAR', 'character varying', 'text')")
    assert len(columns) > 50
    leaks = []
    for table, column in columns:
        for (value,) in fetch(f'select distinct "{column}" from marts."{table}" where "{column}" is not null'):
            if any(run in secrets for run in DIGIT_RUNS.findall(value)):
                leaks.append((table, column, value))
                break
    assert not leaks, leaks
    # and the masked columns really are masked: the last three digits, nothing more
    masked = fetch("select cccd_number_masked, phone_number_masked from marts.dim_customers")
    assert all(re.fullmatch(r"[*]{9}\d{3}", c) for c, _ in masked if c)
    assert all(re.fullmatch(r"[*]{7}\d{3}", p) for _, p in masked)
