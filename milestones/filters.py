"""View filters (project, commune, stage, at-risk) shared by the map, the parcel table and exports.

Plain Python: no Streamlit import. A :class:`Filters` value is hashable, so views can use it as a
cache key.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from domain.stages import STAGES


@dataclass(frozen=True)
class Filters:
    """What the user chose to see. Empty tuples mean "all".

    Attributes
    ----------
    project_ids : tuple of str
        ``project_id`` values (``CT_HNCL``, ``QL4B`` …).
    communes : tuple of str
        Commune names; a parcel matches if its 2025 ``commune`` **or** its ``commune_former``
        (pre-1/7/2025 unit) is listed, so both old and new names work.
    stages : tuple of str
        Stage codes from :data:`domain.stages.STAGES`.
    at_risk_only : bool
        Keep only parcels whose ``at_risk`` is true.
    """

    project_ids: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    at_risk_only: bool = False

    def __post_init__(self) -> None:
        for name in ("project_ids", "communes", "stages"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(sorted(str(v) for v in (value or ()))))
        unknown = [s for s in self.stages if s not in STAGES]
        if unknown:
            raise ValueError(f"Giai đoạn không hợp lệ trong bộ lọc: {', '.join(unknown)}; cho phép: {', '.join(STAGES)}")

    @property
    def is_empty(self) -> bool:
        """True when nothing is filtered out."""
        return not (self.project_ids or self.communes or self.stages or self.at_risk_only)


def as_filters(value: Filters | Mapping[str, Any] | None) -> Filters:
    """Accept a :class:`Filters`, a mapping with the same keys, or ``None`` (= no filter).

    Raises
    ------
    TypeError
        For any other type, or a mapping with unknown keys.
    """
    if value is None:
        return Filters()
    if isinstance(value, Filters):
        return value
    if isinstance(value, Mapping):
        allowed = {"project_ids", "communes", "stages", "at_risk_only"}
        extra = set(value) - allowed
        if extra:
            raise TypeError(f"Unknown filter keys {sorted(extra)}; allowed: {sorted(allowed)}")
        return Filters(**{k: (tuple(v) if isinstance(v, Iterable) and not isinstance(v, str) else v)
                          for k, v in value.items()})
    raise TypeError(f"filters must be Filters, a mapping or None, not {type(value).__name__}")


def filter_mask(parcels: pd.DataFrame, filters: Filters | Mapping[str, Any] | None) -> pd.Series:
    """Boolean mask of the parcel rows kept by ``filters``.

    Parameters
    ----------
    parcels : DataFrame or GeoDataFrame
        Snapshot parcels: columns ``project_id``, ``commune``, ``commune_former``, ``stage`` and
        ``at_risk`` (only those a non-empty filter needs must exist).

    Raises
    ------
    KeyError
        If a filter is set on a column the frame lacks.
    """
    f = as_filters(filters)
    mask = pd.Series(True, index=parcels.index)
    if f.project_ids:
        mask &= parcels["project_id"].isin(f.project_ids)
    if f.communes:
        in_new = parcels["commune"].isin(f.communes)
        in_old = parcels["commune_former"].isin(f.communes) if "commune_former" in parcels else False
        mask &= in_new | in_old
    if f.stages:
        mask &= parcels["stage"].isin(f.stages)
    if f.at_risk_only:
        mask &= parcels["at_risk"].fillna(False).astype(bool)
    return mask


def apply_filters(parcels: pd.DataFrame, filters: Filters | Mapping[str, Any] | None) -> pd.DataFrame:
    """The rows of ``parcels`` kept by ``filters`` (same columns and CRS; a view, not a copy)."""
    f = as_filters(filters)
    if f.is_empty:
        return parcels
    return parcels[filter_mask(parcels, f)]
