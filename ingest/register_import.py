"""Import a people-side register file into the store: validate, report, commit once (or not at all).

Kinds (``domain.people.IMPORT_KINDS``): ``households``, ``plans``, ``payments``, ``refusals`` (mời nhận
tiền lần 1/2/3, gửi tiền vào tài khoản tạm giữ), ``transfers`` (the investor's fund transfers), ``complaints``, ``lots``
(a template of :mod:`exports.register_templates`, rows checked by :mod:`ingest.register_rows`), ``areas``
(resettlement areas with their boundary: a CSV/XLSX with a WKT column, or a GeoJSON / GeoPackage / zipped
shapefile read by the ``read_geo`` the caller passes, :func:`cadastre.resettlement_areas.read_area_file`;
:mod:`ingest.area_rows`; a new construction percent of an area is a new version of its row) and
``matrix`` (the household × step matrix, :mod:`ingest.register_matrix`: household rows plus ledger events
for the matched parcels, :mod:`ingest.matrix_events`, and its steps sheet as the project's procedure plan,
the ``procedure`` register, in the same upload). Same guarantees as field counts: row-level
Vietnamese problems (row, column, expectation); a file with any invalid row is rejected whole unless
``skip_invalid``; one transaction; the same content imported again adds nothing; the import is an upload
(``cli.py revert`` takes it back). The report never carries personal data (no names, ID numbers, phones).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from domain import office_time
from domain.crs import STORE_EPSG
from domain.errors import GpmbError
from domain.people import CLOSED_COMPLAINT_STATUSES, IMPORT_KINDS, REGISTER_COLUMNS
from domain.progress import REGISTER_IMPORT_STEPS, Progress, step
from domain.roles import Account, AccountDisabledError, require
from ingest.area_rows import area_checks, area_geometries, is_geo_file, lower_percent_notes, project_epsg
from ingest.matrix_events import matrix_rows
from ingest.read import IngestError
from ingest.register_file import MAX_FILE_BYTES, read_register_file
from ingest.register_matrix import read_register_matrix
from ingest.register_rows import REGISTERS, validate_register
from ingest.register_scope import check_kind, is_commune_scoped, outside_communes, refusal_vi
from ingest.report import RowProblem
from parsing.limits import InputLimitError
from vocab.format import fmt_number


@dataclass
class RegisterImportResult:
    """Outcome of :func:`import_register`; ``status`` committed | nothing_new | dry_run | rejected | refused."""

    status: str
    message_vi: str
    kind: str
    file_name: str
    project_id: str | None = None
    file_sha256: str | None = None
    rows: int = 0
    rows_valid: int = 0
    households: int = 0
    parcel_tokens: int = 0
    parcels_distinct: int = 0
    area_m2_total: float = 0.0
    amount_vnd_total: float = 0.0
    mapping: dict[str, str | None] = field(default_factory=dict)
    profile: str | None = None
    counts_per_stage: dict[str, int] = field(default_factory=dict)
    unmapped_columns: list[str] = field(default_factory=list)
    parcels_matched: int = 0
    parcels_unmatched: list[str] = field(default_factory=list)
    parcels_ambiguous: list[str] = field(default_factory=list)
    events: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    procedure_steps: int = 0
    procedure: pd.DataFrame | None = field(default=None, repr=False)
    upload_id: int | None = None
    rows_added: int = 0
    rows_changed: int = 0
    rows_unchanged: int = 0
    events_added: int = 0

    @property
    def exit_code(self) -> int:
        """0 committed, nothing new or a clean dry run; 1 rejected or refused."""
        return 0 if self.status in ("committed", "nothing_new") or (self.status == "dry_run" and not self.problems) \
            else 1

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``cli.py import-register --json``): every field, problems as row/column/message/value."""
        out = {k: v for k, v in self.__dict__.items() if k not in ("problems", "procedure")}
        out["problems"] = [{"row": p.row, "column": p.column, "message_vi": p.message_vi, "value": p.value}
                           for p in self.problems]
        out["exit_code"] = self.exit_code
        return out


def _problem_rows(problems: list[RowProblem]) -> set[int]:
    return {p.row for p in problems}


def _project_checks(kind: str, valid: pd.DataFrame, project_id: str, store) -> list[RowProblem]:
    """Rows naming another project, lots of an area that is not the project's."""
    headers = {f.column: f.header_vi for f in REGISTERS.get(kind, ())}
    problems = []
    if "project_id" in valid.columns:
        problems += [RowProblem(int(r), headers["project_id"], f"cần mã dự án {project_id} (--project)", str(v))
                     for r, v in valid["project_id"].items() if v != project_id]
    if kind == "lots":
        areas = set(store.resettlement_areas(project_id)["area_id"])
        problems += [RowProblem(int(r), headers["area_id"], "không có khu tái định cư này trong dự án "
                                f"(có: {', '.join(sorted(areas)) or 'chưa có khu nào'})", str(v))
                     for r, v in valid["area_id"].items() if v not in areas]
    if kind == "refusals":
        planned = set(store.register("plans", project_id=project_id)["household_id"])
        problems += [RowProblem(int(r), headers["household_id"], "hộ này chưa có phương án bồi thường trong dự án "
                                "(nhập sổ phương án trước)", str(v))
                     for r, v in valid["household_id"].items() if v not in planned]
    if kind == "complaints":
        problems += [RowProblem(int(r), headers["closed_date"], "đơn đã kết thúc (giải quyết / rút / chuyển) cần "
                                "ngày kết thúc hoặc ngày công khai kết quả")
                     for r, row in valid.iterrows() if row["status"] in CLOSED_COMPLAINT_STATUSES
                     and pd.isna(row["closed_date"]) and pd.isna(row["published_date"])]
    return problems


def _fill_rows(kind: str, valid: pd.DataFrame, project_id: str, commune: str | None, store) -> pd.DataFrame:
    rows = valid.copy()
    if kind in ("households", "complaints"):
        rows["project_id"] = project_id
    if kind == "complaints":
        homes = store.register("households", project_id=project_id).set_index("household_id")["commune"]
        if commune:
            rows["commune"] = rows["commune"].fillna(commune)
        if len(homes):
            rows["commune"] = rows["commune"].fillna(rows["household_id"].map(homes))
        rows["closed_date"] = rows["closed_date"].where(rows["closed_date"].notna(), rows["published_date"]).where(
            rows["status"].isin(CLOSED_COMPLAINT_STATUSES))
    return rows.reindex(columns=list(REGISTER_COLUMNS[kind]))


def _read_table_kind(data: bytes, kind: str, project_id: str, commune: str | None, store, result, *,
                     actor: Account, progress: Progress | None) -> pd.DataFrame:
    raw = read_register_file(data, kind)
    step(progress, REGISTER_IMPORT_STEPS, "check")
    if commune and kind in ("households", "complaints"):
        header = next(f.header_vi for f in REGISTERS[kind] if f.column == "commune")
        raw[header] = raw[header].fillna(commune) if header in raw else commune
    valid, problems = validate_register(kind, raw)
    problems += _project_checks(kind, valid, project_id, store)
    valid = valid[~valid.index.isin(_problem_rows(problems))]
    # a commune officer's rows of other communes: listed by row here, refused whole by the store
    problems += outside_communes(kind, _fill_rows(kind, valid, project_id, commune, store), actor, store, project_id)
    bad = _problem_rows(problems)
    valid = valid[~valid.index.isin(bad)]
    result.rows, result.rows_valid, result.problems = len(raw), len(valid), sorted(problems, key=lambda p: p.row)
    if "household_id" in valid:
        result.households = int(valid["household_id"].nunique())
    if kind == "complaints":
        tokens = [p for keys in valid["parcels"] for p in keys]
        result.parcel_tokens, result.parcels_distinct = len(tokens), len(set(tokens))
    if kind == "lots":
        result.area_m2_total = float(valid["area_m2"].sum())
    if kind == "transfers":
        result.amount_vnd_total = float(valid["amount_vnd"].sum())
    return _fill_rows(kind, valid, project_id, commune, store)


def _read_areas(data: bytes, name: str, project_id: str, store, result, *, today: date, read_geo,
                user_epsg: int | None, progress: Progress | None = None) -> pd.DataFrame:
    """The ``areas`` rows of a CSV/XLSX (WKT column) or of a map file, checked, boundaries in EPSG:9215."""
    default_epsg = project_epsg(store, project_id)
    epsg = None
    if is_geo_file(name):
        if read_geo is None:
            raise IngestError("Tệp bản đồ (GeoJSON, GeoPackage, shapefile nén .zip) chưa đọc được ở đây: dùng "
                              "cli.py import-register, hoặc bảng CSV/XLSX có cột «Ranh giới khu (WKT)».")
        try:
            raw, geo_report = read_geo(data, name, user_epsg=user_epsg, default_epsg=default_epsg)
        except GpmbError as exc:   # the map readers' CadastreImportError: a file refused whole
            raise IngestError(exc.message_vi) from exc
        result.notes += [c["reason"] for c in geo_report["crs"]] + list(geo_report["warnings"])
        epsg = STORE_EPSG
    else:
        raw = read_register_file(data, "areas")
    step(progress, REGISTER_IMPORT_STEPS, "check")
    valid, problems = validate_register("areas", raw)
    valid["project_id"] = valid["project_id"].fillna(project_id)
    problems += _project_checks("areas", valid, project_id, store) + area_checks(valid, today)
    valid = valid[~valid.index.isin(_problem_rows(problems))]
    valid, geo_problems, notes, area_m2 = area_geometries(valid, epsg=epsg, user_epsg=user_epsg,
                                                          default_epsg=default_epsg)
    result.notes += notes + lower_percent_notes(valid, store.register("areas"))
    result.rows, result.rows_valid = len(raw), len(valid)
    result.problems = sorted(problems + geo_problems, key=lambda p: p.row)
    result.area_m2_total = area_m2
    return valid.reindex(columns=list(REGISTER_COLUMNS["areas"]))


def procedure_rows(procedure: pd.DataFrame, mapping: dict, project_id: str) -> pd.DataFrame:
    """The steps sheet (:func:`ingest.register_matrix.read_steps_sheet`) as rows of the ``procedure`` register:
    ``step_code`` (C001…), name, legal basis, bodies, ``min_days``, planned and actual dates, and ``stage`` (the
    step's target in ``mapping``: a stage, ``flag:<flag>``, or None). A code listed twice keeps its first row."""
    rows = procedure.rename(columns={"code": "step_code"}).drop_duplicates("step_code").assign(project_id=project_id)
    rows["stage"] = rows["step_code"].map(lambda code: mapping.get(code))
    return rows.reindex(columns=list(REGISTER_COLUMNS["procedure"])).reset_index(drop=True)


def _read_matrix(data: bytes, project_id: str, commune: str | None, store, result, *, today: date,
                 mapping: dict | None, file_name: str, progress: Progress | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    report = read_register_matrix(data, today=today, mapping=mapping)
    step(progress, REGISTER_IMPORT_STEPS, "check")  # the cells are read and checked; matching to the map
    result.rows, result.households = report.rows, report.households
    result.parcel_tokens, result.parcels_distinct = report.parcel_tokens, report.parcels_distinct
    result.area_m2_total, result.mapping = report.area_m2_total, dict(report.mapping)
    result.counts_per_stage, result.unmapped_columns = dict(report.counts_per_stage), list(report.unmapped_columns)
    result.problems, result.notes = list(report.problems), list(report.notes)
    bad = _problem_rows(report.problems)
    report.table = report.table[~report.table.index.isin(bad)]
    result.rows_valid = len(report.table)
    result.procedure = procedure_rows(report.procedure, result.mapping, project_id)
    result.procedure_steps = len(result.procedure)
    made = matrix_rows(report, store.parcels(project_id), project_id=project_id, commune=commune, today=today,
                       note=f"Sổ hộ × bước: {file_name}")
    result.parcels_matched, result.parcels_unmatched = len(made.matched), made.unmatched
    result.parcels_ambiguous, result.events = made.ambiguous, len(made.events)
    if made.undated:
        result.notes.append(f"{made.undated} thửa đạt giai đoạn mà tệp không ghi ngày: ghi theo ngày nhập {today:%d/%m/%Y}.")
    if made.unmatched or made.ambiguous:
        result.notes.append(f"{len(made.unmatched)} số thửa không có trong bản đồ địa chính của dự án, "
                            f"{len(made.ambiguous)} số thửa trùng ở nhiều tờ: chỉ ghi vào sổ hộ, không ghi tiến độ.")
    return made.households, made.events


def _check_actor(actor: Account, commune: str | None) -> None:
    """Refuse an account that may not import; a commune officer without ``commune`` passes (his rows are
    checked one by one, :mod:`ingest.register_scope`, and again by the store)."""
    if is_commune_scoped(actor) and not commune:
        if not actor.active:
            raise AccountDisabledError(actor.username)
        return
    require(actor, "upload_counts", commune if is_commune_scoped(actor) else None)


def import_register(path: str | Path | bytes, store, *, kind: str, project_id: str, actor: Account,
                    commune: str | None = None, profile: str | None = None, mapping: dict | None = None,
                    dry_run: bool = False, skip_invalid: bool = False, file_name: str | None = None,
                    source: str = "cli", today: date | None = None, client_address: str | None = None,
                    progress: Progress | None = None, read_geo=None,
                    user_epsg: int | None = None) -> RegisterImportResult:
    """Validate a register file of ``kind`` for ``project_id`` and commit it as one upload (see module docstring).

    Parameters
    ----------
    path : path or bytes
        The file (bytes: give ``file_name``).
    store : store.Store
    kind : str
        One of :data:`domain.people.IMPORT_KINDS`.
    actor : Account
        Needs ``upload_counts`` (checked again by the store, with a commune officer's communes).
    commune : str, optional
        Fills a blank commune; for the matrix, also narrows the parcels matched.
    profile : str, optional
        Matrix only: the saved step → stage mapping to start from; saved (with ``mapping`` applied) on commit.
    mapping : dict, optional
        Matrix only: step code → stage | ``flag:<flag>`` | None, over the profile or the proposal.
    today : date, optional
        Dates after it are refused; default ``office_time.today()``.
    read_geo : callable, optional
        ``areas`` only: the reader of map files, ``read_geo(data, file_name, user_epsg=, default_epsg=) ->
        (raw rows, report)`` (:func:`cadastre.resettlement_areas.read_area_file`; the cadastral readers are not
        ingest's to import). Without it a map file is refused with a message; a CSV/XLSX needs none.
    user_epsg : int, optional
        ``areas`` only: the CRS of coordinates in metres when the file declares none (``--crs``).
    progress : callable, optional
        Told each step of :data:`domain.progress.REGISTER_IMPORT_STEPS` as it starts (``commit`` only when writing).

    A commune officer's rows of other communes are problems of their rows (:mod:`ingest.register_scope`);
    a matrix without ``commune`` is refused whole for him.

    Returns
    -------
    RegisterImportResult
        Never raises for a bad file (``status="refused"`` with the reason).

    Raises
    ------
    domain.roles.PermissionDeniedError, AccountDisabledError
        ``actor`` may not import (nothing read); a commune officer lots or transfers
        (:class:`ingest.register_scope.NoCommuneRegisterError`).
    """
    _check_actor(actor, commune)
    check_kind(kind, actor)
    today = today or office_time.today()
    if isinstance(path, bytes):
        data, name = path, file_name or "tep"
    else:
        data, name = Path(path).read_bytes(), file_name or Path(path).name
    result = RegisterImportResult("refused", "", kind, name, project_id, hashlib.sha256(data).hexdigest(),
                                  profile=profile)
    if kind not in IMPORT_KINDS:
        result.message_vi = f"Loại sổ không hợp lệ: {kind!r} ({', '.join(IMPORT_KINDS)})."
        return result
    if project_id not in set(store.projects()["project_id"]):
        result.message_vi = f"Không có dự án «{project_id}» trong kho dữ liệu."
        return result
    if len(data) > MAX_FILE_BYTES:  # the matrix reader has no size check of its own
        result.message_vi = (f"Tệp quá lớn ({fmt_number(len(data) / (1024 * 1024), 1)} MB; tối đa "
                             f"{MAX_FILE_BYTES // (1024 * 1024)} MB). Hãy tách thành nhiều tệp nhỏ hơn.")
        return result
    if refused := refusal_vi(kind, actor, commune):
        result.message_vi = refused
        return result
    events = None
    step(progress, REGISTER_IMPORT_STEPS, "read")
    try:
        if kind == "matrix":
            used = {**((store.register_profile(profile) or {}) if profile else {}), **(mapping or {})}
            rows, events = _read_matrix(data, project_id, commune, store, result, today=today, mapping=used or None,
                                        file_name=name, progress=progress)
            register = "households"
        elif kind == "areas":
            rows, register = _read_areas(data, name, project_id, store, result, today=today, read_geo=read_geo,
                                         user_epsg=user_epsg, progress=progress), kind
        else:
            rows = _read_table_kind(data, kind, project_id, commune, store, result, actor=actor, progress=progress)
            register = kind
    except (IngestError, InputLimitError) as exc:  # a zip bomb or an oversized sheet: refused like a bad file
        result.message_vi = exc.message_vi
        return result
    return _finish(result, store, register, rows, events, actor=actor, dry_run=dry_run, skip_invalid=skip_invalid,
                   source=source, client_address=client_address, progress=progress)


def _finish(result, store, register, rows, events, *, actor, dry_run, skip_invalid, source, client_address,
            progress=None):
    n_bad = result.rows - result.rows_valid
    if dry_run:
        result.status = "dry_run"
        result.message_vi = (f"Kiểm tra xong: {result.rows_valid}/{result.rows} dòng hợp lệ"
                             + (f", {n_bad} dòng có lỗi" if n_bad else "") + "; chưa ghi gì (--dry-run).")
        return result
    if result.problems and not skip_invalid:
        result.status = "rejected"
        result.message_vi = (f"Tệp bị từ chối: {n_bad} dòng có lỗi (xem danh sách); chưa ghi gì. "
                             "Sửa tệp, hoặc dùng --skip-invalid để chỉ ghi các dòng hợp lệ.")
        return result
    if rows.empty and (events is None or events.empty):
        result.status, result.message_vi = "rejected", "Không có dòng hợp lệ nào để ghi."
        return result
    step(progress, REGISTER_IMPORT_STEPS, "commit")
    extra = None
    if result.procedure is not None and len(result.procedure):
        if actor.role == "commune_officer":  # the project's plan is not one commune's to write
            result.notes.append("Trang danh sách bước (kế hoạch thủ tục của dự án) không được ghi: cần tài khoản "
                                "cấp dự án; các hộ và tiến độ vẫn được ghi.")
        else:
            extra = {"procedure": result.procedure}
    written = store.commit_register(register, rows, actor=actor, file_name=result.file_name,
                                    file_sha256=result.file_sha256, rows_read=result.rows, project_id=result.project_id,
                                    events=events, source=source, client_address=client_address, extra=extra,
                                    kind=result.kind)
    if result.kind == "matrix" and result.profile:
        store.save_register_profile(result.profile, result.mapping, actor=actor, client_address=client_address)
    result.upload_id = written.upload_id
    result.rows_added, result.rows_changed = written.rows_added, written.rows_changed
    result.rows_unchanged, result.events_added = written.rows_unchanged, written.events_added
    if not written.created:
        result.status = "nothing_new"
        result.message_vi = ("Nội dung này đã được nhập trước đây" + (f" (lần tải {written.upload_id})"
                                                                     if written.upload_id else "")
                             + ": không ghi thêm gì.")
        return result
    result.status = "committed"
    result.message_vi = (f"Đã ghi lần tải {written.upload_id}: {written.rows_added} dòng mới, {written.rows_changed} "
                         f"dòng cập nhật, {written.rows_unchanged} dòng không đổi, {written.events_added} sự kiện tiến độ.")
    return result
