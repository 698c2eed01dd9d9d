"""Figures of the people side at an as-of date, for the pages, the overview cards and the Excel report.

One call, :func:`people_figures`, reads the registers of a store (no personal data) and returns codes and
numbers only (words: ``vocab.people``): the payment status of every plan (Land Law 2024 art. 94 deadline,
:mod:`milestones.payments`; a treasury deposit of a refusing household stops its clock), the households that
refuse the money (invitations 1–3, deposit, art. 94(5)), the funds the approved plans need against the
investor's transfers, the project's procedure plan (the matrix's steps sheet: planned and actual dates, lead
body, minimum days; steps behind plan), totals per project and commune, the complaint clocks (:mod:`milestones.complaints`),
overdue letters per competent body, monthly counts, and the resettlement lots with their allocation from the
latest draw (:mod:`milestones.resettlement`), the construction of the resettlement areas at ``as_of`` (planned vs
actual completion, days late: :mod:`milestones.area_progress`) and their progress history. Plans take the
commune of their household.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from domain.people import PAYMENT_REFUSAL_STEPS, REGISTER_COLUMNS, REGISTER_FLOAT_COLUMNS
from domain.stages import STAGES
from milestones.area_progress import HISTORY_COLUMNS, area_progress, progress_history
from milestones.complaints import complaint_clock, complaint_limits, monthly_counts, overdue_by_body
from milestones.payments import (
    PLAN_KEY,
    funds_balance,
    overdue,
    payment_deadline_days,
    payment_status,
    payment_totals,
    refusal_state,
)
from milestones.resettlement import lot_allocation

#: Columns of ``store.lottery_draws()`` (kept here: milestones reads the store through its methods only).
DRAW_COLUMNS = ("draw_id", "area_id", "recorded_at", "recorded_by", "seed", "eligible_sha256", "lots_sha256",
                "inputs_sha256", "draw_sha256", "result", "reason", "supersedes_draw_id")


@dataclass(frozen=True)
class PeopleFigures:
    """See the module docstring; every frame may be empty (a store without registers)."""

    as_of: date
    households: pd.DataFrame      # the households register, without personal data
    payments: pd.DataFrame        # payment_status per plan (+ ``paid`` bool)
    payment_totals: pd.DataFrame  # payment_totals per project and commune
    refusals: pd.DataFrame        # plans whose household was invited / deposited (refusal_state + status columns)
    funds: pd.DataFrame           # funds_balance per project (needed, transferred, shortfall VND)
    procedure: pd.DataFrame       # the procedure plan per project and step (+ days_behind, overdue)
    register_progress: pd.DataFrame  # per project and stage: households and register area (the matrix's stages)
    letters: pd.DataFrame         # complaint_clock per letter received by as_of
    overdue_by_body: pd.DataFrame
    monthly: pd.DataFrame         # monthly_counts per project and commune
    areas: pd.DataFrame           # resettlement areas (no geometry) with lot counts, status and days_late
    lots: pd.DataFrame            # lots with lot_id, allocated_to, allocated
    draws: pd.DataFrame
    # the construction percent of each area per register version (milestones.area_progress.progress_history)
    area_history: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(HISTORY_COLUMNS)))

    def for_projects(self, project_ids) -> PeopleFigures:
        """The same figures restricted to ``project_ids`` (all when empty); overdue-per-body recounted."""
        if not project_ids:
            return self
        wanted = set(project_ids)

        def keep(frame: pd.DataFrame) -> pd.DataFrame:
            return frame[frame["project_id"].isin(wanted)] if "project_id" in frame.columns else frame

        areas = keep(self.areas)
        lots = self.lots[self.lots["area_id"].isin(set(areas["area_id"]))] if len(self.lots) else self.lots
        draws = self.draws[self.draws["area_id"].isin(set(areas["area_id"]))] if len(self.draws) else self.draws
        letters = keep(self.letters)
        return replace(self, households=keep(self.households), payments=keep(self.payments),
                       payment_totals=keep(self.payment_totals), refusals=keep(self.refusals),
                       funds=keep(self.funds), procedure=keep(self.procedure),
                       register_progress=keep(self.register_progress), letters=letters,
                       overdue_by_body=overdue_by_body(letters), monthly=keep(self.monthly), areas=areas, lots=lots,
                       draws=draws,
                       area_history=self.area_history[self.area_history["area_id"].isin(set(areas["area_id"]))])

    def cards(self, project_id: str | None = None) -> dict[str, int]:
        """Overview figures (of one project when given): ``households_paid``, ``households_to_pay`` (approved
        plans not paid in full), ``households_late``, ``households_refusing`` (invited or deposited, not paid
        in full), ``households_deposited`` (money at the treasury), ``open_complaints``, ``overdue_complaints``,
        ``lots_allocated``, ``lots_total``."""
        pay, let, lots, ref = self.payments, self.letters, self.lots, self.refusals
        if project_id is not None:
            pay = pay[pay["project_id"] == project_id]
            ref = ref[ref["project_id"] == project_id]
            let = let[let["project_id"] == project_id]
            areas = set(self.areas.loc[self.areas["project_id"] == project_id, "area_id"])
            lots = lots[lots["area_id"].isin(areas)]
        return {"households_paid": int(pay["paid"].sum()), "households_to_pay": int((~pay["paid"]).sum()),
                "households_late": int(overdue(pay).sum()),
                "households_refusing": int((~ref["paid"]).sum()),
                "households_deposited": int((ref["deposited_on"].notna() & ~ref["paid"]).sum()),
                "open_complaints": int(let["open"].sum()), "overdue_complaints": int(let["overdue"].sum()),
                "lots_allocated": int(lots["allocated"].sum()), "lots_total": len(lots)}


def _approved_plans(plans: pd.DataFrame, households: pd.DataFrame, as_of: date) -> pd.DataFrame:
    effective = pd.to_datetime(plans["effective_date"], errors="coerce")
    approved = plans[effective.notna() & (effective <= pd.Timestamp(as_of))]
    communes = households[["project_id", "household_id", "commune"]]
    return approved.merge(communes, on=["project_id", "household_id"], how="left")


def _area_table(areas: pd.DataFrame, lots: pd.DataFrame, as_of: date) -> pd.DataFrame:
    progress = area_progress(areas, as_of)[["area_id", "complete", "status", "days_late"]]
    areas = areas.merge(progress, on="area_id", how="left")
    counts = lots.groupby("area_id").agg(lots_total=("lot_id", "count"), lots_allocated=("allocated", "sum"),
                                         lots_area_m2=("area_m2", "sum"))
    out = areas.drop(columns=["geometry_wkt", "geometry"], errors="ignore").merge(
        counts, left_on="area_id", right_index=True, how="left")
    for column in ("lots_total", "lots_allocated"):
        out[column] = out[column].fillna(0).astype(int)
    return out


#: Columns of :attr:`PeopleFigures.refusals`.
REFUSAL_COLUMNS = (*PLAN_KEY, "commune", "refusal_step", "refusal_step_date", "deposited_on", "amount_approved_vnd",
                   "amount_due_vnd", "paid", "days_late")


def _refusal_table(status: pd.DataFrame, refusals: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Approved plans whose household reached a refusal step by ``as_of`` (furthest step, its date, the deposit),
    with their payment figures; most advanced step first. Refusals of a plan not yet approved are left out."""
    steps = refusal_state(refusals, as_of)
    out = status.drop(columns=["refusal_step", "deposited_on"]).merge(steps, on=PLAN_KEY, how="inner")
    out = out.assign(rank=out["refusal_step"].map(PAYMENT_REFUSAL_STEPS.index))
    out = out.sort_values(["rank", "refusal_step_date", *PLAN_KEY], ascending=[False, True, True, True])
    return out.reindex(columns=list(REFUSAL_COLUMNS)).reset_index(drop=True)


def procedure_plan(steps: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The stored procedure plan (register ``procedure``) at ``as_of``, in step order per project.

    A step is ``done`` when its actual date is on or before ``as_of``; ``overdue`` when it is not done and its
    planned date has passed; ``days_behind`` (int) counts the days from the planned date to the actual date
    (done late) or to ``as_of`` (overdue), 0 otherwise.
    """
    out = steps.sort_values(["project_id", "step_code"]).reset_index(drop=True)
    planned = pd.to_datetime(out["planned_date"], errors="coerce")
    actual = pd.to_datetime(out["actual_date"], errors="coerce")
    day = pd.Timestamp(as_of)
    out["done"] = (actual.notna() & (actual <= day)).to_numpy()
    out["overdue"] = (~out["done"] & planned.notna() & (planned < day)).to_numpy()
    stop = actual.where(out["done"], day)
    out["days_behind"] = (stop - planned).dt.days.clip(lower=0).fillna(0).astype(int).to_numpy()
    return out


#: Columns of :func:`register_progress`.
REGISTER_PROGRESS_COLUMNS = ("project_id", "stage", "households", "area_m2", "percent_area")


def register_progress(households: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Progress by the register (a project known only by its register, or beside the map): per project and
    stage, the households whose matrix stage is that stage and their register area (m²).

    A household's stage is the one the last household × step matrix gave it (its least advanced row); a stage
    dated after ``as_of`` does not count yet (the household is left out: its earlier stage is not known).
    ``percent_area`` is the stage's share of the project's register area of the households with a stage.
    Households without a stage (registers other than the matrix) are not counted.
    """
    if households.empty or "stage" not in households:
        return pd.DataFrame(columns=list(REGISTER_PROGRESS_COLUMNS))
    staged = households[households["stage"].notna()]
    dated = pd.to_datetime(staged["stage_date"], errors="coerce")
    staged = staged[dated.isna() | (dated <= pd.Timestamp(as_of))]
    out = staged.groupby(["project_id", "stage"], as_index=False).agg(
        households=("household_id", "nunique"), area_m2=("area_m2", "sum"))
    total = out.groupby("project_id")["area_m2"].transform("sum")
    out["percent_area"] = (100 * out["area_m2"] / total.where(total > 0)).fillna(0.0)
    out = out.assign(rank=out["stage"].map(lambda s: STAGES.index(s) if s in STAGES else len(STAGES)))
    return out.sort_values(["project_id", "rank"]).reindex(columns=list(REGISTER_PROGRESS_COLUMNS)).reset_index(drop=True)


#: The registers :func:`read_people` reads (``store.register`` names).
PEOPLE_REGISTERS = ("households", "plans", "refusals", "payments", "complaints", "transfers", "procedure", "lots",
                    "areas")


@dataclass(frozen=True)
class PeopleRegisters:
    """What :func:`people_figures` reads from a store, whatever the as-of date: ``rules``, ``registers``
    (name → frame, :data:`PEOPLE_REGISTERS`), the lottery ``draws`` and the ``area_history``. Read-only: the
    dashboard keeps one per data version and computes every date from it (:func:`people_at`)."""

    rules: dict
    registers: dict[str, pd.DataFrame]
    draws: pd.DataFrame
    area_history: pd.DataFrame


def read_people(store, rules: dict | None = None) -> PeopleRegisters:
    """The registers of ``store`` (no personal data) and its rules (``rules`` default ``store.rules()``);
    a reader without registers (a test double) gives empty ones."""
    rules = (store.rules() if hasattr(store, "rules") else {}) if rules is None else rules

    def read(register: str) -> pd.DataFrame:
        if hasattr(store, "register"):
            return store.register(register)
        return registers_frame(register)

    draws = store.lottery_draws() if hasattr(store, "lottery_draws") else pd.DataFrame(columns=list(DRAW_COLUMNS))
    history = progress_history(store.register_versions("areas")) if hasattr(store, "register_versions") \
        else pd.DataFrame(columns=list(HISTORY_COLUMNS))
    return PeopleRegisters(rules=rules, registers={name: read(name) for name in PEOPLE_REGISTERS}, draws=draws,
                           area_history=history)


def people_figures(store, as_of: date, rules: dict | None = None) -> PeopleFigures:
    """Every people-side figure at ``as_of`` from ``store`` (module docstring); ``rules`` default ``store.rules()``:
    ``people_at(read_people(store, rules), as_of)``.

    Raises
    ------
    ValueError
        A rule of ``payments`` or ``complaints`` in ``rules.yaml`` that is not valid (Vietnamese message).
    """
    return people_at(read_people(store, rules), as_of)


def people_at(registers: PeopleRegisters, as_of: date) -> PeopleFigures:
    """:func:`people_figures` at ``as_of`` from registers already read (:func:`read_people`); they are not
    modified. Raises as :func:`people_figures`."""
    rules, read = registers.rules, registers.registers
    households = read["households"]
    plans = _approved_plans(read["plans"], households, as_of)
    refusals = read["refusals"]
    status = payment_status(plans, read["payments"], as_of, refusals=refusals,
                            deadline_days=payment_deadline_days(rules))
    status["paid"] = status["paid_on"].notna()
    letters = read["complaints"]
    clock = complaint_clock(letters, as_of, complaint_limits(rules))
    draws = registers.draws
    draws = draws[pd.to_datetime(draws["recorded_at"], utc=True).dt.date <= as_of] if len(draws) else draws
    lots = lot_allocation(read["lots"], draws)
    return PeopleFigures(
        as_of=as_of, households=households, payments=status,
        payment_totals=payment_totals(status) if len(status) else pd.DataFrame(),
        refusals=_refusal_table(status, refusals, as_of),
        funds=funds_balance(plans, read["transfers"], as_of),
        procedure=procedure_plan(read["procedure"], as_of),
        register_progress=register_progress(households, as_of),
        letters=clock, overdue_by_body=overdue_by_body(clock), monthly=monthly_counts(letters, as_of),
        areas=_area_table(read["areas"], lots, as_of), lots=lots, draws=draws, area_history=registers.area_history)


def registers_frame(register: str) -> pd.DataFrame:
    """An empty register with its columns and dtypes."""
    columns = list(REGISTER_COLUMNS[register])
    frame = pd.DataFrame({c: pd.Series(dtype="float64" if c in REGISTER_FLOAT_COLUMNS else object) for c in columns})
    return frame
