"""The per-parcel Python formatting of ``mapview.parcels`` and ``mapview.parcel_layer`` before issue 13's province
scale (500 000 parcels): one call of the formatter per parcel. Kept as the reference the vectorised helpers
(each distinct value formatted once, flags per distinct combination) are compared with
(``tests/mapview/test_parcels_fast.py``); not used by the product.
"""
from __future__ import annotations

import html
from typing import Any

import pandas as pd

from domain.stages import STAGES
from gis.chainage import format_chainage
from mapview.parcels import _column
from vocab.format import fmt_date, fmt_number, is_missing
from vocab.labels import risk_flag_label

_RANK = {stage: rank for rank, stage in enumerate(STAGES)}


def stage_ranks(parcels: pd.DataFrame) -> list[int]:
    return [_RANK.get(s, 0) for s in _column(parcels, "stage", "not_started").tolist()]


def project_index(parcels: pd.DataFrame, projects: pd.DataFrame) -> tuple[list, list[int]]:
    project_ids = list(projects["project_id"])
    known = set(project_ids)
    project_ids += [p for p in pd.unique(parcels["project_id"]) if p not in known]
    position = {p: i for i, p in reversed(list(enumerate(project_ids)))}
    return project_ids, [position[p] for p in parcels["project_id"].tolist()]


def integers(values: pd.Series) -> list[int | str | None]:
    return [None if is_missing(v) else _integer_or_text(v) for v in values.tolist()]


def _integer_or_text(value: Any) -> int | str:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return html.escape(str(value))


def land_use_codes(parcels: pd.DataFrame) -> list[str]:
    return [html.escape(str(v)) if isinstance(v, str) else "" for v in parcels["land_use"].tolist()]


def area_texts(values: pd.Series) -> list[str | None]:
    return [None if is_missing(v) else fmt_number(v) for v in pd.to_numeric(values, errors="coerce").tolist()]


def chainage_texts(parcels: pd.DataFrame) -> list[str | None]:
    chainage = _column(parcels, "chainage_m", float("nan"))
    return [None if pd.isna(v) else format_chainage(float(v)) for v in chainage.tolist()]


def flag_index(parcels: pd.DataFrame) -> tuple[list[str], list[list[int]]]:
    position: dict[str, int] = {}
    indices = []
    for codes in _column(parcels, "risk_flags", None, dtype=object).tolist():
        if codes is None or isinstance(codes, float):
            codes = []
        indices.append([position.setdefault(code, len(position)) for code in codes])
    return [html.escape(risk_flag_label(code)) for code in position], indices


def owner_names(parcels: pd.DataFrame) -> list[str | None]:
    owners = _column(parcels, "owner_name", None, dtype=object)
    return [html.escape(v.strip()) if isinstance(v, str) and v.strip() else None for v in owners]


def flag_values(parcels: pd.DataFrame, max_bits: int = 30) -> tuple[list[str], list]:
    labels, indices = flag_index(parcels)
    if len(labels) > max_bits:
        return labels, indices
    return labels, [sum(1 << i for i in idx) for idx in indices]


def stage_dates(parcels: pd.DataFrame) -> list[str | None]:
    dates = pd.to_datetime(parcels["stage_date"], errors="coerce") if "stage_date" in parcels else \
        pd.Series(pd.NaT, index=parcels.index)
    codes, days = pd.factorize(dates)
    texts = [fmt_date(day) for day in days]
    return [texts[code] if code >= 0 else None for code in codes.tolist()]
