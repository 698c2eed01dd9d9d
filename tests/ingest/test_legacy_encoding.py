"""Field-count files typed with legacy Vietnamese font encodings (issue 3): TCVN3 (ABC) and VNI, saved
as one-byte CSV, or stored as UTF-8 ("NguyÔn V¨n") in a CSV or an XLSX.

The files are built here from the Unicode rows of ``make_corpus.GOOD_ROWS_VI`` with the encoders of
:mod:`cadastre.encoding` (round-trip checked below), so the expected text is the Unicode we started
from, and the expected events are those of the same rows saved as plain UTF-8.
"""
from __future__ import annotations

import csv
import io
import unicodedata

import openpyxl
import pytest

from ingest.read import read_table
from ingest.validate import validate
from parsing.legacy import unicode_to_tcvn3, unicode_to_vni
from parsing.text import fold_vi
from tests.ingest.fixture_data import TODAY, make_ledger, make_parcels, make_projects
from tests.ingest.make_corpus import GOOD_ROWS_VI, H, cp1258_bytes

# "m²" has no code in TCVN3/VNI: legacy-font sheets write "m2".
HEADERS = [h.replace("m²", "m2") for h in H]
ENCODERS = {"tcvn3": unicode_to_tcvn3, "vni": unicode_to_vni}
LABELS = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI-Windows"}
TEXT_FIELDS = {"commune": 1, "event": 6, "note": 10}  # field → column in GOOD_ROWS_VI


def csv_text(rows, sep=";"):
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def legacy(rows, encoding):
    return [[ENCODERS[encoding](cell) for cell in row] for row in rows]


def facts(report):
    ev = report.events
    return list(zip(ev["parcel_id"], ev["event"], ev["event_date"], ev["note"]))


@pytest.fixture(scope="module")
def reference():
    """The same rows saved as UTF-8 with Unicode text: the events every legacy file must give."""
    table = read_table(csv_text([HEADERS] + GOOD_ROWS_VI).encode("utf-8"))
    assert table.text_conversions == [] and table.notes == []
    report = validate(table, make_parcels(), make_projects(), make_ledger(), TODAY)
    assert report.problems == [] and len(report.events) == 4
    return facts(report)


@pytest.mark.parametrize("encoding", sorted(ENCODERS))
def test_encoders_round_trip_the_rows(encoding):
    from parsing.legacy import DECODERS

    for row in [HEADERS] + GOOD_ROWS_VI:
        for cell in row:
            assert DECODERS[encoding](ENCODERS[encoding](cell)) == cell


def assert_converted(table, encoding, reference):
    for field, col in TEXT_FIELDS.items():
        expected = [unicodedata.normalize("NFC", r[col]) for r in GOOD_ROWS_VI]
        got = [v if isinstance(v, str) else "" for v in table.data[field]]  # blank: "" (CSV) or None (XLSX)
        assert got == expected, field
    converted = {c["field"]: c for c in table.text_conversions}
    assert set(converted) == set(TEXT_FIELDS)
    assert {c["encoding"] for c in converted.values()} == {encoding}
    assert converted["commune"]["column"] == "Xã"
    assert converted["commune"]["samples"][0][1] == "Xã Hợp Thành"
    assert converted["commune"]["values_converted"] == 4
    assert any(n.startswith("Cột 'Xã': chữ mã " + LABELS[encoding]) and "«Xã Hợp Thành»" in n for n in table.notes)
    report = validate(table, make_parcels(), make_projects(), make_ledger(), TODAY)
    assert report.problems == []
    assert facts(report) == reference
    assert set(table.notes) <= set(report.notes)  # the user is told which columns were converted


@pytest.mark.parametrize("encoding", sorted(ENCODERS))
@pytest.mark.parametrize("ascii_headers", [False, True])
def test_one_byte_legacy_csv(encoding, ascii_headers, reference):
    headers = [fold_vi(h) for h in HEADERS] if ascii_headers else legacy([HEADERS], encoding)[0]
    data = csv_text([headers] + legacy(GOOD_ROWS_VI, encoding)).encode("latin-1")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really a one-byte file
    table = read_table(data, "so_lieu_abc.csv")
    assert table.separator == ";" and list(table.data.index) == [2, 3, 4, 5]
    assert table.encoding == encoding  # every text column is in the font encoding
    assert_converted(table, encoding, reference)


@pytest.mark.parametrize("encoding", sorted(ENCODERS))
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_legacy_text_stored_as_utf8_csv(encoding, bom, reference):
    """"NguyÔn V¨n": TCVN3 text copied into a UTF-8 file (headers in Unicode, or legacy too)."""
    rows = [HEADERS] + legacy(GOOD_ROWS_VI, encoding)
    table = read_table(bom + csv_text(rows, ",").encode("utf-8"))
    assert table.encoding == ("utf-8-sig" if bom else "utf-8")
    assert_converted(table, encoding, reference)
    legacy_headers = read_table(bom + csv_text(legacy([HEADERS] + GOOD_ROWS_VI, encoding), ",").encode("utf-8"))
    assert list(legacy_headers.data.columns) == list(table.data.columns)
    assert_converted(legacy_headers, encoding, reference)


@pytest.mark.parametrize("encoding", sorted(ENCODERS))
def test_xlsx_with_legacy_text(encoding, reference, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["BIỂU TỔNG HỢP KIỂM ĐẾM"])
    ws.append(HEADERS)
    for row in legacy(GOOD_ROWS_VI, encoding):
        ws.append(row)
    path = tmp_path / "bieu.xlsx"
    wb.save(path)
    table = read_table(path)
    assert table.file_kind == "xlsx" and list(table.data.index) == [3, 4, 5, 6]
    assert_converted(table, encoding, reference)


def test_columns_are_decided_one_by_one():
    """A one-byte file whose 'Xã' column was typed in TCVN3 and whose other text is real Windows-1258."""
    lines = []
    for row in [HEADERS] + GOOD_ROWS_VI:
        cells = [unicode_to_tcvn3(c).encode("latin-1") if i == 1 and row is not HEADERS else cp1258_bytes(c)
                 for i, c in enumerate(row)]
        lines.append(b";".join(cells))
    data = b"\r\n".join(lines) + b"\r\n"
    assert b"X\xb7 H\xeep Th\xb5nh" in data  # 'Xã Hợp Thành' in TCVN3 bytes
    table = read_table(data)
    assert table.encoding == "cp1258"
    assert list(table.data["commune"]) == [r[1] for r in GOOD_ROWS_VI]
    assert list(table.data["note"]) == [r[10] for r in GOOD_ROWS_VI]
    assert list(table.data["event"]) == [r[6] for r in GOOD_ROWS_VI]
    assert [c["field"] for c in table.text_conversions] == ["commune"]
    assert table.text_conversions[0]["encoding"] == "tcvn3"


def test_unicode_vietnamese_and_latin1_names_are_not_converted():
    """Real Unicode stays as it is; so does a column of French/Latin-1 words that are not TCVN3."""
    rows = [r[:10] + ["Café Müller"] for r in GOOD_ROWS_VI]
    table = read_table(csv_text([HEADERS] + rows, ",").encode("utf-8"))
    assert table.text_conversions == [] and table.notes == []
    assert set(table.data["note"]) == {"Café Müller"}
    assert list(table.data["commune"]) == [r[1] for r in GOOD_ROWS_VI]
