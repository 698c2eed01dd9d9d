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
