"""Điểm nghẽn: what stands between each milestone and its target, who must act and by when.

Per milestone not reached: the shortfall, the ranked blocking list (``Snapshot.blockers``, rule in
``milestones.blockers``) and its map (blocking parcels highlighted and numbered, ``mapview.blockers``, in
the sandboxed frame); the overdue actions per body (``milestones.clocks.overdue_by_body``); for a road
project, the chainage strip (``milestones.chainage_strip``, drawn by ``dashboard.charts``). Tables come
from ``dashboard.tables``; this page only lays them out.
"""
from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import state
from dashboard.charts import strip_chart
from dashboard.tables import blocking_list, blocking_summary_table, overdue_tables, strip_summary
from mapview.sandbox import sandboxed_document
from vocab.format import fmt_date

TITLE = "Điểm nghẽn"
ICON = "🚧"
ORDER = 15

MAP_HEIGHT_PX = 560
MILESTONE_KEY = "blockers_milestone"
STRIP_PROJECT_KEY = "blockers_strip_project"
STRIP_SEGMENT_KEY = "blockers_strip_segment_m"

RULE_TEXT = (
    "Điểm nghẽn của một mốc: các thửa (hộ, trụ sở) chưa hoàn thành, xếp theo mức sẵn sàng của giai đoạn "
    "(đã chi trả trước, rồi đã phê duyệt, niêm yết, kiểm đếm, thông báo, chưa bắt đầu), rồi theo số ngày dự kiến "
    "đến khi bàn giao (thời hạn luật định và thời gian thực tế của dự án; vướng mắc làm chậm thêm); danh sách là "
    "phần đầu ngắn nhất của thứ tự đó đủ bù phần còn thiếu. Một thửa “có rủi ro tiến độ” khi nằm trong điểm nghẽn "
    "của một mốc có nguy cơ chậm, chậm hoặc không đạt, hoặc bị ách tắc, vướng mắc. Dự án có kế hoạch thủ tục "
    "(trang danh sách bước của bảng hộ × bước): cơ quan thực hiện là cơ quan chủ trì bước kế tiếp, kèm ngày theo kế "
    "hoạch và số ngày chậm; thửa đã quá ngày kế hoạch của bước kế tiếp được tính thêm số ngày chậm đó."
)


@st.cache_data(show_spinner="Đang vẽ bản đồ điểm nghẽn…", max_entries=32)
def _map_html(as_of_date: date, milestone_id: str, url: str | None, version: tuple) -> str:
    from mapview import standalone_html
    from mapview.blockers import blockers_map

    return standalone_html(blockers_map(state.snapshot(as_of_date), state.reader(), milestone_id))


def _show_map(day: date, milestone_id: str) -> None:
    html = sandboxed_document(_map_html(day, milestone_id, state.database_url(), state.data_version_key()),
                              title="Bản đồ điểm nghẽn")
    if hasattr(st, "iframe"):
        st.iframe(html, height=MAP_HEIGHT_PX)
    else:
        import streamlit.components.v1 as components

        components.html(html, height=MAP_HEIGHT_PX)


def _milestone_blockers(snap, names: dict[str, str], chosen: tuple[str, ...], day: date) -> None:
    summary = snap.blocking_summary
    if chosen and not summary.empty:
        summary = summary[summary["project_id"].isin(chosen)]
    if summary.empty:
        st.success("Mọi mốc của các dự án đang chọn đã đạt chỉ tiêu: không có điểm nghẽn.")
        return
    table = blocking_summary_table(summary, snap.milestones, names)
    ids = table.pop("milestone_id").tolist()
    st.dataframe(table, hide_index=True, width="stretch")
    labels = dict(zip(ids, [f"{p} – {m}" for p, m in zip(table["Dự án"], table["Mốc"])]))
    milestone_id = st.selectbox("Mốc cần xem điểm nghẽn", ids, format_func=labels.get, key=MILESTONE_KEY)
    row = table.iloc[ids.index(milestone_id)]
    st.markdown(f"**Còn thiếu: {row['Còn thiếu']}** · {row['Số đơn vị điểm nghẽn']} đơn vị cần hoàn thành trước "
                f"({row['Diện tích điểm nghẽn']}) · trạng thái: {row['Trạng thái']}")
    ranked = blocking_list(snap.blockers, milestone_id)
    st.dataframe(ranked, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(ranked)))
    st.caption("Bản đồ: các thửa điểm nghẽn viền đỏ, đánh số theo thứ tự ưu tiên ở bảng trên.")
    _show_map(day, milestone_id)


def _overdue(snap) -> None:
    counts, actions = overdue_tables(snap.clocks)
    if counts.empty:
        st.success("Không có việc quá hạn theo thời hạn luật định.")
        return
    st.dataframe(counts, hide_index=True, width="stretch")
    with st.expander(f"Chi tiết {len(actions)} việc quá hạn"):
        st.dataframe(actions, hide_index=True, width="stretch")


def _strip(snap, names: dict[str, str], chosen: tuple[str, ...]) -> None:
    from milestones.chainage_strip import chainage_strip

    p = snap.projects
    roads = p[(p["kind"] == "road") & p["section_to_m"].notna()] if {"kind", "section_to_m"} <= set(p) else p.iloc[:0]
    if chosen:
        roads = roads[roads["project_id"].isin(chosen)]
    if roads.empty:
        st.info("Không có dự án đường giao thông nào trong các dự án đang chọn.")
        return
    ids = roads["project_id"].tolist()
    left, right = st.columns([3, 1])
    pid = left.selectbox("Dự án", ids, format_func=lambda x: names.get(x, x), key=STRIP_PROJECT_KEY)
    segment_m = right.selectbox("Độ dài đoạn", [100, 200, 500], format_func=lambda m: f"{m} m", key=STRIP_SEGMENT_KEY)
    try:
        strip = chainage_strip(snap, pid, segment_m=float(segment_m))
    except ValueError as exc:
        st.warning(str(exc))
        return
    st.markdown(f"**{strip_summary(strip)}**")
    st.altair_chart(strip_chart(strip), width="content")
    st.caption("Mỗi ô là một đoạn tuyến, màu theo tỷ lệ diện tích đã bàn giao (đỏ 0% → xanh 100%; xám: không có "
               "diện tích thu hồi); tam giác đỏ: số thửa điểm nghẽn của mốc diện tích hiện hành; hàng trên: địa bàn "
               "xã, phường dọc tuyến.")


def render() -> None:
    """Draw the blockers page at ``state.as_of()`` for the sidebar's projects."""
    day = state.as_of()
    st.title("Điểm nghẽn tiến độ GPMB")
    st.caption(f"Tính đến ngày **{fmt_date(day)}** · {RULE_TEXT}")
    snap = state.snapshot(day)
    names = state.project_names(snap)
    chosen = state.filters().project_ids

    st.subheader("Điểm nghẽn theo mốc chưa đạt")
    _milestone_blockers(snap, names, chosen, day)

    st.subheader("Việc quá hạn theo cơ quan")
    _overdue(snap)

    st.subheader("Sơ đồ lý trình (dự án đường)")
    _strip(snap, names, chosen)
