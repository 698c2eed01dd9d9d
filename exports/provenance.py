"""Title, as-of date, data version, store identity, sources and caveats written into every export.

Every export carries the store's data version (last upload id and its time), so a printed map or a
report can be traced to the ledger state it was made from; the same data and as-of date give the
same figures.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from vocab.format import fmt_date, fmt_datetime_utc, is_missing

APP_NAME = "GPMB Tracker"

#: Attribution lines of the bundled context layers (data/SOURCES.md).
ATTRIBUTIONS_VI: tuple[str, ...] = (
    ("Ranh giới hành chính (2025): © 2021 Thang Le Quoc, Vietnamese Provinces Database (MIT), "
    "theo Bản đồ tham khảo đơn vị hành chính (sapnhap.bando.com.vn)."),
    "Đường giao thông: CTU-SematX/LegoCity (CC BY-SA 4.0).",
    "Chỉ giới GPMB, tim tuyến, thửa đất, tiến độ: Trung tâm Phát triển quỹ đất (dữ liệu của ứng dụng).",
)

ILLUSTRATIVE_NOTE_VI = (
    "Thửa đất là dữ liệu MINH HỌA (tạo tự động để trình diễn), không phải hồ sơ địa chính."
)

CRS_NOTE_VI = "Hệ tọa độ VN-2000, múi chiếu 3° kinh tuyến trục 107°15′ (EPSG:9215); đơn vị mét."


@dataclass(frozen=True)
class DataVersion:
    """The store state an export was made from (``store.data_version()``).

    Attributes
    ----------
    last_upload_id : int or None
        Id of the last upload in the ledger.
    last_change_at : datetime or None
        UTC time of the last change (upload or revert).
    store_id : str or None
        The store's identity (``Store.identity().store_id``), None for a store reader without one.
    store_created_at : datetime or None
        When that store was made (UTC).
    """

    last_upload_id: int | None
    last_change_at: datetime | None
    store_id: str | None = None
    store_created_at: datetime | None = None

    @classmethod
    def from_mapping(cls, value: Mapping[str, Any] | None) -> DataVersion:
        """Read ``{"last_upload_id": …, "last_change_at": …}``; missing keys give ``None``."""
        value = dict(value or {})
        upload = value.get("last_upload_id")
        changed = value.get("last_change_at")
        upload = None if is_missing(upload) else int(upload)
        if is_missing(changed):
            changed = None
        else:
            changed = pd.Timestamp(changed)
            if changed.tzinfo is not None:
                changed = changed.tz_convert("UTC").tz_localize(None)
            changed = changed.to_pydatetime()
        store_id = value.get("store_id")
        created = value.get("store_created_at")
        return cls(upload, changed, None if is_missing(store_id) else str(store_id),
                   None if is_missing(created) else pd.Timestamp(created).to_pydatetime())

    def text_vi(self) -> str:
        """``"Dữ liệu: lần cập nhật số 3, lúc 21/11/2026 11:20 UTC"``."""
        parts = []
        parts.append(f"lần cập nhật số {self.last_upload_id}" if self.last_upload_id is not None
                     else "chưa có lần cập nhật")
        if self.last_change_at is not None:
            parts.append(f"lúc {self.last_change_at:%d/%m/%Y %H:%M} UTC")
        text = "Phiên bản dữ liệu: " + ", ".join(parts)
        return f"{text} · {self.store_text_vi()}" if self.store_id else text

    def store_text_vi(self) -> str:
        """``"Kho dữ liệu: mã 88b539a8-…-ac2f750d9168, tạo lúc 01/12/2026 12:43 UTC"`` (issue 10: every
        export names the store it was made from); ``""`` when the store has no identity."""
        if not self.store_id:
            return ""
        created = f", tạo lúc {fmt_datetime_utc(self.store_created_at)}" if self.store_created_at else ""
        return f"Kho dữ liệu: mã {self.store_id}{created}"

    def slug(self) -> str:
        """Short token for file names and cache keys: ``"u3"``."""
        return f"u{self.last_upload_id}" if self.last_upload_id is not None else "u0"


def data_version_of(snapshot) -> DataVersion:
    """The :class:`DataVersion` of a snapshot (``snapshot.data_version``, a mapping or object)."""
    dv = getattr(snapshot, "data_version", None)
    if dv is not None and not isinstance(dv, Mapping):
        dv = {name: getattr(dv, name, None) for name in ("last_upload_id", "last_change_at", "store_id",
                                                          "store_created_at")}
    return DataVersion.from_mapping(dv)


def as_of_text_vi(as_of: date) -> str:
    """``"Số liệu đến ngày 30/06/2024"``."""
    return f"Số liệu đến ngày {fmt_date(as_of)}"


def report_title_vi(project_name: str | None = None) -> str:
    """Title of a map or report: the district progress title, or the project's own."""
    base = "TIẾN ĐỘ GIẢI PHÓNG MẶT BẰNG"
    return f"{base}: {project_name}" if project_name else f"{base} CÁC DỰ ÁN TRỌNG ĐIỂM"


def caveat_notes_vi(projects: pd.DataFrame, parcels: pd.DataFrame) -> list[str]:
    """The caveats a map or report must print.

    Parameters
    ----------
    projects : DataFrame
        Projects shown (columns ``short_name`` or ``name``, ``geometry_status``, ``geometry_note``).
    parcels : DataFrame
        Parcels shown (column ``illustrative``, bool).

    Returns
    -------
    list of str
        "parcels are illustrative" when any shown parcel is, and one line naming the projects whose
        boundary/alignment is approximate (``geometry_status == "approximate"``).
    """
    notes: list[str] = []
    if "illustrative" in parcels and parcels["illustrative"].fillna(False).astype(bool).any():
        notes.append(ILLUSTRATIVE_NOTE_VI)
    if "geometry_status" in projects:
        approx = projects[projects["geometry_status"].astype(str) == "approximate"]
        if len(approx):
            label_col = "short_name" if "short_name" in approx else "name"
            names = ", ".join(str(n) for n in approx[label_col])
            notes.append(f"Chỉ giới GPMB và tim tuyến GẦN ĐÚNG (chưa phải số liệu đo đạc) của: {names}.")
    return notes
