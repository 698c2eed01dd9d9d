"""Fixtures for the cadastre tests: the generated files (make_fixtures.py) and a real store.

The store is the project's real GeoPackage store (``store.open_store``) on a temporary file, seeded
from a tiny sources folder written here: project ``TEST_QL4B`` (road, Lạng Sơn) whose clearance
boundary is ``make_fixtures.BOUNDARY``, its centreline, and one parcel of another project that an
import must keep.
"""
from __future__ import annotations

import importlib.util
import shutil
import sys
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, MultiPolygon, box

from tests.support.actors import office_admin
from tests.support.postgis import postgis_database
from tests.support.stores import copy_store_file, seed_store_file

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _load_make_fixtures():
    spec = importlib.util.spec_from_file_location("cadastre_make_fixtures", HERE / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["cadastre_make_fixtures"] = module
    spec.loader.exec_module(module)
    return module


mf = _load_make_fixtures()


@pytest.fixture(scope="session")
def make_fixtures():
    """The fixture-builder module (truth(), BOUNDARY, EXPECTED_INSIDE …)."""
    return mf


@pytest.fixture(scope="session")
def fixture_files(tmp_path_factory) -> dict:
    """{name: path} of every generated test file (built once per session)."""
    return mf.build_all(tmp_path_factory.mktemp("cadastre_files"))


def write_sources(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    projects = gpd.GeoDataFrame(
        {"project_id": [mf.PROJECT_ID, "OTHER"], "name": ["Dự án thử QL4B", "Dự án khác"],
         "short_name": ["QL4B thử", "Khác"], "kind": ["road", "area"], "province": ["Lạng Sơn", "Lạng Sơn"],
         "start_date": [date(2023, 1, 1), date(2023, 1, 1)], "section_from_m": [0.0, float("nan")],
         "section_to_m": [1000.0, float("nan")], "geometry_status": ["surveyed", "approximate"],
         "geometry_note": ["thử", "thử"]},
        geometry=[MultiPolygon([mf.BOUNDARY]), MultiPolygon([box(mf.E0 + 5000, mf.N0, mf.E0 + 5100, mf.N0 + 100)])],
        crs=9215)
    projects.to_file(folder / "projects.gpkg", layer="projects", driver="GPKG")
    gpd.GeoDataFrame({"project_id": [mf.PROJECT_ID], "chainage_start_m": [3700.0], "geometry_status": ["surveyed"],
                      "geometry_note": ["thử"]},
                     geometry=[LineString([(mf.E0 + 40, mf.N0 - 100), (mf.E0 + 40, mf.N0 + 200)])], crs=9215,
                     ).to_file(folder / "projects.gpkg", layer="centrelines", driver="GPKG")
    gpd.GeoDataFrame(
        [dict(parcel_id="OTHER/06226/1/1", project_id="OTHER", commune_code="06187", commune="Phường Kỳ Lừa",
              commune_former="Xã Hợp Thành", map_sheet=1, parcel_number=1, land_use="LUC", owner_name="A",
              household_id="H1", parcel_area_m2=100.0, area_to_recover_m2=100.0, chainage_m=float("nan"),
              illustrative=False)],
        geometry=[box(mf.E0 + 5000, mf.N0, mf.E0 + 5010, mf.N0 + 10)], crs=9215,
    ).to_file(folder / "parcels.gpkg", layer="parcels", driver="GPKG")
    communes_src = ROOT / "data" / "sources" / "communes.geojson"
    if communes_src.exists():
        shutil.copy(communes_src, folder / "communes.geojson")
    else:  # pragma: no cover - the bundled file is part of the repo
        gpd.GeoDataFrame({"name": ["Kỳ Lừa"], "full_name": ["Phường Kỳ Lừa"], "code": ["06187"],
                          "former_units": ["Xã Hợp Thành"]},
                         geometry=[box(106.70, 21.80, 106.85, 21.95)], crs=4326).to_file(folder / "communes.geojson")
    gpd.GeoDataFrame({"name": ["QL4B"], "kind": ["road"]}, geometry=[LineString([(106.75, 21.84), (106.80, 21.82)])],
                     crs=4326).to_file(folder / "roads.geojson", driver="GeoJSON")
    pd.DataFrame([("parcel", "OTHER", "OTHER/06226/1/1", "notice", "2023-02-01", None, 1, None, False, "")],
                 columns=["kind", "project_id", "parcel_id", "event", "event_date", "area_m2", "households",
                          "amount_vnd", "is_correction", "note"]).to_csv(folder / "events.csv", index=False,
                                                                          encoding="utf-8-sig")
    (folder / "milestones.csv").write_text(
        "milestone_id,project_id,due_date,metric,target_percent,scope,label\n"
        f"M1,{mf.PROJECT_ID},31/12/2024,percent_area_handed_over,100,project,Thử\n", encoding="utf-8-sig")
    (folder / "rules.yaml").write_text("stage_limits_days:\n  notice: 90\nforecast_window_days: 60\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def seeded_store_file(tmp_path_factory):
    """A store file seeded once per session (seeding takes seconds); each test works on a copy."""
    return seed_store_file(tmp_path_factory.mktemp("cadastre_store"), write_sources)


@pytest.fixture
def store(tmp_path, monkeypatch, seeded_store_file):
    """A real GeoPackage store (``store.open_store``) on a per-test copy of the seeded file."""
    from tests.support.stores import demo_store

    template, sources = seeded_store_file
    url = copy_store_file(template, tmp_path)
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources))
    monkeypatch.setenv("DATABASE_URL", url)
    the_store = demo_store(url, sources_dir=sources)
    office_admin(the_store)  # the account ``quan_tri`` the tests and the CLI's ``--as`` act as
    yield the_store
    the_store.close()


@pytest.fixture
def actor(request):
    """The acting administrator (maker–checker off) of the test's store (``store``, ``postgis_store`` or
    ``any_store``): :func:`tests.support.actors.office_admin`."""
    name = next(n for n in ("any_store", "postgis_store", "store") if n in request.fixturenames)
    return office_admin(request.getfixturevalue(name))


@pytest.fixture(autouse=True)
def _mapping_file(tmp_path, monkeypatch):
    """Never read or write the user's real saved mapping in tests."""
    monkeypatch.setenv("GPMB_ATTRIBUTE_MAPPING", str(tmp_path / "attribute_mapping.yaml"))


@pytest.fixture
def postgis_store(tmp_path, monkeypatch):
    """The real store on a PostGIS database created for this test (``cadastre_<random>``), dropped afterwards.

    Skipped when the server given by ``$GPMB_TEST_PG_ADMIN_URL`` cannot be reached (failed under
    ``$GPMB_REQUIRE_POSTGIS``); see :mod:`tests.support.postgis`.
    """
    from tests.support.stores import demo_store

    with postgis_database("cadastre") as url:
        sources = write_sources(tmp_path / "pg_sources")
        monkeypatch.setenv("GPMB_SOURCES_DIR", str(sources))
        the_store = demo_store(url, sources_dir=sources)
        office_admin(the_store)
        try:
            yield the_store
        finally:
            the_store.close()


@pytest.fixture(params=["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def any_store(request):
    """The cadastre test store on the GeoPackage backend and on PostGIS (same seed)."""
    return request.getfixturevalue("store" if request.param == "gpkg" else "postgis_store")
