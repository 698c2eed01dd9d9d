"""The XLSX template of the household × step matrix (:mod:`ingest.register_matrix` reads it back).

Sheet «Theo dõi»: the header row the reader looks for (``STT``, ``Mã hộ``, ``Loại đất``, ``Tên chủ hộ``,
``Địa chỉ``, ``Thửa``, ``Diện tích (m2)``, one column per step ``C001`` …, ``Lý do``), a drop-down of the
land-use codes, a hint on the step cells (1, 0, blank or a date dd/mm/yyyy: dates too are accepted, so the
list only warns). Sheet «Danh mục bước»: one row per step of the clearance process (code, name, legal basis,
lead and supporting body, minimum days), named so that :func:`ingest.step_stages.propose_step_mapping` maps
them to the stages (and the branch steps to their flags); the centre edits and extends it.
"""
from __future__ import annotations

import io

import xlsxwriter

from ingest.register_matrix import MATRIX_LABELS_VI

#: Default steps (code, name, legal basis, lead body, supporting body, minimum days), after Land Law 2024.
DEFAULT_STEPS: tuple[tuple[str, str, str, str, str, int | None], ...] = (
    ("C001", "Thông báo thu hồi đất", "Luật Đất đai 2024, điều 85", "UBND huyện", "UBND xã", 90),
    ("C002", "Điều tra, khảo sát, đo đạc, kiểm đếm", "Luật Đất đai 2024, điều 87", "TTPTQĐ", "UBND xã", None),
    ("C003", "Quyết định kiểm đếm bắt buộc", "Luật Đất đai 2024, điều 88", "UBND huyện", "TTPTQĐ", None),
    ("C004", "Lập phương án bồi thường, hỗ trợ, tái định cư", "Luật Đất đai 2024, điều 87", "TTPTQĐ", "", None),
    ("C005", "Niêm yết công khai dự thảo phương án", "Luật Đất đai 2024, điều 87", "TTPTQĐ", "UBND xã", 30),
    ("C006", "Quyết định phê duyệt phương án BT, HT & TĐC", "Luật Đất đai 2024, điều 87", "UBND huyện", "", None),
    ("C007", "Phiếu chi / biên bản nhận tiền bồi thường", "Luật Đất đai 2024, điều 94", "TTPTQĐ", "", None),
    ("C008", "Biên bản bàn giao mặt bằng", "Luật Đất đai 2024, điều 87", "TTPTQĐ", "UBND xã", None),
    ("C009", "Cưỡng chế thu hồi đất", "Luật Đất đai 2024, điều 89", "UBND huyện", "TTPTQĐ", None),
)
#: Land-use codes of the drop-down (DOMAIN.md, field terms).
LAND_USE_CODES: tuple[str, ...] = ("LUC", "LUK", "BHK", "NHK", "CLN", "RSX", "RPH", "NTS", "ONT", "ODT", "DGT",
                                   "DTL", "NTD", "SKC", "TMD", "DCS")
_STEP_SHEET_HEADERS = ("Mã bước", "Tên bước", "Căn cứ pháp lý", "Cơ quan chủ trì", "Cơ quan phối hợp",
                       "Số ngày tối thiểu", "Ngày kế hoạch", "Ngày thực hiện")
_MATRIX_FIELDS = ("row_number", "household_code", "land_use", "owner_name", "address", "parcels", "area_m2")


def matrix_template_xlsx(data_rows: int = 2000) -> bytes:
    """The matrix template as XLSX bytes (module docstring); hints and lists on the first ``data_rows`` rows."""
    codes = [s[0] for s in DEFAULT_STEPS]
    header = [MATRIX_LABELS_VI[f] for f in _MATRIX_FIELDS] + codes + [MATRIX_LABELS_VI["reason"]]
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    head = wb.add_format({"bold": True, "bg_color": "#e3f2fd", "border": 1, "text_wrap": True})
    text = wb.add_format({"num_format": "@"})
    sheet = wb.add_worksheet("Theo dõi")
    sheet.write(0, 0, "BẢNG THEO DÕI TIẾN ĐỘ GPMB THEO HỘ")
    sheet.write_row(2, 0, header, head)
    sheet.freeze_panes(3, 2)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 6, 14, text)
    first_step = len(_MATRIX_FIELDS)
    sheet.set_column(first_step, first_step + len(codes) - 1, 11)
    sheet.set_column(first_step + len(codes), first_step + len(codes), 30)
    sheet.data_validation(3, 2, data_rows + 2, 2, {"validate": "list", "source": list(LAND_USE_CODES),
                                                   "error_type": "warning", "error_title": "Mã loại đất"})
    sheet.data_validation(3, first_step, data_rows + 2, first_step + len(codes) - 1, {
        "validate": "list", "source": ["1", "0"], "error_type": "information", "error_title": "Bước thủ tục",
        "error_message": "Ghi 1 (đã thực hiện), 0 hoặc để trống (chưa), hoặc ngày thực hiện dd/mm/yyyy.",
        "input_title": "Bước thủ tục", "input_message": "1, 0, để trống, hoặc ngày dd/mm/yyyy"})
    steps = wb.add_worksheet("Danh mục bước")
    steps.write(0, 0, "DANH MỤC CÁC BƯỚC THỦ TỤC")
    steps.write_row(1, 0, _STEP_SHEET_HEADERS, head)
    for i, row in enumerate(DEFAULT_STEPS, start=2):
        steps.write_row(i, 0, ["" if v is None else v for v in row])
    steps.set_column(0, 0, 10)
    steps.set_column(1, 1, 50)
    steps.set_column(2, 7, 18)
    wb.close()
    return buffer.getvalue()

