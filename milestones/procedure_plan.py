"""The project's procedure plan in the schedule computations: planned date and lead body of each stage.

The plan is the steps sheet of the household × step matrix, stored as the ``procedure`` register
(``procedure_steps``, migration 0014: ``step_code``, ``lead_body``, ``planned_date``, ``actual_date`` and
``stage`` = the step's target stage, ``flag:<flag>`` or NULL). The rule:

1. **Stage plan**: per project × target stage, the steps whose ``stage`` is that stage give the stage's
   **planned date** (the earliest planned date among them: the first of them done reaches the stage) and its
   **lead body** (that of the first of them, in planned-date then step-code order, that names one). Flag steps
   (``flag:…``) and unmapped steps give neither.
2. **Next stage**: a parcel at stage *k* is not yet at stage *k + 1*; its next action (the step to that stage,
   :data:`domain.blockers.NEXT_ACTION_BY_STAGE`) takes the plan's date and body of stage *k + 1*:
   ``planned_date``, ``days_behind_plan`` = calendar days from the planned date to the as-of date when the date
   has passed (0 otherwise), and ``responsible`` = the lead body (the ``responsible`` table of ``rules.yaml``
   stays the fallback when the plan names none). Settling a complaint is no plan step: it keeps its body.
3. A step done (``actual_date``) does not move any parcel: the ledger stays the source of parcel stages; the
   plan only gives dates and bodies. A project without a plan is computed exactly as before.

A lead body written the way offices write it (``TTPTQĐ``, ``UBND xã``, ``Phòng TN&MT``, ``Ban QLDA``,
``UBND huyện``) becomes the body code of :data:`domain.blockers.BODIES`, so the overdue-per-body table groups it
with the same body of the fallback table; any other text is kept as written (the views show it as is).

Everything is a join on (project, stage): no per-parcel Python loop.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from domain.blockers import RESOLVE_COMPLAINT
from domain.stages import HANDED_OVER_RANK, STAGE_RANK, STAGES, stage_ranks
from milestones.events import to_timestamp
from parsing.text import fold_key, is_blank

#: Columns of :func:`stage_plan`.
STAGE_PLAN_COLUMNS: tuple[str, ...] = ("project_id", "stage", "planned_date", "lead_body")

#: Columns :func:`next_stage_plan` gives (and :func:`with_plan` adds to a frame).
PLAN_COLUMNS: tuple[str, ...] = ("planned_date", "days_behind_plan")

#: Folded spellings (``parsing.text.fold_key``) of the bodies of ``domain.blockers.BODIES``: a lead body
#: whose folded text starts with one of them is that body.
BODY_SPELLINGS: dict[str, tuple[str, ...]] = {
    "ttptqd": ("ttptqd", "trungtamphattrienquydat", "ttpttqd", "ttqd"),
    "ubnd_xa": ("ubndxa", "ubndphuong", "ubndthitran", "ubndcapxa", "uybannhandanxa", "uybannhandanphuong",
                "uybannhandanthitran"),
    "phong_tnmt": ("phongtnmt", "phongtnvamt", "phongtainguyenvamoitruong", "phongtainguyenmoitruong", "tnmt"),
    "ban_qlda": ("banqlda", "banquanlyduan", "bqlda"),
    "ubnd_huyen": ("ubndhuyen", "uybannhandanhuyen"),
}


def body_code(text: object) -> str | None:
    """The body code of a lead body as written (``"TTPTQĐ"`` → ``ttptqd``), the stripped text when it names
    no known body, None when blank."""
    if is_blank(text):
        return None
    key = fold_key(text)
    for code, spellings in BODY_SPELLINGS.items():
        if key == code.replace("_", "") or key.startswith(spellings):
            return code
    return str(text).strip()


def store_procedure(store) -> pd.DataFrame | None:
    """The ``procedure`` register of ``store`` (the procedure plans), or None for a reader without registers."""
    read = getattr(store, "register", None)
    return None if read is None else read("procedure")


def stage_plan(steps: pd.DataFrame | None) -> pd.DataFrame:
    """Planned date and lead body per project × target stage (rule 1 of the module docstring).

    Parameters
    ----------
    steps : DataFrame or None
        The ``procedure`` register (``project_id``, ``step_code``, ``stage``, ``planned_date``, ``lead_body``).

    Returns
    -------
    DataFrame
        :data:`STAGE_PLAN_COLUMNS`: ``stage`` a stage code after ``not_started``, ``planned_date`` a Timestamp
        (NaT when no step of the stage has one), ``lead_body`` a body code, the text as written, or None.
        Empty when there is no plan.
    """
    if steps is None or steps.empty or "stage" not in steps.columns:
        return pd.DataFrame(columns=list(STAGE_PLAN_COLUMNS))
    targeted = steps[steps["stage"].isin(STAGES[1:])]
    frame = pd.DataFrame({
        "project_id": targeted["project_id"].to_numpy(), "stage": targeted["stage"].to_numpy(),
        "planned_date": pd.to_datetime(targeted["planned_date"], errors="coerce").to_numpy(),
        "lead_body": [body_code(b) for b in targeted.get("lead_body", pd.Series([None] * len(targeted)))],
        "step_code": targeted["step_code"].astype(str).to_numpy(),
    })
    frame = frame.sort_values(["project_id", "stage", "planned_date", "step_code"], na_position="last", kind="stable")
    out = frame.groupby(["project_id", "stage"], as_index=False, sort=False)[["planned_date", "lead_body"]].first()
    return out.reindex(columns=list(STAGE_PLAN_COLUMNS)).reset_index(drop=True)


def next_stage_plan(project_id, stage, plan: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The plan of each unit's next stage (rule 2), row for row with ``project_id`` and ``stage``.

    Parameters
    ----------
    project_id, stage : array-like
        Per row (parcel, clock): the project and the current stage code.
    plan : DataFrame
        :func:`stage_plan`.
    as_of : date

    Returns
    -------
    DataFrame
        Same length and order, index 0…n-1: ``planned_date`` (date or None), ``days_behind_plan`` (int, calendar
        days past the planned date, 0 when not past or no date), ``lead_body`` (code, text or None). A handed-over
        row, a project without a plan or a stage the plan does not target gives None / 0 / None.
    """
    stages = np.asarray(stage, dtype=object)
    n = len(stages)
    if plan.empty or n == 0:
        return pd.DataFrame({"planned_date": pd.Series([None] * n, dtype=object),
                             "days_behind_plan": np.zeros(n, dtype="int64"),
                             "lead_body": pd.Series([None] * n, dtype=object)})
    # The plan as a (project × stage) grid, gathered by integer codes: a handful of cells, no per-row object work.
    projects = pd.Index(pd.unique(plan["project_id"].to_numpy(dtype=object)))
    row = projects.get_indexer(pd.Index(np.asarray(project_id, dtype=object)))
    rank = stage_ranks(stages)
    column = np.where((rank >= 0) & (rank < HANDED_OVER_RANK), rank + 1, 0)   # 0: no next stage
    known = (row >= 0) & (column > 0)
    planned = pd.to_datetime(plan["planned_date"], errors="coerce")
    days = (to_timestamp(as_of) - planned).dt.days.clip(lower=0).fillna(0).to_numpy(dtype="int64")
    cells = (projects.get_indexer(plan["project_id"]), plan["stage"].map(STAGE_RANK).to_numpy(dtype="int64"))
    grid_date = np.full((len(projects), len(STAGES)), None, dtype=object)
    grid_days = np.zeros((len(projects), len(STAGES)), dtype="int64")
    grid_body = np.full((len(projects), len(STAGES)), None, dtype=object)
    grid_date[cells] = [d.date() if not pd.isna(d) else None for d in planned]
    grid_days[cells] = days
    grid_body[cells] = [b if not is_blank(b) else None for b in plan["lead_body"]]
    r, c = np.where(known, row, 0), column
    return pd.DataFrame({
        "planned_date": pd.Series(np.where(known, grid_date[r, c], None), dtype=object),
        "days_behind_plan": np.where(known, grid_days[r, c], 0).astype("int64"),
        "lead_body": pd.Series(np.where(known, grid_body[r, c], None), dtype=object),   # None, not NaN
    })


def with_plan(frame: pd.DataFrame, plan: pd.DataFrame, as_of: date, *, action_column: str = "action") -> pd.DataFrame:
    """``frame`` (rows with ``project_id``, ``stage``, ``responsible`` and ``action_column``) with the plan of its
    next stage: :data:`PLAN_COLUMNS` added, ``responsible`` the plan's lead body where it names one. Rows whose
    action is settling a complaint keep their body and get no planned date (no plan step)."""
    out = frame.copy()
    ahead = next_stage_plan(out["project_id"].to_numpy(), out["stage"].to_numpy(), plan, as_of)
    stage_step = (out[action_column] != RESOLVE_COMPLAINT).to_numpy()
    out["planned_date"] = np.where(stage_step, ahead["planned_date"].to_numpy(), None)
    out["days_behind_plan"] = np.where(stage_step, ahead["days_behind_plan"].to_numpy(), 0).astype("int64")
    lead = ahead["lead_body"].to_numpy()
    use = stage_step & pd.notna(lead)
    if use.any():
        out["responsible"] = np.where(use, lead, out["responsible"].to_numpy(dtype=object))
    return out
