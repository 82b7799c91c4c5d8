"""Every dbt-expectations-compatible generic test of tests/generic, proven on tiny models.

A throwaway dbt project (named timo_bank, so the dispatched macros resolve) gets copies of the real
tests/generic and macros folders and, per case, a model of good rows and a model of bad rows. The test
must pass on the good model and fail with exactly the expected number of failures on the bad one,
on DuckDB and on PostgreSQL. Every case that can take a row_condition uses one that excludes some
bad rows, so the condition is proven to apply.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, pg_env

COLUMNS = "id, kind, a, b, code, ts, grp"


def rows(*values: tuple) -> str:
    """A model body from tuples (id, kind, a, b, code, ts_sql, grp)."""
    selects = []
    for i, kind, a, b, code, ts, grp in values:
        code_sql = "cast(null as varchar(20))" if code is None else f"cast('{code}' as varchar(20))"
        a_sql = "cast(null as integer)" if a is None else f"cast({a} as integer)"
        b_sql = "cast(null as integer)" if b is None else f"cast({b} as integer)"
        selects.append(f"select cast({i} as integer) as id, cast('{kind}' as varchar(10)) as kind, {a_sql} as a, "
                       f"{b_sql} as b, {code_sql} as code, cast({ts} as timestamp) as ts, "
                       f"cast('{grp}' as varchar(5)) as grp")
    return "\nunion all\n".join(selects) + "\n"


T0 = "'2026-10-01 08:00:00'"
NOW = "current_timestamp"
OLD = "'2000-01-01 00:00:00'"


def r(i, a=1, b=0, code="AB1", kind="check", ts=T0, grp="g1"):
    return (i, kind, a, b, code, ts, grp)


# name -> (test, arguments (column tests get column_name), good rows, bad rows, failures on bad)
CASES: dict[str, tuple] = {
    "match_regex": ("expect_column_values_to_match_regex", {"column_name": "code", "regex": "^[A-Z]{2}[0-9]$",
                    "row_condition": "kind = 'check'"},
                    [r(1), r(2, code="CD2"), r(3, code=None)],
                    [r(1), r(2, code="x1"), r(3, code="abc"), r(4, code="zz", kind="skip")], 2),
    "not_match_regex": ("expect_column_values_to_not_match_regex", {"column_name": "code", "regex": "[0-9]{3}",
                        "row_condition": "kind = 'check'"},
                        [r(1), r(2, code="A12")],
                        [r(1, code="A123"), r(2, code="999"), r(3, code="123", kind="skip")], 2),
    "between": ("expect_column_values_to_be_between", {"column_name": "a", "min_value": 0, "max_value": 10,
                "row_condition": "kind = 'check'"},
                [r(1, a=0), r(2, a=10), r(3, a=None)],
                [r(1, a=-1), r(2, a=11), r(3, a=5), r(4, a=99, kind="skip")], 2),
    "between_strictly": ("expect_column_values_to_be_between", {"column_name": "a", "min_value": 0, "max_value": 10,
                         "strictly": True},
                         [r(1, a=1), r(2, a=9)],
                         [r(1, a=0), r(2, a=10), r(3, a=5)], 2),
    "in_set": ("expect_column_values_to_be_in_set", {"column_name": "code", "value_set": ["AB1", "CD2"],
               "row_condition": "kind = 'check'"},
               [r(1), r(2, code="CD2")],
               [r(1, code="EF3"), r(2), r(3, code="GH4"), r(4, code="XX9", kind="skip")], 2),
    "unique": ("expect_column_values_to_be_unique", {"column_name": "a", "row_condition": "kind = 'check'"},
               [r(1, a=1), r(2, a=2), r(3, a=None), r(4, a=None)],
               [r(1, a=1), r(2, a=1), r(3, a=2), r(4, a=2, kind="skip")], 2),
    "lengths": ("expect_column_value_lengths_to_be_between", {"column_name": "code", "min_value": 2, "max_value": 3,
                "row_condition": "kind = 'check'"},
                [r(1, code="AB"), r(2, code="ABC")],
                [r(1, code="A"), r(2, code="ABCD"), r(3, code="AB"), r(4, code="ABCDE", kind="skip")], 2),
    "compound_unique": ("expect_compound_columns_to_be_unique", {"column_list": ["a", "b"],
                        "row_condition": "kind = 'check'"},
                        [r(1, a=1, b=1), r(2, a=1, b=2), r(3, a=None, b=None), r(4, a=None, b=None)],
                        [r(1, a=1, b=1), r(2, a=1, b=1), r(3, a=2, b=2), r(4, a=2, b=2),
                         r(5, a=3, b=3), r(6, a=3, b=3, kind="skip")], 2),
    "a_greater_than_b": ("expect_column_pair_values_A_to_be_greater_than_B", {"column_A": "a", "column_B": "b",
                         "row_condition": "kind = 'check'"},
                         [r(1, a=2, b=1), r(2, a=None, b=5)],
                         [r(1, a=1, b=1), r(2, a=0, b=3), r(3, a=5, b=1), r(4, a=0, b=9, kind="skip")], 2),
    "a_greater_or_equal_b": ("expect_column_pair_values_A_to_be_greater_than_B", {"column_A": "a", "column_B": "b",
                             "or_equal": True},
                             [r(1, a=1, b=1), r(2, a=2, b=1)],
                             [r(1, a=0, b=1), r(2, a=1, b=1)], 1),
    "row_count_between": ("expect_table_row_count_to_be_between", {"min_value": 1, "max_value": 2,
                          "row_condition": "kind = 'check'"},
                          [r(1), r(2), r(3, kind="skip")],
                          [r(1), r(2), r(3)], 1),
    "row_count_by_group": ("expect_table_row_count_to_be_between", {"min_value": 2, "group_by": ["grp"]},
                           [r(1), r(2), r(3, grp="g2"), r(4, grp="g2")],
                           [r(1), r(2, grp="g2"), r(3, grp="g3"), r(4, grp="g4"), r(5, grp="g4")], 3),
    "row_count_other_table": ("expect_table_row_count_to_equal_other_table", {"compare_model": "ref('reference_three')",
                              "row_condition": "kind = 'check'"},
                              [r(1), r(2), r(3), r(4, kind="skip")],
                              [r(1), r(2), r(3), r(4)], 1),
    "aggregation_other_table": ("expect_table_aggregation_to_equal_other_table", {"expression": "sum(a)",
                                "compare_model": "ref('reference_three')", "row_condition": "kind = 'check'"},
                                [r(1, a=1), r(2, a=2), r(3, a=3), r(4, a=50, kind="skip")],
                                [r(1, a=1), r(2, a=2), r(3, a=4)], 1),
    "recent_data": ("expect_row_values_to_have_recent_data", {"column_name": "ts", "datepart": "day", "interval": 1,
                    "row_condition": "kind = 'check'"},
                    [r(1, ts=OLD), r(2, ts=NOW)],
                    [r(1, ts=OLD), r(2, ts=NOW, kind="skip")], 1),
    "increasing": ("expect_column_values_to_be_increasing", {"column_name": "a", "sort_column": "id",
                   "row_condition": "kind = 'check'"},
                   [r(1, a=1), r(2, a=2), r(3, a=5)],
                   [r(1, a=1), r(2, a=1), r(3, a=0), r(4, a=-9, kind="skip"), r(5, a=3)], 2),
    "increasing_by_group": ("expect_column_values_to_be_increasing", {"column_name": "a", "sort_column": "id",
                            "group_by": ["grp"], "strictly": False},
                            [r(1, a=1), r(2, a=1), r(3, a=0, grp="g2"), r(4, a=2, grp="g2")],
                            [r(1, a=2), r(2, a=1), r(3, a=5, grp="g2"), r(4, a=4, grp="g2")], 2),
    "multicolumn_sum": ("expect_multicolumn_sum_to_equal", {"column_list": ["a", "b"], "sum_total": 10,
                        "group_by": ["grp"], "row_condition": "kind = 'check'"},
                        [r(1, a=4, b=1), r(2, a=3, b=2), r(3, a=10, b=0, grp="g2"), r(4, a=7, b=7, kind="skip")],
                        [r(1, a=4, b=1), r(2, a=3, b=3), r(3, a=1, b=0, grp="g2"), r(4, a=5, b=5, grp="g3")], 2),
    "unique_within_record": ("expect_select_column_values_to_be_unique_within_record", {"column_list": ["a", "b", "id"],
                             "row_condition": "kind = 'check'"},
                             [r(1, a=2, b=3), r(2, a=None, b=None)],
                             [r(1, a=1, b=2), r(2, a=2, b=3), r(3, a=4, b=4), r(4, a=4, b=4, kind="skip")], 3),
    "distinct_count": ("expect_column_distinct_count_to_equal", {"column_name": "code", "value": 2,
                       "row_condition": "kind = 'check'"},
                       [r(1), r(2, code="CD2"), r(3), r(4, code="ZZ9", kind="skip")],
                       [r(1), r(2, code="CD2"), r(3, code="EF3")], 1),
    "mean_between": ("expect_column_mean_to_be_between", {"column_name": "a", "min_value": 2, "max_value": 4,
                     "group_by": ["grp"], "row_condition": "kind = 'check'"},
                     [r(1, a=2), r(2, a=4), r(3, a=3, grp="g2"), r(4, a=100, kind="skip")],
                     [r(1, a=1), r(2, a=2), r(3, a=9, grp="g2"), r(4, a=3, grp="g3")], 2),
}
MODEL_LEVEL = {"expect_compound_columns_to_be_unique", "expect_column_pair_values_A_to_be_greater_than_B",
               "expect_table_row_count_to_be_between", "expect_table_row_count_to_equal_other_table",
               "expect_table_aggregation_to_equal_other_table", "expect_multicolumn_sum_to_equal",
               "expect_select_column_values_to_be_unique_within_record"}
ALL_TESTS = {case[0] for case in CASES.values()}


def test_every_generic_test_file_is_covered():
    shipped = {p.stem for p in (ROOT / "tests" / "generic").glob("expect_*.sql")}
    assert shipped == ALL_TESTS
    assert len(shipped) >= 17


def _write_project(folder: Path) -> None:
    shutil.copytree(ROOT / "tests" / "generic", folder / "tests" / "generic")
    shutil.copytree(ROOT / "macros", folder / "macros")
    (folder / "models").mkdir()
    (folder / "dbt_project.yml").write_text(yaml.safe_dump({
        "name": "timo_bank", "version": "1.0.0", "config-version": 2, "profile": "timo_bank",
        "models": {"timo_bank": {"+materialized": "table"}}}))
    shutil.copy(ROOT / "profiles.yml.example", folder / "profiles.yml")
    (folder / "models" / "reference_three.sql").write_text(rows(r(1, a=1), r(2, a=2), r(3, a=3)))
    models = []
    for name, (test, args, good, bad, _) in CASES.items():
        for variant, data in (("good", good), ("bad", bad)):
            model = f"{variant}_{name}"
            (folder / "models" / f"{model}.sql").write_text(rows(*data))
            arguments = {k: v for k, v in args.items() if k != "column_name"}
            spec = {test: {"name": f"dq_{variant}_{name}", "arguments": arguments}}
            entry = {"name": model}
            if test in MODEL_LEVEL or "column_name" not in args:
                entry["data_tests"] = [spec]
            else:
                entry["columns"] = [{"name": args["column_name"], "data_tests": [spec]}]
            models.append(entry)
    (folder / "models" / "_cases.yml").write_text(yaml.safe_dump({"models": models}, sort_keys=False))


def _outcomes(folder: Path, env: dict) -> dict[str, tuple[str, int]]:
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run([str(dbt), "build", "--profiles-dir", str(folder)], cwd=folder, capture_output=True,
                            text=True, env={**os.environ, **env}, timeout=900)
    results = json.loads((folder / "target" / "run_results.json").read_text())["results"]
    out = {}
    for item in results:
        if item["unique_id"].startswith("test."):
            out[item["unique_id"].split(".")[2]] = (item["status"], item["failures"] or 0)
    assert out, result.stdout[-3000:]
    return out


def _check(outcomes: dict[str, tuple[str, int]]) -> None:
    problems = []
    for name, (_, _, _, _, expected) in CASES.items():
        good = outcomes.get(f"dq_good_{name}")
        bad = outcomes.get(f"dq_bad_{name}")
        if good != ("pass", 0):
            problems.append((name, "good", good))
        if bad != ("fail", expected):
            problems.append((name, "bad", bad, "expected", expected))
    assert not problems, problems


def test_generic_tests_on_duckdb(tmp_path):
    _write_project(tmp_path)
    _check(_outcomes(tmp_path, {"TIMO_TARGET": "duckdb", "TIMO_DUCKDB_PATH": str(tmp_path / "dq.duckdb")}))


@pytest.mark.postgres
def test_generic_tests_on_postgres(tmp_path, pg_database):
    _write_project(tmp_path)
    _check(_outcomes(tmp_path, {"TIMO_TARGET": "postgres", **pg_env(pg_database)}))

