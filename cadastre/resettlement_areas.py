"""Resettlement areas (khu tái định cư) from a map file: GeoJSON, GeoPackage, zipped shapefile, KML.

:func:`read_area_file` reads the file with the cadastral readers (:func:`cadastre.source_layers.read_layers`:
a worker process stopped at the input time limit, zip and JSON limits of :mod:`parsing.limits`), decides each
layer's CRS by the cadastral rules (:func:`cadastre.source_layers.decide_layer_crs`: the file's CRS checked
against the coordinates, else ``--crs``, else the project's province zone) and reprojects the features to
EPSG:9215. It returns the raw rows of the ``areas`` register: the attribute columns as the file names them
(short shapefile names such as ``ma_khu``, ``tien_do`` renamed to the register codes) and ``geometry_wkt``,
the feature's geometry as WKT in EPSG:9215. The rows are checked by :mod:`ingest.area_rows` and
:mod:`ingest.register_rows` like a CSV's; ``ingest.register_import.import_register(read_geo=read_area_file)``.
"""
from __future__ import annotations

import tempfile
from pathlib import Path, PurePath

import pandas as pd
import shapely

from cadastre.source_layers import layer_in_store_crs, read_layers
from gis.crs import LANG_SON_EPSG
from parsing.text import fold_key

#: Short attribute names (shapefile fields have at most 10 characters, folded) → register column.
AREA_FIELD_ALIASES: dict[str, str] = {
    "makhu": "area_id", "areaid": "area_id", "duan": "project_id", "project": "project_id",
    "projectid": "project_id", "tenkhu": "name", "ten": "name", "name": "name", "kehoach": "planned_completion_date",
    "planned": "planned_completion_date", "ngaykh": "planned_completion_date", "thucte": "actual_completion_date",
    "actual": "actual_completion_date", "ngaytt": "actual_completion_date", "tiendo": "construction_percent",
    "percent": "construction_percent", "pct": "construction_percent",
}


def _renamed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={c: AREA_FIELD_ALIASES.get(fold_key(c), c) for c in frame.columns})


def read_area_file(data: bytes, file_name: str, *, user_epsg: int | None = None,
                   default_epsg: int = LANG_SON_EPSG) -> tuple[pd.DataFrame, dict]:
    """The features of a map file as raw ``areas`` rows (module docstring).

    Parameters
    ----------
    data : bytes
        The file (a ``.zip`` may hold a shapefile with its ``.shx``/``.dbf``/``.prj``).
    file_name : str
        Its name: the suffix picks the reader, messages name it.
    user_epsg : int, optional
        ``--crs`` for a file that declares none.
    default_epsg : int
        The project's province zone (VN-2000 TM-3), used when neither the file nor the user gives a CRS.

    Returns
    -------
    (DataFrame, dict)
        Rows indexed by feature number (1, 2, … over the layers in file order) with the file's attribute
        columns and ``geometry_wkt`` (EPSG:9215; None for a feature without geometry); and a report:
        ``crs`` (per layer: file, layer, EPSG, source, reason) and ``warnings`` (Vietnamese).

    Raises
    ------
    CadastreImportError
        Unreadable file, over an input limit or the time limit, no feature, or a CRS that needs ``--crs``.
    """
    report: dict = {"crs": [], "warnings": []}
    frames = []
    with tempfile.TemporaryDirectory(prefix="gpmb_areas_") as tmp:
        path = Path(tmp) / ("khu" + PurePath(file_name).suffix.lower())
        path.write_bytes(data)
        layers = read_layers([path], display_names=[PurePath(file_name).name])
    for raw in layers:
        gdf = layer_in_store_crs(raw, user_epsg=user_epsg, default_epsg=default_epsg, report=report)
        table = _renamed(pd.DataFrame(gdf.drop(columns="geometry")))
        table["geometry_wkt"] = [None if g is None else shapely.to_wkt(g, rounding_precision=3)
                                 for g in gdf.geometry.values]
        frames.append(table)
    out = pd.concat(frames, ignore_index=True)
    out.index = pd.RangeIndex(1, len(out) + 1, name="row")
    return out, report
