"""The ``areas`` register (khu tái định cư): CSV with WKT and GeoJSON imports into a bundled store, bad rows by row
and column, the boundary reprojected to EPSG:9215, a re-import adding nothing, a progress update as a new version
and its revert bringing the previous one back."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import shapely
from pyproj import Transformer

from cadastre.resettlement_areas import read_area_file
from ingest.register_import import import_register

SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"
TODAY = date(2025, 6, 30)
HEADER = ("Mã khu;Mã dự án;Tên khu;Ngày hoàn thành theo kế hoạch;Ngày hoàn thành thực tế;Tiến độ xây dựng (%);"
          "Ranh giới khu (WKT)")
#: A 100 m × 80 m square in EPSG:9215 near Gia Cát, and the same corners in WGS 84.
SQUARE_9215 = [(461000.0, 2413000.0), (461100.0, 2413000.0), (461100.0, 2413080.0), (461000.0, 2413080.0)]
TO_WGS84 = Transformer.from_crs(9215, 4326, always_xy=True)
SQUARE_4326 = [TO_WGS84.transform(x, y) for x, y in SQUARE_9215]


def _wkt(points) -> str:
    ring = [*points, points[0]]
    return "POLYGON ((" + ", ".join(f"{x} {y}" for x, y in ring) + "))"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from store import open_store
    from tests.support.stores import demo_store_url

    url = demo_store_url(f"sqlite:///{tmp_path_factory.mktemp('areas') / 'gpmb.gpkg'}", SOURCES)
    opened = open_store(url, sources_dir=SOURCES)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def admin(store):
    from tests.support.actors import office_admin

    return office_admin(store)


def _csv(*lines: str) -> bytes:
    return ("\n".join((HEADER, *lines)) + "\n").encode("utf-8-sig")


def _import(store, admin, data: bytes, name: str = "khu.csv", **kw):
    return import_register(data, store, kind="areas", project_id="QL4B", actor=admin, file_name=name, today=TODAY,
                           read_geo=read_area_file, **kw)


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(store, admin):
    before = len(store.register_imports())
    data = _csv(f"K-OK;QL4B;Khu tốt;30/06/2025;;40;{_wkt(SQUARE_9215)}",
                f"K-PCT;QL4B;Khu sai tiến độ;30/06/2025;;140;{_wkt(SQUARE_9215)}",
                "K-EMPTY;QL4B;Khu rỗng;30/06/2025;;10;POLYGON EMPTY",
                "K-BOW;QL4B;Khu tự cắt;30/06/2025;;10;POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))",
                "K-LINE;QL4B;Khu là đường;30/06/2025;;10;LINESTRING (461000 2413000, 461100 2413000)",
                f"K-DONE;QL4B;Khu xong sớm;30/06/2025;01/05/2025;90;{_wkt(SQUARE_9215)}",
                f"K-FUT;QL4B;Khu tương lai;30/06/2025;01/07/2025;100;{_wkt(SQUARE_9215)}",
                f"K-PRJ;CT_HNCL;Khu dự án khác;30/06/2025;;10;{_wkt(SQUARE_9215)}",
                "K-TXT;QL4B;Khu chữ;30/06/2025;;10;không phải WKT")
    result = _import(store, admin, data)
    assert result.status == "rejected" and result.rows == 9 and result.rows_valid == 1
    found = {(p.row, p.column): p.message_vi for p in result.problems}
    assert "0 đến 100" in found[(3, "Tiến độ xây dựng (%)")]
    assert "rỗng" in found[(4, "Ranh giới khu (WKT)")]
    assert "không hợp lệ" in found[(5, "Ranh giới khu (WKT)")] and "Self-intersection" in found[(5, "Ranh giới khu (WKT)")]
    assert "LineString" in found[(6, "Ranh giới khu (WKT)")]
    assert "100%" in found[(7, "Tiến độ xây dựng (%)")]
    assert "sau hôm nay" in found[(8, "Ngày hoàn thành thực tế")]
    assert "QL4B" in found[(9, "Mã dự án")]
    assert "WKT" in found[(10, "Ranh giới khu (WKT)")]
    assert len(store.register_imports()) == before


def test_csv_in_wgs84_is_reprojected_then_reimport_adds_nothing_update_is_a_version_revert_restores(store, admin):
    data = _csv(f"KTDC-MOI;;Khu mới «<b>x</b>»;31/12/2025;;20;{_wkt(SQUARE_4326)}")
    first = _import(store, admin, data)
    assert first.status == "committed" and first.rows_added == 1, first.message_vi
    assert any("WGS 84" in note for note in first.notes)
    assert first.area_m2_total == pytest.approx(8000.0, rel=1e-4)
    area = store.resettlement_areas("QL4B").set_index("area_id").loc["KTDC-MOI"]
    assert area["project_id"] == "QL4B" and area["name"] == "Khu mới «<b>x</b>»"
    assert shapely.hausdorff_distance(shapely.Polygon(SQUARE_9215), area["geometry"]) < 0.01

    assert _import(store, admin, data).status == "nothing_new"

    update = _csv(f"KTDC-MOI;;Khu mới «<b>x</b>»;31/12/2025;;55;{_wkt(SQUARE_4326)}")
    second = _import(store, admin, update, name="cap_nhat.csv")
    assert second.status == "committed" and second.rows_changed == 1 and second.rows_added == 0
    assert not any("giảm" in note for note in second.notes)
    assert store.resettlement_areas("QL4B").set_index("area_id").loc["KTDC-MOI", "construction_percent"] == 55.0
    versions = store.register_versions("areas")
    mine = versions[versions["area_id"] == "KTDC-MOI"]
    assert mine["construction_percent"].tolist() == [20.0, 55.0]

    assert store.revert_upload(second.upload_id, actor=admin, reason="nhập nhầm").executed  # maker–checker off
    assert store.resettlement_areas("QL4B").set_index("area_id").loc["KTDC-MOI", "construction_percent"] == 20.0
    assert store.register_versions("areas").query("area_id == 'KTDC-MOI'")["construction_percent"].tolist() == [20.0]


def test_geojson_declared_wgs84_is_read_by_the_cadastral_readers(store, admin):
    feature = {"type": "Feature", "properties": {"ma_khu": "KTDC-GEO", "ten_khu": "Khu GeoJSON",
                                                  "ke_hoach": "2026-03-31", "tien_do": 5},
               "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in [*SQUARE_4326, SQUARE_4326[0]]]]}}
    data = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    result = _import(store, admin, data, name="khu_tdc.geojson")
    assert result.status == "committed", (result.message_vi, [str(p) for p in result.problems])
    area = store.resettlement_areas("QL4B").set_index("area_id").loc["KTDC-GEO"]
    assert area["planned_completion_date"] == date(2026, 3, 31) and area["construction_percent"] == 5.0
    assert shapely.hausdorff_distance(shapely.Polygon(SQUARE_9215), area["geometry"]) < 0.01


def test_map_file_without_a_reader_is_refused_with_a_message(store, admin):
    result = import_register(b"{}", store, kind="areas", project_id="QL4B", actor=admin, file_name="khu.geojson",
                             today=TODAY)
    assert result.status == "refused" and "CSV/XLSX" in result.message_vi


def test_a_percent_typed_on_the_page_is_a_new_version_checked_like_a_file(store, admin):
    from ingest.area_update import record_area_progress
    from tests.support.actors import make_account

    before = store.resettlement_areas().set_index("area_id").loc["KTDC-QL4B-01"]
    bad = record_area_progress(store, "KTDC-QL4B-01", construction_percent=101, actor=admin, today=TODAY)
    assert bad.status == "rejected" and bad.problems[0].column == "Tiến độ xây dựng (%)"
    early = record_area_progress(store, "KTDC-QL4B-01", construction_percent=90,
                                 actual_completion_date=date(2025, 6, 1), actor=admin, today=TODAY)
    assert early.status == "rejected" and "100%" in early.message_vi
    lower = _import(store, admin, _csv(f"KTDC-QL4B-01;;Khu Gia Cát;30/06/2024;;50;{_wkt(SQUARE_9215)}"),
                    dry_run=True)
    assert f"giảm từ {before['construction_percent']:g}% xuống 50%" in " ".join(lower.notes)   # noted, not refused
    done = record_area_progress(store, "KTDC-QL4B-01", construction_percent=100,
                                actual_completion_date=date(2025, 6, 20), actor=admin, today=TODAY)
    assert done.status == "committed" and done.rows_changed == 1, done.message_vi
    after = store.resettlement_areas().set_index("area_id").loc["KTDC-QL4B-01"]
    assert after["construction_percent"] == 100.0 and after["actual_completion_date"] == date(2025, 6, 20)
    assert after["geometry"].equals(before["geometry"]) and after["name"] == before["name"]
    history = store.register_versions("areas").query("area_id == 'KTDC-QL4B-01'")
    assert history["construction_percent"].tolist() == [before["construction_percent"], 100.0]
    from store import AuditTrail

    last = AuditTrail(store).read().iloc[-1]
    assert last["action"] == "register_imported" and last["target"] == f"upload:{done.upload_id}"
    assert last["account"] == admin.username and last["after"]["register"] == "areas"
    again = record_area_progress(store, "KTDC-QL4B-01", construction_percent=100,
                                 actual_completion_date=date(2025, 6, 20), actor=admin, today=TODAY)
    assert again.status == "nothing_new"
    viewer = make_account(store, "lanh_dao", "viewer")
    from domain.errors import GpmbError

    with pytest.raises(GpmbError):
        record_area_progress(store, "KTDC-QL4B-01", construction_percent=50, actor=viewer, today=TODAY)
    assert store.resettlement_areas().set_index("area_id").loc["KTDC-QL4B-01", "construction_percent"] == 100.0


def test_a_unit_limited_reader_sees_the_areas_of_its_units_projects_only(store):
    from store.scoped import ScopedStore

    unit = store.projects().set_index("project_id").loc["QL4B", "unit"]
    mine = ScopedStore(store, {unit}).resettlement_areas()
    assert "KTDC-QL4B-01" in set(mine["area_id"]) and mine.crs.to_epsg() == 9215
    assert ScopedStore(store, {"no-such-unit"}).resettlement_areas().empty


def test_areas_import_update_history_and_revert_on_postgis():
    from ingest.area_update import record_area_progress
    from tests.support.actors import office_admin
    from tests.support.postgis import postgis_database
    from tests.support.stores import demo_store

    with postgis_database("people") as url:
        pg = demo_store(url, sources_dir=SOURCES)
        try:
            admin = office_admin(pg)
            first = _import(pg, admin, _csv(f"KTDC-PG;;Khu PostGIS;31/12/2025;;20;{_wkt(SQUARE_9215)}"))
            assert first.status == "committed", first.message_vi
            update = record_area_progress(pg, "KTDC-PG", construction_percent=45, actor=admin, today=TODAY)
            assert update.status == "committed"
            history = pg.register_versions("areas").query("area_id == 'KTDC-PG'")
            assert history["construction_percent"].tolist() == [20.0, 45.0]
            assert history["uploaded_at"].notna().all()
            assert pg.revert_upload(update.upload_id, actor=admin, reason="thử").executed
            area = pg.resettlement_areas("QL4B").set_index("area_id").loc["KTDC-PG"]
            assert area["construction_percent"] == 20.0
            assert shapely.hausdorff_distance(shapely.Polygon(SQUARE_9215), area["geometry"]) < 0.01
        finally:
            pg.close()
