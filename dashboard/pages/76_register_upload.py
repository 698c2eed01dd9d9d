"""Nhập sổ hộ dân, đơn thư: upload a people-side register (households, plans, payments, refusals, transfers,
complaints, lots, or the household × step matrix), preview it with its problems by row, confirm the matrix's
step → stage mapping, commit it, and revert a register import (issue 12).

The page only calls :func:`ingest.register_import.import_register` (a dry run for the preview, then the
commit), the store and :mod:`exports.register_import_tables`; it computes nothing itself. File text
(cells, step names, file names) is shown only inside tables or escaped.
"""
from __future__ import annotations

import hashlib
import logging

import streamlit as st

from dashboard import access, auth, state
from dashboard.progress import progress_box
from dashboard.uploader import file_uploader_vi
from domain.errors import GpmbError
from domain.people import IMPORT_KINDS
from domain.roles import PermissionDeniedError
from ingest.register_file import MAX_FILE_BYTES
from vocab.escape import markdown_text
from vocab.people import IMPORT_KIND_LABELS_VI
from vocab.roles import permission_denied_text

TITLE = "Nhập sổ hộ dân, đơn thư"
ICON = "📒"
ORDER = 76

log = logging.getLogger(__name__)

_UPLOADER_KEY = "register_uploader_generation"
_RESULT_KEY = "register_last_result"
_CACHE_KEY = "register_dry_runs"
_XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _choices(reader, the_store) -> tuple[str, str | None, str | None]:
    """(kind, project id, commune) picked at the top of the page; the communes offered are those of the project's
    parcels and households (a project known only by its register has no parcels yet)."""
    account = auth.current_account()
    a, b, c = st.columns(3)
    kind = a.selectbox("Loại sổ", IMPORT_KINDS, index=IMPORT_KINDS.index("households"),
                       format_func=IMPORT_KIND_LABELS_VI.get, key="register_kind")
    projects = reader.projects()
    names = dict(zip(projects["project_id"].astype(str), projects["name"].fillna("").astype(str), strict=True))
    if not names:
        b.warning("Chưa có dự án nào trong kho dữ liệu.")
        return kind, None, None
    project_id = b.selectbox("Dự án", list(names), format_func=lambda p: f"{p} – {names[p]}", key="register_project")
    if account.communes:  # a commune officer: his communes only
        communes = list(account.communes)
    else:
        homes = the_store.register("households", project_id=project_id)["commune"]
        communes = sorted(set(reader.parcels(project_id)["commune"].dropna().astype(str)) | set(homes.dropna()))
    optional = not (kind == "matrix" and account.communes)
    commune = c.selectbox("Xã/phường của tệp" + (" (không bắt buộc)" if optional else ""),
                          ([""] if optional else []) + communes, key="register_commune",
                          format_func=lambda n: n or "— (không chọn)",
                          help="Điền vào ô xã còn trống; với bảng hộ × bước, chỉ khớp thửa của xã này.")
    return kind, project_id, commune or None


def _templates(kind: str) -> None:
    from exports.matrix_template import matrix_template_xlsx
    from exports.register_templates import register_template_csv, register_template_xlsx

    with st.expander(f"Tải tệp mẫu: {IMPORT_KIND_LABELS_VI[kind]}", expanded=False):
        left, right = st.columns(2)
        if kind == "matrix":
            st.write("Bảng hộ × bước chỉ nhận tệp Excel: trang thứ nhất là bảng theo dõi (một dòng một hộ, một cột "
                     "một bước C001…), trang thứ hai là danh sách bước (mã, tên, căn cứ, cơ quan, số ngày).")
            left.download_button("Tải mẫu Excel (.xlsx)", matrix_template_xlsx(), file_name="mau_bang_ho_buoc.xlsx",
                                 mime=_XLSX_MIME, key="register_template_xlsx")
            return
        st.write("Tệp mẫu Excel có danh sách chọn cho các cột mã; tệp CSV chỉ có dòng tiêu đề (UTF-8 có BOM, "
                 "phân cách bằng dấu chấm phẩy).")
        left.download_button("Tải mẫu Excel (.xlsx)", register_template_xlsx(kind), file_name=f"mau_{kind}.xlsx",
                             mime=_XLSX_MIME, key="register_template_xlsx")
        right.download_button("Tải mẫu CSV (.csv)", register_template_csv(kind), file_name=f"mau_{kind}.csv",
                              mime="text/csv", key="register_template_csv")


def _map_reader(kind: str) -> dict:
    """``read_geo`` for the areas register (GeoJSON, GeoPackage, zipped shapefile through the cadastral readers)."""
    if kind != "areas":
        return {}
    from cadastre.resettlement_areas import read_area_file

    return {"read_geo": read_area_file}


def _dry_run(data: bytes, file_name: str, the_store, *, kind: str, project_id: str, commune: str | None,
             profile: str | None = None, mapping: dict | None = None):
    """:func:`import_register` with ``dry_run=True``, cached per file content, choices, mapping, account and
    store data version (a rerun reads nothing again)."""
    from ingest.register_import import import_register

    account = auth.current_account()
    key = (hashlib.sha256(data).hexdigest(), kind, project_id, commune, profile,
           tuple(sorted((mapping or {}).items(), key=lambda kv: kv[0])), account.username,
           state.data_version_key(the_store))
    cache = st.session_state.setdefault(_CACHE_KEY, {})
    if key not in cache:
        if len(cache) > 8:  # the mapping edits of one file: keep a few, never many files
            cache.clear()
        with progress_box("Đang đọc và kiểm tra tệp…", done_label="Đã kiểm tra xong tệp") as progress:
            cache[key] = import_register(data, the_store, kind=kind, project_id=project_id, actor=account,
                                         commune=commune, profile=profile, mapping=mapping, dry_run=True,
                                         file_name=file_name, source="upload", progress=progress,
                                         **_map_reader(kind))
    return cache[key]


def _reset_uploader() -> None:
    st.session_state[_UPLOADER_KEY] = st.session_state.get(_UPLOADER_KEY, 0) + 1
    st.session_state.pop(_CACHE_KEY, None)


def _show_last_result() -> None:
    from exports.register_import_tables import written_figures

    outcome = st.session_state.pop(_RESULT_KEY, None)
    if not outcome:
        return
    kind, message, result = outcome
    getattr(st, kind)(markdown_text(message))
    if result is not None and result.status in ("committed", "nothing_new"):
        for column, (label, value) in zip(st.columns(4), written_figures(result), strict=True):
            column.metric(label, value)
        for note in result.notes:
            st.info(markdown_text(note))


def _mapping_editor(base):
    """The proposed step → stage mapping as an editable table; returns the mapping it holds (or None when a
    cell is not a valid choice, said on the page)."""
    from exports.register_import_tables import MAPPING_COLUMNS_VI, mapping_choices, mapping_frame, mapping_from_frame

    st.subheader("Ánh xạ bước → giai đoạn")
    st.write("Mỗi cột bước (C001…) của bảng được đề xuất một giai đoạn theo tên bước ở trang danh sách bước. "
             "Kiểm tra và sửa ở cột «Ánh xạ» nếu cần. Bước thuộc nhánh cưỡng chế, kiểm đếm bắt buộc chỉ được "
             "ánh xạ vào nhánh hoặc để trống.")
    edited = st.data_editor(
        mapping_frame(base), hide_index=True, width="stretch", disabled=list(MAPPING_COLUMNS_VI[:3]),
        column_config={MAPPING_COLUMNS_VI[3]: st.column_config.SelectboxColumn(
            MAPPING_COLUMNS_VI[3], options=list(mapping_choices()), required=False)},
        key=f"register_mapping_{base.file_sha256[:16]}_{base.profile or ''}")
    try:
        return mapping_from_frame(edited)
    except ValueError as exc:
        st.error(markdown_text(str(exc)))
        return None


def _show_preview(result) -> None:
    from exports.register_import_tables import matching_frame, problems_frame, stage_counts_frame, summary_figures

    figures = summary_figures(result)
    for row in range(0, len(figures), 4):
        for column, (label, value) in zip(st.columns(4), figures[row:row + 4], strict=False):
            column.metric(label, value)
    for note in result.notes:
        st.info(markdown_text(note))
    if result.kind == "matrix":
        left, right = st.columns(2)
        left.caption("Số hộ theo giai đoạn")
        left.dataframe(stage_counts_frame(result), hide_index=True, width="stretch", key="register_stages")
        unmatched = matching_frame(result)
        right.caption(f"Thửa khớp bản đồ địa chính: {result.parcels_matched}; không khớp: {len(unmatched)}")
        if len(unmatched):
            right.dataframe(unmatched, hide_index=True, width="stretch", key="register_unmatched")
        if result.unmapped_columns:
            st.caption("Cột bước chưa ánh xạ (không tính vào giai đoạn): "
                       + markdown_text(", ".join(result.unmapped_columns)))
    if result.problems:
        st.subheader("Danh sách lỗi")
        st.dataframe(problems_frame(result), hide_index=True, width="stretch", key="register_problems")


def _same_file_note(the_store, file_sha256: str) -> None:
    from exports.register_import_tables import earlier_upload_of_file

    account = auth.current_account()  # only the imports this account may see can be named to it
    earlier = earlier_upload_of_file(the_store.register_imports(account=account), the_store.uploads_for(account),
                                     file_sha256)
    if earlier is not None:
        st.info(f"Tệp này (cùng nội dung từng byte) đã được nhập ở lần tải {earlier}: ghi lại sẽ không thêm gì, "
                "trừ khi ánh xạ hoặc xã khác lần trước.")


def _commit_controls(result, *, matrix: bool, start: str | None = None) -> tuple[bool, bool, str | None]:
    """(commit clicked, skip invalid, profile name to save: ``start``, the profile begun from, unless changed)."""
    n_bad = result.rows - result.rows_valid
    skip = False
    if result.problems:
        st.warning(f"Tệp có {n_bad} dòng lỗi: nếu không sửa, chỉ ghi được khi bỏ qua các dòng đó.")
        skip = st.checkbox(f"Bỏ qua {n_bad} dòng có lỗi, chỉ ghi {result.rows_valid} dòng hợp lệ",
                           key="register_skip_invalid")
    profile, confirmed = None, True
    if matrix:
        profile = st.text_input("Lưu ánh xạ thành hồ sơ (tên, không bắt buộc)", value=start or "",
                                key="register_save_profile").strip() or None
        confirmed = st.checkbox("Tôi đã kiểm tra ánh xạ bước → giai đoạn ở bảng trên", key="register_mapping_confirm")
    ready = result.rows_valid > 0 and (skip or not result.problems) and confirmed
    left, right = st.columns(2)
    clicked = left.button("Ghi vào sổ", type="primary", disabled=not ready, key="register_commit")
    if right.button("Hủy", key="register_cancel"):
        st.session_state[_RESULT_KEY] = ("info", "Đã hủy: không ghi gì.", None)
        _reset_uploader()
        st.rerun()
    return clicked, skip, profile


def _commit(data: bytes, file_name: str, the_store, *, kind, project_id, commune, mapping, skip, profile) -> None:
    from ingest.register_import import import_register

    actor = auth.current_account()
    try:
        with progress_box("Đang ghi vào sổ…", done_label="Đã ghi xong") as progress:
            result = import_register(data, the_store, kind=kind, project_id=project_id, actor=actor, commune=commune,
                                     profile=profile, mapping=mapping, skip_invalid=skip, file_name=file_name,
                                     source="upload", client_address=auth.client_address(), progress=progress,
                                     **_map_reader(kind))
    except GpmbError as exc:  # the store's own refusal (a row outside the account's communes, a disabled account)
        st.session_state[_RESULT_KEY] = ("error", exc.message_vi + " Không có gì được ghi.", None)
        return
    kind_shown = {"committed": "success", "nothing_new": "info"}.get(result.status, "error")
    st.session_state[_RESULT_KEY] = (kind_shown, result.message_vi, result)
    log.info("register import %s by %s: %s (%s)", file_name, actor.username, result.status, result.upload_id)


def _upload_section(the_store, kind: str, project_id: str, commune: str | None) -> None:
    account = auth.current_account()
    st.caption(f"Người nhập: **{markdown_text(account.display_name or account.username)}** "
               f"({markdown_text(account.username)}) – ghi theo tài khoản đang đăng nhập.")
    generation = st.session_state.get(_UPLOADER_KEY, 0)
    types = ["xlsx"] if kind == "matrix" else ["csv", "xlsx", "txt"]
    if kind == "areas":   # the boundary as WKT in a table, or a map file
        types += ["geojson", "json", "gpkg", "zip", "kml", "kmz"]
    uploaded = file_uploader_vi("Chọn tệp sổ (" + ", ".join(t.upper() for t in types) + ")", types=types,
                                key=f"register_file_{generation}", limit_bytes=MAX_FILE_BYTES,
                                help=f"Tối đa {MAX_FILE_BYTES // (1024 * 1024)} MB một tệp.")
    if uploaded is None:
        return
    data, mapping, start = uploaded.getvalue(), None, None
    choice = dict(kind=kind, project_id=project_id, commune=commune)
    if kind == "matrix":
        saved = the_store.register_profile_names()
        start = st.selectbox("Bắt đầu từ hồ sơ ánh xạ đã lưu", ["", *saved], format_func=lambda n: n or "— (đề xuất "
                             "theo tên bước)", key="register_profile_start", disabled=not saved) or None
        base = _dry_run(data, uploaded.name, the_store, profile=start, **choice)
        summary = st.container()
        if base.status != "refused":
            mapping = _mapping_editor(base)
        if mapping is None and base.status != "refused":
            return
        result = base if base.status == "refused" or mapping == base.mapping else \
            _dry_run(data, uploaded.name, the_store, mapping=mapping, **choice)
    else:
        summary = st.container()
        result = _dry_run(data, uploaded.name, the_store, **choice)
    with summary:
        if result.status == "refused":
            st.error(markdown_text(result.message_vi) + "  \nKhông có gì được ghi.")
            return
        st.subheader("Xem trước (chưa ghi gì)")
        _same_file_note(the_store, result.file_sha256)
        _show_preview(result)
    clicked, skip, profile = _commit_controls(result, matrix=kind == "matrix", start=start)
    if clicked:
        _commit(data, uploaded.name, the_store, mapping=mapping, skip=skip, profile=profile, **choice)
        _reset_uploader()
        st.rerun()


def _imports_section(the_store) -> None:
    from exports.register_import_tables import imports_frame, revertable_labels

    st.subheader("Các lần nhập sổ")
    imports = the_store.register_imports(account=auth.current_account())  # his communes' and units' only
    if imports.empty:
        st.info("Chưa có lần nhập sổ nào.")
        return
    st.dataframe(imports_frame(imports), hide_index=True, width="stretch", key="register_imports")
    labels = revertable_labels(imports)
    if not labels:
        return
    if not access.grants(auth.current_account(), "revert"):
        st.caption("Hoàn tác một lần nhập sổ cần tài khoản có quyền hoàn tác (cán bộ quản trị).")
        return
    with st.expander("Hoàn tác một lần nhập sổ"):
        st.write("Hoàn tác không xóa gì: lần nhập được đánh dấu đã hoàn tác, các dòng của nó không còn được tính "
                 "(dòng cũ của cùng hộ, cùng đơn lại có hiệu lực); lịch sử được giữ lại.")
        chosen = st.selectbox("Lần nhập sổ", list(labels), format_func=labels.get, key="register_revert_choice")
        reason = st.text_input("Lý do", key="register_revert_reason")
        sure = st.checkbox("Tôi xác nhận hoàn tác lần nhập sổ đã chọn", key="register_revert_confirm")
        if st.button("Hoàn tác lần nhập này", key="register_revert_button", disabled=not sure):
            try:
                outcome = the_store.revert_upload(int(chosen), actor=auth.current_account(), reason=reason,
                                                  client_address=auth.client_address())
                message = (f"Đã hoàn tác lần nhập sổ số {chosen}." if outcome.executed else
                           f"Đã ghi đề xuất hoàn tác lần nhập sổ số {chosen} (đề xuất số {outcome.proposal_id}): "
                           "chờ một tài khoản khác duyệt ở trang «Đề xuất chờ duyệt».")
                st.session_state[_RESULT_KEY] = ("success", message, None)
            except GpmbError as exc:
                st.session_state[_RESULT_KEY] = ("error", exc.message_vi, None)
            st.session_state.pop(_CACHE_KEY, None)
            st.session_state.pop("register_revert_confirm", None)
            st.rerun()


def render() -> None:
    """Draw the page (errors are logged and shown in Vietnamese, never as a traceback)."""
    st.title(TITLE)
    st.write("Nhập danh sách hộ, phương án, chi trả, mời nhận tiền, kinh phí, đơn thư, lô tái định cư hoặc bảng theo "
             "dõi hộ × bước từ tệp CSV/Excel. Tệp được kiểm tra trước; chỉ khi bấm «Ghi vào sổ» mới ghi. "
             "Nhập lại cùng một tệp không ghi thêm gì; dòng đổi nội dung là phiên bản mới, dòng cũ được giữ.")
    _show_last_result()
    reader, the_store = state.reader(), state.store()
    kind, project_id, commune = _choices(reader, the_store)
    _templates(kind)
    if project_id is not None:
        try:
            _upload_section(the_store, kind, project_id, commune)
        except GpmbError as exc:  # a refusal of the account (its wording for the plain permission error)
            shown = permission_denied_text(exc) if type(exc) is PermissionDeniedError else exc.message_vi
            st.error(markdown_text(shown) + "  \nKhông có gì được ghi.")
        except Exception as exc:
            log.exception("register upload failed")
            st.error(f"Không xử lý được tệp ({type(exc).__name__}); không có gì được ghi. "
                     "Chi tiết kỹ thuật đã được ghi vào nhật ký máy chủ.")
    try:
        _imports_section(the_store)
    except Exception as exc:
        log.exception("register imports list failed")
        st.error(f"Không đọc được danh sách lần nhập sổ ({type(exc).__name__}).")
