"""Tải lên số liệu kiểm đếm: upload a CSV/XLSX, preview it with the problem rows highlighted, then
commit the valid rows (or cancel), explicitly; template downloads; the list of uploads with revert.

The page only calls ``ingest`` (read → validate → import_counts) and the store; it computes nothing
itself. Every error is caught: the detail goes to the log, the user sees a Vietnamese message. User
text (cells, file names) is shown only inside tables or escaped, never rendered as Markdown/HTML.
"""
from __future__ import annotations

import hashlib
import logging

import pandas as pd
import streamlit as st

from dashboard import auth, state
from dashboard.progress import progress_box
from dashboard.uploader import file_uploader_vi
from domain.errors import GpmbError
from domain.progress import IMPORT_COUNTS_STEPS, step
from vocab.escape import markdown_text
from vocab.format import fmt_date, fmt_number

TITLE = "Tải lên số liệu kiểm đếm"
ICON = "📤"
ORDER = 40

log = logging.getLogger(__name__)

#: Rows shown in the preview table (the counts and the problem list always cover the whole file).
PREVIEW_ROWS = 2000
_UPLOADER_KEY = "upload_uploader_generation"
_RESULT_KEY = "upload_last_result"
_CACHE_KEY = "upload_validation_cache"
_ROW_BAD = "background-color: #ffcdd2; color: #b71c1c"


def _templates() -> None:
    from exports.template_files import template_csv_bytes
    from ingest.template import template_xlsx_bytes

    with st.expander("Tải tệp mẫu", expanded=False):
        st.write("Tệp mẫu có sẵn tên cột, trang hướng dẫn và danh sách giai đoạn được phép. "
                 "Tệp CSV: mã UTF-8 có BOM, phân cách bằng dấu chấm phẩy (;) để Excel tiếng Việt mở đúng cột.")
        a, b = st.columns(2)
        a.download_button("Tải mẫu Excel (.xlsx)", template_xlsx_bytes(), file_name="mau_so_lieu_kiem_dem.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        b.download_button("Tải mẫu CSV (.csv)", template_csv_bytes(), file_name="mau_so_lieu_kiem_dem.csv",
                          mime="text/csv")


def _validate_cached(data: bytes, file_name: str, the_store) -> tuple:
    """(table, report, None, duplicates) or (None, None, message, []); cached per file content, store data
    version and account (a commune officer's rows of other communes are row problems here as at commit;
    ``duplicates``: the valid rows whose content is already recorded, :func:`ingest.importer.find_duplicate_rows`)."""
    from ingest.importer import find_duplicate_rows, restrict_to_communes, restrict_to_units, validate_file
    from ingest.read import IngestError

    account = auth.current_account()
    key = (hashlib.sha256(data).hexdigest(), state.data_version_key(the_store), account.username)
    cache = st.session_state.setdefault(_CACHE_KEY, {})
    if key not in cache:
        cache.clear()  # keep one file in the session
        try:
            with progress_box("Đang đọc và kiểm tra tệp…", done_label="Đã kiểm tra xong tệp") as progress:
                table, report = validate_file(data, file_name, the_store, progress=progress)
                # a commune officer sees his refusals of other communes' rows before committing
                report = restrict_to_communes(report, the_store.parcel_attributes(), account)  # no shapes needed
                report = restrict_to_units(report, the_store.projects(), account)  # and other units' rows
                step(progress, IMPORT_COUNTS_STEPS, "duplicates")
                duplicates = find_duplicate_rows(report, the_store)
            cache[key] = (table, report, None, duplicates)
        except IngestError as exc:
            cache[key] = (None, None, exc.message_vi, [])
    return cache[key]


def _reset_uploader() -> None:
    st.session_state[_UPLOADER_KEY] = st.session_state.get(_UPLOADER_KEY, 0) + 1
    st.session_state.pop(_CACHE_KEY, None)


def _show_last_result() -> None:
    result = st.session_state.pop(_RESULT_KEY, None)
    if result:
        kind, message = result
        getattr(st, kind)(markdown_text(message))


def _preview(table, report) -> None:
    from ingest.preview import INVALID_LABEL, STATUS_COLUMN, preview_frame

    a, b, c = st.columns(3)
    a.metric("Dòng đọc được", fmt_number(report.rows_read))
    b.metric("Dòng hợp lệ", fmt_number(report.rows_valid))
    c.metric("Dòng có lỗi", fmt_number(report.rows_invalid))
    how = (f"CSV, mã {table.encoding}, phân cách «{'tab' if table.separator == chr(9) else table.separator}»"
           if table.file_kind == "csv" else f"XLSX, trang «{table.sheet}»")
    rows = f"{table.header_row}–{table.header_row + 1}" if table.header_rows == 2 else str(table.header_row)
    st.caption(f"{markdown_text(how)}; dòng tiêu đề: {rows}.")
    for note in report.notes:
        st.info(markdown_text(note))
    only_invalid = st.toggle("Chỉ hiện dòng có lỗi", value=False, disabled=report.rows_invalid == 0)
    frame = preview_frame(table, report, only_invalid=only_invalid, limit=PREVIEW_ROWS)
    if len(frame) < (report.rows_invalid if only_invalid else report.rows_read):
        st.caption(f"Hiện {fmt_number(len(frame))} dòng đầu; số đếm và danh sách lỗi tính trên cả tệp.")
    styled = frame.style.apply(
        lambda row: [_ROW_BAD if row[STATUS_COLUMN] == INVALID_LABEL else ""] * len(row), axis=1)
    st.dataframe(styled, hide_index=True, width="stretch", key="upload_preview")
    if report.problems:
        st.subheader("Danh sách lỗi")
        st.dataframe(report.problems_frame(), hide_index=True, width="stretch", key="upload_problems")


def _duplicates(duplicates) -> None:
    """The rows that will not be written again because their content is already recorded (issue 10)."""
    from ingest.importer import duplicates_summary_vi

    if not duplicates:
        return
    st.warning(markdown_text(duplicates_summary_vi(duplicates)))
    frame = pd.DataFrame({
        "Dòng": [d.row for d in duplicates],
        "Trùng với": [f"lần tải {d.upload_id}" if d.where == "ledger" else f"dòng {d.same_as_row} của tệp"
                      for d in duplicates],
    })
    st.dataframe(frame, hide_index=True, width="stretch", key="upload_duplicates")


def _commit(data: bytes, file_name: str, the_store) -> None:
    """Validate again and commit as the logged-in account (role and communes checked by the store)."""
    from ingest.importer import import_counts

    actor = auth.current_account()
    # validated again against the ledger as it is now
    with progress_box("Đang ghi số liệu…", done_label="Đã ghi xong") as progress:
        result = import_counts(data, the_store, skip_invalid=True, actor=actor, file_name=file_name,
                               source="upload", client_address=auth.client_address(), progress=progress)
    kind = "success" if result.status in ("committed", "nothing_new") else "error"
    st.session_state[_RESULT_KEY] = (kind, result.message_vi)
    log.info("upload %s by %s: %s (%s)", file_name, actor.username, result.status, result.upload_id)


def _upload_section(the_store) -> None:
    account = auth.current_account()
    st.caption(f"Người tải lên: **{markdown_text(account.display_name or account.username)}** "
               f"({markdown_text(account.username)}) – ghi theo tài khoản đang đăng nhập.")
    generation = st.session_state.get(_UPLOADER_KEY, 0)
    from ingest.read import MAX_FILE_BYTES

    uploaded = file_uploader_vi("Chọn tệp số liệu (CSV hoặc XLSX)", types=["csv", "xlsx", "txt"],
                                key=f"upload_file_{generation}", limit_bytes=MAX_FILE_BYTES)
    if uploaded is None:
        return
    data = uploaded.getvalue()
    table, report, refused, duplicates = _validate_cached(data, uploaded.name, the_store)
    if refused:
        st.error(markdown_text(refused) + "  \nKhông có gì được ghi.")
        if st.button("Hủy", key="upload_cancel_refused"):
            _reset_uploader()
            st.rerun()
        return
    _preview(table, report)
    _duplicates(duplicates)
    if report.rows_valid == 0:
        st.warning("Không có dòng hợp lệ nào để ghi. Hãy sửa tệp theo danh sách lỗi rồi tải lại.")
    elif report.rows_invalid:
        st.warning(f"Nếu ghi, chỉ {fmt_number(report.rows_valid)} dòng hợp lệ được ghi; "
                   f"{fmt_number(report.rows_invalid)} dòng có lỗi sẽ bị bỏ qua.")
    left, right = st.columns(2)
    if left.button("Ghi các dòng hợp lệ", type="primary", disabled=report.rows_valid == 0, key="upload_commit"):
        _commit(data, uploaded.name, the_store)
        _reset_uploader()
        st.rerun()
    if right.button("Hủy", key="upload_cancel"):
        st.session_state[_RESULT_KEY] = ("info", "Đã hủy: không ghi gì.")
        _reset_uploader()
        st.rerun()


def _uploads_table(uploads: pd.DataFrame) -> pd.DataFrame:
    source = {"seed": "Dữ liệu ban đầu", "upload": "Trang tải lên", "cli": "Dòng lệnh", "revert": "Hoàn tác"}

    def status(r) -> str:
        if r["source"] == "revert":
            return f"Hoàn tác lần {int(r['reverts_upload_id'])}" if not pd.isna(r.get("reverts_upload_id")) else "Hoàn tác"
        if not pd.isna(r.get("reverted_by_upload_id")):
            return f"Đã hoàn tác ngày {fmt_date(r['reverted_at'])}"
        return "Đang dùng"

    return pd.DataFrame({
        "Lần tải": uploads["upload_id"].astype(int),
        "Thời điểm (giờ VN)": [t.tz_convert("Asia/Ho_Chi_Minh").strftime("%d/%m/%Y %H:%M") if not pd.isna(t) else ""
                               for t in pd.to_datetime(uploads["uploaded_at"], utc=True)],
        "Người tải lên": uploads["uploaded_by"].fillna("").astype(str),
        "Tệp": uploads["file_name"].fillna("").astype(str),
        "Dòng đọc": uploads["rows_read"].astype(int),
        "Dòng ghi": uploads["rows_committed"].astype(int),
        "Nguồn": [source.get(s, s) for s in uploads["source"]],
        "Trạng thái": [status(r) for _, r in uploads.iterrows()],
    })


def _uploads_section(the_store) -> None:
    st.subheader("Các lần tải lên")
    uploads = the_store.uploads_for(auth.current_account())  # his communes' and units' only
    if uploads.empty:
        st.info("Chưa có lần tải lên nào.")
        return
    st.dataframe(_uploads_table(uploads).iloc[::-1], hide_index=True, width="stretch", key="upload_list")
    revertable = uploads[(uploads["source"] != "revert") & uploads["reverted_by_upload_id"].isna()]
    if revertable.empty:
        return
    with st.expander("Hoàn tác một lần tải lên"):
        st.write("Hoàn tác không xóa gì: lần tải lên được đánh dấu đã hoàn tác, số liệu của nó không còn được "
                 "tính; lịch sử được giữ lại.")
        labels = {int(r.upload_id): f"Lần {int(r.upload_id)} – {r.file_name} ({int(r.rows_committed)} dòng)"
                  for r in revertable.itertuples()}
        chosen = st.selectbox("Lần tải lên", options=list(labels)[::-1], format_func=labels.get, key="revert_choice")
        reason = st.text_input("Lý do", key="revert_reason")
        sure = st.checkbox("Tôi xác nhận hoàn tác lần tải lên đã chọn", key="revert_confirm")
        if st.button("Hoàn tác lần tải này", key="revert_button", disabled=not sure,
                     help="Đánh dấu xác nhận trước khi hoàn tác." if not sure else None):
            try:
                outcome = the_store.revert_upload(int(chosen), actor=auth.current_account(), reason=reason,
                                                  client_address=auth.client_address())
                st.session_state[_RESULT_KEY] = ("success", _revert_message(int(chosen), outcome))
            except GpmbError as exc:
                st.session_state[_RESULT_KEY] = ("error", exc.message_vi)
            st.session_state.pop(_CACHE_KEY, None)
            st.session_state.pop("revert_confirm", None)
            st.rerun()


def _revert_message(upload_id: int, outcome) -> str:
    """What happened to a revert: done, or waiting for a second account (maker–checker)."""
    if outcome.executed:
        return f"Đã hoàn tác lần tải lên số {upload_id}."
    return (f"Đã ghi đề xuất hoàn tác lần tải lên số {upload_id} (đề xuất số {outcome.proposal_id}): "
            "chờ một tài khoản khác duyệt ở trang «Đề xuất chờ duyệt».")


def render() -> None:
    """Draw the page (errors are logged and shown in Vietnamese, never as a traceback)."""
    st.title(TITLE)
    st.write("Tải lên bảng số liệu kiểm đếm, tiến độ từ các xã. Tệp được kiểm tra trước; chỉ khi bấm "
             "«Ghi các dòng hợp lệ» số liệu mới được ghi vào sổ. Tải lại cùng một tệp không ghi thêm gì.")
    _show_last_result()
    _templates()
    the_store = state.store()
    try:
        _upload_section(the_store)
    except Exception as exc:
        log.exception("upload page failed")
        st.error(f"Không xử lý được tệp tải lên ({type(exc).__name__}); không có gì được ghi. "
                 "Chi tiết kỹ thuật đã được ghi vào nhật ký máy chủ.")
    try:
        _uploads_section(the_store)
    except Exception as exc:
        log.exception("uploads list failed")
        st.error(f"Không đọc được danh sách tải lên ({type(exc).__name__}).")
