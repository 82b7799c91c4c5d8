"""Transactions: mix by type and status, the initiated → authenticated → completed funnel, the SBV
security classes and when customers transact."""

import altair as alt
import streamlit as st

from dashboard import ui

st.title("Transactions")
f = ui.filters()
where, params = f.where(ui.TXN_COLUMNS)
st.caption(f.describe(ui.TXN_COLUMNS))

by_type = ui.run(f"""
    select transaction_type, count(*) as transactions, sum(amount_vnd) / 1e6 as amount_million_vnd
    from marts.fct_transactions where {where}
    group by transaction_type order by transactions desc
""", params)
if ui.empty_notice(by_type, "transactions"):
    st.stop()

left, right = st.columns(2)
with left:
    ui.bar(by_type, "transaction_type:N", "transactions:Q", title="Transactions by type", horizontal=True)
with right:
    by_status = ui.run(f"""
        select transaction_status, count(*) as transactions, sum(amount_vnd) / 1e6 as amount_million_vnd
        from marts.fct_transactions where {where}
        group by transaction_status order by transactions desc
    """, params)
    ui.bar(by_status, "transaction_status:N", "transactions:Q", title="Transactions by status")

funnel = ui.run(f"""
    select 1 as step_order, 'initiated' as step, count(*) as transactions
    from marts.fct_transactions where {where}
    union all
    select 2, 'authenticated', count(*) from marts.fct_transactions where {where} and achieved_level is not null
    union all
    select 3, 'completed', count(*) from marts.fct_transactions where {where} and transaction_status = 'completed'
    order by step_order
""", params)
funnel["share_of_initiated"] = funnel["transactions"] / max(int(funnel["transactions"].iloc[0]), 1)
left, right = st.columns(2)
with left:
    ui.bar(funnel, "step:N", "transactions:Q", title="Funnel: initiated → authenticated → completed",
           sort=["initiated", "authenticated", "completed"])
    st.dataframe(funnel[["step", "transactions", "share_of_initiated"]], hide_index=True,
                 column_config={"share_of_initiated": st.column_config.NumberColumn(format="percent")})
with right:
    classes = ui.run(f"""
        select required_level as security_class, count(*) as transactions,
               sum(amount_vnd) / 1e6 as amount_million_vnd,
               sum(case when is_compliant then 0 else 1 end) as below_required_level
        from marts.fct_transactions where {where}
        group by required_level order by required_level
    """, params)
    ui.bar(classes, "security_class:N", "transactions:Q", title="Transactions by SBV security class",
           sort=ui.LEVELS)
    ui.table(classes)

heat = ui.run(f"""
    select transaction_day_of_week as day_of_week, transaction_hour as hour, count(*) as transactions
    from marts.fct_transactions where {where}
    group by transaction_day_of_week, transaction_hour
""", params)
heat["day"] = heat["day_of_week"].map(lambda d: ui.DAY_NAMES[(int(d) + 6) % 7])  # 0 = Sunday
chart = alt.Chart(heat, title="When customers transact (day of week × hour)").mark_rect().encode(
    x=alt.X("hour:O", title="hour"), y=alt.Y("day:O", sort=ui.DAY_NAMES, title=None),
    color=alt.Color("transactions:Q", scale=alt.Scale(scheme="blues")), tooltip=["day", "hour", "transactions"])
st.altair_chart(chart, width="stretch")
