"""Reading real-looking files: every encoding, separator, header variant; refusals with Vietnamese messages.

The expected facts come from how ``make_corpus.py`` wrote the files (GOOD_ROWS_VI: four parcel rows),
not from the reader's output.
"""
from __future__ import annotations

import math
from datetime import date

import pytest

from ingest import read as read_mod
from ingest.read import IngestError, read_table
from ingest.validate import validate
from tests.ingest.fixture_data import CORPUS, TODAY, make_ledger, make_parcels, make_projects

# (parcel_id, event, event_date, area_m2, amount_vnd) of GOOD_ROWS_VI, in file order.
GOOD_FACTS = [
    ("QL4B/06112/12/6", "inventory", date(2024, 3, 5), 820.5, None),
    ("QL4B/06112/12/7", "notice", date(2024, 2, 1), 1200.0, None),
    ("QL4B/06136/3/16", "approved", date(2024, 4, 15), None, 1_250_000_000.0),
    ("CT_HNCL/06115/8/44", "handed_over", date(2024, 6, 20), 5100.0, None),
]

GOOD_PARCEL_FILES = {
    # file: (encoding, separator, first data row)
    "good_utf8_comma_en_numbers.csv": ("utf-8", ",", 2),
    "good_utf8_bom_semicolon.csv": ("utf-8-sig", ";", 2),
    "good_utf16_tab_unicode_text.txt": ("utf-16", "\t", 2),
    "good_cp1258_semicolon.csv": ("cp1258", ";", 2),
    "good_headers_no_diacritics_tab.csv": ("utf-8", "\t", 2),
    "good_headers_cadastral_names.csv": ("utf-8", ",", 2),
    "good_title_block_semicolon.csv": ("utf-8-sig", ";", 5),
}


def _facts(events):
    out = []
    for r in events.itertuples():
        area = None if math.isnan(r.area_m2) else r.area_m2
        amount = None if math.isnan(r.amount_vnd) else r.amount_vnd
        out.append((r.parcel_id, r.event, r.event_date, area, amount))
    return out


@pytest.mark.parametrize("name", sorted(GOOD_PARCEL_FILES))
def test_good_files_give_the_same_four_events(name):
    encoding, sep, first_row = GOOD_PARCEL_FILES[name]
    table = read_table(CORPUS / name)
    assert (table.file_kind, table.encoding, table.separator) == ("csv", encoding, sep)
    assert list(table.data.index) == list(range(first_row, first_row + 4))
    report = validate(table, make_parcels(), make_projects(), make_ledger(), TODAY)
    assert report.problems == []
    assert _facts(report.events) == GOOD_FACTS
    assert report.events["note"].iloc[2] == "Hộ bà Hoàng Thị Mai"  # diacritics survived every encoding


def test_cp1258_combining_tones_become_nfc():
    raw = (CORPUS / "good_cp1258_semicolon.csv").read_bytes()
    assert b"\xf4\xec" in raw  # 'ô' + combining acute (0xEC) as Windows-1258 writes 'ố'
    table = read_table(raw)
    assert "Hộ bà Hoàng Thị Mai" in set(table.data["note"])


def test_xlsx_title_block_two_row_header_serials_and_datetimes():
    table = read_table(CORPUS / "good_title_two_row_header.xlsx")
    assert table.file_kind == "xlsx" and table.sheet == "Biểu 01"
    assert (table.header_row, table.header_rows) == (5, 2)
    assert list(table.data.index) == [8, 9, 10, 11]  # the (1)…(11) row and the signature line are skipped
    report = validate(table, make_parcels(), make_projects(), make_ledger(), TODAY)
    assert report.problems == []
    ev = report.events
    assert list(ev["kind"]) == ["parcel", "parcel", "chainage_range", "chainage_range"]
    assert list(ev["parcel_id"][:2]) == ["QL4B/06136/3/16", "QL4B/06136/4/101"]
    assert list(ev["event_date"]) == [date(2024, 3, 12), date(2024, 5, 15), date(2024, 3, 28), date(2024, 4, 2)]
    assert list(ev["chainage_from_m"][2:]) == [5200.0, 7100.0]
    assert list(ev["chainage_to_m"][2:]) == [6000.0, 7850.5]


@pytest.mark.parametrize("name", ["good_formulas_with_values_and_active_text.xlsx", "good_xlsx_renamed.csv"])
def test_formulas_read_as_saved_values_and_active_text_kept_inert(name):
    table = read_table(CORPUS / name)
    assert table.file_kind == "xlsx"  # decided by content, not by the name
    assert table.formulas_read_as_values == 2 and table.formula_rows == {}
    report = validate(table, make_parcels(), make_projects(), make_ledger(), TODAY)
    assert report.problems == []
    assert list(report.events["area_m2"]) == [310.0, 320.0]  # cached values written by make_corpus
    assert report.events["note"].iloc[0].startswith("=HYPERLINK(")
    assert report.events["note"].iloc[1] == '<script>alert("xss")</script><b>đậm</b>'
    assert any("giữ nguyên dạng chữ" in n for n in report.notes)


def test_formulas_without_saved_values_are_refused_per_cell():
    table = read_table(CORPUS / "bad_formulas_without_values.xlsx")
    assert table.formula_rows == {2: ["area_m2"], 3: ["area_m2"]}
    report = validate(table, make_parcels(), make_projects(), make_ledger(), TODAY)
    assert report.rows_valid == 0
    assert {(p.row, p.column) for p in report.problems} == {(2, "Diện tích (m²)"), (3, "Diện tích (m²)")}
    assert all("Paste Values" in p.message_vi for p in report.problems)


@pytest.mark.parametrize("name, words", [
    ("bad_empty.csv", "Tệp rỗng"),
    ("bad_only_spaces.csv", "Tệp rỗng"),
    ("bad_png_renamed.csv", "ảnh PNG"),
    ("bad_binary.csv", "không phải văn bản"),
    ("bad_old_xls_renamed.xlsx", ".xls"),
    ("bad_no_header.csv", "Không tìm thấy dòng tiêu đề"),
    ("bad_html_page.csv", "Không tìm thấy dòng tiêu đề"),
])
def test_bad_files_refused_with_vietnamese_message(name, words):
    with pytest.raises(IngestError) as info:
        read_table(CORPUS / name)
    assert words in info.value.message_vi


def test_file_too_big_is_refused_before_reading(tmp_path):
    path = tmp_path / "lon.csv"
    with path.open("wb") as fh:
        fh.write("Xã;Số tờ;Số thửa;Giai đoạn;Ngày\n".encode())
        fh.truncate(read_mod.MAX_FILE_BYTES + 1)  # sparse: 50 MB + 1 byte without writing them
    with pytest.raises(IngestError, match="quá lớn"):
        read_table(path)


@pytest.mark.slow
def test_million_row_csv_is_refused(tmp_path):
    path = tmp_path / "trieu_dong.csv"
    line = "QL4B;Gia Cát;3;15;Kiểm đếm;05/03/2024\n"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("Dự án;Xã;Số tờ;Số thửa;Giai đoạn;Ngày\n")
        fh.write(line * 1_000_000)
    assert path.stat().st_size < read_mod.MAX_FILE_BYTES  # refused for its rows, not its size
    with pytest.raises(IngestError, match="quá nhiều dòng"):
        read_table(path)


def test_row_limit_applies_to_xlsx(monkeypatch, tmp_path):
    import openpyxl

    monkeypatch.setattr(read_mod, "MAX_ROWS", 50)
    wb = openpyxl.Workbook()
    wb.active.append(["Xã", "Số tờ", "Số thửa", "Giai đoạn", "Ngày"])
    for _ in range(100):
        wb.active.append(["Gia Cát", 3, 15, "Kiểm đếm", "05/03/2024"])
    wb.save(tmp_path / "nhieu.xlsx")
    with pytest.raises(IngestError, match="quá nhiều dòng"):
        read_table(tmp_path / "nhieu.xlsx")


def test_zip_that_is_not_a_workbook(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "a.xlsx", "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(IngestError, match="không phải bảng tính"):
        read_table(tmp_path / "a.xlsx")


def test_truncated_xlsx(tmp_path):
    data = (CORPUS / "good_title_two_row_header.xlsx").read_bytes()
    with pytest.raises(IngestError, match=r"hỏng|không mở được|Không mở được"):
        read_table(data[: len(data) // 2])


def test_header_only_file_reads_no_rows():
    table = read_table(CORPUS / "bad_header_only.csv")
    assert len(table.data) == 0


def test_line_ends_quotes_and_row_numbers():
    # CR-only line ends (old Mac Excel), a quoted note spanning two lines: Excel still counts records.
    text = ('Xã;Số tờ;Số thửa;Giai đoạn;Ngày;Ghi chú\r'
            'Gia Cát;3;16;Kiểm đếm;01/03/2024;"hai\rdòng; có dấu ;"\r'
            'Gia Cát;4;101;Kiểm đếm;02/03/2024;\r')
    table = read_table(text.encode("utf-8"))
    assert list(table.data.index) == [2, 3]
    assert table.data.loc[2, "note"] == "hai\rdòng; có dấu ;"


def test_unclosed_quote_and_oversized_cell():
    # An unclosed quote swallows the rest of the file into one cell, as Excel does: that row is invalid.
    text = 'Xã;Số tờ;Số thửa;Giai đoạn;Ngày\nGia Cát;3;16;Kiểm đếm;01/03/2024\n"Gia Cát;4;101;Kiểm đếm;02/03/2024\n'
    table = read_table(text.encode("utf-8"))
    report = validate(table, make_parcels(), make_projects(), make_ledger(), TODAY)
    assert report.invalid_rows == [3] and list(report.events.index) == [2]
    # A cell longer than the csv module's limit (131 072 characters) refuses the file, naming the row.
    huge = 'Xã;Số tờ;Số thửa;Giai đoạn;Ngày;Ghi chú\nGia Cát;3;16;Kiểm đếm;01/03/2024;"' + "x" * 200_000 + '"\n'
    with pytest.raises(IngestError, match="Tệp CSV hỏng gần dòng 2"):
        read_table(huge.encode("utf-8"))
