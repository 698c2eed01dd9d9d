"""Recognise the columns of a field-count sheet from the headers people really type.

The canonical template headers are those of issue 3 (``Dự án``, ``Xã``, ``Số tờ``, ``Số thửa``,
``Từ lý trình``, ``Đến lý trình``, ``Giai đoạn``, ``Ngày``, ``Diện tích (m²)``, ``Số tiền (đồng)``,
``Ghi chú``) plus ``Số hộ`` and ``Đính chính``. Headers are matched after folding
(:func:`parsing.text.fold_key`: no diacritics, lower case, letters and digits only), so ``Số thửa``, ``so thua``, ``SoThua``, ``SO_THUA`` and ``Số thửa:`` are the same
header; well-known short names from cadastral software (``SHTHUA``, ``SHBANDO``, ``MaXa``) are aliases.
"""
from __future__ import annotations

from dataclasses import dataclass

from parsing.text import fold_key as compact  # letters and digits of the folded header

#: Field name (column of the parsed table) → canonical Vietnamese header of the template, in template order.
CANONICAL_HEADERS: dict[str, str] = {
    "project": "Dự án",
    "commune": "Xã",
    "map_sheet": "Số tờ",
    "parcel_number": "Số thửa",
    "chainage_from": "Từ lý trình",
    "chainage_to": "Đến lý trình",
    "event": "Giai đoạn",
    "event_date": "Ngày",
    "area_m2": "Diện tích (m²)",
    "amount_vnd": "Số tiền (đồng)",
    "note": "Ghi chú",
    "households": "Số hộ",
    "is_correction": "Đính chính",
}

#: Fields whose value is converted by a factor because the header names another unit.
#: ``Diện tích (ha)`` → area_m2 × 10 000; ``Số tiền (triệu đồng)`` → amount_vnd × 1 000 000.
UNIT_FACTORS: dict[str, tuple[str, float]] = {
    "area_ha": ("area_m2", 10_000.0),
    "amount_million_vnd": ("amount_vnd", 1_000_000.0),
    "amount_thousand_vnd": ("amount_vnd", 1_000.0),
}

# Compact folded aliases (letters and digits only) → field.
_ALIASES: dict[str, tuple[str, ...]] = {
    "project": ("duan", "tenduan", "maduan", "congtrinh", "duancongtrinh", "tencongtrinh",
                "project", "projectid", "maduanct"),
    "commune": ("xa", "maxa", "tenxa", "xaphuong", "xaphuongthitran", "phuongxa", "xathitran",
                "donvihanhchinh", "donvi", "diaban", "commune", "tenxacu", "xacu"),
    "map_sheet": ("soto", "to", "tobando", "sotobando", "sotobd", "shbando", "sohieubando",
                  "sohieuto", "tobd", "mapsheet", "sheet"),
    "parcel_number": ("sothua", "thua", "thuaso", "shthua", "sohieuthua", "sothuadat",
                      "parcel", "parcelnumber"),
    "chainage_from": ("tulytrinh", "lytrinhtu", "tukm", "lytrinhdau", "diemdau", "lytrinhdiemdau",
                      "chainagefrom", "fromchainage", "tu"),
    "chainage_to": ("denlytrinh", "lytrinhden", "denkm", "lytrinhcuoi", "diemcuoi",
                    "lytrinhdiemcuoi", "chainageto", "tochainage", "den"),
    "event": ("giaidoan", "giaidoanthuchien", "buoc", "buocthuchien", "trangthai", "tinhtrang",
              "tiendo", "event", "stage", "noidung"),
    "event_date": ("ngay", "ngaythuchien", "ngaybaocao", "ngaythang", "ngaythangnam", "thoigian",
                   "thoidiem", "date", "eventdate", "ngayddmmyyyy"),
    "area_m2": ("dientich", "dientichm2", "dientichthuhoi", "dientichthuhoim2", "dientichbangiao",
                "dientichbangiaom2", "dtm2", "dt", "area", "aream2"),
    "area_ha": ("dientichha", "dientichthuhoiha", "dientichbangiaoha", "dtha", "areaha"),
    "amount_vnd": ("sotien", "sotiendong", "sotienvnd", "sotiend", "sotienvnđ", "kinhphi",
                   "kinhphidong", "sotienchitra", "sotienchitradong", "giatri", "giatridong",
                   "amount", "amountvnd"),
    "amount_million_vnd": ("sotientrieudong", "sotientrieu", "kinhphitrieudong", "giatritrieudong",
                           "sotientrdong", "sotientrd"),
    "amount_thousand_vnd": ("sotiennghindong", "sotienngandong", "kinhphinghindong"),
    "households": ("soho", "sohodan", "sohogiadinh", "ho", "households"),
    "note": ("ghichu", "note", "notes", "ghichukhac"),
    "is_correction": ("dinhchinh", "caichinh", "suasai", "correction", "iscorrection", "dieuchinh"),
    "_serial": ("stt", "tt", "sott", "sothutu"),
}

_LOOKUP: dict[str, str] = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}

#: Folded group headers of two-row headers (``Lý trình`` above ``Từ``/``Đến``, ``Thửa đất`` above
#: ``Số tờ``/``Số thửa``): the lower cell is read with the group's words in front.
_GROUP_WORDS = ("lytrinh", "thuadat", "thongtinthua", "vitri", "km")


def field_for_header(text: object) -> str | None:
    """Return the field for one header cell, or None when the header is not known.

    ``"Số thửa"``, ``"so thua"``, ``"SoThua"``, ``"SHTHUA"`` → ``"parcel_number"``;
    ``"Diện tích (ha)"`` → ``"area_ha"`` (see :data:`UNIT_FACTORS`); ``"STT"`` → ``"_serial"``
    (a row number column, ignored).
    """
    key = compact(text)
    if not key:
        return None
    return _LOOKUP.get(key)


def field_for_two_row_header(upper: object, lower: object) -> str | None:
    """Return the field for a column whose header spans two rows (group cell above, detail below).

    The lower cell alone is tried first (``Số thửa`` under ``Thửa đất``), then the group and the
    detail together in both orders (``Lý trình`` + ``Từ`` → ``lytrinhtu``), then the upper cell alone
    (a cell merged over both rows).
    """
    up, low = compact(upper), compact(lower)
    if low and low in _LOOKUP and low not in ("tu", "den", "ha", "m2"):
        return _LOOKUP[low]
    if up and low:
        for key in (up + low, low + up):
            if key in _LOOKUP:
                return _LOOKUP[key]
        # unit row under a measured quantity: "Diện tích" above "(ha)"
        if up in _LOOKUP and low in ("m2", "ha", "dong", "trieudong", "nghindong"):
            return _LOOKUP.get(up + low, _LOOKUP[up])
    if low in ("tu", "den") and (not up or up not in _GROUP_WORDS):
        return None
    if up and not low:
        return _LOOKUP.get(up)
    if low in _LOOKUP:
        return _LOOKUP[low]
    return None


@dataclass(frozen=True)
class HeaderMatch:
    """Columns found in a header: ``columns[i]`` is the field of sheet column ``i`` (or None)."""

    columns: tuple[str | None, ...]
    header_rows: int  # 1 or 2
    unknown: tuple[str, ...]  # header texts not recognised (ignored columns)

    @property
    def fields(self) -> set[str]:
        """Recognised fields (without the ignored row-number column)."""
        return {c for c in self.columns if c and not c.startswith("_")}


def _forward_fill(cells: list[object]) -> list[object]:
    out: list[object] = []
    last: object = None
    for cell in cells:
        if cell is None or str(cell).strip() == "":
            out.append(last)
        else:
            last = cell
            out.append(cell)
    return out


def match_header(rows: list[list[object]], start: int) -> HeaderMatch | None:
    """Match the header starting at ``rows[start]``, as one row or as two rows (group above detail).

    Returns the better of the two readings (more distinct fields recognised; the one-row reading
    wins ties), or None when fewer than two fields are recognised. A field found twice keeps its
    first column; later duplicates are ignored and listed in ``unknown``.
    """
    best: HeaderMatch | None = None
    one = rows[start]
    candidates = [(1, [field_for_header(c) for c in one], one)]
    if start + 1 < len(rows) and any(c is not None and str(c).strip() for c in one):
        upper = _forward_fill(list(one))
        lower = list(rows[start + 1]) + [None] * max(0, len(one) - len(rows[start + 1]))
        upper += [None] * max(0, len(lower) - len(upper))
        two = [field_for_two_row_header(up, low) for up, low in zip(upper, lower)]
        labels = [" ".join(str(x) for x in (up, low) if x not in (None, "")) for up, low in zip(upper, lower)]
        candidates.append((2, two, labels))
    for n_rows, fields, labels in candidates:
        seen: set[str] = set()
        columns: list[str | None] = []
        unknown: list[str] = []
        for field, label in zip(fields, labels):
            if field and field not in seen:
                seen.add(field)
                columns.append(field)
            else:
                columns.append(None)
                if label not in (None, "") and str(label).strip():
                    unknown.append(str(label).strip())
        match = HeaderMatch(tuple(columns), n_rows, tuple(unknown))
        if len(match.fields) >= 2 and (best is None or len(match.fields) > len(best.fields)):
            best = match
    return best


def find_header(rows: list[list[object]], search_rows: int = 30) -> tuple[int, HeaderMatch] | None:
    """Find the header among the first ``search_rows`` rows (a title block may sit above it).

    Returns ``(index of the first header row, match)`` for the row whose reading recognises the most
    fields (the earliest on ties), or None when no row recognises at least two fields.
    """
    best: tuple[int, HeaderMatch] | None = None
    for i in range(min(search_rows, len(rows))):
        match = match_header(rows, i)
        if match and (best is None or len(match.fields) > len(best[1].fields)):
            best = (i, match)
    return best
