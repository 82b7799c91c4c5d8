"""Backtest: what each rule's thresholds would have done on the history (`bankgen backtest`), as the
trade-off between the alerts a setting raises and the planted fraud events it finds."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import ui
from pipeline.backtest import backtest_dir, read_results

st.title("Rule backtests")
documents = read_results()
if not documents:
    st.info(f"No backtest yet in {backtest_dir()}. Run one, for example: "
            "`bankgen backtest --rule structuring --set structuring_min_count=2,3,4,5`.")
    st.stop()

rows = []
for document in documents:
    for result in document["results"]:
        rows.append({**{k: v for k, v in result.items() if k != "setting"},
                     "setting": ", ".join(f"{k}={v}" for k, v in result["setting"].items()),
                     "written_at": document["written_at"]})
frame = pd.DataFrame(rows)
rule = st.selectbox("Rule", sorted(frame["rule_code"].unique()), key="backtest_rule")
chosen = frame[frame["rule_code"] == rule].copy()
current = chosen[chosen["is_current"]]
c1, c2, c3 = st.columns(3)
c1.metric("Settings replayed", ui.count(len(chosen)))
c2.metric("Alerts now", ui.count(current["alerts"].iloc[0]) if len(current) else "–",
          help="The rule's alerts at the thresholds in dbt_project.yml")
c3.metric("Event recall now", ui.share(current["event_recall"].iloc[0]) if len(current) else "–")
st.caption(f"Replayed on {ui.plain(chosen['written_at'].iloc[0])}. Each point is one setting; the ringed one is "
           "the current setting. Recall and case precision come from the generator's labels, analysts' precision "
           "from the outcomes of closed cases (the case workflow).")

chosen["label"] = chosen["setting"] + chosen["is_current"].map({True: " (current)", False: ""})
base = alt.Chart(chosen).encode(
    x=alt.X("alerts:Q", title="alerts raised"), y=alt.Y("event_recall:Q", title="event recall",
                                                         axis=alt.Axis(format="%")),
    tooltip=["setting", "alerts", "cases", "event_recall", "case_precision", "analyst_precision",
             "cases_with_outcome"])
points = base.mark_line(point=True).encode(order="alerts:Q")
ring = base.transform_filter("datum.is_current").mark_point(size=300, shape="circle", filled=False)
labels = base.mark_text(align="left", dx=8, dy=-8).encode(text="label:N")
st.altair_chart((points + ring + labels).properties(title=f"{rule}: alerts against recall"), width="stretch")
ui.table(chosen[["setting", "is_current", "alerts", "cases", "event_recall", "case_precision", "analyst_precision",
                 "cases_with_outcome", "cases_per_1000_transactions", "seconds"]])
