"""Tổng quan: a card per project, the milestone table and the planned-vs-actual S-curve at the as-of date.

Figures come from ``state.snapshot()`` (``milestones.snapshot.compute_snapshot``); this page only
selects and formats them.
"""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.format import fmt_date
from dashboard.tables import commune_table, milestone_table, project_card, status_css

TITLE = "Tổng quan"
ICON = "📊"
ORDER = 10

CARDS_PER_ROW = 3


def _cards(projects: pd.DataFrame, names: dict[str, str]) -> None:
    rows = list(projects.iterrows())
    for start in range(0, len(rows), CARDS_PER_ROW):
        cols = st.columns(CARDS_PER_ROW)
        for col, (_, row) in zip(cols, rows[start:start + CARDS_PER_ROW]):
            card = project_card(row)
            with col.container(border=True):
                st.markdown(f"**{names.get(row['project_id'], row['project_id'])}**")
                st.caption(str(row.get("name", "")))
                a, b = st.columns(2)
                a.metric("Diện tích cần thu hồi", card["to_recover"])
                b.metric("Đã bàn giao", card["handed_over"])
                st.progress(card["progress"], text=f"Đã bàn giao {card['percent']} diện tích · còn {card['remaining']}")
                if card["households"]:
                    lines = " · ".join(f"{label}: **{n}**" for label, n in card["households"])
                    st.markdown(f"<small>Số hộ ({card['households_total']}) theo giai đoạn — {lines}</small>",
                                unsafe_allow_html=True)


def _milestones(milestones: pd.DataFrame, names: dict[str, str]) -> None:
    if milestones.empty:
        st.info("Chưa có mốc tiến độ nào (data/sources/milestones.csv).")
        return
    table = milestone_table(milestones, names)
    codes = table.pop("status")
    styled = table.style.apply(lambda _: [status_css(c) for c in codes], subset=["Trạng thái"])
    st.dataframe(styled, hide_index=True, width="stretch")
    st.caption(
        "Đạt / Không đạt: đã qua hạn (hoặc đã đạt chỉ tiêu). Đúng tiến độ: dự báo đạt trước hạn theo tốc độ "
        "gần đây. Có nguy cơ chậm: dự báo trễ hạn nhưng tốc độ cần không quá cao. Chậm tiến độ: tốc độ cần vượt "
        "xa tốc độ gần đây hoặc chưa có tiến triển."
    )


def _s_curve(curve: pd.DataFrame, names: dict[str, str], as_of_label: str, as_of_value) -> None:
    if curve.empty:
        st.info("Chưa có dữ liệu đường cong tiến độ.")
        return
    data = curve.melt(id_vars=["project_id", "date"], value_vars=["planned_percent", "actual_percent"],
                      var_name="series", value_name="percent")
    data["Dự án"] = [names.get(p, p) for p in data["project_id"]]
    data["Đường"] = data["series"].map({"planned_percent": "Kế hoạch", "actual_percent": "Thực hiện"})
    data["Ngày"] = pd.to_datetime(data["date"])
    data["Ngày (dd/mm/yyyy)"] = [fmt_date(d) for d in data["Ngày"]]
    data = data.dropna(subset=["percent"])
    lines = alt.Chart(data).mark_line().encode(
        x=alt.X("Ngày:T", axis=alt.Axis(format="%d/%m/%Y", title=None, labelAngle=-30)),
        y=alt.Y("percent:Q", title="% diện tích đã bàn giao", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("Dự án:N", legend=alt.Legend(orient="bottom", title=None)),
        strokeDash=alt.StrokeDash("Đường:N", sort=["Thực hiện", "Kế hoạch"],
                                  legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["Dự án:N", "Đường:N", "Ngày (dd/mm/yyyy):N", alt.Tooltip("percent:Q", title="%", format=".1f")],
    )
    rule = alt.Chart(pd.DataFrame({"Ngày": [pd.Timestamp(as_of_value)], "t": [f"Ngày số liệu {as_of_label}"]})) \
        .mark_rule(color="#b71c1c", strokeDash=[2, 2]).encode(x="Ngày:T", tooltip=["t:N"])
    st.altair_chart((lines + rule).properties(height=360), width="stretch")


def render() -> None:
    """Draw the overview page at ``state.as_of()``."""
    day = state.as_of()
    st.title("Tổng quan tiến độ GPMB")
    st.caption(f"Số liệu tính đến ngày **{fmt_date(day)}** · tỷ lệ GPMB = diện tích đã bàn giao mặt bằng "
               "÷ diện tích cần thu hồi")
    snap = state.snapshot(day)
    names = state.project_names(snap)
    chosen = state.filters().project_ids
    projects = snap.projects
    milestones = snap.milestones
    curve = snap.s_curve
    if chosen:
        projects = projects[projects["project_id"].isin(chosen)]
        milestones = milestones[milestones["project_id"].isin(chosen)]
        curve = curve[curve["project_id"].isin(chosen)]

    st.subheader("Tiến độ theo dự án")
    _cards(projects, names)

    st.subheader("Các mốc tiến độ")
    _milestones(milestones, names)

    st.subheader("Kế hoạch và thực hiện (đường cong S)")
    _s_curve(curve, names, fmt_date(day), day)

    communes = snap.communes
    if communes is not None and not communes.empty:
        if chosen:
            communes = communes[communes["project_id"].isin(chosen)]
        commune_filter = state.filters().communes
        if commune_filter and "commune" in communes:
            communes = communes[communes["commune"].isin(commune_filter)]
        with st.expander("Tiến độ theo xã, phường"):
            st.dataframe(commune_table(communes, names), hide_index=True, width="stretch")
