"""Tables of the page «Nhập sổ hộ dân, đơn thư» from a :class:`ingest.register_import.RegisterImportResult`.

Plain functions (no Streamlit): figures as (label, text) pairs, problems by row, households per stage, the
step → stage mapping as an editable table and back, the register imports of the store. Codes become
Vietnamese words (``vocab``); cell text from the file stays a table cell (never Markdown).
"""
from __future__ import annotations

import pandas as pd

from domain.stages import FLAGS, STAGES
from ingest.step_stages import propose_step_mapping
from vocab.format import fmt_m2, fmt_number
from vocab.labels import FLAG_LABELS_VI, stage_label
from vocab.people import RECORDED_KIND_LABELS_VI

#: The choice meaning "this step sets nothing".
NO_TARGET_VI = "— (không ánh xạ)"
MAPPING_COLUMNS_VI = ("Mã bước", "Tên bước", "Đề xuất theo tên bước", "Ánh xạ")
PROBLEM_COLUMNS_VI = ("Dòng", "Cột", "Giá trị", "Lỗi")


def kind_label(kind: str | None) -> str:
    """The words of a recorded import kind (``register_imports.kind``): «Bảng theo dõi hộ × bước thủ tục» for a
    matrix (recorded in the households register), «Không rõ» when unknown or missing."""
    return RECORDED_KIND_LABELS_VI.get(kind or "", RECORDED_KIND_LABELS_VI["unknown"])


def target_label(target: str | None) -> str:
    """``"approved"`` → the stage's words; ``"flag:enforced"`` → ``"Nhánh: Cưỡng chế"``; None → :data:`NO_TARGET_VI`."""
    if target is None:
        return NO_TARGET_VI
    if target.startswith("flag:"):
        return "Nhánh: " + FLAG_LABELS_VI.get(target.removeprefix("flag:"), target)
    return stage_label(target)


def mapping_choices() -> dict[str, str | None]:
    """Label → target of every choice of the mapping table: the stages after ``not_started``, the branch
    flags (``flag:<flag>``, the complaint flag left out: letters come from their own register), none."""
    targets = [*STAGES[1:], *(f"flag:{f}" for f in FLAGS if f != "complaint"), None]
    return {target_label(t): t for t in targets}


def _step_names(result) -> dict[str, str]:
    procedure = result.procedure
    if procedure is None or procedure.empty:
        return {}
    return dict(zip(procedure["step_code"], procedure["name"].fillna("").astype(str), strict=True))


def mapping_frame(result) -> pd.DataFrame:
    """One row per step column of the matrix (file order): code, name (steps sheet), the target proposed from the
    name (:func:`ingest.step_stages.propose_step_mapping`) and the target used (profile and edits applied)."""
    names = _step_names(result)
    proposed = propose_step_mapping(names)
    codes = list(result.mapping)
    return pd.DataFrame({
        MAPPING_COLUMNS_VI[0]: codes,
        MAPPING_COLUMNS_VI[1]: [names.get(c, "") for c in codes],
        MAPPING_COLUMNS_VI[2]: [target_label(proposed.get(c)) for c in codes],
        MAPPING_COLUMNS_VI[3]: [target_label(result.mapping[c]) for c in codes],
    })


def mapping_from_frame(frame: pd.DataFrame) -> dict[str, str | None]:
    """The mapping (code → stage | ``flag:<flag>`` | None) of an edited :func:`mapping_frame`.

    Raises
    ------
    ValueError
        A cell of «Ánh xạ» that is not one of :func:`mapping_choices` (a blank cell is none).
    """
    choices = mapping_choices()
    out: dict[str, str | None] = {}
    for code, label in zip(frame[MAPPING_COLUMNS_VI[0]], frame[MAPPING_COLUMNS_VI[3]], strict=True):
        text = "" if label is None or (isinstance(label, float) and pd.isna(label)) else str(label)
        if text and text not in choices:
            raise ValueError(f"bước {code}: «{text}» không phải giai đoạn hay nhánh hợp lệ")
        out[str(code)] = choices.get(text) if text else None
    return out


def summary_figures(result) -> list[tuple[str, str]]:
    """(label, value) of the preview cards: rows, valid rows, households, parcels, area; matrix: parcels matched,
    progress events, procedure steps; transfers: the amount."""
    figures = [("Dòng đọc được", fmt_number(result.rows)), ("Dòng hợp lệ", fmt_number(result.rows_valid)),
               ("Dòng có lỗi", fmt_number(result.rows - result.rows_valid)), ("Số hộ", fmt_number(result.households))]
    if result.kind in ("matrix", "complaints"):
        figures.append(("Số thửa (ghi / khác nhau)",
                        f"{fmt_number(result.parcel_tokens)} / {fmt_number(result.parcels_distinct)}"))
    if result.kind in ("matrix", "lots"):
        figures.append(("Diện tích", fmt_m2(result.area_m2_total, 1)))
    if result.kind == "transfers":
        figures.append(("Kinh phí đã chuyển (đ)", fmt_number(result.amount_vnd_total)))
    if result.kind == "matrix":
        figures += [("Thửa khớp bản đồ", fmt_number(result.parcels_matched)),
                    ("Sự kiện tiến độ", fmt_number(result.events)),
                    ("Bước thủ tục (trang danh sách bước)", fmt_number(result.procedure_steps))]
    return figures


def stage_counts_frame(result) -> pd.DataFrame:
    """Households per stage (matrix), every stage in order: ``Giai đoạn``, ``Số hộ``."""
    return pd.DataFrame({"Giai đoạn": [stage_label(s) for s in STAGES],
                         "Số hộ": [int(result.counts_per_stage.get(s, 0)) for s in STAGES]})


def matching_frame(result) -> pd.DataFrame:
    """The matrix's parcel keys not matched to the project's cadastral map: ``Số thửa``, ``Lý do``."""
    rows = [(k, "không có trong bản đồ địa chính của dự án") for k in result.parcels_unmatched]
    rows += [(k, "trùng số thửa ở nhiều tờ bản đồ (chọn xã để phân biệt)") for k in result.parcels_ambiguous]
    return pd.DataFrame(rows, columns=["Số thửa", "Lý do"])


def problems_frame(result) -> pd.DataFrame:
    """The problems by row: ``Dòng``, ``Cột``, ``Giá trị``, ``Lỗi`` (cell text as it is, for a table)."""
    return pd.DataFrame([(p.row, p.column, p.value, p.message_vi) for p in result.problems],
                        columns=list(PROBLEM_COLUMNS_VI))


def written_figures(result) -> list[tuple[str, str]]:
    """(label, value) of a commit's outcome: rows added, changed, unchanged, progress events added."""
    return [("Dòng mới", fmt_number(result.rows_added)), ("Dòng cập nhật", fmt_number(result.rows_changed)),
            ("Dòng không đổi", fmt_number(result.rows_unchanged)),
            ("Sự kiện tiến độ thêm", fmt_number(result.events_added))]


def imports_frame(imports: pd.DataFrame) -> pd.DataFrame:
    """:meth:`store.people.PeopleStore.register_imports` for the page, newest first, times in Vietnam time;
    «Sổ» says the import kind (:func:`kind_label`), not the register it was recorded in."""
    times = pd.to_datetime(imports["uploaded_at"], utc=True)
    return pd.DataFrame({
        "Lần tải": imports["upload_id"].astype(int),
        "Thời điểm (giờ VN)": [t.tz_convert("Asia/Ho_Chi_Minh").strftime("%d/%m/%Y %H:%M") if not pd.isna(t) else ""
                               for t in times],
        "Người nhập": imports["uploaded_by"].fillna("").astype(str),
        "Tệp": imports["file_name"].fillna("").astype(str),
        "Sổ": [kind_label(k) for k in imports["kind"]],
        "Dự án": imports["project_id"].fillna("").astype(str),
        "Dòng mới": imports["rows_added"].astype(int),
        "Dòng cập nhật": imports["rows_changed"].astype(int),
        "Sự kiện tiến độ": imports["events_added"].astype(int),
        "Trạng thái": ["Đã hoàn tác" if r else "Đang dùng" for r in imports["reverted"]],
    }).iloc[::-1].reset_index(drop=True)


def revertable_labels(imports: pd.DataFrame) -> dict[int, str]:
    """Upload id → label of the register imports not reverted, newest first."""
    live = imports[~imports["reverted"].astype(bool)].iloc[::-1]
    return {int(r.upload_id): f"Lần {int(r.upload_id)} – {kind_label(r.kind)} – {r.file_name}"
            for r in live.itertuples()}


def earlier_upload_of_file(imports: pd.DataFrame, uploads: pd.DataFrame, file_sha256: str) -> int | None:
    """The latest register import not reverted whose file had exactly these bytes (``uploads.file_sha256``), or None.

    A hint for the preview only: the store decides by the content (rows, events, mapping), so the same file with
    another mapping or commune may still add rows.
    """
    live = set(imports.loc[~imports["reverted"].astype(bool), "upload_id"].astype(int))
    same = uploads[(uploads["file_sha256"] == file_sha256) & uploads["upload_id"].astype(int).isin(live)]
    return None if same.empty else int(same["upload_id"].max())
