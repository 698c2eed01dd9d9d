"""Vector layer I/O: read GeoJSON / GeoPackage / Shapefile into EPSG:9215, write GeoPackage layers.

Layers are stored with their EPSG code (never a custom PROJ string): a Shapefile or GeoPackage whose
CRS is a PROJ string loses the VN-2000 datum shift (points come back ~225 m off, shared/crs/VN2000.md).
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio

from gis.crs import LANG_SON_CRS, LANG_SON_EPSG, to_metric

#: File suffixes read by :func:`read_layer`.
SUPPORTED_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")


def list_layers(path: str | Path) -> list[str]:
    """Names of the layers in a vector file (a GeoPackage can hold several; GeoJSON/SHP hold one)."""
    return [str(name) for name, _geometry_type in pyogrio.list_layers(str(path))]


def read_layer(path: str | Path, layer: str | None = None, *, assume_crs=None) -> gpd.GeoDataFrame:
    """Read a vector layer and return it in EPSG:9215.

    Parameters
    ----------
    path : str or Path
        GeoJSON (EPSG:4326 by RFC 7946), GeoPackage or Shapefile (with its ``.prj``).
    layer : str, optional
        Layer name inside a multi-layer file (GeoPackage); the first layer when omitted.
    assume_crs : optional
        CRS to assign when the file has none (e.g. a Shapefile without ``.prj`` whose zone the user
        named). Never used to override a CRS the file declares.

    Returns
    -------
    GeoDataFrame
        All attribute columns as read, geometry in EPSG:9215 (metres).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the suffix is not supported, or the file has no CRS and ``assume_crs`` is not given
        (Vietnamese message: the CRS is never guessed).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"Không tìm thấy tệp {path}")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise ValueError(f"Tệp {path.name}: định dạng {path.suffix!r} chưa hỗ trợ; cần một trong "
                         f"{', '.join(SUPPORTED_SUFFIXES)}.")
    gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    if gdf.crs is None:
        if assume_crs is None:
            raise ValueError(f"Tệp {path.name} không có thông tin hệ tọa độ (.prj); hãy chỉ rõ hệ tọa độ "
                             f"(ví dụ EPSG:{LANG_SON_EPSG} cho VN-2000 TM-3 Lạng Sơn).")
        gdf = gdf.set_crs(assume_crs)
    return to_metric(gdf)


def write_gpkg(gdf: gpd.GeoDataFrame, path: str | Path, layer: str, *, mode: str = "w") -> Path:
    """Write a layer into a GeoPackage, in EPSG:9215, with the CRS recorded by its EPSG code.

    Parameters
    ----------
    gdf : GeoDataFrame
        Layer with a CRS; reprojected to EPSG:9215 if needed.
    path : str or Path
        ``.gpkg`` file; created if missing. Other layers of an existing file are kept.
    layer : str
        Layer name; an existing layer of that name is replaced.
    mode : {"w", "a"}, default "w"
        ``"w"`` replaces the layer, ``"a"`` appends rows to it.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValueError
        If the layer has no CRS.
    """
    path = Path(path)
    metric = to_metric(gdf).set_crs(LANG_SON_CRS, allow_override=True)
    metric.to_file(path, layer=layer, driver="GPKG", engine="pyogrio", mode=mode)
    return path
