"""TCVN3 / VNI converters and per-column detection.

Reference strings are the well-known renderings of Vietnamese text in the legacy fonts (what a
.VnTime/VNI-Times document shows when opened with a Latin font): "NguyÔn V¨n" and "Nguyeãn Vaên"
for "Nguyễn Văn", "Hîp Thµnh" for "Hợp Thành", "§Êt" for "Đất", "Vieät Nam" for "Việt Nam".
"""
from __future__ import annotations

import unicodedata

import pytest

from parsing.legacy import (
    convert_text_columns,
    detect_column_encoding,
    tcvn3_to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
    utf8_mojibake_to_unicode,
    vni_to_unicode,
)

BASES = "aăâeêioôơuưy"
TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]
ALL_LOWER = [unicodedata.normalize("NFC", b + t) for b in BASES for t in TONES] + ["đ"]


def test_every_lowercase_letter_round_trips_through_tcvn3():
    assert len(set(ALL_LOWER)) == 73
    for letter in ALL_LOWER:
        encoded = unicode_to_tcvn3(letter)
        assert len(encoded) == 1 and ord(encoded) <= 0xFF, letter
        assert tcvn3_to_unicode(encoded) == letter
    # 67 letters need a code of their own (ASCII a e i o u y and their 6 bare forms are ASCII)
    assert len({unicode_to_tcvn3(c) for c in ALL_LOWER}) == 73


@pytest.mark.parametrize("letter", ALL_LOWER + [c.upper() for c in ALL_LOWER])
def test_every_letter_round_trips_through_vni(letter):
    encoded = unicode_to_vni(letter)
    assert all(ord(c) <= 0xFF for c in encoded)
    assert vni_to_unicode(encoded) == letter


@pytest.mark.parametrize("legacy, expected", [
    ("NguyÔn V¨n", "Nguyễn Văn"),
    ("Hîp Thµnh", "Hợp Thành"),
    ("§Êt", "Đất"),
    ("L¹ng S¬n", "Lạng Sơn"),
    ("Cao Léc", "Cao Lộc"),
])
def test_known_tcvn3_renderings(legacy, expected):
    assert tcvn3_to_unicode(legacy) == expected
    assert unicode_to_tcvn3(expected) == legacy


@pytest.mark.parametrize("legacy, expected", [
    ("Nguyeãn Vaên", "Nguyễn Văn"),
    ("Vieät Nam", "Việt Nam"),
    ("Hôïp Thaønh", "Hợp Thành"),
    ("Ñaát", "Đất"),
])
def test_known_vni_renderings(legacy, expected):
    assert vni_to_unicode(legacy) == expected
    assert unicode_to_vni(expected) == legacy


def test_tcvn3_capital_words_from_vntimeh_fonts():
    # .VnTimeH uses the lower-case codes for capitals: "HîP TH¸NH" is "HỢP THÁNH" on screen.
    assert tcvn3_to_unicode("X· HîP THµNH") == "Xã HỢP THÀNH"


def test_output_is_nfc():
    out = tcvn3_to_unicode("NguyÔn")
    assert unicodedata.is_normalized("NFC", out)


SENTENCES = ["Nguyễn Văn Đức", "Trần Thị Bình", "Hoàng Văn Thắng", "Lương Thị Hợp", "Xã Hợp Thành", "Phường Kỳ Lừa"]


@pytest.mark.parametrize("encoding, encode", [("tcvn3", unicode_to_tcvn3), ("vni", unicode_to_vni)])
def test_detection_picks_the_encoding_the_column_was_written_in(encoding, encode):
    decision = detect_column_encoding("TENCHU", [encode(s) for s in SENTENCES] + [None, "", "ABC"])
    assert decision.encoding == encoding
    assert ("Nguyễn Văn Đức" in [after for _, after in decision.samples])


def test_detection_of_utf8_read_as_latin1():
    values = [s.encode("utf-8").decode("latin-1") for s in SENTENCES]
    decision = detect_column_encoding("TEN", values)
    assert decision.encoding == "utf8_as_latin1"
    assert utf8_mojibake_to_unicode(values[0]) == "Nguyễn Văn Đức"


def test_unicode_and_ascii_columns_are_left_alone():
    assert detect_column_encoding("TEN", SENTENCES).encoding == "unicode"
    assert detect_column_encoding("MA", ["LUC", "BHK", "ODT+BHK"]).encoding == "unicode"


def test_convert_text_columns_is_per_column():
    import pandas as pd

    df = pd.DataFrame({"a": [unicode_to_tcvn3(s) for s in SENTENCES], "b": [unicode_to_vni(s) for s in SENTENCES],
                       "c": SENTENCES, "n": range(len(SENTENCES))})
    out, decisions = convert_text_columns(df)
    assert out["a"].tolist() == SENTENCES
    assert out["b"].tolist() == SENTENCES
    assert out["c"].tolist() == SENTENCES
    assert {d.column: d.encoding for d in decisions} == {"a": "tcvn3", "b": "vni", "c": "unicode"}
    assert df["a"].iloc[0] == "NguyÔn V¨n §øc"  # input not modified
