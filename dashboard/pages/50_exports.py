"""Xuất báo cáo: meeting exports as downloads (offline HTML map, print map PDF/PNG, Excel report).

The files come from :func:`exports.export`, the same function as ``python cli.py export``, at the
sidebar's as-of date. Each file is made on request ("Tạo tệp") and cached per
(format, as-of date, options, database URL, data version), so a second download is instant and a new
upload or revert makes a fresh file. Errors are shown as a Vietnamese message (details in the log),
never as a traceback.
"""
from __future__ import annotations

import logging
from datetime import date

import streamlit as st

from dashboard import auth, state
from dashboard.progress import progress_box
from domain.errors import GpmbError
from domain.roles import allows
from exports import ExportOptions, export
from exports.personal import PERSONAL_DATA_CHECKBOX_LABEL_VI, PERSONAL_DATA_NOTICE_VI, export_as
from exports.provenance import data_version_of
from vocab.format import fmt_date, fmt_number

TITLE = "Xuất báo cáo"
ICON = "🖨️"
ORDER = 50

log = logging.getLogger(__name__)

_FORMATS = {
    "xlsx": ("📊 Báo cáo Excel", ("Bảng tiến độ dự án → xã, phường (diện tích, số hộ theo giai đoạn, kinh phí, mốc, "
                                 "dự báo, vướng mắc), mốc tiến độ, danh sách thửa; định dạng sẵn để in.")),
    "pdf": ("🗺️ Bản đồ in PDF", "Trang tổng quan và mỗi dự án một trang; chú giải, thước tỷ lệ, hướng Bắc; 300 dpi."),
    "png": ("🖼️ Bản đồ in PNG", "Một ảnh (tổng quan, hoặc dự án đã chọn) để chèn vào văn bản, trình chiếu."),
    "html": ("🌐 Bản đồ tương tác HTML", "Một tệp duy nhất, mở bằng trình duyệt không cần Internet (USB)."),
    "docx": ("📝 Báo cáo quý (Word)", ("Văn bản Word sửa được, thể thức Nghị định 30/2020/NĐ-CP: kết quả theo dự án "
                                      "và mốc, bảng xã, điểm nghẽn, việc quá hạn theo cơ quan, khó khăn và kiến nghị "
                                      "điền sẵn; số, ngày, người ký để trống. Luôn gồm tất cả dự án.")),
    "gpkg": ("🗂️ GeoPackage cho QGIS", ("Lớp thửa đất với giai đoạn, ngày, cờ rủi ro và hạn việc tiếp theo tại ngày "
                                       "số liệu, cùng ranh giới dự án; mở bằng QGIS là có màu theo giai đoạn và tên "
                                       "trường tiếng Việt.")),
}


@st.cache_data(show_spinner=False, max_entries=24)
def _make(fmt: str, as_of_date: date, options_key: tuple, url: str | None, version: tuple,
          _progress=None) -> tuple[bytes, str, str]:
    """The export file (bytes, file name, MIME), cached per format, date, options and data version
    (``_progress``, the status box's callback, is not part of the key)."""
    project_id, paper, orientation, personal, pages, dpi = options_key
    options = ExportOptions(project_id=project_id, paper=paper, orientation=orientation,
                            include_personal_data=personal, pages=pages, dpi=dpi)
    result = export(fmt, state.snapshot(as_of_date), state.reader(), options, progress=_progress)
    return result.data, result.file_name, result.mime


def _make_personal(fmt: str, as_of_date: date, options_key: tuple, progress=None) -> tuple[bytes, str, str]:
    """An export WITH personal data: never cached, decided and audited per request by
    :func:`exports.personal.export_as` (role ``export_personal``, marked file name, audit row)."""
    project_id, paper, orientation, personal, pages, dpi = options_key
    options = ExportOptions(project_id=project_id, paper=paper, orientation=orientation,
                            include_personal_data=personal, pages=pages, dpi=dpi)
    result = export_as(auth.current_account(), fmt, state.snapshot(as_of_date), state.reader(), options,
                       client_address=auth.client_address(), progress=progress)
    return result.data, result.file_name, result.mime


def _options(snap) -> ExportOptions:
    names = state.project_names(snap)
    chosen = state.filters().project_ids
    ids = [None, *names]
    default = ids.index(chosen[0]) if len(chosen) == 1 and chosen[0] in names else 0
    c1, c2, c3 = st.columns(3)
    project_id = c1.selectbox("Dự án", ids, index=default, key="export_project",
                              format_func=lambda p: "Tất cả dự án" if p is None else f"{names[p]} ({p})")
    paper = c2.radio("Khổ giấy", ["A3", "A4"], horizontal=True, key="export_paper")
    orientation = c3.radio("Hướng giấy", ["landscape", "portrait"], horizontal=True, key="export_orientation",
                           format_func={"landscape": "Ngang", "portrait": "Dọc"}.get)
    pages = st.radio("Các trang của bản đồ PDF (khi chọn tất cả dự án)",
                     ["overview+projects", "overview", "projects"], horizontal=True, key="export_pages",
                     format_func={"overview+projects": "Tổng quan + mỗi dự án một trang", "overview": "Chỉ tổng quan",
                                  "projects": "Chỉ các trang dự án"}.get)
    account = auth.current_account()
    personal = (st.checkbox(PERSONAL_DATA_CHECKBOX_LABEL_VI, key="export_personal")
                if account is not None and allows(account, "export_personal") else False)
    if personal:
        st.warning(PERSONAL_DATA_NOTICE_VI + " Tệp Excel sẽ ghi rõ điều này trên tiêu đề và từng trang.")
    return ExportOptions(project_id=project_id, paper=paper, orientation=orientation,
                         include_personal_data=personal, pages=pages)


def render() -> None:
    """Draw the export page at ``state.as_of()``."""
    day = state.as_of()
    st.title("Xuất báo cáo")
    snap = state.snapshot(day)
    version = data_version_of(snap)
    st.caption(f"Số liệu đến ngày **{fmt_date(day)}** · {version.text_vi()}. Mỗi tệp ghi ngày số liệu và phiên "
               "bản dữ liệu; cùng dữ liệu và cùng ngày cho cùng số liệu.")
    options = _options(snap)
    url, key = state.database_url(), state.data_version_key()
    for fmt, (label, help_text) in _FORMATS.items():
        with st.container(border=True):
            left, right = st.columns([3, 2])
            left.markdown(f"**{label}**  \n{help_text}")
            wanted = right.button("Tạo tệp", key=f"make_{fmt}", width="stretch")
            slot = f"export_ready_{fmt}"
            request = (fmt, day, options.cache_key(), url, key)
            if wanted:
                try:
                    with progress_box("Đang tạo tệp…", done_label="Đã tạo xong tệp") as progress:
                        made = (_make_personal(*request[:3], progress=progress) if request[2][3]
                                else _make(*request, _progress=progress))
                        st.session_state[slot] = (request, made)
                except GpmbError as exc:  # a refusal (role) or a data problem, in Vietnamese
                    right.error(exc.message_vi)
                except ValueError as exc:  # a data problem the user can act on
                    log.info("export refused: %s", exc)
                    right.error(str(exc))
                except Exception as exc:
                    log.exception("export %s failed", fmt)
                    right.error(f"Không tạo được tệp ({type(exc).__name__}). Chi tiết đã ghi vào nhật ký máy chủ.")
            ready = st.session_state.get(slot)
            if ready and ready[0] == request:  # only offer the file matching the current date and options
                data, file_name, mime = ready[1]
                right.download_button(f"⬇️ Tải {file_name} ({fmt_number(len(data) / 1024)} kB)",
                                      data=data, file_name=file_name, mime=mime, key=f"download_{fmt}",
                                      width="stretch")
