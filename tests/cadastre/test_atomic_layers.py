"""A new boundary / a new project writes every layer it changes in ONE transaction (issue 5).

``update_boundary`` writes ``projects`` + ``parcels`` (area to recover recomputed), ``add_project``
writes ``projects`` + ``centrelines``; a database failure while writing the second layer must leave
the first unchanged, on the GeoPackage store and on PostGIS. A change made by someone else between
reading and writing is refused instead of overwritten.

Expected areas are worked out by hand from the fixture geometry (tests/cadastre/conftest.py): parcel
``OTHER/06226/1/1`` is the 10 m × 10 m square at (E0+5000, N0); project OTHER's boundary is the
100 m × 100 m square at the same corner.
"""
from __future__ import annotations

import pytest
import shapely
from cadastre_make_fixtures import E0, N0  # loaded by conftest.py
from shapely.geometry import LineString, MultiPolygon, box
from sqlalchemy.exc import OperationalError

import store.layer_versions as store_module
from cadastre.importer import CadastreImportError
from cadastre.project_layers import add_project, update_alignment, update_boundary
from tests.support.stores import demo_store

HALF_BOUNDARY = MultiPolygon([box(E0 + 5000, N0, E0 + 5005, N0 + 100)])  # west 5 m of OTHER's boundary
OTHER_PARCEL = "OTHER/06226/1/1"


@pytest.fixture(params=["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def any_store(request):
    """The cadastre test store on the GeoPackage backend and on PostGIS (same seed)."""
    return request.getfixturevalue("store" if request.param == "gpkg" else "postgis_store")


@pytest.fixture
def fail_on_layer(monkeypatch):
    """``fail_on_layer("parcels")``: the database fails when the store writes that layer's table,
    inside the transaction, after the layers before it were written."""
    def arm(layer: str):
        written = []

        def failing(real):  # the writer of a new table and the one replacing the rows of an existing table
            def write(conn, table_name, *args, **kwargs):
                if table_name == layer:
                    assert written, "the failing layer must not be the first one written"
                    raise OperationalError("INSERT", {}, Exception("disk I/O error (simulated)"))
                written.append(table_name)
                return real(conn, table_name, *args, **kwargs)
            return write

        for name in ("write_layer_table", "replace_rows"):
            monkeypatch.setattr(store_module, name, failing(getattr(store_module, name)))
        return written
    return arm


def versions(the_store):
    return {name: the_store.layer_versions(name).version.tolist() for name in ("projects", "parcels", "centrelines")}


def other_boundary(the_store):
    return the_store.projects().set_index("project_id").loc["OTHER", "geometry"]


def test_boundary_and_parcels_written_together(any_store, actor):
    before = versions(any_store)
    out = update_boundary(any_store, "OTHER", HALF_BOUNDARY, {"crs": [{"file": "chi_gioi_moi.dxf"}]}, actor=actor)
    assert out == {"projects_version": before["projects"][-1] + 1, "parcels_version": before["parcels"][-1] + 1,
                   "parcels_zeroed": 0}
    assert other_boundary(any_store).area == pytest.approx(500.0)  # 5 m × 100 m
    parcel = any_store.parcels().set_index("parcel_id").loc[OTHER_PARCEL]
    assert parcel["area_to_recover_m2"] == pytest.approx(50.0)  # 10 m × 10 m square, west 5 m inside
    parcels_report = any_store.layer_versions("parcels").report.iloc[-1]
    assert "OTHER" in parcels_report["reason"]
    assert any_store.projects().set_index("project_id").loc["OTHER", "geometry_note"] == \
        "Chỉ giới nhập từ chi_gioi_moi.dxf"


def test_failure_writing_parcels_leaves_boundary_unchanged(any_store, actor, fail_on_layer):
    before = versions(any_store)
    old_boundary = other_boundary(any_store)
    written = fail_on_layer("parcels")
    with pytest.raises(CadastreImportError, match=r"lỗi cơ sở dữ liệu: Exception\); kho dữ liệu không thay đổi"):
        update_boundary(any_store, "OTHER", HALF_BOUNDARY, {"crs": []}, actor=actor)
    assert written == ["projects"]  # the boundary had been written inside the transaction
    assert versions(any_store) == before
    assert shapely.equals_exact(other_boundary(any_store), old_boundary, 1e-6)
    assert other_boundary(any_store).area == pytest.approx(10_000.0)
    assert any_store.parcels().set_index("parcel_id").loc[OTHER_PARCEL, "area_to_recover_m2"] == 100.0


def test_failure_writing_centreline_leaves_no_project(any_store, actor, fail_on_layer):
    before = versions(any_store)
    fail_on_layer("centrelines")
    with pytest.raises(CadastreImportError, match="kho dữ liệu không thay đổi"):
        add_project(any_store, project_id="QL4B_2026", name="Nâng cấp QL4B giai đoạn 2", kind="road",
                    province="Lạng Sơn", boundary=HALF_BOUNDARY, report={"crs": []},
                    alignment=LineString([(E0 + 5002, N0), (E0 + 5002, N0 + 100)]), chainage_start_m=3700.0, actor=actor)
    assert versions(any_store) == before
    assert "QL4B_2026" not in set(any_store.projects()["project_id"])
    assert "QL4B_2026" not in set(any_store.centrelines()["project_id"])


def test_add_project_writes_project_and_centreline_together(any_store, actor):
    before = versions(any_store)
    out = add_project(any_store, project_id="QL4B_2026", name="Nâng cấp QL4B giai đoạn 2", kind="road",
                      province="Lạng Sơn", boundary=HALF_BOUNDARY, report={"crs": [{"file": "tuyen.dgn"}]},
                      alignment=LineString([(E0 + 5002, N0), (E0 + 5002, N0 + 100)]), chainage_start_m=3700.0, actor=actor)
    assert out == {"projects_version": before["projects"][-1] + 1,
                   "centrelines_version": before["centrelines"][-1] + 1}
    project = any_store.projects().set_index("project_id").loc["QL4B_2026"]
    assert (project["section_from_m"], project["section_to_m"]) == (3700.0, 3800.0)  # 100 m line from Km3+700
    line = any_store.centrelines().set_index("project_id").loc["QL4B_2026"]
    assert line["chainage_start_m"] == 3700.0 and line["geometry"].length == pytest.approx(100.0)
    assert versions(any_store)["parcels"] == before["parcels"]


def test_concurrent_change_is_refused_not_overwritten(store, actor):
    """Someone else renames project TEST_QL4B while our boundary import is between read and write."""
    other_user = demo_store(store.url)
    real_parcels = store.parcels

    def parcels_after_someone_else_wrote(*args, **kwargs):
        projects = other_user.projects()
        projects.loc[projects["project_id"] == "TEST_QL4B", "name"] = "Tên do người khác sửa"
        other_user.replace_layer("projects", projects, actor=actor, report={"nguoi": "người khác"})
        return real_parcels(*args, **kwargs)

    store.parcels = parcels_after_someone_else_wrote
    try:
        with pytest.raises(CadastreImportError, match="vừa được người khác thay"):
            update_boundary(store, "OTHER", HALF_BOUNDARY, {"crs": []}, actor=actor)
    finally:
        del store.parcels
        other_user.close()
    projects = store.projects().set_index("project_id")
    assert projects.loc["TEST_QL4B", "name"] == "Tên do người khác sửa"  # their change kept
    assert projects.loc["OTHER", "geometry"].area == pytest.approx(10_000.0)  # ours not written
    assert store.parcels().set_index("parcel_id").loc[OTHER_PARCEL, "area_to_recover_m2"] == 100.0
    # done again from fresh data, it goes through
    assert update_boundary(store, "OTHER", HALF_BOUNDARY, {"crs": []}, actor=actor)["parcels_version"] is not None


def test_alignment_update_still_one_layer(store, actor):
    before = versions(store)
    version = update_alignment(store, "TEST_QL4B", LineString([(E0 + 40, N0 - 100), (E0 + 40, N0 + 300)]),
                               {"crs": []}, actor=actor)
    assert version == before["centrelines"][-1] + 1
    line = store.centrelines().set_index("project_id").loc["TEST_QL4B"]
    assert line["chainage_start_m"] == 3700.0  # kept from the previous line
    assert line["geometry"].length == pytest.approx(400.0)
    assert versions(store)["projects"] == before["projects"]


def test_cli_import_boundary_database_failure_is_a_vietnamese_refusal(store, fail_on_layer, tmp_path, capsys):
    import geopandas as gpd

    import cli

    path = tmp_path / "chi_gioi_moi.gpkg"
    gpd.GeoDataFrame(geometry=[HALF_BOUNDARY], crs=9215).to_file(path)
    before = versions(store)
    fail_on_layer("parcels")
    code = cli.main(["import-boundary", str(path), "--project", "OTHER", "--as", "quan_tri"])
    err = capsys.readouterr().err
    assert code == 1
    assert "kho dữ liệu không thay đổi" in err and "Traceback" not in err
    assert versions(store) == before
    assert other_boundary(store).area == pytest.approx(10_000.0)


def test_parcel_import_refused_when_parcels_changed_meanwhile(store, actor, fixture_files):
    from cadastre.importer import ImportOptions, commit_parcels, prepare_parcels

    prepared = prepare_parcels([fixture_files["gpkg"]], store,
                               ImportOptions(project_id="TEST_QL4B", commune_former="Xã Hợp Thành"))
    assert len(prepared.parcels) > 0
    other_user = demo_store(store.url)
    real_parcels = store.parcels

    def parcels_after_someone_else_wrote(*args, **kwargs):
        current = other_user.parcels()
        current["owner_name"] = "sửa bởi người khác"
        other_user.replace_layer("parcels", current, actor=actor, report={})
        return real_parcels(*args, **kwargs)

    store.parcels = parcels_after_someone_else_wrote
    try:
        with pytest.raises(CadastreImportError, match="vừa được người khác thay"):
            commit_parcels(store, prepared, actor=actor)
    finally:
        del store.parcels
        other_user.close()
    assert store.parcels()["owner_name"].tolist() == ["sửa bởi người khác"]  # only OTHER's parcel, theirs kept
    assert commit_parcels(store, prepared, actor=actor).result == store.layer_versions("parcels").version.max()
