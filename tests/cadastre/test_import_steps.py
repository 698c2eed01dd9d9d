"""The named steps of the parcel import, one by one, on hand-made frames (no files, no store).

Expected values follow the rules in the steps' docstrings (DATA_MODEL.md "parcels": the key is former
commune + sheet + parcel number), not the importer's output.
"""
from __future__ import annotations

import json
import math

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from cadastre.crs_check import CrsDecision
from cadastre.import_report import (
    REPORT_KEYS,
    FileRead,
    ImportCounts,
    LayerCrs,
    OptionsUsed,
    ParcelImportReport,
    Rejection,
    Sliver,
)
from cadastre.parcel_fields import (
    parse_keys,
    read_declared_areas,
    read_land_use,
    resolve_communes,
    split_off,
)
from cadastre.placement import parcel_ids
from cadastre.source_layers import _attribute_mapping, sheet_from_name

UNITS = pd.DataFrame({"former_code": ["06226", "06235"], "former_unit": ["Xã Hợp Thành", "Xã Gia Cát"],
                      "former_district": ["Huyện Cao Lộc", "Huyện Cao Lộc"]})


def _parcels(**columns) -> gpd.GeoDataFrame:
    n = len(next(iter(columns.values())))
    base = {"_row": [f"to12.shp dòng {i + 1}" for i in range(n)], "_sheet_from_name": [None] * n}
    return gpd.GeoDataFrame({**base, **columns}, geometry=[box(i * 10, 0, i * 10 + 5, 5) for i in range(n)],
                            crs=9215)


def test_split_off_refuses_rows_with_a_reason_in_row_order_and_keeps_their_geometry():
    parcels = _parcels(parcel_number=[1, 2, 3])
    kept, refused = split_off(parcels, pd.Series([None, "lý do B", "lý do C"], index=parcels.index, dtype=object))
    assert kept["parcel_number"].tolist() == [1]
    assert [(r.row, r.reason) for r in refused] == [("to12.shp dòng 2", "lý do B"), ("to12.shp dòng 3", "lý do C")]
    assert refused[0].geometry.equals(parcels.geometry.iloc[1])


def test_sheets_are_whole_numbers_parcel_numbers_text_keys_and_bad_ones_are_refused_with_the_column_named():
    checked = parse_keys(_parcels(parcel_number=["007", 8.0, "12a", "389 b-2", 12.5, None],
                                  map_sheet=["012", 12, 12, 12, 12, 12]), map_sheet=None)
    assert checked.parcels["parcel_number"].tolist() == ["7", "8", "12A", "389B-2"]
    assert checked.parcels["map_sheet"].tolist() == [12, 12, 12, 12]
    reasons = [r.reason for r in checked.refused]
    assert reasons[0].startswith("Cột số thửa:") and "«12.5»" in reasons[0] and "263A" in reasons[0]
    assert reasons[1] == "Cột số thửa trống; cần số thửa."
    assert checked.warnings == []


def test_a_bad_parcel_number_is_the_one_reason_even_when_the_sheet_is_bad_too():
    checked = parse_keys(_parcels(parcel_number=["x"], map_sheet=["y"]), map_sheet=None)
    assert len(checked.refused) == 1 and checked.refused[0].reason.startswith("Cột số thửa:")


def test_cad_polygon_without_label_is_named_as_such():
    parcels = _parcels(parcel_number=[None], map_sheet=[3])
    parcels["_row"] = ["to3.dgn vùng dựng số 1 (X=1.00, Y=2.00)"]
    assert parse_keys(parcels, map_sheet=None).refused[0].reason.startswith("Không có nhãn số thửa")


def test_missing_sheet_comes_from_the_option_else_the_file_name_with_a_warning_else_refused():
    no_sheet = dict(parcel_number=[1, 2], map_sheet=[None, None])
    by_option = parse_keys(_parcels(**no_sheet), map_sheet=5)
    assert by_option.parcels["map_sheet"].tolist() == [5, 5] and by_option.warnings == []

    named = _parcels(**no_sheet)
    named["_sheet_from_name"] = [12, 12]
    by_name = parse_keys(named, map_sheet=None)
    assert by_name.parcels["map_sheet"].tolist() == [12, 12]
    assert by_name.warnings == ["Số tờ lấy từ tên tệp/lớp cho 2 thửa (tệp không có cột số tờ)."]

    nothing = parse_keys(_parcels(**no_sheet), map_sheet=None)
    assert nothing.parcels.empty and all("số tờ" in r.reason for r in nothing.refused)


@pytest.mark.parametrize("name, sheet", [("to12", 12), ("To_012", 12), ("Tờ 7", 7), ("sheet-3", 3),
                                         ("ranh_thua", None), ("", None)])
def test_sheet_number_read_from_a_file_or_layer_name(name, sheet):
    assert sheet_from_name(name) == sheet


def test_commune_from_the_column_else_the_option_resolved_by_name_or_code():
    parcels = _parcels(commune_former=["hop thanh", None, "06235", "Xã Không Có"])
    checked = resolve_communes(parcels, commune_former="Xã Hợp Thành", units=UNITS)
    assert checked.parcels["commune_former"].tolist() == ["Xã Hợp Thành", "Xã Hợp Thành", "Xã Gia Cát", "Xã Không Có"]
    codes = checked.parcels["_former_code"].tolist()
    assert codes[:3] == ["06226", "06226", "06235"] and pd.isna(codes[3])  # unknown: kept as written, no code
    assert checked.refused == []
    assert checked.warnings == ["Xã không có trong danh mục đơn vị hành chính cũ (giữ nguyên tên): Xã Không Có"]


def test_rows_without_any_commune_are_refused():
    checked = resolve_communes(_parcels(commune_former=[None, " "]), commune_former=None, units=UNITS)
    assert checked.parcels.empty
    assert [r.row for r in checked.refused] == ["to12.shp dòng 1", "to12.shp dòng 2"]
    assert all("--commune" in r.reason for r in checked.refused)


def test_land_use_codes_are_normalised_and_summarised():
    parcels, summary = read_land_use(_parcels(land_use=[" odt+bhk ", "LUC", None, "ODT, XYZ"]))
    assert parcels["land_use"].tolist() == ["ODT+BHK", "LUC", "", "ODT+XYZ"]
    assert (summary.compound, summary.blank, summary.unknown_codes) == (2, 1, ["XYZ"])


def test_declared_area_unreadable_is_ignored_with_a_warning_naming_the_row():
    parcels, warnings = read_declared_areas(_parcels(declared_area_m2=["1.234,5", 250, "ba trăm", None]))
    values = parcels["declared_area_m2"].tolist()
    assert values[:2] == [1234.5, 250.0] and math.isnan(values[2]) and math.isnan(values[3])
    assert len(warnings) == 1 and warnings[0].startswith("to12.shp dòng 3: cột diện tích")


def test_user_mapping_wins_over_aliases_and_an_empty_target_ignores_the_column():
    columns = pd.Index(["SoThua", "SoTo", "TenXa", "Ghi chu"])
    suggested = _attribute_mapping(columns, {}, {})
    assert suggested.get("SoThua") == "parcel_number"
    corrected = _attribute_mapping(columns, {}, {"TenXa": "", "Ghi chu": "owner_name", "Missing": "land_use"})
    assert "TenXa" not in corrected and corrected["Ghi chu"] == "owner_name"
    assert "Missing" not in corrected
    assert list(corrected.values()).count("owner_name") == 1


def test_parcel_id_uses_the_gso_code_else_the_folded_former_name():
    parcels = pd.DataFrame({"_former_code": ["06226", None], "commune_former": ["Xã Hợp Thành", "Xã Mới Lập"],
                            "map_sheet": [12, 3], "parcel_number": [7, 45]})
    assert parcel_ids(parcels, "QL4B") == ["QL4B/06226/12/7", "QL4B/moi_lap/3/45"]


def test_report_to_dict_has_the_json_keys_in_order_and_reads_back():
    report = ParcelImportReport(project_id="QL4B", file_sha256="ab",
                                options=OptionsUsed(crs=None, commune_former="Xã Hợp Thành", map_sheet=None,
                                                    sliver_m2=1.0, default_epsg=9215))
    report.files.append(FileRead("a.shp", "a", "shapefile", 3, "tệp .prj", epsg=9215))
    report.files.append(FileRead("b.dxf", "entities", "dxf", 2, "", cad_elements=40, epsg=9215))
    report.crs.append(LayerCrs("a.shp", "a", CrsDecision(9215, "VN-2000 / TM-3 107-15", "file", "lý do")))
    report.rejected.append(Rejection("a.shp dòng 2", "lý do"))
    report.slivers.append(Sliver("a.shp dòng 3", 0.25))
    assert report.to_dict()["counts"] == {}  # before the last step
    report.counts = ImportCounts(read=5, imported=2, repaired=0, duplicates=0, rejected=1, slivers=1,
                                 outside_boundary=0, area_to_recover_m2=500.0)
    out = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert tuple(out) == REPORT_KEYS
    assert "cad_elements" not in out["files"][0] and out["files"][1]["cad_elements"] == 40
    assert out["crs"][0] == {"file": "a.shp", "layer": "a", "epsg": 9215, "name": "VN-2000 / TM-3 107-15",
                             "source": "file", "reason": "lý do", "warnings": []}
    assert out["rejected"] == [{"row": "a.shp dòng 2", "reason": "lý do"}]
    assert out["counts"]["imported"] == 2 and out["options"]["default_epsg"] == 9215
    # the dict is a copy: a caller adding keys or items leaves the report as it was
    out_again = report.to_dict()
    out_again["warnings"].append("x")
    assert report.warnings == []
