"""The blocking rows built one frame per milestone, then concatenated: what :mod:`milestones.blockers` did
before it built one joined frame (``_joined_frame``, issue 13); kept as the reference of that frame."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from milestones.blockers import _ACTION_OF_RANK, BLOCKER_COLUMNS, _repeated, obstacle_lists


def blocking_frames_per_milestone(cand, parts) -> pd.DataFrame:
    """A ``frame_of`` for :func:`milestones.blockers.chosen_frame`: one frame per milestone, concatenated."""
    return _concat_chosen([_unit_frame(cand, p.rows, p.units, p.cumulative, p.ms) for p in parts])


def _unit_frame(cand, rows: np.ndarray, units: dict, cumulative: np.ndarray,
                ms: Mapping[str, Any]) -> pd.DataFrame:
    """The :data:`BLOCKER_COLUMNS` rows of one milestone's chosen units (``rows``: each unit's first parcel)."""
    n = len(rows)
    taken = {c: cand.columns[c].take(rows).reset_index(drop=True) for c in cand.columns}
    # Next action and its body per stage rank (the state's stage is STAGES[stage_rank]): a take, no map.
    action = _ACTION_OF_RANK[cand.stage_rank[rows]]
    body = np.array([cand.responsible.get(a, np.nan) if isinstance(a, str) else np.nan for a in _ACTION_OF_RANK],
                    dtype=object)[cand.stage_rank[rows]]
    unit_id = taken["parcel_id"] if units["unit"] == "parcel" else units["unit_id"]
    return pd.DataFrame({
        "milestone_id": _repeated(ms["milestone_id"], n), "project_id": _repeated(ms["project_id"], n),
        "rank": np.arange(1, n + 1), "unit": _repeated(units["unit"], n), "unit_id": unit_id,
        "parcel_id": taken["parcel_id"], "parcel_ids": units["parcel_ids"],
        "commune": taken["commune"], "commune_former": taken["commune_former"],
        "chainage_m": cand.chainage_m[rows], "area_to_recover_m2": units["area_to_recover_m2"],
        "stage": taken["stage"], "expected_days": units["expected_days"], "next_action": action,
        "responsible": np.where(pd.notna(cand.lead_body[rows]), cand.lead_body[rows], body),
        "next_deadline": cand.next_deadline[rows], "days_overdue": cand.days_overdue[rows],
        "planned_date": cand.planned_date[rows], "days_behind_plan": cand.days_behind_plan[rows],
        "obstacles": obstacle_lists(units["bits"]),
        "cumulative_area_m2": cumulative, "cumulative_units": np.arange(1, n + 1),
    }, columns=list(BLOCKER_COLUMNS))


def _concat_chosen(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=list(BLOCKER_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(BLOCKER_COLUMNS)]
