"""First steps of a parcel import: files → layers with decided CRS, Unicode text and canonical columns.

For each layer read (:func:`read_layers`), :func:`load_layer` runs, in order: polygons from CAD line
work (:mod:`cadastre.cad`), the CRS decision (:func:`decide_layer_crs`, rules of
:mod:`cadastre.crs_check`), the TCVN3/VNI → Unicode conversion of text columns (:mod:`parsing.legacy`),
the attribute mapping (:mod:`cadastre.attributes`), and the reprojection to EPSG:9215. Each step returns
its part of the report (:mod:`cadastre.import_report`).
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from cadastre.attributes import CANONICAL_FIELDS, suggest_mapping
from cadastre.cad import polygons_from_cad
from cadastre.crs_check import (
    CrsDecision,
    CrsUndecidedError,
    classify_coordinates,
    decide_declared_crs,
    decide_undeclared_crs,
)
from cadastre.errors import CadastreImportError
from cadastre.import_report import EncodingConversion, FileRead, LayerCrs
from cadastre.readers import RawLayer, ReadError, read_source
from domain.crs import STORE_EPSG
from parsing.legacy import ENCODING_LABELS_VI, convert_text_columns
from parsing.limits import InputLimitError, run_with_time_limit
from parsing.text import fold_vi

#: Attributes of parcels built from CAD labels (:func:`cadastre.cad.parse_label`) → canonical fields.
CAD_MAPPING = {"so_thua": "parcel_number", "loai_dat": "land_use", "dien_tich": "declared_area_m2",
               "chu_su_dung": "owner_name"}
#: Geographic CRS whose coordinates must be degrees (WGS 84, VN-2000 geographic).
_DEGREE_EPSG = (4326, 4756)
#: Formats whose CRS is WGS 84 by specification when the file says nothing (readers' ``crs_note``).
_WGS84_BY_SPEC = ("geojson", "qgis2web", "kml")


@dataclass
class LoadedLayer:
    """One source layer ready to be checked row by row.

    Attributes
    ----------
    frame : GeoDataFrame
        EPSG:9215: the fields of :data:`cadastre.attributes.CANONICAL_FIELDS` (None where unmapped, values
        as in the file), ``_row`` (row label for messages), ``source_file``, ``_sheet_from_name``.
    file, crs, encodings, cad
        Report parts: the layer read, its CRS, the text columns converted, the CAD report (or None).
    mapping, source_columns
        Source column → canonical field used, and the source columns offered to the mapping editor.
    warnings
        Vietnamese sentences (open CAD line work, CRS caveats).
    """

    frame: gpd.GeoDataFrame
    file: FileRead
    crs: LayerCrs
    encodings: list[EncodingConversion]
    mapping: dict[str, str]
    source_columns: list[str]
    cad: dict | None
    warnings: list[str]

    @property
    def key(self) -> str:
        """``"file:layer"``: the key of this layer in the report's ``mapping`` and ``source_columns``."""
        return f"{self.file.file}:{self.file.layer}"


def read_layers(paths, *, display_names=None) -> list[RawLayer]:
    """Read every file (see :func:`cadastre.readers.read_source`), each in a worker process stopped after
    :data:`parsing.limits.DEFAULT_LIMITS` ``parse_seconds`` (a hostile file cannot hold the server).

    Raises
    ------
    CadastreImportError
        If a file cannot be read, is over an input limit or its time limit, or no file has any feature.
    """
    layers: list[RawLayer] = []
    for i, path in enumerate(paths):
        name = display_names[i] if display_names else None
        try:
            layers.extend(run_with_time_limit(read_source, path, display_name=name))
        except (ReadError, InputLimitError) as exc:
            raise CadastreImportError(getattr(exc, "message_vi", str(exc))) from exc
    if not layers:
        raise CadastreImportError("Không có lớp dữ liệu nào có đối tượng trong các tệp đã chọn.")
    return layers


# ------------------------------------------------------------------------------------------ CRS
def decide_layer_crs(raw: RawLayer, *, user_epsg: int | None, default_epsg: int) -> CrsDecision:
    """Decide the CRS of one raw layer: the file's (checked against the coordinates), else the user's or default.

    Raises
    ------
    CrsUndecidedError
        If the CRS cannot be decided without the user (Vietnamese message naming the file).
    """
    bounds = _coordinate_bounds(raw)
    kind = classify_coordinates(bounds)["kind"]
    declared = _declared_crs(raw, kind, user_epsg)
    if declared is None:
        try:
            return decide_undeclared_crs(bounds, user_epsg=user_epsg, default_epsg=default_epsg)
        except CrsUndecidedError as exc:
            raise CrsUndecidedError(f"{raw.file}: {exc}") from exc
    if declared.epsg in _DEGREE_EPSG and kind != "degrees":
        raise CrsUndecidedError(f"{raw.file}: tệp khai báo {declared.name} (độ) nhưng tọa độ là mét; hãy kiểm tra tệp.")
    if user_epsg is not None and user_epsg != declared.epsg:
        return _user_overrides_file(raw, declared, user_epsg)
    return declared


def _coordinate_bounds(raw: RawLayer) -> np.ndarray:
    geoms = raw.gdf.geometry
    bounds = geoms[~geoms.is_empty & geoms.notna()].total_bounds
    if np.isnan(bounds).any():
        raise CrsUndecidedError(f"{raw.file}: lớp {raw.layer} không có tọa độ nào.")
    return bounds


def _declared_crs(raw: RawLayer, kind: str, user_epsg: int | None) -> CrsDecision | None:
    """The CRS the file declares, or None (none, unreadable but the user chose one, or WGS 84 "by spec" in metres)."""
    if not raw.crs_text:
        return None
    try:
        declared = decide_declared_crs(raw.crs_text)
    except CrsUndecidedError as exc:
        if user_epsg is None:
            raise CrsUndecidedError(f"{raw.file}: {exc}") from exc
        return None
    says_wgs84_by_spec = raw.format in _WGS84_BY_SPEC and raw.crs_note.startswith(("GeoJSON không", "theo quy"))
    if says_wgs84_by_spec and kind != "degrees":  # "WGS 84 by spec" but the numbers are metres: the file lies
        return None
    return declared


def _user_overrides_file(raw: RawLayer, declared: CrsDecision, user_epsg: int) -> CrsDecision:
    chosen = CRS.from_epsg(user_epsg)
    warning = (f"{raw.file}: tệp khai báo {declared.name} (EPSG:{declared.epsg}) nhưng đã dùng "
               f"EPSG:{user_epsg} theo lựa chọn của người dùng.")
    return CrsDecision(user_epsg, chosen.name, "user", f"Người dùng chọn {chosen.name} (EPSG:{user_epsg}).",
                       [warning, *declared.warnings])


# ------------------------------------------------------------------------------------ one layer
def load_layer(raw: RawLayer, *, user_epsg: int | None, default_epsg: int, user_mapping: dict,
               saved_mapping: dict) -> LoadedLayer:
    """One source layer → :class:`LoadedLayer` (canonical columns, EPSG:9215) with its report parts.

    Raises
    ------
    CadastreImportError
        CAD line work that cannot be polygonised, or a CRS that needs the user's choice.
    """
    if raw.is_cad:
        gdf, cad, encodings, warnings = _polygons_from_cad(raw)
    else:
        gdf, cad, encodings, warnings = raw.gdf, None, [], []
    decision = _layer_crs(dataclasses.replace(raw, gdf=gdf), user_epsg=user_epsg, default_epsg=default_epsg)
    if not raw.is_cad:  # CAD labels were converted when the polygons were built
        gdf, encodings = _unicode_text(raw.file, gdf)
    mapping = dict(CAD_MAPPING) if raw.is_cad else _attribute_mapping(gdf.columns, saved_mapping, user_mapping)
    file = FileRead(raw.file, raw.layer, raw.format, len(gdf), raw.crs_note, list(raw.notes),
                    cad_elements=cad["elements"] if cad else None, epsg=decision.epsg)
    return LoadedLayer(
        frame=_canonical_frame(raw, gdf, mapping, decision.epsg),
        file=file,
        crs=LayerCrs(raw.file, raw.layer, decision),
        encodings=encodings,
        mapping=mapping,
        source_columns=[c for c in gdf.columns if c != "geometry"],
        cad=cad,
        warnings=[*warnings, *decision.warnings],
    )


def _polygons_from_cad(raw: RawLayer) -> tuple[gpd.GeoDataFrame, dict, list[EncodingConversion], list[str]]:
    """Parcels built from CAD line work and labels, the CAD report, its label encoding and open line work."""
    try:
        gdf, cad = polygons_from_cad(raw.gdf)
    except ValueError as exc:
        raise CadastreImportError(f"{raw.file}: {exc}") from exc
    cad["file"] = raw.file
    encodings = [EncodingConversion(raw.file, "Text (nhãn CAD)", enc["encoding"], ENCODING_LABELS_VI[enc["encoding"]],
                                    enc["samples"])
                 for enc in cad.get("text_encoding", []) if enc["encoding"] != "unicode"]
    warnings = [f"{raw.file}: nhãn {item['text']!r} tại X={item['x_northing']} Y={item['y_easting']} "
                "không nằm trong vùng nào dựng được (ranh thửa hở?)." for item in cad["labels_outside"]]
    if cad["dangles"]["count"]:
        warnings.append(f"{raw.file}: {cad['dangles']['count']} đoạn ranh hở (tổng "
                        f"{cad['dangles']['length_m']} m) không khép thành thửa.")
    return gdf, cad, encodings, warnings


def layer_in_store_crs(raw: RawLayer, *, user_epsg: int | None, default_epsg: int,
                       report: dict) -> gpd.GeoDataFrame:
    """``raw``'s features (attributes and geometry) in the store CRS (EPSG:9215), the CRS decided by
    :func:`decide_layer_crs`; the decision is appended to ``report["crs"]`` (file, layer, EPSG, source,
    reason) and its Vietnamese warnings to ``report["warnings"]``.

    Raises
    ------
    CadastreImportError
        If the CRS cannot be decided without the user (message naming the file).
    """
    decision = _layer_crs(raw, user_epsg=user_epsg, default_epsg=default_epsg)
    report["crs"].append({"file": raw.file, "layer": raw.layer, **decision.to_dict()})
    report["warnings"].extend(decision.warnings)
    gdf = raw.gdf.set_crs(decision.epsg, allow_override=True)
    return gdf.to_crs(STORE_EPSG) if decision.epsg != STORE_EPSG else gdf


def _layer_crs(raw: RawLayer, *, user_epsg: int | None, default_epsg: int) -> CrsDecision:
    try:
        return decide_layer_crs(raw, user_epsg=user_epsg, default_epsg=default_epsg)
    except CrsUndecidedError as exc:
        raise CadastreImportError(str(exc)) from exc


def _unicode_text(file: str, gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[EncodingConversion]]:
    """Text columns converted from TCVN3/VNI (decided per column), with before/after samples."""
    gdf, decisions = convert_text_columns(gdf)
    return gdf, [EncodingConversion(file, d.column, d.encoding, ENCODING_LABELS_VI[d.encoding],
                                    [{"before": b, "after": a} for b, a in d.samples])
                 for d in decisions if d.encoding != "unicode"]


def _attribute_mapping(columns, saved_mapping: dict, user_mapping: dict) -> dict[str, str]:
    """Source column → canonical field: the user's corrections win over saved mappings and aliases."""
    suggested = suggest_mapping(columns, saved_mapping)
    user = {c: t for c, t in user_mapping.items() if c in columns}
    mapping = {c: t for c, t in suggested.items() if c not in user and t not in user.values()}
    mapping.update({c: t for c, t in user.items() if t})  # "" = the user said "ignore this column"
    return mapping


def _canonical_frame(raw: RawLayer, gdf: gpd.GeoDataFrame, mapping: dict[str, str], epsg: int) -> gpd.GeoDataFrame:
    canon = pd.DataFrame(index=gdf.index)
    for source, target in mapping.items():
        canon[target] = gdf[source].values
    for target in CANONICAL_FIELDS:
        if target not in canon:
            canon[target] = None
    canon["_row"] = _row_labels(raw, gdf)
    canon["source_file"] = raw.file
    canon["_sheet_from_name"] = sheet_from_name(raw.layer) or sheet_from_name(Path(raw.file.split(":")[-1]).stem)
    layer = gpd.GeoDataFrame(canon, geometry=gdf.geometry.values, crs=epsg)
    return layer if epsg == STORE_EPSG else layer.to_crs(STORE_EPSG)


def _row_labels(raw: RawLayer, gdf: gpd.GeoDataFrame) -> list[str]:
    """How messages name a row: its line in the file, or for CAD the polygon built and where it lies."""
    if raw.is_cad:
        centres = gdf.geometry.representative_point()
        return [f"{raw.file} vùng dựng số {i + 1} (X={p.y:.2f}, Y={p.x:.2f})" for i, p in enumerate(centres)]
    return [f"{raw.file} dòng {i + 1}" for i in range(len(gdf))]


def sheet_from_name(name: str) -> int | None:
    """Map-sheet number written in a file or layer name (``"to12"``, ``"Tờ 12"``, ``"sheet_012"``), or None."""
    m = re.search(r"(?:to|t|sheet|tobando)[ _-]*0*(\d{1,4})", fold_vi(name).replace(" ", ""))
    return int(m.group(1)) if m else None
