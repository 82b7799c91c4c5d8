"""Compare the marts of two warehouses row for row: `python scripts/compare_marts.py A B`.

Each of A and B is a DuckDB file (`path/to/file.duckdb`) or a PostgreSQL database (`postgres:DBNAME`,
on $PGHOST/$PGPORT as $PGUSER). Every table of the `marts` schema present in both is compared as a
multiset of rows, numbers rounded to 6 decimals. Columns that differ by design between any two
warehouses are left out: `dim_customers.cccd_token` (random tokens, issued per warehouse) and the
run metadata of `rpt_data_quality`. `--also SCHEMA.TABLE=SCHEMA.TABLE` compares a renamed relation.
Prints one line per table and exits 1 when any differs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from decimal import Decimal

SKIP_TABLES = {"rpt_data_quality"}
SKIP_COLUMNS = {"dim_customers": {"cccd_token", "cccd_hash"}}  # cccd_hash: the salted design it replaced


class Warehouse:
    def __init__(self, spec: str):
        self.spec = spec
        if spec.startswith("postgres:"):
            import psycopg2

            self.con = psycopg2.connect(host=os.environ.get("PGHOST", "127.0.0.1"),
                                        port=int(os.environ.get("PGPORT", "5432")),
                                        user=os.environ.get("PGUSER", "postgres"), dbname=spec.split(":", 1)[1])
            self.mark = "%s"
        else:
            import duckdb

            self.con = duckdb.connect(spec, read_only=True)
            self.mark = "?"

    def rows(self, sql: str, params=()):
        if self.mark == "%s":
            with self.con.cursor() as cur:
                cur.execute(sql.replace("?", "%s"), params)
                return cur.fetchall()
        return self.con.execute(sql, list(params)).fetchall()

    def tables(self) -> set[str]:
        sql = "select table_name from information_schema.tables where table_schema = 'marts'"
        return {r[0] for r in self.rows(sql)}

    def columns(self, schema: str, table: str) -> list[str]:
        return [r[0] for r in self.rows("select column_name from information_schema.columns where table_schema = ? "
                                        "and table_name = ? order by ordinal_position", (schema, table))]

    def content(self, schema: str, table: str, skip: set[str]) -> Counter:
        columns = [c for c in self.columns(schema, table) if c not in skip]
        quoted = ", ".join(f'"{c}"' for c in sorted(columns))
        return Counter(tuple(round(float(v), 6) if isinstance(v, (Decimal, float)) else v for v in row)
                       for row in self.rows(f'select {quoted} from "{schema}"."{table}"'))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--also", action="append", default=[], help="SCHEMA.TABLE=SCHEMA.TABLE (A's = B's)")
    args = parser.parse_args(argv)
    a, b = Warehouse(args.a), Warehouse(args.b)
    pairs = [(("marts", t), ("marts", t)) for t in sorted((a.tables() & b.tables()) - SKIP_TABLES)]
    for also in args.also:
        left, right = also.split("=")
        pairs.append((tuple(left.split(".")), tuple(right.split("."))))
    only = sorted(a.tables() ^ b.tables())
    differing = 0
    for (sa, ta), (sb, tb) in pairs:
        skip = SKIP_COLUMNS.get(ta, set())
        ca, cb = a.content(sa, ta, skip), b.content(sb, tb, skip)
        same = ca == cb
        differing += not same
        extra = "" if same else f" ({sum((ca - cb).values())} rows only in A, {sum((cb - ca).values())} only in B)"
        name = ta if (sa, ta) == (sb, tb) else f"{sa}.{ta} = {sb}.{tb}"
        print(f"{'identical' if same else 'DIFFERENT'}  {name}: {sum(ca.values()):,} rows{extra}")
    if only:
        print(f"in one warehouse only: {', '.join(only)}")
    print(f"{len(pairs) - differing} of {len(pairs)} tables identical")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
