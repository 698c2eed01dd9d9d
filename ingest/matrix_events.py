"""The household × step matrix as store rows: household register rows and ledger events per matched parcel.

Parcels of the matrix are text keys (``263A``); the store's cadastral parcels are matched by
``parcel_key(parcel_number) == key`` (:func:`parsing.parcel_keys.parcel_key`, the rule both sides use, so
a register's ``263a`` finds the map's ``263A``) within the project (and the commune, when the import names one, against
``commune`` or ``commune_former``). A key with no parcel, or with several (the same number on several map
sheets and no commune to tell them apart), is reported unmatched and gets no event.

Events (kind ``parcel``): for a matched parcel, one stage event per stage up to the parcel's stage (the
least advanced of its rows, :mod:`ingest.register_matrix`), dated the latest date its rows give for that
stage (a parcel shared by several households reaches a stage when the last of them does); a stage
without any date gets no event, except the parcel's own stage, dated the import day (said in the notes).
A branch flag (``enforced``, ``compulsory_inventory``) of any row gives a flag event, dated likewise.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from domain.stages import STAGE_RANK, STAGES
from parsing.parcel_keys import parcel_sort_key, try_parcel_key
from parsing.text import fold_key


@dataclass
class MatrixRows:
    """What a matrix brings to the store."""

    households: pd.DataFrame
    events: pd.DataFrame
    matched: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    undated: int = 0


HOUSEHOLD_ROW_COLUMNS = ["household_id", "project_id", "name", "address", "land_use", "commune", "parcel_keys",
                         "area_m2", "stage", "stage_date"]


def household_rows(table: pd.DataFrame, project_id: str, commune: str | None) -> pd.DataFrame:
    """One register row per household code (in the order the codes first appear): name, address, land use (first
    row), parcels (every key of its rows, once, in numeric order), area (sum, m²), and the stage of its least
    advanced row with that row's stage date (NaT when the file gives none; the first such row on a tie)."""
    valid = table[table["household_code"].notna()].reset_index(drop=True)
    if valid.empty:
        return pd.DataFrame(columns=HOUSEHOLD_ROW_COLUMNS)
    groups = valid.groupby("household_code", sort=False)
    first = groups.head(1).set_index("household_code")
    codes = first.index
    out = pd.DataFrame({"household_id": codes.to_numpy(dtype=object), "project_id": project_id,
                        "name": _column(first, "owner_name"), "address": _column(first, "address"),
                        "land_use": _column(first, "land_use"), "commune": commune,
                        "parcel_keys": _keys_by_household(valid).reindex(codes).map(
                            lambda v: v if isinstance(v, tuple) else ()).to_numpy(dtype=object),
                        # Series.sum per group, not groupby's own sum (Kahan): the stored areas stay bit for bit
                        # what earlier imports wrote, so re-importing a file changes no row
                        "area_m2": groups["area_m2"].agg(lambda v: float(v.sum())).reindex(codes).to_numpy(dtype=float)})
    if "stage_rank" in valid:
        worst = valid.sort_values("stage_rank", kind="stable").groupby("household_code", sort=False).head(1)
        worst = worst.set_index("household_code").reindex(codes)
        out["stage"], out["stage_date"] = _column(worst, "stage"), _column(worst, "stage_date")
    else:
        out["stage"], out["stage_date"] = None, None
    return out[HOUSEHOLD_ROW_COLUMNS]


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """``frame[name]`` as an object array (None for every row when the file has no such column)."""
    return frame[name].to_numpy(dtype=object) if name in frame else np.full(len(frame), None, dtype=object)


def _keys_by_household(valid: pd.DataFrame) -> pd.Series:
    """Per household code, the tuple of its rows' parcel keys, each once, in numeric order (``parcel_sort_key``)."""
    pairs = valid[["household_code", "parcel_keys"]].explode("parcel_keys").dropna(subset=["parcel_keys"])
    pairs = pairs.drop_duplicates()
    distinct = pd.unique(pairs["parcel_keys"])
    rank = dict(zip(sorted(distinct, key=parcel_sort_key), range(len(distinct)), strict=True))
    pairs = pairs.assign(_rank=pairs["parcel_keys"].map(rank)).sort_values("_rank", kind="stable")
    return pairs.groupby("household_code", sort=False)["parcel_keys"].agg(tuple)


def _parcel_index(parcels: pd.DataFrame, project_id: str, commune: str | None) -> dict[str, list[str]]:
    mine = parcels[parcels["project_id"] == project_id]
    if commune:
        wanted = fold_key(commune)
        in_commune = mine["commune"].map(fold_key).eq(wanted)
        if "commune_former" in mine:
            in_commune |= mine["commune_former"].fillna("").map(fold_key).eq(wanted)
        mine = mine[in_commune]
    index: dict[str, list[str]] = {}
    for number, parcel_id in zip(mine["parcel_number"], mine["parcel_id"], strict=True):
        key = try_parcel_key(number)
        if key is not None:
            index.setdefault(key, []).append(parcel_id)
    return index


def _latest(rows: pd.DataFrame, column: str):
    if column not in rows:
        return None
    dates = pd.to_datetime(rows[column], errors="coerce").dropna()
    return None if dates.empty else dates.max().date()


def _parcel_events(parcel_id: str, rows: pd.DataFrame, flag_codes: dict[str, list[str]], today: date,
                   base: dict) -> tuple[list[dict], int]:
    rank = int(rows["stage_rank"].min())
    events, undated = [], 0
    for stage in STAGES[1:rank + 1]:
        day = _latest(rows, f"{stage}_date")
        if day is None and STAGE_RANK[stage] == rank:
            day, undated = today, 1
        if day is not None:
            events.append({**base, "parcel_id": parcel_id, "event": stage, "event_date": day})
    for flag, codes in flag_codes.items():
        if flag in rows and rows[flag].any():
            days = [d for c in codes if (d := _latest(rows[rows[flag]], f"date_{c}"))]
            events.append({**base, "parcel_id": parcel_id, "event": flag, "event_date": max(days) if days else today})
    return events, undated


def matrix_rows(report, parcels: pd.DataFrame, *, project_id: str, commune: str | None, today: date,
                note: str) -> MatrixRows:
    """Household rows and ledger events of a :class:`ingest.register_matrix.RegisterMatrixReport`.

    Parameters
    ----------
    parcels : DataFrame
        The store's parcels (``parcel_id``, ``project_id``, ``commune``, ``commune_former``, ``parcel_number``).
    today : date
        Date of a stage reached without any date in the file.
    note : str
        ``note`` of every event (e.g. the file name).
    """
    table = report.table[report.table["household_code"].notna()]
    homes = household_rows(table, project_id, commune)
    index = _parcel_index(parcels, project_id, commune)
    flag_codes: dict[str, list[str]] = {}
    for code, target in report.mapping.items():
        if target and target.startswith("flag:"):
            flag_codes.setdefault(target.removeprefix("flag:"), []).append(code)
    exploded = table.explode("parcel_keys").dropna(subset=["parcel_keys"])
    out = MatrixRows(homes, pd.DataFrame())
    events: list[dict] = []
    base = {"kind": "parcel", "project_id": project_id, "note": note}
    for key, rows in exploded.groupby("parcel_keys", sort=False):
        found = index.get(str(key), [])
        if len(found) != 1:
            (out.ambiguous if found else out.unmatched).append(str(key))
            continue
        out.matched.append(str(key))
        parcel_events, undated = _parcel_events(found[0], rows, flag_codes, today, base)
        events += parcel_events
        out.undated += undated
    out.events = pd.DataFrame(events, columns=["kind", "project_id", "parcel_id", "event", "event_date", "note"])
    return out
