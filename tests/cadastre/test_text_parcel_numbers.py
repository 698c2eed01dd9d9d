"""Cadastral sources whose parcel-number field is text (issue 12): a shapefile String field and a GeoPackage
with a mix of ``263A``, ``389b-2`` and ``12`` import those parcels with canonical keys; a repeated key written
two ways is one key (both copies refused); the committed layer holds the text keys."""
from __future__ import annotations

import pyogrio
import pytest

from cadastre.importer import ImportOptions, commit_parcels, prepare_parcels

WRITTEN = ["263A", "389b-2", "12", "0007", "263 b", "5", "6", "8", "9", "10", "11", "1"]
CANONICAL = ["263A", "389B-2", "12", "7", "263B", "5", "6", "8", "9", "10", "11", "1"]


def _source(tmp_path, make_fixtures, numbers, driver: str):
    parcels = make_fixtures.truth().head(len(numbers)).copy()
    parcels["parcel_number"] = [str(n) for n in numbers]
    out = parcels.rename(columns={"map_sheet": "SoTo", "parcel_number": "SoThua", "land_use": "LoaiDat",
                                  "owner_name": "ChuSuDung"})
    path = tmp_path / ("to12.shp" if driver == "ESRI Shapefile" else "to12.gpkg")
    pyogrio.write_dataframe(out, path, driver=driver, encoding="UTF-8" if driver == "ESRI Shapefile" else None)
    info = pyogrio.read_info(path)
    assert dict(zip(info["fields"], info["dtypes"]))["SoThua"] == "object"   # a String field
    return path


def _prepare(store, path):
    return prepare_parcels([path], store, ImportOptions(project_id="TEST_QL4B", commune_former="Xã Hợp Thành"))


@pytest.mark.parametrize("driver", ["ESRI Shapefile", "GPKG"])
def test_a_text_parcel_number_field_imports_with_canonical_keys(store, actor, tmp_path, make_fixtures, driver):
    prepared = _prepare(store, _source(tmp_path, make_fixtures, WRITTEN, driver))
    kept = prepared.parcels.set_index("parcel_number")
    inside = [k for k in CANONICAL if k in kept.index]
    assert {"263A", "389B-2", "12", "7", "263B"} <= set(inside)
    assert not any("số thửa" in r["reason"].lower() for r in prepared.report.to_dict()["rejected"])
    assert kept.loc["389B-2", "parcel_id"] == "TEST_QL4B/06226/12/389B-2"
    assert kept.loc["7", "parcel_id"] == "TEST_QL4B/06226/12/7"
    commit_parcels(store, prepared, actor=actor)
    stored = store.parcels("TEST_QL4B")
    assert {"263A", "389B-2", "263B"} <= set(stored["parcel_number"])
    assert stored["parcel_number"].map(type).eq(str).all()


def test_one_key_written_two_ways_is_a_duplicate(store, tmp_path, make_fixtures):
    numbers = ["263a", "263A", *range(1, 11)]
    report = _prepare(store, _source(tmp_path, make_fixtures, numbers, "GPKG")).report.to_dict()
    dup = report["duplicates"]
    assert [d["key"]["parcel_number"] for d in dup] == ["263A"] and len(dup[0]["rows"]) == 2


def test_a_value_that_is_not_a_parcel_number_is_refused_naming_the_column(store, tmp_path, make_fixtures):
    numbers = ["12.5", "A1", *range(3, 13)]
    report = _prepare(store, _source(tmp_path, make_fixtures, numbers, "GPKG")).report.to_dict()
    reasons = [r["reason"] for r in report["rejected"] if r["reason"].startswith("Cột số thửa")]
    assert len(reasons) == 2 and "«12.5»" in reasons[0] and "«A1»" in reasons[1]
