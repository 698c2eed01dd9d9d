"""Fixtures of the bundled-data tests: the committed files of ``data/sources/``, loaded once."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    return SOURCES


@pytest.fixture(scope="session")
def projects() -> gpd.GeoDataFrame:
    return gpd.read_file(SOURCES / "projects.gpkg", layer="projects")


@pytest.fixture(scope="session")
def centrelines() -> gpd.GeoDataFrame:
    return gpd.read_file(SOURCES / "projects.gpkg", layer="centrelines")


@pytest.fixture(scope="session")
def parcels() -> gpd.GeoDataFrame:
    return gpd.read_file(SOURCES / "parcels.gpkg", layer="parcels")


@pytest.fixture(scope="session")
def communes() -> gpd.GeoDataFrame:
    return gpd.read_file(SOURCES / "communes.geojson")


@pytest.fixture(scope="session")
def events() -> pd.DataFrame:
    frame = pd.read_csv(SOURCES / "events.csv", encoding="utf-8-sig", dtype={"parcel_id": str, "note": str})
    frame["event_date"] = pd.to_datetime(frame["event_date"], format="%Y-%m-%d")
    return frame


@pytest.fixture(scope="session")
def milestones() -> pd.DataFrame:
    return pd.read_csv(SOURCES / "milestones.csv", encoding="utf-8-sig", dtype=str)
