"""Header recognition: variants with/without diacritics, any case, cadastral short names, two-row headers."""
from __future__ import annotations

import pytest

from ingest.headers import CANONICAL_HEADERS, field_for_header, find_header


@pytest.mark.parametrize("header, fld", [
    ("Số thửa", "parcel_number"), ("so thua", "parcel_number"), ("SoThua", "parcel_number"),
    ("SHTHUA", "parcel_number"), ("SỐ THỬA", "parcel_number"), ("So_Thua", "parcel_number"),
    ("Số tờ", "map_sheet"), ("So to", "map_sheet"), ("SHBANDO", "map_sheet"), ("Tờ bản đồ", "map_sheet"),
    ("Xã", "commune"), ("Xa", "commune"), ("MaXa", "commune"), ("Xã/Phường", "commune"),
    ("Dự án", "project"), ("du an", "project"), ("Diện tích (m²)", "area_m2"), ("Dien tich (m2)", "area_m2"),
    ("Diện tích (ha)", "area_ha"), ("Số tiền (đồng)", "amount_vnd"), ("Số tiền (triệu đồng)", "amount_million_vnd"),
    ("Ngày", "event_date"), ("NGAY THUC HIEN", "event_date"), ("Giai đoạn", "event"), ("Ghi chú", "note"),
    ("Từ lý trình", "chainage_from"), ("Đến lý trình", "chainage_to"), ("Số hộ", "households"),
    ("Đính chính", "is_correction"), ("STT", "_serial"), ("Họ tên chủ hộ", None), ("", None), (None, None),
])
def test_header_variants(header, fld):
    assert field_for_header(header) == fld


def test_every_canonical_header_is_recognised():
    for fld, header in CANONICAL_HEADERS.items():
        assert field_for_header(header) == fld


def test_title_block_and_two_row_header():
    rows = [
        ["UBND XÃ GIA CÁT", None, None, None, None, None],
        [None] * 6,
        ["STT", "Xã", "Thửa đất", None, "Lý trình", None, "Giai đoạn", "Ngày"],
        [None, None, "Số tờ", "Số thửa", "Từ", "Đến", None, None],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"],
    ]
    index, match = find_header(rows)
    assert index == 2 and match.header_rows == 2
    assert match.columns == ("_serial", "commune", "map_sheet", "parcel_number", "chainage_from", "chainage_to",
                             "event", "event_date")


def test_one_row_header_wins_when_next_row_is_data():
    rows = [["Xã", "Số tờ", "Số thửa", "Giai đoạn"], ["Gia Cát", "3", "15", "Kiểm đếm"]]
    index, match = find_header(rows)
    assert index == 0 and match.header_rows == 1


def test_no_header():
    assert find_header([["Tên", "Tuổi"], ["A", "1"]]) is None
