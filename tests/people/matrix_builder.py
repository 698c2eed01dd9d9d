"""A generated household × step matrix (XLSX bytes) and what it must read as, known by construction.

The builder decides each row's stage, parcels and area first and writes the cells from them, so the
expectations come from the generation, not from the reader.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import openpyxl

STEPS: tuple[tuple[str, str, str | None], ...] = (   # code, name, the stage it must map to
    ("C001", "Thông báo thu hồi đất", "notice"),
    ("C002", "Điều tra, khảo sát, đo đạc, kiểm đếm", "inventory"),
    ("C003", "Lập phương án bồi thường, hỗ trợ, tái định cư", None),
    ("C004", "Niêm yết công khai dự thảo phương án", "plan_posted"),
    ("C005", "Quyết định phê duyệt phương án BT, HT & TĐC", "approved"),
    ("C006", "Mời nhận tiền bồi thường", None),
    ("C007", "Phiếu chi / biên bản nhận tiền", "paid"),
    ("C008", "Biên bản bàn giao mặt bằng", "handed_over"),
    ("C009", "Quyết định kiểm đếm bắt buộc", "flag:compulsory_inventory"),
    ("C010", "Tổ chức cưỡng chế thu hồi đất, lập biên bản bàn giao mặt bằng cho chủ đầu tư", "flag:enforced"),
)
MAIN_STEPS = [(code, target) for code, _, target in STEPS if target and not target.startswith("flag:")]
STAGE_ORDER = ["not_started", "notice", "inventory", "plan_posted", "approved", "paid", "handed_over"]
HEADER = ["STT", "Mã hộ", "Loại đất", "Tên chủ hộ", "Địa chỉ", "Thửa", "Diện tích (m2)",
          *[code for code, _, _ in STEPS], "Lý do"]
START = date(2025, 3, 1)


@dataclass
class Expected:
    rows: int = 0
    households: dict[str, list[int]] = field(default_factory=dict)   # code → stage ranks of its rows
    parcel_tokens: list[str] = field(default_factory=list)
    area_m2: float = 0.0
    row_stage: dict[int, str] = field(default_factory=dict)          # Excel row → stage
    row_stage_date: dict[int, date | None] = field(default_factory=dict)
    enforced_rows: set[int] = field(default_factory=set)


def _parcel_cell(i: int) -> tuple[object, list[str]]:
    a, b = 100 + i, 2000 + i
    forms = ((f"{a}+{b}", [str(a), str(b)]), (f"{a}\n{b}", [str(a), str(b)]), (f"{a}A", [f"{a}A"]),
             (f"{a}b-2", [f"{a}B-2"]), (a, [str(a)]))
    return forms[i % len(forms)]


def _row_plan(i: int) -> tuple[int, bool]:
    """(stage rank, enforcement branch) of data row ``i``: the branch never on handed-over rows."""
    rank = i % 7
    return rank, i % 11 == 0 and rank < 6


def build_matrix(n_rows: int = 420, *, steps_sheet: bool = True, total_row: bool = True) -> tuple[bytes, Expected]:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Theo dõi"
    ws.append(["UBND TỈNH LẠNG SƠN"])
    ws.append(["BẢNG THEO DÕI TIẾN ĐỘ GPMB THEO HỘ - DỰ ÁN CAO TỐC HỮU NGHỊ - CHI LĂNG"])
    ws.append([])
    ws.append(HEADER)
    ws.append([f"({k})" for k in range(1, len(HEADER) + 1)])
    expected = Expected()
    step_counts = dict.fromkeys([c for c, _, _ in STEPS], 0)
    for i in range(n_rows):
        excel_row = ws.max_row + 1
        household = f"HD{(i // 2 if i % 10 == 9 else i):04d}"   # every tenth row: a second plan of a household
        rank, branch = _row_plan(i)
        cell, tokens = _parcel_cell(i)
        area = 50.0 + (i * 37) % 900 + 0.25
        stage_date = None
        values: dict[str, object] = {}
        for k, (code, _target) in enumerate(MAIN_STEPS, start=1):
            if k <= rank:
                day = START + timedelta(days=10 * k + i % 5)
                written = 1 if (i + k) % 3 == 0 else (datetime(day.year, day.month, day.day) if (i + k) % 3 == 1
                                                      else day.strftime("%d/%m/%Y"))
                values[code] = written
                if k == rank:
                    stage_date = None if written == 1 else day
            elif (i + k) % 4 == 0:
                values[code] = 0
        if rank >= 5:
            values["C006"] = 1
        if branch:
            values["C009"], values["C010"] = 1, 1
        for code, value in values.items():
            step_counts[code] += value not in (0, None)
        cells = [i + 1, household, "ONT" if i % 2 else "LUC", f"Hộ ông/bà {i}", f"Thôn {i % 7}", cell, area,
                 *[values.get(code) for code, _, _ in STEPS], "Chưa nhận tiền" if rank == 4 else None]
        ws.append(cells)
        expected.rows += 1
        expected.households.setdefault(household, []).append(rank)
        expected.parcel_tokens += tokens
        expected.area_m2 += area
        expected.row_stage[excel_row] = STAGE_ORDER[rank]
        expected.row_stage_date[excel_row] = stage_date
        if branch:
            expected.enforced_rows.add(excel_row)
    if total_row:
        ws.append(["Tổng cộng", None, None, None, None, None, expected.area_m2,
                   *[step_counts[code] for code, _, _ in STEPS], None])
        ws.append([])
        ws.append([None, None, None, "Người lập biểu", None, None, None, "Giám đốc"])
    if steps_sheet:
        steps = wb.create_sheet("Danh mục bước")
        steps.append(["DANH MỤC CÁC BƯỚC THỦ TỤC"])
        steps.append(["Mã bước", "Tên bước", "Căn cứ pháp lý", "Cơ quan chủ trì", "Cơ quan phối hợp",
                      "Số ngày tối thiểu", "Ngày kế hoạch", "Ngày thực hiện"])
        for k, (code, name, _) in enumerate(STEPS):
            steps.append([code, name, "Luật Đất đai 2024", "TTPTQĐ", "UBND xã", 10 + k,
                          (START + timedelta(days=15 * k)).strftime("%d/%m/%Y"), None])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), expected


def workbook_bytes(rows: list[list[object]], *, steps: list[list[object]] | None = None) -> bytes:
    """A small workbook from literal rows (for the bad-file tests)."""
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    if steps is not None:
        sheet = wb.create_sheet("Bước")
        for row in steps:
            sheet.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
