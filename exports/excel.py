"""Excel progress report (.xlsx, XlsxWriter): progress table, milestones, parcels, notes.

Sheets
------
``Tiến độ``
    The district's progress table (project → commune rows, a total row): area to recover and handed
    over in ha and m², % handed over, households by stage, amounts approved and paid (đồng), milestone
    status (Vietnamese), forecast date, main obstacles. Frozen header, print area, repeated header
    rows, landscape/portrait A4/A3 fitted to one page wide.
``Mốc tiến độ``
    Every milestone with target, value at the due date and now, status ("Đạt muộn" when reached late),
    the date reached, the forecast range, required (ha/week, %/day) and recent rates.
``Theo xã``
    The communes league (``milestones.league.communes_league``): per project × 2025 commune, ranked by
    the gap to the next milestone, with blocking parcels, open complaints and the stale-data flag.
``Điểm nghẽn``
    The blocking set of every milestone not reached (``Snapshot.blockers``), in rank order; with a procedure
    plan, the planned date of each parcel's next stage and the days behind it (the body is the plan's lead body).
``Thửa đất``
    One row per parcel (filterable).
``Ghi chú``
    As-of date, data version, definitions, sources, caveats and the personal-data statement.

Figures are written as numbers (not formulas, not text) with display formats, so Excel shows them
with the reader's separators (1.234,5 in a Vietnamese locale) and sums them. Text that starts with
``=``, ``+``, ``-``, ``@`` (or a tab/CR) is written as a string with Excel's quote prefix, so Excel
never evaluates it, not even after the cell is edited (OWASP "CSV/formula injection").
"""
from __future__ import annotations

import io
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xlsxwriter

from domain.stages import STAGES
from exports.options import ExportOptions
from exports.personal import (
    NO_PERSONAL_DATA_NOTE_VI,
    PERSONAL_DATA_NOTICE_VI,
    personal_columns,
    strip_personal_data,
)
from exports.provenance import (
    APP_NAME,
    ATTRIBUTIONS_VI,
    CRS_NOTE_VI,
    as_of_text_vi,
    caveat_notes_vi,
    data_version_of,
    report_title_vi,
)
from exports.report_table import parcel_table, progress_table
from exports.table_files import FORMULA_TRIGGERS
from milestones.league import communes_league
from parsing.dates import parse_date
from vocab.format import is_missing
from vocab.headers import PARCEL_HEADERS_VI
from vocab.labels import (
    MILESTONE_STATUS_COLOURS,
    PLAN_HEADERS_VI,
    STAGE_LABELS_VI,
    body_label,
    has_plan,
    metric_label,
    next_action_label,
    obstacles_text,
    stage_label,
    status_label,
)

if TYPE_CHECKING:
    from milestones.snapshot import Snapshot
    from store.protocol import LayerReader


_PAPER_CODES = {"A3": 8, "A4": 9}  # XlsxWriter set_paper() codes

#: Progress sheet columns: (key in progress_table, header, kind, width).
_PROGRESS_COLUMNS: list[tuple[str, str, str, float]] = [
    ("stt", "STT", "text", 5),
    ("label", "Dự án / Xã, phường", "text", 34),
    ("area_to_recover_ha", "Cần thu hồi (ha)", "ha", 11),
    ("area_to_recover_m2", "Cần thu hồi (m²)", "m2", 13),
    ("area_handed_over_ha", "Đã bàn giao (ha)", "ha", 11),
    ("area_handed_over_m2", "Đã bàn giao (m²)", "m2", 13),
    ("percent_handed_over", "Tỷ lệ bàn giao (%)", "pct", 9),
    *[(f"households_{s}", STAGE_LABELS_VI[s], "int", 10) for s in STAGES],
    ("households_total", "Tổng số hộ", "int", 8),
    ("amount_approved_vnd", "Kinh phí BT, HT & TĐC được phê duyệt (đồng)", "vnd", 17),
    ("amount_paid_vnd", "Đã chi trả (đồng)", "vnd", 17),
    ("milestone_status", "Tình trạng thực hiện mốc tiến độ", "wrap", 38),
    ("forecast_date", "Dự báo đạt mốc", "date", 12),
    ("obstacles", "Vướng mắc chính", "wrap", 36),
]

_NUM_FORMATS = {"ha": "#,##0.00", "m2": "#,##0.0", "pct": "0.0", "int": "#,##0", "vnd": "#,##0",
                "date": "dd/mm/yyyy", "rate": "0.000"}


#: Parcel sheet: column code → cell kind (others are text) and → width in characters (others 13).
_PARCEL_KINDS = {"map_sheet": "int", "parcel_number": "int", "parcel_area_m2": "m2", "area_to_recover_m2": "m2",
                 "stage_date": "date", "amount_approved_vnd": "vnd", "amount_paid_vnd": "vnd"}
_PARCEL_WIDTHS = {"commune": 20, "commune_former": 22, "stage": 24, "risk_flags": 40}


def _to_datetime(value: Any) -> datetime | None:
    if is_missing(value):
        return None
    if isinstance(value, str):  # a date written as text: the one date rule (day first, ISO, serials)
        day = parse_date(value)
        return datetime(day.year, day.month, day.day)
    ts = pd.Timestamp(value)
    return ts.to_pydatetime().replace(tzinfo=None)


def _row_height_pt(cells: list[tuple[Any, float]], line_pt: float = 15.0) -> float:
    """Row height that shows every line of the wrapped ``(text, column width in characters)`` cells.

    Excel does not grow rows for wrapped text written by a program, so the height is set from an
    estimate: each text line takes ceil(characters ÷ column width) printed lines.
    """
    lines = 1
    for text, width in cells:
        if is_missing(text) or not str(text):
            continue
        n = sum(max(1, -(-len(part) // max(int(width * 1.05), 1))) for part in str(text).split("\n"))
        lines = max(lines, n)
    return lines * line_pt


class _Writer:
    """Cell writing with cached formats: numbers as numbers, dates as dates, text never as formulas."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self.wb = workbook
        self._formats: dict[tuple, Any] = {}

    def fmt(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            base = {"font_name": "Times New Roman", "font_size": 11, "valign": "vcenter"}
            base.update(props)
            self._formats[key] = self.wb.add_format(base)
        return self._formats[key]

    def text(self, ws, row: int, col: int, value: Any, **props) -> None:
        """Write ``value`` as a string; formula-like text gets the quote prefix (never a formula)."""
        text = "" if is_missing(value) else str(value)
        if text.startswith(FORMULA_TRIGGERS):
            props = {**props, "quote_prefix": True}
        if text == "":
            ws.write_blank(row, col, None, self.fmt(**props))
        else:
            ws.write_string(row, col, text, self.fmt(**props))

    def value(self, ws, row: int, col: int, value: Any, kind: str, **props) -> None:
        """Write a number/date/text cell by ``kind`` (see ``_NUM_FORMATS``); missing → blank."""
        if kind in ("text", "wrap"):
            if kind == "wrap":
                props = {"text_wrap": True, **props}
            self.text(ws, row, col, value, **props)
            return
        num_format = _NUM_FORMATS[kind]
        f = self.fmt(num_format=num_format, **props)
        if is_missing(value):
            ws.write_blank(row, col, None, f)
        elif kind == "date":
            ws.write_datetime(row, col, _to_datetime(value), f)
        elif isinstance(value, (bool, np.bool_)):
            self.text(ws, row, col, "Có" if value else "Không", **props)
        else:
            ws.write_number(row, col, float(value), f)


def _page_setup(ws, options: ExportOptions, *, header_rows: tuple[int, int] | None, last_row: int, last_col: int,
                footer: str) -> None:
    ws.set_paper(_PAPER_CODES[options.paper])
    if options.orientation == "landscape":
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as needed
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.print_area(0, 0, max(last_row, 0), last_col)
    if header_rows is not None:
        ws.repeat_rows(*header_rows)
    ws.set_footer(f"&L&8{footer}&R&8Trang &P/&N")


def _write_progress_sheet(w: _Writer, snapshot, options: ExportOptions, meta: dict) -> None:
    ws = w.wb.add_worksheet("Tiến độ")
    table = progress_table(snapshot, options.project_id)
    ncol = len(_PROGRESS_COLUMNS)
    for c, (_, _, _, width) in enumerate(_PROGRESS_COLUMNS):
        ws.set_column(c, c, width)
    ws.merge_range(0, 0, 0, ncol - 1, meta["title"], w.fmt(bold=True, font_size=14, align="center"))
    ws.merge_range(1, 0, 1, ncol - 1, f"{meta['as_of']} · {meta['version']}", w.fmt(italic=True, align="center"))
    pd_note = PERSONAL_DATA_NOTICE_VI if options.include_personal_data else NO_PERSONAL_DATA_NOTE_VI
    ws.merge_range(2, 0, 2, ncol - 1, " ".join([*meta["caveats"], pd_note]),
                   w.fmt(italic=True, font_size=9, align="center", text_wrap=True,
                         font_color="#b71c1c" if options.include_personal_data else "#424242"))
    ws.set_row(2, 30)

    # Two header rows: groups (merged) above sub-headers; columns without a group span both rows.
    h0, h1 = 4, 5
    head = dict(bold=True, align="center", text_wrap=True, border=1, bg_color="#e8eaf6", font_size=10)
    groups = {
        (2, 3): "Diện tích cần thu hồi", (4, 5): "Diện tích đã bàn giao",
        (7, 7 + len(STAGES)): "Số hộ theo giai đoạn (hộ)", (len(STAGES) + 8, len(STAGES) + 9): "Kinh phí (đồng)",
    }
    grouped = {c for (a, b) in groups for c in range(a, b + 1)}
    for (a, b), label in groups.items():
        ws.merge_range(h0, a, h0, b, label, w.fmt(**head))
    subs = {2: "ha", 3: "m²", 4: "ha", 5: "m²", len(STAGES) + 8: "Được phê duyệt", len(STAGES) + 9: "Đã chi trả"}
    for c, (_, header, _, _) in enumerate(_PROGRESS_COLUMNS):
        if c in grouped:
            w.text(ws, h1, c, subs.get(c, header), **head)
        else:
            ws.merge_range(h0, c, h1, c, header, w.fmt(**head))
    ws.set_row(h0, 30)
    ws.set_row(h1, 45)

    row = h1 + 1
    project_no = 0
    commune_no = 0
    for _, r in table.iterrows():
        level = r["level"]
        if level == "project":
            project_no += 1
            commune_no = 0
            stt = str(project_no)
            style = dict(bold=True, bg_color="#f5f5f5", border=1)
        elif level == "commune":
            commune_no += 1
            stt = f"{project_no}.{commune_no}"
            style = dict(border=1)
        else:
            stt = ""
            style = dict(bold=True, bg_color="#fff9c4", border=1, top=2)
        values = r.to_dict()
        values["stt"] = stt
        values["label"] = r["label"] if level != "commune" else f"  {r['label']}"
        for key in ("area_to_recover", "area_handed_over"):
            m2 = values.get(f"{key}_m2")
            values[f"{key}_ha"] = None if is_missing(m2) else float(m2) / 10_000.0
        for c, (key, _, kind, _) in enumerate(_PROGRESS_COLUMNS):
            props = dict(style)
            if key == "milestone_status" and r.get("milestone_status_code") in MILESTONE_STATUS_COLOURS:
                bg, fg = MILESTONE_STATUS_COLOURS[r["milestone_status_code"]]
                props.update(bg_color=bg, font_color=fg)
            if kind in ("text", "wrap"):
                props.setdefault("valign", "top" if kind == "wrap" else "vcenter")
            w.value(ws, row, c, values.get(key), kind, **props)
        wrapped = [(values.get(key), width) for key, _, kind, width in _PROGRESS_COLUMNS if kind == "wrap"]
        ws.set_row(row, _row_height_pt(wrapped))
        row += 1
    last_row = row - 1
    ws.freeze_panes(h1 + 1, 2)
    row += 1
    w.text(ws, row, 1, "Tỷ lệ bàn giao = diện tích đã bàn giao ÷ diện tích cần thu hồi. Dòng tổng cộng "
           "= tổng các dòng dự án. 1 ha = 10.000 m². Cách tính số hộ và báo cáo tổng hợp: xem trang Ghi chú.",
           italic=True, font_size=9)
    _page_setup(ws, options, header_rows=(h0, h1), last_row=last_row, last_col=ncol - 1, footer=meta["footer"])


def _write_milestones_sheet(w: _Writer, snapshot, options: ExportOptions, meta: dict) -> None:
    ws = w.wb.add_worksheet("Mốc tiến độ")
    ms = snapshot.milestones.copy() if snapshot.milestones is not None else pd.DataFrame()
    if options.project_id is not None and len(ms):
        ms = ms[ms["project_id"] == options.project_id]
    names = dict(zip(snapshot.projects["project_id"], snapshot.projects.get("name", snapshot.projects["project_id"])))
    cols = [
        ("project", "Dự án", "text", 30), ("label", "Mốc", "wrap", 40), ("scope", "Phạm vi", "text", 16),
        ("metric", "Chỉ tiêu", "text", 22), ("due_date", "Hạn", "date", 12),
        ("target_percent", "Mục tiêu (%)", "pct", 10), ("actual_at_due_percent", "Tại hạn (%)", "pct", 10),
        ("actual_percent", "Thực hiện (%)", "pct", 10),
        ("status", "Tình trạng", "text", 16), ("met_on", "Ngày đạt", "date", 12),
        ("forecast_earliest", "Dự báo đạt sớm nhất", "date", 12), ("forecast_latest", "Dự báo đạt muộn nhất", "date", 12),
        ("required_rate_ha_per_week", "Tốc độ cần (ha/tuần)", "rate", 12),
        ("required_rate_pct_per_day", "Tốc độ cần (%/ngày)", "rate", 12),
        ("recent_rate_pct_per_day", "Tốc độ gần đây (%/ngày)", "rate", 12),
    ]
    ws.merge_range(0, 0, 0, len(cols) - 1, f"{meta['title']} – MỐC TIẾN ĐỘ", w.fmt(bold=True, font_size=13))
    w.text(ws, 1, 0, f"{meta['as_of']} · {meta['version']}", italic=True)
    head = dict(bold=True, align="center", text_wrap=True, border=1, bg_color="#e8eaf6", font_size=10)
    for c, (_, header, _, width) in enumerate(cols):
        ws.set_column(c, c, width)
        w.text(ws, 3, c, header, **head)
    ws.set_row(3, 32)
    if len(ms):
        ms = ms.assign(_due=pd.to_datetime(ms["due_date"], errors="coerce")).sort_values(["project_id", "_due"],
                                                                                         kind="stable")
    row = 4
    for _, m in ms.iterrows():
        values = m.to_dict()
        values["project"] = names.get(m["project_id"], m["project_id"])
        scope = values.get("scope")
        values["scope"] = "Toàn dự án" if is_missing(scope) or scope == "project" else scope
        values["metric"] = metric_label(values.get("metric"))
        status = str(values.get("status"))
        late = values.get("reached_late") is True or values.get("reached_late") is np.True_
        values["status"] = "Đạt muộn" if late else status_label(status)
        for c, (key, _, kind, _) in enumerate(cols):
            props = dict(border=1)
            if key == "status" and status in MILESTONE_STATUS_COLOURS:
                bg, fg = MILESTONE_STATUS_COLOURS[status]
                props.update(bg_color=bg, font_color=fg, bold=True)
            w.value(ws, row, c, values.get(key), kind, **props)
        ws.set_row(row, _row_height_pt([(values.get(k), wd) for k, _, kd, wd in cols if kd == "wrap"]))
        row += 1
    ws.freeze_panes(4, 0)
    _page_setup(ws, options, header_rows=(3, 3), last_row=row - 1, last_col=len(cols) - 1, footer=meta["footer"])


def _write_parcel_sheet(w: _Writer, snapshot, options: ExportOptions, meta: dict) -> None:
    ws = w.wb.add_worksheet("Thửa đất")
    parcels = snapshot.parcels
    if options.project_id is not None:
        parcels = parcels[parcels["project_id"] == options.project_id]
    personal = personal_columns(parcels.columns) if options.include_personal_data else []
    if not options.include_personal_data:
        parcels = strip_personal_data(parcels)
    table = parcel_table(parcels, personal)
    kinds = {PARCEL_HEADERS_VI[code]: kind for code, kind in _PARCEL_KINDS.items()}
    widths = {PARCEL_HEADERS_VI[code]: width for code, width in _PARCEL_WIDTHS.items()}
    title = f"{meta['title']} – DANH SÁCH THỬA ĐẤT"
    w.text(ws, 0, 0, title, bold=True, font_size=13)
    w.text(ws, 1, 0, f"{meta['as_of']} · {meta['version']}", italic=True)
    note = PERSONAL_DATA_NOTICE_VI if options.include_personal_data else NO_PERSONAL_DATA_NOTE_VI
    w.text(ws, 2, 0, " ".join([*meta["caveats"], note]), italic=True, font_size=9,
           font_color="#b71c1c" if options.include_personal_data else "#424242")
    head = dict(bold=True, align="center", text_wrap=True, border=1, bg_color="#e8eaf6", font_size=10)
    hr = 4
    for c, header in enumerate(table.columns):
        ws.set_column(c, c, widths.get(header, 30 if "CÁ NHÂN" in header else 13))
        w.text(ws, hr, c, header, **head)
    ws.set_row(hr, 45)
    col_kinds = [kinds.get(h, "text") for h in table.columns]
    for i, rec in enumerate(table.itertuples(index=False, name=None)):
        for c, v in enumerate(rec):
            w.value(ws, hr + 1 + i, c, v, col_kinds[c], border=1, font_size=10)
    last = hr + len(table)
    ws.autofilter(hr, 0, max(last, hr), len(table.columns) - 1)
    ws.freeze_panes(hr + 1, 0)
    _page_setup(ws, options, header_rows=(hr, hr), last_row=last, last_col=len(table.columns) - 1,
                footer=meta["footer"])


def _write_notes_sheet(w: _Writer, snapshot, options: ExportOptions, meta: dict) -> None:
    ws = w.wb.add_worksheet("Ghi chú")
    ws.set_column(0, 0, 120)
    lines: list[tuple[str, dict]] = [
        (meta["title"], dict(bold=True, font_size=13)),
        (meta["as_of"], {}),
        (meta["version"], {}),
        (f"Dự án: {options.project_id}" if options.project_id else "Dự án: tất cả", {}),
        ("", {}),
        ("DỮ LIỆU CÁ NHÂN", dict(bold=True)),
        (PERSONAL_DATA_NOTICE_VI if options.include_personal_data else NO_PERSONAL_DATA_NOTE_VI,
         dict(bold=options.include_personal_data, font_color="#b71c1c" if options.include_personal_data else "#000000")),
        ("", {}),
        ("CÁCH TÍNH", dict(bold=True)),
        (("Tỷ lệ bàn giao (%) = diện tích đã bàn giao mặt bằng ÷ diện tích cần thu hồi (phần thửa đất nằm trong "
          "chỉ giới GPMB), tính trong hệ VN-2000."), {}),
        (("Số hộ theo giai đoạn: mỗi hộ được tính một lần trong mỗi phạm vi (dự án, xã), theo thửa chậm nhất "
          "của hộ trong phạm vi đó; vì vậy số hộ của các xã có thể cộng lại lớn hơn số hộ của dự án."), {}),
        (("Diện tích đã bàn giao của một phạm vi = số lớn hơn giữa tổng các thửa đã bàn giao và báo cáo tổng hợp "
          "gần nhất của phạm vi đó (không cộng dồn hai nguồn); dòng dự án có thể khác tổng các dòng xã."), {}),
        (("Vướng mắc chính: số thửa chưa bàn giao có khiếu nại chưa giải quyết, phải cưỡng chế, kiểm đếm bắt "
          "buộc hoặc quá thời hạn của một bước (theo rules.yaml)."), {}),
        (("Tình trạng mốc: Đạt, Không đạt, Đúng tiến độ, Có nguy cơ chậm, Chậm tiến độ (dự báo theo tốc độ "
          "bàn giao gần đây)."), {}),
        (CRS_NOTE_VI, {}),
        ("", {}),
        ("LƯU Ý", dict(bold=True)),
        *[(n, {}) for n in meta["caveats"]],
        ("", {}),
        ("NGUỒN DỮ LIỆU", dict(bold=True)),
        *[(a, {}) for a in ATTRIBUTIONS_VI],
        ("", {}),
        (f"Lập bằng {APP_NAME}. Cùng dữ liệu và cùng ngày số liệu cho cùng kết quả.", dict(italic=True)),
    ]
    for i, (text, props) in enumerate(lines):
        w.text(ws, i, 0, text, text_wrap=True, **props)
    _page_setup(ws, options, header_rows=None, last_row=len(lines) - 1, last_col=0, footer=meta["footer"])


#: Blocking sheet: (column of ``Snapshot.blockers`` or derived key, header, kind, width).
_BLOCKING_COLS = [
    ("project", "Dự án", "text", 22), ("milestone", "Mốc", "wrap", 36), ("rank", "Thứ tự", "int", 7),
    ("parcel_id", "Thửa", "text", 24), ("commune", "Xã/phường", "text", 18),
    ("area_to_recover_m2", "Diện tích (m²)", "m2", 12), ("stage", "Giai đoạn", "text", 20),
    ("next_action", "Việc tiếp theo", "wrap", 30), ("responsible", "Cơ quan thực hiện", "wrap", 22),
    ("next_deadline", "Hạn", "date", 12), ("days_overdue", "Số ngày quá hạn", "int", 10),
    ("obstacles", "Vướng mắc", "wrap", 26), ("cumulative_area_m2", "Diện tích cộng dồn (m²)", "m2", 14),
]

#: Communes sheet: (column of ``milestones.league.communes_league``, header, kind, width).
_LEAGUE_COLS = [
    ("project", "Dự án", "text", 22), ("rank", "Hạng", "int", 7), ("commune", "Xã/phường (từ 1/7/2025)", "text", 22),
    ("area_to_recover_ha", "Cần thu hồi (ha)", "ha", 12), ("area_handed_over_ha", "Đã bàn giao (ha)", "ha", 12),
    ("percent_handed_over", "Tỷ lệ (%)", "pct", 9), ("gap_ha", "Còn thiếu so với mốc (ha)", "ha", 12),
    ("blocking_parcels", "Thửa điểm nghẽn", "int", 10), ("open_complaints", "Khiếu nại chưa giải quyết", "int", 11),
    ("last_count_on", "Số liệu gửi lần cuối", "date", 12), ("stale", "Số liệu cũ", "text", 9),
]

_EVENT_COLUMNS = ["kind", "parcel_id", "commune", "project_id", "event_date"]


def _write_rows_sheet(w: _Writer, options: ExportOptions, meta: dict, name: str, title: str, cols: list,
                      records: list[dict], empty_text: str) -> None:
    """A sheet of typed rows under a title line and a header row (the layout of the other sheets)."""
    ws = w.wb.add_worksheet(name)
    ws.merge_range(0, 0, 0, len(cols) - 1, f"{meta['title']} – {title}", w.fmt(bold=True, font_size=13))
    w.text(ws, 1, 0, f"{meta['as_of']} · {meta['version']}", italic=True)
    head = dict(bold=True, align="center", text_wrap=True, border=1, bg_color="#e8eaf6", font_size=10)
    for c, (_, header, _, width) in enumerate(cols):
        ws.set_column(c, c, width)
        w.text(ws, 3, c, header, **head)
    ws.set_row(3, 45)
    if not records:
        w.text(ws, 4, 0, empty_text, italic=True)
    for r, values in enumerate(records, start=4):
        for c, (key, _, kind, _) in enumerate(cols):
            w.value(ws, r, c, values.get(key), kind, border=1, font_size=10)
        ws.set_row(r, _row_height_pt([(values.get(k), wd) for k, _, kd, wd in cols if kd == "wrap"]))
    last = 3 + max(len(records), 1)
    ws.freeze_panes(4, 0)
    _page_setup(ws, options, header_rows=(3, 3), last_row=last, last_col=len(cols) - 1, footer=meta["footer"])


def _write_blocking_sheet(w: _Writer, snapshot, options: ExportOptions, meta: dict) -> None:
    """Every blocking set (``Snapshot.blockers``), milestone by milestone in rank order; codes as words."""
    b = snapshot.blockers
    if options.project_id is not None and len(b):
        b = b[b["project_id"] == options.project_id]
    names = dict(zip(snapshot.projects["project_id"], snapshot.projects.get("name", snapshot.projects["project_id"])))
    labels = dict(zip(snapshot.milestones["milestone_id"], snapshot.milestones["label"])) \
        if len(snapshot.milestones) else {}
    records = [{**r, "project": names.get(r["project_id"], r["project_id"]),
                "milestone": labels.get(r["milestone_id"], r["milestone_id"]), "stage": stage_label(r["stage"]),
                "next_action": next_action_label(r["next_action"]), "responsible": body_label(r["responsible"]),
                "obstacles": obstacles_text(r["obstacles"])} for r in b.to_dict("records")]
    _write_rows_sheet(w, options, meta, "Điểm nghẽn", "THỬA ĐIỂM NGHẼN THEO MỐC CHƯA ĐẠT", _blocking_cols(b), records,
                      "Mọi mốc đã đạt chỉ tiêu: không có điểm nghẽn.")


def _blocking_cols(blockers) -> list:
    """:data:`_BLOCKING_COLS`, with the procedure plan's date and days behind after the days overdue when some
    project of ``blockers`` has a plan (``milestones.procedure_plan``)."""
    if not has_plan(blockers):
        return _BLOCKING_COLS
    at = [c[0] for c in _BLOCKING_COLS].index("days_overdue") + 1
    plan = [("planned_date", PLAN_HEADERS_VI["planned_date"], "date", 12),
            ("days_behind_plan", PLAN_HEADERS_VI["days_behind_plan"], "int", 11)]
    return [*_BLOCKING_COLS[:at], *plan, *_BLOCKING_COLS[at:]]


def _write_league_sheet(w: _Writer, snapshot, store, options: ExportOptions, meta: dict) -> None:
    """The communes league (:func:`milestones.league.communes_league`, 2025 units), ranked by gap per project."""
    events = store.events() if store is not None and hasattr(store, "events") else pd.DataFrame(columns=_EVENT_COLUMNS)
    league = communes_league(snapshot, events)
    if options.project_id is not None:
        league = league[league["project_id"] == options.project_id]
    names = dict(zip(snapshot.projects["project_id"], snapshot.projects.get("name", snapshot.projects["project_id"])))
    records = [{**r, "project": names.get(r["project_id"], r["project_id"]),
                "area_to_recover_ha": r["area_to_recover_m2"] / 10_000, "area_handed_over_ha": r["area_handed_over_m2"] / 10_000,
                "stale": "Có" if r["stale"] else ""} for r in league.to_dict("records")]
    _write_rows_sheet(w, options, meta, "Theo xã", "TIẾN ĐỘ THEO XÃ, PHƯỜNG (XẾP THEO DIỆN TÍCH CÒN THIẾU)",
                      _LEAGUE_COLS, records, "Không có thửa đất nào.")


def _write_people_sheets(w: _Writer, snapshot, store, options: ExportOptions, meta: dict) -> None:
    """A sheet per people-side register (:func:`exports.people_tables.people_sheets`); no personal data (no
    names, ID numbers, phones: households appear by code). Only for a store with registers."""
    if store is None or not hasattr(store, "register"):
        return
    from exports.people_tables import people_sheets
    from milestones.people import people_figures

    figures = people_figures(store, snapshot.as_of, snapshot.rules)
    names = dict(zip(snapshot.projects["project_id"], snapshot.projects.get("name", snapshot.projects["project_id"])))
    for sheet, title, cols, records, empty in people_sheets(figures, names):
        if options.project_id is not None:
            records = [r for r in records if r.get("project_id", options.project_id) == options.project_id]
        _write_rows_sheet(w, options, meta, sheet, title, cols, records, empty)


def export_xlsx(snapshot: Snapshot, store: LayerReader | None = None, options: ExportOptions | None = None) -> bytes:
    """Write the Excel progress report of ``snapshot`` and return the .xlsx file's bytes.

    Parameters
    ----------
    snapshot : milestones.snapshot.Snapshot
        The computed state at ``snapshot.as_of`` (``projects``, ``communes``, ``milestones``,
        ``parcels``, ``data_version``).
    store : store object, optional
        Only ``store.projects()`` is read, for ``geometry_status`` (the "approximate boundary" caveat).
    options : ExportOptions, optional
        ``project_id`` (one project), ``paper``/``orientation`` (print setup),
        ``include_personal_data`` (adds the owner column and says so on every sheet).

    Returns
    -------
    bytes
        An Office Open XML workbook. Byte-identical for the same snapshot and options: the document
        creation time is the data version time, not the clock.

    Raises
    ------
    ValueError
        If ``options.project_id`` is not in the snapshot.
    """
    options = options or ExportOptions()
    dv = data_version_of(snapshot)
    name = None
    if options.project_id is not None:
        match = snapshot.projects[snapshot.projects["project_id"] == options.project_id]
        if match.empty:
            raise ValueError(f"Không có dự án {options.project_id!r}; các mã dự án: "
                             f"{', '.join(map(str, snapshot.projects['project_id']))}")
        name = str(match.iloc[0].get("name", options.project_id))
    title = "BÁO CÁO " + report_title_vi(name)
    if options.include_personal_data:
        title += " (CÓ DỮ LIỆU CÁ NHÂN – CHỈ DÙNG NỘI BỘ)"
    projects_meta = pd.DataFrame(store.projects()) if store is not None else pd.DataFrame(snapshot.projects)
    if options.project_id is not None and "project_id" in projects_meta:
        projects_meta = projects_meta[projects_meta["project_id"] == options.project_id]
    parcels = snapshot.parcels if options.project_id is None else snapshot.parcels[
        snapshot.parcels["project_id"] == options.project_id]
    meta = {
        "title": title,
        "as_of": as_of_text_vi(snapshot.as_of),
        "version": dv.text_vi(),
        "caveats": caveat_notes_vi(projects_meta, parcels),
        "footer": f"{APP_NAME} · {as_of_text_vi(snapshot.as_of)} · {dv.text_vi()}".replace("&", "&&"),
    }
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                      "strings_to_numbers": False})
    created = dv.last_change_at or datetime.combine(snapshot.as_of, datetime.min.time())
    wb.set_properties({"title": title, "subject": meta["as_of"], "author": APP_NAME, "company": APP_NAME,
                       "comments": meta["version"], "created": created})
    w = _Writer(wb)
    _write_progress_sheet(w, snapshot, options, meta)
    _write_milestones_sheet(w, snapshot, options, meta)
    _write_league_sheet(w, snapshot, store, options, meta)
    _write_blocking_sheet(w, snapshot, options, meta)
    _write_parcel_sheet(w, snapshot, options, meta)
    _write_people_sheets(w, snapshot, store, options, meta)
    _write_notes_sheet(w, snapshot, options, meta)
    wb.close()
    return buffer.getvalue()
