"""Import one field-count file: read → validate → commit the valid rows or none, explicitly.

The one function the CLI (``import-counts``) and the upload page both call, so they cannot disagree.
The acting account is checked here, below both views: a role without ``upload_counts`` is refused
before the file is read; a ``commune_officer``'s rows of other communes become row problems
(column ``Xã``) like any other invalid row (:func:`restrict_to_communes`), and an account's rows of
projects of other units likewise (column ``Dự án``, :func:`restrict_to_units`); the store checks again.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from domain import office_time
from domain.progress import IMPORT_COUNTS_STEPS, Progress, step
from domain.roles import PERMISSIONS, SCOPE_OWN_COMMUNES, Account, allows, require, unit_scope
from ingest.read import IngestError, RawTable, csv_bounded, read_table
from ingest.report import RowProblem
from ingest.validate import ValidationReport, validate
from parsing.limits import InputLimitError, run_with_time_limit
from store.ledger import event_communes

if TYPE_CHECKING:
    from store.protocol import StoreReader
    from store.store import Store

log = logging.getLogger(__name__)

#: Import outcomes: ``committed`` (a new upload; rows already recorded are listed in ``duplicates``),
#: ``nothing_new`` (same file bytes already uploaded, or every valid row's content already in the
#: ledger), ``dry_run`` (validated, nothing written), ``rejected`` (invalid rows and no
#: ``skip_invalid``, or no valid row), ``refused`` (the file itself could not be read).
STATUSES = ("committed", "nothing_new", "dry_run", "rejected", "refused")


#: Row numbers named in a one-line summary (the JSON report and the page list them all).
MAX_NAMED_ROWS = 20


@dataclass(frozen=True)
class DuplicateRow:
    """A valid row of the file that is not committed because its content is already recorded.

    ``row`` is the row as numbered in Excel; ``where`` is ``ledger`` (an earlier upload, ``upload_id``)
    or ``file`` (a repeat of the file's row ``same_as_row``).
    """

    row: int
    where: str
    upload_id: int | None = None
    same_as_row: int | None = None


def duplicate_rows(duplicates, excel_rows) -> list[DuplicateRow]:
    """The store's :class:`store.errors.Duplicates` (positions) as rows numbered as in Excel."""
    rows = list(excel_rows)
    out = [DuplicateRow(int(rows[p]), "ledger", upload_id=int(u)) for p, u in duplicates.in_ledger]
    out += [DuplicateRow(int(rows[p]), "file", same_as_row=int(rows[q])) for p, q in duplicates.in_file]
    return sorted(out, key=lambda d: d.row)


def duplicates_dict(rows: list[DuplicateRow]) -> dict[str, Any]:
    """JSON form: ``in_ledger``, ``in_file`` (counts) and ``rows`` (every duplicate row)."""
    return {"in_ledger": sum(d.where == "ledger" for d in rows), "in_file": sum(d.where == "file" for d in rows),
            "rows": [asdict(d) for d in rows]}


def _named(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:MAX_NAMED_ROWS])
    return shown + (f" … (và {len(rows) - MAX_NAMED_ROWS} dòng khác)" if len(rows) > MAX_NAMED_ROWS else "")


def duplicates_summary_vi(rows: list[DuplicateRow]) -> str:
    """One Vietnamese sentence: how many rows were already recorded and where ("" when none)."""
    ledger = [d for d in rows if d.where == "ledger"]
    repeated = [d for d in rows if d.where == "file"]
    parts = []
    if ledger:
        uploads = ", ".join(str(u) for u in sorted({d.upload_id for d in ledger}))
        parts.append(f"{len(ledger)} dòng đã có trong sổ số liệu (trùng nội dung với lần tải {uploads}): "
                     f"dòng {_named([d.row for d in ledger])}")
    if repeated:
        parts.append(f"{len(repeated)} dòng lặp lại một dòng trước trong tệp (chỉ ghi một lần): "
                     f"dòng {_named([d.row for d in repeated])}")
    return ("Không ghi lại " + "; ".join(parts) + ".") if parts else ""


def find_duplicate_rows(report: ValidationReport, store) -> list[DuplicateRow]:
    """The valid rows of ``report`` that a commit would skip as already recorded (reads only)."""
    if report.events.empty:
        return []
    return duplicate_rows(store.duplicates(report.events.reset_index(drop=True)), report.events.index)


@dataclass
class ImportResult:
    """Outcome of :func:`import_counts`.

    ``message_vi`` is the one-line Vietnamese summary for the user; ``report`` is None only when the
    file was refused before validation; ``upload_id`` is the store's id when committed (or the
    earlier upload's id for ``nothing_new`` when the store reports it).
    """

    status: str
    message_vi: str
    file_name: str
    file_sha256: str
    report: ValidationReport | None = None
    table: RawTable | None = None
    upload_id: int | None = None
    rows_committed: int = 0
    duplicates: list[DuplicateRow] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """CLI exit code: 0 committed / nothing new / dry run without problems, 1 otherwise."""
        if self.status in ("committed", "nothing_new"):
            return 0
        if self.status == "dry_run":
            return 0 if self.report is not None and self.report.ok else 1
        return 1

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": self.status, "message_vi": self.message_vi, "file_name": self.file_name,
            "file_sha256": self.file_sha256, "upload_id": self.upload_id, "rows_committed": self.rows_committed,
        }
        out["duplicates"] = duplicates_dict(self.duplicates)
        if self.report is not None:
            out.update(self.report.to_dict())
        if self.table is not None:
            out["file"] = {"kind": self.table.file_kind, "encoding": self.table.encoding,
                           "separator": self.table.separator, "sheet": self.table.sheet,
                           "header_row": self.table.header_row, "header_rows": self.table.header_rows}
        return out


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of the file content (the store recognises a re-upload by it)."""
    return hashlib.sha256(data).hexdigest()


def validate_file(data: bytes, file_name: str, store: StoreReader, today: date | None = None,
                  progress: Progress | None = None) -> tuple[RawTable, ValidationReport]:
    """Read and validate file bytes against the store's parcels, projects and ledger (writes nothing).

    ``progress`` (:mod:`domain.progress`) hears the steps ``read`` and ``check`` of
    :data:`domain.progress.IMPORT_COUNTS_STEPS`.

    Raises
    ------
    IngestError
        The file is refused as a whole (see :func:`ingest.read.read_table`), or reading it took longer
        than :data:`parsing.limits.DEFAULT_LIMITS` ``parse_seconds`` (it is read in a worker process, unless
        :func:`ingest.read.csv_bounded` proves from its bytes that reading it is small and linear).
    """
    table, report, _ = _validated(data, file_name, store, today, progress)
    return table, report


def _validated(data: bytes, file_name: str, store: StoreReader, today: date | None,
               progress: Progress | None) -> tuple[RawTable, ValidationReport, Any]:
    """:func:`validate_file` and the parcels it read (the commune check reuses them)."""
    step(progress, IMPORT_COUNTS_STEPS, "read")
    if csv_bounded(data):   # its bytes prove the read is small and linear: no worker process to start
        table = read_table(data, file_name)
    else:
        try:
            table = run_with_time_limit(read_table, data, file_name)
        except InputLimitError as exc:
            raise IngestError(exc.message_vi) from exc
    step(progress, IMPORT_COUNTS_STEPS, "check")
    parcels = _parcel_attributes(store)
    report = validate(table, parcels, store.projects(), store.events(), today or office_time.today())
    return table, report, parcels


def _parcel_attributes(store: StoreReader):
    """The parcels without their shapes when the store can give them so (:meth:`store.store.Store.parcel_attributes`):
    no check of a field count reads a geometry, and decoding 20 000 of them costs more than the rest of the read."""
    attributes = getattr(store, "parcel_attributes", None)
    return attributes() if callable(attributes) else store.parcels()


def restrict_to_communes(report: ValidationReport, parcels, actor: Account) -> ValidationReport:
    """``report`` with the rows outside ``actor``'s communes moved to its problems (commune officers only).

    A row's communes are decided by :func:`store.ledger.event_communes` (a parcel row: the parcel's
    commune; a chainage range: the communes of the parcels it covers; an aggregate: its scope, or
    every commune of the project when it has none). A row is kept only when all of them are the
    account's. Other roles get ``report`` unchanged.
    """
    if PERMISSIONS.get(actor.role, {}).get("upload_counts") != SCOPE_OWN_COMMUNES or report.events.empty:
        return report
    allowed = ", ".join(actor.communes) or "(chưa được giao xã nào)"
    problems, keep = list(report.problems), []
    for row, names in zip(report.events.index, event_communes(report.events.reset_index(drop=True), parcels)):
        outside = sorted(n for n in names if not allows(actor, "upload_counts", n))
        if names and not outside:
            keep.append(row)
            continue
        shown = ", ".join(outside) or "không xác định được xã của dòng này"
        problems.append(RowProblem(int(row), "Xã", f"tài khoản «{actor.username}» chỉ được tải lên số liệu của "
                                                    f"{allowed}; dòng này thuộc {shown}", shown))
    problems.sort(key=lambda p: p.row)
    return ValidationReport(events=report.events.loc[keep], problems=problems, rows_read=report.rows_read,
                            notes=list(report.notes))


def restrict_to_units(report: ValidationReport, projects, actor: Account) -> ValidationReport:
    """``report`` with the rows of projects outside ``actor``'s units moved to its problems (issue 10).

    A row's unit is its project's ``projects.unit`` (a row of an unknown project is outside). Accounts of
    every unit (:func:`domain.roles.unit_scope` None) get ``report`` unchanged; the store checks again.
    """
    scope = unit_scope(actor)
    if scope is None or report.events.empty:
        return report
    unit_of = dict(zip(projects["project_id"].astype(str), projects["unit"].astype(str))) \
        if "unit" in projects.columns else {}
    allowed = ", ".join(sorted(scope))
    problems, keep = list(report.problems), []
    for row, project_id in zip(report.events.index, report.events["project_id"]):
        unit = unit_of.get(str(project_id))
        if unit in scope:
            keep.append(row)
            continue
        shown = f"dự án {project_id} của đơn vị {unit}" if unit else f"dự án {project_id} (không rõ đơn vị)"
        problems.append(RowProblem(int(row), "Dự án", f"tài khoản «{actor.username}» chỉ được tải lên số liệu "
                                                       f"của đơn vị {allowed}; dòng này thuộc {shown}", str(project_id)))
    problems.sort(key=lambda p: p.row)
    return ValidationReport(events=report.events.loc[keep], problems=problems, rows_read=report.rows_read,
                            notes=list(report.notes))


def commit_report(report: ValidationReport, store: Store, *, file_name: str, file_sha256: str, actor: Account,
                  source: str = "upload", client_address: str | None = None):
    """Commit the valid events of ``report`` as one upload by ``actor`` (one transaction in the store).

    Returns the store's ``UploadResult(upload_id, created, rows_committed)``.
    """
    events = report.events.reset_index(drop=True)
    return store.commit_upload(events, actor=actor, file_name=file_name, file_sha256=file_sha256,
                               rows_read=report.rows_read, source=source, client_address=client_address)


def import_counts(path: str | Path | bytes, store: Store, dry_run: bool = False, skip_invalid: bool = False,
                  *, actor: Account, file_name: str | None = None, source: str = "cli",
                  today: date | None = None, client_address: str | None = None,
                  progress: Progress | None = None) -> ImportResult:
    """Validate a field-count file and commit its valid rows, or none.

    Parameters
    ----------
    path
        The CSV/XLSX file, or its bytes (then give ``file_name``).
    store
        An open store (``store.open_store()``): parcels, projects and events are read from it;
        ``commit_upload`` writes.
    dry_run
        Validate only; nothing is written.
    skip_invalid
        Commit the valid rows even when other rows are invalid. Without it a file with any invalid
        row is rejected whole.
    actor
        Who uploads: its role must grant ``upload_counts`` (a commune officer's rows of other
        communes are refused row by row, :func:`restrict_to_communes`); recorded with the upload
        and in the audit.
    source
        ``"cli"`` or ``"upload"`` (the page), recorded with the upload.
    today
        Dates after it are refused; default ``office_time.today()``.
    client_address
        Browser address or ``cli:user@host``, for the audit.
    progress
        Called at the start of each step of :data:`domain.progress.IMPORT_COUNTS_STEPS`: read, check,
        then ``duplicates`` for a dry run or ``commit`` (whose transaction also looks for duplicates).

    Returns
    -------
    ImportResult
        Status, Vietnamese summary, the report. Never raises for a bad file: a refused file gives
        ``status="refused"``. Errors of the store itself (database down) propagate.

    Raises
    ------
    domain.roles.PermissionDeniedError, AccountDisabledError
        ``actor``'s role cannot upload field counts at all (nothing read, nothing written).
    """
    if PERMISSIONS.get(actor.role, {}).get("upload_counts") != SCOPE_OWN_COMMUNES:
        require(actor, "upload_counts")
    data, name, refusal = _file_bytes(path, file_name)
    if refusal is not None:
        return refusal
    digest = sha256_bytes(data)
    try:
        table, report, parcels = _validated(data, name, store, today, progress)
    except IngestError as exc:
        return ImportResult("refused", exc.message_vi, name, digest)
    report = restrict_to_units(restrict_to_communes(report, parcels, actor), store.projects(), actor)
    base = dict(file_name=name, file_sha256=digest, report=report, table=table)
    not_written = _not_written(report, dry_run=dry_run, skip_invalid=skip_invalid, base=base)
    if not_written is not None:
        if not_written.status == "dry_run":
            step(progress, IMPORT_COUNTS_STEPS, "duplicates")
            not_written.duplicates = find_duplicate_rows(report, store)
            not_written.message_vi = " ".join(filter(None, [not_written.message_vi,
                                                            duplicates_summary_vi(not_written.duplicates)]))
        return not_written
    step(progress, IMPORT_COUNTS_STEPS, "commit")  # the duplicate search runs in the commit's transaction
    result = commit_report(report, store, file_name=name, file_sha256=digest, actor=actor, source=source,
                           client_address=client_address)
    return _committed(result, report, base)


def _committed(result, report: ValidationReport, base: dict) -> ImportResult:
    """The result of a commit: new rows, or nothing new (same file, or every row already recorded)."""
    duplicates = duplicate_rows(result.duplicates, report.events.index)
    said = duplicates_summary_vi(duplicates)
    if result.same_file:
        return ImportResult("nothing_new", f"Tệp này (cùng nội dung) đã được tải lên trước đây (lần tải "
                                           f"{result.upload_id}): không ghi thêm gì.", upload_id=result.upload_id, **base)
    if not result.created:
        return ImportResult("nothing_new", f"Mọi dòng hợp lệ của tệp đã có trong sổ số liệu: không ghi thêm gì. {said}",
                            upload_id=result.upload_id, duplicates=duplicates, **base)
    skipped = f", bỏ qua {report.rows_invalid} dòng có lỗi" if report.rows_invalid else ""
    return ImportResult("committed", " ".join(filter(None, [
        f"Đã ghi {result.rows_committed} dòng (lần tải {result.upload_id}){skipped}.", said])),
        upload_id=result.upload_id, rows_committed=int(result.rows_committed), duplicates=duplicates, **base)


def _file_bytes(path: str | Path | bytes, file_name: str | None) -> tuple[bytes, str, ImportResult | None]:
    """The file's bytes and shown name, or a ``refused`` result (too big, missing, unreadable)."""
    if isinstance(path, (bytes, bytearray)):
        return bytes(path), file_name or "tệp tải lên", None
    p = Path(path)
    name = file_name or p.name
    try:
        from ingest.read import MAX_FILE_BYTES, _too_big

        if p.stat().st_size > MAX_FILE_BYTES:
            return b"", name, ImportResult("refused", _too_big(p.stat().st_size), name, "")
        return p.read_bytes(), name, None
    except OSError as exc:
        log.warning("cannot read %s: %r", p, exc)
        return b"", name, ImportResult(
            "refused", f"Không đọc được tệp {name}: tệp không tồn tại hoặc không có quyền đọc.", name, "")


def _not_written(report: ValidationReport, *, dry_run: bool, skip_invalid: bool, base: dict) -> ImportResult | None:
    """The result when nothing is to be written (no data rows, dry run, invalid rows, no valid row), else None."""
    counts = (f"{report.rows_read} dòng đọc được, {report.rows_valid} dòng hợp lệ, "
              f"{report.rows_invalid} dòng có lỗi")
    if report.rows_read == 0:
        return ImportResult("rejected", "Tệp có dòng tiêu đề nhưng không có dòng số liệu nào.", **base)
    if dry_run:
        return ImportResult("dry_run", f"Chạy thử, chưa ghi gì: {counts}.", **base)
    if report.problems and not skip_invalid:
        return ImportResult("rejected", f"Tệp bị từ chối, không ghi dòng nào: {counts}. "
                                        "Hãy sửa các dòng lỗi, hoặc chọn chỉ ghi các dòng hợp lệ.", **base)
    if report.rows_valid == 0:
        return ImportResult("rejected", f"Không có dòng hợp lệ nào để ghi: {counts}.", **base)
    return None
