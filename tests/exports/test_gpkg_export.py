"""``cli.py export --format gpkg --as-of DATE``: a standalone GeoPackage of the parcels and their status at
that date (bundled data), valid for GDAL's validator, with aliases and style, without personal data
unless an account allowed to export it asks."""
from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pyogrio
import pytest

import cli
from domain.stages import STAGES
from domain.tables import PARCEL_STATUS_COLUMNS
from exports.personal import PERSONAL_DATA_FILE_SUFFIX
from vocab.headers import STATUS_LAYER_HEADERS_VI

PAST = date(2023, 6, 30)
SYSTEM_PYTHON = "/usr/bin/python3"   # Debian python3-gdal: osgeo_utils.samples.validate_gpkg


@pytest.fixture
def store_copy(real, real_db_url, real_sources, tmp_path, monkeypatch):
    path = tmp_path / "gpmb.gpkg"
    shutil.copy(real_db_url.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(real_sources))
    return url


@pytest.fixture
def exported(store_copy, tmp_path):
    out = tmp_path / "tien-do.gpkg"
    assert cli.main(["export", "--as-of", PAST.isoformat(), "--format", "gpkg", "--out", str(out)]) == 0
    return out


def test_export_holds_that_dates_stages(exported, store_copy):
    from milestones.snapshot import compute_snapshot
    from store import open_store

    layer = pyogrio.read_dataframe(exported, layer="parcel_status")
    assert list(layer.columns) == [*PARCEL_STATUS_COLUMNS, "geometry"] and "owner_name" not in layer.columns
    assert layer.crs.to_epsg() == 9215 and set(layer.geometry.geom_type) == {"MultiPolygon"}
    store = open_store(store_copy)
    then, later = compute_snapshot(store, PAST), compute_snapshot(store, date(2024, 6, 30))
    got = dict(zip(layer["parcel_id"], layer["stage"]))
    assert got == dict(zip(then.parcels["parcel_id"], then.parcels["stage"]))
    assert got != dict(zip(later.parcels["parcel_id"], later.parcels["stage"]))  # the date matters
    assert set(layer["as_of"].dt.date) == {PAST}
    assert len(pyogrio.read_dataframe(exported, layer="projects")) == len(store.projects())


def test_export_passes_gdal_validator_and_has_aliases_and_style(exported):
    result = subprocess.run([SYSTEM_PYTHON, "-m", "osgeo_utils.samples.validate_gpkg", str(exported)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    aliases = pyogrio.read_dataframe(exported, sql="SELECT column_name, name FROM gpkg_data_columns "
                                                  "WHERE table_name = 'parcel_status'")
    assert dict(zip(aliases["column_name"], aliases["name"])) == STATUS_LAYER_HEADERS_VI
    styles = pyogrio.read_dataframe(exported, sql="SELECT styleQML, useAsDefault FROM layer_styles "
                                                 "WHERE f_table_name = 'parcel_status'")
    assert len(styles) == 1 and bool(styles["useAsDefault"][0])
    root = ET.fromstring(styles["styleQML"][0].split("\n", 1)[1])
    assert [c.get("value") for c in root.iter("category")] == list(STAGES)
    layer = pyogrio.read_dataframe(exported, layer="parcel_status")
    x0, y0, x1, y1 = layer.geometry.iloc[0].bounds
    boxed = pyogrio.read_dataframe(exported, layer="parcel_status", bbox=(x0, y0, x1, y1))
    assert layer["parcel_id"].iloc[0] in set(boxed["parcel_id"]) and len(boxed) < len(layer)
    assert pyogrio.read_info(exported, layer="parcel_status")["capabilities"]["fast_spatial_filter"]   # R-tree


def test_personal_data_only_through_export_as(store_copy, real_sources, tmp_path, capsys):
    from tests.support.login import add_account

    add_account(store_copy, "quan_tri", "admin", sources_dir=real_sources)
    add_account(store_copy, "can_bo", "officer", sources_dir=real_sources)
    add_account(store_copy, "lanh_dao", "viewer", sources_dir=real_sources)
    out = tmp_path / "out"
    base = ["export", "--as-of", PAST.isoformat(), "--format", "gpkg", "--include-personal-data", "--out", f"{out}/"]
    assert cli.main([*base, "--as", "lanh_dao"]) != 0
    assert not list(out.glob("*.gpkg"))
    assert cli.main([*base, "--as", "can_bo"]) == 0
    [written] = list(out.glob("*.gpkg"))
    assert written.stem.endswith(PERSONAL_DATA_FILE_SUFFIX)
    layer = pyogrio.read_dataframe(written, layer="parcel_status", read_geometry=False)
    assert layer["owner_name"].notna().any()
    assert "CÓ DỮ LIỆU CÁ NHÂN" in pyogrio.read_info(written, layer="parcel_status")["layer_metadata"]["DESCRIPTION"]
    assert Path(written).stat().st_size > 0
