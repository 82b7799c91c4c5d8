"""Benford: first digits of transaction amounts against Benford's law, per segment and month."""

import altair as alt
import streamlit as st

from dashboard import ui

st.title("Benford's law")
conformity = ui.run("""
    select customer_segment, month_start, amount_count, mean_absolute_deviation, conformity_band
    from marts.rpt_benford_conformity order by month_start, customer_segment
""")
if ui.empty_notice(conformity, "amounts"):
    st.stop()
segments = conformity["customer_segment"].unique().tolist()
months = sorted(conformity["month_start"].dt.date.unique())
c1, c2 = st.columns(2)
segment = c1.selectbox("Segment", segments, key="benford_segment")
month = c2.selectbox("Month", months, index=len(months) - 1, format_func=lambda m: f"{m:%B %Y}",
                     key="benford_month")
digits = ui.run("""
    select first_digit, observed_share, expected_share, observed_count
    from marts.rpt_benford_first_digits
    where customer_segment = %(segment)s and month_start = %(month)s
    order by first_digit
""", {"segment": segment, "month": month})
row = conformity[(conformity["customer_segment"] == segment) & (conformity["month_start"].dt.date == month)].iloc[0]
cols = st.columns(3)
cols[0].metric("Amounts", ui.count(row["amount_count"]))
cols[1].metric("Mean absolute deviation", f"{row['mean_absolute_deviation']:.4f}")
cols[2].metric("Nigrini band", row["conformity_band"])
bars = alt.Chart(digits).mark_bar(opacity=0.7).encode(
    x=alt.X("first_digit:O", title="first digit"), y=alt.Y("observed_share:Q", title="share"),
    tooltip=["first_digit", "observed_count", "observed_share", "expected_share"])
expected = alt.Chart(digits).mark_line(point=True, color="#d62728").encode(x="first_digit:O", y="expected_share:Q")
st.altair_chart((bars + expected).properties(title="Observed (bars) and Benford-expected (line) shares"),
                width="stretch")
st.subheader("Conformity by segment and month")
ui.table(conformity)
