"""Tổng quan: a card per project, the milestone table and the planned-vs-actual S-curve at the as-of date.

Figures come from ``state.snapshot()`` (``milestones.snapshot.compute_snapshot``); this page only
selects and formats them.
"""
from __future__ import annotations

import copy
import functools

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.people_view import cards as people_cards
from dashboard.tables import (
    filters_note,
    league_rows,
    milestone_badges,
    milestone_table,
    project_card,
    projects_in_communes,
    report_calendar_text,
    rollup_view,
    status_css,
)
from vocab.format import fmt_date, fmt_pct
from vocab.labels import status_label

TITLE = "Tổng quan"
ICON = "📊"
ORDER = 10

CARDS_PER_ROW = 3

_CARD_CSS = """
<style>
.gpmb-figs { display: flex; gap: 14px; flex-wrap: wrap; margin: 4px 0 6px 0; }
.gpmb-figs .lbl { font-size: 0.8rem; color: #616161; }
.gpmb-figs .val { font-size: 1.35rem; font-weight: 600; white-space: nowrap; }
.gpmb-hh { width: 100%; font-size: 0.82rem; border-collapse: collapse; margin-top: 2px; }
.gpmb-hh td { padding: 1px 4px; border: 0; }
.gpmb-hh td.n { text-align: right; font-weight: 600; }
.gpmb-sw { display: inline-block; width: 10px; height: 10px; margin-right: 5px; border: 1px solid #607d8b; }
</style>
"""


def _card_html(card: dict) -> str:
    figs = (
        "<div class='gpmb-figs'>"
        f"<div><div class='lbl'>Cần thu hồi</div><div class='val'>{card['to_recover']}</div></div>"
        f"<div><div class='lbl'>Đã bàn giao</div><div class='val'>{card['handed_over']}</div></div>"
        f"<div><div class='lbl'>Tỷ lệ</div><div class='val'>{card['percent']}</div></div>"
        "</div>"
    )
    return figs


def _households_html(card: dict) -> str:
    rows = "".join(
        f"<tr><td><span class='gpmb-sw' style='background:{colour}'></span>{label}</td><td class='n'>{n}</td></tr>"
        for label, n, colour in card["households"]
    )
    return (f"<div style='font-size:0.82rem;color:#616161'>Số hộ theo giai đoạn (tổng {card['households_total']})"
            f"</div><table class='gpmb-hh'>{rows}</table>")


def _badges_html(badges: list[tuple[str, str]]) -> str:
    return "".join(
        f"<div style='{status_css(code)};display:inline-block;border-radius:4px;padding:1px 7px;margin:2px 0;"
        f"font-size:0.82rem'>{text}</div><br>" for text, code in badges
    )


def _cards(projects: pd.DataFrame, names: dict[str, str], milestones: pd.DataFrame, day) -> None:
    st.markdown(_CARD_CSS, unsafe_allow_html=True)
    rows = list(projects.iterrows())
    for start in range(0, len(rows), CARDS_PER_ROW):
        cols = st.columns(CARDS_PER_ROW)
        for col, (_, row) in zip(cols, rows[start:start + CARDS_PER_ROW]):
            card = project_card(row)
            with col.container(border=True):
                st.markdown(f"**{names.get(row['project_id'], row['project_id'])}**")
                st.caption(str(row.get("name", "")))
                st.markdown(_card_html(card), unsafe_allow_html=True)
                badges = milestone_badges(milestones, row["project_id"], day)
                if badges:
                    st.markdown(_badges_html(badges), unsafe_allow_html=True)
                st.progress(card["progress"], text=f"Còn {card['remaining']} chưa bàn giao")
                if card["households"]:
                    st.markdown(_households_html(card), unsafe_allow_html=True)


def _milestones(milestones: pd.DataFrame, names: dict[str, str]) -> None:
    if milestones.empty:
        st.info("Chưa có mốc tiến độ nào (data/sources/milestones.csv).")
        return
    table = milestone_table(milestones, names)
    codes = table.pop("status")
    styled = table.style.apply(lambda _: [status_css(c) for c in codes], subset=["Trạng thái"])
    st.table(styled.hide(axis="index"))
    st.caption(
        "Đạt / Không đạt: đã qua hạn (hoặc đã đạt chỉ tiêu); “Đạt muộn ngày …”: đạt chỉ tiêu sau hạn. Tại hạn: "
        "giá trị vào ngày đến hạn; Hiện nay: giá trị tại ngày số liệu. Đúng tiến độ: dự báo đạt trước hạn theo tốc "
        "độ gần đây. Có nguy cơ chậm: dự báo trễ hạn nhưng tốc độ cần không quá cao. Chậm tiến độ: tốc độ cần vượt "
        "xa tốc độ gần đây hoặc chưa có tiến triển. Dự báo là khoảng ngày theo tốc độ 30, 60 và 90 ngày gần nhất."
    )


def _s_curve_frames(curve: pd.DataFrame, targets: pd.DataFrame, as_of_value
                    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """The data of the S-curve chart's three layers: lines (planned, actual), as-of rule, milestones."""
    data = curve.melt(id_vars=["date"], value_vars=["planned_percent", "actual_percent"],
                      var_name="series", value_name="percent").dropna(subset=["percent"])
    data["Đường"] = data["series"].map({"planned_percent": "Kế hoạch", "actual_percent": "Thực hiện"})
    data["Ngày"] = pd.to_datetime(data["date"])
    data["Ngày (dd/mm/yyyy)"] = [fmt_date(d) for d in data["Ngày"]]
    data["%"] = [fmt_pct(v) for v in data["percent"]]
    rule = pd.DataFrame({"Ngày": [pd.Timestamp(as_of_value)], "t": [f"Ngày số liệu {fmt_date(as_of_value)}"]})
    if targets.empty:
        return data, rule, None
    t = pd.DataFrame({
        "Ngày": pd.to_datetime(targets["due_date"], dayfirst=True, errors="coerce"),
        "percent": targets["target_percent"].astype(float),
        "Mốc": targets["label"].astype(str),
        "Hạn": [fmt_date(d) for d in targets["due_date"]],
        "Trạng thái": [status_label(v) for v in targets["status"]],
    }).dropna(subset=["Ngày"])
    return data, rule, t


def _s_curve_chart(curve: pd.DataFrame, targets: pd.DataFrame, as_of_value) -> alt.LayerChart:
    """Planned (dashed grey) vs actual (green) % of area handed over for one project, the as-of date (red
    rule) and the project's area milestones (diamonds at due date × target)."""
    data, rule_data, t = _s_curve_frames(curve, targets, as_of_value)
    x = alt.X("Ngày:T", axis=alt.Axis(format="%d/%m/%Y", title=None, labelAngle=-30, tickCount=8))
    lines = alt.Chart(data).mark_line(strokeWidth=2.5).encode(
        x=x,
        y=alt.Y("percent:Q", title="% diện tích đã bàn giao", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("Đường:N", scale=alt.Scale(domain=["Kế hoạch", "Thực hiện"], range=["#9e9e9e", "#2e7d32"]),
                        legend=alt.Legend(orient="top", title=None)),
        strokeDash=alt.StrokeDash("Đường:N", scale=alt.Scale(domain=["Kế hoạch", "Thực hiện"],
                                                              range=[[6, 4], [1, 0]]), legend=None),
        tooltip=["Đường:N", "Ngày (dd/mm/yyyy):N", "%:N"],
    )
    rule = alt.Chart(rule_data).mark_rule(color="#b71c1c", strokeDash=[2, 2]).encode(
        x="Ngày:T", tooltip=alt.Tooltip("t:N", title=" "))
    layers = [lines, rule]
    if t is not None:
        layers.append(alt.Chart(t).mark_point(shape="diamond", size=120, filled=True, color="#1a237e").encode(
            x="Ngày:T", y="percent:Q", tooltip=["Mốc:N", "Hạn:N", "Trạng thái:N"]))
    return alt.layer(*layers).properties(height=320)


_SAMPLE_CURVE = pd.DataFrame({"date": [pd.Timestamp("2024-01-01")], "planned_percent": [0.0], "actual_percent": [0.0]})
_SAMPLE_TARGETS = pd.DataFrame({"due_date": [pd.Timestamp("2024-06-30").date()], "target_percent": [1.0],
                                "label": ["-"], "status": ["met"]})


@functools.lru_cache(maxsize=2)
def _s_curve_template(with_targets: bool) -> dict:
    """The S-curve's Vega-Lite spec without data: :func:`_s_curve_chart` built once on sample data and
    validated by Altair; :func:`_s_curve_spec` puts each layer's values in its ``data``."""
    spec = _s_curve_chart(_SAMPLE_CURVE, _SAMPLE_TARGETS if with_targets else _SAMPLE_TARGETS.iloc[:0],
                          pd.Timestamp("2024-01-01").date()).to_dict()
    spec.pop("datasets", None)
    for layer in spec["layer"]:
        layer.pop("data", None)
    return spec


def _iso(values) -> list[str]:
    """Timestamps as Altair writes them into a spec (``2024-06-30T00:00:00``)."""
    return list(np.datetime_as_string(np.asarray(values, dtype="datetime64[s]"), unit="s"))


def _s_curve_rows(curve: pd.DataFrame, targets: pd.DataFrame, as_of_value) -> list[list[dict]]:
    """The rows of :func:`_s_curve_frames` as Altair serialises them (ISO timestamps), built with plain
    lists: the same data in ~1 ms instead of ~50 ms of pandas reshaping per chart."""
    dates = curve["date"].to_numpy(dtype="datetime64[ns]")
    iso = _iso(dates)
    dmy = list(pd.DatetimeIndex(dates).strftime("%d/%m/%Y"))
    lines = []
    for column, label in (("planned_percent", "Kế hoạch"), ("actual_percent", "Thực hiện")):
        for when, day, value in zip(iso, dmy, curve[column].to_numpy(dtype=float).tolist()):
            if value == value:      # not NaN
                lines.append({"date": when, "series": column, "percent": value, "Đường": label, "Ngày": when,
                              "Ngày (dd/mm/yyyy)": day, "%": fmt_pct(value)})
    rule = [{"Ngày": _iso([pd.Timestamp(as_of_value)])[0], "t": f"Ngày số liệu {fmt_date(as_of_value)}"}]
    if targets.empty:
        return [lines, rule]
    due = pd.to_datetime(targets["due_date"], dayfirst=True, errors="coerce")
    rows = []
    for when, raw, target, label, status in zip(due, targets["due_date"], targets["target_percent"].astype(float),
                                                targets["label"].astype(str), targets["status"]):
        if not pd.isna(when):
            rows.append({"Ngày": _iso([when])[0], "percent": float(target), "Mốc": label, "Hạn": fmt_date(raw),
                         "Trạng thái": status_label(status)})
    return [lines, rule, rows]


def _s_curve_spec(curve: pd.DataFrame, targets: pd.DataFrame, as_of_value) -> dict:
    """Vega-Lite spec of :func:`_s_curve_chart` (same layers, same data) without rebuilding the chart:
    Altair's construction and schema validation cost ~0.1 s per chart and per as-of date, so the
    validated template (:func:`_s_curve_template`) is filled with this date's rows instead
    (``tests/dashboard/test_s_curve_spec.py`` checks it equals Altair's spec)."""
    rows = _s_curve_rows(curve, targets, as_of_value)
    spec = copy.deepcopy(_s_curve_template(len(rows) == 3))    # Streamlit may edit the spec it is given
    # Inline values in each layer: Streamlit sends them as JSON, whereas named datasets are converted
    # to Arrow tables first (~25 ms per chart).
    spec["layer"] = [{**layer, "data": {"values": values}} for layer, values in zip(spec["layer"], rows)]
    return spec


def _s_curves(curve: pd.DataFrame, milestones: pd.DataFrame, names: dict[str, str], as_of_value) -> None:
    if curve.empty:
        st.info("Chưa có dữ liệu đường cong tiến độ.")
        return
    project_ids = [p for p in names if p in set(curve["project_id"])]
    tabs = st.tabs([names[p] for p in project_ids])
    for tab, pid in zip(tabs, project_ids):
        targets = milestones[(milestones["project_id"] == pid)
                             & (milestones["metric"] == "percent_area_handed_over")]
        if "scope" in targets:
            targets = targets[targets["scope"].fillna("project") == "project"]
        with tab:
            columns = [c for c in ("due_date", "target_percent", "label", "status") if c in targets]
            spec = _s_curve_spec(curve[curve["project_id"] == pid][["date", "planned_percent", "actual_percent"]],
                                 targets[columns], as_of_value)
            st.vega_lite_chart(spec=spec, width="stretch")
    st.caption("Đường nét đứt: kế hoạch (nội suy tuyến tính từ ngày bắt đầu GPMB qua các mốc); đường liền: thực "
               "hiện theo sổ theo dõi; hình thoi: mốc tiến độ; vạch đỏ: ngày số liệu.")


LEAGUE_UNIT_KEY = "overview_league_unit"
_LEAGUE_UNITS = {"commune": "Xã, phường mới (từ 1/7/2025)", "former": "Xã, phường cũ (trước 1/7/2025)"}


def _league(names: dict[str, str], chosen: tuple[str, ...], communes: tuple[str, ...]) -> None:
    unit = st.radio("Đơn vị hành chính", list(_LEAGUE_UNITS), format_func=_LEAGUE_UNITS.get, horizontal=True,
                    key=LEAGUE_UNIT_KEY)
    table, stale = league_rows(state.league(unit), project_ids=chosen, communes=communes if unit == "commune" else (),
                               project_names=names)
    if table.empty:
        st.info("Không có xã, phường nào khớp bộ lọc đang chọn.")
        return
    if stale:
        st.warning(f"{stale} xã, phường chưa gửi số liệu kiểm đếm mới (cột Cảnh báo).")
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption("Xếp theo diện tích còn thiếu so với mốc diện tích tiếp theo của dự án (lớn nhất trước). "
               "“Người đứng đầu … chịu trách nhiệm về kết quả công tác GPMB của địa phương”.")


def _rollup(snap) -> None:
    """The province roll-up, for an account that sees more than one unit (a province-level account)."""
    units = state.visible_units()
    if units is None or len(units) <= 1:
        return
    st.subheader("Tổng hợp toàn tỉnh theo đơn vị")
    st.dataframe(rollup_view(snap, units), hide_index=True, width="stretch")
    st.caption("Mỗi đơn vị: tổng các dự án của đơn vị (không theo bộ lọc dự án, xã); tỷ lệ = diện tích đã bàn giao "
               "÷ diện tích cần thu hồi; mốc có nguy cơ gồm mốc có nguy cơ, chậm và đã lỡ.")


def render() -> None:
    """Draw the overview page at ``state.as_of()`` with the sidebar's project and commune filters."""
    day = state.as_of()
    st.title("Tổng quan tiến độ GPMB")
    st.caption(f"Số liệu tính đến ngày **{fmt_date(day)}** · tỷ lệ GPMB = diện tích đã bàn giao mặt bằng "
               "÷ diện tích cần thu hồi")
    snap = state.snapshot(day)
    names = state.project_names(snap)
    the_filters = state.filters()
    chosen, communes = the_filters.project_ids, the_filters.communes
    st.info(report_calendar_text(day, snap.rules), icon="🗓️")
    note = filters_note(the_filters)
    if note:
        st.caption(f"Bộ lọc đang áp dụng — {note}.")
    projects = snap.projects
    milestones = snap.milestones
    curve = snap.s_curve
    if chosen:
        projects = projects[projects["project_id"].isin(chosen)]
        milestones = milestones[milestones["project_id"].isin(chosen)]
        curve = curve[curve["project_id"].isin(chosen)]

    _rollup(snap)

    st.subheader("Tiến độ theo dự án" + (" (trên các xã, phường đã chọn)" if communes else ""))
    _cards(projects_in_communes(projects, snap.parcels, communes), names, milestones, day)

    st.subheader("Hộ dân, đơn thư, tái định cư")
    people_cards(state.people(day).for_projects(chosen),
                 ("households_paid", "households_to_pay", "open_complaints", "lots_allocated"))

    st.subheader("Các mốc tiến độ")
    _milestones(milestones, names)

    st.subheader("Tiến độ theo xã, phường")
    _league(names, chosen, communes)

    st.subheader("Kế hoạch và thực hiện (đường cong S)")
    _s_curves(curve, milestones, names, day)
