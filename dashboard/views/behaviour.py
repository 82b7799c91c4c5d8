"""Customer behaviour: segments and the most active customers."""

import streamlit as st

from dashboard import ui

st.title("Customer behaviour")
f = ui.filters()
where, params = f.where(ui.TXN_COLUMNS)
st.caption(f.describe(ui.TXN_COLUMNS))

segments = ui.run(f"""
    select customer_type as segment, count(distinct customer_id) as customers, count(*) as transactions,
           sum(amount_vnd) / 1e6 as amount_million_vnd, avg(amount_vnd) as average_amount_vnd,
           avg(case when is_compliant then 1.0 else 0.0 end) as compliant_share
    from marts.fct_transactions where {where}
    group by customer_type order by customer_type
""", params)
if ui.empty_notice(segments, "transactions"):
    st.stop()
left, right = st.columns(2)
with left:
    ui.bar(segments, "segment:N", "transactions:Q", title="Transactions by segment")
with right:
    ui.bar(segments, "segment:N", "average_amount_vnd:Q", title="Average amount by segment (VND)")
ui.table(segments, column_config={"compliant_share": st.column_config.NumberColumn(format="percent")})

channels = ui.run(f"""
    select customer_type as segment, channel, count(*) as transactions
    from marts.fct_transactions where {where}
    group by customer_type, channel
""", params)
ui.bar(channels, "segment:N", "transactions:Q", color="channel:N", title="Channel by segment")

limit = st.slider("Top customers to show", 5, 50, 10, key="top_n")
top = ui.run(f"""
    with ranked as (
        select customer_id, count(*) as transactions, sum(amount_vnd) as amount_vnd
        from marts.fct_transactions where {where}
        group by customer_id
    )
    select r.customer_id, c.full_name, c.customer_type, c.province_name, r.transactions, r.amount_vnd,
           c.alert_count
    from ranked as r
    inner join marts.mart_customer_overview as c on c.customer_id = r.customer_id
    order by r.amount_vnd desc, r.customer_id
    limit %(top_n)s
""", {**params, "top_n": int(limit)})
st.subheader(f"Top {limit} customers by amount")
ui.table(top)
