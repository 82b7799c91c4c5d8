"""The case study's design, re-created in miniature for comparison: PostgreSQL triggers fed by row inserts.

A BEFORE INSERT trigger classifies each transaction as it arrives (customer type, SBV group, T = the
completed amount earlier that day in the same account and group, then the first matching rule of the
same `sbv_required_level_rules` seed), and an AFTER INSERT trigger upserts a per-account daily
summary. Like the case study it has no notion of Tksth: where a rule limits G + Tksth it uses T
instead (T >= Tksth, so it is never more lenient). Rows arrive one INSERT at a time in transaction
order, as an application would send them.

`compare_with_dbt` runs it beside this project's path (COPY into raw, then `dbt build` without tests)
on the same dataset and reports both times and how often the two classify the same way.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import duckdb
from psycopg2.extras import execute_batch

from generators.schema import TABLES, table_files
from pipeline.settings import PROJECT_ROOT, PostgresSettings

DDL = (Path(__file__).parent / "sql" / "case_study_triggers.sql").read_text(encoding="utf-8")

INSERT = ("insert into trg.transactions (transaction_id, from_account_id, customer_id, transaction_type, amount, "
          "transaction_ts, status) values (%s, %s, %s, %s, %s, %s, %s)")


def _copy_rows(cur, table: str, rows: list[tuple]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    buffer.seek(0)
    cur.copy_expert(f"copy {table} from stdin with (format csv, null '')", buffer)


def _read_dataset(data_dir: Path) -> tuple[list[tuple], list[tuple]]:
    fmt = "parquet" if (data_dir / "customers.parquet").exists() else "csv"
    reader = "read_parquet" if fmt == "parquet" else "read_csv_auto"

    def files(name):
        return "[" + ", ".join(f"'{p}'" for p in table_files(TABLES[name], data_dir, fmt)) + "]"

    with duckdb.connect() as con:
        customers = con.execute(f"select customer_id, customer_type from {reader}({files('customers')}) "
                                "qualify row_number() over (partition by customer_id) = 1").fetchall()
        transactions = con.execute(
            f"select transaction_id, from_account_id, customer_id, transaction_type, amount, transaction_ts, status "
            f"from {reader}({files('payment_transactions')}) order by transaction_ts, transaction_id").fetchall()
    return customers, transactions


def run_triggers(data_dir: Path, settings: PostgresSettings, page_size: int = 500) -> dict:
    """Build the trigger design in `settings.dbname` and feed it the dataset's transactions."""
    customers, transactions = _read_dataset(Path(data_dir))
    conn = settings.connect()
    with conn.cursor() as cur:
        cur.execute(DDL)
        _copy_rows(cur, "trg.customers", customers)
        with (PROJECT_ROOT / "seeds" / "sbv_transaction_groups.csv").open() as f:
            groups = [tuple(r.values()) for r in csv.DictReader(f)]
        _copy_rows(cur, "trg.sbv_groups", groups)
        with (PROJECT_ROOT / "seeds" / "sbv_required_level_rules.csv").open() as f:
            rules = [(r["sbv_group"], r["customer_type"], r["rule_order"], r["required_level"], r["max_amount_vnd"],
                      r["max_amount_plus_daily_total_vnd"], r["max_amount_plus_unverified_total_vnd"],
                      r["only_own_linked_wallet"]) for r in csv.DictReader(f)]
        _copy_rows(cur, "trg.rules", rules)
    conn.commit()
    started = time.perf_counter()
    with conn.cursor() as cur:
        for i in range(0, len(transactions), page_size):
            execute_batch(cur, INSERT, transactions[i:i + page_size], page_size=page_size)
            conn.commit()
    seconds = time.perf_counter() - started
    conn.close()
    return {"transactions": len(transactions), "seconds": round(seconds, 2),
            "rows_per_second": round(len(transactions) / seconds)}


def agreement(settings: PostgresSettings) -> dict:
    """Compare the trigger's required level with dbt's, in one database holding both."""
    conn = settings.connect()
    with conn.cursor() as cur:
        cur.execute("""
            with rules_with_tksth as (
                select distinct sbv_group, customer_type from trg.rules
                where max_amount_plus_unverified_total is not null
            )
            select
                (k.sbv_group is null) as rules_agree,
                count(*) as transactions,
                sum(case when t.required_level = f.required_level then 1 else 0 end) as same_level,
                sum(case when t.daily_total_before = f.daily_total_before_vnd then 1 else 0 end) as same_t,
                sum(case when t.required_level < f.required_level then 1 else 0 end) as trigger_more_lenient
            from trg.transactions t
            join marts.fct_transactions f using (transaction_id)
            left join rules_with_tksth k on k.sbv_group = t.sbv_group and k.customer_type = t.customer_type
            group by 1
        """)
        rows = {r[0]: r[1:] for r in cur.fetchall()}
        cur.execute("""
            select count(*), sum(case when t.transaction_count = d.transaction_count
                                      and t.completed_amount = d.completed_amount_vnd then 1 else 0 end)
            from trg.daily_summaries t join marts.fct_daily_account_summaries d
              on d.account_id = t.account_id and d.summary_date = t.summary_date
        """)
        summaries = cur.fetchone()
    conn.close()
    out = {}
    for agree, label in ((True, "groups_without_tksth_rules"), (False, "groups_with_tksth_rules")):
        n, same, same_t, lenient = rows.get(agree, (0, 0, 0, 0))
        out[label] = {"transactions": n, "same_required_level": same, "same_t": same_t,
                      "trigger_more_lenient": lenient,
                      "share_same_level": round(same / n, 4) if n else None}
    out["daily_summaries"] = {"account_days": summaries[0], "same_count_and_amount": summaries[1]}
    return out


