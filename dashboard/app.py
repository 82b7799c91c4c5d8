"""Timo Bank risk and compliance dashboard: `make dashboard` (or `streamlit run dashboard/app.py`).

Reads only the marts, on the warehouse chosen by TIMO_TARGET (see dashboard/warehouse.py)."""

from pathlib import Path

import streamlit as st

from dashboard import ui

HERE = Path(__file__).parent

st.set_page_config(page_title="Timo Bank risk & compliance", page_icon=":bank:", layout="wide")


def page(name: str, title: str, icon: str, **kwargs) -> st.Page:
    return st.Page(HERE / "views" / f"{name}.py", title=title, icon=icon, url_path=name, **kwargs)


navigation = st.navigation({
    "Analytics": [
        page("overview", "Overview", ":material/dashboard:", default=True),
        page("transactions", "Transactions", ":material/receipt_long:"),
        page("security", "Security & risk", ":material/shield:"),
        page("behaviour", "Customer behaviour", ":material/groups:"),
        page("explore", "Explore", ":material/search:"),
    ],
    "Views": [
        page("customer", "Customer view", ":material/person:"),
        page("bank", "Bank view", ":material/account_balance:"),
        page("fraud_queue", "Fraud queue", ":material/report:"),
        page("backtest", "Rule backtests", ":material/tune:"),
        page("compliance", "Compliance", ":material/gavel:"),
    ],
    "Data": [
        page("data_quality", "Data quality", ":material/rule:"),
        page("benford", "Benford", ":material/functions:"),
    ],
})
st.sidebar.caption(f"Warehouse: {ui.config().describe()}")
ui.sidebar_filters()
navigation.run()
