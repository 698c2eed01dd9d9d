"""AppTest of the page «Nhập sổ hộ dân, đơn thư» (issue 12) on a real store (the hand-made sources: project QL4B
with parcels 101–103 of Phường Kỳ Lừa): a households file previewed then committed, the same file again adds
nothing, a revert; a bad file shows its problems by row and writes nothing; the matrix's step → stage mapping
edited in the table, then committed (events on the matched parcels, profile saved); a branch step refused as a
main stage; a commune officer's rows of another commune refused row by row."""
from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.people.matrix_builder import workbook_bytes
from tests.store.sources_fixture import write_sources
from tests.support.login import preset_login
from tests.support.stores import copy_store_file, seed_store_file

SCRIPT = "import importlib\nimportlib.import_module('dashboard.pages.76_register_upload').render()\n"

HOUSEHOLDS_CSV = ("Mã hộ;Tên chủ hộ;Số CCCD;Số điện thoại;Địa chỉ;Xã/phường\r\n"
                  "H01;Nguyễn Văn Một;;;Thôn 1;Phường Kỳ Lừa\r\n"
                  "H02;Trần Thị Hai;;;Thôn 2;Phường Kỳ Lừa\r\n"
                  "H03;Lê Văn Ba;;;Thôn 3;Phường Kỳ Lừa\r\n").encode("utf-8-sig")
HOSTILE = "![x](http://evil.example/a.png)"
# row 3 lacks the owner's name, row 4 its household code and holds a hostile ID number (shown only in the table)
BAD_CSV = ("Mã hộ;Tên chủ hộ;Số CCCD;Số điện thoại;Địa chỉ;Xã/phường\r\n"
           "H01;Nguyễn Văn Một;;;Thôn 1;Phường Kỳ Lừa\r\n"
           "H02;;;;Thôn 2;Phường Kỳ Lừa\r\n"
           f";Lê Văn Ba;{HOSTILE};;Thôn 3;Phường Kỳ Lừa\r\n").encode("utf-8-sig")

MATRIX_HEADER = ["STT", "Mã hộ", "Loại đất", "Tên chủ hộ", "Địa chỉ", "Thửa", "Diện tích (m2)",
                 "C001", "C002", "C003", "C004", "C005", "Lý do"]
MATRIX_STEPS = [["Mã bước", "Tên bước"], ["C001", "Thông báo thu hồi đất"],
                ["C002", "Điều tra, khảo sát, đo đạc, kiểm đếm"],
                ["C003", "Họp hội đồng thẩm định phương án"],          # no rule matches: proposed unmapped
                ["C004", "Biên bản bàn giao mặt bằng"],
                ["C005", "Tổ chức cưỡng chế thu hồi đất"]]           # a branch step: flag:enforced


def matrix_file() -> bytes:
    """H1 (parcel 101) done C001–C003 with dates; H2 (102) C001–C002 undated; H3 (999, not on the map) C001."""
    return workbook_bytes([
        ["BẢNG THEO DÕI"], MATRIX_HEADER,
        [1, "H1", "ONT", "Hộ ông Một", "Thôn 1", "101", 300, "01/03/2024", "05/03/2024", "10/04/2024", None, None, None],
        [2, "H2", "LUC", "Hộ bà Hai", "Thôn 2", "102", 200, 1, 1, 0, None, None, "Chưa họp"],
        [3, "H3", "LUC", "Hộ ông Ba", "Thôn 3", "999", 100, "02/03/2024", None, None, None, None, None],
    ], steps=MATRIX_STEPS)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    return seed_store_file(tmp_path_factory.mktemp("register_page"), write_sources)


@pytest.fixture
def page_store(seeded, tmp_path, monkeypatch):
    from store import open_store

    template, sources = seeded
    url = copy_store_file(template, tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources))
    st.cache_data.clear()
    st.cache_resource.clear()
    store = open_store(url)
    yield store
    store.close()
    st.cache_data.clear()
    st.cache_resource.clear()


def _page(account) -> AppTest:
    return preset_login(AppTest.from_string(SCRIPT, default_timeout=120), account).run()


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _upload(at, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    return at.file_uploader[0].set_value((name, data, mime)).run()


def _frame(at, column: str):
    """The table holding ``column`` (``st.dataframe`` without selection keeps no key in AppTest)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_households_preview_commit_same_file_again_and_revert(page_store):
    from tests.support.actors import office_admin

    at = _page(office_admin(page_store))
    _ok(at)
    assert at.title[0].value == "Nhập sổ hộ dân, đơn thư"
    assert {b.label for b in at.get("download_button")} == {"Tải mẫu Excel (.xlsx)", "Tải mẫu CSV (.csv)"}
    _upload(at, "ho_dan.csv", HOUSEHOLDS_CSV)
    _ok(at)
    metrics = _metrics(at)
    assert (metrics["Dòng đọc được"], metrics["Dòng hợp lệ"], metrics["Dòng có lỗi"], metrics["Số hộ"]) == \
        ("3", "3", "0", "3")
    assert page_store.register("households").empty and page_store.register_imports().empty  # a preview writes nothing
    assert [s.label for s in at.status] == ["Đã kiểm tra xong tệp"]
    assert not at.button(key="register_commit").disabled

    at.button(key="register_commit").click().run()
    _ok(at)
    assert any("Đã ghi lần tải" in s.value for s in at.success)
    assert _metrics(at)["Dòng mới"] == "3"
    assert sorted(page_store.register("households")["household_id"]) == ["H01", "H02", "H03"]
    imports = _frame(at, "Sổ")
    assert list(imports["Sổ"]) == ["Danh sách hộ"] and list(imports["Trạng thái"]) == ["Đang dùng"]

    _upload(at, "ho_dan_lan_2.csv", HOUSEHOLDS_CSV)
    upload_id = int(page_store.register_imports()["upload_id"].iloc[0])
    assert any(f"đã được nhập ở lần tải {upload_id}" in i.value for i in at.info)  # said before the commit
    at.button(key="register_commit").click().run()
    _ok(at)
    assert any("không ghi thêm gì" in i.value for i in at.info)
    assert len(page_store.register_imports()) == 1

    at.text_input(key="register_revert_reason").input("nhập nhầm dự án").run()
    at.checkbox(key="register_revert_confirm").check().run()
    at.button(key="register_revert_button").click().run()
    _ok(at)
    assert any(f"Đã hoàn tác lần nhập sổ số {upload_id}" in s.value for s in at.success)
    assert page_store.register("households").empty and bool(page_store.register_imports()["reverted"].iloc[0])


def test_bad_file_shows_problems_by_row_and_writes_nothing(page_store):
    from tests.support.actors import office_admin

    at = _upload(_page(office_admin(page_store)), "ho_dan_loi.csv", BAD_CSV)
    assert not at.exception
    assert _metrics(at)["Dòng có lỗi"] == "2"
    problems = _frame(at, "Lỗi")
    assert sorted(zip(problems["Dòng"], problems["Cột"], strict=True)) == \
        [(3, "Tên chủ hộ"), (4, "Mã hộ"), (4, "Số CCCD")]
    assert problems.loc[problems["Cột"] == "Số CCCD", "Giá trị"].tolist() == [HOSTILE]  # a table cell, as written
    shown = [m.value for kind in ("markdown", "caption", "info", "warning", "error") for m in getattr(at, kind)]
    assert not any("evil.example" in text for text in shown)  # never Markdown that a browser would fetch
    assert at.button(key="register_commit").disabled  # not without «bỏ qua»
    at.button(key="register_cancel").click().run()
    assert page_store.register_imports().empty and page_store.register("households").empty

    _upload(at, "ho_dan_loi.csv", BAD_CSV)
    at.checkbox(key="register_skip_invalid").check().run()
    at.button(key="register_commit").click().run()
    _ok(at)
    assert list(page_store.register("households")["household_id"]) == ["H01"]


def test_matrix_mapping_edited_then_committed_with_its_profile(page_store):
    from tests.support.actors import office_admin

    at = _page(office_admin(page_store))
    at.selectbox(key="register_kind").set_value("matrix").run()
    assert [b.label for b in at.get("download_button")] == ["Tải mẫu Excel (.xlsx)"]
    _upload(at, "bang_ho_buoc.xlsx", matrix_file(), "application/vnd.ms-excel")
    _ok(at)
    editor = at.data_editor[0]
    proposed = editor.value.set_index("Mã bước")["Ánh xạ"].to_dict()
    assert proposed == {"C001": "Thông báo thu hồi đất", "C002": "Kiểm đếm", "C003": "— (không ánh xạ)",
                        "C004": "Bàn giao mặt bằng", "C005": "Nhánh: Cưỡng chế"}
    stages = _frame(at, "Giai đoạn").set_index("Giai đoạn")["Số hộ"]
    assert stages["Kiểm đếm"] == 2 and stages["Thông báo thu hồi đất"] == 1
    assert _metrics(at)["Thửa khớp bản đồ"] == "2"
    assert list(_frame(at, "Số thửa")["Số thửa"]) == ["999"]

    # the branch step may not be a main stage: the ingest layer's message, nothing to commit
    at.session_state[editor.key] = {"edited_rows": {4: {"Ánh xạ": "Bàn giao mặt bằng"}}, "added_rows": [],
                                    "deleted_rows": []}
    at.run()
    assert any("C005" in e.value and "nhánh cưỡng chế" in e.value for e in at.error)
    assert not any(b.key == "register_commit" for b in at.button)

    at.session_state[editor.key] = {"edited_rows": {2: {"Ánh xạ": "Phê duyệt phương án / QĐ thu hồi"}},
                                    "added_rows": [], "deleted_rows": []}
    at.run()
    _ok(at)
    stages = _frame(at, "Giai đoạn").set_index("Giai đoạn")["Số hộ"]
    assert stages["Phê duyệt phương án / QĐ thu hồi"] == 1 and stages["Kiểm đếm"] == 1
    assert at.button(key="register_commit").disabled  # the mapping is not confirmed yet
    at.text_input(key="register_save_profile").input("Mẫu Cao Lộc").run()
    at.checkbox(key="register_mapping_confirm").check().run()
    events_before = len(page_store.events())
    at.button(key="register_commit").click().run()
    _ok(at)
    assert any("Đã ghi lần tải" in s.value for s in at.success)
    upload_id = int(page_store.register_imports()["upload_id"].iloc[-1])
    events = page_store.events()
    mine = events[events["upload_id"] == upload_id]
    assert len(events) == events_before + len(mine) == events_before + 4
    assert set(mine.loc[mine["parcel_id"].str.endswith("/101"), "event"]) == {"notice", "inventory", "approved"}
    assert list(mine.loc[mine["parcel_id"].str.endswith("/102"), "event"]) == ["inventory"]  # undated: its stage only
    assert page_store.register_profile("Mẫu Cao Lộc")["C003"] == "approved"
    assert page_store.register_profile_names() == ["Mẫu Cao Lộc"]
    homes = page_store.register("households").set_index("household_id")
    assert homes.loc["H1", "stage"] == "approved" and homes.loc["H3", "stage"] == "notice"
    # listed by its kind, though recorded in the households register
    imports = _frame(at, "Sổ")
    assert list(imports["Sổ"]) == ["Bảng theo dõi hộ × bước thủ tục"] and list(imports["Tệp"]) == ["bang_ho_buoc.xlsx"]

    # the saved profile is offered next time, and the same file again adds nothing
    at.selectbox(key="register_kind").set_value("matrix").run()
    _upload(at, "bang_ho_buoc.xlsx", matrix_file(), "application/vnd.ms-excel")
    assert at.selectbox(key="register_profile_start").options == ["— (đề xuất theo tên bước)", "Mẫu Cao Lộc"]
    at.selectbox(key="register_profile_start").set_value("Mẫu Cao Lộc").run()
    assert at.data_editor[0].value.set_index("Mã bước").loc["C003", "Ánh xạ"] == "Phê duyệt phương án / QĐ thu hồi"
    at.checkbox(key="register_mapping_confirm").check().run()
    at.button(key="register_commit").click().run()
    _ok(at)
    assert any("không ghi thêm gì" in i.value for i in at.info)
    assert len(page_store.events()) == len(events)


def test_commune_officer_sees_rows_of_another_commune_refused(page_store):
    from tests.support.actors import make_account

    officer = make_account(page_store, "can_bo_dong_dang", "commune_officer", communes=("Xã Đồng Đăng",))
    csv = ("Mã hộ;Tên chủ hộ;Số CCCD;Số điện thoại;Địa chỉ;Xã/phường\r\n"
           "H01;Nguyễn Văn Một;;;Thôn 1;Phường Kỳ Lừa\r\n"
           "H02;Trần Thị Hai;;;Thôn 2;Xã Đồng Đăng\r\n").encode("utf-8-sig")
    at = _page(officer)
    _ok(at)
    assert at.selectbox(key="register_commune").options == ["— (không chọn)", "Xã Đồng Đăng"]
    _upload(at, "ho_dan.csv", csv)
    assert not at.exception
    problems = _frame(at, "Lỗi")
    assert list(problems["Dòng"]) == [2] and list(problems["Cột"]) == ["Xã/phường"]
    assert "chỉ được nhập sổ của Xã Đồng Đăng; dòng này thuộc Phường Kỳ Lừa" in problems["Lỗi"].iloc[0]
    at.checkbox(key="register_skip_invalid").check().run()
    at.button(key="register_commit").click().run()
    _ok(at)
    assert list(page_store.register("households")["household_id"]) == ["H02"]
    assert not any(b.key == "register_revert_button" for b in at.button)  # no revert for a commune officer

    at.selectbox(key="register_kind").set_value("lots").run()
    _upload(at, "lo.csv", b"x")
    assert any("không được nhập sổ này" in e.value for e in at.error)


def test_a_commune_officer_lists_his_communes_imports_only(page_store):
    """Decree 13/2023: another commune's import — its file name included — is not in his list, nor named by the
    same-file hint; the administrator's list has both."""
    from ingest.register_import import import_register
    from tests.support.actors import make_account, office_admin

    admin = office_admin(page_store)
    officer = make_account(page_store, "can_bo_dong_dang", "commune_officer", communes=("Xã Đồng Đăng",))
    dong_dang = HOUSEHOLDS_CSV.decode("utf-8-sig").replace("Phường Kỳ Lừa", "Xã Đồng Đăng").replace("H0", "D0")
    for name, data in (("ho_ky_lua_nguyen_van_mot.csv", HOUSEHOLDS_CSV),
                       ("ho_dong_dang.csv", dong_dang.encode("utf-8-sig"))):
        assert import_register(data, page_store, kind="households", project_id="QL4B", actor=admin,
                               file_name=name).status == "committed"
    at = _page(officer)
    _ok(at)
    assert list(_frame(at, "Sổ")["Tệp"]) == ["ho_dong_dang.csv"]
    _upload(at, "lai.csv", HOUSEHOLDS_CSV)  # the other commune's bytes: not named to him
    assert not any("đã được nhập ở lần tải" in i.value for i in at.info)
    assert not any("ho_ky_lua" in str(d.value) for d in at.dataframe)
    shown = _frame(_page(admin), "Sổ")
    assert list(shown["Tệp"]) == ["ho_dong_dang.csv", "ho_ky_lua_nguyen_van_mot.csv"]


def test_a_revert_waits_for_a_second_account_when_maker_checker_is_on(page_store):
    from tests.support.actors import make_account

    maker = make_account(page_store, "lan_admin", "admin")
    make_account(page_store, "hung_admin", "admin")
    at = _upload(_page(maker), "ho_dan.csv", HOUSEHOLDS_CSV)
    at.button(key="register_commit").click().run()
    at.text_input(key="register_revert_reason").input("nhập nhầm").run()
    at.checkbox(key="register_revert_confirm").check().run()
    at.button(key="register_revert_button").click().run()
    _ok(at)
    assert any("chờ một tài khoản khác duyệt" in s.value for s in at.success)
    assert not page_store.register_imports()["reverted"].any()
    assert len(page_store.register("households")) == 3


def test_resettlement_areas_from_a_geojson_through_the_page(page_store, monkeypatch):
    """The kind «Khu tái định cư» takes a map file on this page too: read by the cadastral readers (read_geo),
    reprojected to EPSG:9215, committed as one register import. The reader runs in-process here: under AppTest
    ``__main__`` is the page script, which a forkserver/spawn worker would run again (the worker itself is tested
    by tests/people and tests/cli)."""
    import json

    def in_process(fn, *args, seconds=None, memory_bytes=None, start_method=None, **kwargs):
        return fn(*args, **kwargs)

    monkeypatch.setattr("cadastre.source_layers.run_with_time_limit", in_process)

    import shapely
    from pyproj import Transformer

    from tests.support.actors import office_admin

    square = [(461_000.0, 2_413_000.0), (461_100.0, 2_413_000.0), (461_100.0, 2_413_080.0), (461_000.0, 2_413_080.0)]
    to_wgs84 = Transformer.from_crs(9215, 4326, always_xy=True)
    ring = [list(to_wgs84.transform(x, y)) for x, y in [*square, square[0]]]
    geojson = json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"ma_khu": "KTDC-WEB", "ten_khu": "Khu qua trang", "tien_do": 30},
        "geometry": {"type": "Polygon", "coordinates": [ring]}}]}).encode()
    at = _page(office_admin(page_store))
    at.selectbox(key="register_kind").set_value("areas").run()
    at.selectbox(key="register_project").set_value("QL4B").run()
    _ok(at)
    _upload(at, "khu_tdc.geojson", geojson, "application/geo+json")
    _ok(at)
    assert _metrics(at)["Dòng hợp lệ"] == "1"
    at.button(key="register_commit").click().run()
    _ok(at)
    area = page_store.resettlement_areas("QL4B").set_index("area_id").loc["KTDC-WEB"]
    assert area["construction_percent"] == 30.0
    assert shapely.hausdorff_distance(area["geometry"], shapely.Polygon(square)) < 0.01
