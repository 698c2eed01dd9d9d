"""Nhập bản đồ địa chính: parcels, clearance boundary or alignment from the files offices send.

Flow: upload (or give paths on this computer) → "Kiểm tra" runs :func:`cadastre.importer.prepare_parcels`
(or ``read_boundary``/``read_alignment``) → the page shows the report (CRS and why, counts, encodings
before/after, rejected rows, duplicates) and an offline map preview → "Ghi vào kho dữ liệu" commits
through ``store.replace_layer`` in one transaction; earlier versions of the layer can be restored below.
The attribute mapping can be corrected in a table and saved as a named source profile, which a later
import applies only when the user picks it (issue 10). Before committing, the page shows the change
set (parcels added, changed, removed) and asks the user to type the number of parcels removed. When the
project has a households register (a project known by its register first), the check also shows which register
parcels the map matches (``cadastre.register_match``, as ``import-parcels`` reports it), with the lists
downloadable (``exports.register_match_tables``).

The page computes nothing itself; it calls the same functions as ``python cli.py import-parcels``.
Errors: a Vietnamese message on screen, the detail in the log.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import auth, config, session_files, state
from dashboard.progress import progress_box
from dashboard.uploader import file_uploader_vi
from domain.errors import GpmbError
from mapview.preview import preview_map_html
from mapview.sandbox import sandboxed_document
from vocab.escape import markdown_text
from vocab.format import fmt_number

TITLE = "Nhập bản đồ địa chính"
ICON = "📥"
ORDER = 60

log = logging.getLogger(__name__)

KIND_KEY = "imp_kind"
PROJECT_KEY = "imp_project"
PATHS_KEY = "imp_paths"
UPLOAD_KEY = "imp_upload"
UPLOAD_GENERATION_KEY = "imp_upload_generation"
CANCEL_KEY = "imp_cancel"
TEMP_TASK = "import"
CRS_KEY = "imp_crs"
COMMUNE_KEY = "imp_commune"
SHEET_KEY = "imp_sheet"
SLIVER_KEY = "imp_sliver"
SCOPE_KEY = "imp_scope"
CHECK_KEY = "imp_check"
COMMIT_KEY = "imp_commit"
RESULT_KEY = "imp_result"
CORRECTIONS_KEY = "imp_corrections"
RECHECK_KEY = "imp_recheck_pending"
MAPPING_KEY = "imp_mapping"
PROFILE_KEY = "imp_profile"
SAVE_PROFILE_KEY = "imp_save_profile"
SAVE_PROFILE_BUTTON = "imp_save_profile_btn"
NO_PROFILE = "(không dùng hồ sơ nào)"
CONFIRM_KEY = "imp_confirm_remove"
MATCH_ROWS_SHOWN = 200
KINDS = {"parcels": "Thửa đất địa chính", "boundary": "Chỉ giới GPMB", "alignment": "Tim tuyến"}
CRS_FROM_FILE = "Theo tệp (.prj); nếu tệp không có: múi TM-3 của tỉnh dự án"
SIDE_FILES = (".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml", ".qmd")
PREVIEW_HEIGHT_PX = 520


def _save_uploads(files) -> list[Path]:
    """Uploads in this session's import folder (a shapefile's parts side by side); return the main files."""
    return [p for p in session_files.save_files(TEMP_TASK, files) if p.suffix.lower() not in SIDE_FILES]


def _uploader_key() -> str:
    """The uploader's key; a new one after a commit or a cancel empties the widget."""
    generation = st.session_state.get(UPLOAD_GENERATION_KEY, 0)
    return UPLOAD_KEY if generation == 0 else f"{UPLOAD_KEY}_{generation}"


def _finish() -> None:
    """End the current import (committed or cancelled): no result, no temp file, an empty uploader."""
    st.session_state.pop(RESULT_KEY, None)
    st.session_state[UPLOAD_GENERATION_KEY] = st.session_state.get(UPLOAD_GENERATION_KEY, 0) + 1
    session_files.clear_task(TEMP_TASK)


def _server_paths(account) -> tuple[list[Path], list[str], str | None]:
    """(paths, display names, refusal) typed in the server-path box, or nothing when the box is hidden.

    Shown only to an admin and only when switched on in the config (dashboard.config); every path is
    confined to the configured import folder; a refusal names neither the value nor a server path.
    """
    try:
        settings = config.load_config()
    except GpmbError as exc:
        return [], [], exc.message_vi
    if not (settings.server_paths_usable and account is not None and account.role == "admin"):
        return [], [], None
    typed = st.text_input("…hoặc tên tệp trong thư mục nhập dữ liệu của máy chủ (nhiều tệp cách nhau bằng dấu ;)",
                          key=PATHS_KEY)
    try:
        paths = [config.resolve_import_path(p, settings.import_folder) for p in typed.split(";") if p.strip()]
    except GpmbError as exc:
        return [], [], exc.message_vi
    return paths, [p.name for p in paths], None


def _show_html(html_text: str) -> None:
    if hasattr(st, "iframe"):
        st.iframe(html_text, height=PREVIEW_HEIGHT_PX)
    else:  # pragma: no cover - older Streamlit
        import streamlit.components.v1 as components

        components.html(html_text, height=PREVIEW_HEIGHT_PX)


def _report_tables(report: dict) -> None:
    from cadastre.report import COUNT_LABELS_VI

    profile = report.get("profile")
    st.caption(markdown_text(f"Hồ sơ nguồn đã áp dụng: «{profile['name']}» phiên bản {profile['version']} "
                             f"({profile['created_by']}, {profile['created_at']})") if profile
               else "Không áp dụng hồ sơ nguồn nào (chỉ ánh xạ tự động và phần sửa trong bảng).")
    counts = report.get("counts", {})
    if counts:
        cols = st.columns(4)
        for i, key in enumerate(("read", "imported", "rejected", "repaired")):
            cols[i].metric(COUNT_LABELS_VI[key], fmt_number(counts.get(key, 0)))
        cols = st.columns(4)
        for i, key in enumerate(("duplicates", "slivers", "outside_boundary")):
            cols[i].metric(COUNT_LABELS_VI[key], fmt_number(counts.get(key, 0)))
        area = fmt_number(counts.get("area_to_recover_m2", 0.0), 1)
        cols[3].metric("Diện tích thu hồi (m²)", area)
    st.subheader("Hệ tọa độ")
    st.dataframe(pd.DataFrame([{"Tệp": c["file"], "Lớp": c["layer"], "EPSG": c["epsg"], "Tên": c["name"],
                                "Căn cứ": c["reason"]} for c in report.get("crs", [])]), hide_index=True, width="stretch")
    for warning in report.get("warnings", []):
        st.warning(markdown_text(warning))
    if report.get("encodings"):
        st.subheader("Chuyển bảng mã tiếng Việt (trước → sau)")
        st.dataframe(pd.DataFrame([{"Tệp": e["file"], "Cột": e["column"], "Bảng mã": e["encoding_label"],
                                    "Trước": s["before"], "Sau": s["after"]}
                                   for e in report["encodings"] for s in e["samples"]]), hide_index=True, width="stretch")
    if report.get("rejected"):
        st.subheader("Dòng bị loại")
        st.dataframe(pd.DataFrame(report["rejected"]).rename(columns={"row": "Dòng", "reason": "Lý do"}),
                     hide_index=True, width="stretch")
    if report.get("duplicates"):
        st.subheader("Trùng khóa xã – tờ – thửa (không gộp)")
        st.dataframe(pd.DataFrame([{"Xã": d["key"]["commune_former"], "Tờ": d["key"]["map_sheet"],
                                    "Thửa": d["key"]["parcel_number"], "Các dòng": ", ".join(d["rows"]),
                                    "Vị trí (X; Y)": " | ".join(f"{loc['x_northing']}; {loc['y_easting']}"
                                                                 for loc in d["locations"])}
                                   for d in report["duplicates"]]), hide_index=True, width="stretch")
    if report.get("repairs"):
        with st.expander(f"Hình đã sửa bằng make_valid ({len(report['repairs'])})"):
            st.dataframe(pd.DataFrame(report["repairs"]), hide_index=True, width="stretch")


def _mapping_editor(report: dict) -> dict:
    """Editable table source column → canonical field; returns the user's corrections."""
    from cadastre.attributes import CANONICAL_FIELDS

    label_of = {code: f"{vi} ({code})" for code, vi in CANONICAL_FIELDS.items()}
    code_of = {label: code for code, label in label_of.items()}
    rows = []
    for layer, columns in report.get("source_columns", {}).items():
        mapping = report.get("mapping", {}).get(layer, {})
        rows += [{"Lớp": layer, "Cột trong tệp": source, "Trường": label_of.get(mapping.get(source, ""), "")}
                 for source in columns]
    if not rows:
        return {}
    st.subheader("Ánh xạ thuộc tính (sửa cột “Trường” nếu sai)")
    version = abs(hash(repr(rows))) % 10**8  # a new table (new check) gets a fresh editor state
    edited = st.data_editor(
        pd.DataFrame(rows), hide_index=True, key=f"{MAPPING_KEY}_{version}", disabled=["Lớp", "Cột trong tệp"],
        column_config={"Trường": st.column_config.SelectboxColumn(
            "Trường", options=[""] + list(label_of.values()), help="Để trống = bỏ qua cột này")},
    )
    corrections = {}
    for before, (_, after) in zip(rows, edited.iterrows()):
        if (after["Trường"] or "") != before["Trường"]:
            corrections[before["Cột trong tệp"]] = code_of.get(after["Trường"] or "", "")
    return corrections


def _versions(the_store, layer: str) -> None:
    with st.expander("Các phiên bản đã ghi (khôi phục được)"):
        try:
            versions = the_store.layer_versions(layer)
        except Exception:
            log.exception("layer_versions failed")
            st.info("Chưa đọc được danh sách phiên bản.")
            return
        if versions.empty:
            st.info("Chưa có phiên bản nào.")
            return
        st.dataframe(versions.drop(columns=[c for c in ("report",) if c in versions.columns]), hide_index=True,
                     width="stretch")
        choice = st.selectbox("Phiên bản cần khôi phục", versions["version"].tolist()[::-1], key=f"imp_restore_{layer}")
        if st.button("Khôi phục phiên bản này", key=f"imp_restore_btn_{layer}"):
            try:
                outcome = the_store.restore_layer(layer, int(choice), actor=auth.current_account(),
                                                  client_address=auth.client_address())
            except GpmbError as exc:
                st.error(exc.message_vi)
            except Exception as exc:
                log.exception("restore_layer failed")
                st.error(f"Không khôi phục được ({type(exc).__name__}); kho dữ liệu không thay đổi.")
            else:
                st.cache_data.clear()
                if outcome.executed:
                    st.success(f"Đã khôi phục phiên bản {choice} (thành phiên bản {outcome.result}).")
                else:
                    st.info(f"Đã ghi đề xuất khôi phục phiên bản {choice} (đề xuất số {outcome.proposal_id}): "
                            "chờ một tài khoản khác duyệt ở trang «Đề xuất chờ duyệt».")


def _profile_choice(the_store) -> str | None:
    """The source profile picked for this import (none by default: nothing saved applies unless picked)."""
    from cadastre.profiles import profile_names

    try:
        names = profile_names(the_store)
    except Exception:
        log.exception("source profiles unreadable")
        names = []
    choice = st.selectbox("Hồ sơ nguồn (ánh xạ thuộc tính đã lưu)", [NO_PROFILE, *names], key=PROFILE_KEY,
                          help="Chỉ áp dụng khi được chọn; báo cáo ghi rõ hồ sơ và phiên bản đã dùng.")
    return None if choice == NO_PROFILE else choice


def _save_profile_form(the_store, corrections: dict, base: str | None) -> None:
    """Save the corrections of this check as a named source profile (a new version; author and time kept)."""
    from cadastre.profiles import save_profile

    name = st.text_input("Lưu ánh xạ đã sửa thành hồ sơ nguồn, tên:", key=SAVE_PROFILE_KEY,
                         placeholder="ví dụ: VPĐK Lạng Sơn – Famis").strip()
    if st.button("Lưu hồ sơ nguồn", key=SAVE_PROFILE_BUTTON, disabled=not (name and corrections)):
        try:
            version = save_profile(the_store, name, corrections, base=base, actor=auth.current_account(),
                                   client_address=auth.client_address())
        except GpmbError as exc:
            st.error(markdown_text(exc.message_vi))
        else:
            st.success(markdown_text(f"Đã lưu hồ sơ nguồn «{name}», phiên bản {version}."))


def _change_set(the_store, result: dict, scope: str) -> dict:
    """The change set of this check for ``scope`` (computed once per scope by ``parcel_changes``)."""
    from cadastre.importer import parcel_changes

    cached = result.setdefault("changes", {})
    if scope not in cached:
        with progress_box("Đang lập danh sách thay đổi…", done_label="Đã lập danh sách thay đổi") as progress:
            cached[scope] = parcel_changes(the_store, result["prepared"], scope, progress=progress).to_dict()
    return cached[scope]


def _show_change_set(changes: dict) -> None:
    """Counts and the lists of removed, changed and added features (text cells are plain text, not markdown)."""
    from vocab.changes import CHANGE_COUNT_LABELS_VI, field_label, layer_label, measure_unit

    st.subheader(f"Thay đổi {layer_label(changes['layer'])} so với dữ liệu hiện có")
    key, unit = changes["key_column"], measure_unit(changes["layer"])
    figure = "Diện tích thu hồi (m²)" if changes["layer"] == "parcels" else f"Diện tích / chiều dài ({unit})"
    counts = changes["counts"]
    cols = st.columns(len(CHANGE_COUNT_LABELS_VI))
    for col, (name, label) in zip(cols, CHANGE_COUNT_LABELS_VI.items()):
        col.metric(label, fmt_number(counts[name]))
    for title, name in (("Bị xóa", "removed"), ("Thay đổi", "changed"), ("Thêm mới", "added")):
        rows = changes.get(name) or []
        if not rows:
            continue
        with st.expander(f"{title} ({fmt_number(len(rows))})", expanded=name == "removed"):
            table = [{"Mã": r[key], figure: r["area_m2"],
                      **({f"Trước ({unit})": r.get("area_before_m2"),
                          "Thay đổi": ", ".join(field_label(f) for f in r.get("fields", []))} if name == "changed" else {})}
                     for r in rows]
            st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")


def _register_match(the_store, result: dict) -> dict | None:
    """The register ↔ map match of this check (computed once per check), None without a households register."""
    from cadastre.register_match import import_register_match

    if "register_match" not in result:
        try:
            result["register_match"] = import_register_match(the_store, result["project_id"],
                                                             result["prepared"].parcels)
        except Exception:
            log.exception("register match failed")
            result["register_match"] = None
    return result["register_match"]


def _show_register_match(match: dict) -> None:
    """Figures and lists of the match (parcel numbers in tables, never markdown), every list downloadable."""
    from exports.register_match_tables import MATCH_LISTS, match_csv, match_figures, match_list, match_xlsx
    from vocab.people import REGISTER_MATCH_LIST_LABELS_VI

    st.subheader("Đối chiếu sổ hộ dân với bản đồ")
    figures = match_figures(match)
    for row in (figures[:4], figures[4:]):
        for col, (label, value) in zip(st.columns(4), row):
            col.metric(label, value)
    for name in MATCH_LISTS:
        keys = match[name]
        if not keys:
            continue
        with st.expander(f"{REGISTER_MATCH_LIST_LABELS_VI[name]} ({fmt_number(len(keys))})",
                         expanded=name == "register_only"):
            st.dataframe(match_list(match, name, MATCH_ROWS_SHOWN), hide_index=True, width="stretch")
            if len(keys) > MATCH_ROWS_SHOWN:
                st.caption(f"Hiện {fmt_number(MATCH_ROWS_SHOWN)} thửa đầu; tải tệp để xem đủ {fmt_number(len(keys))}.")
    left, right = st.columns(2)
    left.download_button("Tải danh sách đối chiếu (CSV)", match_csv(match), file_name="doi_chieu_so_ho.csv",
                         mime="text/csv", key="imp_match_csv")
    right.download_button("Tải danh sách đối chiếu (Excel)", match_xlsx(match, title="Đối chiếu sổ hộ dân với bản đồ"),
                          file_name="doi_chieu_so_ho.xlsx", key="imp_match_xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _project_layer_changes(the_store, result: dict, kind: str, project_id: str) -> None:
    """The change sets of a boundary (projects + parcels' area to recover) or alignment import."""
    from cadastre.project_layers import alignment_changes, boundary_changes

    if "changes" not in result:
        try:
            compute = boundary_changes if kind == "boundary" else alignment_changes
            result["changes"] = {n: c.to_dict() for n, c in compute(the_store, project_id, result["geometry"],
                                                                     result["report"]).items()}
        except GpmbError as exc:
            st.error(markdown_text(exc.message_vi))
            return
    for changes in result["changes"].values():
        _show_change_set(changes)


def _removal_confirmation(changes: dict, scope: str) -> tuple[int, bool]:
    """(count confirmed, may commit): removals need the user to type their count; none need nothing."""
    from vocab.changes import removal_confirmation_label

    removed = int(changes["counts"]["removed"])
    if not removed:
        return 0, True
    area = fmt_number(changes["counts"]["removed_area_m2"], 1)
    orphaned = changes["counts"]["orphaned_events"]
    st.warning(f"Lần nhập này **xóa {removed} thửa** đang có ({area} m² thu hồi); {orphaned} sự kiện trong sổ "
               "sẽ mất thửa (vẫn được giữ trong sổ). Xem danh sách «Bị xóa» ở trên.")
    typed = st.text_input(removal_confirmation_label(removed), key=f"{CONFIRM_KEY}_{scope}_{removed}").strip()
    return (int(typed) if typed.isdigit() else 0), typed == str(removed)


def _parcels_message(count: int, outcome) -> str:
    """What a parcel import did: written, or waiting for a second account because it removes parcels."""
    if outcome.executed:
        versions = outcome.result if isinstance(outcome.result, dict) else {"parcels": outcome.result}
        return f"Đã ghi {count} thửa (phiên bản {versions.get('parcels')})."
    return (f"Bản đồ mới xoá bớt thửa nên cần duyệt: đã ghi đề xuất số {outcome.proposal_id}, chờ một tài khoản "
            "khác duyệt ở trang «Đề xuất chờ duyệt». Kho dữ liệu chưa thay đổi.")


def render() -> None:
    """Draw the import page."""
    from cadastre.coords import crs_choices
    from cadastre.importer import CadastreImportError, ImportOptions, commit_parcels, prepare_parcels
    from cadastre.project_layers import (
        project_default_epsg,
        read_alignment,
        read_boundary,
        update_alignment,
        update_boundary,
    )
    from cadastre.readers import SUPPORTED_SUFFIXES

    st.title("Nhập bản đồ địa chính, chỉ giới, tim tuyến")
    the_store = state.store()
    projects = the_store.projects()
    kind = st.radio("Loại dữ liệu", list(KINDS), format_func=KINDS.get, horizontal=True, key=KIND_KEY)
    names = dict(zip(projects["project_id"], projects["name"]))
    project_id = st.selectbox("Dự án", list(names), format_func=lambda p: f"{p} – {names[p]}", key=PROJECT_KEY)
    uploads = file_uploader_vi(
        "Tệp (chọn cùng lúc các phần của shapefile .shp .shx .dbf .prj .cpg, hoặc một .zip)",
        types=[s.lstrip(".") for s in SUPPORTED_SUFFIXES] + [s.lstrip(".") for s in SIDE_FILES], accept_multiple_files=True,
        key=_uploader_key(), kinds="Shapefile, ZIP, GeoPackage, GeoJSON, KML/KMZ, DGN, DXF")
    paths, display, refused_path = _server_paths(auth.current_account())
    if refused_path:
        st.error(markdown_text(refused_path))
    choices = [(CRS_FROM_FILE, None)] + crs_choices()
    crs_label = st.selectbox("Hệ tọa độ (chỉ cần khi tệp không có .prj hoặc .prj sai)", [c[0] for c in choices],
                             key=CRS_KEY)
    user_epsg = dict(choices)[crs_label]
    commune = sheet = profile = None
    sliver = 1.0
    scope = "communes"
    if kind == "parcels":
        c1, c2, c3 = st.columns(3)
        commune = c1.text_input("Xã (đơn vị cũ) nếu tệp không có cột xã", key=COMMUNE_KEY,
                                placeholder="Xã Hợp Thành") or None
        sheet_value = c2.number_input("Số tờ nếu tệp không có cột số tờ (0 = không)", min_value=0, step=1, key=SHEET_KEY)
        sheet = int(sheet_value) or None
        sliver = float(c3.number_input("Ngưỡng mảnh vụn (m²)", min_value=0.0, value=1.0, step=0.5, key=SLIVER_KEY))
        scope = st.radio("Thay thế", ["communes", "project"], horizontal=True, key=SCOPE_KEY,
                         format_func={"communes": "chỉ các xã có trong tệp", "project": "toàn bộ thửa của dự án"}.get)
        profile = _profile_choice(the_store)

    if uploads:
        saved = _save_uploads(uploads)
        paths, display = paths + saved, display + [p.name for p in saved]
    else:
        session_files.clear_task(TEMP_TASK)

    # corrections made in the mapping table of the previous check (rendered below the report)
    corrections = st.session_state.get(CORRECTIONS_KEY, {}) if kind == "parcels" else {}
    recheck = st.session_state.pop(RECHECK_KEY, False)
    clicked = st.button("Kiểm tra", type="primary", key=CHECK_KEY, disabled=not paths)
    if clicked:  # a fresh check starts from the automatic mapping
        corrections = {}
        st.session_state[CORRECTIONS_KEY] = {}
    if clicked or (recheck and paths):
        try:
            if kind == "parcels":
                options = ImportOptions(project_id=project_id, crs=user_epsg, commune_former=commune, map_sheet=sheet,
                                        sliver_m2=sliver, mapping=corrections, profile=profile)
                with progress_box("Đang đọc và kiểm tra tệp thửa đất…", done_label="Đã kiểm tra xong") as progress:
                    prepared = prepare_parcels(paths, the_store, options, display_names=display, progress=progress)
                result = {"kind": kind, "report": prepared.report.to_dict(), "prepared": prepared}
            else:
                default_epsg = project_default_epsg(the_store, project_id)
                if kind == "boundary":
                    geom, report = read_boundary(paths, user_epsg=user_epsg, default_epsg=default_epsg)
                else:
                    geom, report = read_alignment(paths, user_epsg=user_epsg, default_epsg=default_epsg)
                result = {"kind": kind, "report": report, "geometry": geom}
            result["project_id"] = project_id
            st.session_state[RESULT_KEY] = result
        except (CadastreImportError, ValueError) as exc:
            log.info("import check refused: %s", exc)
            st.session_state.pop(RESULT_KEY, None)
            st.error(markdown_text(exc))
        except Exception as exc:
            log.exception("import check failed")
            st.session_state.pop(RESULT_KEY, None)
            st.error(f"Không đọc được tệp ({type(exc).__name__}). Chi tiết đã ghi vào nhật ký máy chủ.")

    result = st.session_state.get(RESULT_KEY)
    if result and result["kind"] == kind and result["project_id"] == project_id:
        import geopandas as gpd

        report = result["report"]
        boundary = projects[projects["project_id"] == project_id]
        if kind == "parcels":
            _report_tables(report)
            edited = _mapping_editor(report)
            st.session_state[CORRECTIONS_KEY] = {**st.session_state.get(CORRECTIONS_KEY, {}), **edited}
            if st.button("Áp dụng ánh xạ và kiểm tra lại", key="imp_recheck", disabled=not edited):
                st.session_state[RECHECK_KEY] = True
                st.rerun()
            _save_profile_form(the_store, st.session_state.get(CORRECTIONS_KEY, {}), profile)
            prepared = result["prepared"]
            layers = [("Chỉ giới GPMB hiện có", boundary, "#d32f2f"), ("Thửa sẽ nhập", prepared.parcels, "#1565c0"),
                      ("Thửa bị loại", prepared.rejected, "#ff8f00")]
        else:
            for c in report.get("crs", []):
                st.write(f"Hệ tọa độ {markdown_text(c['file'])}: EPSG:{c['epsg']} – {markdown_text(c['reason'])}")
            for warning in report.get("warnings", []):
                st.warning(markdown_text(warning))
            new = gpd.GeoDataFrame({"row": ["mới"]}, geometry=[result["geometry"]], crs=9215)
            if kind == "boundary":
                st.metric("Diện tích chỉ giới mới (m²)", fmt_number(report["area_m2"], 1))
            else:
                st.metric("Chiều dài tim tuyến (m)", fmt_number(report["length_m"], 1))
            _project_layer_changes(the_store, result, kind, project_id)
            layers = [("Chỉ giới GPMB hiện có", boundary, "#9e9e9e"), ("Dữ liệu mới", new, "#1565c0")]
        st.subheader("Xem trước trên bản đồ")
        try:
            _show_html(sandboxed_document(preview_map_html(layers)))
        except Exception:
            log.exception("preview map failed")
            st.info("Không vẽ được bản đồ xem trước.")
        can_commit = kind != "parcels" or not result["prepared"].parcels.empty
        confirmed = 0
        if kind == "parcels" and can_commit:
            try:
                changes = _change_set(the_store, result, scope)
            except GpmbError as exc:
                st.error(markdown_text(exc.message_vi))
                can_commit = False
            else:
                _show_change_set(changes)
                confirmed, can_commit = _removal_confirmation(changes, scope)
        match = _register_match(the_store, result) if kind == "parcels" and not result["prepared"].parcels.empty \
            else None
        if match is not None:
            _show_register_match(match)
        if st.button("Ghi vào kho dữ liệu", key=COMMIT_KEY, disabled=not can_commit):
            try:
                who = {"actor": auth.current_account(), "client_address": auth.client_address()}
                if kind == "parcels":
                    with progress_box("Đang ghi thửa đất…", done_label="Đã ghi xong") as progress:
                        outcome = commit_parcels(the_store, result["prepared"], scope=scope,
                                                 confirm_removed=confirmed, progress=progress, **who)
                    message = _parcels_message(len(result["prepared"].parcels), outcome)
                    if match is not None and outcome.executed:
                        from exports.register_match_tables import match_next_step

                        message = " ".join(filter(None, (message, match_next_step(match))))
                elif kind == "boundary":
                    out = update_boundary(the_store, project_id, result["geometry"], report, **who)
                    message = (f"Đã ghi chỉ giới (phiên bản {out['projects_version']}); "
                               f"{out['parcels_zeroed']} thửa nay nằm ngoài chỉ giới.")
                else:
                    version = update_alignment(the_store, project_id, result["geometry"], report, **who)
                    message = f"Đã ghi tim tuyến (phiên bản {version})."
            except GpmbError as exc:
                st.error(markdown_text(exc.message_vi))
            except (CadastreImportError, ValueError) as exc:
                st.error(markdown_text(exc))
            except Exception as exc:
                log.exception("import commit failed")
                st.error(f"Không ghi được; kho dữ liệu không thay đổi ({type(exc).__name__}).")
            else:
                _finish()
                st.cache_data.clear()
                st.success(message)
        if st.button("Hủy", key=CANCEL_KEY):
            _finish()
            st.rerun()
    _versions(the_store, {"parcels": "parcels", "boundary": "projects", "alignment": "centrelines"}[kind])
