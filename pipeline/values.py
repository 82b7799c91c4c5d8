"""Exact-fit checks of a raw file's values against the raw table's column types, before any load.

A warehouse cast rounds silently: DuckDB turns a float `customer_id` 18.7 into 19, and both engines
store an amount of 1234567.899 as 1234567.90. The loader refuses such files instead, naming the file,
the row and the column (`LoadError`), so nothing is loaded and nothing is rounded.

- Parquet: a column stored with exactly the declared type needs no check (its values fit by
  construction). Any other stored type is cast with Arrow's *safe* cast, which fails on any loss
  (truncated fractions, rescaled decimals, overflow); the first value that does not fit is reported.
- CSV: every non-text column is checked as text against the declared type's exact form.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from generators.schema import TYPES, Table

# the text forms a CSV value may take, per logical type (empty = null, allowed everywhere)
CSV_PATTERNS = {
    "bigint": r"^[+-]?[0-9]{1,18}$",
    "amount": r"^[+-]?[0-9]{1,16}(\.[0-9]{1,2})?$",
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "timestamp": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?$",
    "boolean": r"^(?i:true|false|t|f|1|0)$",
}
WHAT = {
    "bigint": "a whole number",
    "amount": "an amount with at most 2 decimals (and 16 digits before the point)",
    "date": "a date YYYY-MM-DD",
    "timestamp": "a timestamp YYYY-MM-DD HH:MM:SS[.ffffff]",
    "boolean": "true or false",
}


class ValueMismatch(ValueError):
    """A value that does not fit its column exactly: str() is the one-line message."""


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _first_false(mask: pa.ChunkedArray | pa.Array) -> int | None:
    """Index of the first false (not null) value of a boolean array, or None."""
    bad = pc.invert(pc.fill_null(mask, True))
    if not pc.any(bad).as_py():
        return None
    return pc.index(bad, True).as_py()


def _first_unsafe(column: pa.ChunkedArray, target: pa.DataType) -> int | None:
    """Index of the first value that Arrow's safe cast to `target` refuses, or None."""
    try:
        pc.cast(column, target, safe=True)
        return None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    values = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    lo, hi = 0, len(values)  # bisect on prefixes: the first prefix that fails ends at the bad value
    while hi - lo > 1:
        mid = (lo + hi) // 2
        try:
            pc.cast(values.slice(lo, mid - lo), target, safe=True)
            lo = mid
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            hi = mid
    return lo


def check_parquet(table: Table, path: Path, schema: pa.Schema | None = None) -> None:
    schema = schema if schema is not None else pq.read_schema(path)
    for name, logical in table.columns:
        expected = TYPES[logical][0]
        stored = schema.field(name).type
        if stored == expected:
            continue
        column = pq.read_table(path, columns=[name]).column(name)
        if pa.types.is_string(stored) or pa.types.is_large_string(stored):
            bad = _first_text_mismatch(column, logical)
        else:
            bad = _first_unsafe(column, expected)
        if bad is not None:
            value = column[bad].as_py()
            raise ValueMismatch(f"{path}: row {bad + 1}, column {name}: {_shown(value)} ({stored}) does not fit "
                                f"raw.{table.name}.{name} ({logical}) exactly; nothing was changed")


def _first_text_mismatch(column: pa.ChunkedArray, logical: str) -> int | None:
    pattern = CSV_PATTERNS.get(logical)
    if pattern is None:
        return None
    ok = pc.or_(pc.match_substring_regex(column, pattern), pc.equal(column, ""))
    bad = _first_false(ok)
    if bad is not None:
        return bad
    if logical in ("date", "timestamp"):  # the right shape; now a real calendar date and time
        target = TYPES[logical][0]
        text = pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)
        return _first_unsafe(text, target)
    return None


def check_csv(table: Table, path: Path) -> None:
    typed = [(c, t) for c, t in table.columns if t != "varchar"]
    if not typed:
        return
    options = pacsv.ConvertOptions(column_types={c: pa.string() for c, _ in table.columns},
                                   include_columns=[c for c, _ in typed], strings_can_be_null=False,
                                   quoted_strings_can_be_null=False, null_values=[])
    try:
        data = pacsv.read_csv(path, convert_options=options)
    except pa.ArrowInvalid as exc:
        raise ValueMismatch(f"{path}: cannot be read as CSV: {str(exc).splitlines()[0]}") from None
    for name, logical in typed:
        bad = _first_text_mismatch(data.column(name), logical)
        if bad is not None:
            value = data.column(name)[bad].as_py()
            raise ValueMismatch(f"{path}: row {bad + 1}, column {name}: {_shown(value)} is not {WHAT[logical]} "
                                f"(raw.{table.name}.{name} is {logical}); nothing was changed")


def check_file(table: Table, path: Path, fmt: str, schema: pa.Schema | None = None) -> None:
    """Raise ValueMismatch (one line: file, row, column) unless every value fits its column exactly.
    `schema`: the Parquet schema when the caller has already read it."""
    if fmt == "parquet":
        check_parquet(table, path, schema)
    else:
        check_csv(table, path)
