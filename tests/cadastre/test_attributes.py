"""Attribute mapping and value clean-up."""
from __future__ import annotations

import math

import pytest

from cadastre.attributes import (
    load_saved_mapping,
    normalise_name,
    parse_area,
    parse_int_key,
    parse_land_use,
    profile_mapping,
    suggest_mapping,
)
from cadastre.cad import parse_label


@pytest.mark.parametrize("columns, expected", [
    (["SHBANDO", "SHTHUA", "KHLOAIDAT", "DIENTICH", "TENCHU", "XAID"],
     ["map_sheet", "parcel_number", "land_use", "declared_area_m2", "owner_name", "commune_former"]),
    (["SoTo", "SoThua", "LoaiDat", "Dientich", "ChuSuDung", "MaXa"],
     ["map_sheet", "parcel_number", "land_use", "declared_area_m2", "owner_name", "commune_former"]),
    (["so_to", "so_thua", "mucDichSuDung", "CSD"], ["map_sheet", "parcel_number", "land_use", "owner_name"]),
    (["soTo", "soThua"], ["map_sheet", "parcel_number"]),
])
def test_common_cadastral_names_are_mapped(columns, expected):
    assert list(suggest_mapping(columns, saved={}).values()) == expected


def test_first_matching_column_wins_and_unknown_columns_are_left_out():
    mapping = suggest_mapping(["SoTo", "so_to", "GHICHU"], saved={})
    assert mapping == {"SoTo": "map_sheet"}


def test_profile_correction_wins_over_aliases(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("SHBD: map_sheet\nSo_To: ''\n", encoding="utf-8")
    saved = load_saved_mapping(path)
    assert saved == {"shbd": "map_sheet", "soto": ""} == profile_mapping({"SHBD": "map_sheet", "SoTo": None})
    assert suggest_mapping(["SHBD", "SoTo", "SoThua"], saved=saved) == {"SHBD": "map_sheet", "SoThua": "parcel_number"}


def test_saving_an_unknown_field_is_refused(tmp_path):
    with pytest.raises(ValueError, match="không có"):
        profile_mapping({"x": "nonsense"})


def test_normalise_name():
    assert normalise_name("Số tờ") == normalise_name("so_to") == normalise_name("SoTo") == "soto"


@pytest.mark.parametrize("value, expected", [(7, 7), (7.0, 7), ("007", 7), (" 12 ", 12), ("7.0", 7), ("7,0", 7),
                                             (None, None), ("", None), (float("nan"), None)])
def test_parse_int_key(value, expected):
    assert parse_int_key(value) == expected


@pytest.mark.parametrize("value", ["12a", 7.5, "-3"])
def test_parse_int_key_rejects(value):
    with pytest.raises(ValueError):
        parse_int_key(value)


@pytest.mark.parametrize("value, expected", [("1.234,5", 1234.5), ("1234,5", 1234.5), ("1 234,5", 1234.5),
                                             (500, 500.0), ("1.234.567", 1234567.0), ("", None)])
def test_parse_area(value, expected):
    result = parse_area(value)
    assert (result is None and expected is None) or math.isclose(result, expected)


@pytest.mark.parametrize("value, code, unknown", [(" odt+bhk ", "ODT+BHK", []), ("ODT, CLN", "ODT+CLN", []),
                                                  ("", "", []), (None, "", []), ("XYZ", "XYZ", ["XYZ"])])
def test_parse_land_use(value, code, unknown):
    assert parse_land_use(value) == (code, unknown)


def test_cad_label_parsing():
    label = parse_label(["12", "LUC", "345,6", "Nguyễn Văn An"])
    assert label["parcel_number"] == "12" and label["land_use"] == "LUC"
    assert label["declared_area"] == "345,6" and label["owner_name"] == "Nguyễn Văn An"
    assert parse_label(["12 ODT+BHK"])["land_use"] == "ODT+BHK"
    assert parse_label(["12", "13"])["parcel_numbers"] == ["12", "13"]
    split = parse_label(["263a", "LUC", "120,5"])              # a parcel split after the survey
    assert (split["parcel_number"], split["land_use"], split["owner_name"]) == ("263a", "LUC", None)
    assert parse_label(["389b-2 ONT"])["parcel_number"] == "389b-2"
