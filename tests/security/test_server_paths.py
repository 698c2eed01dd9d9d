"""The server-path box (dashboard.config): off by default, admin only, confined to one folder, one message."""
from __future__ import annotations

import pytest

from dashboard.config import SERVER_PATH_REFUSED_VI, DashboardConfig, load_config, resolve_import_path
from domain.errors import GpmbError


@pytest.fixture
def import_folder(tmp_path):
    folder = tmp_path / "nhap"
    folder.mkdir()
    (folder / "thua.geojson").write_text("{}", encoding="utf-8")
    (tmp_path / "bi_mat.txt").write_text("không được đọc", encoding="utf-8")
    (folder / "ra_ngoai.txt").symlink_to(tmp_path / "bi_mat.txt")
    return folder


def test_off_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no gpmb.toml here
    assert load_config({}) == DashboardConfig(server_paths=False, import_folder=None)
    assert not load_config({}).server_paths_usable


def test_toml_section_then_environment(tmp_path):
    config_file = tmp_path / "gpmb.toml"
    config_file.write_text('[gpmb]\nserver_paths = true\nimport_folder = "/srv/nhap"\n', encoding="utf-8")
    from_file = load_config({"GPMB_CONFIG": str(config_file)})
    assert from_file.server_paths_usable and str(from_file.import_folder) == "/srv/nhap"
    overridden = load_config({"GPMB_CONFIG": str(config_file), "GPMB_SERVER_PATHS": "off"})
    assert not overridden.server_paths_usable


def test_a_flag_that_is_not_boolean_is_refused_in_vietnamese():
    with pytest.raises(GpmbError, match="cần true hoặc false"):
        load_config({"GPMB_SERVER_PATHS": "có lẽ", "GPMB_CONFIG": "/nonexistent/gpmb.toml"})


def test_a_file_inside_the_folder_resolves(import_folder):
    assert resolve_import_path("thua.geojson", import_folder) == (import_folder / "thua.geojson").resolve()
    assert resolve_import_path(str(import_folder / "thua.geojson"), import_folder).name == "thua.geojson"


@pytest.mark.parametrize("typed", ["khong_co.shp", "../bi_mat.txt", "ra_ngoai.txt", "/etc/passwd", "/etc/khong_co",
                                   ".", "a\0b", "/vsicurl/http://example.invalid/x.geojson"])
def test_absent_and_not_allowed_get_the_same_message(import_folder, typed):
    with pytest.raises(GpmbError) as refused:
        resolve_import_path(typed, import_folder)
    assert refused.value.message_vi == SERVER_PATH_REFUSED_VI
    assert str(import_folder) not in refused.value.message_vi
