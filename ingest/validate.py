"""Validate a field-count table against the parcels, the projects and the ledger, before anything is written.

:func:`validate` is a pure function of (raw table, parcels, projects, existing events, today): it
reads nothing and writes nothing. It returns a :class:`ValidationReport` with the valid rows as
events (columns of the ``events`` table in DATA_MODEL.md, without the store-assigned ``event_id``
and ``upload_id``) and every problem found, per row (the row number the user sees in Excel) and
column (the Vietnamese header), in Vietnamese.

Row kinds (decided per row by which key columns are filled):

* ``parcel``: ``Số tờ`` or ``Số thửa`` filled → needs ``Xã`` + ``Số tờ`` + ``Số thửa`` (``Dự án``
  optional when the parcel belongs to one project). The cadastral sheets are numbered per former
  (pre-1/7/2025) commune, so the key is former commune + sheet + parcel. ``Xã`` may name the former
  commune (``commune_former``) or the 2025 unit (``commune``), any case, with or without diacritics.
  The unit word counts when given: ``Thị trấn Cao Lộc`` (a former town) is not ``Xã Cao Lộc`` (a
  2025 commune). A name that is exactly a former commune searches its own sheets first, then the
  other former communes merged into a 2025 unit of the same name; a 2025 unit searches all its
  former communes; a bare name shared by several units (``Cao Lộc``) searches them all. More than
  one parcel found is an ambiguity listing the candidates (nothing is guessed).
* ``chainage_range``: ``Từ lý trình``/``Đến lý trình`` filled (``Km5+200``) → needs ``Dự án``; the
  range must lie inside the project's managed section (``section_from_m``..``section_to_m``).
* ``aggregate``: neither → needs ``Dự án`` (``Xã`` optional: the scope) and ``Diện tích`` or
  ``Số hộ``: "area handed over so far" as of the date (cumulative, never added to parcel figures).

Rules checked (issue 3): unknown parcel (nearest keys suggested), unknown commune or project,
stage value not allowed, stage going backwards (versus the ledger and earlier valid rows of the
file, at the row's date) unless marked ``Đính chính``, cumulative aggregate area going down unless
marked, date in the future or before the project's ``start_date``, area larger than the parcel's
``area_to_recover_m2`` (+ :data:`AREA_TOLERANCE_M2`), negative or non-numeric numbers, duplicate
rows in the file (same key, event and date), chainage outside the section or ``from >= to``, XLSX
formulas without a saved value. Text cells (``Ghi chú``) are kept verbatim as inert text.
"""
from __future__ import annotations

import difflib
from datetime import date
from typing import Any

import pandas as pd

from domain.stages import STAGES
from ingest.headers import CANONICAL_HEADERS, UNIT_FACTORS
from ingest.history import (
    LedgerHistory,
    aggregate_key,
    as_date,
    history_from_ledger,
    range_key,
)
from ingest.lookups import (
    Lookups,
    build_lookups,
    commune_key,
    nearest_keys,
    project_key,
)
from ingest.read import RawTable
from ingest.report import (
    EVENT_COLUMNS,
    EVENTS_SCHEMA,
    HEADER_LABELS_VI,
    RowProblem,
    ValidationReport,
    cell_text,
    events_frame,
)
from ingest.values import (
    is_blank,
    looks_active,
    number_convention,
    parse_chainage,
    parse_date,
    parse_flag,
    parse_int,
    parse_number,
    parse_stage,
    parse_text,
)
from vocab.labels import EVENT_LABELS_VI

try:
    from gis.chainage import format_chainage
except ImportError:  # pragma: no cover
    def format_chainage(chainage_m: float, decimals: int = 0) -> str:
        km, m = divmod(round(chainage_m), 1000)
        return f"Km{km}+{m:03d}"

__all__ = [
    "AREA_TOLERANCE_M2",
    "EVENTS_SCHEMA",
    "EVENT_COLUMNS",
    "RowProblem",
    "ValidationReport",
    "commune_key",
    "validate",
]

#: Area reported for a parcel may exceed its area to recover by this much (rounding on field sheets), m².
AREA_TOLERANCE_M2 = 0.5
#: Unknown-parcel rows that get "did you mean" suggestions (the search costs time on huge files).
MAX_SUGGESTED_ROWS = 500

_STAGE_RANK = {s: i for i, s in enumerate(STAGES)}
_FORMULA_WITHOUT_VALUE = ("ô có công thức nhưng tệp không lưu giá trị đã tính; hãy mở bằng Excel rồi lưu lại, "
                          "hoặc dán giá trị (Paste Values)")


def _fmt_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _fmt_num(x: float) -> str:
    text = f"{x:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return text[:-2] if text.endswith(",0") else text


def _decimal_convention(data: pd.DataFrame) -> str:
    """``"en"`` when the file's number cells show ``1,234.5`` style more often than ``1.234,5``, else ``"vi"``."""
    votes = {"vi": 0, "en": 0}
    for col in ("area_m2", "area_ha", "amount_vnd", "amount_million_vnd", "amount_thousand_vnd", "households"):
        if col in data.columns:
            for v in data[col]:
                if isinstance(v, str):
                    conv = number_convention(v)
                    if conv:
                        votes[conv] += 1
    return "en" if votes["en"] > votes["vi"] else "vi"


class _Row:
    """One data row being checked: its cells (blanks as None), its problems, its parsed values."""

    def __init__(self, row: int, rec: dict[str, Any], decimal: str):
        self.row, self.rec, self.decimal = row, rec, decimal
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
            x = parse_int(v, decimal=self.decimal) if integer else parse_number(v, decimal=self.decimal)
        except ValueError as exc:
            self.bad(fld, str(exc))
            return None
        if x < 0:
            self.bad(fld, "không được là số âm")
            return None
        return x

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
            return parser(v)
        except ValueError as exc:
            self.bad(fld, str(exc))
            return None


def _project(r: _Row, lk: Lookups) -> str | bool | None:
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


def _unknown_commune(r: _Row, lk: Lookups) -> None:
    near = lk.communes.suggestions(str(r.cell("commune")))
    hint = f"; gần giống: {', '.join(near)}" if near else ""
    r.bad("commune", f"không có xã/phường này trong danh sách thửa đất{hint}")


def _parcel(r: _Row, lk: Lookups, project_id, area: float | None, suggest: bool) -> tuple[str | None, Any]:
    """Find the parcel of a parcel row: ``(parcel_id, project_id)`` or ``(None, project_id)`` with problems."""
    sheet = r.number("map_sheet", integer=True)
    pnum = r.number("parcel_number", integer=True)
    if r.cell("map_sheet") is None:
        r.bad("map_sheet", "dòng theo thửa cần Số tờ (số tờ bản đồ địa chính)")
    if r.cell("parcel_number") is None:
        r.bad("parcel_number", "dòng theo thửa cần Số thửa")
    if r.cell("commune") is None:
        r.bad("commune", "dòng theo thửa cần Xã (tên xã cũ trước 1/7/2025 hoặc tên mới)")
        return None, project_id
    first, then, _ = lk.communes.resolve(str(r.cell("commune")))
    if not first and not then:
        _unknown_commune(r, lk)
        return None, project_id
    if sheet is None or pnum is None or project_id is False:
        return None, project_id
    found: list[dict] = []
    for group in (first, then):  # an exact former commune: its own sheets first
        for fk in group:
            found += [m for m in lk.parcels.get((fk, sheet, pnum), []) if not project_id or m["project_id"] == project_id]
        if found:
            break
    if len(found) > 1:
        cands = "; ".join(f"{m['parcel_id']} ({m.get('commune_former') or m.get('commune')})" for m in found[:6])
        what = ("tên xã cũ (trước 1/7/2025) hoặc Dự án" if len({m["project_id"] for m in found}) > 1
                else "tên xã cũ (trước 1/7/2025)")
        r.bad("parcel_number", f"không xác định được thửa: có {len(found)} thửa cùng tờ/số thửa ({cands}); hãy ghi {what}")
        return None, project_id
    if not found:
        near = nearest_keys(lk, first + then, sheet, pnum) if suggest else []
        hint = ("; gần nhất: " + ", ".join(f"tờ {k.split('/')[0]} thửa {k.split('/')[1]}" for k in near)) if near else ""
        where = ", ".join(lk.communes.former_names.get(fk, fk) for fk in first + then)
        proj = f" thuộc dự án {project_id}" if project_id else ""
        r.bad("parcel_number", f"không có thửa tờ {sheet} thửa {pnum} ở {where}{proj}{hint}", f"tờ {sheet} thửa {pnum}")
        return None, project_id
    parcel = found[0]
    limit = parcel.get("area_to_recover_m2")
    if area is not None and limit is not None and not pd.isna(limit) and area > float(limit) + AREA_TOLERANCE_M2:
        r.bad("area_m2", f"lớn hơn diện tích thu hồi của thửa ({_fmt_num(float(limit))} m²)", _fmt_num(area))
    return parcel["parcel_id"], project_id or parcel["project_id"]


def _chainage_range(r: _Row, lk: Lookups, project_id) -> tuple[float | None, float | None, Any]:
    """Read and check a chainage range: ``(from_m, to_m, key)``; key None when not usable."""
    values: dict[str, float | None] = {}
    for fld in ("chainage_from", "chainage_to"):
        values[fld] = r.parsed(fld, lambda v: parse_chainage(v, decimal=r.decimal),
                               "dòng theo lý trình cần cả Từ lý trình và Đến lý trình (ví dụ Km5+200)")
    ch_from, ch_to = values["chainage_from"], values["chainage_to"]
    if project_id is None:
        r.bad("project", "dòng theo lý trình cần Dự án")
    if ch_from is None or ch_to is None:
        return ch_from, ch_to, None
    if ch_from >= ch_to:
        r.bad("chainage_to", f"Đến lý trình phải lớn hơn Từ lý trình ({format_chainage(ch_from)})")
        return ch_from, ch_to, None
    if not project_id:
        return ch_from, ch_to, None
    p = lk.projects[project_id]
    lo, hi = p.get("section_from_m"), p.get("section_to_m")
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        r.bad("project", "dự án này không theo tuyến (không có lý trình); hãy báo theo thửa hoặc tổng hợp")
        return ch_from, ch_to, None
    if ch_from < float(lo) - 1e-6 or ch_to > float(hi) + 1e-6:
        fld = "chainage_from" if ch_from < float(lo) - 1e-6 else "chainage_to"
        r.bad(fld, f"ngoài đoạn tuyến của dự án ({format_chainage(float(lo))} – {format_chainage(float(hi))})")
        return ch_from, ch_to, None
    return ch_from, ch_to, range_key(project_id, ch_from, ch_to)


def _aggregate_scope(r: _Row, lk: Lookups, project_id, area, households) -> str | None:
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
        _unknown_commune(r, lk)
    return None


def _check_history(r: _Row, hist: LedgerHistory, kind: str, key: Any, event: str, event_date: date,
                   area: float | None, is_correction: bool) -> None:
    """Stage going backwards (parcel, range) or cumulative area going down (aggregate), unless a correction."""
    if is_correction:
        return
    if kind in ("parcel", "chainage_range") and event in _STAGE_RANK:
        rank, when = hist.stage_at(key, event_date)
        if rank > _STAGE_RANK[event]:
            r.bad("event", f"lùi giai đoạn: đến {_fmt_date(when)} đã ở giai đoạn "
                           f"'{EVENT_LABELS_VI[STAGES[rank]]}'; nếu là sửa sai hãy đánh dấu cột Đính chính")
    if kind == "aggregate" and area is not None:
        prior = hist.area_at(key, event_date)
        if prior is not None and area < prior[0] - 1e-6:
            r.bad("area_m2", f"diện tích lũy kế giảm so với báo cáo ngày {_fmt_date(prior[1])} "
                             f"({_fmt_num(prior[0])} m²); nếu là sửa sai hãy đánh dấu cột Đính chính", _fmt_num(area))


def validate(
    table: RawTable | pd.DataFrame,
    parcels: pd.DataFrame,
    projects: pd.DataFrame,
    existing_events: pd.DataFrame | None,
    today: date,
) -> ValidationReport:
    """Validate every row of a field-count table; pure (reads and writes nothing).

    Parameters
    ----------
    table
        :class:`ingest.read.RawTable` (or its ``data`` DataFrame): columns = fields of
        :data:`ingest.headers.CANONICAL_HEADERS`, index = Excel row number.
    parcels
        The parcels table (DATA_MODEL.md): ``parcel_id``, ``project_id``, ``commune``,
        ``commune_former``, ``map_sheet``, ``parcel_number``, ``area_to_recover_m2`` (m²); a
        GeoDataFrame in EPSG:9215 is fine (geometry is not used).
    projects
        The projects table: ``project_id``, ``name``, ``short_name``, ``start_date``,
        ``section_from_m``, ``section_to_m`` (m; NaN for areas).
    existing_events
        The ledger (``store.events()``, reverted uploads excluded), or None for an empty ledger.
    today
        Dates after it are refused (an argument, so the function stays pure and testable).

    Returns
    -------
    ValidationReport
        Valid events (index = row; columns :data:`EVENT_COLUMNS`) and the problems of the invalid
        rows; a row with any problem yields no event.

    Examples
    --------
    >>> report = validate(read_table("so_lieu.csv"), store.parcels(), store.projects(),
    ...                   store.events(), date.today())          # doctest: +SKIP
    >>> [str(p) for p in report.problems][:1]                    # doctest: +SKIP
    ["Dòng 7, cột 'Ngày': ngày ở tương lai (sau hôm nay 01/07/2024) (giá trị: '15/08/2024')"]
    """
    raw = table.data if isinstance(table, RawTable) else table
    formula_rows = table.formula_rows if isinstance(table, RawTable) else {}
    notes: list[str] = []
    if isinstance(table, RawTable):
        if table.ignored_columns:
            notes.append("Bỏ qua các cột không thuộc mẫu: " + ", ".join(table.ignored_columns))
        if table.formulas_read_as_values:
            notes.append(f"{table.formulas_read_as_values} ô có công thức: đã đọc giá trị Excel đã tính và lưu trong tệp.")
        notes.extend(table.notes)  # e.g. columns converted from TCVN3/VNI to Unicode
    lk = build_lookups(parcels, projects)
    project_starts = {pid: as_date(p.get("start_date")) for pid, p in lk.projects.items()}
    hist = history_from_ledger(existing_events)
    decimal = _decimal_convention(raw)
    columns = set(raw.columns)
    missing_core = [f for f in ("event", "event_date") if f not in columns]
    header_problem = ""
    if missing_core:
        header_problem = "Tệp thiếu cột bắt buộc: " + ", ".join(CANONICAL_HEADERS[f] for f in missing_core)
        notes.append(header_problem)

    problems: list[RowProblem] = []
    out_rows: list[dict] = []
    out_index: list[int] = []
    seen: dict[tuple, int] = {}
    suggested = 0
    inert_text = 0
    names = list(raw.columns)
    cells = zip(*(raw[c].tolist() for c in names)) if names else iter([()] * len(raw))
    for seq, (row, values) in enumerate(zip(raw.index.tolist(), cells)):
        r = _Row(int(row), {k: (None if is_blank(v) else v) for k, v in zip(names, values)}, decimal)
        for fld in formula_rows.get(r.row, ()):
            r.bad(fld, _FORMULA_WITHOUT_VALUE, "")
        if header_problem:
            r.bad("", header_problem, "")

        event = r.parsed("event", parse_stage,
                         "thiếu giai đoạn (ví dụ: Kiểm đếm, Chi trả, Bàn giao mặt bằng)" if "event" in columns else None)
        event_date = r.parsed("event_date", parse_date, "thiếu ngày (dd/mm/yyyy)" if "event_date" in columns else None)
        area = r.scaled(("area_m2", "area_ha"))
        amount = r.scaled(("amount_vnd", "amount_million_vnd", "amount_thousand_vnd"))
        households = r.number("households", integer=True)
        is_correction = bool(r.parsed("is_correction", parse_flag, None))
        note = parse_text(r.cell("note"))
        inert_text += bool(note) and looks_active(note)
        project_id = _project(r, lk)

        parcel_id = commune = ch_from = ch_to = key = None
        if r.cell("map_sheet") is not None or r.cell("parcel_number") is not None:
            kind = "parcel"
            suggest = suggested < MAX_SUGGESTED_ROWS
            n_before = len(r.problems)
            parcel_id, project_id = _parcel(r, lk, project_id, area, suggest)
            suggested += suggest and parcel_id is None and len(r.problems) > n_before
            key = parcel_id
        elif r.cell("chainage_from") is not None or r.cell("chainage_to") is not None:
            kind = "chainage_range"
            ch_from, ch_to, key = _chainage_range(r, lk, project_id)
        else:
            kind = "aggregate"
            commune = _aggregate_scope(r, lk, project_id, area, households)
            if project_id and event:
                key = aggregate_key(project_id, commune, event)

        if event_date is not None:
            if event_date > today:
                r.bad("event_date", f"ngày ở tương lai (sau hôm nay {_fmt_date(today)})")
            start = project_starts.get(project_id) if project_id else None
            if start is not None and event_date < start:
                r.bad("event_date", f"trước ngày bắt đầu GPMB của dự án {project_id} ({_fmt_date(start)})")

        if key is not None and event and event_date is not None:
            dup_key = (kind, key, event, event_date)
            if dup_key in seen:
                scope = "thửa" if kind == "parcel" else "phạm vi"
                r.bad("", f"trùng với dòng {seen[dup_key]} (cùng {scope}, giai đoạn và ngày)", "")
            else:
                seen[dup_key] = r.row
            _check_history(r, hist, kind, key, event, event_date, area, is_correction)

        if r.problems:
            problems.extend(r.problems)
            continue
        # valid: later rows are checked against it
        if kind in ("parcel", "chainage_range") and event in _STAGE_RANK:
            hist.stages[key].append((event_date, seq, _STAGE_RANK[event], is_correction))
        if kind == "aggregate" and area is not None:
            hist.areas[key].append((event_date, seq, float(area), is_correction))
        out_rows.append({
            "kind": kind, "project_id": project_id, "parcel_id": parcel_id, "commune": commune,
            "chainage_from_m": ch_from, "chainage_to_m": ch_to, "event": event, "event_date": event_date,
            "area_m2": area, "households": households, "amount_vnd": amount,
            "is_correction": is_correction, "note": note,
        })
        out_index.append(r.row)

    if inert_text:
        notes.append(f"{inert_text} ô Ghi chú chứa công thức/HTML/script: được giữ nguyên dạng chữ, không thực thi.")
    return ValidationReport(events=events_frame(out_rows, out_index), problems=problems, rows_read=len(raw),
                            notes=notes)
