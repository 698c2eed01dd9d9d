"""Build the ingest test corpus in ``tests/ingest/corpus/`` (committed; rerun to refresh).

    python tests/ingest/make_corpus.py

Real-looking files as communes send them, keyed to the parcels of ``tests/ingest/conftest.py``:
every encoding (UTF-8, UTF-8 BOM, UTF-16 "Unicode text", Windows-1258 with combining tone marks),
separator (``,`` ``;`` tab), header variant (diacritics or not, any case, cadastral short names), an
XLSX with a title block, a two-row header and a column-number row, formulas with and without saved
values, HTML/script/formula text, and bad files (empty, binary, PNG renamed .csv, old .xls, no
header, every row-level error). The expected outcome of each file is written in the tests, from
how the file was made here (not from the importer's output).
"""
from __future__ import annotations

import csv
import io
import unicodedata
from datetime import datetime
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
FIXED_TIME = datetime(2024, 7, 1, 8, 0, 0)

#: Canonical headers (template order, without Số hộ / Đính chính).
H = ["Dự án", "Xã", "Số tờ", "Số thửa", "Từ lý trình", "Đến lý trình", "Giai đoạn", "Ngày",
     "Diện tích (m²)", "Số tiền (đồng)", "Ghi chú"]

# Four valid parcel rows, Vietnamese number style (the same facts are written in every encoding).
GOOD_ROWS_VI = [
    ["QL4B", "Xã Hợp Thành", "12", "6", "", "", "Kiểm đếm", "05/03/2024", "820,5", "", "Đã kiểm đếm xong"],
    ["QL4B", "Hợp Thành", "12", "7", "", "", "Thông báo thu hồi đất", "01/02/2024", "1.200", "", ""],
    ["", "Gia Cát", "3", "16", "", "", "Phê duyệt phương án / QĐ thu hồi", "15/04/2024", "", "1.250.000.000", "Hộ bà Hoàng Thị Mai"],
    ["CT_HNCL", "Thụy Hùng", "8", "44", "", "", "Bàn giao mặt bằng", "20/06/2024", "5.100", "", "Bàn giao cho nhà đầu tư"],
]


def _en(rows: list[list[str]]) -> list[list[str]]:
    """Same rows with English number style (1,234.5) and ISO dates."""
    out = []
    for r in rows:
        r = list(r)
        d, m, y = r[7].split("/")
        r[7] = f"{y}-{m}-{d}"
        for i in (8, 9):
            if r[i]:
                r[i] = r[i].replace(".", "").replace(",", ".")
                whole, _, frac = r[i].partition(".")
                r[i] = f"{int(whole):,}" + (f".{frac}" if frac else "")
        out.append(r)
    return out


def _csv_text(rows: list[list[str]], sep: str, line_end: str = "\r\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator=line_end).writerows(rows)
    return buf.getvalue()


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258_bytes(text: str) -> bytes:
    """Encode as Windows does for Vietnamese (cp1258): precomposed base letters, combining tone marks."""
    out = []
    for ch in text:
        d = unicodedata.normalize("NFD", ch)
        base = "".join(c for c in d if c not in _TONES)
        out.append(unicodedata.normalize("NFC", base) + "".join(c for c in d if c in _TONES))
    return "".join(out).encode("cp1258")


def _png_bytes() -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(0.5, 0.5), dpi=20)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _xlsx_two_row_header() -> bytes:
    """Title block (3 rows), blank row, two-row header with merged group cells, a (1)(2)… row, data."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"created": FIXED_TIME})
    ws = wb.add_worksheet("Biểu 01")
    b = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True})
    dfmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.merge_range("A1:J1", "UBND XÃ GIA CÁT", b)
    ws.merge_range("A2:J2", "BIỂU TỔNG HỢP KẾT QUẢ KIỂM ĐẾM, BÀN GIAO MẶT BẰNG DỰ ÁN QL4B", b)
    ws.merge_range("A3:J3", "(Kèm theo báo cáo số 45/BC-UBND ngày 20/6/2024)", b)
    # header rows 5-6
    ws.merge_range("A5:A6", "STT", b)
    ws.merge_range("B5:B6", "Tên dự án", b)
    ws.merge_range("C5:C6", "Xã", b)
    ws.merge_range("D5:E5", "Thửa đất", b)
    ws.write("D6", "Số tờ", b)
    ws.write("E6", "Số thửa", b)
    ws.merge_range("F5:G5", "Lý trình", b)
    ws.write("F6", "Từ", b)
    ws.write("G6", "Đến", b)
    ws.merge_range("H5:H6", "Giai đoạn", b)
    ws.merge_range("I5:I6", "Ngày thực hiện", b)
    ws.merge_range("J5:J6", "Diện tích (m2)", b)
    ws.merge_range("K5:K6", "Ghi chú", b)
    ws.write_row("A7", [f"({i})" for i in range(1, 12)], b)
    # data rows 8..: datetime cells, an Excel serial number, real numbers
    ws.write_row("A8", [1, "QL4B", "Gia Cát", 3, 16, None, None, "Kiểm đếm"])
    ws.write_datetime("I8", datetime(2024, 3, 12), dfmt)
    ws.write_number("J8", 410)
    ws.write_row("A9", [2, "Cải tạo, nâng cấp quốc lộ 4B đoạn Km3+700 – Km18", "Xã Gia Cát", 4, 101, None, None, "chi tra"])
    ws.write_number("I9", 45427)  # Excel serial of 15/05/2024, left unformatted
    ws.write_number("J9", 2300)
    ws.write_row("A10", [3, "QL4B", None, None, None, "Km5+200", "Km6+000", "Bàn giao mặt bằng"])
    ws.write_datetime("I10", datetime(2024, 3, 28), dfmt)
    ws.write_row("A11", [4, "QL4B", None, None, None, "Km 7+100", "Km7+850,5", "Bàn giao mặt bằng"])
    ws.write_datetime("I11", datetime(2024, 4, 2), dfmt)
    ws.write("A13", "Người lập biểu")  # signature block below the data: one column only, still a row
    wb.close()
    return buf.getvalue()


def _xlsx_formulas(with_values: bool) -> bytes:
    """Formulas in the area column; with saved values (xlsxwriter ``value=``) or without (openpyxl)."""
    rows = [["QL4B", "Hợp Thành", 12, 6, "Kiểm đếm", datetime(2024, 3, 5)],
            ["QL4B", "Gia Cát", 3, 16, "Kiểm đếm", datetime(2024, 3, 6)]]
    header = ["Dự án", "Xã", "Số tờ", "Số thửa", "Giai đoạn", "Ngày", "Diện tích (m²)", "Ghi chú"]
    notes = ['=HYPERLINK("http://example.com/x","bấm vào đây")', '<script>alert("xss")</script><b>đậm</b>']
    if with_values:
        import xlsxwriter

        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
        wb.set_properties({"created": FIXED_TIME})
        ws = wb.add_worksheet("Số liệu")
        dfmt = wb.add_format({"num_format": "dd/mm/yyyy"})
        ws.write_row(0, 0, header)
        for r, row in enumerate(rows, start=1):
            ws.write_row(r, 0, row[:5])
            ws.write_datetime(r, 5, row[5], dfmt)
            ws.write_formula(r, 6, f"=300+{r}*10", None, 300 + r * 10)
            ws.write_string(r, 7, notes[r - 1])
        wb.close()
        return buf.getvalue()
    import openpyxl

    wb = openpyxl.Workbook()
    wb.properties.created = wb.properties.modified = FIXED_TIME
    ws = wb.active
    ws.title = "Số liệu"
    ws.append(header)
    for r, row in enumerate(rows, start=2):
        ws.append(row + [f"=400+{r}*10", None])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


#: Bad rows: each row carries the mistake(s) named in its last cell (the tests assert the same).
BAD_ROWS = [
    # row 2: unknown parcel (tờ 12 thửa 8 does not exist in Hợp Thành; 12/7 and 12/6 do)
    ["QL4B", "Hợp Thành", "12", "8", "", "", "Kiểm đếm", "05/03/2024", "", "", "thửa không có"],
    # row 3: unknown commune
    ["QL4B", "Xã Hợp Thánh Mới", "12", "6", "", "", "Kiểm đếm", "05/03/2024", "", "", "xã không có"],
    # row 4: unknown project
    ["QL99", "Hợp Thành", "12", "6", "", "", "Kiểm đếm", "05/03/2024", "", "", "dự án không có"],
    # row 5: stage not allowed
    ["QL4B", "Hợp Thành", "12", "6", "", "", "Đã xong", "05/03/2024", "", "", "giai đoạn sai"],
    # row 6: going backwards vs the ledger (3/15 paid on 10/05/2024)
    ["QL4B", "Gia Cát", "3", "15", "", "", "Kiểm đếm", "01/06/2024", "", "", "lùi giai đoạn"],
    # row 7: date in the future (today = 01/07/2024)
    ["QL4B", "Hợp Thành", "12", "6", "", "", "Chi trả", "15/08/2024", "", "", "ngày tương lai"],
    # row 8: before the project's start (QL4B starts 01/03/2021)
    ["QL4B", "Hợp Thành", "12", "6", "", "", "Thông báo thu hồi đất", "15/01/2020", "", "", "trước khởi công"],
    # row 9: area larger than area to recover (350 m²)
    ["QL4B", "Hợp Thành", "12", "5", "", "", "Kiểm đếm", "05/03/2024", "900", "", "diện tích lớn"],
    # row 10: negative amount
    ["QL4B", "Gia Cát", "3", "16", "", "", "Chi trả", "20/05/2024", "", "-5.000.000", "tiền âm"],
    # row 11: non-numeric area
    ["QL4B", "Gia Cát", "3", "16", "", "", "Kiểm đếm", "20/03/2024", "khoảng 400", "", "diện tích chữ"],
    # row 12: valid (first of a duplicate pair)
    ["QL4B", "Gia Cát", "4", "101", "", "", "Kiểm đếm", "11/03/2024", "2300", "", "dòng gốc"],
    # row 13: same parcel, stage and date as row 12 with another area (an exact repeat is no error)
    ["QL4B", "xa gia cat", "4", "101", "", "", "kiem dem", "11/3/2024", "2200", "", "dòng trùng, khác diện tích"],
    # row 14: chainage outside the section (QL4B Km3+700 – Km18)
    ["QL4B", "", "", "", "Km2+000", "Km3+000", "Bàn giao mặt bằng", "05/03/2024", "", "", "ngoài đoạn"],
    # row 15: chainage from >= to
    ["QL4B", "", "", "", "Km6+000", "Km5+200", "Bàn giao mặt bằng", "05/03/2024", "", "", "lý trình ngược"],
    # row 16: ambiguous parcel (tờ 12 thửa 5 in former Hợp Thành AND former TT Cao Lộc, both now Kỳ Lừa)
    ["QL4B", "Phường Kỳ Lừa", "12", "5", "", "", "Kiểm đếm", "05/03/2024", "", "", "thửa mơ hồ"],
    # row 17: aggregate without area or households
    ["CCN_HT1", "", "", "", "", "", "Bàn giao mặt bằng", "05/03/2024", "", "", "tổng hợp thiếu diện tích"],
    # row 18: invalid date
    ["QL4B", "Hợp Thành", "12", "7", "", "", "Kiểm đếm", "31/02/2024", "", "", "ngày không tồn tại"],
    # row 19: aggregate cumulative area going down (ledger: 120 000 m² on 31/03/2024)
    ["CCN_HT1", "", "", "", "", "", "Bàn giao mặt bằng", "30/04/2024", "100.000", "", "lũy kế giảm"],
    # row 20: chainage on an area project
    ["CCN_HT1", "", "", "", "Km0+100", "Km0+200", "Bàn giao mặt bằng", "05/03/2024", "", "", "dự án vùng"],
]


def _normalise_xlsx(data: bytes) -> bytes:
    """Same workbook with fixed zip timestamps and document dates, so rebuilding gives identical bytes."""
    import re
    import zipfile

    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\2", body)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6]), body,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def build() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    vi = [H] + GOOD_ROWS_VI
    en = [H] + _en(GOOD_ROWS_VI)
    files["good_utf8_comma_en_numbers.csv"] = _csv_text(en, ",").encode("utf-8")
    files["good_utf8_bom_semicolon.csv"] = _csv_text(vi, ";").encode("utf-8-sig")
    files["good_utf16_tab_unicode_text.txt"] = _csv_text(vi, "\t").encode("utf-16")  # BOM + LE, as Excel
    files["good_cp1258_semicolon.csv"] = cp1258_bytes(_csv_text(vi, ";"))
    no_dia = ["du an", "xa", "so to", "so thua", "tu ly trinh", "den ly trinh", "GIAI DOAN", "ngay",
              "dien tich (m2)", "so tien (dong)", "ghi chu"]
    files["good_headers_no_diacritics_tab.csv"] = _csv_text([no_dia] + GOOD_ROWS_VI, "\t", "\n").encode("utf-8")
    cadastral = ["MaDuAn", "MaXa", "SHBANDO", "SHTHUA", "TuLyTrinh", "DenLyTrinh", "GiaiDoan", "NgayThucHien",
                 "DienTich", "SoTien", "GhiChu"]
    files["good_headers_cadastral_names.csv"] = _csv_text([cadastral] + _en(GOOD_ROWS_VI), ",").encode("utf-8")
    title = [["UBND XÃ GIA CÁT"], ["BÁO CÁO TIẾN ĐỘ GPMB ĐẾN NGÀY 30/6/2024"], []]
    files["good_title_block_semicolon.csv"] = _csv_text(title + vi, ";").encode("utf-8-sig")
    mixed = [H,
             ["QL4B", "", "", "", "Km5+200", "Km6+000", "Bàn giao mặt bằng", "28/03/2024", "", "", "đoạn tuyến"],
             ["QL4B", "", "", "", "3700", "4500", "handed_over", "2024-03-29", "", "", "lý trình bằng mét"],
             ["CCN_HT1", "Xã Hợp Thành", "", "", "", "", "Bàn giao mặt bằng", "30/04/2024", "125.000,5", "", "lũy kế"],
             ["CCN_HT1", "", "", "", "", "", "BAN GIAO MAT BANG", "30/04/2024", "130.000", "", "cả dự án"],
             ["QL4B", "Gia Cát", "3", "15", "", "", "Niêm yết phương án", "12/05/2024", "", "", "sửa nhầm"],
             ]
    head_corr = H + ["Số hộ", "Đính chính"]
    mixed = [head_corr] + [r + ["", ""] for r in mixed[1:]]
    mixed[5][12] = "x"
    mixed[1][11] = "3"
    files["good_chainage_aggregate_correction.csv"] = _csv_text(mixed, ";").encode("utf-8-sig")
    dates = [H,
             ["QL4B", "Hợp Thành", "12", "6", "", "", "Kiểm đếm", "5/3/24", "", "", "d/m/yy"],
             ["QL4B", "Hợp Thành", "12", "7", "", "", "Kiểm đếm", "2024-03-06", "", "", "ISO"],
             ["QL4B", "Gia Cát", "3", "16", "", "", "Kiểm đếm", "45359", "", "", "số seri Excel"],
             ["QL4B", "Gia Cát", "4", "101", "", "", "Kiểm đếm", "08.03.2024", "", "", "dấu chấm"]]
    files["good_date_variants.csv"] = _csv_text(dates, ",").encode("utf-8")
    files["good_title_two_row_header.xlsx"] = _xlsx_two_row_header()
    files["good_formulas_with_values_and_active_text.xlsx"] = _xlsx_formulas(True)
    files["good_xlsx_renamed.csv"] = _xlsx_formulas(True)

    files["bad_formulas_without_values.xlsx"] = _xlsx_formulas(False)
    files["bad_rows_every_error.csv"] = _csv_text([H] + BAD_ROWS, ";").encode("utf-8-sig")
    files["bad_empty.csv"] = b""
    files["bad_only_spaces.csv"] = b"  \r\n \r\n"
    files["bad_png_renamed.csv"] = _png_bytes()
    files["bad_binary.csv"] = bytes((i * 37 + 11) % 256 for i in range(3000))
    files["bad_old_xls_renamed.xlsx"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    files["bad_no_header.csv"] = "Tên;Tuổi;Quê quán\nNguyễn Văn A;45;Cao Lộc\n".encode()
    files["bad_header_only.csv"] = _csv_text([H], ";").encode("utf-8-sig")
    files["bad_html_page.csv"] = b"<!DOCTYPE html><html><head><title>404</title></head><body>Not found</body></html>"
    return {name: _normalise_xlsx(data) if data[:2] == b"PK" else data for name, data in files.items()}


def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    for name, data in sorted(build().items()):
        (CORPUS / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
