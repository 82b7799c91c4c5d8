"""What every page shares: cached queries, the sidebar filters, number formats and charts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.warehouse import WarehouseBusy, WarehouseConfig, WarehouseError, query

CACHE_SECONDS = 300
FILTER_STATE = "applied_filters"
DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
LEVELS = ["A", "B", "C", "D"]


def config() -> WarehouseConfig:
    try:
        return WarehouseConfig.from_env()
    except WarehouseError as exc:
        st.error(str(exc))
        st.stop()


def _version(cfg: WarehouseConfig) -> int:
    """When the DuckDB warehouse last changed (its file and write-ahead log): part of the cache key, so a
    page shows a build's results as soon as it ends. PostgreSQL has no such stamp: its results live for
    CACHE_SECONDS."""
    if cfg.target != "duckdb":
        return 0
    stamps = [p.stat().st_mtime_ns for p in (Path(cfg.duckdb_path), Path(cfg.duckdb_path + ".wal")) if p.exists()]
    return max(stamps, default=0)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _cached_query(cfg: WarehouseConfig, sql: str, params: dict[str, Any], version: int = 0) -> pd.DataFrame:
    # One attempt: a lock error is not cached, and run() below retries it where the page can say so.
    return query(dataclasses.replace(cfg, lock_retries=0), sql, params)


def run(sql: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Rows of a read-only query, cached for five minutes per (warehouse, SQL, parameters).

    A locked DuckDB file is reported on the page and retried; any other failure stops the page with
    a message rather than a traceback."""
    cfg = config()
    params = dict(params or {})
    notice = st.empty()
    for attempt in range(cfg.lock_retries + 1):
        try:
            frame = _cached_query(cfg, sql, params, _version(cfg))
            notice.empty()
            return frame.copy()
        except WarehouseBusy as exc:
            if attempt == cfg.lock_retries:
                notice.warning(f"The warehouse is locked by another process, probably a running `dbt build`: "
                               f"{exc}. Reload the page when the build has finished.")
                st.button("Try again", key=f"retry_{hash(sql)}")
                st.stop()
            notice.warning(f"The warehouse is locked by another process (a running `dbt build`?); "
                           f"retrying in {cfg.lock_wait:g} s (attempt {attempt + 1} of {cfg.lock_retries}).")
            time.sleep(cfg.lock_wait)
        except WarehouseError as exc:
            notice.error(f"The warehouse cannot answer: {exc}")
            st.stop()
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------------------------- filters

@dataclasses.dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    segments: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()

    def where(self, columns: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
        """A SQL condition over the given columns (keys: date, segment, type, status, class) and its
        parameters. An empty selection means no restriction. Column names come from the pages, never
        from the user; the user's values travel as parameters."""
        clauses, params = [], {}
        if "date" in columns:
            clauses.append(f"{columns['date']} between %(f_start)s and %(f_end)s")
            params.update(f_start=self.start, f_end=self.end)
        for key, values in (("segment", self.segments), ("type", self.types), ("status", self.statuses),
                            ("class", self.classes)):
            if key in columns and values:
                clauses.append(f"{columns[key]} = any(%(f_{key})s)")
                params[f"f_{key}"] = list(values)
        return (" and ".join(clauses) or "1 = 1"), params

    def describe(self, columns: Mapping[str, str]) -> str:
        parts = []
        if "date" in columns:
            parts.append(f"{self.start:%d %b %Y} – {self.end:%d %b %Y}")
        for key, label, values in (("segment", "segment", self.segments), ("type", "types", self.types),
                                   ("status", "statuses", self.statuses), ("class", "classes", self.classes)):
            if key in columns and values:
                parts.append(f"{label}: {', '.join(plain(v) for v in values)}")
        return "Filters: " + ("; ".join(parts) if parts else "none")


TXN_COLUMNS = {"date": "transaction_date", "segment": "customer_type", "type": "transaction_type",
               "status": "transaction_status", "class": "required_level"}


def _filter_options() -> dict[str, Any]:
    bounds = run("select min(transaction_date) as first_day, max(transaction_date) as last_day "
                 "from marts.fct_transactions")
    options = {}
    for key, column in (("segments", "customer_type"), ("types", "transaction_type"),
                        ("statuses", "transaction_status"), ("classes", "required_level")):
        frame = run(f"select distinct {column} as value from marts.fct_transactions "
                    f"where {column} is not null order by 1")
        options[key] = frame["value"].tolist()
    first, last = bounds.iloc[0]["first_day"], bounds.iloc[0]["last_day"]
    if pd.isna(first):
        first = last = dt.date.today()
    options["first_day"], options["last_day"] = pd.Timestamp(first).date(), pd.Timestamp(last).date()
    return options


def _defaults(options) -> dict[str, Any]:
    return {"w_dates": (options["first_day"], options["last_day"]), "w_segments": [], "w_types": [],
            "w_statuses": [], "w_classes": []}


def _reset(options) -> None:
    for key, value in _defaults(options).items():
        st.session_state[key] = value
    st.session_state[FILTER_STATE] = Filters(options["first_day"], options["last_day"])


def _apply() -> None:
    dates = st.session_state["w_dates"]
    start, end = (dates[0], dates[-1]) if dates else (None, None)
    st.session_state[FILTER_STATE] = Filters(
        start=start, end=end, segments=tuple(st.session_state["w_segments"]),
        types=tuple(st.session_state["w_types"]), statuses=tuple(st.session_state["w_statuses"]),
        classes=tuple(st.session_state["w_classes"]))


def sidebar_filters() -> None:
    """Date range, segment, transaction type, status and security class: applied with Apply,
    cleared with Reset, kept while moving between pages."""
    options = _filter_options()
    if FILTER_STATE not in st.session_state:
        _reset(options)
    with st.sidebar.form("filters"):
        st.markdown("**Filters**")
        st.date_input("Date range", key="w_dates", min_value=options["first_day"], max_value=options["last_day"])
        st.multiselect("Customer segment", options["segments"], key="w_segments", placeholder="All segments")
        st.multiselect("Transaction types", options["types"], key="w_types", placeholder="All types")
        st.multiselect("Statuses", options["statuses"], key="w_statuses", placeholder="All statuses")
        st.multiselect("Security class (SBV level)", options["classes"], key="w_classes",
                       placeholder="All classes")
        st.form_submit_button("Apply", on_click=_apply, type="primary")
    st.sidebar.button("Reset filters", on_click=_reset, args=(options,))


def filters() -> Filters:
    if FILTER_STATE not in st.session_state:
        sidebar_filters()
    return st.session_state[FILTER_STATE]


# ---------------------------------------------------------------------------------------------- output

WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?<=[a-z]):/|www\.|[\w+.-]@")  # "https:/", "www.", "x@": joined apart
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&^])")


def plain(value: Any) -> str:
    """Data as literal text in a Streamlit markdown context (titles, captions, metric labels, notices):
    every markdown, LaTeX and directive character is backslash-escaped and line breaks become spaces, so
    a name like `[x](https://...)` or `![x](...)` shows as typed and never becomes a link or an image.
    Escapes cannot stop GitHub-style autolinks (a bare `https://...`, `www.` or e-mail address is linked
    after unescaping), so an invisible word joiner (U+2060) is put inside each of those."""
    text = " ".join(str(value).splitlines())
    text = _AUTOLINK.sub(lambda m: m.group(0)[:-1] + WORD_JOINER + m.group(0)[-1], text)
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def code_text(value: Any) -> str:
    """Data inside `inline code` (shown literally by markdown), without a backtick that could end it."""
    return " ".join(str(value).splitlines()).replace("`", "'")


def vnd(value: float | int | None) -> str:
    if value is None or pd.isna(value):
        return "–"
    value = float(value)
    for size, suffix in ((1e12, " trillion"), (1e9, " bn"), (1e6, " m")):
        if abs(value) >= size:
            return f"{value / size:,.2f}{suffix} VND"
    return f"{value:,.0f} VND"


def count(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{int(value):,}"


def share(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.1%}"


def bar(frame: pd.DataFrame, x: str, y: str, *, color: str | None = None, title: str = "",
        horizontal: bool = False, sort: str | list | None = "-y") -> None:
    enc_x = alt.X(x, sort=sort if not horizontal else None, title=None)
    enc_y = alt.Y(y, title=None)
    if horizontal:
        enc_x, enc_y = alt.X(y, title=None), alt.Y(x, sort="-x", title=None)
    chart = alt.Chart(frame, title=title).mark_bar().encode(x=enc_x, y=enc_y, tooltip=list(frame.columns))
    if color:
        chart = chart.encode(color=alt.Color(color, title=None))
    st.altair_chart(chart, width="stretch")


def line(frame: pd.DataFrame, x: str, y: str, *, color: str | None = None, title: str = "") -> None:
    chart = alt.Chart(frame, title=title).mark_line(point=True).encode(
        x=alt.X(x, title=None), y=alt.Y(y, title=None), tooltip=list(frame.columns))
    if color:
        chart = chart.encode(color=alt.Color(color, title=None))
    st.altair_chart(chart, width="stretch")


def table(frame: pd.DataFrame, **kwargs) -> None:
    st.dataframe(frame, hide_index=True, width="stretch", **kwargs)


def empty_notice(frame: pd.DataFrame, what: str) -> bool:
    if frame.empty:
        st.info(f"No {what} for these filters.")
        return True
    return False
