"""Every dbt-expectations-compatible generic test of tests/generic, proven on tiny models.

A throwaway dbt project (named timo_bank, so the dispatched macros resolve) gets copies of the real
tests/generic and macros folders and, per case, a model holding the case's rows. Each case states how
many failing rows dbt-expectations itself returns on that input (0: the test passes), worked out from
the package's definition of the test; the project's test must return exactly that, on DuckDB and on
PostgreSQL. Cases come in passing and failing pairs per name, plus the edge cases where the project
once differed from the package (nulls, flags, tolerance, defaults: docs/data-quality.md). Every case
that can take a row_condition uses one that excludes some rows, so the condition is proven to apply.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, pg_env


def rows(*values: tuple) -> str:
    """A model body from tuples (id, kind, a, b, code, ts_sql, grp)."""
    selects = []
    for i, kind, a, b, code, ts, grp in values:
        code_sql = "cast(null as varchar(40))" if code is None else f"cast('{code}' as varchar(40))"
        a_sql = "cast(null as integer)" if a is None else f"cast({a} as integer)"
        b_sql = "cast(null as integer)" if b is None else f"cast({b} as integer)"
        selects.append(f"select cast({i} as integer) as id, cast('{kind}' as varchar(10)) as kind, {a_sql} as a, "
                       f"{b_sql} as b, {code_sql} as code, cast({ts} as timestamp) as ts, "
                       f"cast('{grp}' as varchar(5)) as grp")
    return "\nunion all\n".join(selects) + "\n"


T0 = "'2026-10-01 08:00:00'"
NOW = "{{ dq_now() }}"
OLD = "'2000-01-01 00:00:00'"
FUTURE = "'2099-01-01 00:00:00'"
COLUMNS = ["id", "kind", "a", "b", "code", "ts", "grp"]


def r(i, a=1, b=0, code="AB1", kind="check", ts=T0, grp="g1"):
    return (i, kind, a, b, code, ts, grp)


def day(d: str, i: int = 1, a: int = 1, kind: str = "check", grp: str = "g1") -> tuple:
    return r(i, a=a, kind=kind, ts=f"'{d} 10:00:00'", grp=grp)


@dataclass
class Case:
    name: str
    test: str
    args: dict
    data: list[tuple] | str
    failures: int | dict[str, int]  # what dbt-expectations returns; per engine where the package differs

    def expected(self, engine: str) -> int:
        return self.failures[engine] if isinstance(self.failures, dict) else self.failures


CASES: list[Case] = []


def pair(name: str, test: str, args: dict, good, bad, failures) -> None:
    CASES.append(Case(f"{name}_good", test, args, good, 0))
    CASES.append(Case(f"{name}_bad", test, args, bad, failures))


def case(name: str, test: str, args: dict, data, failures) -> None:
    CASES.append(Case(name, test, args, data, failures))


CHECK = {"row_condition": "kind = 'check'"}

# --- column values ---------------------------------------------------------------------------
pair("not_null", "expect_column_values_to_not_be_null", {"column_name": "a", **CHECK},
     [r(1), r(2, a=None, kind="skip")], [r(1), r(2, a=None), r(3, a=None, kind="skip")], 1)
pair("be_null", "expect_column_values_to_be_null", {"column_name": "a", **CHECK},
     [r(1, a=None), r(2, kind="skip")], [r(1, a=None), r(2), r(3, a=5), r(4, kind="skip")], 2)
pair("between", "expect_column_values_to_be_between", {"column_name": "a", "min_value": 0, "max_value": 10, **CHECK},
     [r(1, a=0), r(2, a=10), r(3, a=None)], [r(1, a=-1), r(2, a=11), r(3, a=5), r(4, a=99, kind="skip")], 2)
pair("between_strictly", "expect_column_values_to_be_between",
     {"column_name": "a", "min_value": 0, "max_value": 10, "strictly": True},
     [r(1, a=1), r(2, a=9)], [r(1, a=0), r(2, a=10), r(3, a=5)], 2)
pair("in_set", "expect_column_values_to_be_in_set", {"column_name": "code", "value_set": ["AB1", "CD2"], **CHECK},
     [r(1), r(2, code="CD2"), r(3, code=None, kind="skip")],
     [r(1, code="EF3"), r(2), r(3, code="GH4"), r(4, code="XX9", kind="skip")], 2)
case("in_set_null_fails", "expect_column_values_to_be_in_set", {"column_name": "code", "value_set": ["AB1"]},
     [r(1), r(2, code=None), r(3, code=None)], 2)
case("in_set_unquoted", "expect_column_values_to_be_in_set", {"column_name": "a", "value_set": [1, 2],
     "quote_values": False}, [r(1, a=1), r(2, a=2), r(3, a=3)], 1)
pair("not_in_set", "expect_column_values_to_not_be_in_set", {"column_name": "code", "value_set": ["ZZ9"], **CHECK},
     [r(1), r(2, code=None), r(3, code="ZZ9", kind="skip")], [r(1, code="ZZ9"), r(2, code="ZZ9"), r(3)], 2)
pair("unique", "expect_column_values_to_be_unique", {"column_name": "a", **CHECK},
     [r(1, a=1), r(2, a=2), r(3, a=None), r(4, a=None), r(5, a=2, kind="skip")],
     [r(1, a=1), r(2, a=1), r(3, a=2), r(4, a=2, kind="skip")], 1)
case("unique_one_failure_per_value", "expect_column_values_to_be_unique", {"column_name": "a"},
     [r(1, a=1), r(2, a=1), r(3, a=1), r(4, a=2), r(5, a=2), r(6, a=3)], 2)
# type names are the adapter's, as with the package: Spark calls an integer column INT
INTEGER = "{{ 'int' if target.type == 'spark' else 'integer' }}"
pair("of_type", "expect_column_values_to_be_of_type", {"column_name": "a", "column_type": INTEGER},
     [r(1)], [r(1)], 0)
case("of_type_wrong", "expect_column_values_to_be_of_type", {"column_name": "a", "column_type": "date"}, [r(1)], 1)
pair("in_type_list", "expect_column_values_to_be_in_type_list", {"column_name": "a",
     "column_type_list": ["date", INTEGER]}, [r(1)], [r(1)], 0)
case("in_type_list_wrong", "expect_column_values_to_be_in_type_list",
     {"column_name": "a", "column_type_list": ["date", "boolean"]}, [r(1)], 1)
pair("increasing", "expect_column_values_to_be_increasing", {"column_name": "a", "sort_column": "id", **CHECK},
     [r(1, a=1), r(2, a=2), r(3, a=5)], [r(1, a=1), r(2, a=1), r(3, a=0), r(4, a=-9, kind="skip"), r(5, a=3)], 2)
pair("increasing_by_group", "expect_column_values_to_be_increasing",
     {"column_name": "a", "sort_column": "id", "group_by": ["grp"], "strictly": False},
     [r(1, a=1), r(2, a=1), r(3, a=0, grp="g2"), r(4, a=2, grp="g2")],
     [r(1, a=2), r(2, a=1), r(3, a=5, grp="g2"), r(4, a=4, grp="g2")], 2)
# a null breaks the chain: neither it nor the row after it is compared (the package keeps nulls)
case("increasing_nulls_kept", "expect_column_values_to_be_increasing", {"column_name": "a", "sort_column": "id"},
     [r(1, a=1), r(2, a=None), r(3, a=0), r(4, a=2)], 0)
pair("increasing_step", "expect_column_values_to_be_increasing", {"column_name": "a", "sort_column": "id", "step": 2},
     [r(1, a=1), r(2, a=3), r(3, a=5)], [r(1, a=1), r(2, a=3), r(3, a=4)], 1)
pair("decreasing", "expect_column_values_to_be_decreasing", {"column_name": "a", "sort_column": "id", **CHECK},
     [r(1, a=5), r(2, a=3), r(3, a=9, kind="skip"), r(4, a=1)], [r(1, a=5), r(2, a=6), r(3, a=1), r(4, a=1)], 2)

# --- strings -----------------------------------------------------------------------------------
pair("match_regex", "expect_column_values_to_match_regex", {"column_name": "code", "regex": "^[A-Z]{2}[0-9]$",
     **CHECK}, [r(1), r(2, code="CD2")], [r(1), r(2, code="x1"), r(3, code="abc"), r(4, code="zz", kind="skip")], 2)
# dbt-expectations' regexp_instr: a null is a non-match on PostgreSQL (coalesce to 0), null on DuckDB and
# Spark (length(regexp_extract(null, ...)) is null), so the row is not counted there
case("match_regex_null", "expect_column_values_to_match_regex", {"column_name": "code", "regex": "^[A-Z]"},
     [r(1), r(2, code=None)], {"duckdb": 0, "postgres": 1, "spark": 0})
case("match_regex_flag_i", "expect_column_values_to_match_regex",
     {"column_name": "code", "regex": "^[A-Z]{2}", "flags": "i"}, [r(1, code="ab1"), r(2, code="Cd2")], 0)
case("match_regex_flag_c", "expect_column_values_to_match_regex",
     {"column_name": "code", "regex": "^[A-Z]{2}", "flags": "c"}, [r(1, code="ab1"), r(2, code="Cd2")], 2)
case("match_regex_no_flag", "expect_column_values_to_match_regex",
     {"column_name": "code", "regex": "^[A-Z]{2}"}, [r(1, code="ab1"), r(2, code="CD2")], 1)
pair("not_match_regex", "expect_column_values_to_not_match_regex", {"column_name": "code", "regex": "[0-9]{3}",
     **CHECK}, [r(1), r(2, code="A12"), r(3, code=None)],
     [r(1, code="A123"), r(2, code="999"), r(3, code="123", kind="skip")], 2)
case("not_match_regex_flag_i", "expect_column_values_to_not_match_regex",
     {"column_name": "code", "regex": "^[A-Z]", "flags": "i"}, [r(1, code="ab1"), r(2, code="123")], 1)
pair("match_regex_list_any", "expect_column_values_to_match_regex_list",
     {"column_name": "code", "regex_list": ["^A", "^C"], **CHECK},
     [r(1), r(2, code="CD2"), r(3, code="ZZ", kind="skip")], [r(1), r(2, code="EF3"), r(3, code="ZZ")], 2)
pair("match_regex_list_all", "expect_column_values_to_match_regex_list",
     {"column_name": "code", "regex_list": ["^A", "1$"], "match_on": "all"},
     [r(1), r(2, code="AX1")], [r(1), r(2, code="AB2"), r(3, code="CB1")], 2)
pair("not_match_regex_list_any", "expect_column_values_to_not_match_regex_list",
     {"column_name": "code", "regex_list": ["^Z", "^Y"]}, [r(1), r(2, code="CD2")],
     [r(1, code="ZZ1"), r(2, code="YY1"), r(3)], 2)
pair("not_match_regex_list_all", "expect_column_values_to_not_match_regex_list",
     {"column_name": "code", "regex_list": ["^A", "1$"], "match_on": "all"},
     [r(1, code="AB2"), r(2, code="CB1")], [r(1), r(2, code="AX1"), r(3, code="CB1")], 2)
pair("like", "expect_column_values_to_match_like_pattern", {"column_name": "code", "like_pattern": "A%", **CHECK},
     [r(1), r(2, code="AX"), r(3, code="ZZ", kind="skip")], [r(1), r(2, code="BA"), r(3, code="CA")], 2)
pair("not_like", "expect_column_values_to_not_match_like_pattern", {"column_name": "code", "like_pattern": "%9"},
     [r(1), r(2, code=None)], [r(1, code="A9"), r(2)], 1)
pair("like_list_any", "expect_column_values_to_match_like_pattern_list",
     {"column_name": "code", "like_pattern_list": ["A%", "C%"]}, [r(1), r(2, code="CD2")],
     [r(1), r(2, code="EF3")], 1)
pair("like_list_all", "expect_column_values_to_match_like_pattern_list",
     {"column_name": "code", "like_pattern_list": ["A%", "%1"], "match_on": "all"}, [r(1)],
     [r(1), r(2, code="AB2")], 1)
pair("not_like_list_any", "expect_column_values_to_not_match_like_pattern_list",
     {"column_name": "code", "like_pattern_list": ["Z%", "Y%"]}, [r(1)], [r(1, code="Z1"), r(2, code="Y1")], 2)
pair("not_like_list_all", "expect_column_values_to_not_match_like_pattern_list",
     {"column_name": "code", "like_pattern_list": ["A%", "%1"], "match_on": "all"}, [r(1, code="AB2")],
     [r(1), r(2, code="CB1")], 1)
pair("lengths", "expect_column_value_lengths_to_be_between", {"column_name": "code", "min_value": 2, "max_value": 3,
     **CHECK}, [r(1, code="AB"), r(2, code="ABC")],
     [r(1, code="A"), r(2, code="ABCD"), r(3, code="AB"), r(4, code="ABCDE", kind="skip")], 2)
pair("lengths_equal", "expect_column_value_lengths_to_equal", {"column_name": "code", "value": 3, **CHECK},
     [r(1), r(2, code=None), r(3, code="A", kind="skip")], [r(1), r(2, code="AB"), r(3, code="ABCD")], 2)

# --- aggregates ----------------------------------------------------------------------------------
for agg, good, bad, n in (("mean", [2, 4], [0, 1], 1), ("max", [1, 4], [1, 9], 1), ("min", [2, 3], [0, 3], 1),
                          ("sum", [1, 3], [4, 3], 1), ("stdev", [2, 4], [1, 9], 1)):
    pair(f"{agg}_between", f"expect_column_{agg}_to_be_between",
         {"column_name": "a", "min_value": 1, "max_value": 4, "group_by": ["grp"], **CHECK},
         [r(1, a=good[0]), r(2, a=good[1]), r(3, a=good[0], grp="g2"), r(4, a=good[1], grp="g2"),
          r(5, a=100, kind="skip")],
         [r(1, a=good[0]), r(2, a=good[1]), r(3, a=bad[0], grp="g2"), r(4, a=bad[1], grp="g2")], n)
pair("mean_between_strictly", "expect_column_mean_to_be_between",
     {"column_name": "a", "min_value": 2, "max_value": 4, "strictly": True}, [r(1, a=3)], [r(1, a=4)], 1)
pair("distinct_count", "expect_column_distinct_count_to_equal", {"column_name": "code", "value": 2, **CHECK},
     [r(1), r(2, code="CD2"), r(3), r(4, code="ZZ9", kind="skip")], [r(1), r(2, code="CD2"), r(3, code="EF3")], 1)
pair("distinct_count_greater", "expect_column_distinct_count_to_be_greater_than",
     {"column_name": "code", "value": 1, "group_by": ["grp"]}, [r(1), r(2, code="CD2")],
     [r(1), r(2, code="CD2"), r(3, grp="g2"), r(4, grp="g2")], 1)
pair("distinct_count_less", "expect_column_distinct_count_to_be_less_than", {"column_name": "code", "value": 3},
     [r(1), r(2, code="CD2"), r(3, code=None)], [r(1), r(2, code="CD2"), r(3, code="EF3")], 1)
pair("distinct_count_other_table", "expect_column_distinct_count_to_equal_other_table",
     {"column_name": "a", "compare_model": "ref('reference_three')"},
     [r(1, a=1), r(2, a=2), r(3, a=3), r(4, a=3)], [r(1, a=1), r(2, a=1)], 1)
pair("unique_value_count", "expect_column_unique_value_count_to_be_between",
     {"column_name": "code", "min_value": 2, "max_value": 3, **CHECK},
     [r(1), r(2, code="CD2")], [r(1), r(2), r(3, code="CD2", kind="skip")], 1)
pair("proportion_unique", "expect_column_proportion_of_unique_values_to_be_between",
     {"column_name": "code", "min_value": 0.5, "max_value": 1}, [r(1), r(2, code="CD2"), r(3, code=None)],
     [r(1), r(2), r(3), r(4), r(5, code="CD2")], 1)
pair("distinct_in_set", "expect_column_distinct_values_to_be_in_set",
     {"column_name": "code", "value_set": ["AB1", "CD2", "EF3"], **CHECK},
     [r(1), r(2), r(3, code="CD2"), r(4, code="ZZ", kind="skip")],
     [r(1), r(2, code="GH4"), r(3, code="GH4"), r(4, code=None)], 2)
pair("distinct_contain_set", "expect_column_distinct_values_to_contain_set",
     {"column_name": "code", "value_set": ["AB1", "CD2"], **CHECK},
     [r(1), r(2, code="CD2"), r(3, code="EF3")], [r(1), r(2, code="CD2", kind="skip")], 1)
pair("distinct_equal_set", "expect_column_distinct_values_to_equal_set",
     {"column_name": "code", "value_set": ["AB1", "CD2"]}, [r(1), r(2, code="CD2"), r(3)],
     [r(1), r(2, code="EF3")], 2)

# --- multi-column --------------------------------------------------------------------------------
pair("a_greater_than_b", "expect_column_pair_values_A_to_be_greater_than_B", {"column_A": "a", "column_B": "b",
     **CHECK}, [r(1, a=2, b=1), r(2, a=None, b=5)],
     [r(1, a=1, b=1), r(2, a=0, b=3), r(3, a=5, b=1), r(4, a=0, b=9, kind="skip")], 2)
pair("a_greater_or_equal_b", "expect_column_pair_values_A_to_be_greater_than_B",
     {"column_A": "a", "column_B": "b", "or_equal": True}, [r(1, a=1, b=1), r(2, a=2, b=1)],
     [r(1, a=0, b=1), r(2, a=1, b=1)], 1)
pair("pair_equal", "expect_column_pair_values_to_be_equal", {"column_A": "a", "column_B": "b", **CHECK},
     [r(1, a=1, b=1), r(2, a=None, b=2), r(3, a=1, b=2, kind="skip")], [r(1, a=1, b=1), r(2, a=1, b=2)], 1)
pair("compound_unique", "expect_compound_columns_to_be_unique", {"column_list": ["a", "b"], **CHECK},
     [r(1, a=1, b=1), r(2, a=1, b=2), r(3, a=None, b=None), r(4, a=None, b=None)],
     [r(1, a=1, b=1), r(2, a=1, b=1), r(3, a=2, b=2), r(4, a=2, b=2), r(5, a=3, b=3), r(6, a=3, b=3, kind="skip")], 2)
case("compound_unique_any_missing", "expect_compound_columns_to_be_unique",
     {"column_list": ["a", "b"], "ignore_row_if": "any_value_is_missing"},
     [r(1, a=1, b=None), r(2, a=1, b=None), r(3, a=2, b=2), r(4, a=2, b=2)], 1)
case("compound_unique_all_missing", "expect_compound_columns_to_be_unique", {"column_list": ["a", "b"]},
     [r(1, a=1, b=None), r(2, a=1, b=None), r(3, a=None, b=None), r(4, a=None, b=None)], 1)
pair("unique_within_record", "expect_select_column_values_to_be_unique_within_record",
     {"column_list": ["a", "b", "id"], **CHECK}, [r(1, a=2, b=3), r(2, a=9, b=8), r(3, a=3, b=3, kind="skip")],
     [r(1, a=1, b=2), r(2, a=2, b=3), r(3, a=4, b=4), r(4, a=4, b=4, kind="skip")], 3)
# a null among the columns fails (its text is not a distinct value); all-null rows are ignored by default
case("unique_within_record_nulls", "expect_select_column_values_to_be_unique_within_record",
     {"column_list": ["a", "b"], "quote_columns": True}, [r(1, a=1, b=None), r(2, a=None, b=None), r(3, a=1, b=2)], 1)
case("unique_within_record_any_missing", "expect_select_column_values_to_be_unique_within_record",
     {"column_list": ["a", "b"], "ignore_row_if": "any_value_is_missing"},
     [r(1, a=1, b=None), r(2, a=2, b=2), r(3, a=1, b=2)], 1)
pair("multicolumn_sum", "expect_multicolumn_sum_to_equal", {"column_list": ["a", "b"], "sum_total": 10,
     "group_by": ["grp"], **CHECK},
     [r(1, a=4, b=1), r(2, a=3, b=2), r(3, a=10, b=0, grp="g2"), r(4, a=7, b=7, kind="skip")],
     [r(1, a=4, b=1), r(2, a=3, b=3), r(3, a=1, b=0, grp="g2"), r(4, a=5, b=5, grp="g3")], 2)
pair("multicolumn_sum_column_total", "expect_multicolumn_sum_to_equal", {"column_list": ["a"], "sum_total": "b"},
     [r(1, a=1, b=3), r(2, a=2, b=0)], [r(1, a=1, b=1), r(2, a=2, b=1)], 1)
case("multicolumn_sum_null_passes", "expect_multicolumn_sum_to_equal", {"column_list": ["a"], "sum_total": 5},
     [r(1, a=None), r(2, a=None)], 0)
pair("expression_is_true", "expression_is_true", {"expression": "a + b = 3", **CHECK},
     [r(1, a=1, b=2), r(2, a=0, b=0, kind="skip")], [r(1, a=1, b=2), r(2, a=2, b=2)], 1)
pair("expression_is_true_grouped", "expression_is_true", {"expression": "sum(a) > 1", "group_by_columns": ["grp"]},
     [r(1, a=2), r(2, a=1, grp="g2"), r(3, a=1, grp="g2")], [r(1, a=2), r(2, a=1, grp="g2")], 1)

# --- table shape ---------------------------------------------------------------------------------
pair("row_count_between", "expect_table_row_count_to_be_between", {"min_value": 1, "max_value": 2, **CHECK},
     [r(1), r(2), r(3, kind="skip")], [r(1), r(2), r(3)], 1)
pair("row_count_by_group", "expect_table_row_count_to_be_between", {"min_value": 2, "group_by": ["grp"]},
     [r(1), r(2), r(3, grp="g2"), r(4, grp="g2")],
     [r(1), r(2, grp="g2"), r(3, grp="g3"), r(4, grp="g4"), r(5, grp="g4")], 3)
pair("row_count_equal", "expect_table_row_count_to_equal", {"value": 2, **CHECK}, [r(1), r(2), r(3, kind="skip")],
     [r(1)], 1)
pair("row_count_other_table", "expect_table_row_count_to_equal_other_table",
     {"compare_model": "ref('reference_three')", **CHECK}, [r(1), r(2), r(3), r(4, kind="skip")],
     [r(1), r(2), r(3), r(4)], 1)
# compare_row_condition defaults to row_condition: reference_mixed holds 3 'check' rows and 2 'skip' rows
case("row_count_compare_condition_default", "expect_table_row_count_to_equal_other_table",
     {"compare_model": "ref('reference_mixed')", **CHECK}, [r(1), r(2), r(3), r(4, kind="skip")], 0)
case("row_count_compare_condition_given", "expect_table_row_count_to_equal_other_table",
     {"compare_model": "ref('reference_mixed')", "compare_row_condition": "1 = 1", **CHECK},
     [r(1), r(2), r(3), r(4, kind="skip")], 1)
pair("row_count_factor", "expect_table_row_count_to_equal_other_table_times_factor",
     {"compare_model": "ref('reference_three')", "factor": 2}, [r(i) for i in range(1, 7)],
     [r(i) for i in range(1, 6)], 1)
pair("row_count_other_table_factor", "expect_table_row_count_to_equal_other_table",
     {"compare_model": "ref('reference_three')", "factor": 2}, [r(i) for i in range(1, 7)], [r(1)], 1)
pair("aggregation_other_table", "expect_table_aggregation_to_equal_other_table",
     {"expression": "sum(a)", "compare_model": "ref('reference_three')", **CHECK},
     [r(1, a=1), r(2, a=2), r(3, a=3), r(4, a=50, kind="skip")], [r(1, a=1), r(2, a=2), r(3, a=4)], 1)
# two group_by columns; reference_groups: (g1, check) sum 3, (g2, check) sum 5, (g2, skip) sum 7
pair("aggregation_two_groups", "expect_table_aggregation_to_equal_other_table",
     {"expression": "sum(a)", "compare_model": "ref('reference_groups')", "group_by": ["grp", "kind"]},
     [r(1, a=3), r(2, a=5, grp="g2"), r(3, a=7, grp="g2", kind="skip")],
     [r(1, a=3), r(2, a=6, grp="g2"), r(3, a=7, grp="g3", kind="skip")], 3)
# tolerance_percent is a fraction of the model's value: |100 - 110| / 100 = 0.10 > 0.095 (of 110 it is 0.091)
case("aggregation_tolerance_percent_of_model", "expect_table_aggregation_to_equal_other_table",
     {"expression": "sum(a)", "compare_model": "ref('reference_110')", "tolerance_percent": 0.095},
     [r(1, a=60), r(2, a=40)], 1)
case("aggregation_tolerance_percent_within", "expect_table_aggregation_to_equal_other_table",
     {"expression": "sum(a)", "compare_model": "ref('reference_110')", "tolerance_percent": 0.11},
     [r(1, a=60), r(2, a=40)], 0)
case("aggregation_tolerance_absolute", "expect_table_aggregation_to_equal_other_table",
     {"expression": "sum(a)", "compare_model": "ref('reference_110')", "tolerance": 10},
     [r(1, a=60), r(2, a=40)], 0)
# a null aggregate counts as 0: sum of nulls (0) equals count(*) - 3 over reference_three (0)
case("aggregation_null_is_zero", "expect_table_aggregation_to_equal_other_table",
     {"expression": "sum(a)", "compare_model": "ref('reference_three')", "compare_expression": "count(*) - 3"},
     [r(1, a=None), r(2, a=None)], 0)
pair("column_to_exist", "expect_column_to_exist", {"column_name": "a"}, [r(1)], [r(1)], 0)
case("column_to_exist_missing", "expect_column_to_exist", {"column_name": "zz"}, [r(1)], 1)
case("column_to_exist_index", "expect_column_to_exist", {"column_name": "a", "column_index": 3}, [r(1)], 0)
case("column_to_exist_wrong_index", "expect_column_to_exist", {"column_name": "a", "column_index": 2}, [r(1)], 1)
case("columns_match_set", "expect_table_columns_to_match_set", {"column_list": list(reversed(COLUMNS))}, [r(1)], 0)
case("columns_match_set_bad", "expect_table_columns_to_match_set", {"column_list": COLUMNS[:-1] + ["zz"]}, [r(1)], 2)
case("columns_match_set_lower", "expect_table_columns_to_match_set",
     {"column_list": [c.upper() for c in COLUMNS], "transform": "lower"}, [r(1)], 0)
case("columns_contain_set", "expect_table_columns_to_contain_set", {"column_list": ["a", "b"]}, [r(1)], 0)
case("columns_contain_set_bad", "expect_table_columns_to_contain_set", {"column_list": ["a", "zz", "yy"]}, [r(1)], 2)
case("columns_not_contain_set", "expect_table_columns_to_not_contain_set", {"column_list": ["zz"]}, [r(1)], 0)
case("columns_not_contain_set_bad", "expect_table_columns_to_not_contain_set", {"column_list": ["a", "zz"]}, [r(1)], 1)
case("columns_ordered", "expect_table_columns_to_match_ordered_list", {"column_list": COLUMNS}, [r(1)], 0)
case("columns_ordered_bad", "expect_table_columns_to_match_ordered_list",
     {"column_list": ["id", "kind", "b", "a", "code", "ts", "grp"]}, [r(1)], 4)
case("column_count", "expect_table_column_count_to_equal", {"value": 7}, [r(1)], 0)
case("column_count_bad", "expect_table_column_count_to_equal", {"value": 6}, [r(1)], 1)
case("column_count_between", "expect_table_column_count_to_be_between", {"min_value": 5, "max_value": 8}, [r(1)], 0)
case("column_count_between_bad", "expect_table_column_count_to_be_between", {"max_value": 6}, [r(1)], 1)
case("column_count_other", "expect_table_column_count_to_equal_other_table",
     {"compare_model": "ref('reference_three')"}, [r(1)], 0)
case("column_count_other_bad", "expect_table_column_count_to_equal_other_table",
     {"compare_model": "ref('reference_narrow')"}, [r(1)], 1)

# --- time --------------------------------------------------------------------------------------------
pair("recent_data", "expect_row_values_to_have_recent_data", {"column_name": "ts", "datepart": "day", "interval": 1,
     **CHECK}, [r(1, ts=OLD), r(2, ts=NOW)], [r(1, ts=OLD), r(2, ts=NOW, kind="skip")], 1)
# rows dated in the future are left out before taking the newest
case("recent_data_future_only", "expect_row_values_to_have_recent_data",
     {"column_name": "ts", "datepart": "day", "interval": 1}, [r(1, ts=FUTURE), r(2, ts=OLD)], 1)
case("recent_data_none_qualify", "expect_row_values_to_have_recent_data",
     {"column_name": "ts", "datepart": "day", "interval": 1, "row_condition": "1 = 0"}, [r(1, ts=NOW)], 1)
pair("grouped_recent", "expect_grouped_row_values_to_have_recent_data",
     {"group_by": ["grp"], "timestamp_column": "ts", "datepart": "day", "interval": 1, **CHECK},
     [r(1, ts=NOW), r(2, ts=OLD), r(3, ts=NOW, grp="g2"), r(4, ts=OLD, grp="g3", kind="skip")],
     [r(1, ts=NOW), r(2, ts=OLD, grp="g2"), r(3, ts=FUTURE, grp="g3"), r(4, ts=OLD, grp="g3")], 2)
case("grouped_recent_none_qualify", "expect_grouped_row_values_to_have_recent_data",
     {"group_by": ["grp"], "timestamp_column": "ts", "datepart": "day", "interval": 1}, [r(1, ts=FUTURE)], 0)
pair("every_day", "expect_row_values_to_have_data_for_every_n_datepart",
     {"date_col": "ts", "date_part": "day", **CHECK},
     [day("2026-10-01"), day("2026-10-02"), day("2026-10-03"), day("2026-10-05", kind="skip")],
     [day("2026-10-01"), day("2026-10-02"), day("2026-10-04"), day("2026-10-03", kind="skip"), day("2026-10-05")], 1)
case("every_day_exclusion", "expect_row_values_to_have_data_for_every_n_datepart",
     {"date_col": "ts", "date_part": "day", "exclusion_condition": "date_day <> cast('2026-10-03' as timestamp)"},
     [day("2026-10-01"), day("2026-10-02"), day("2026-10-04")], 0)
case("every_second_day", "expect_row_values_to_have_data_for_every_n_datepart",
     {"date_col": "ts", "date_part": "day", "interval": 2},
     [day("2026-10-01"), day("2026-10-04"), day("2026-10-05"), day("2026-10-09")], 1)
# the range given: 2026-09-28 up to (not including) 2026-10-03; the data starts on 10-01
case("every_day_given_range", "expect_row_values_to_have_data_for_every_n_datepart",
     {"date_col": "ts", "date_part": "day", "test_start_date": "2026-09-28", "test_end_date": "2026-10-03"},
     [day("2026-10-01"), day("2026-10-02"), day("2026-10-04")], 3)

# --- distributions ---------------------------------------------------------------------------------
# nine 1s and one 50: the 50 lies 2.85 sample standard deviations above the mean
OUTLIER = [r(i, a=1) for i in range(1, 10)] + [r(10, a=50)]
case("within_n_stdevs", "expect_column_values_to_be_within_n_stdevs",
     {"column_name": "a", "group_by": ["id"], "sigma_threshold": 3}, OUTLIER, 0)
case("within_n_stdevs_bad", "expect_column_values_to_be_within_n_stdevs",
     {"column_name": "a", "group_by": ["id"], "sigma_threshold": 2}, OUTLIER, 1)
case("within_n_stdevs_one_group", "expect_column_values_to_be_within_n_stdevs",
     {"column_name": "a", "sigma_threshold": 0}, OUTLIER, 0)


def daily_series(values: dict[int, int]) -> str:
    """A model with one row per day `days_ago` before today (the project's time zone) holding `a`."""
    selects = [f"select cast({{{{ dbt.dateadd('day', -{ago}, 'cast(' ~ dq_now() ~ ' as date)') }}}} as date) "
               f"as ts, cast({a} as integer) as a, cast('g1' as varchar(5)) as grp" for ago, a in values.items()]
    return "\nunion all\n".join(selects) + "\n"


def moving_failures(values: dict[int, int], trend=7, test=14, lookback=1, sigma=3.0,
                    take_diffs=True, take_logs=True) -> int:
    """dbt-expectations' moving-band test computed here: the expected failures of a daily series."""
    days = sorted(values, reverse=True)  # oldest first
    f = [(math.log(values[d]) if values[d] else 0.0) if take_logs else float(values[d]) for d in days]
    metric = [f[i] - (f[i - lookback] if i >= lookback else 0.0) for i in range(len(f))] if take_diffs else f
    failures = 0
    for i, ago in enumerate(days):
        window = metric[max(0, i - trend):i]
        if len(window) < 2 or not 1 <= ago <= test:
            continue
        mean = sum(window) / len(window)
        sd = math.sqrt(sum((x - mean) ** 2 for x in window) / (len(window) - 1))
        if sd and abs((metric[i] - mean) / sd) > sigma:
            failures += 1
    return failures


STEADY = {ago: 1000 + (ago * 37) % 50 for ago in range(30, 0, -1)}
SPIKE = {**STEADY, 6: 90000}
assert moving_failures(STEADY) == 0 and moving_failures(SPIKE) >= 1
case("moving_stdevs", "expect_column_values_to_be_within_n_moving_stdevs",
     {"column_name": "a", "date_column_name": "ts"}, daily_series(STEADY), 0)
case("moving_stdevs_spike", "expect_column_values_to_be_within_n_moving_stdevs",
     {"column_name": "a", "date_column_name": "ts"}, daily_series(SPIKE), moving_failures(SPIKE))
case("moving_stdevs_levels", "expect_column_values_to_be_within_n_moving_stdevs",
     {"column_name": "a", "date_column_name": "ts", "take_diffs": False, "take_logs": False, "group_by": ["grp"]},
     daily_series(SPIKE), moving_failures(SPIKE, take_diffs=False, take_logs=False))
# a spike older than test_periods is not tested
case("moving_stdevs_old_spike", "expect_column_values_to_be_within_n_moving_stdevs",
     {"column_name": "a", "date_column_name": "ts", "test_periods": 4}, daily_series(SPIKE), 0)

REFERENCES = {
    "reference_three": [r(1, a=1), r(2, a=2), r(3, a=3)],
    "reference_mixed": [r(1), r(2), r(3), r(4, kind="skip"), r(5, kind="skip")],
    "reference_groups": [r(1, a=3), r(2, a=5, grp="g2"), r(3, a=7, grp="g2", kind="skip")],
    "reference_110": [r(1, a=110)],
    "reference_narrow": "select 1 as id\n",
}
MODEL_ARGS = {"column_A", "column_list", "expression", "compare_model", "group_by_columns", "date_col"}


def test_every_generic_test_file_is_covered():
    shipped = {p.stem for p in (ROOT / "tests" / "generic").glob("*.sql")}
    tested = {c.test for c in CASES}
    assert shipped == tested
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    for test in tested:  # every name has a passing and a failing case
        outcomes = {c.expected("duckdb") > 0 for c in CASES if c.test == test}
        assert outcomes == {True, False} or test in {"expect_column_values_to_be_of_type",
                                                     "expect_column_values_to_be_in_type_list"} and outcomes, test


def write_project(folder: Path) -> None:
    shutil.copytree(ROOT / "tests" / "generic", folder / "tests" / "generic")
    shutil.copytree(ROOT / "macros", folder / "macros")
    (folder / "models").mkdir()
    (folder / "dbt_project.yml").write_text(yaml.safe_dump({
        "name": "timo_bank", "version": "1.0.0", "config-version": 2, "profile": "timo_bank",
        "models": {"timo_bank": {"+materialized": "table"}}}))
    shutil.copy(ROOT / "profiles.yml.example", folder / "profiles.yml")
    for name, data in REFERENCES.items():
        (folder / "models" / f"{name}.sql").write_text(data if isinstance(data, str) else rows(*data))
    models = []
    for c in CASES:
        model = f"case_{c.name}"
        (folder / "models" / f"{model}.sql").write_text(c.data if isinstance(c.data, str) else rows(*c.data))
        arguments = {k: v for k, v in c.args.items() if k != "column_name"}
        spec = {c.test: {"name": f"dq_{c.name}", "arguments": arguments}}
        entry = {"name": model}
        if "column_name" in c.args and not MODEL_ARGS & set(c.args):
            entry["columns"] = [{"name": c.args["column_name"], "data_tests": [spec]}]
        else:
            spec[c.test]["arguments"] = dict(c.args)
            entry["data_tests"] = [spec]
        models.append(entry)
    (folder / "models" / "_cases.yml").write_text(yaml.safe_dump({"models": models}, sort_keys=False))


def _build(folder: Path, env: dict) -> dict[str, tuple[str, int]]:
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run([str(dbt), "build", "--profiles-dir", str(folder)], cwd=folder, capture_output=True,
                            text=True, env={**os.environ, **env}, timeout=900)
    assert (folder / "target" / "run_results.json").exists(), result.stdout[-3000:] + result.stderr[-2000:]
    return outcomes(folder)


def outcomes(folder: Path, target_path: Path | None = None) -> dict[str, tuple[str, int]]:
    """Each case's test: (status, failing rows, message), from the build's run_results.json."""
    run_results = (target_path or folder / "target") / "run_results.json"
    out = {}
    for item in json.loads(run_results.read_text())["results"]:
        if item["unique_id"].startswith("test."):
            out[item["unique_id"].split(".")[2]] = (item["status"], item["failures"] or 0, item.get("message"))
    assert out, f"no test results in {run_results}"
    return out


def check(outcomes: dict, engine: str) -> None:
    problems = []
    for c in CASES:
        got = outcomes.get(f"dq_{c.name}")
        want = c.expected(engine)
        if got is None or got[:2] != (("fail", want) if want else ("pass", 0)):
            problems.append((c.name, c.test, "got", got, "want", want))
    assert not problems, "\n".join(map(str, problems))


def test_generic_tests_on_duckdb(tmp_path):
    write_project(tmp_path)
    check(_build(tmp_path, {"TIMO_TARGET": "duckdb", "TIMO_DUCKDB_PATH": str(tmp_path / "dq.duckdb")}), "duckdb")


@pytest.mark.postgres
def test_generic_tests_on_postgres(tmp_path, pg_database):
    write_project(tmp_path)
    check(_build(tmp_path, {"TIMO_TARGET": "postgres", **pg_env(pg_database)}), "postgres")
