"""``cli.py import-register`` on the bundled store: the JSON report of a generated ≥ 400-row matrix, commit once,
nothing new on a second run, the profile, stage events of matched parcels, revert; a register template round
trip; a bad file reported by row and column and nothing written."""
from __future__ import annotations

import json
from datetime import date

import geopandas as gpd
import pytest

from tests.cli.conftest import SOURCES
from tests.people.matrix_builder import STAGE_ORDER, build_matrix, workbook_bytes


@pytest.fixture
def admin(run, store_url):
    """An administrator of the bundled store with maker–checker off (reverts run at once)."""
    from store import open_store
    from tests.support.actors import office_admin

    store = open_store(store_url, sources_dir=SOURCES)
    office_admin(store)
    store.close()
    return "quan_tri"


def _json(out: str) -> dict:
    return json.loads(out)


def test_matrix_report_commit_once_profile_and_revert(run, admin, tmp_path, store_url):
    data, expected = build_matrix(420)
    path = tmp_path / "bang_ho_buoc.xlsx"
    path.write_bytes(data)
    code, out, err = run("import-register", str(path), "--project", "CT_HNCL", "--dry-run", "--json", "--as", admin)
    assert code == 0, err
    report = _json(out)
    assert report["status"] == "dry_run" and report["rows"] == expected.rows == 420
    assert report["households"] == len(expected.households)
    assert report["parcel_tokens"] == len(expected.parcel_tokens)
    assert report["parcels_distinct"] == len(set(expected.parcel_tokens))
    assert report["area_m2_total"] == pytest.approx(expected.area_m2)
    per_stage = dict.fromkeys(STAGE_ORDER, 0)
    for ranks in expected.households.values():
        per_stage[STAGE_ORDER[min(ranks)]] += 1
    assert report["counts_per_stage"] == per_stage
    assert report["unmapped_columns"] == ["C003", "C006"]
    assert report["mapping"]["C010"] == "flag:enforced" and report["mapping"]["C008"] == "handed_over"
    assert report["problems"] == []
    assert (report["parcels_matched"] + len(report["parcels_unmatched"]) + len(report["parcels_ambiguous"])
            == report["parcels_distinct"])
    assert "Hộ ông/bà" not in out  # the report carries no owner names

    code, out, err = run("import-register", str(path), "--project", "CT_HNCL", "--profile", "mau-huyen",
                         "--map", "C006=none", "--json", "--as", admin)
    assert code == 0, err
    first = _json(out)
    assert first["status"] == "committed" and first["rows_added"] == len(expected.households)
    assert first["events_added"] == first["events"]

    code, out, _ = run("import-register", str(path), "--project", "CT_HNCL", "--profile", "mau-huyen", "--json",
                       "--as", admin)
    assert code == 0 and _json(out)["status"] == "nothing_new"

    from store import open_store
    store = open_store(store_url, sources_dir=SOURCES)
    assert store.register_profile("mau-huyen")["C005"] == "approved"
    homes = store.register("households", project_id="CT_HNCL")
    mine = homes[homes["upload_id"] == first["upload_id"]]
    assert sorted(mine["household_id"]) == sorted(expected.households) and "name" not in homes.columns
    code, _, err = run("revert", str(first["upload_id"]), "--as", admin, "--reason", "thử")
    assert code == 0, err
    after = store.register("households", project_id="CT_HNCL")
    assert len(after) == len(homes) - len(mine) and not (after["upload_id"] == first["upload_id"]).any()
    assert not (store.events()["upload_id"] == first["upload_id"]).any()
    store.close()


def test_matched_parcels_get_their_stage_events(run, admin, tmp_path, store_url):
    parcels = gpd.read_file(SOURCES / "parcels.gpkg")
    mine = parcels[(parcels["project_id"] == "QL4B")]
    counts = mine.groupby(["commune", "parcel_number"]).size()
    commune, number = next(k for k, n in counts.items() if n == 1)
    parcel_id = mine[(mine["commune"] == commune) & (mine["parcel_number"] == number)]["parcel_id"].iloc[0]
    header = ["STT", "Mã hộ", "Loại đất", "Tên chủ hộ", "Địa chỉ", "Thửa", "Diện tích (m2)", "C001", "C002", "Lý do"]
    steps = [["Mã bước", "Tên bước"], ["C001", "Thông báo thu hồi đất"], ["C002", "Kiểm đếm đất đai, tài sản"]]
    rows = [["SỔ THEO DÕI"], header, [1, "HX-1", "ONT", "Ông X", "Thôn 1", f"{number}+99999", 120.5,
                                      "02/03/2025", "15/03/2025", None]]
    path = tmp_path / "mot_ho.xlsx"
    path.write_bytes(workbook_bytes(rows, steps=steps))
    code, out, err = run("import-register", str(path), "--project", "QL4B", "--commune", commune, "--json",
                         "--as", admin)
    assert code == 0, err
    report = _json(out)
    assert report["parcels_matched"] == 1 and report["parcels_unmatched"] == ["99999"]
    from store import open_store
    store = open_store(store_url, sources_dir=SOURCES)
    mine_events = store.events().query("upload_id == @report['upload_id']")
    assert set(zip(mine_events["parcel_id"], mine_events["event"], mine_events["event_date"])) == {
        (parcel_id, "notice", date(2025, 3, 2)), (parcel_id, "inventory", date(2025, 3, 15))}
    store.close()


def test_register_template_round_trip_and_bad_rows(run, admin, tmp_path):
    template = tmp_path / "ho.csv"
    assert run("template", "--kind", "households", "--out", str(template))[0] == 0
    header = template.read_text(encoding="utf-8-sig").strip()
    good = tmp_path / "ho_dan.csv"
    good.write_text(header + "\nHD-9;Nguyễn Văn A;012345678901;0912345678;Thôn 2;Xã Công Sơn\n"
                    "HD-10;Lê Thị B;;;;Xã Công Sơn\n", encoding="utf-8-sig")
    code, out, err = run("import-register", str(good), "--project", "CA_XA", "--kind", "households", "--json",
                         "--as", admin)
    assert code == 0, err
    assert _json(out)["rows_added"] == 2 and "Nguyễn Văn A" not in out
    bad = tmp_path / "ho_loi.csv"
    bad.write_text(header + "\nHD-11;Trần C;12345;0912345678;Thôn 2;Xã Công Sơn\n"
                   "HD-12;Hà D;;;;Xã Công Sơn\n", encoding="utf-8-sig")
    code, out, _ = run("import-register", str(bad), "--project", "CA_XA", "--kind", "households", "--json",
                       "--as", admin)
    report = _json(out)
    assert code == 1 and report["status"] == "rejected"
    assert [(p["row"], p["column"]) for p in report["problems"]] == [(2, "Số CCCD")]
    assert "12 chữ số" in report["problems"][0]["message_vi"]
    code, out, _ = run("import-register", str(bad), "--project", "CA_XA", "--kind", "households", "--skip-invalid",
                       "--json", "--as", admin)
    assert code == 0 and _json(out)["rows_added"] == 1


def test_viewer_is_refused_before_reading(run, admin, tmp_path, store_url):
    from store import open_store
    from tests.support.actors import make_account
    store = open_store(store_url, sources_dir=SOURCES)
    make_account(store, "lanh_dao", "viewer")
    store.close()
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a workbook")
    code, _, err = run("import-register", str(path), "--project", "CA_XA", "--as", "lanh_dao")
    assert code == 1 and "lanh_dao" in err


def _area_shapefile_zip(tmp_path, *, with_prj: bool):
    """A zipped shapefile of one area (short DBF field names), in VN-2000 / UTM 48N (EPSG:3405) when it
    carries a .prj, else in the store's TM-3 coordinates; and the polygon in EPSG:9215."""
    import zipfile

    from shapely.geometry import box

    square = box(461_000, 2_413_000, 461_120, 2_413_090)
    frame = gpd.GeoDataFrame({"ma_khu": ["KTDC-SHP"], "ten_khu": ["Khu từ shapefile"], "ke_hoach": ["31/03/2026"],
                              "tien_do": [12.0]}, geometry=[square], crs=9215)
    if with_prj:
        frame = frame.to_crs(3405)
    folder = tmp_path / ("shp_prj" if with_prj else "shp")
    folder.mkdir()
    frame.to_file(folder / "khu.shp", engine="pyogrio")
    if not with_prj:
        (folder / "khu.prj").unlink()
    archive = tmp_path / f"{folder.name}.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for member in folder.iterdir():
            zf.write(member, member.name)
    return archive, square


@pytest.mark.parametrize("with_prj", [True, False])
def test_areas_from_a_zipped_shapefile_reprojected_then_nothing_new(run, admin, tmp_path, store_url, with_prj):
    import shapely

    from store import open_store

    archive, square = _area_shapefile_zip(tmp_path, with_prj=with_prj)
    code, out, err = run("import-register", str(archive), "--project", "QL4B", "--kind", "areas", "--json",
                         "--as", admin)
    assert code == 0, err
    report = _json(out)
    assert report["status"] in ("committed", "nothing_new") and report["problems"] == []
    assert report["area_m2_total"] == pytest.approx(120 * 90, rel=1e-3)
    store = open_store(store_url, sources_dir=SOURCES)
    area = store.resettlement_areas("QL4B").set_index("area_id").loc["KTDC-SHP"]
    store.close()
    assert area["name"] == "Khu từ shapefile" and area["construction_percent"] == 12.0
    assert shapely.hausdorff_distance(area["geometry"], square) < 0.01     # back in EPSG:9215 within 1 cm
    code, out, _ = run("import-register", str(archive), "--project", "QL4B", "--kind", "areas", "--json",
                       "--as", admin)
    assert code == 0 and _json(out)["status"] == "nothing_new"


def test_areas_template_round_trip_and_text_report(run, admin, tmp_path):
    template = tmp_path / "khu.csv"
    assert run("template", "--kind", "areas", "--out", str(template))[0] == 0
    header = template.read_text(encoding="utf-8-sig").strip()
    assert header.split(";") == ["Mã khu", "Mã dự án", "Tên khu", "Ngày hoàn thành theo kế hoạch",
                                 "Ngày hoàn thành thực tế", "Tiến độ xây dựng (%)", "Ranh giới khu (WKT)"]
    path = tmp_path / "khu_tdc.csv"
    path.write_text(header + "\nKTDC-CSV;QL4B;Khu CSV;30/09/2026;;0;"
                    "POLYGON ((461500 2413000, 461600 2413000, 461600 2413050, 461500 2413050, 461500 2413000))\n",
                    encoding="utf-8-sig")
    code, out, err = run("import-register", str(path), "--project", "QL4B", "--kind", "areas", "--as", admin)
    assert code == 0, err
    assert "Tổng diện tích các khu trong tệp: 5.000" in out and "EPSG:9215" in out
    assert run("template", "--kind", "areas", "--out", str(tmp_path / "khu.xlsx"))[0] == 0
