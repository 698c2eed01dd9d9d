"""Parcels from CAD drawings (MicroStation DGN V7, DXF): line work → polygons, text elements → labels.

Cadastral sheets from Famis/gCadas hold parcel boundaries as line strings and each parcel's label
as text elements inside it (parcel number, land-use code, area; sometimes the owner), often in
TCVN3. This module nodes the line work, builds polygons with ``shapely.polygonize_full``, and
attaches the text found inside each polygon. Everything that could not be built is returned for the
report: dangling lines, polygons without a label, labels outside every polygon, polygons with two
parcel numbers.
"""
from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from parsing.legacy import convert_text_columns

_LAND_USE_RE = re.compile(r"^[A-Z]{2,4}(?:[+,][A-Z]{2,4})*$")
_INT_RE = re.compile(r"^0*\d{1,6}$")
_AREA_RE = re.compile(r"^\d{1,3}(?:[.\s]\d{3})*(?:,\d+)?$|^\d+(?:[.,]\d+)$")


def _text_column(gdf: gpd.GeoDataFrame) -> str | None:
    for name in ("Text", "TEXT", "text", "RefName"):
        if name in gdf.columns:
            return name
    return None


def parse_label(texts: list[str]) -> dict:
    """Read a parcel's label from the text elements found inside it.

    Parameters
    ----------
    texts : list of str
        Unicode text of the elements, in drawing order. One element may hold several tokens
        (``"12 LUC"``, ``"12/345,6"``, ``"12\\n345.6\\nLUC"``).

    Returns
    -------
    dict
        ``parcel_number`` (first whole-number token, str, or None), ``parcel_numbers`` (all of them),
        ``land_use`` (codes such as ``LUC`` or ``ODT+BHK``), ``declared_area`` (str as written, the
        first decimal token), ``owner_name`` (remaining words with letters, joined), ``texts``.
    """
    numbers, areas, codes, words = [], [], [], []
    for text in texts:
        for token in re.split(r"[\n\r/;|]+|\s{2,}", str(text)):
            token = token.strip()
            if not token:
                continue
            parts = token.split()
            if all(_INT_RE.match(p) for p in parts):
                numbers.extend(parts)
            elif _AREA_RE.match(token):
                areas.append(token)
            elif all(_LAND_USE_RE.match(p) for p in parts):
                codes.extend(parts)
            elif len(parts) > 1 and _INT_RE.match(parts[0]) and all(_LAND_USE_RE.match(p) or _AREA_RE.match(p) for p in parts[1:]):
                numbers.append(parts[0])
                for p in parts[1:]:
                    (codes if _LAND_USE_RE.match(p) else areas).append(p)
            else:
                words.append(token)
    return {
        "parcel_number": numbers[0] if numbers else None,
        "parcel_numbers": numbers,
        "land_use": "+".join(codes) if codes else None,
        "declared_area": areas[0] if areas else None,
        "owner_name": " ".join(words) if words else None,
        "texts": list(texts),
    }


def polygons_from_cad(raw: gpd.GeoDataFrame, *, min_area_m2: float = 0.01) -> tuple[gpd.GeoDataFrame, dict]:
    """Build labelled parcel polygons from CAD elements.

    Parameters
    ----------
    raw : GeoDataFrame
        Elements as GDAL reads a DGN/DXF: lines (LineString/MultiLineString), closed shapes
        (Polygon) and text points with a ``Text`` column (legacy bytes as Latin-1 characters are
        fine: the column's encoding is detected and converted first). Coordinates in metres.
    min_area_m2 : float
        Rings smaller than this (drawing noise) are dropped and counted.

    Returns
    -------
    (GeoDataFrame, dict)
        Polygons with columns ``so_thua`` (str), ``loai_dat``, ``dien_tich`` (declared, as written),
        ``chu_su_dung``, ``label_text``; CRS as ``raw``. The dict reports: ``elements``,
        ``lines``, ``texts``, ``polygons_built``, ``polygons_without_label`` (list of centre x/y),
        ``labels_outside`` (text, x, y), ``polygons_with_several_numbers``, ``dangles`` (count and total
        length m), ``cut_edges``, ``invalid_rings``, ``tiny_rings``, ``text_encoding``.

    Raises
    ------
    ValueError
        If the drawing holds no line work at all.
    """
    report: dict = {"elements": len(raw)}
    geoms = raw.geometry.values
    types = shapely.get_type_id(geoms)
    text_col = _text_column(raw)
    is_point = types == 0
    texts = raw[is_point].copy()
    if text_col:
        texts = texts[texts[text_col].fillna("").astype(str).str.strip() != ""]
        converted, decisions = convert_text_columns(pd.DataFrame({"text": texts[text_col].astype(str).tolist()}))
        texts = texts.assign(_text=converted["text"].tolist())
        report["text_encoding"] = [
            {"column": "Text", "encoding": d.encoding, "samples": [{"before": b, "after": a} for b, a in d.samples]}
            for d in decisions
        ]
    else:
        texts = texts.iloc[0:0].assign(_text=[])
        report["text_encoding"] = []
    linework = [g for g, t in zip(geoms, types) if t in (1, 2, 5)]
    polys = [g for g, t in zip(geoms, types) if t in (3, 6)]
    linework += [shapely.boundary(p) for p in polys]
    report["lines"] = len(linework)
    report["texts"] = len(texts)
    if not linework:
        raise ValueError("Bản vẽ không có đường ranh giới thửa (line/shape) nào để dựng thửa.")
    noded = shapely.union_all(shapely.force_2d(np.asarray(linework, dtype=object)))
    built, cuts, dangles, invalid = shapely.polygonize_full([noded])
    polygons = [p for p in shapely.get_parts(built) if not p.is_empty]
    tiny = [p for p in polygons if p.area < min_area_m2]
    polygons = [p for p in polygons if p.area >= min_area_m2]
    dangle_parts = shapely.get_parts(dangles)
    report.update(
        polygons_built=len(polygons),
        tiny_rings=len(tiny),
        dangles={"count": len(dangle_parts), "length_m": round(float(shapely.length(dangle_parts).sum()), 2)},
        cut_edges=len(shapely.get_parts(cuts)),
        invalid_rings=len(shapely.get_parts(invalid)),
    )
    poly_gdf = gpd.GeoDataFrame(geometry=polygons, crs=raw.crs)
    label_points = gpd.GeoDataFrame({"text": texts["_text"].tolist()}, geometry=list(texts.geometry.values), crs=raw.crs)
    hits = gpd.sjoin(label_points, poly_gdf, how="left", predicate="within") if len(label_points) else label_points.assign(index_right=[])
    outside = hits[hits["index_right"].isna()]
    report["labels_outside"] = [
        {"text": t, "x_northing": round(g.y, 3), "y_easting": round(g.x, 3)} for t, g in zip(outside["text"], outside.geometry)
    ]
    inside = hits.dropna(subset=["index_right"])
    by_polygon: dict[int, list[str]] = {}
    for idx, text in zip(inside["index_right"].astype(int), inside["text"]):
        by_polygon.setdefault(idx, []).append(text)
    rows, unlabelled, several = [], [], []
    for i, poly in enumerate(polygons):
        label = parse_label(by_polygon.get(i, []))
        centre = poly.representative_point()
        if not label["texts"]:
            unlabelled.append({"x_northing": round(centre.y, 3), "y_easting": round(centre.x, 3), "area_m2": round(poly.area, 2)})
        if len(label["parcel_numbers"]) > 1:
            several.append({"numbers": label["parcel_numbers"], "x_northing": round(centre.y, 3), "y_easting": round(centre.x, 3)})
        rows.append({
            "so_thua": label["parcel_number"],
            "loai_dat": label["land_use"],
            "dien_tich": label["declared_area"],
            "chu_su_dung": label["owner_name"],
            "label_text": " | ".join(label["texts"]),
        })
    report["polygons_without_label"] = unlabelled
    report["polygons_with_several_numbers"] = several
    out = gpd.GeoDataFrame(pd.DataFrame(rows, columns=["so_thua", "loai_dat", "dien_tich", "chu_su_dung", "label_text"]),
                           geometry=polygons, crs=raw.crs)
    return out, report
