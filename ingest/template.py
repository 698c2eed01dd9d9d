"""The downloadable field-count template (XLSX and CSV) with the Vietnamese headers of issue 3.

XLSX: sheet ``Số liệu`` (the headers, a drop-down list of stage labels on ``Giai đoạn``, ``x`` on
``Đính chính``, date format dd/mm/yyyy), sheet ``Hướng dẫn`` (instructions and one example of each
row kind), sheet ``Giai đoạn`` (allowed stage values: label and code).

CSV: UTF-8 **with BOM** and **``;``** as separator. Why: Excel opens a double-clicked ``.csv`` with
the Windows list separator of the regional format; with the Vietnamese format (decimal comma) that
separator is ``;``, and a ``,`` file would land in one column. Excel only recognises UTF-8 when the
file starts with a BOM (otherwise it reads the ANSI code page, Windows-1258, and the diacritics break).
A ``sep=;`` first line would force the separator on every locale but makes Excel ignore the BOM, so
it is not used. The importer accepts ``,``/``;``/tab and every encoding anyway.
"""
from __future__ import annotations

import io

from domain.stages import EVENT_CODES
from ingest.headers import CANONICAL_HEADERS
from vocab.labels import EVENT_LABELS_VI

#: Template column order (the canonical headers).
TEMPLATE_HEADERS: tuple[str, ...] = tuple(CANONICAL_HEADERS.values())

#: Example rows shown on the instructions sheet (one per row kind), in template column order.
EXAMPLES: tuple[tuple[str, ...], ...] = (
    ("QL4B", "Xã Hợp Thành", "12", "345", "", "", "Kiểm đếm", "05/03/2024", "820,5", "", "Đã kiểm đếm xong", "1", ""),
    ("QL4B", "", "", "", "Km5+200", "Km6+000", "Bàn giao mặt bằng", "28/03/2024", "", "", "Bàn giao đoạn tuyến", "", ""),
    ("CCN_HT1", "Xã Hợp Thành", "", "", "", "", "Bàn giao mặt bằng", "31/03/2024", "120.000", "", "Lũy kế đến ngày báo cáo", "", ""),
    ("QL4B", "Gia Cát", "3", "15", "", "", "Niêm yết phương án", "12/04/2024", "", "", "Nhập nhầm Chi trả, sửa lại", "", "x"),
)

INSTRUCTIONS: tuple[str, ...] = (
    "MẪU SỐ LIỆU KIỂM ĐẾM, TIẾN ĐỘ GPMB – HƯỚNG DẪN",
    "",
    ("Mỗi dòng ở trang 'Số liệu' là một sự kiện: một thửa (hoặc một đoạn tuyến, hoặc một số liệu tổng hợp) "
     "đạt một giai đoạn vào một ngày."),
    "Có ba loại dòng:",
    ("  1. Theo thửa: ghi Xã + Số tờ + Số thửa (Dự án nếu thửa thuộc nhiều dự án). Xã ghi tên xã cũ "
     "(trước 1/7/2025, theo tờ bản đồ địa chính) hoặc tên mới; có hoặc không có chữ 'Xã', 'Phường'."),
    "  2. Theo lý trình (công trình tuyến): ghi Dự án + Từ lý trình + Đến lý trình, dạng Km5+200; để trống Số tờ, Số thửa.",
    ("  3. Tổng hợp: chỉ ghi Dự án (và Xã nếu báo theo xã) + Diện tích lũy kế đến ngày báo cáo (m²) "
     "hoặc Số hộ; để trống Số tờ, Số thửa, lý trình."),
    "Giai đoạn: chọn trong danh sách (trang 'Giai đoạn'); có thể ghi mã hoặc tên, có dấu hoặc không dấu.",
    "Ngày: dd/mm/yyyy (ví dụ 05/03/2024). Không nhận ngày sau hôm nay hoặc trước ngày bắt đầu GPMB của dự án.",
    "Diện tích (m²): số, dấu phẩy thập phân (820,5) hoặc dấu chấm (820.5); không lớn hơn diện tích thu hồi của thửa.",
    "Số tiền (đồng): số tiền phê duyệt (giai đoạn Phê duyệt) hoặc đã chi trả (giai đoạn Chi trả). Không âm.",
    "Số hộ: số hộ liên quan (số nguyên). Ghi chú: văn bản tự do.",
    ("Đính chính: ghi 'x' khi dòng sửa một số liệu đã báo (ví dụ lùi giai đoạn do nhập nhầm). "
     "Không đánh dấu thì giai đoạn không được lùi so với số liệu đã có."),
    ("Tệp có bất kỳ dòng lỗi nào sẽ bị từ chối cả tệp, trừ khi người tải lên chọn chỉ ghi các dòng hợp lệ. "
     "Tải lại cùng một tệp không ghi thêm gì."),
    "Có thể để một khối tiêu đề (tên đơn vị, tên biểu) phía trên dòng tiêu đề cột.",
    "",
    "Ví dụ (không nhập các dòng này vào trang 'Số liệu' nếu không phải số liệu thật):",
)


def template_xlsx_bytes(data_rows: int = 2000) -> bytes:
    """The XLSX template (xlsxwriter); the drop-down lists cover the first ``data_rows`` rows."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#e3f2fd", "border": 1, "text_wrap": True, "valign": "vcenter"})
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    text_fmt = wb.add_format({"num_format": "@"})
    bold = wb.add_format({"bold": True})

    data = wb.add_worksheet("Số liệu")
    stages = wb.add_worksheet("Giai đoạn")
    guide = wb.add_worksheet("Hướng dẫn")

    widths = {"Dự án": 12, "Xã": 18, "Giai đoạn": 30, "Ngày": 12, "Ghi chú": 32, "Diện tích (m²)": 14,
              "Số tiền (đồng)": 16, "Từ lý trình": 12, "Đến lý trình": 12}
    col = {h: i for i, h in enumerate(TEMPLATE_HEADERS)}
    for h, i in col.items():
        fmt = date_fmt if h == "Ngày" else text_fmt if h in ("Từ lý trình", "Đến lý trình", "Ghi chú") else None
        data.set_column(i, i, widths.get(h, 10), fmt)
        data.write(0, i, h, head)
    data.freeze_panes(1, 0)
    last = data_rows
    data.data_validation(1, col["Giai đoạn"], last, col["Giai đoạn"], {
        "validate": "list", "source": f"='Giai đoạn'!$A$2:$A${len(EVENT_CODES) + 1}",
        "error_title": "Giai đoạn không hợp lệ", "error_message": "Chọn một giá trị trong danh sách (trang 'Giai đoạn').",
    })
    data.data_validation(1, col["Đính chính"], last, col["Đính chính"], {
        "validate": "list", "source": ["x"], "error_message": "Ghi 'x' nếu là dòng đính chính, để trống nếu không.",
    })
    data.data_validation(1, col["Ngày"], last, col["Ngày"], {
        "validate": "date", "criteria": "between", "minimum": __import__("datetime").date(2000, 1, 1),
        "maximum": __import__("datetime").date(2100, 12, 31), "error_message": "Ngày dạng dd/mm/yyyy.",
    })

    stages.write_row(0, 0, ["Giá trị (tên giai đoạn)", "Mã", "Ghi chú"], head)
    for r, code in enumerate(EVENT_CODES, start=1):
        kind = "giai đoạn" if r <= 6 else "dấu hiệu kèm theo (không đổi giai đoạn)"
        stages.write_row(r, 0, [EVENT_LABELS_VI[code], code, kind])
    stages.set_column(0, 0, 36)
    stages.set_column(1, 1, 22)
    stages.set_column(2, 2, 40)

    guide.set_column(0, 0, 14)
    for r, line in enumerate(INSTRUCTIONS):
        guide.write(r, 0, line, bold if r == 0 else None)
    start = len(INSTRUCTIONS)
    guide.write_row(start, 0, TEMPLATE_HEADERS, head)
    for i, example in enumerate(EXAMPLES, start=start + 1):
        guide.write_row(i, 0, example)
    wb.close()
    return buf.getvalue()
