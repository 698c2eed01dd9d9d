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
import functools
import math
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Iterable

import pandas as pd
import pandera.pandas as pa

from domain.stages import EVENT_LABELS_VI, STAGES, fold_vi
from ingest.headers import CANONICAL_HEADERS, UNIT_FACTORS
from ingest.read import RawTable
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

try:
    from gis.chainage import format_chainage
except ImportError:  # pragma: no cover
    def format_chainage(chainage_m: float, decimals: int = 0) -> str:
        km, m = divmod(round(chainage_m), 1000)
        return f"Km{km}+{m:03d}"

#: Area reported for a parcel may exceed its area to recover by this much (rounding on field sheets), m².
AREA_TOLERANCE_M2 = 0.5
#: Unknown-parcel rows that get "did you mean" suggestions (the search costs time on huge files).
MAX_SUGGESTED_ROWS = 500

#: Columns of the validated events (DATA_MODEL.md "events", without event_id/upload_id).
EVENT_COLUMNS: tuple[str, ...] = (
    "kind", "project_id", "parcel_id", "commune", "chainage_from_m", "chainage_to_m", "event",
    "event_date", "area_m2", "households", "amount_vnd", "is_correction", "note",
)

_HEADER_LABELS = {**CANONICAL_HEADERS, "area_ha": "Diện tích (ha)", "amount_million_vnd": "Số tiền (triệu đồng)",
                  "amount_thousand_vnd": "Số tiền (nghìn đồng)"}

_IS_TEXT = pa.Check(lambda s: len(s) == 0 or pd.api.types.infer_dtype(s, skipna=False) == "string",
                    error="text expected")
_IS_DATE = pa.Check(lambda s: len(s) == 0 or pd.api.types.infer_dtype(s, skipna=False) == "date",
                    error="datetime.date expected")

#: Shape of :attr:`ValidationReport.events` (checked on every report: a bug here fails loudly, never
#: reaches the store). Text columns are Python ``str`` objects, ``event_date`` ``datetime.date``.
EVENTS_SCHEMA = pa.DataFrameSchema(
    {
        "kind": pa.Column(object, [_IS_TEXT, pa.Check.isin(["parcel", "chainage_range", "aggregate"])]),
        "project_id": pa.Column(object, _IS_TEXT),
        "parcel_id": pa.Column(object, nullable=True),
        "commune": pa.Column(object, nullable=True),
        "chainage_from_m": pa.Column(float, nullable=True),
        "chainage_to_m": pa.Column(float, nullable=True),
        "event": pa.Column(object, [_IS_TEXT, pa.Check.isin(list(EVENT_LABELS_VI))]),
        "event_date": pa.Column(object, _IS_DATE),
        "area_m2": pa.Column(float, pa.Check.ge(0), nullable=True),
        "households": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "amount_vnd": pa.Column(float, pa.Check.ge(0), nullable=True),
        "is_correction": pa.Column(bool),
        "note": pa.Column(object, _IS_TEXT),
    },
    strict=True,
    ordered=True,
)


@dataclass(frozen=True)
class RowProblem:
    """One problem: ``row`` as numbered in Excel, ``column`` the Vietnamese header ("" = whole row)."""

    row: int
    column: str
    message_vi: str
    value: str = ""

    def __str__(self) -> str:
        where = f"Dòng {self.row}" + (f", cột '{self.column}'" if self.column else "")
        shown = f" (giá trị: {self.value!r})" if self.value else ""
        return f"{where}: {self.message_vi}{shown}"


@dataclass
class ValidationReport:
    """Result of :func:`validate`.

    Attributes
    ----------
    events
        Valid rows as events: columns :data:`EVENT_COLUMNS`, index ``row`` (Excel row number);
        ``area_m2`` in m², ``amount_vnd`` in đồng, ``event_date`` a ``datetime.date``.
    problems
        Every :class:`RowProblem`, in row order.
    rows_read
        Non-blank data rows in the file.
    notes
        File-level remarks in Vietnamese (ignored columns, formulas read as values, inert text kept).
    """

    events: pd.DataFrame
    problems: list[RowProblem]
    rows_read: int
    notes: list[str] = field(default_factory=list)

    @property
    def invalid_rows(self) -> list[int]:
        """Row numbers with at least one problem, ascending."""
        return sorted({p.row for p in self.problems})

    @property
    def rows_invalid(self) -> int:
        return len(self.invalid_rows)

    @property
    def rows_valid(self) -> int:
        return len(self.events)

    @property
    def ok(self) -> bool:
        """True when every row is valid (and there is at least one)."""
        return not self.problems and self.rows_read > 0

    def problems_frame(self) -> pd.DataFrame:
        """Problems as a DataFrame with Vietnamese column names ``Dòng``, ``Cột``, ``Giá trị``, ``Lỗi``."""
        return pd.DataFrame(
            [(p.row, p.column, p.value, p.message_vi) for p in self.problems],
            columns=["Dòng", "Cột", "Giá trị", "Lỗi"],
        )

    def messages_by_row(self) -> dict[int, str]:
        """``{row: "Cột: lỗi; Cột: lỗi"}`` for the preview table."""
        out: dict[int, list[str]] = defaultdict(list)
        for p in self.problems:
            out[p.row].append(f"{p.column}: {p.message_vi}" if p.column else p.message_vi)
        return {r: "; ".join(m) for r, m in out.items()}

    def counts(self) -> dict[str, int]:
        return {"rows_read": self.rows_read, "rows_valid": self.rows_valid, "rows_invalid": self.rows_invalid}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: counts, notes and problems (``row``, ``column``, ``message_vi``, ``value``)."""
        return {**self.counts(), "notes": list(self.notes), "problems": [asdict(p) for p in self.problems]}


# ------------------------------------------------------------------------------------- lookups
#: Unit words written before a commune name (folded) → normalised unit.
_COMMUNE_PREFIXES = (("thi tran ", "thitran"), ("phuong ", "phuong"), ("xa ", "xa"), ("tt. ", "thitran"),
                     ("tt ", "thitran"), ("p. ", "phuong"), ("x. ", "xa"))


@functools.lru_cache(maxsize=4096)
def split_commune(name: str) -> tuple[str, str]:
    """``"Thị trấn Cao Lộc"`` → ``("thitran", "caoloc")``; ``"hop thanh"`` → ``("", "hopthanh")``.

    The unit word (``Xã``, ``Phường``, ``Thị trấn``/``TT``) is kept apart: ``Xã Cao Lộc`` (a 2025
    commune) and ``Thị trấn Cao Lộc`` (a former town, now in phường Kỳ Lừa) are different units.
    """
    folded = fold_vi(name).replace("_", " ")
    unit = ""
    for prefix, normal in _COMMUNE_PREFIXES:
        if folded.startswith(prefix):
            folded, unit = folded[len(prefix):], normal
            break
    return unit, re.sub(r"[^0-9a-z]", "", folded)


def commune_key(name: object) -> str:
    """Folded commune name without its unit word: ``"Xã Hợp Thành"``, ``"hop thanh"`` → ``"hopthanh"``."""
    return split_commune(str(name))[1]


def _full_key(name: object) -> str:
    unit, bare = split_commune(str(name))
    return f"{unit}|{bare}"


@functools.lru_cache(maxsize=4096)
def _project_key_text(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", fold_vi(text))


def _project_key(text: object) -> str:
    return _project_key_text(str(text))


@dataclass
class _Communes:
    """Former (pre-1/7/2025) communes and 2025 units found in the parcels table.

    Former communes are keyed by their full key (``"xa|hopthanh"``): the cadastral sheets are
    numbered per former commune.
    """

    former_names: dict[str, str] = field(default_factory=dict)  # former full key → display name
    formers_by_bare: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    current_names: dict[str, str] = field(default_factory=dict)  # 2025 full key → display name
    currents_by_bare: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    formers_of_current: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, former: str, current: str | None) -> str:
        fk = _full_key(former)
        if fk not in self.former_names:
            self.former_names[fk] = former
            self.formers_by_bare[fk.split("|")[1]].append(fk)
        if current:
            ck = _full_key(current)
            if ck not in self.current_names:
                self.current_names[ck] = current
                self.currents_by_bare[ck.split("|")[1]].append(ck)
            self.formers_of_current[ck].add(fk)
        return fk

    def resolve(self, text: str) -> tuple[list[str], list[str], list[str]]:
        """Former communes a typed name can mean: ``(first, then, names)``.

        ``first``: former communes to search first (the name is exactly a former commune, unit word
        included); ``then``: the other candidates (formers merged into a 2025 unit of that name, or
        every unit sharing the bare name when the unit word is missing or matches nothing);
        ``names``: the distinct display names matched. All empty when the name is unknown.
        """
        unit, bare = split_commune(text)
        full = f"{unit}|{bare}"
        if unit and (full in self.former_names or full in self.current_names):
            first = [full] if full in self.former_names else []
            then = sorted(self.formers_of_current.get(full, set()) - set(first))
            names = [self.former_names[k] for k in first] + (
                [self.current_names[full]] if full in self.current_names else [])
            return first, then, list(dict.fromkeys(names))
        formers = list(self.formers_by_bare.get(bare, []))
        currents = self.currents_by_bare.get(bare, [])
        merged = sorted({f for c in currents for f in self.formers_of_current[c]} - set(formers))
        names = list(dict.fromkeys([self.former_names[k] for k in formers] + [self.current_names[c] for c in currents]))
        if len(names) > 1:  # "Cao Lộc": a former town and a 2025 commune; search them all together
            return [], formers + merged, names
        return formers, merged, names

    def suggestions(self, text: str) -> list[str]:
        """Up to three known names close to ``text`` (difflib on the folded names)."""
        bare = commune_key(text)
        names = {**{k.split("|")[1]: v for k, v in self.current_names.items()},
                 **{k.split("|")[1]: v for k, v in self.former_names.items()}}
        return [names[k] for k in difflib.get_close_matches(bare, list(names), n=3, cutoff=0.6)]


@dataclass
class _Lookups:
    projects: dict[str, dict]  # project_id → row
    project_keys: dict[str, str]  # folded id / name / short name → project_id
    communes: _Communes
    parcels: dict[tuple[str, int, int], list[dict]]  # (former full key, sheet, number) → parcels
    keys_by_former: dict[str, list[str]]  # former full key → ["12/345", …] for suggestions


def _build_lookups(parcels: pd.DataFrame, projects: pd.DataFrame) -> _Lookups:
    proj_rows = {str(r["project_id"]): r for r in projects.drop(columns="geometry", errors="ignore").to_dict("records")}
    project_keys: dict[str, str] = {}
    for pid, r in proj_rows.items():
        for text in (r.get("name"), r.get("short_name"), pid):
            if text is not None and not (isinstance(text, float) and math.isnan(text)) and str(text).strip():
                project_keys[_project_key(text)] = pid
    cols = ["parcel_id", "project_id", "commune", "commune_former", "map_sheet", "parcel_number", "area_to_recover_m2"]
    frame = pd.DataFrame(parcels[[c for c in cols if c in parcels.columns]])
    communes = _Communes()
    index: dict[tuple[str, int, int], list[dict]] = defaultdict(list)
    keys_by_former: dict[str, list[str]] = defaultdict(list)
    names = list(frame.columns)
    for values in zip(*(frame[c].tolist() for c in names)):
        rec = dict(zip(names, values))
        current = rec.get("commune") if isinstance(rec.get("commune"), str) and rec.get("commune") else None
        former = rec.get("commune_former") if isinstance(rec.get("commune_former"), str) and rec.get("commune_former") else current
        if former is None:
            continue
        fk = communes.add(former, current)
        try:
            sheet, number = int(rec["map_sheet"]), int(rec["parcel_number"])
        except (TypeError, ValueError):
            continue
        index[(fk, sheet, number)].append(rec)
        keys_by_former[fk].append(f"{sheet}/{number}")
    return _Lookups(proj_rows, project_keys, communes, dict(index), dict(keys_by_former))


def _nearest_keys(lk: _Lookups, formers: list[str], sheet: int, number: int, n: int = 3) -> list[str]:
    """Nearest existing keys ``"sheet/number"``: same sheet, closest parcel numbers; else difflib."""
    keys = list(dict.fromkeys(k for fk in formers for k in lk.keys_by_former.get(fk, [])))
    same_sheet = sorted({int(k.split("/")[1]) for k in keys if k.split("/")[0] == str(sheet)},
                        key=lambda x: (abs(x - number), x))
    if same_sheet:
        return [f"{sheet}/{x}" for x in same_sheet[:n]]
    return difflib.get_close_matches(f"{sheet}/{number}", keys, n=n, cutoff=0.5)


# --------------------------------------------------------------------------------- the ledger state
@dataclass
class _History:
    """Dated events per key, from the ledger and the valid rows seen so far."""

    stages: dict[Any, list[tuple[date, int, int, bool]]] = field(default_factory=lambda: defaultdict(list))
    areas: dict[Any, list[tuple[date, int, float, bool]]] = field(default_factory=lambda: defaultdict(list))

    def stage_at(self, key: Any, day: date) -> tuple[int, date | None]:
        """Stage rank at ``day`` (DATA_MODEL.md rule: max, corrections set exactly) and its date."""
        rank, when = 0, None
        for d, _seq, r, corr in sorted(e for e in self.stages.get(key, ()) if e[0] <= day):
            if corr or r > rank:
                rank, when = r, d
        return rank, when

    def area_at(self, key: Any, day: date) -> tuple[float, date] | None:
        """Latest cumulative aggregate area reported on or before ``day``."""
        earlier = sorted(e for e in self.areas.get(key, ()) if e[0] <= day)
        return (earlier[-1][2], earlier[-1][0]) if earlier else None


def _range_key(project_id: str, a: float, b: float) -> tuple:
    return ("range", project_id, round(float(a), 1), round(float(b), 1))


def _agg_key(project_id: str, commune: str | None, event: str) -> tuple:
    return ("aggregate", project_id, _full_key(commune) if commune else "", event)


def _as_date(value: Any) -> date | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value if type(value) is date else value.date() if hasattr(value, "date") else value
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        return None


def _history_from_ledger(events: pd.DataFrame | None) -> _History:
    hist = _History()
    if events is None or len(events) == 0:
        return hist
    stage_rank = {s: i for i, s in enumerate(STAGES)}
    seq = -len(events) - 1  # ledger events come before every row of the file
    for rec in events.to_dict("records"):
        seq += 1
        day = _as_date(rec.get("event_date"))
        code = rec.get("event")
        if day is None or code is None:
            continue
        corr = bool(rec.get("is_correction")) if not pd.isna(rec.get("is_correction", False)) else False
        kind = rec.get("kind")
        if kind == "parcel" and code in stage_rank:
            hist.stages[rec.get("parcel_id")].append((day, seq, stage_rank[code], corr))
        elif kind == "chainage_range" and code in stage_rank:
            try:
                key = _range_key(rec["project_id"], rec["chainage_from_m"], rec["chainage_to_m"])
            except (TypeError, ValueError):
                continue
            hist.stages[key].append((day, seq, stage_rank[code], corr))
        elif kind == "aggregate":
            area = rec.get("area_m2")
            if area is not None and not pd.isna(area):
                commune = rec.get("commune") if isinstance(rec.get("commune"), str) else None
                hist.areas[_agg_key(rec["project_id"], commune, code)].append((day, seq, float(area), corr))
    return hist


# ------------------------------------------------------------------------------------- validate
def _fmt_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _fmt_num(x: float) -> str:
    text = f"{x:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return text[:-2] if text.endswith(",0") else text


def _raw_text(value: Any) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def _decimal_convention(data: pd.DataFrame) -> str:
    votes = {"vi": 0, "en": 0}
    for col in ("area_m2", "area_ha", "amount_vnd", "amount_million_vnd", "amount_thousand_vnd", "households"):
        if col in data.columns:
            for v in data[col]:
                if isinstance(v, str):
                    conv = number_convention(v)
                    if conv:
                        votes[conv] += 1
    return "en" if votes["en"] > votes["vi"] else "vi"


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
        Valid events (index = row) and the problems of the invalid rows; a row with any problem
        yields no event.
    """
    raw = table.data if isinstance(table, RawTable) else table
    formula_rows = table.formula_rows if isinstance(table, RawTable) else {}
    notes: list[str] = []
    if isinstance(table, RawTable):
        if table.ignored_columns:
            notes.append("Bỏ qua các cột không thuộc mẫu: " + ", ".join(table.ignored_columns))
        if table.formulas_read_as_values:
            notes.append(f"{table.formulas_read_as_values} ô có công thức: đã đọc giá trị Excel đã tính và lưu trong tệp.")
    lk = _build_lookups(parcels, projects)
    project_starts = {pid: _as_date(p.get("start_date")) for pid, p in lk.projects.items()}
    hist = _history_from_ledger(existing_events)
    decimal = _decimal_convention(raw)
    stage_rank = {s: i for i, s in enumerate(STAGES)}
    problems: list[RowProblem] = []
    out_rows: list[dict] = []
    out_index: list[int] = []
    seen: dict[tuple, int] = {}
    suggested = 0
    inert_text = 0
    columns = set(raw.columns)

    missing_core = [f for f in ("event", "event_date") if f not in columns]
    if missing_core:
        names = ", ".join(CANONICAL_HEADERS[f] for f in missing_core)
        header_problem = f"Tệp thiếu cột bắt buộc: {names}"
        notes.append(header_problem)

    raw_names = list(raw.columns)
    raw_columns = [raw[c].tolist() for c in raw_names]
    for seq, (row, values) in enumerate(zip(raw.index.tolist(), zip(*raw_columns) if raw_names else [()] * len(raw))):
        rec = {k: (None if is_blank(v) else v) for k, v in zip(raw_names, values)}
        row = int(row)
        row_problems: list[RowProblem] = []

        def bad(fld: str, message: str, value: Any = None) -> None:
            label = _HEADER_LABELS.get(fld, fld)
            row_problems.append(RowProblem(row, label, message, _raw_text(value if value is not None else rec.get(fld))))

        cell = rec.get  # blanks are None already

        for fld in formula_rows.get(row, ()):
            bad(fld, "ô có công thức nhưng tệp không lưu giá trị đã tính; hãy mở bằng Excel rồi lưu lại, "
                     "hoặc dán giá trị (Paste Values)", "")
        if missing_core:
            row_problems.append(RowProblem(row, "", header_problem))

        # --- plain values ---------------------------------------------------------------
        event = None
        if cell("event") is not None:
            try:
                event = parse_stage(cell("event"))
            except ValueError as exc:
                bad("event", str(exc))
        elif "event" in columns:
            bad("event", "thiếu giai đoạn (ví dụ: Kiểm đếm, Chi trả, Bàn giao mặt bằng)")
        event_date = None
        if cell("event_date") is not None:
            try:
                event_date = parse_date(cell("event_date"))
            except ValueError as exc:
                bad("event_date", str(exc))
        elif "event_date" in columns:
            bad("event_date", "thiếu ngày (dd/mm/yyyy)")

        def number(fld: str, *, integer: bool = False) -> float | int | None:
            v = cell(fld)
            if v is None:
                return None
            try:
                x = parse_int(v, decimal=decimal) if integer else parse_number(v, decimal=decimal)
            except ValueError as exc:
                bad(fld, str(exc))
                return None
            if x < 0:
                bad(fld, "không được là số âm")
                return None
            return x

        area = None
        for fld in ("area_m2", "area_ha"):
            x = number(fld)
            if x is not None and area is None:
                area = x * UNIT_FACTORS[fld][1] if fld in UNIT_FACTORS else x
        amount = None
        for fld in ("amount_vnd", "amount_million_vnd", "amount_thousand_vnd"):
            x = number(fld)
            if x is not None and amount is None:
                amount = x * UNIT_FACTORS[fld][1] if fld in UNIT_FACTORS else x
        households = number("households", integer=True)
        is_correction = False
        if cell("is_correction") is not None:
            try:
                is_correction = parse_flag(cell("is_correction"))
            except ValueError as exc:
                bad("is_correction", str(exc))
        note = parse_text(rec.get("note"))
        if note and looks_active(note):
            inert_text += 1

        # --- project -------------------------------------------------------------------
        project_id = None
        if cell("project") is not None:
            project_id = lk.project_keys.get(_project_key(cell("project")))
            if project_id is None:
                near = difflib.get_close_matches(_project_key(cell("project")), list(lk.project_keys), n=3, cutoff=0.5)
                hint = ", ".join(sorted({lk.project_keys[k] for k in near})) or ", ".join(lk.projects)
                bad("project", f"không có dự án này; các mã dự án: {hint}")
                project_id = False  # given but unknown

        # --- kind and key ----------------------------------------------------------------
        kind: str
        parcel_id = commune_out = None
        ch_from = ch_to = None
        key: Any = None
        if cell("map_sheet") is not None or cell("parcel_number") is not None:
            kind = "parcel"
            sheet = number("map_sheet", integer=True) if cell("map_sheet") is not None else None
            pnum = number("parcel_number", integer=True) if cell("parcel_number") is not None else None
            if cell("map_sheet") is None:
                bad("map_sheet", "dòng theo thửa cần Số tờ (số tờ bản đồ địa chính)")
            if cell("parcel_number") is None:
                bad("parcel_number", "dòng theo thửa cần Số thửa")
            if cell("commune") is None:
                bad("commune", "dòng theo thửa cần Xã (tên xã cũ trước 1/7/2025 hoặc tên mới)")
            first: list[str] = []
            then: list[str] = []
            if cell("commune") is not None:
                first, then, _names = lk.communes.resolve(str(cell("commune")))
                if not first and not then:
                    near = lk.communes.suggestions(str(cell("commune")))
                    hint = f"; gần giống: {', '.join(near)}" if near else ""
                    bad("commune", f"không có xã/phường này trong danh sách thửa đất{hint}")
            formers = first + then
            if formers and sheet is not None and pnum is not None:
                found: list[dict] = []
                for group in (first, then):  # an exact former commune: its own sheets first
                    for fk in group:
                        matches = lk.parcels.get((fk, sheet, pnum), [])
                        if project_id:
                            matches = [m for m in matches if m["project_id"] == project_id]
                        found.extend(matches)
                    if found:
                        break
                if len(found) == 1:
                    parcel_id = found[0]["parcel_id"]
                    project_id = project_id or found[0]["project_id"]
                    key = parcel_id
                    limit = found[0].get("area_to_recover_m2")
                    if area is not None and limit is not None and not pd.isna(limit) and area > float(limit) + AREA_TOLERANCE_M2:
                        bad("area_m2", f"lớn hơn diện tích thu hồi của thửa ({_fmt_num(float(limit))} m²)",
                            _fmt_num(area))
                elif len(found) > 1:
                    cands = "; ".join(f"{m['parcel_id']} ({m.get('commune_former') or m.get('commune')})" for m in found[:6])
                    several_projects = len({m["project_id"] for m in found}) > 1
                    what = "tên xã cũ (trước 1/7/2025) hoặc Dự án" if several_projects else "tên xã cũ (trước 1/7/2025)"
                    bad("parcel_number", f"không xác định được thửa: có {len(found)} thửa cùng tờ/số thửa "
                                         f"({cands}); hãy ghi {what}")
                else:
                    hint = ""
                    if suggested < MAX_SUGGESTED_ROWS:
                        suggested += 1
                        near = _nearest_keys(lk, formers, sheet, pnum)
                        if near:
                            hint = "; gần nhất: " + ", ".join(
                                f"tờ {k.split('/')[0]} thửa {k.split('/')[1]}" for k in near)
                    where = ", ".join(lk.communes.former_names.get(fk, fk) for fk in formers)
                    proj = f" thuộc dự án {project_id}" if project_id else ""
                    bad("parcel_number", f"không có thửa tờ {sheet} thửa {pnum} ở {where}{proj}{hint}",
                        f"tờ {sheet} thửa {pnum}")
        elif cell("chainage_from") is not None or cell("chainage_to") is not None:
            kind = "chainage_range"
            for fld in ("chainage_from", "chainage_to"):
                if cell(fld) is None:
                    bad(fld, "dòng theo lý trình cần cả Từ lý trình và Đến lý trình (ví dụ Km5+200)")
                    continue
                try:
                    x = parse_chainage(cell(fld), decimal=decimal)
                except ValueError as exc:
                    bad(fld, str(exc))
                    continue
                if fld == "chainage_from":
                    ch_from = x
                else:
                    ch_to = x
            if project_id is None:
                bad("project", "dòng theo lý trình cần Dự án")
            if ch_from is not None and ch_to is not None:
                if ch_from >= ch_to:
                    bad("chainage_to", f"Đến lý trình phải lớn hơn Từ lý trình ({format_chainage(ch_from)})")
                elif project_id:
                    p = lk.projects[project_id]
                    lo, hi = p.get("section_from_m"), p.get("section_to_m")
                    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
                        bad("project", "dự án này không theo tuyến (không có lý trình); hãy báo theo thửa hoặc tổng hợp")
                    elif ch_from < float(lo) - 1e-6 or ch_to > float(hi) + 1e-6:
                        fld = "chainage_from" if ch_from < float(lo) - 1e-6 else "chainage_to"
                        bad(fld, f"ngoài đoạn tuyến của dự án ({format_chainage(float(lo))} – {format_chainage(float(hi))})")
                    else:
                        key = _range_key(project_id, ch_from, ch_to)
        else:
            kind = "aggregate"
            if project_id is None:
                bad("project", "dòng không có thửa và lý trình là dòng tổng hợp: cần Dự án")
            if area is None and households is None and not any(
                    cell(f) is not None for f in ("area_m2", "area_ha", "households")):
                bad("area_m2", "dòng tổng hợp cần Diện tích (lũy kế đến ngày báo cáo) hoặc Số hộ")
            commune_out = None
            if cell("commune") is not None:
                first, then, names = lk.communes.resolve(str(cell("commune")))
                if len(names) == 1:
                    commune_out = names[0]
                elif len(names) > 1:
                    bad("commune", f"tên xã trùng nhau: {', '.join(names)}; hãy ghi rõ 'Xã', 'Phường' hoặc 'Thị trấn'")
                else:
                    near = lk.communes.suggestions(str(cell("commune")))
                    hint = f"; gần giống: {', '.join(near)}" if near else ""
                    bad("commune", f"không có xã/phường này trong danh sách thửa đất{hint}")
            if project_id and event:
                key = _agg_key(project_id, commune_out, event)

        # --- dates against today and the project ---------------------------------------------
        if event_date is not None:
            if event_date > today:
                bad("event_date", f"ngày ở tương lai (sau hôm nay {_fmt_date(today)})")
            if project_id:
                start = project_starts.get(project_id)
                if start is not None and event_date < start:
                    bad("event_date", f"trước ngày bắt đầu GPMB của dự án {project_id} ({_fmt_date(start)})")

        # --- duplicates and going backwards --------------------------------------------------
        if key is not None and event and event_date is not None:
            dup_key = (kind, key, event, event_date)
            if dup_key in seen:
                bad("", f"trùng với dòng {seen[dup_key]} (cùng {'thửa' if kind == 'parcel' else 'phạm vi'}, "
                        "giai đoạn và ngày)", "")
            else:
                seen[dup_key] = row
            if kind in ("parcel", "chainage_range") and event in stage_rank and not is_correction:
                rank, when = hist.stage_at(key, event_date)
                if rank > stage_rank[event]:
                    bad("event", f"lùi giai đoạn: đến {_fmt_date(when)} đã ở giai đoạn "
                                 f"'{EVENT_LABELS_VI[STAGES[rank]]}'; nếu là sửa sai hãy đánh dấu cột Đính chính")
            if kind == "aggregate" and area is not None and not is_correction:
                prior = hist.area_at(key, event_date)
                if prior is not None and area < prior[0] - 1e-6:
                    bad("area_m2", f"diện tích lũy kế giảm so với báo cáo ngày {_fmt_date(prior[1])} "
                                   f"({_fmt_num(prior[0])} m²); nếu là sửa sai hãy đánh dấu cột Đính chính",
                        _fmt_num(area))

        if row_problems:
            problems.extend(row_problems)
            continue
        # valid: remember it for the following rows
        if kind in ("parcel", "chainage_range") and event in stage_rank:
            hist.stages[key].append((event_date, seq, stage_rank[event], is_correction))
        if kind == "aggregate" and area is not None:
            hist.areas[key].append((event_date, seq, float(area), is_correction))
        out_rows.append({
            "kind": kind, "project_id": project_id, "parcel_id": parcel_id, "commune": commune_out,
            "chainage_from_m": ch_from, "chainage_to_m": ch_to, "event": event, "event_date": event_date,
            "area_m2": area, "households": households, "amount_vnd": amount,
            "is_correction": is_correction, "note": note,
        })
        out_index.append(row)

    if inert_text:
        notes.append(f"{inert_text} ô Ghi chú chứa công thức/HTML/script: được giữ nguyên dạng chữ, không thực thi.")
    events = _events_frame(out_rows, out_index)
    return ValidationReport(events=events, problems=problems, rows_read=len(raw), notes=notes)


def _events_frame(rows: list[dict], index: Iterable[int]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS), index=pd.Index(list(index), name="row", dtype="int64"))
    frame = frame.astype({
        "kind": object, "project_id": object, "parcel_id": object, "commune": object, "event": object,
        "event_date": object, "note": object,
        "chainage_from_m": "float64", "chainage_to_m": "float64", "area_m2": "float64", "amount_vnd": "float64",
        "households": "Int64", "is_correction": bool,
    })
    return EVENTS_SCHEMA.validate(frame)
