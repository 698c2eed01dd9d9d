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
#: A parcel-number token: a whole number, or one with a suffix letter and part (``263A``, ``389b-2``: a split parcel).
_INT_RE = re.compile(r"^0*\d{1,6}(?:[A-Za-z](?:-\d{1,3})?)?$")
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
        ``parcel_number`` (first parcel-number token — ``12``, ``263A`` —, str, or None), ``parcel_numbers`` (all of them),
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
    texts, text_encoding = _label_texts(raw)
    linework = _linework(raw.geometry.values)
    if not linework:
        raise ValueError("Bản vẽ không có đường ranh giới thửa (line/shape) nào để dựng thửa.")
    polygons, build_counts = _polygonize(linework, min_area_m2)
    by_polygon, labels_outside = _labels_by_polygon(texts, polygons, raw.crs)
    rows, unlabelled, several = _labelled_rows(polygons, by_polygon)
    report = {"elements": len(raw), "text_encoding": text_encoding, "lines": len(linework), "texts": len(texts),
              **build_counts, "labels_outside": labels_outside, "polygons_without_label": unlabelled,
              "polygons_with_several_numbers": several}
    out = gpd.GeoDataFrame(pd.DataFrame(rows, columns=list(_LABEL_COLUMNS)), geometry=polygons, crs=raw.crs)
    return out, report


#: Columns of the polygons built, from :func:`parse_label` (mapped to canonical fields by the importer).
_LABEL_COLUMNS = ("so_thua", "loai_dat", "dien_tich", "chu_su_dung", "label_text")


def _label_texts(raw: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[dict]]:
    """Non-blank text points with their Unicode text in ``_text`` (TCVN3/VNI converted), and the encoding found."""
    texts = raw[shapely.get_type_id(raw.geometry.values) == 0].copy()
    text_col = _text_column(raw)
    if not text_col:
        return texts.iloc[0:0].assign(_text=[]), []
    texts = texts[texts[text_col].fillna("").astype(str).str.strip() != ""]
    converted, decisions = convert_text_columns(pd.DataFrame({"text": texts[text_col].astype(str).tolist()}))
    encoding = [{"column": "Text", "encoding": d.encoding, "samples": [{"before": b, "after": a} for b, a in d.samples]}
                for d in decisions]
    return texts.assign(_text=converted["text"].tolist()), encoding


def _linework(geoms) -> list:
    """Lines of the drawing: (multi)lines and the boundaries of closed shapes (GEOS type ids)."""
    types = shapely.get_type_id(geoms)
    lines = [g for g, t in zip(geoms, types) if t in (1, 2, 5)]
    return lines + [shapely.boundary(g) for g, t in zip(geoms, types) if t in (3, 6)]


def _polygonize(linework: list, min_area_m2: float) -> tuple[list, dict]:
    """Polygons closed by the noded line work (tiny rings dropped) and the counts of what did not close."""
    noded = shapely.union_all(shapely.force_2d(np.asarray(linework, dtype=object)))
    built, cuts, dangles, invalid = shapely.polygonize_full([noded])
    polygons = [p for p in shapely.get_parts(built) if not p.is_empty]
    kept = [p for p in polygons if p.area >= min_area_m2]
    dangle_parts = shapely.get_parts(dangles)
    return kept, {
        "polygons_built": len(kept),
        "tiny_rings": len(polygons) - len(kept),
        "dangles": {"count": len(dangle_parts), "length_m": round(float(shapely.length(dangle_parts).sum()), 2)},
        "cut_edges": len(shapely.get_parts(cuts)),
        "invalid_rings": len(shapely.get_parts(invalid)),
    }


def _labels_by_polygon(texts: gpd.GeoDataFrame, polygons: list, crs) -> tuple[dict[int, list[str]], list[dict]]:
    """Texts inside each polygon (by position in ``polygons``, drawing order) and the texts inside none."""
    poly_gdf = gpd.GeoDataFrame(geometry=polygons, crs=crs)
    points = gpd.GeoDataFrame({"text": texts["_text"].tolist()}, geometry=list(texts.geometry.values), crs=crs)
    hits = gpd.sjoin(points, poly_gdf, how="left", predicate="within") if len(points) else points.assign(index_right=[])
    outside = hits[hits["index_right"].isna()]
    labels_outside = [{"text": t, "x_northing": round(g.y, 3), "y_easting": round(g.x, 3)}
                      for t, g in zip(outside["text"], outside.geometry)]
    inside = hits.dropna(subset=["index_right"])
    by_polygon: dict[int, list[str]] = {}
    for idx, text in zip(inside["index_right"].astype(int), inside["text"]):
        by_polygon.setdefault(idx, []).append(text)
    return by_polygon, labels_outside


def _labelled_rows(polygons: list, by_polygon: dict[int, list[str]]) -> tuple[list[dict], list[dict], list[dict]]:
    """One attribute row per polygon (:data:`_LABEL_COLUMNS`), the polygons without label, those with several numbers."""
    rows, unlabelled, several = [], [], []
    for i, poly in enumerate(polygons):
        label = parse_label(by_polygon.get(i, []))
        centre = poly.representative_point()
        where = {"x_northing": round(centre.y, 3), "y_easting": round(centre.x, 3)}
        if not label["texts"]:
            unlabelled.append({**where, "area_m2": round(poly.area, 2)})
        if len(label["parcel_numbers"]) > 1:
            several.append({"numbers": label["parcel_numbers"], **where})
        rows.append({"so_thua": label["parcel_number"], "loai_dat": label["land_use"],
                     "dien_tich": label["declared_area"], "chu_su_dung": label["owner_name"],
                     "label_text": " | ".join(label["texts"])})
    return rows, unlabelled, several
