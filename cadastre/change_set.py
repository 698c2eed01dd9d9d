"""What a layer import would change, computed before anything is written (issue 10).

:func:`parcel_change_set` compares the parcels as they are (``current``) with the parcels the import
would leave (``new``), both keyed by ``parcel_id``; :func:`feature_change_set` does the same for the
project layers (``projects`` keyed by ``project_id``, ``centrelines`` by ``project_id``). Pure
functions of GeoDataFrames: nothing is read from or written to a store.

When is a feature *changed*? Per field, and the change set says which ones (``fields``):

* ``geometry``: the geometries are equal when ``shapely.equals_exact`` holds on the normalised
  geometries (same vertices, maybe another start point or ring order), or when their Hausdorff
  distance is below :data:`VERTEX_TOLERANCE_M` (1 cm, cadastral survey precision: a file that went
  through WGS 84 and back moves vertices by about a millimetre, which over a 90 m boundary is a
  symmetric difference of some 0,05 m²), or (polygons) when the area of their symmetric difference
  is below :data:`GEOMETRY_TOLERANCE_M2` (0,01 m²: a sliver-thin re-digitised edge). Otherwise changed.
* ``area_to_recover_m2`` / ``parcel_area_m2``: the values differ by 0,01 m² or more (the store
  keeps them rounded to 0,01 m²).
* other attributes (:data:`PARCEL_ATTRIBUTES`): differ after turning blanks (None, NaN, "") into
  one missing value, numbers compared as numbers (``7`` = ``7.0``).

Orphaned events: ledger events of kind ``parcel`` whose ``parcel_id`` is removed. They stay in
the ledger (records are never deleted); the change set reports them so the user sees what would
lose its parcel.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

#: Two geometries whose symmetric difference is smaller than this (m², EPSG:9215) are the same.
GEOMETRY_TOLERANCE_M2 = 0.01
#: Two geometries closer than this (m, Hausdorff distance) are the same (cadastral survey precision).
VERTEX_TOLERANCE_M = 0.01
#: Area fields compared numerically (m², tolerance 0,01 m²).
AREA_FIELDS = ("area_to_recover_m2", "parcel_area_m2")
AREA_TOLERANCE_M2 = 0.01
#: Parcel attributes whose change is reported by name.
PARCEL_ATTRIBUTES = ("project_id", "commune_code", "commune", "commune_former", "map_sheet", "parcel_number",
                     "land_use", "owner_name", "household_id", "chainage_m", "declared_area_m2")


@dataclass(frozen=True)
class FeatureChange:
    """One feature added, changed or removed.

    Attributes
    ----------
    key : str
        ``parcel_id`` (parcels) or ``project_id`` (projects, centrelines).
    area_m2 : float
        Parcels: ``area_to_recover_m2`` after the change (before it, for a removed parcel); projects:
        boundary area; centrelines: length (m). Rounded to 0,01.
    area_before_m2 : float or None
        The same figure before the change (changed features only).
    fields : tuple of str
        What changed (``geometry``, ``area_to_recover_m2``, attribute names); empty for added/removed.
    """

    key: str
    area_m2: float
    area_before_m2: float | None = None
    fields: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        out = {"key": self.key, "area_m2": self.area_m2}
        if self.area_before_m2 is not None or self.fields:
            out.update(area_before_m2=self.area_before_m2, fields=list(self.fields))
        return out


@dataclass(frozen=True)
class ChangeSet:
    """What an import would do to one layer.

    Attributes
    ----------
    layer : str
        ``parcels``, ``projects`` or ``centrelines``.
    key_column : str
        Column identifying a feature (``parcel_id`` or ``project_id``).
    added, changed, removed : tuple of FeatureChange
        Sorted by key.
    unchanged : int
        Features present before and after with nothing changed.
    orphaned_events : tuple of int
        ``event_id`` of ledger events whose parcel is removed (kept in the ledger, reported).
    """

    layer: str
    key_column: str
    added: tuple[FeatureChange, ...] = ()
    changed: tuple[FeatureChange, ...] = ()
    removed: tuple[FeatureChange, ...] = ()
    unchanged: int = 0
    orphaned_events: tuple[int, ...] = field(default=())

    @property
    def removed_count(self) -> int:
        """How many features the import removes (the count a confirmation must name)."""
        return len(self.removed)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def counts(self) -> dict[str, int]:
        """``added``, ``changed``, ``removed``, ``unchanged``, ``orphaned_events``; and area sums (m²)."""
        return {"added": len(self.added), "changed": len(self.changed), "removed": len(self.removed),
                "unchanged": self.unchanged, "orphaned_events": len(self.orphaned_events),
                "added_area_m2": _total(self.added), "removed_area_m2": _total(self.removed)}

    def to_dict(self) -> dict:
        """JSON form (CLI ``--json``, the import report): lists with ``key`` (and ``parcel_id`` for parcels)."""
        def rows(items):
            out = []
            for item in items:
                row = item.to_dict()
                row[self.key_column] = row.pop("key")
                out.append(row)
            return out

        return {"layer": self.layer, "key_column": self.key_column, "counts": self.counts(),
                "added": rows(self.added), "changed": rows(self.changed), "removed": rows(self.removed),
                "orphaned_events": list(self.orphaned_events)}


def _total(items) -> float:
    return round(float(sum(i.area_m2 for i in items)), 2)


def parcel_change_set(current, new, events: pd.DataFrame | None = None) -> ChangeSet:
    """Parcels added, changed and removed when the layer ``current`` becomes ``new``.

    Parameters
    ----------
    current, new : GeoDataFrame
        Parcels in EPSG:9215 with ``parcel_id``, ``area_to_recover_m2`` and geometry (more columns of
        DATA_MODEL.md "parcels" are compared when both have them). ``parcel_id`` must be unique in
        each.
    events : DataFrame, optional
        The ledger (``event_id``, ``kind``, ``parcel_id``); events of removed parcels are reported
        as orphaned.

    Returns
    -------
    ChangeSet
        ``area_m2`` of each entry = ``area_to_recover_m2`` (m²).

    Raises
    ------
    ValueError
        If ``parcel_id`` repeats in ``current`` or ``new``.
    """
    changes = feature_change_set("parcels", current, new, key="parcel_id", measure=_area_to_recover,
                                 attributes=(*AREA_FIELDS, *PARCEL_ATTRIBUTES))
    if events is None or events.empty or not changes.removed:
        return changes
    removed = {c.key for c in changes.removed}
    orphaned = events[(events["kind"] == "parcel") & events["parcel_id"].isin(removed)]["event_id"]
    return ChangeSet(**{**changes.__dict__, "orphaned_events": tuple(int(e) for e in sorted(orphaned))})


def _area_to_recover(frame) -> np.ndarray:
    return pd.to_numeric(frame["area_to_recover_m2"], errors="coerce").fillna(0.0).to_numpy(float)


def boundary_measure(frame) -> np.ndarray:
    """Area (m²) of each geometry, or length (m) for lines: the figure a project-layer change set shows."""
    geoms = np.asarray(frame.geometry.values, dtype=object)
    lines = shapely.get_dimensions(geoms) == 1
    return np.where(lines, shapely.length(geoms), shapely.area(geoms))


def feature_change_set(layer: str, current, new, *, key: str, measure=boundary_measure,
                       attributes: tuple[str, ...] = ()) -> ChangeSet:
    """Features of ``layer`` added, changed and removed, matched by ``key``.

    Parameters
    ----------
    layer : str
        Layer name (reported).
    current, new : GeoDataFrame
        The layer before and after, same CRS (EPSG:9215), with column ``key``.
    key : str
        Identifying column (unique in each frame).
    measure : callable
        ``measure(frame) -> array`` of the figure shown per feature (m² or m).
    attributes : tuple of str
        Columns compared (those present in both frames); ``geometry`` is always compared.

    Raises
    ------
    ValueError
        If ``key`` repeats in a frame.
    """
    before, after = _indexed(current, key), _indexed(new, key)
    before_measure = pd.Series(np.round(measure(before), 2), index=before.index) if len(before) else pd.Series(dtype=float)
    after_measure = pd.Series(np.round(measure(after), 2), index=after.index) if len(after) else pd.Series(dtype=float)
    added = [FeatureChange(str(k), float(after_measure[k])) for k in sorted(after.index.difference(before.index))]
    removed = [FeatureChange(str(k), float(before_measure[k])) for k in sorted(before.index.difference(after.index))]
    common = sorted(before.index.intersection(after.index))
    fields = _changed_fields(before.loc[common], after.loc[common], attributes)
    changed = [FeatureChange(str(k), float(after_measure[k]), float(before_measure[k]), tuple(f))
               for k, f in zip(common, fields) if f]
    return ChangeSet(layer=layer, key_column=key, added=tuple(added), changed=tuple(changed), removed=tuple(removed),
                     unchanged=len(common) - len(changed))


def _indexed(frame, key: str):
    if frame is None or len(frame) == 0:
        import geopandas as gpd

        return gpd.GeoDataFrame({key: []}, geometry=[], crs=getattr(frame, "crs", None)).set_index(key)
    keys = frame[key].astype(str)
    repeated = keys[keys.duplicated()]
    if len(repeated):
        raise ValueError(f"Mã {key} lặp lại: {', '.join(sorted(set(repeated))[:5])}.")
    return frame.set_index(keys.rename(key))


def _changed_fields(before, after, attributes) -> list[list[str]]:
    """Per common feature (same order), the names of the fields that differ."""
    out = [[] for _ in range(len(before))]
    if not len(before):
        return out
    differs = {"geometry": geometry_differs(before.geometry.values, after.geometry.values)}
    for col in attributes:
        if col in before.columns and col in after.columns:
            differs[col] = _area_differs(before[col], after[col]) if col in AREA_FIELDS else \
                _value_differs(before[col], after[col])
    for name, mask in differs.items():
        for i in np.flatnonzero(mask):
            out[i].append(name)
    return out


def geometry_differs(a, b) -> np.ndarray:
    """Element-wise: do geometries ``a`` and ``b`` differ (the three tests of the module notes)?

    Missing or empty on one side only counts as a difference; both missing is equal.
    """
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    missing_a = shapely.is_missing(a) | shapely.is_empty(a)
    missing_b = shapely.is_missing(b) | shapely.is_empty(b)
    out = missing_a != missing_b
    both = ~missing_a & ~missing_b
    if both.any():
        na, nb = shapely.normalize(a[both]), shapely.normalize(b[both])
        check = ~shapely.equals_exact(na, nb, tolerance=0.0)
        if check.any():
            check[check] = shapely.hausdorff_distance(na[check], nb[check]) >= VERTEX_TOLERANCE_M
        areal = check & (shapely.get_dimensions(na) == 2) & (shapely.get_dimensions(nb) == 2)
        if areal.any():  # lines have no area: for them the Hausdorff distance decides
            check[areal] = shapely.area(shapely.symmetric_difference(na[areal], nb[areal])) >= GEOMETRY_TOLERANCE_M2
        out[both] = check
    return out


def _area_differs(a: pd.Series, b: pd.Series) -> np.ndarray:
    x = pd.to_numeric(a, errors="coerce").to_numpy(float)
    y = pd.to_numeric(b, errors="coerce").to_numpy(float)
    both_nan = np.isnan(x) & np.isnan(y)
    with np.errstate(invalid="ignore"):
        far = ~(np.abs(x - y) < AREA_TOLERANCE_M2 - 1e-9)
    return far & ~both_nan


def _value_differs(a: pd.Series, b: pd.Series) -> np.ndarray:
    return np.array([_normalised(x) != _normalised(y) for x, y in zip(a, b)], dtype=bool)


def _normalised(value):
    """Blanks are one missing value; numbers compare as numbers; text stripped."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return round(float(value), 6)
    return value
