"""Tái định cư: resettlement areas and lots, recorded draws, and the lottery (preview, commit, minutes).

The areas table gives each area's construction against its planned completion date at the as-of date («chậm N
ngày», :mod:`milestones.area_progress`) and the history of its construction percent (one row per recorded
version). An account that may record areas (``upload_counts`` for every commune: officer, admin) gets a form for a
new percent, recorded as a one-row ``areas`` import (:func:`ingest.area_update.record_area_progress`; the store
checks the role again and writes the audit row).

The lottery form is shown only to accounts whose role grants ``draw_lottery`` (the store checks it again
when recording). The draw is :mod:`milestones.resettlement` (eligible households of approved plans, lots
``available``); a preview writes nothing; the commit is refused when the lists changed since the preview
(its input hash) and, for an area already drawn, without a reason. The minutes are
:func:`exports.lottery_minutes.lottery_minutes_docx` (household codes; no names here).
"""
from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import state
from dashboard.auth import client_address, current_account
from dashboard.people_view import cards, figures_and_names, table
from domain import office_time
from domain.errors import GpmbError
from domain.roles import PERMISSIONS, allows
from exports.people_tables import (
    AREA_COLS,
    AREA_HISTORY_COLS,
    LOT_COLS,
    area_history_records,
    area_records,
    lot_records,
)
from vocab.escape import markdown_text
from vocab.format import fmt_date, is_missing

TITLE = "Tái định cư"
ICON = "🏘️"
ORDER = 74

AREA_KEY, SEED_KEY, REASON_KEY, PREVIEW_KEY = "lottery_area", "lottery_seed", "lottery_reason", "lottery_preview"
PROGRESS_AREA_KEY = "area_progress_area"


def _may_record_areas(account) -> bool:
    """Officer and admin: ``upload_counts`` for every commune (a commune officer's scope never covers an area)."""
    return account is not None and allows(account, "upload_counts") \
        and PERMISSIONS.get(account.role, {}).get("upload_counts") == "all"


def _progress_form(figures, account) -> None:
    from ingest.area_update import record_area_progress

    areas = figures.areas.set_index("area_id")
    area_id = st.selectbox("Khu tái định cư", list(areas.index), key=PROGRESS_AREA_KEY,
                           format_func=lambda a: f"{a} – {areas.loc[a, 'name']}")
    recorded = areas.loc[area_id, "construction_percent"]
    percent = st.number_input("Tiến độ xây dựng mới (%)", min_value=0.0, max_value=100.0, step=1.0,
                              value=0.0 if is_missing(recorded) else float(recorded), key=f"area_pct_{area_id}")
    done = st.checkbox("Đã hoàn thành xây dựng (ghi ngày hoàn thành thực tế, tiến độ 100%)", key=f"area_done_{area_id}")
    actual = st.date_input("Ngày hoàn thành thực tế", value=office_time.today(), format="DD/MM/YYYY", disabled=not done,
                           key=f"area_actual_{area_id}")
    if not st.button("Ghi tiến độ xây dựng", type="primary"):
        return
    try:
        result = record_area_progress(state.store(), area_id, construction_percent=percent,
                                      actual_completion_date=actual if done else None, actor=account,
                                      client_address=client_address())
    except GpmbError as exc:
        st.error(markdown_text(exc.message_vi))
        return
    show = {"committed": st.success, "nothing_new": st.info}.get(result.status, st.error)
    show(markdown_text(result.message_vi))
    for note in result.notes:
        st.warning(markdown_text(note))


def _minutes(inputs, result, day: date) -> bytes:
    from exports.lottery_minutes import MinutesInfo, lottery_minutes_docx

    names = state.project_names(state.snapshot(state.as_of()))
    info = MinutesInfo(governing_body="UBND TỈNH LẠNG SƠN", issuing_body="TRUNG TÂM PHÁT TRIỂN QUỸ ĐẤT",
                       document_number="…/BB-TTPTQĐ", place="Lạng Sơn", meeting_date=day,
                       project_name=names.get(inputs.project_id, inputs.project_id), area_name=str(inputs.area_name))
    return lottery_minutes_docx(result, info, eligible=inputs.eligible, lots=inputs.lots)


def _show_result(inputs, result, day: date, committed: int | None) -> None:
    st.markdown(f"**{result.households} hộ đủ điều kiện, {result.lots} lô** · mã kiểm tra đầu vào "
                f"`{result.inputs_sha256}` · hạt giống «{markdown_text(result.seed)}»")
    st.dataframe(result.assignments_frame().rename(columns={"household_id": "Mã hộ", "lot_id": "Mã lô",
                                                            "lot_class": "Loại lô"}), hide_index=True, width="stretch")
    st.caption(f"Mã kiểm tra kết quả: `{result.draw_sha256}`"
               + (f" · đã ghi lần bốc thăm số {committed}" if committed else " · XEM TRƯỚC, chưa ghi"))
    st.download_button("Tải biên bản bốc thăm (DOCX)", _minutes(inputs, result, day),
                       file_name=f"bien_ban_boc_tham_{inputs.area_id}.docx",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def _lottery(figures, account) -> None:
    from milestones.resettlement import commit_draw, preview_draw

    areas = figures.areas["area_id"].tolist()
    if not areas:
        st.info("Chưa có khu tái định cư nào.")
        return
    day = office_time.today()
    area_id = st.selectbox("Khu tái định cư", areas, key=AREA_KEY)
    seed = st.text_input("Hạt giống thống nhất tại buổi bốc thăm (ví dụ các số rút từ hòm phiếu)", key=SEED_KEY)
    reason = st.text_input("Lý do bốc thăm lại (bắt buộc khi khu đã có kết quả)", key=REASON_KEY)
    try:
        if st.button("Xem trước kết quả", disabled=not seed.strip()):
            inputs, result = preview_draw(state.store(), area_id, seed, day)
            st.session_state[PREVIEW_KEY] = (area_id, seed, result.inputs_sha256)
            _show_result(inputs, result, day, None)
        preview = st.session_state.get(PREVIEW_KEY)
        ready = preview is not None and preview[:2] == (area_id, seed)
        if st.button("Ghi kết quả bốc thăm", type="primary", disabled=not ready):
            inputs, result, draw_id = commit_draw(state.store(), area_id, seed, day, actor=account, reason=reason,
                                                  expected_inputs_sha256=preview[2], client_address=client_address())
            st.session_state.pop(PREVIEW_KEY, None)
            st.success(f"Đã ghi lần bốc thăm số {draw_id}.")
            _show_result(inputs, result, day, draw_id)
    except GpmbError as exc:
        st.error(markdown_text(exc.message_vi))


def render() -> None:
    """Draw the page at ``state.as_of()`` for the sidebar's projects."""
    day = state.as_of()
    st.title("Khu tái định cư, lô đất và bốc thăm")
    st.caption(f"Tính đến ngày **{fmt_date(day)}** · hộ được bốc thăm: phương án đã phê duyệt có tiêu chuẩn tái định "
               "cư (Luật Đất đai 2024, điều 111); lô: trạng thái «Sẵn sàng giao».")
    figures, names = figures_and_names(day)
    cards(figures, ("lots_total", "lots_allocated"))
    st.subheader("Khu tái định cư")
    table(area_records(figures, names), AREA_COLS, "Chưa có khu tái định cư nào.")
    st.caption("«Chậm N ngày»: chưa hoàn thành (ngày hoàn thành thực tế) mà đã quá ngày hoàn thành theo kế hoạch, "
               "tính đến ngày xem. Khu tái định cư cũng có trên bản đồ (lớp «Khu tái định cư»).")
    st.subheader("Lịch sử tiến độ xây dựng")
    table(area_history_records(figures), AREA_HISTORY_COLS, "Chưa có lần ghi tiến độ nào.")
    st.subheader("Lô đất")
    table(lot_records(figures), LOT_COLS, "Chưa có lô nào.", height=360)
    account = current_account()
    if account is not None and allows(account, "draw_lottery"):
        st.subheader("Bốc thăm giao đất tái định cư")
        _lottery(figures, account)
    if _may_record_areas(account) and len(figures.areas):   # after the lottery: its buttons keep their places
        st.subheader("Ghi tiến độ xây dựng khu tái định cư")
        _progress_form(figures, account)
