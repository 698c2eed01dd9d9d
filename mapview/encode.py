"""Compact parcel payload for the canvas map: quantised, delta-encoded rings and columnar properties.

The browser side is ``mapview/static/gpmb/parcels.js`` (:data:`mapview.offline.PARCELS_JS`); the two
must agree on the shapes below.

Geometry (:func:`encode_geometries`), in EPSG:4326:

* every vertex quantised to integer micro-degrees (``round(lon * 1e6)``, ``round(lat * 1e6)``;
  1e-6° ≈ 0.1 m at Lạng Sơn's latitude, the precision of the GeoJSON the map used before), the closing
  vertex of each ring left out;
* ``coords``: the vertices of all rings of all parcels in order, as (dx, dy) differences from the
  previous vertex (the first from ``origin``), little-endian Int32, base64;
* ``rings``: vertex count of each ring, negative for an interior ring (a hole), Int32, base64;
* ``parts``: number of rings of each parcel (0 when its geometry is missing or empty), Int32, base64.

Properties (:func:`columnar`): one JSON array per column instead of one object per parcel; a text
column with repeated values is sent as ``{"dict": [distinct texts], "codes": [index or -1 for null]}``.
"""
from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
import pandas as pd
import shapely

#: Quantisation of longitude and latitude: units per degree (1e-6° ≈ 0.1 m).
SCALE = 1_000_000


def _b64(values: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype="<i4").tobytes()).decode("ascii")


def _unb64(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<i4").astype(np.int64)


def _ring_structure(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(vertices without closing ones (n, 2) float, signed vertex count per ring, ring count per parcel)."""
    polygonal = shapely.get_type_id(geoms)
    keep = np.isin(polygonal, (3, 6)) & ~shapely.is_empty(geoms)  # Polygon, MultiPolygon
    geoms = np.where(keep, geoms, shapely.Polygon())
    if not keep.any():
        return np.empty((0, 2)), np.empty(0, np.int64), np.zeros(len(geoms), np.int64)
    _, coords, offsets = shapely.to_ragged_array(geoms)
    if len(offsets) == 2:                        # all Polygons: rings per geometry
        ring_off, poly_off = offsets
        parts = np.diff(poly_off)
    else:                                        # MultiPolygons: rings per polygon, polygons per geometry
        ring_off, poly_off, geom_off = offsets
        parts = np.diff(poly_off[geom_off])
    sizes = np.diff(ring_off)                    # with the closing vertex
    first_ring = np.zeros(len(sizes), bool)
    first_ring[poly_off[:-1][np.diff(poly_off) > 0]] = True
    drop = np.zeros(len(coords), bool)
    drop[ring_off[1:] - 1] = True                # the closing vertex of every ring
    signed = np.where(first_ring, sizes - 1, -(sizes - 1))
    return coords[~drop], signed, parts


def encode_geometries(geoms: Any) -> dict:
    """The ``geometry`` payload of the parcel layer.

    Parameters
    ----------
    geoms : array-like of shapely geometries
        EPSG:4326 (lon, lat), one per parcel; Polygon or MultiPolygon. Anything else (None, empty,
        a point) is kept as a parcel without rings, so indices stay aligned with the properties.

    Returns
    -------
    dict
        ``{"scale": 1000000, "origin": [lon0, lat0] (int micro-degrees), "coords": b64, "rings": b64,
        "parts": b64, "n": number of parcels}`` (see the module docstring).
    """
    geoms = np.asarray(geoms, dtype=object)
    vertices, rings, parts = _ring_structure(geoms)
    quantised = np.rint(vertices * SCALE).astype(np.int64)
    origin = quantised.min(axis=0) if len(quantised) else np.zeros(2, np.int64)
    deltas = np.diff(quantised, axis=0, prepend=origin[None, :]) if len(quantised) else quantised
    return {"scale": SCALE, "origin": [int(origin[0]), int(origin[1])], "coords": _b64(deltas.ravel()),
            "rings": _b64(rings), "parts": _b64(parts), "n": len(geoms)}


def decode_geometries(payload: dict) -> list:
    """The inverse of :func:`encode_geometries` (for tests and inspection): one shapely Polygon or
    MultiPolygon per parcel in EPSG:4326, None for a parcel without rings."""
    deltas = _unb64(payload["coords"]).reshape(-1, 2)
    vertices = (np.cumsum(deltas, axis=0) + np.asarray(payload["origin"])) / payload["scale"]
    rings, parts = _unb64(payload["rings"]), _unb64(payload["parts"])
    out, v, r = [], 0, 0
    for n_rings in parts.tolist():
        polygons: list[list] = []
        for size in rings[r:r + n_rings].tolist():
            ring = vertices[v:v + abs(size)]
            v += abs(size)
            if size > 0:
                polygons.append([ring])
            else:
                polygons[-1].append(ring)
        r += n_rings
        shapes = [shapely.Polygon(p[0], p[1:]) for p in polygons]
        out.append(None if not shapes else shapes[0] if len(shapes) == 1 else shapely.MultiPolygon(shapes))
    return out


def _plain(values: pd.Series) -> list:
    """Values as a JSON-ready list: NaN/None/NA → None, numpy scalars → Python numbers."""
    whole = pd.api.types.is_integer_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype)
    if whole and not values.isna().any():
        return values.astype(int).tolist()
    missing = values.isna().to_numpy()
    out = values.astype(object).tolist()
    for i in np.flatnonzero(missing).tolist():
        out[i] = None
    return [v.item() if isinstance(v, np.generic) else v for v in out] if values.dtype == object else out


def _text_column(values: list) -> Any:
    """A text column dictionary-encoded when that is shorter (repeated dates, areas, land-use codes)."""
    # every value None or str, at least one str (lib.infer_dtype in C, not two Python passes over 500 000
    # values; _plain left no NaN for skipna to skip)
    if pd.api.types.infer_dtype(values, skipna=True) != "string":
        return values
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    if len(uniques) * 2 > len(values):
        return values
    return {"dict": [str(u) for u in uniques], "codes": codes.tolist()}


def columnar(frame: pd.DataFrame, columns: list[str] | None = None) -> dict:
    """``{column: values}`` of ``frame`` for the browser, text columns dictionary-encoded when shorter.

    Values must be JSON-serialisable once NaN becomes None (numbers, texts, lists of numbers).
    """
    return {c: _text_column(_plain(frame[c])) for c in (columns or list(frame.columns))}


def uncolumnar(columns: dict) -> dict:
    """The inverse of :func:`columnar`: ``{column: list of values}``."""
    out = {}
    for name, spec in columns.items():
        if isinstance(spec, dict):
            out[name] = [spec["dict"][c] if c >= 0 else None for c in spec["codes"]]
        else:
            out[name] = list(spec)
    return out


def script_json(value: Any) -> str:
    """``value`` as compact JSON that can sit inside an inline ``<script>``: non-ASCII kept as is
    (Vietnamese text stays readable and small), every ``<`` written ``\\u003c`` so no data can close
    the script block."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")


#: Payload entries always in the first data block, whatever their text (what tests and tools read there).
FIRST_BLOCK = ("geometry", "ids")


def _entry(key: str, value: Any) -> str:
    return f"{script_json(key)}:{script_json(value)}"


def split_blocks(payload: dict, first: tuple[str, ...] = FIRST_BLOCK) -> tuple[str, str | None]:
    """The parcel layer's payload as two JSON texts for two data blocks: (ASCII-only entries, the others).

    An entry is a top-level value, or an item of a top-level dict (``columns.o``, ``state.legend``,
    ``tables.communes``); it goes to the second text when its JSON holds non-ASCII characters (Vietnamese
    labels, names), except the ``first`` entries (geometry, ids). The browser keeps a text without non-ASCII
    characters one byte per character: at 10 000 parcels the page's parser took ≈ 8 ms of CPU less over the
    1.3 MB block, and ``JSON.parse`` read a string of half the bytes. ``parcels.js`` merges the second into the first
    (:func:`merge_blocks` is the same in Python). Each entry is serialised once (:func:`script_json`).

    Returns
    -------
    tuple
        (JSON object text, JSON object text or None when every entry is ASCII).
    """
    main, text = [], []
    for key, value in payload.items():
        if isinstance(value, dict) and key not in first:
            pieces = [_entry(k, v) for k, v in value.items()]
            main.append(f"{script_json(key)}:{{{','.join(p for p in pieces if p.isascii())}}}")
            rest = [p for p in pieces if not p.isascii()]
            if rest:
                text.append(f"{script_json(key)}:{{{','.join(rest)}}}")
            continue
        piece = _entry(key, value)
        (main if piece.isascii() or key in first else text).append(piece)
    return "{" + ",".join(main) + "}", ("{" + ",".join(text) + "}" if text else None)


def merge_blocks(first: dict, second: dict | None) -> dict:
    """The payload :func:`split_blocks` split, from its two parsed texts (the browser's ``merged`` in
    ``parcels.js``): a dict entry of ``second`` is merged into the first's dict of that name."""
    out = dict(first)
    for key, value in (second or {}).items():
        out[key] = {**out[key], **value} if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out
