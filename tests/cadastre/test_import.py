"""Parcel import from every format, CRS case and encoding case, against the ground truth of make_fixtures.

Expected values come from the truth drawn in EPSG:9215 (make_fixtures.truth / EXPECTED_INSIDE: columns of
20 m cut by the boundary at 10 m and 70 m, rows of 25 m → 250 or 500 m²), not from the importer.
"""
from __future__ import annotations

import json

import pytest
import shapely

from cadastre.importer import CadastreImportError, ImportOptions, commit_parcels, prepare_parcels

CLEAN_FORMATS = [
    # name, expected CRS source, expected encodings {column: encoding}
    ("vni_prj_mismatch_zip", 9215, "file_parameters", {"ChuSuDung": "vni"}),
    ("tcvn3_utf8_zone9210", 9210, "file", {"TENCHU": "tcvn3", "XAID": "tcvn3"}),
    ("utm48_prj", 3405, "file", {}),
    ("cp1258_cpg", 9215, "file", {}),
    ("gpkg", 9215, "file", {}),
    ("geojson", 4326, "file", {}),
    ("qgis2web", 4326, "file", {}),
    ("esrijson", 9215, "file", {}),
    ("esrijson_geojson_name", 9215, "file", {}),
    ("kml", 4326, "file", {}),
    ("kmz", 4326, "file", {}),
    ("dxf", 9215, "project_default", {"Text (nhãn CAD)": "tcvn3"}),
]


def _prepare(store, path, **kw):
    options = ImportOptions(project_id="TEST_QL4B", **{"commune_former": "Xã Hợp Thành", **kw})
    return prepare_parcels([path], store, options)


def _check_against_truth(parcels, make_fixtures, tol_m2=0.05, tol_m=0.005, skip=()):
    """Compare with the truth. Tolerances: files in degrees went 9215 → 4326 → 9215, and PROJ's inverse of the
    7-parameter Helmert is first-order (≈ 0.8 mm round trip, test_coords), i.e. ≤ 0.05 m² on a 25 m cut edge."""
    truth = make_fixtures.truth().set_index("parcel_number")
    expected_numbers = [str(n) for n in range(1, 13) if n not in skip]   # text keys, in parcel order
    assert sorted(parcels["parcel_number"].tolist(), key=int) == expected_numbers
    for _, row in parcels.iterrows():
        n = int(row["parcel_number"])
        assert row["area_to_recover_m2"] == pytest.approx(make_fixtures.EXPECTED_INSIDE[n], abs=tol_m2), n
        assert row["owner_name"] == truth.at[n, "owner_name"]
        assert row["land_use"] == truth.at[n, "land_use"]
        assert row["map_sheet"] == 12
        assert row["parcel_id"] == f"TEST_QL4B/06226/12/{n}"
        assert row["commune_former"] == "Xã Hợp Thành"
        assert row["commune"] == "Phường Kỳ Lừa"
        # geometry back in EPSG:9215 where it was drawn (Hausdorff distance in metres)
        assert shapely.hausdorff_distance(row.geometry, truth.at[n, "geometry"]) < tol_m, n
    assert parcels.crs.to_epsg() == 9215


@pytest.mark.parametrize("name, epsg, source, encodings", CLEAN_FORMATS, ids=[c[0] for c in CLEAN_FORMATS])
def test_every_format_imports_the_truth(store, fixture_files, make_fixtures, name, epsg, source, encodings):
    prepared = _prepare(store, fixture_files[name])
    report = prepared.report
    assert [(c.decision.epsg, c.decision.source) for c in report.crs] == [(epsg, source)]
    assert {e.column: e.encoding for e in report.encodings} == encodings
    counts = report.counts
    assert counts.read == 17
    assert counts.imported == 12
    assert counts.slivers == len(make_fixtures.SLIVERS)
    assert counts.outside_boundary == len(make_fixtures.OUTSIDE)
    assert counts.area_to_recover_m2 == pytest.approx(4500.0, abs=0.05)
    _check_against_truth(prepared.parcels, make_fixtures)
    as_json = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))  # the report is JSON-serialisable
    assert as_json["counts"]["imported"] == counts.imported and as_json["crs"][0]["epsg"] == epsg


def test_prj_named_utm_with_tm3_parameters_is_recognised_and_reported(store, fixture_files):
    report = _prepare(store, fixture_files["vni_prj_mismatch_zip"]).report.to_dict()
    crs = report["crs"][0]
    assert crs["epsg"] == 9215 and crs["source"] == "file_parameters"
    assert any("UTM" in w and "107.25" in w for w in report["warnings"])


def test_famis_shapefile_tcvn3_no_prj_no_cpg(store, fixture_files, make_fixtures):
    prepared = _prepare(store, fixture_files["famis_tcvn3_noprj"], commune_former=None)
    report = prepared.report.to_dict()
    assert report["crs"][0]["source"] == "project_default" and report["crs"][0]["epsg"] == 9215
    assert any(".prj" in w for w in report["warnings"])
    enc = {e["column"]: e for e in report["encodings"]}
    assert enc["TENCHU"]["encoding"] == "tcvn3"
    assert {"before": "NguyÔn V¨n An", "after": "Nguyễn Văn An"} in enc["TENCHU"]["samples"]
    assert enc["XAID"]["encoding"] == "tcvn3"  # commune read from the file itself, converted
    # parcel 6 has a spike: repaired, area unchanged; parcel 7 twice: both rejected, with both locations
    assert len(report["repairs"]) == 1 and "dòng 6" in report["repairs"][0]["row"]
    assert report["repairs"][0]["area_after_m2"] == pytest.approx(500.0)
    dup = report["duplicates"]
    assert len(dup) == 1 and dup[0]["key"]["parcel_number"] == "7" and len(dup[0]["locations"]) == 2
    assert abs(dup[0]["locations"][0]["y_easting"] - dup[0]["locations"][1]["y_easting"]) == pytest.approx(1000, abs=1)
    assert report["counts"]["duplicates"] == 2
    assert report["counts"]["rejected"] == 2
    # padded "012" sheet numbers, 7.0-style parcel numbers, compound and blank land-use codes
    # counted over the parcels read: ODT+BHK on parcels 3, 9, 15; blank on 4, 10, 16
    assert report["land_use"]["compound"] == 3 and report["land_use"]["blank"] == 3
    _check_against_truth(prepared.parcels, make_fixtures, skip=(7,))


def test_utm_without_prj_needs_the_user_then_works(store, fixture_files, make_fixtures):
    with pytest.raises(CadastreImportError, match="EPSG:3405"):
        _prepare(store, fixture_files["utm48_noprj"])
    prepared = _prepare(store, fixture_files["utm48_noprj"], crs=3405)
    assert prepared.report.crs[0].decision.source == "user"
    _check_against_truth(prepared.parcels, make_fixtures)


def test_user_zone_that_contradicts_the_coordinates_is_refused(store, fixture_files):
    # UTM 48N eastings (~730 km) read in a TM-3 zone would lie > 1.5° from its central meridian.
    with pytest.raises(CadastreImportError, match="TM-3"):
        _prepare(store, fixture_files["utm48_noprj"], crs=9215)


def test_dgn_lines_and_tcvn3_text_become_labelled_parcels(store, fixture_files, make_fixtures):
    prepared = _prepare(store, fixture_files["dgn"])
    report = prepared.report.to_dict()
    cad = report["cad"][0]
    assert cad["polygons_built"] == 17
    assert cad["dangles"]["count"] == 1 and cad["dangles"]["length_m"] == pytest.approx(30.41, abs=0.01)
    assert [lab["text"] for lab in cad["labels_outside"]] == ["99"]
    assert len(cad["polygons_without_label"]) == 1  # parcel 12 has no label in the drawing
    assert report["encodings"][0]["encoding"] == "tcvn3"
    assert any("Không có nhãn số thửa" in r["reason"] for r in report["rejected"])
    _check_against_truth(prepared.parcels, make_fixtures, skip=(12,))


def test_two_sheets_from_two_zones_in_one_zip(store, fixture_files, make_fixtures):
    prepared = _prepare(store, fixture_files["two_sheets_zip"])
    report = prepared.report.to_dict()
    assert sorted(c["epsg"] for c in report["crs"]) == [9210, 9215]
    assert report["counts"]["read"] == 34
    # sheet 13 lies 100 m north of sheet 12, beyond the boundary (its lowest row touches the edge: area 0 or
    # a sub-millimetre sliver after the zone change): only sheet 12's twelve parcels are imported.
    assert report["counts"]["imported"] == 12
    assert set(prepared.parcels["map_sheet"]) == {12}
    assert report["counts"]["outside_boundary"] + report["counts"]["slivers"] == 5 + 17


def test_neighbouring_zone_sheet_lands_where_drawn(store, fixture_files, make_fixtures):
    prepared = _prepare(store, fixture_files["tcvn3_utf8_zone9210"])
    truth = make_fixtures.truth().set_index("parcel_number")
    for _, row in prepared.parcels.iterrows():
        assert shapely.hausdorff_distance(row.geometry, truth.at[int(row["parcel_number"]), "geometry"]) < 0.005


def test_sliver_threshold_is_configurable(store, fixture_files):
    prepared = _prepare(store, fixture_files["gpkg"], sliver_m2=0.0)
    assert prepared.report.counts.slivers == 0
    assert prepared.report.counts.imported == 16


def test_unknown_project_is_refused(store, fixture_files):
    with pytest.raises(CadastreImportError, match="Không có dự án"):
        prepare_parcels([fixture_files["gpkg"]], store, ImportOptions(project_id="NOPE"))


def test_missing_commune_rejects_rows_with_reason(store, fixture_files):
    prepared = prepare_parcels([fixture_files["esrijson"]], store, ImportOptions(project_id="TEST_QL4B"))
    assert prepared.parcels.empty
    assert all("xã" in r.reason for r in prepared.report.rejected)


def test_commit_replaces_only_the_project_communes_and_can_be_restored(store, actor, fixture_files):
    before = store.parcels()
    assert list(before["project_id"]) == ["OTHER"]
    prepared = _prepare(store, fixture_files["gpkg"])
    version = commit_parcels(store, prepared, actor=actor).result
    after = store.parcels()
    assert sorted(after["project_id"].unique()) == ["OTHER", "TEST_QL4B"]
    assert (after["project_id"] == "TEST_QL4B").sum() == 12
    assert after.loc[after["project_id"] == "TEST_QL4B", "area_to_recover_m2"].sum() == pytest.approx(4500.0, abs=0.05)
    versions = store.layer_versions("parcels")
    assert version == int(versions["version"].max())
    # a second import of the same commune replaces, never duplicates
    commit_parcels(store, _prepare(store, fixture_files["kml"]), actor=actor)
    assert (store.parcels()["project_id"] == "TEST_QL4B").sum() == 12
    store.restore_layer("parcels", version - 1, actor=actor)
    assert list(store.parcels()["project_id"]) == ["OTHER"]


def test_nothing_is_written_when_nothing_is_left(store, actor, fixture_files):
    prepared = prepare_parcels([fixture_files["esrijson"]], store, ImportOptions(project_id="TEST_QL4B"))
    versions_before = len(store.layer_versions("parcels"))
    with pytest.raises(CadastreImportError):
        commit_parcels(store, prepared, actor=actor)
    assert len(store.layer_versions("parcels")) == versions_before


def test_user_mapping_correction_applies_through_a_picked_profile_only(store, actor, fixture_files):
    from cadastre.profiles import save_profile

    # Tell the importer that GeoPackage column "TenXa" is not the commune (ignore it) → --commune is used.
    assert save_profile(store, "VPĐK thử", {"TenXa": ""}, actor=actor) == 1
    options = ImportOptions(project_id="TEST_QL4B", commune_former="Xã Gia Cát")
    unpicked = prepare_parcels([fixture_files["gpkg"]], store, options)
    assert set(unpicked.parcels["commune_former"]) == {"Xã Hợp Thành"}  # saved, but not picked: not applied
    assert unpicked.report.profile is None
    options.profile = "VPĐK thử"
    prepared = prepare_parcels([fixture_files["gpkg"]], store, options)
    assert set(prepared.parcels["commune_former"]) == {"Xã Gia Cát"}
    assert "TenXa" not in next(iter(prepared.report.mapping.values()))
    assert prepared.report.to_dict()["profile"]["name"] == "VPĐK thử"
