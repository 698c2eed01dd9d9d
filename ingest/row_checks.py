"""Checks of one row of a field-count table: its cells, its project, and what it reports on.

A :class:`RowCheck` holds one row's cells and collects its :class:`ingest.report.RowProblem` (row as
numbered in Excel, column as the Vietnamese header). The functions below each check one thing and
record problems on it; they never raise for bad data. The rules are those of :mod:`ingest.validate`.
"""
from __future__ import annotations

import difflib
from typing import Any

import pandas as pd

from gis.chainage import format_chainage
from ingest.headers import UNIT_FACTORS
from ingest.history import range_key
from ingest.lookups import Lookups, nearest_keys, project_key
from ingest.report import HEADER_LABELS_VI, RowProblem, cell_text
from ingest.values import parse_chainage, parse_int, parse_number
from parsing.numbers import AmbiguousNumberError
from parsing.parcel_keys import parcel_key
from vocab.format import fmt_number

#: Area reported for a parcel may exceed its area to recover by this much (rounding on field sheets), m².
AREA_TOLERANCE_M2 = 0.5
#: Chainages are compared with the section ends to this tolerance (m): floating-point noise only.
_CHAINAGE_EPS_M = 1e-6


def area_text(area_m2: float) -> str:
    """An area for messages, Vietnamese separators, one decimal unless whole: ``1234.0`` → ``"1.234"``."""
    return fmt_number(area_m2, 1).removesuffix(",0")


#: Columns of money in đồng, where a separator before three digits groups thousands (no đồng has decimals).
WHOLE_NUMBER_FIELDS = frozenset({"amount_vnd"})


class RowCheck:
    """One data row being checked: its cells (blanks as None), its problems, its number convention.

    Parameters
    ----------
    row : int
        Excel row number (what the user sees).
    rec : dict
        Field → cell value, blanks already None.
    decimal : {"vi", "en"} or None
        The file's number convention (``1.234,5`` or ``1,234.5``); None when the file does not decide it,
        so an ambiguous cell (``450.800``) becomes a problem on its row.
    pre : dict, optional
        Field → the cell already parsed column by column (:mod:`parsing.columns`: the value, or the
        ValueError the one-cell parser raises), by the parser this class would call on it; a field
        absent is parsed here.
    """

    def __init__(self, row: int, rec: dict[str, Any], decimal: str | None, pre: dict[str, Any] | None = None):
        self.row, self.rec, self.decimal = row, rec, decimal
        self.pre = pre or {}
        self.problems: list[RowProblem] = []
        self.cell = rec.get

    def bad(self, fld: str, message: str, value: Any = None) -> None:
        """Record a problem in column ``fld`` ("" = the whole row); ``value`` defaults to the cell."""
        shown = value if value is not None else self.rec.get(fld)
        self.problems.append(RowProblem(self.row, HEADER_LABELS_VI.get(fld, fld), message, cell_text(shown)))

    def number(self, fld: str, *, integer: bool = False) -> float | int | None:
        """The cell as a non-negative number, or None (blank, or a problem recorded)."""
        v = self.cell(fld)
        if v is None:
            return None
        try:
            x = self._number_of(fld, v, integer)
        except ValueError as exc:
            self.bad(fld, str(exc))
            return None
        if x < 0:
            self.bad(fld, "không được là số âm")
            return None
        return x

    def _number_of(self, fld: str, v: Any, integer: bool) -> float | int:
        """The cell's number, from :attr:`pre` when parsed column by column (a ValueError there is raised)."""
        if fld not in self.pre:
            return parse_int(v, decimal=self.decimal) if integer else self._number(fld, v)
        x = self.pre[fld]
        if not isinstance(x, ValueError):
            return x
        if not integer and isinstance(x, AmbiguousNumberError) and fld in WHOLE_NUMBER_FIELDS:
            return max(x.readings.values())
        raise ValueError(str(x))

    def _number(self, fld: str, v: Any) -> float:
        """A number cell. In a column of money in đồng (:data:`WHOLE_NUMBER_FIELDS`) an ambiguous ``1.000``
        is decided by the value's kind: nobody writes thousandths of a đồng, so a separator before exactly
        three digits groups thousands (the larger of the two readings); elsewhere it is reported."""
        try:
            return parse_number(v, decimal=self.decimal)
        except AmbiguousNumberError as exc:
            if fld not in WHOLE_NUMBER_FIELDS:
                raise
            return max(exc.readings.values())

    def scaled(self, fields: tuple[str, ...]) -> float | None:
        """First filled number among ``fields``, converted by :data:`ingest.headers.UNIT_FACTORS`."""
        out = None
        for fld in fields:
            x = self.number(fld)
            if x is not None and out is None:
                out = x * UNIT_FACTORS[fld][1] if fld in UNIT_FACTORS else x
        return out

    def parsed(self, fld: str, parser, missing: str | None) -> Any:
        """``parser(cell)``; a ValueError becomes a problem; a blank cell is a problem when ``missing``."""
        v = self.cell(fld)
        if v is None:
            if missing:
                self.bad(fld, missing)
            return None
        try:
            if fld not in self.pre:
                return parser(v)
            x = self.pre[fld]
            if isinstance(x, ValueError):
                raise ValueError(str(x))
            return x
        except ValueError as exc:
            self.bad(fld, str(exc))
            return None


# ------------------------------------------------------------------------------------ project
def project_of(r: RowCheck, lk: Lookups) -> str | bool | None:
    """The row's project_id; None when blank; False when given but unknown (problem recorded)."""
    text = r.cell("project")
    if text is None:
        return None
    pid = lk.project_keys.get(project_key(text))
    if pid is None:
        near = difflib.get_close_matches(project_key(text), list(lk.project_keys), n=3, cutoff=0.5)
        hint = ", ".join(sorted({lk.project_keys[k] for k in near})) or ", ".join(lk.projects)
        r.bad("project", f"không có dự án này; các mã dự án: {hint}")
        return False
    return pid


def unknown_commune(r: RowCheck, lk: Lookups) -> None:
    """Record "no such commune", with the nearest names."""
    near = lk.communes.suggestions(str(r.cell("commune")))
    hint = f"; gần giống: {', '.join(near)}" if near else ""
    r.bad("commune", f"không có xã/phường này trong danh sách thửa đất{hint}")


# ------------------------------------------------------------------------------------- parcel
def parcel_of(r: RowCheck, lk: Lookups, project_id, area: float | None, suggest: bool) -> tuple[str | None, Any]:
    """Find the parcel of a parcel row: ``(parcel_id, project_id)`` or ``(None, project_id)`` with problems.

    ``suggest``: whether an unknown parcel gets its nearest keys (the search costs time on huge files).
    """
    sheet, number = _parcel_key_cells(r)
    if r.cell("commune") is None:
        r.bad("commune", "dòng theo thửa cần Xã (tên xã cũ trước 1/7/2025 hoặc tên mới)")
        return None, project_id
    first, then, _ = lk.communes.resolve(str(r.cell("commune")))
    if not first and not then:
        unknown_commune(r, lk)
        return None, project_id
    if sheet is None or number is None or project_id is False:
        return None, project_id
    found = _matching_parcels(lk, (first, then), sheet, number, project_id)
    if len(found) > 1:
        _ambiguous_parcel(r, found)
        return None, project_id
    if not found:
        _unknown_parcel(r, lk, first + then, sheet, number, project_id, suggest)
        return None, project_id
    parcel = found[0]
    _area_within_parcel(r, parcel, area)
    return parcel["parcel_id"], project_id or parcel["project_id"]


def _parcel_key_cells(r: RowCheck) -> tuple[int | None, str | None]:
    """Sheet number and parcel key (:func:`parsing.parcel_keys.parcel_key`: ``263a`` → ``263A``) of a parcel row."""
    sheet = r.number("map_sheet", integer=True)
    number = r.parsed("parcel_number", parcel_key, None)
    if r.cell("map_sheet") is None:
        r.bad("map_sheet", "dòng theo thửa cần Số tờ (số tờ bản đồ địa chính)")
    if r.cell("parcel_number") is None:
        r.bad("parcel_number", "dòng theo thửa cần Số thửa")
    return sheet, number


def _matching_parcels(lk: Lookups, groups, sheet: int, number: str, project_id) -> list[dict]:
    """Parcels with this key in the first group of former communes that has any (exact former commune first)."""
    found: list[dict] = []
    for group in groups:
        for former in group:
            found += [m for m in lk.parcels.get((former, sheet, number), [])
                      if not project_id or m["project_id"] == project_id]
        if found:
            break
    return found


def _ambiguous_parcel(r: RowCheck, found: list[dict]) -> None:
    cands = "; ".join(f"{m['parcel_id']} ({m.get('commune_former') or m.get('commune')})" for m in found[:6])
    what = ("tên xã cũ (trước 1/7/2025) hoặc Dự án" if len({m["project_id"] for m in found}) > 1
            else "tên xã cũ (trước 1/7/2025)")
    r.bad("parcel_number", f"không xác định được thửa: có {len(found)} thửa cùng tờ/số thửa ({cands}); hãy ghi {what}")


def _unknown_parcel(r: RowCheck, lk: Lookups, formers: list[str], sheet: int, number: str, project_id,
                    suggest: bool) -> None:
    near = nearest_keys(lk, formers, sheet, number) if suggest else []
    hint = ("; gần nhất: " + ", ".join(f"tờ {k.split('/')[0]} thửa {k.split('/')[1]}" for k in near)) if near else ""
    where = ", ".join(lk.communes.former_names.get(fk, fk) for fk in formers)
    proj = f" thuộc dự án {project_id}" if project_id else ""
    r.bad("parcel_number", f"không có thửa tờ {sheet} thửa {number} ở {where}{proj}{hint}", f"tờ {sheet} thửa {number}")


def _area_within_parcel(r: RowCheck, parcel: dict, area: float | None) -> None:
    limit = parcel.get("area_to_recover_m2")
    if area is not None and limit is not None and not pd.isna(limit) and area > float(limit) + AREA_TOLERANCE_M2:
        r.bad("area_m2", f"lớn hơn diện tích thu hồi của thửa ({area_text(float(limit))} m²)", area_text(area))


# ------------------------------------------------------------------------------ chainage range
def chainage_range_of(r: RowCheck, lk: Lookups, project_id) -> tuple[float | None, float | None, Any]:
    """Read and check a chainage range: ``(from_m, to_m, key)``; key None when not usable."""
    ch_from, ch_to = (r.parsed(fld, lambda v: parse_chainage(v, decimal=r.decimal),
                               "dòng theo lý trình cần cả Từ lý trình và Đến lý trình (ví dụ Km5+200)")
                      for fld in ("chainage_from", "chainage_to"))
    if project_id is None:
        r.bad("project", "dòng theo lý trình cần Dự án")
    if ch_from is None or ch_to is None:
        return ch_from, ch_to, None
    if ch_from >= ch_to:
        r.bad("chainage_to", f"Đến lý trình phải lớn hơn Từ lý trình ({format_chainage(ch_from)})")
        return ch_from, ch_to, None
    if not project_id or not _within_section(r, lk.projects[project_id], ch_from, ch_to):
        return ch_from, ch_to, None
    return ch_from, ch_to, range_key(project_id, ch_from, ch_to)


def _within_section(r: RowCheck, project: dict, ch_from: float, ch_to: float) -> bool:
    """True when the range lies in the project's managed section (``section_from_m``..``section_to_m``)."""
    lo, hi = project.get("section_from_m"), project.get("section_to_m")
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        r.bad("project", "dự án này không theo tuyến (không có lý trình); hãy báo theo thửa hoặc tổng hợp")
        return False
    before, after = ch_from < float(lo) - _CHAINAGE_EPS_M, ch_to > float(hi) + _CHAINAGE_EPS_M
    if before or after:
        r.bad("chainage_from" if before else "chainage_to",
              f"ngoài đoạn tuyến của dự án ({format_chainage(float(lo))} – {format_chainage(float(hi))})")
        return False
    return True


# ---------------------------------------------------------------------------------- aggregate
def aggregate_scope_of(r: RowCheck, lk: Lookups, project_id, area, households) -> str | None:
    """Check an aggregate row; return its commune scope (display name from the parcels) or None."""
    if project_id is None:
        r.bad("project", "dòng không có thửa và lý trình là dòng tổng hợp: cần Dự án")
    if area is None and households is None and not any(
            r.cell(f) is not None for f in ("area_m2", "area_ha", "households")):
        r.bad("area_m2", "dòng tổng hợp cần Diện tích (lũy kế đến ngày báo cáo) hoặc Số hộ")
    if r.cell("commune") is None:
        return None
    _, _, names = lk.communes.resolve(str(r.cell("commune")))
    if len(names) == 1:
        return names[0]
    if names:
        r.bad("commune", f"tên xã trùng nhau: {', '.join(names)}; hãy ghi rõ 'Xã', 'Phường' hoặc 'Thị trấn'")
    else:
        unknown_commune(r, lk)
    return None
