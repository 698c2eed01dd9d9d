"""Milestone scopes: the whole project, a 2025 commune or a former commune, resolved to parcels."""
from __future__ import annotations

import numpy as np
import pandas as pd

from parsing.text import fold_vi

_PROJECT_SCOPES = {"", "project", "du an", "toan du an", "ca du an", "toan bo du an"}


def is_project_scope(scope) -> bool:
    """True when a milestone ``scope`` means the whole project (empty, ``project``, ``Toàn dự án`` …)."""
    if scope is None or (isinstance(scope, float) and np.isnan(scope)) or scope is pd.NA:
        return True
    return fold_vi(scope) in _PROJECT_SCOPES


def resolve_scope(parcels: pd.DataFrame, project_id: str, scope) -> tuple[str, str | None, np.ndarray]:
    """Resolve a milestone scope to the parcels it covers.

    Parameters
    ----------
    parcels : DataFrame
        ``project_id``, ``commune`` (2025 unit), ``commune_former`` (pre-1/7/2025 unit).
    project_id : str
    scope : str or None
        ``project`` (or empty) = the whole project; otherwise a commune name, matched ignoring case
        and diacritics against ``commune`` first, then ``commune_former`` (both names are accepted,
        DOMAIN.md: historical records keep the former names).

    Returns
    -------
    (level, name, mask)
        ``level`` ∈ ``project`` | ``commune`` | ``former``; ``name`` the commune as spelled in the
        parcels (None for the project); ``mask`` a boolean array over the rows of ``parcels``.

    Raises
    ------
    ValueError
        If the commune has no parcel in the project (Vietnamese message).
    """
    in_project = (pd.Series(parcels["project_id"]) == project_id).to_numpy(dtype=bool)
    if is_project_scope(scope):
        return "project", None, in_project
    key = fold_vi(scope)
    for level, col in (("commune", "commune"), ("former", "commune_former")):
        if col not in parcels.columns:
            continue
        codes, uniques = pd.factorize(pd.Series(parcels[col]))
        hits = [i for i, v in enumerate(uniques) if isinstance(v, str) and fold_vi(v) == key]
        mask = in_project & np.isin(codes, hits)
        if mask.any():
            return level, str(uniques[codes[np.flatnonzero(mask)[0]]]), mask
    raise ValueError(f"Phạm vi {scope!r} không phải là xã/phường có thửa đất của dự án {project_id}")
