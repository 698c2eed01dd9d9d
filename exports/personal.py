"""Personal data in exports: which columns hold it and how to leave them out.

Decree 13/2023/NĐ-CP (personal data protection): names, ID numbers (CCCD/CMND) and phone numbers of
land users are personal data. Exports leave them out unless the user explicitly asks for them; a
file that includes them says so (:data:`PERSONAL_DATA_NOTICE_VI`).
"""
from __future__ import annotations

import re

import pandas as pd

from parsing.text import fold_vi

#: Columns of the parcels table that are always personal data (DATA_MODEL.md: ``owner_name``).
PERSONAL_DATA_COLUMNS: tuple[str, ...] = ("owner_name",)

# Other columns are recognised by name (folded: lower case, no diacritics), so a column a later
# importer adds (``owner_phone``, ``so_cccd``, ``dien_thoai`` …) is left out too.
_PERSONAL_PATTERN = re.compile(
    r"(owner|chu su dung|ho ten|full name|person|id number|id no|cccd|cmnd|can cuoc|chung minh|"
    r"passport|phone|dien thoai|sdt|mobile|email)"
)

#: Shown in every file that includes personal data.
PERSONAL_DATA_NOTICE_VI = (
    "CÓ DỮ LIỆU CÁ NHÂN (họ tên, số định danh, số điện thoại của người sử dụng đất) – "
    "chỉ dùng nội bộ, không chia sẻ (Nghị định 13/2023/NĐ-CP)."
)

#: Shown in files without personal data.
NO_PERSONAL_DATA_NOTE_VI = "Không kèm dữ liệu cá nhân (họ tên, số định danh, số điện thoại)."


def personal_columns(columns) -> list[str]:
    """The names in ``columns`` that hold personal data (see module docstring), in their order."""
    found = []
    for col in columns:
        name = str(col)
        if name in PERSONAL_DATA_COLUMNS or _PERSONAL_PATTERN.search(fold_vi(name)):
            found.append(name)
    return found


def strip_personal_data(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` without its personal-data columns (same rows, index, CRS if a GeoDataFrame).

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        E.g. the snapshot parcels (``owner_name`` …). The geometry column is never dropped.
    """
    drop = [c for c in personal_columns(frame.columns) if c != getattr(frame, "_geometry_column_name", None)]
    return frame.drop(columns=drop)


def may_read_personal_data(account) -> bool:
    """Whether ``account`` may see owner names, ID numbers, phones and addresses (``read_personal``:
    officer, admin; never viewer or commune officer; ``None`` = nobody logged in → False)."""
    from domain.roles import allows

    return account is not None and allows(account, "read_personal")


def for_account(frame: pd.DataFrame, account) -> pd.DataFrame:
    """``frame`` as ``account`` may see it: unchanged for :func:`may_read_personal_data`, else
    :func:`strip_personal_data` (same rows, no personal-data column)."""
    return frame if may_read_personal_data(account) else strip_personal_data(frame)


# ------------------------------------------------------------------------------ the one door (issue 9)
#: Added before the extension of every file that carries personal data.
PERSONAL_DATA_FILE_SUFFIX = "_CO_DU_LIEU_CA_NHAN"

#: Audit action of an export with personal data (Decree 13/2023/NĐ-CP art. 27: processing is logged).
PERSONAL_EXPORT_ACTION = "export_personal_data"

#: Label of the export-page checkbox: both the Excel report (parcel table) and the HTML map (parcel
#: tooltips) carry the names when it is ticked; the print map (PDF/PNG) never shows them.
PERSONAL_DATA_CHECKBOX_LABEL_VI = ("Kèm họ tên chủ sử dụng đất (báo cáo Excel và chú thích thửa trên bản đồ "
                                   "HTML; bản đồ in PDF/PNG không có họ tên; tệp ghi rõ CÓ DỮ LIỆU CÁ NHÂN)")

#: Formats in which ``include_personal_data`` puts names into the file.
PERSONAL_DATA_FORMATS: tuple[str, ...] = ("html", "xlsx", "gpkg")


def marked_file_name(file_name: str) -> str:
    """``file_name`` with :data:`PERSONAL_DATA_FILE_SUFFIX` before its extension (once)."""
    stem, dot, ext = file_name.rpartition(".")
    if not dot:
        stem, ext = file_name, ""
    if stem.endswith(PERSONAL_DATA_FILE_SUFFIX):
        return file_name
    return f"{stem}{PERSONAL_DATA_FILE_SUFFIX}{dot}{ext}"


def _personal_rows(snapshot, project_id: str | None) -> int:
    parcels = snapshot.parcels
    if project_id is not None and "project_id" in parcels:
        parcels = parcels[parcels["project_id"] == project_id]
    return len(parcels)


def export_as(account, fmt: str, snapshot, store, options, *, client_address: str | None = None, progress=None):
    """``exports.export(fmt, snapshot, store, options)`` decided by the acting account.

    Without ``options.include_personal_data`` this is ``exports.export`` (the caller has checked the
    ``export`` action). With it – and a format in :data:`PERSONAL_DATA_FORMATS` – the account must hold
    ``export_personal`` (``officer``, ``admin``), the file name gets :data:`PERSONAL_DATA_FILE_SUFFIX`
    (the file itself carries :data:`PERSONAL_DATA_NOTICE_VI`), and one audit row is appended
    (action :data:`PERSONAL_EXPORT_ACTION`, target ``file:<name>``, after ``{format, rows, as_of,
    project_id}``; ``rows`` = parcels in the file). For PDF/PNG the option has no effect.

    Parameters
    ----------
    account : domain.roles.Account or None
        Who exports; ``None`` (nobody logged in, a CLI run without ``--as``) is refused personal data.
    progress : domain.progress.Progress, optional
        Passed to :func:`exports.export` (PDF pages, Excel).

    Returns
    -------
    exports.ExportResult

    Raises
    ------
    domain.roles.PermissionDeniedError, domain.roles.AccountDisabledError
        Personal data asked by an account whose role does not grant ``export_personal``.
    domain.errors.GpmbError
        Personal data asked with no account.
    ValueError
        As :func:`exports.export` (unknown format or project, nothing to draw).
    """
    import dataclasses

    from domain.errors import GpmbError
    from domain.roles import require
    from exports import export
    from store import AuditTrail

    personal = bool(options.include_personal_data) and fmt in PERSONAL_DATA_FORMATS
    if not personal:
        return export(fmt, snapshot, store, dataclasses.replace(options, include_personal_data=False),
                      progress=progress)
    if account is None:
        raise GpmbError("Xuất tệp có dữ liệu cá nhân cần đăng nhập bằng tài khoản được phép "
                        "(cán bộ TTPTQĐ hoặc quản trị; dòng lệnh: --as TÊN).", exit_code=2)
    require(account, "export_personal")
    result = export(fmt, snapshot, store, options, progress=progress)
    result = dataclasses.replace(result, file_name=marked_file_name(result.file_name))
    AuditTrail(store).append(actor=account, action=PERSONAL_EXPORT_ACTION, target=f"file:{result.file_name}",
                             after={"format": fmt, "rows": _personal_rows(snapshot, options.project_id),
                                    "as_of": snapshot.as_of.isoformat(), "project_id": options.project_id},
                             client_address=client_address)
    return result
