"""The household × step matrix most centres keep in Excel, read into a typed report (writes nothing).

Layout (first sheet that has the header): title rows; a header row with ``STT``, ``Mã hộ``, ``Loại đất``,
``Tên chủ hộ``, ``Địa chỉ``, ``Thửa``, ``Diện tích (m2)``, then one column per procedure step coded
``C001`` … ``C110`` (1 = done, 0 or blank = not done, a date = done on that day) and a reason column
(``Lý do`` / ``Ghi chú``); one row per household or plan; a total row (``Tổng``/``Cộng``) under the data,
recognised, checked against the sums and skipped, with everything below it. A second sheet lists the
steps: code, name, legal basis, lead and supporting body, minimum days, planned and actual dates; it is
the project's procedure plan and the source of the proposed step → stage mapping (``ingest.step_stages``).
There may be no map-sheet and no commune column: parcels are keyed by their text number
(``ingest.parcel_tokens``).

The stage of a row is the highest stage among its done steps (branch steps only raise flags); the stage
of a household or a parcel over several rows is the least advanced of them (paid only when all its plans
are paid). Stage dates are the earliest date written in a done step of that stage.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from domain.stages import STAGE_RANK, STAGES
from ingest.parcel_tokens import parcel_sort_key, parse_parcel_cell
from ingest.read import IngestError
from ingest.report import RowProblem
from ingest.step_stages import check_branch_steps, check_mapping, propose_step_mapping
from parsing.dates import parse_date
from parsing.limits import DEFAULT_LIMITS, InputLimits, check_xlsx
from parsing.numbers import parse_number
from parsing.text import fold_key, is_blank
from vocab.format import fmt_number

HEADER_SEARCH_ROWS = 30
STEP_CODE = re.compile(r"^\s*(C\d{3})\b", re.IGNORECASE)

#: Matrix columns: field → folded header keys accepted.
MATRIX_HEADERS: dict[str, tuple[str, ...]] = {
    "row_number": ("stt", "sott", "tt"),
    "household_code": ("maho", "mahodan", "mahogd", "machuho", "maphuongan"),
    "land_use": ("loaidat", "mucdichsudung", "loaidatmdsd"),
    "owner_name": ("tenchuho", "hovaten", "hoten", "tenchusudung", "chuho"),
    "address": ("diachi", "diachithuongtru"),
    "parcels": ("thua", "sothua", "thuaso", "thuadat"),
    "area_m2": ("dientichm2", "dientich", "dientichthuhoim2", "dientichthuhoi"),
    "reason": ("lydo", "ghichu", "lydochuathuchien", "lydovuongmac"),
}
MATRIX_LABELS_VI = {"row_number": "STT", "household_code": "Mã hộ", "land_use": "Loại đất",
                    "owner_name": "Tên chủ hộ", "address": "Địa chỉ", "parcels": "Thửa",
                    "area_m2": "Diện tích (m2)", "reason": "Lý do"}
REQUIRED = ("household_code", "parcels", "area_m2")

#: Steps sheet: field → folded header keys accepted.
STEP_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("ma", "mabuoc", "mabuoccongviec", "kyhieu"),
    "name": ("ten", "tenbuoc", "noidung", "noidungcongviec", "buoccongviec", "tenbuoccongviec"),
    "legal_basis": ("cancu", "cancuphaply", "cancuphapluat"),
    "lead_body": ("chutri", "coquanchutri", "donvichutri"),
    "support_body": ("phoihop", "coquanphoihop", "donviphoihop"),
    "min_days": ("songaytoithieu", "thoigiantoithieu", "thoigianngay", "songay"),
    "planned_date": ("ngaykehoach", "kehoach", "ngaydukien"),
    "actual_date": ("ngaythuchien", "thucte", "ngaythucte"),
}
_TOTAL_WORDS = ("tong", "cong", "tongcong")


@dataclass
class RegisterMatrixReport:
    """What a household × step matrix holds (nothing is written); ``to_dict()`` is the JSON form."""

    sheet: str
    header_row: int
    rows: int
    households: int
    parcel_tokens: int
    parcels_distinct: int
    area_m2_total: float
    mapping: dict[str, str | None]
    counts_per_stage: dict[str, int]           # households per stage code
    unmapped_columns: list[str]
    problems: list[RowProblem]
    table: pd.DataFrame                        # one row per data row, index = Excel row
    household_stages: pd.DataFrame
    parcel_stages: pd.DataFrame
    procedure: pd.DataFrame                    # the steps sheet (empty when there is none)
    total_row: int | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "header_row": self.header_row, "rows": self.rows,
                "households": self.households,
                "parcels": {"tokens": self.parcel_tokens, "distinct": self.parcels_distinct},
                "area_m2_total": self.area_m2_total, "mapping": dict(self.mapping),
                "counts_per_stage": dict(self.counts_per_stage), "unmapped_columns": list(self.unmapped_columns),
                "total_row": self.total_row, "notes": list(self.notes),
                "problems": [{"row": p.row, "column": p.column, "message_vi": p.message_vi, "value": p.value}
                             for p in self.problems]}


# ------------------------------------------------------------------------------------- headers
def _field_of(cell: object, headers: dict[str, tuple[str, ...]]) -> str | None:
    key = fold_key(cell)
    return next((f for f, keys in headers.items() if key in keys), None)


def _find_matrix_header(rows: list[list[object]]) -> tuple[int, dict[int, str], dict[int, str]] | None:
    """(index of the header row, column → field, column → step code) of the first row naming the required fields."""
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        fields = {j: f for j, c in enumerate(cells) if (f := _field_of(c, MATRIX_HEADERS))}
        if set(REQUIRED) <= set(fields.values()):
            steps = {j: m[1].upper() for j, c in enumerate(cells) if isinstance(c, str) and (m := STEP_CODE.match(c))}
            return i, fields, steps
    return None


# ------------------------------------------------------------------------------------- cells
def _step_cell(value: object, today: date) -> tuple[bool, date | None]:
    """(done, date) of a step cell; raises ValueError with the expectation in Vietnamese."""
    if is_blank(value):
        return False, None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value in (0, 1):
        return bool(value), None
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return value.strip() == "1", None
    if isinstance(value, (int, float, datetime, date)) or (isinstance(value, str) and any(ch.isdigit() for ch in value)):
        try:
            day = parse_date(value)
        except ValueError as exc:
            raise ValueError(f"cần 1, 0, để trống hoặc ngày dd/mm/yyyy ({exc})") from None
        if day > today:
            raise ValueError(f"ngày {day:%d/%m/%Y} ở sau hôm nay ({today:%d/%m/%Y}); ngày thực hiện không thể ở tương lai")
        return True, day
    raise ValueError("cần 1 (đã thực hiện), 0 hoặc để trống (chưa), hoặc ngày thực hiện dd/mm/yyyy")


def _is_total_row(cells: list[object], fields: dict[int, str]) -> bool:
    """A row whose first cells (up to ``Mã hộ``) say ``Tổng``/``Cộng`` and that names no household."""
    code_col = _col(fields, "household_code")
    head = [fold_key(c) for c in cells[: code_col + 1]]
    code = head[code_col]
    return (not code or code.startswith(_TOTAL_WORDS)) and any(h.startswith(_TOTAL_WORDS) for h in head if h)


# ------------------------------------------------------------------------------------- rows
@dataclass
class _Rows:
    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    total: tuple[int, list[object]] | None = None


def _read_rows(rows: list[list[object]], start_row: int, header: int, fields: dict[int, str],
               steps: dict[int, str], today: date) -> _Rows:
    out = _Rows()
    for i in range(header + 1, len(rows)):
        cells, excel_row = rows[i], start_row + i
        cells = list(cells) + [None] * (max(list(fields) + list(steps) + [0]) + 1 - len(cells))
        if all(is_blank(c) for c in cells):
            continue
        if _is_total_row(cells, fields):
            out.total = (excel_row, cells)
            break
        if _is_column_number_row(cells):
            continue  # the (1) (2) (3) … column-number row under a header
        out.records.append(_read_row(cells, excel_row, fields, steps, today, out.problems))
    return out


def _is_column_number_row(cells: list[object]) -> bool:
    """``(1) (2) (3) …`` or ``1 2 3 …`` across the row: the column numbers printed under a header."""
    filled = [str(c).strip() for c in cells if not is_blank(c)]
    if len(filled) < 5:
        return False
    numbers = [m[1] for c in filled if (m := re.fullmatch(r"\(?(\d+)\)?", c))]
    return len(numbers) == len(filled) and (
        all(c.startswith("(") for c in filled) or [int(n) for n in numbers] == list(range(1, len(numbers) + 1)))


def _col(fields: dict[int, str], name: str) -> int:
    return next(j for j, f in fields.items() if f == name)


def _read_row(cells: list[object], excel_row: int, fields: dict[int, str], steps: dict[int, str], today: date,
              problems: list[RowProblem]) -> dict[str, Any]:
    record: dict[str, Any] = {"row": excel_row}
    for j, name in fields.items():
        record[name] = None if is_blank(cells[j]) else cells[j]
    label = MATRIX_LABELS_VI
    if record.get("household_code") is None:
        problems.append(RowProblem(excel_row, label["household_code"], "thiếu mã hộ; mỗi dòng là một hộ hoặc phương án"))
    else:
        record["household_code"] = str(record["household_code"]).strip()
    try:
        record["parcel_keys"] = parse_parcel_cell(record.get("parcels"))
    except ValueError as exc:
        problems.append(RowProblem(excel_row, label["parcels"], str(exc), str(record.get("parcels"))))
        record["parcel_keys"] = []
    record["area_m2"] = _area(record.get("area_m2"), excel_row, problems)
    for j, code in steps.items():
        try:
            record[f"done_{code}"], record[f"date_{code}"] = _step_cell(cells[j], today)
        except ValueError as exc:
            problems.append(RowProblem(excel_row, code, str(exc), str(cells[j])))
            record[f"done_{code}"], record[f"date_{code}"] = False, None
    return record


def _area(value: object, excel_row: int, problems: list[RowProblem]) -> float:
    if is_blank(value):
        problems.append(RowProblem(excel_row, MATRIX_LABELS_VI["area_m2"], "thiếu diện tích (m²)"))
        return 0.0
    try:
        area = parse_number(value)
    except ValueError as exc:
        problems.append(RowProblem(excel_row, MATRIX_LABELS_VI["area_m2"], f"cần diện tích bằng số m² ({exc})", str(value)))
        return 0.0
    if area < 0:
        problems.append(RowProblem(excel_row, MATRIX_LABELS_VI["area_m2"], "diện tích không được âm", str(value)))
        return 0.0
    return area


# ------------------------------------------------------------------------------------- stages
def _row_stages(table: pd.DataFrame, mapping: dict[str, str | None]) -> pd.DataFrame:
    """Per row: ``stage``, ``stage_rank``, ``stage_date``, ``<stage>_date`` and the branch flags."""
    out = pd.DataFrame(index=table.index)
    out["stage_rank"] = 0
    for stage in STAGES[1:]:
        codes = [c for c, target in mapping.items() if target == stage and f"done_{c}" in table]
        done = table[[f"done_{c}" for c in codes]].any(axis=1) if codes else pd.Series(False, index=table.index)
        dates = table[[f"date_{c}" for c in codes]].apply(pd.to_datetime).min(axis=1) if codes else pd.NaT
        out[f"{stage}_date"] = pd.Series(dates, index=table.index).where(done)
        out.loc[done, "stage_rank"] = STAGE_RANK[stage]
    out["stage"] = [STAGES[r] for r in out["stage_rank"]]
    out["stage_date"] = [out.at[i, f"{s}_date"] if s != "not_started" else pd.NaT for i, s in out["stage"].items()]
    for target in {t for t in mapping.values() if t and t.startswith("flag:")}:
        codes = [c for c, t in mapping.items() if t == target and f"done_{c}" in table]
        out[target.removeprefix("flag:")] = table[[f"done_{c}" for c in codes]].any(axis=1) if codes else False
    return out


def _least_advanced(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    worst = frame.sort_values("stage_rank", kind="stable").groupby(key, sort=False).head(1).set_index(key)
    return worst[["stage", "stage_rank", "stage_date"]]


def _household_stages(table: pd.DataFrame) -> pd.DataFrame:
    valid = table[table["household_code"].notna()]
    stages = _least_advanced(valid, "household_code")
    agg = valid.groupby("household_code").agg(
        owner_name=("owner_name", "first"), rows=("row", "count"), area_m2=("area_m2", "sum"),
        parcels=("parcel_keys", lambda s: sorted({p for keys in s for p in keys}, key=parcel_sort_key)))
    return agg.join(stages).reset_index()


def _parcel_stages(table: pd.DataFrame) -> pd.DataFrame:
    exploded = table.explode("parcel_keys").dropna(subset=["parcel_keys"]).rename(columns={"parcel_keys": "parcel_key"})
    if exploded.empty:
        return pd.DataFrame(columns=["parcel_key", "sort_key", "households", "stage", "stage_rank", "stage_date"])
    stages = _least_advanced(exploded, "parcel_key")
    households = exploded.groupby("parcel_key")["household_code"].agg(lambda s: sorted(set(s.dropna())))
    out = stages.join(households.rename("households")).reset_index()
    out["sort_key"] = out["parcel_key"].map(parcel_sort_key)
    return out.sort_values("sort_key", ignore_index=True)[
        ["parcel_key", "sort_key", "households", "stage", "stage_rank", "stage_date"]]


# ------------------------------------------------------------------------------------- totals
def _check_total(total: tuple[int, list[object]] | None, table: pd.DataFrame, fields: dict[int, str],
                 steps: dict[int, str], problems: list[RowProblem]) -> None:
    if total is None:
        return
    excel_row, cells = total
    expected = {fields[j]: cells[j] for j in fields if fields[j] == "area_m2"}
    expected.update({code: cells[j] for j, code in steps.items()})
    unsure = {p.column for p in problems}  # a column with a bad cell cannot be checked against its total
    for column, value in expected.items():
        if MATRIX_LABELS_VI.get(column, column) in unsure:
            continue
        try:
            written = parse_number(value)
        except (ValueError, TypeError):
            continue  # a total cell that is text or blank: nothing to check
        summed = float(table["area_m2"].sum()) if column == "area_m2" else int(table[f"done_{column}"].sum())
        if abs(written - summed) > 0.5:
            name = MATRIX_LABELS_VI.get(column, column)
            problems.append(RowProblem(excel_row, name, f"dòng tổng ghi {_fmt(written)} nhưng cộng các dòng được "
                                                        f"{_fmt(summed)}", str(value)))


def _fmt(number: float) -> str:
    return fmt_number(number, 0 if float(number).is_integer() else 2)


# ------------------------------------------------------------------------------------- steps sheet
def read_steps_sheet(rows: list[list[object]]) -> pd.DataFrame:
    """The steps sheet as a procedure plan: ``code``, ``name``, ``legal_basis``, ``lead_body``,
    ``support_body``, ``min_days`` (float), ``planned_date``, ``actual_date`` (date or None); empty when
    no row of the first 30 names a code and a name column."""
    columns = list(STEP_HEADERS)
    found = _find_step_header(rows)
    if found is None:
        return pd.DataFrame(columns=columns)
    i, fields = found
    records = []
    for cells in rows[i + 1:]:
        cells = list(cells) + [None] * (max(fields) + 1 - len(cells))
        values = {f: cells[j] for j, f in fields.items()}
        if not isinstance(values["code"], str) or not STEP_CODE.match(values["code"]):
            continue
        values["code"] = STEP_CODE.match(values["code"])[1].upper()
        values["min_days"] = _optional(parse_number, values.get("min_days"))
        for d in ("planned_date", "actual_date"):
            values[d] = _optional(parse_date, values.get(d))
        records.append(values)
    return pd.DataFrame(records).reindex(columns=columns)


def _find_step_header(rows: list[list[object]]) -> tuple[int, dict[int, str]] | None:
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        fields = {j: f for j, c in enumerate(cells) if (f := _field_of(c, STEP_HEADERS))}
        if {"code", "name"} <= set(fields.values()):
            return i, fields
    return None


def _optional(parse, value):
    if is_blank(value):
        return None
    try:
        return parse(value)
    except ValueError:
        return None


# ------------------------------------------------------------------------------------- the reader
def read_register_matrix(source: str | Path | bytes, *, today: date, mapping: dict[str, str | None] | None = None,
                         limits: InputLimits = DEFAULT_LIMITS) -> RegisterMatrixReport:
    """Read a household × step matrix (module docstring) into a :class:`RegisterMatrixReport`.

    Parameters
    ----------
    source : path or bytes
        The XLSX file; checked by :func:`parsing.limits.check_xlsx` before it is opened.
    today : date
        A step dated after ``today`` is a problem of its row.
    mapping : dict, optional
        Step code → stage code / ``flag:<flag>`` / None (a saved profile). Default: proposed from the
        steps sheet (``ingest.step_stages.propose_step_mapping``); codes it leaves out are proposed.

    Raises
    ------
    InputLimitError
        The workbook exceeds ``limits``.
    IngestError
        Not an XLSX that opens, no sheet with the header (``Mã hộ``, ``Thửa``, ``Diện tích (m2)``), a
        mapping target that is not a stage or a branch flag, or a branch step (cưỡng chế, kiểm đếm bắt buộc,
        by its name on the steps sheet) mapped to a main stage.
    """
    data = Path(source).read_bytes() if isinstance(source, (str, Path)) else bytes(source)
    check_xlsx(data, limits)
    sheets = _load_sheets(data)
    found = next(((name, rows, h) for name, rows in sheets.items() if (h := _find_matrix_header(rows))), None)
    if found is None:
        raise IngestError("Không tìm thấy dòng tiêu đề của bảng hộ × bước: cần các cột «Mã hộ», «Thửa» và "
                          "«Diện tích (m2)» trong 30 dòng đầu của một trang tính.")
    sheet, rows, (header, fields, steps) = found
    procedure = next((p for name, r in sheets.items() if name != sheet and not (p := read_steps_sheet(r)).empty),
                     read_steps_sheet([]))
    names = dict(zip(procedure["code"], procedure["name"].fillna("").astype(str), strict=True))
    proposed = propose_step_mapping(names)
    used = {code: (mapping or {}).get(code, proposed.get(code)) for code in steps.values()}
    if bad := check_mapping(used) + check_branch_steps(used, names):
        raise IngestError("Ánh xạ bước → giai đoạn không hợp lệ: " + "; ".join(bad))
    read = _read_rows(rows, 1, header, fields, steps, today)
    table = pd.DataFrame(read.records).set_index("row", drop=False) if read.records else _empty_table(fields, steps)
    table = table.join(_row_stages(table, used))
    _check_total(read.total, table, fields, steps, read.problems)
    households = _household_stages(table)
    tokens = [p for keys in table["parcel_keys"] for p in keys]
    return RegisterMatrixReport(
        sheet=sheet, header_row=header + 1, rows=len(table), households=len(households),
        parcel_tokens=len(tokens), parcels_distinct=len(set(tokens)), area_m2_total=float(table["area_m2"].sum()),
        mapping=used, counts_per_stage={s: int((households["stage"] == s).sum()) for s in STAGES},
        unmapped_columns=sorted(c for c, t in used.items() if t is None), problems=read.problems, table=table,
        household_stages=households, parcel_stages=_parcel_stages(table), procedure=procedure,
        total_row=read.total[0] if read.total else None,
        notes=[] if not procedure.empty else ["Không có trang danh sách bước: mọi cột bước chưa được ánh xạ."])


def _empty_table(fields: dict[int, str], steps: dict[int, str]) -> pd.DataFrame:
    columns = ["row", *fields.values(), "parcel_keys"] + [f"{k}_{c}" for c in steps.values() for k in ("done", "date")]
    return pd.DataFrame(columns=columns).astype({"area_m2": float})


def _load_sheets(data: bytes) -> dict[str, list[list[object]]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many types for broken files
        raise IngestError("Không mở được tệp XLSX (tệp hỏng hoặc không phải bảng tính Excel). "
                          "Hãy mở bằng Excel và lưu lại.") from None
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(min_row=1, values_only=True)] for ws in workbook.worksheets}
    finally:
        workbook.close()
