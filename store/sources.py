"""Loaders for the bundled sources in ``data/sources/`` that fill an empty store.

Each loader reads one file and returns it in the store's shape: layers as GeoDataFrames in
EPSG:9215 (GeoJSON files are EPSG:4326 and are reprojected), tables as DataFrames. They only read
and reshape; validation of field counts belongs to ``ingest/`` and the store checks what it commits.

Files (written by ``data/build_demo_data.py``; see ``data/SOURCES.md``):

============================  =================================================================
``projects.gpkg``             layers ``projects`` (clearance boundaries) and ``centrelines``
``parcels.gpkg``              layer ``parcels``
``communes.geojson``          2025 communes (``name``, ``full_name``, ``code``, ``former_units``)
``roads.geojson``             roads and railway (context layer)
``events.csv``                seed field-count history (UTF-8 with BOM, ISO dates)
``milestones.csv``            milestones (UTF-8 with BOM, ``due_date`` dd/mm/yyyy, kept as text)
``rules.yaml``                stage-duration limits and forecast window
============================  =================================================================
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import yaml

from domain.crs import STORE_EPSG
from domain.tables import EVENT_ROW_COLUMNS
from store.errors import SourceFileMissingError

#: Default folder of the bundled sources.
DEFAULT_SOURCES_DIR = Path(__file__).resolve().parent.parent / "data" / "sources"

#: Columns of the events ledger that a seed/upload row may carry (``event_id``/``upload_id`` are assigned).
EVENT_COLUMNS = EVENT_ROW_COLUMNS


def _path(sources_dir: Path | str, name: str) -> Path:
    path = Path(sources_dir) / name
    if not path.is_file():
        raise SourceFileMissingError(f"Thiếu tệp nguồn dữ liệu: {path} (cần để khởi tạo kho dữ liệu).")
    return path


def _to_store_crs(gdf: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise ValueError(f"Tệp {path.name} không có hệ tọa độ; cần EPSG:{STORE_EPSG} hoặc EPSG:4326.")
    if gdf.crs.to_epsg() != STORE_EPSG:
        gdf = gdf.to_crs(STORE_EPSG)
    if gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")
    return gdf


def read_layer(sources_dir: Path | str, file_name: str, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read one vector layer from ``sources_dir/file_name`` into EPSG:9215.

    Raises
    ------
    FileNotFoundError
        If the file is missing.
    ValueError
        If the layer has no CRS.
    """
    path = _path(sources_dir, file_name)
    gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    return _to_store_crs(gdf, path)


def load_projects(sources_dir=DEFAULT_SOURCES_DIR) -> gpd.GeoDataFrame:
    """Projects with their clearance boundary (``projects.gpkg`` layer ``projects``), EPSG:9215."""
    return read_layer(sources_dir, "projects.gpkg", "projects")


def load_centrelines(sources_dir=DEFAULT_SOURCES_DIR) -> gpd.GeoDataFrame:
    """Route centrelines oriented in increasing chainage (``projects.gpkg`` layer ``centrelines``), EPSG:9215."""
    return read_layer(sources_dir, "projects.gpkg", "centrelines")


def load_parcels(sources_dir=DEFAULT_SOURCES_DIR) -> gpd.GeoDataFrame:
    """Parcels (``parcels.gpkg`` layer ``parcels``), EPSG:9215, columns as DATA_MODEL.md."""
    return read_layer(sources_dir, "parcels.gpkg", "parcels")


def load_communes(sources_dir=DEFAULT_SOURCES_DIR) -> gpd.GeoDataFrame:
    """2025 communes/wards (``communes.geojson``, EPSG:4326 on disk), reprojected to EPSG:9215."""
    return read_layer(sources_dir, "communes.geojson")


def load_roads(sources_dir=DEFAULT_SOURCES_DIR) -> gpd.GeoDataFrame:
    """Roads and railway context layer (``roads.geojson``, EPSG:4326 on disk), reprojected to EPSG:9215."""
    return read_layer(sources_dir, "roads.geojson")


def load_seed_events(sources_dir=DEFAULT_SOURCES_DIR) -> pd.DataFrame:
    """Seed field-count history (``events.csv``, UTF-8 with BOM, ISO dates) as ledger rows.

    Returns
    -------
    DataFrame
        The columns of :data:`EVENT_COLUMNS` present in the file (missing optional ones are added
        empty); ``event_date`` as ``datetime.date``; ``is_correction`` as bool.
    """
    path = _path(sources_dir, "events.csv")
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype={"parcel_id": str, "project_id": str, "note": str,
                                                          "commune": str, "kind": str, "event": str})
    frame["event_date"] = pd.to_datetime(frame["event_date"], format="ISO8601").dt.date
    if "is_correction" in frame:
        frame["is_correction"] = frame["is_correction"].map(
            lambda v: str(v).strip().lower() in {"true", "1", "yes", "x", "có"})
    for col in EVENT_COLUMNS:
        if col not in frame:
            frame[col] = False if col == "is_correction" else None
    if "kind" in frame:
        frame["kind"] = frame["kind"].fillna("parcel")
    return frame[list(EVENT_COLUMNS)]


def load_milestones(sources_dir=DEFAULT_SOURCES_DIR) -> pd.DataFrame:
    """Milestones as the clerk wrote them (``milestones.csv``, UTF-8 with BOM).

    ``due_date`` stays text (dd/mm/yyyy) exactly as in the file; ``target_percent`` is numeric.
    """
    path = _path(sources_dir, "milestones.csv")
    return pd.read_csv(path, encoding="utf-8-sig",
                       dtype={"milestone_id": str, "project_id": str, "due_date": str, "metric": str,
                              "scope": str, "label": str})


def load_rules_text(sources_dir=DEFAULT_SOURCES_DIR) -> str:
    """Text of ``rules.yaml`` (checked to parse as a YAML mapping).

    Raises
    ------
    ValueError
        If the YAML does not parse to a mapping.
    """
    path = _path(sources_dir, "rules.yaml")
    text = path.read_text(encoding="utf-8-sig")
    parsed = yaml.safe_load(text)
    if not isinstance(parsed, dict):
        raise ValueError(f"Tệp {path.name} phải là một bảng khóa: giá trị (YAML mapping).")
    return text


def file_sha256(path: Path | str) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
