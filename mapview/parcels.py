"""Parcel features of the map: compact per-parcel properties, the label tables they index, geometries.

Each parcel carries only short codes and numbers (``s`` stage rank, ``c`` commune index, ``f`` flag
indices …); the Vietnamese words are written once, in the tables of ``window.GPMB``, from
:mod:`vocab.labels`. Numbers and dates are formatted by :mod:`vocab.format`. Every word is derived
from a code (``stage``, ``risk_flags``, ``land_use``), never from a display column of the snapshot.
"""
from __future__ import annotations

import html
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from domain.stages import STAGES
from gis.chainage import format_chainage
from vocab.format import fmt_date, fmt_number
from vocab.labels import LAND_USE_LABELS_VI, STAGE_COLOURS, STAGE_LABELS_VI, risk_flag_label

#: Bits of the ``x`` property: notes shown at the foot of a parcel tooltip.
ILLUSTRATIVE_BIT, APPROXIMATE_BIT = 1, 2

_RANK = {stage: rank for rank, stage in enumerate(STAGES)}


def _column(parcels: pd.DataFrame, name: str, default: Any, dtype: Any = None) -> pd.Series:
    return parcels[name] if name in parcels else pd.Series(default, index=parcels.index, dtype=dtype)


def _each_distinct(values: Any, compute: Any, missing: Any = None) -> list:
    """``[compute(v) for v in values]`` with ``compute`` called once per distinct value (``pd.factorize``, in
    C) and ``missing`` for a missing one (None, NaN, NaT, NA): at 500 000 parcels a formatter called per
    parcel cost seconds (issue 13); the per-parcel forms are in ``tests/mapview/parcels_reference.py``."""
    codes, uniques = pd.factorize(values if isinstance(values, (pd.Series, np.ndarray)) else
                                  pd.Series(values, dtype=object), use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)
    for i, value in enumerate(uniques):
        table[i] = compute(value)
    table[-1] = missing
    return table[codes].tolist()   # code -1 (missing) takes the last entry


def _stage_ranks(parcels: pd.DataFrame) -> list[int]:
    """Index of each parcel's ``stage`` in ``STAGES`` (unknown or missing: 0, ``not_started``)."""
    return _each_distinct(_column(parcels, "stage", "not_started"), lambda s: _RANK.get(s, 0), 0)


def _at_risk(parcels: pd.DataFrame) -> np.ndarray:
    return _column(parcels, "at_risk", False).fillna(False).astype(bool).astype(int).to_numpy()


def _project_index(parcels: pd.DataFrame, projects: pd.DataFrame) -> tuple[list, list[int]]:
    """(project ids in table order — the store's, then any only the parcels have —, index per parcel)."""
    project_ids = list(projects["project_id"])
    known = set(project_ids)
    project_ids += [p for p in pd.unique(parcels["project_id"]) if p not in known]
    position = {p: i for i, p in reversed(list(enumerate(project_ids)))}  # first position, as list.index
    return project_ids, _each_distinct(parcels["project_id"], position.__getitem__)


def _commune_index(parcels: pd.DataFrame) -> tuple[list[list[str]], np.ndarray]:
    """(distinct [2025 commune, former commune] pairs, HTML-escaped; index of each parcel's pair)."""
    new = parcels["commune"].fillna("").astype(str)
    old = _column(parcels, "commune_former", "").fillna("").astype(str)
    codes, uniques = pd.factorize(new + "\x1f" + old)
    return [[html.escape(name) for name in pair.split("\x1f")] for pair in uniques], codes


def _integers(values: pd.Series) -> list[int | str | None]:
    """Sheet or parcel numbers as integers; a value that is not a number (a store written by another
    tool) as HTML-escaped text, shown literally; None when missing."""
    return _each_distinct(values, _integer_or_text)


def _integer_or_text(value: Any) -> int | str:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return html.escape(str(value))


def _land_use_codes(parcels: pd.DataFrame) -> list[str]:
    return _each_distinct(parcels["land_use"], lambda v: html.escape(str(v)) if isinstance(v, str) else "", "")


def _whole_metres(values: pd.Series) -> np.ndarray:
    """Float metres rounded half to even to the metre (as ``format(v, '.0f')`` and ``round`` do): the key of
    :func:`_each_distinct` for texts rounded to the metre, so their distinct count stays bounded."""
    return np.rint(pd.to_numeric(values, errors="coerce").astype(float).to_numpy())


def _area_texts(values: pd.Series) -> list[str | None]:
    """Areas in m² as ``1.234`` (rounded to the metre), None when missing."""
    return _each_distinct(_whole_metres(values), fmt_number)


def _chainage_texts(parcels: pd.DataFrame) -> list[str | None]:
    """``Km3+700`` for linear-project parcels, None for the others."""
    chainage = pd.to_numeric(_column(parcels, "chainage_m", float("nan")), errors="coerce").astype(float).to_numpy()
    keys = np.where(chainage >= 0, np.rint(chainage), chainage)   # a negative one raises in format_chainage
    return _each_distinct(keys, lambda v: format_chainage(float(v)))


def _stage_date_codes(parcels: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """(per parcel the index of its ``stage_date`` text, -1 without one; the distinct ``dd/mm/yyyy`` texts in
    order of first appearance)."""
    dates = pd.to_datetime(parcels["stage_date"], errors="coerce") if "stage_date" in parcels else \
        pd.Series(pd.NaT, index=parcels.index)
    codes, days = pd.factorize(dates)  # a few hundred distinct days among thousands of parcels: format each once
    text_codes, texts = pd.factorize(pd.Series([fmt_date(day) for day in days], dtype=object))  # one text a day
    return np.append(text_codes, -1)[codes], [str(t) for t in texts]


def _stage_dates(parcels: pd.DataFrame) -> list[str | None]:
    """``stage_date`` as ``dd/mm/yyyy``, None when the parcel has no stage date."""
    codes, texts = _stage_date_codes(parcels)
    return np.array([*texts, None], dtype=object)[codes].tolist()


def _stage_date_column(parcels: pd.DataFrame) -> list | dict:
    """:func:`_stage_dates` as :func:`mapview.encode.columnar` encodes it (dictionary-encoded when shorter),
    from the codes directly instead of through 500 000 texts."""
    codes, texts = _stage_date_codes(parcels)
    if not texts or len(texts) * 2 > len(codes):
        return np.array([*texts, None], dtype=object)[codes].tolist()
    return {"dict": texts, "codes": codes.tolist()}


def _flag_combinations(parcels: pd.DataFrame) -> tuple[list[str], list[list[int]], np.ndarray]:
    """(labels of the distinct risk-flag codes in order of first appearance, HTML-escaped; the flag indices of
    each distinct combination of flags, in order of first appearance; the combination of each parcel).

    A code first appears in the first parcel that has it, whose combination is then new: walking the
    combinations in order gives the order of walking the parcels."""
    flags = _column(parcels, "risk_flags", None, dtype=object).tolist()
    keys = pd.Series([() if codes is None or isinstance(codes, float) else tuple(codes) for codes in flags],
                     dtype=object)
    codes, combinations = pd.factorize(keys)
    position: dict[str, int] = {}
    indices = [[position.setdefault(code, len(position)) for code in combination] for combination in combinations]
    return [html.escape(risk_flag_label(code)) for code in position], indices, codes


def _flag_index(parcels: pd.DataFrame) -> tuple[list[str], list[list[int]]]:
    """(labels of the distinct risk-flag codes in order of first appearance, HTML-escaped; per parcel
    the indices of its flags in that list)."""
    labels, indices, codes = _flag_combinations(parcels)
    return labels, [list(indices[c]) for c in codes.tolist()]


def _note_bits(parcels: pd.DataFrame, projects: pd.DataFrame) -> np.ndarray:
    """``x``: 1 illustrative parcel, 2 parcel of a project with approximate geometry."""
    approximate = set(projects.loc[projects["geometry_status"] == "approximate", "project_id"])
    illustrative = _column(parcels, "illustrative", False).fillna(False).astype(bool)
    return (ILLUSTRATIVE_BIT * illustrative.astype(int)
            + APPROXIMATE_BIT * parcels["project_id"].isin(approximate).astype(int)).to_numpy()


def _owner_names(parcels: pd.DataFrame) -> list[str | None]:
    return _each_distinct(_column(parcels, "owner_name", None, dtype=object),
                          lambda v: html.escape(v.strip()) if isinstance(v, str) and v.strip() else None)


def parcel_properties(parcels: gpd.GeoDataFrame, projects: pd.DataFrame, *,
                      include_personal_data: bool = False) -> tuple[pd.DataFrame, dict]:
    """Compact per-parcel properties for the map and the lookup tables they index.

    Parameters
    ----------
    parcels : GeoDataFrame
        Snapshot parcels (see :func:`mapview.build_map`): ``project_id``, ``commune``, ``map_sheet``,
        ``parcel_number``, ``land_use``, ``area_to_recover_m2`` (m²); optional ``commune_former``,
        ``parcel_area_m2`` (m²), ``chainage_m`` (m), ``stage``, ``stage_date``, ``risk_flags`` (list of
        codes), ``at_risk``, ``illustrative``, ``owner_name``.
    projects : DataFrame
        ``project_id``, ``short_name``, ``geometry_status``.
    include_personal_data : bool, default False
        Add ``o``, the ``owner_name`` (personal data, HTML-escaped; None when missing). Without it
        no owner name is written into the map at all.

    Returns
    -------
    props : DataFrame, same index as ``parcels``
        ``s`` stage rank (index in ``STAGES``), ``r`` 1 if at risk, ``p`` project index, ``c`` commune
        index (pair 2025 commune, former commune), ``m`` map sheet, ``n`` parcel number (int; escaped
        text if not a number), ``u`` land-use
        code, ``a`` / ``A`` area to recover / parcel area in m² as text ``1.234``, ``k`` chainage
        ``Km3+700`` or None, ``d`` stage date ``dd/mm/yyyy`` or None, ``f`` list of flag indices,
        ``x`` bit mask (1 illustrative, 2 approximate project geometry); ``o`` owner name only with
        ``include_personal_data``. All text is HTML-escaped.
    tables : dict
        ``stages``, ``colours``, ``projects``, ``communes`` ([2025 name, former name]), ``land_use``
        (code → name), ``flags`` (labels) — what the indices refer to; labels from :mod:`vocab.labels`.

    Raises
    ------
    KeyError
        If ``parcels`` lacks one of the required columns.
    """
    project_ids, project_idx = _project_index(parcels, projects)
    communes, commune_idx = _commune_index(parcels)
    flag_labels, flag_idx = _flag_index(parcels)
    props = pd.DataFrame(index=parcels.index)
    props["s"] = _stage_ranks(parcels)
    props["r"] = _at_risk(parcels)
    props["p"] = project_idx
    props["c"] = commune_idx
    props["m"] = _integers(parcels["map_sheet"])
    props["n"] = _integers(parcels["parcel_number"])
    props["u"] = _land_use_codes(parcels)
    props["a"] = _area_texts(parcels["area_to_recover_m2"])
    props["A"] = _area_texts(parcels["parcel_area_m2"]) if "parcel_area_m2" in parcels else None
    props["k"] = _chainage_texts(parcels)
    props["d"] = _stage_dates(parcels)
    props["f"] = flag_idx
    props["x"] = _note_bits(parcels, projects)
    if include_personal_data:
        props["o"] = _owner_names(parcels)
    short = dict(zip(projects["project_id"], projects["short_name"]))
    tables = {
        "stages": [html.escape(STAGE_LABELS_VI[s]) for s in STAGES],
        "colours": [STAGE_COLOURS[s] for s in STAGES],
        "projects": [html.escape(str(short.get(p, p))) for p in project_ids],
        "communes": communes,
        "land_use": {code: html.escape(name) for code, name in LAND_USE_LABELS_VI.items()},
        "flags": flag_labels,
    }
    return props, tables

