"""CLI: import-parcels, import-boundary, import-alignment, add-project, transform (run through cli.main)."""
from __future__ import annotations

import json

import pytest
import shapely

import cli

#: Commands that write (they act as ``--as quan_tri``, the account the ``store`` fixture creates).
WRITING = ("import-parcels", "import-boundary", "import-alignment", "add-project")


def run_cli(capsys, *argv):
    argv = [*argv, "--as", "quan_tri"] if argv and argv[0] in WRITING and "--as" not in argv else list(argv)
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_import_parcels_dry_run_json_writes_nothing(store, fixture_files, capsys):
    versions = len(store.layer_versions("parcels"))
    code, out, _ = run_cli(capsys, "import-parcels", fixture_files["famis_tcvn3_noprj"], "--project", "TEST_QL4B",
                           "--dry-run", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["dry_run"] is True
    assert report["crs"][0]["epsg"] == 9215 and report["crs"][0]["source"] == "project_default"
    assert report["counts"]["read"] == 18 and report["counts"]["imported"] == 11
    assert report["counts"]["repaired"] == 1 and report["counts"]["duplicates"] == 2
    assert any(s["after"] == "Nguyễn Văn An" for e in report["encodings"] for s in e["samples"])
    assert len(store.layer_versions("parcels")) == versions


def test_import_parcels_commits_and_prints_vietnamese_summary(store, fixture_files, capsys):
    code, out, _ = run_cli(capsys, "import-parcels", fixture_files["gpkg"], "--project", "TEST_QL4B")
    assert code == 0
    assert "Số thửa nhập: 12" in out
    assert "4.500,0 m²" in out
    assert (store.parcels()["project_id"] == "TEST_QL4B").sum() == 12


def test_import_parcels_with_crs_as_province_name(store, fixture_files, capsys):
    code, out, _ = run_cli(capsys, "import-parcels", fixture_files["utm48_noprj"], "--project", "TEST_QL4B",
                           "--commune", "Hợp Thành", "--crs", "UTM48", "--dry-run", "--json")
    assert code == 0
    assert json.loads(out)["crs"][0]["epsg"] == 3405


def test_import_parcels_refuses_without_crs_when_ranges_say_utm(store, fixture_files, capsys):
    code, _, err = run_cli(capsys, "import-parcels", fixture_files["utm48_noprj"], "--project", "TEST_QL4B",
                           "--commune", "Xã Hợp Thành")
    assert code == 1
    assert "--crs" in err


def test_import_parcels_bad_crs_is_usage_error(store, fixture_files, capsys):
    code, _, err = run_cli(capsys, "import-parcels", fixture_files["gpkg"], "--project", "TEST_QL4B", "--crs", "Mars")
    assert code == 2 and "Không hiểu hệ tọa độ" in err


def test_import_boundary_recomputes_area_to_recover(store, fixture_files, make_fixtures, capsys, tmp_path):
    assert run_cli(capsys, "import-parcels", fixture_files["gpkg"], "--project", "TEST_QL4B")[0] == 0
    # new boundary: the old one shifted 10 m east → column 0 loses its 10 m strip, column 3 gains one
    import geopandas as gpd

    path = tmp_path / "new_boundary.gpkg"
    gpd.GeoDataFrame(geometry=[shapely.affinity.translate(make_fixtures.BOUNDARY, 10, 0)], crs=9215).to_file(path)
    code, out, _ = run_cli(capsys, "import-boundary", str(path), "--project", "TEST_QL4B", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["area_m2"] == pytest.approx(60 * 75.01, abs=0.01)
    parcels = store.parcels()
    mine = parcels[parcels["project_id"] == "TEST_QL4B"].set_index("parcel_number")
    assert mine.loc["1", "area_to_recover_m2"] == pytest.approx(0.0)        # column 0 now outside
    assert mine.loc["4", "area_to_recover_m2"] == pytest.approx(500.0)        # column 3 now fully inside
    assert report["parcels_zeroed"] == 3
    projects = store.projects().set_index("project_id")
    assert projects.loc["TEST_QL4B", "geometry"].area == pytest.approx(60 * 75.01, abs=0.01)


def test_import_alignment_sets_chainage_start(store, fixture_files, capsys):
    code, out, _ = run_cli(capsys, "import-alignment", fixture_files["alignment_shp"], "--project", "TEST_QL4B",
                           "--chainage-start", "Km5+000")
    assert code == 0, out
    lines = store.centrelines().set_index("project_id")
    assert lines.loc["TEST_QL4B", "chainage_start_m"] == 5000.0
    assert lines.loc["TEST_QL4B", "geometry"].length == pytest.approx(300.0)


def test_add_project_from_boundary_and_alignment(store, fixture_files, capsys):
    code, _out, err = run_cli(capsys, "add-project", "--id", "QL4B_2026", "--name", "Nâng cấp QL4B giai đoạn 2",
                             "--kind", "road", "--province", "Lạng Sơn", "--boundary", fixture_files["boundary_geojson"],
                             "--alignment", fixture_files["alignment_shp"], "--chainage-start", "Km3+700")
    assert code == 0, err
    projects = store.projects().set_index("project_id")
    assert projects.loc["QL4B_2026", "kind"] == "road"
    assert projects.loc["QL4B_2026", "geometry"].area == pytest.approx(60 * 75.01, abs=0.05)
    lines = store.centrelines().set_index("project_id")
    assert lines.loc["QL4B_2026", "chainage_start_m"] == 3700.0
    # the same id twice is refused
    code, _, err = run_cli(capsys, "add-project", "--id", "QL4B_2026", "--name", "x", "--kind", "area",
                           "--province", "Lạng Sơn", "--boundary", fixture_files["boundary_geojson"])
    assert code == 1 and "đã có" in err


def test_transform_prints_surveyor_order_and_operation(capsys):
    code, out, _ = run_cli(capsys, "transform", "--from", "Lạng Sơn", "--to", "WGS84", "2412000", "450000", "--dms")
    assert code == 0
    assert "VN-2000 to WGS 84 (2)" in out
    assert "Vĩ độ" in out.splitlines()[2]
    assert out.strip().splitlines()[-1] == "21°48′12,946″\t106°46′05,884″"


def test_transform_json_and_batch_file(tmp_path, capsys):
    listing = tmp_path / "diem.txt"
    listing.write_text("M1\t2412000\t450000\nM2;2420000;452000\nhỏng\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "transform", "--from", "9215", "--to", "107-00", "--file", str(listing), "--json")
    assert code == 1  # one bad line
    doc = json.loads(out)
    assert doc["to"]["epsg"] == 9214
    assert [p["name"] for p in doc["points"]] == ["M1", "M2", None]
    assert doc["points"][2]["error"].startswith("Dòng 3")


def test_import_alignment_text_report_in_vietnamese(store, fixture_files, capsys):
    # the fixture centreline is one straight 300 m line (see the test above); chainage from Km5+000
    code, out, _ = run_cli(capsys, "import-alignment", fixture_files["alignment_shp"], "--project", "TEST_QL4B",
                           "--chainage-start", "Km5+000", "--dry-run")
    assert code == 0
    assert "đường dài 300,0 m; lý trình Km5+000 → Km5+300" in out
    assert "Chạy thử (--dry-run): chưa ghi gì." in out
    assert store.centrelines().set_index("project_id").loc["TEST_QL4B", "chainage_start_m"] == 3700.0  # unchanged


@pytest.mark.parametrize("argv", [
    ["import-boundary", "{missing}", "--project", "TEST_QL4B"],
    ["import-alignment", "{missing}", "--project", "TEST_QL4B"],
    ["import-parcels", "{missing}", "--project", "TEST_QL4B"],
])
def test_geo_imports_refuse_a_missing_file_alike(store, capsys, tmp_path, argv):
    missing = str(tmp_path / "khong_co.gpkg")
    argv = [a.replace("{missing}", missing) for a in argv]
    code, out, err = run_cli(capsys, *argv)
    assert code == 1 and out == ""
    assert err.startswith("Không nhập được: ") and "Traceback" not in err
    code, out, err = run_cli(capsys, *argv, "--json")
    assert code == 1 and err == ""
    assert json.loads(out)["error"]


def test_geo_imports_report_an_unreachable_store(capsys, fixture_files):
    code, out, err = run_cli(capsys, "import-boundary", fixture_files["boundary_geojson"], "--project", "X",
                             "--database-url", "postgresql+psycopg://postgres@127.0.0.1:1/khong_co")
    assert code == 1 and out == ""
    assert "Không mở được kho dữ liệu" in err


def test_import_parcels_by_a_viewer_is_refused_and_writes_nothing(store, fixture_files, capsys):
    from tests.support.actors import make_account

    make_account(store, "xem", "viewer")
    before = store.data_version()["layers"], len(store.parcels())
    code, _, err = run_cli(capsys, "import-parcels", fixture_files["gpkg"], "--project", "TEST_QL4B", "--as", "xem")
    assert code == 1 and "xem" in err and "Traceback" not in err
    assert (store.data_version()["layers"], len(store.parcels())) == before


def test_import_parcels_needs_as_to_write_but_not_to_check(store, fixture_files, capsys):
    import cli as cli_module

    code = cli_module.main(["import-parcels", fixture_files["gpkg"], "--project", "TEST_QL4B", "--dry-run"])
    assert code == 0
    capsys.readouterr()
    code = cli_module.main(["import-parcels", fixture_files["gpkg"], "--project", "TEST_QL4B"])
    assert code == 2 and "--as" in capsys.readouterr().err
