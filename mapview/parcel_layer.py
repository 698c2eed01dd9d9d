"""The parcel layer's data: geometry sent once, static tooltip columns, and the per-date state vector.

* :func:`parcel_payload` – everything the canvas layer (``mapview/static/gpmb/parcels.js``) needs:
  the compact geometry (cached per store data version and project filter), the tooltip columns that do
  not depend on the as-of date, the label tables and the initial state.
* :func:`parcel_state` – what changes with the as-of date and the filters, one value per parcel of the
  payload (same order): ``s`` stage index, ``r`` 1 at risk, ``v`` 1 shown (filters), ``d`` stage date,
  ``f`` flag bitmask over ``flags``; ``markers`` (positions of the parcels marked by an open letter /
  an unpaid household, :mod:`mapview.people`); plus the title and legend HTML. ``layer.setState(state)``
  in the browser restyles the live map from it (and ``markers.js`` redraws the markers) without rebuilding
  anything.
* :func:`map_state` – that state for a snapshot and filters, as the dashboard would send it after a
  date or filter change.
"""
from __future__ import annotations

import hashlib
from datetime import date
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely.geometry

from mapview.cache import StoreMemo
from mapview.encode import columnar, decode_geometries, encode_geometries, uncolumnar
from mapview.layers import to_leaflet_geometries
from mapview.legend import legend_html, title_html
from mapview.parcels import (
    _at_risk,
    _flag_combinations,
    _stage_date_column,
    _stage_ranks,
    parcel_properties,
)
from mapview.people import marker_indices, people_marker_masks
from mapview.style import SIMPLIFY_M
from milestones.filters import Filters, apply_filters, as_filters

if TYPE_CHECKING:
    from milestones.people import PeopleFigures
    from milestones.snapshot import Snapshot

#: Columns of :func:`mapview.parcels.parcel_properties` that change with the as-of date (in the state).
STATE_COLUMNS = ("s", "r", "d", "f")
#: Flags beyond this many distinct codes are sent as index lists instead of a bitmask (31-bit ints in JS).
MAX_FLAG_BITS = 30


def payload_parcels(parcels: gpd.GeoDataFrame, project_ids: tuple[str, ...]) -> gpd.GeoDataFrame:
    """The parcels whose geometry the page carries: those of ``project_ids`` (all when empty), in
    snapshot order, with a fresh positional index."""
    if project_ids:
        parcels = parcels[parcels["project_id"].isin(project_ids)]
    return parcels.reset_index(drop=True)


def _geometry(memo: StoreMemo, parcels: gpd.GeoDataFrame, project_ids: tuple[str, ...]) -> dict:
    ids = tuple(parcels["parcel_id"].tolist()) if "parcel_id" in parcels else ()
    key = ("parcel_payload_geometry", project_ids, len(parcels), hash(ids))
    return memo.get(key, lambda: encode_geometries(to_leaflet_geometries(parcels.geometry, SIMPLIFY_M["parcels"])))


#: Snapshot columns the static tooltip columns are made of (their fingerprint keys the cache).
STATIC_SOURCES = ("parcel_id", "project_id", "commune", "commune_former", "map_sheet", "parcel_number",
                  "land_use", "area_to_recover_m2", "parcel_area_m2", "chainage_m", "illustrative", "owner_name")


def _digest_column(digest: Any, values: pd.Series) -> None:
    """Feed ``values`` into ``digest``: an Arrow column's buffers or a numeric column's bytes as they are (no
    text per value: ``astype(str)`` of 500 000 parcels × 12 columns took 3-10 s of every map page, issue 13),
    anything else through ``pandas.util.hash_pandas_object``."""
    digest.update(f"|{values.name}:{values.dtype}:{len(values)}|".encode())
    if hasattr(values.array, "__arrow_array__"):
        array = pa.chunked_array(values.array.__arrow_array__())
        for chunk in array.chunks:
            digest.update(f"{chunk.offset}:{len(chunk)}".encode())
            for buffer in chunk.buffers():
                digest.update(b"-" if buffer is None else memoryview(buffer))
    elif values.dtype.kind in "biufcmM":
        digest.update(np.ascontiguousarray(values.to_numpy()).view(np.uint8))
    else:
        digest.update(pd.util.hash_pandas_object(values, index=False).to_numpy().view(np.uint8))


def _fingerprint(parcels: pd.DataFrame, projects: pd.DataFrame) -> str:
    """A digest of the values the static columns are computed from (so a changed value is never served
    from the cache, even under the same data version)."""
    digest = hashlib.blake2b(digest_size=16)
    for name in STATIC_SOURCES:
        if name in parcels:
            _digest_column(digest, parcels[name])
    for name in ("project_id", "short_name", "geometry_status"):
        _digest_column(digest, projects[name].astype(str))
    return digest.hexdigest()


def _static_columns(memo: StoreMemo, parcels: pd.DataFrame, projects: pd.DataFrame,
                    include_personal_data: bool) -> tuple[dict, dict]:
    """(columnar tooltip columns that do not change with the date, label tables without ``flags``),
    cached per data version and :func:`_fingerprint`: a new as-of date reuses them."""
    def compute() -> tuple[dict, dict]:
        props, tables = parcel_properties(parcels, projects, include_personal_data=include_personal_data)
        static = [c for c in props.columns if c not in STATE_COLUMNS]
        return columnar(props, static), {k: v for k, v in tables.items() if k != "flags"}

    key = ("parcel_static_columns", include_personal_data, _fingerprint(parcels, projects))
    return memo.get(key, compute)


def _flag_values(parcels: pd.DataFrame) -> tuple[list[str], list]:
    """(flag labels, per parcel its bitmask over them — or its index list above :data:`MAX_FLAG_BITS` flags),
    computed once per distinct combination of flags."""
    labels, indices, codes = _flag_combinations(parcels)
    if len(labels) > MAX_FLAG_BITS:
        return labels, [list(indices[c]) for c in codes.tolist()]
    masks = np.array([sum(1 << i for i in idx) for idx in indices], dtype=np.int64)
    return labels, masks[codes].tolist()


def date_state(parcels: gpd.GeoDataFrame) -> dict:
    """The part of the state that depends on the as-of date only (not on the filters).

    ``parcels``: snapshot parcels in the payload's order (``stage``, ``stage_date``, ``risk_flags``,
    ``at_risk``). Returns ``s``, ``r`` (lists of int), ``d``, ``f``, ``flags`` as in :func:`parcel_state`.
    A filter change reuses it (the dashboard caches it per as-of date and project filter).
    """
    ranks, risky = np.asarray(_stage_ranks(parcels), dtype=int), _at_risk(parcels)
    labels, flags = _flag_values(parcels)
    dates = _stage_date_column(parcels)
    return {"s": ranks.tolist(), "r": risky.tolist(), "d": dates, "f": flags, "flags": labels}


def filter_state(parcels: gpd.GeoDataFrame, shown: np.ndarray, projects: pd.DataFrame, as_of: date,
                 dated: dict, markers: dict[str, list[int]] | None = None) -> dict:
    """:func:`parcel_state` from its date part ``dated`` (:func:`date_state` of the same ``parcels``):
    adds ``v``, ``count``, ``at_risk_count``, ``title``, ``legend`` and ``markers`` (when given) for the
    parcels ``shown`` (bool per parcel)."""
    shown = np.asarray(shown, dtype=bool)
    # the two columns, not the rows of the whole frame (geometry and all: seconds at 500 000 parcels)
    counts = parcels["stage"][shown].value_counts().to_dict() if "stage" in parcels else {}
    illustrative = bool(parcels["illustrative"][shown].fillna(False).astype(bool).any()) \
        if "illustrative" in parcels else False
    has_approximate = bool((projects["geometry_status"] == "approximate").any()) if not projects.empty else False
    at_risk = int(np.asarray(dated["r"], dtype=bool)[shown].sum())
    marked = None if markers is None else {kind: len(positions) for kind, positions in markers.items()}
    return {
        **dated, "v": shown.astype(int).tolist(), "count": int(shown.sum()), "at_risk_count": at_risk,
        "title": title_html(as_of, int(shown.sum()), illustrative),
        "legend": legend_html(counts, at_risk, has_approximate, marked),
        **({} if markers is None else {"markers": markers}),
    }


def parcel_state(parcels: gpd.GeoDataFrame, shown: np.ndarray, projects: pd.DataFrame, as_of: date,
                 markers: dict[str, list[int]] | None = None) -> dict:
    """The state vector of ``parcels`` (the payload's parcels at ``as_of``, payload order).

    Parameters
    ----------
    parcels : GeoDataFrame
        Snapshot parcels in the payload's order (``stage``, ``stage_date``, ``risk_flags``, ``at_risk``,
        ``illustrative``, ``project_id``).
    shown : numpy.ndarray of bool
        Which of them pass the filters.
    projects : DataFrame
        ``project_id``, ``geometry_status`` of the projects shown (for the legend's dashed entry).
    as_of : date
        For the title.
    markers : dict, optional
        ``{kind: [positions]}`` of the marked shown parcels (:func:`mapview.people.marker_indices`); sent as
        ``markers`` and counted in the legend. None: no ``markers`` (a map without marker layers).

    Returns
    -------
    dict
        ``s``, ``r``, ``v`` (lists of int), ``d`` (dictionary-encoded texts ``dd/mm/yyyy`` or null),
        ``f`` (bitmask per parcel over ``flags``; lists of indices if there are more than
        :data:`MAX_FLAG_BITS` distinct flags), ``flags`` (HTML-escaped labels), ``title`` and
        ``legend`` (HTML), ``count`` (parcels shown), ``at_risk_count`` (of them at risk), ``markers`` (when
        given). The first five are :func:`date_state`, the rest :func:`filter_state`.
    """
    return filter_state(parcels, shown, projects, as_of, date_state(parcels), markers)


def shown_mask(parcels: gpd.GeoDataFrame, filters: Filters) -> np.ndarray:
    """Which payload parcels (positional index) pass ``filters``."""
    mask = np.zeros(len(parcels), dtype=bool)
    mask[apply_filters(parcels, filters).index.to_numpy()] = True
    return mask


def parcel_payload(memo: StoreMemo, snapshot_parcels: gpd.GeoDataFrame, projects: pd.DataFrame,
                   shown_projects: pd.DataFrame, filters: Filters, as_of: date, *,
                   include_personal_data: bool = False, markers: dict[str, list[int]] | None = None,
                   state: dict | None = None) -> dict:
    """The parcel layer's payload: ``geometry``, ``columns``, ``tables``, ``state``, ``ids``.

    ``snapshot_parcels`` are all the snapshot's parcels (EPSG:9215); the payload carries those of the
    project filter; ``projects`` is the store's project table (short names, geometry status),
    ``shown_projects`` the filtered one (legend); ``markers`` the state's marker positions
    (:func:`state_markers`); ``state``, when given, the :func:`map_state` of the same parcels, filters and
    markers (not computed again). The geometry is cached in ``memo`` per data version.
    """
    parcels = payload_parcels(snapshot_parcels, filters.project_ids)
    columns, tables = _static_columns(memo, parcels, projects, include_personal_data)
    return {
        "geometry": _geometry(memo, parcels, filters.project_ids),
        "columns": columns,
        "tables": tables,
        "state": state if state is not None else parcel_state(parcels, shown_mask(parcels, filters), shown_projects,
                                                              as_of, markers),
        "ids": parcels["parcel_id"].astype(str).tolist() if "parcel_id" in parcels else [],
    }


def state_markers(snapshot: Snapshot, filters: Filters | Any = None, store: Any = None,
                  people: PeopleFigures | None = None) -> dict[str, list[int]]:
    """``state["markers"]``: for each marker kind, the payload positions of the shown parcels it marks at the
    snapshot's date (the rule of :func:`mapview.people.people_marker_masks`).

    ``store`` gives the people registers when ``people`` (the figures at ``snapshot.as_of``) is None; with
    neither, only the parcels' open ``complaint`` events are marked.
    """
    f = as_filters(filters)
    parcels = payload_parcels(snapshot.parcels, f.project_ids)
    return marker_indices(people_marker_masks(snapshot, store, parcels, people), shown_mask(parcels, f))


def map_state(snapshot: Snapshot, projects: pd.DataFrame, filters: Filters | Any = None,
              dated: dict | None = None, *, store: Any = None, people: PeopleFigures | None = None,
              marker_masks: tuple[np.ndarray, np.ndarray] | None = None) -> dict:
    """The state to send to a live map built by :func:`mapview.build_map` with the same project filter,
    after a new as-of date or another commune / stage / at-risk filter.

    ``projects`` is the store's project table (``mapview.context.project_table``); ``dated``, when given, is
    :func:`map_date_state` of the same snapshot and project filter and ``marker_masks`` its
    :func:`map_marker_masks` (a filter change then computes only the mask, the title and the legend);
    otherwise ``store`` / ``people`` give the markers as in :func:`state_markers` (what the map was built with).
    """
    f = as_filters(filters)
    parcels = payload_parcels(snapshot.parcels, f.project_ids)
    shown = shown_mask(parcels, f)
    shown_projects = projects[projects["project_id"].isin(f.project_ids)] if f.project_ids else projects
    markers = marker_indices(marker_masks if marker_masks is not None
                             else people_marker_masks(snapshot, store, parcels, people), shown)
    return filter_state(parcels, shown, shown_projects, snapshot.as_of,
                        dated if dated is not None else date_state(parcels), markers)


def map_date_state(snapshot: Snapshot, project_ids: tuple[str, ...] = ()) -> dict:
    """:func:`date_state` of the payload parcels of ``project_ids`` in ``snapshot`` (for :func:`map_state`)."""
    return date_state(payload_parcels(snapshot.parcels, tuple(project_ids)))


def map_marker_masks(snapshot: Snapshot, project_ids: tuple[str, ...] = (), *, store: Any = None,
                     people: PeopleFigures | None = None, letter_keys: pd.DataFrame | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`mapview.people.people_marker_masks` of the payload parcels of ``project_ids`` (date-dependent
    only: the dashboard caches it per as-of date and project filter, like :func:`map_date_state`);
    ``letter_keys``: :func:`milestones.complaints.letter_keys` of ``snapshot.parcels``, when kept."""
    return people_marker_masks(snapshot, store, payload_parcels(snapshot.parcels, tuple(project_ids)), people,
                               letter_keys=letter_keys)


def payload_features(payload: dict) -> dict:
    """The shown parcels of ``payload`` as a GeoJSON FeatureCollection dict, with the properties the
    browser builds for the tooltip (``f`` as a list of flag indices)."""
    columns = uncolumnar(payload["columns"])
    state = payload["state"]
    dates = uncolumnar({"d": state["d"]})["d"]
    geoms = decode_geometries(payload["geometry"])
    features = []
    for i, geom in enumerate(geoms):
        if not state["v"][i] or geom is None:
            continue
        props = {name: values[i] for name, values in columns.items()}
        f = state["f"][i]
        props.update(s=state["s"][i], r=state["r"][i], d=dates[i],
                     f=f if isinstance(f, list) else [b for b in range(MAX_FLAG_BITS) if f >> b & 1])
        features.append({"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)})
    return {"type": "FeatureCollection", "features": features}



#: State entries sent as raw bytes by :func:`pack_state`: name → little-endian numpy dtype.
PACKED_DTYPES = {"s": "<u1", "r": "<u1", "v": "<u1", "f": "<i4", "dc": "<i4"}


def pack_state(state: dict) -> tuple[dict, dict[str, bytes]]:
    """Split a :func:`parcel_state` for transport: (the small JSON part, the per-parcel vectors as bytes).

    The per-parcel lists ``s``, ``r``, ``v`` become one byte each (Uint8), ``f`` (when it is a bitmask per
    parcel, not index lists) and the codes of a dictionary-encoded ``d`` little-endian Int32 (``dc``); the
    JSON part keeps everything else, ``d`` as ``{"dict": [...]}`` alone, and ``packed``: the names of the
    byte vectors, in :data:`PACKED_DTYPES`. At 50 000 parcels JSON-encoding those lists cost 0.07 s of every
    rerun (``json.dumps`` of the component's arguments) and ≈0.3 MB on the wire; the bytes are copied as is.
    :func:`unpack_state` is the inverse (the browser's is ``dashboard/map_component/main.js``).

    Raises
    ------
    ValueError
        If a stage index does not fit in a byte (more than 256 stages).
    """
    small, binary = dict(state), {}
    for name in ("s", "r", "v"):
        values = np.asarray(small.pop(name), dtype=np.int64)
        if values.size and (values.min() < 0 or values.max() > 255):
            raise ValueError(f"state[{name!r}] does not fit in one byte per parcel")
        binary[name] = values.astype(PACKED_DTYPES[name]).tobytes()
    flags = small["f"]
    if not flags or not isinstance(flags[0], list):
        binary["f"] = np.asarray(small.pop("f"), dtype=np.int64).astype(PACKED_DTYPES["f"]).tobytes()
    dates = small["d"]
    if isinstance(dates, dict):
        binary["dc"] = np.asarray(dates["codes"], dtype=np.int64).astype(PACKED_DTYPES["dc"]).tobytes()
        small["d"] = {"dict": dates["dict"]}
    small["packed"] = sorted(binary)
    return small, binary


def unpack_state(small: dict, binary: dict[str, bytes]) -> dict:
    """The state :func:`pack_state` split (lists of int again), for tests and inspection."""
    out = {k: v for k, v in small.items() if k != "packed"}
    for name in small.get("packed", ()):
        values = np.frombuffer(binary[name], dtype=PACKED_DTYPES[name]).astype(int).tolist()
        if name == "dc":
            out["d"] = {"dict": small["d"]["dict"], "codes": values}
        else:
            out[name] = values
    return out
