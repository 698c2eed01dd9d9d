"""Payment of compensation plans at an as-of date: deadlines, lateness, refused money, funds.

Rule (Land Law 2024 art. 94(1); Land Law 2013 art. 93(1)): compensation, support and resettlement
money is paid within 30 days of the approval decision taking effect. The number of days is configurable
(``payments.deadline_days`` in ``data/sources/rules.yaml``). A household that does not come for the money
is invited again (``invited_1`` … ``invited_3``); then the money is deposited to the custody account at
the State Treasury (``deposited``, art. 94(5)): the deposit stops the lateness clock, it is not a payment.

Frames (one row each; dates are ``datetime.date`` or anything ``pandas.to_datetime`` reads; amounts VND):

- plans: ``household_id``, ``project_id``, ``commune``, ``compensation_vnd``, ``support_vnd``,
  ``resettlement_vnd``, ``effective_date`` (the approval decision takes effect);
- payments: ``household_id``, ``project_id``, ``payment_date``, ``amount_vnd``, ``part`` (a code of
  ``domain.people.PLAN_PARTS``), ``receipt_number``;
- refusals: ``household_id``, ``project_id``, ``step`` (``domain.people.PAYMENT_REFUSAL_STEPS``), ``step_date``;
- handovers: ``household_id``, ``project_id``, ``handed_over_on``;
- transfers: ``project_id``, ``transfer_date``, ``amount_vnd`` (the investor's transfers to the centre).

Every function returns codes and numbers; rows dated after ``as_of`` are ignored.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

from domain.people import PAYMENT_REFUSAL_STEPS, PLAN_PARTS

#: Days from the approval decision taking effect to the payment deadline (Land Law 2024 art. 94(1)).
DEFAULT_DEADLINE_DAYS = 30
PLAN_KEY = ["project_id", "household_id"]
PART_COLUMNS = [f"{part}_vnd" for part in PLAN_PARTS]


def payment_deadline_days(rules: Mapping[str, Any] | None) -> int:
    """``payments.deadline_days`` of ``rules`` (the parsed ``rules.yaml``), default 30.

    Raises
    ------
    ValueError
        Not a positive whole number (Vietnamese message naming the key).
    """
    value = ((rules or {}).get("payments") or {}).get("deadline_days", DEFAULT_DEADLINE_DAYS)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0 or value != int(value):
        raise ValueError(f"rules.yaml: payments.deadline_days phải là số ngày nguyên dương, nhận được {value!r}")
    return int(value)


def _dates(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column, errors="coerce").dt.normalize()


def _upto(frame: pd.DataFrame, column: str, as_of: date) -> pd.DataFrame:
    frame = frame.assign(**{column: _dates(frame[column])})
    return frame[frame[column] <= pd.Timestamp(as_of)]


def _paid_on(payments: pd.DataFrame, approved: pd.DataFrame) -> pd.DataFrame:
    """Per plan key, ``paid_on``: the date the running total of payments first reached the approved amount."""
    ordered = payments.sort_values("payment_date", kind="stable").merge(approved, on=PLAN_KEY, how="inner")
    running = ordered.groupby(PLAN_KEY)["amount_vnd"].cumsum()
    reached = ordered[running >= ordered["amount_approved_vnd"] - 0.5]  # half a đồng: amounts are whole đồng
    return reached.groupby(PLAN_KEY, as_index=False)["payment_date"].min().rename(columns={"payment_date": "paid_on"})


def payment_status(plans: pd.DataFrame, payments: pd.DataFrame, as_of: date, *,
                   refusals: pd.DataFrame | None = None, deadline_days: int = DEFAULT_DEADLINE_DAYS) -> pd.DataFrame:
    """One row per plan: what is approved, paid and due, the deadline and the days late at ``as_of``.

    Returns
    -------
    DataFrame
        ``project_id``, ``household_id``, ``commune``, ``amount_approved_vnd`` (sum of the three parts),
        ``amount_paid_vnd``, ``amount_due_vnd`` (≥ 0), ``deadline`` (Timestamp: effective date +
        ``deadline_days``; NaT while the decision has no effective date), ``paid_on`` (the day the total
        paid reached the approved amount, else NaT), ``deposited_on`` (treasury deposit, else NaT),
        ``days_late`` (int: days from the deadline to ``paid_on``, to ``deposited_on``, or to ``as_of``
        while neither; 0 when on time), ``late`` (bool), ``refusal_step`` (latest refusal step code or None).
    """
    out = plans[PLAN_KEY + ["commune"]].reset_index(drop=True)
    out["amount_approved_vnd"] = plans[PART_COLUMNS].fillna(0).sum(axis=1).astype(float).to_numpy()
    out["deadline"] = (_dates(plans["effective_date"]) + pd.Timedelta(days=deadline_days)).to_numpy()
    paid = _upto(payments, "payment_date", as_of).astype({"amount_vnd": float})
    totals = paid.groupby(PLAN_KEY, as_index=False)["amount_vnd"].sum().rename(columns={"amount_vnd": "amount_paid_vnd"})
    steps = refusal_state(refusals, as_of) if refusals is not None else _no_refusals()
    out = (out.merge(totals, on=PLAN_KEY, how="left")
              .merge(_paid_on(paid, out[PLAN_KEY + ["amount_approved_vnd"]]), on=PLAN_KEY, how="left")
              .merge(steps[PLAN_KEY + ["refusal_step", "deposited_on"]], on=PLAN_KEY, how="left"))
    out["amount_paid_vnd"] = out["amount_paid_vnd"].fillna(0.0)
    out["amount_due_vnd"] = (out["amount_approved_vnd"] - out["amount_paid_vnd"]).clip(lower=0)
    for column in ("paid_on", "deposited_on"):
        out[column] = pd.to_datetime(out[column])
    stop = out["paid_on"].fillna(out["deposited_on"]).fillna(pd.Timestamp(as_of))
    out["days_late"] = (stop - out["deadline"]).dt.days.clip(lower=0).fillna(0).astype(int)
    out["late"] = out["days_late"] > 0
    out["refusal_step"] = out["refusal_step"].astype(object).where(out["refusal_step"].notna(), None)
    return out


def _no_refusals() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in PLAN_KEY + ["refusal_step"]}).assign(
        deposited_on=pd.Series(dtype="datetime64[ns]"))


def refusal_state(refusals: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Per plan key, the furthest refusal step reached by ``as_of`` and the deposit date.

    Returns
    -------
    DataFrame
        ``project_id``, ``household_id``, ``refusal_step`` (code), ``refusal_step_date``, ``deposited_on``.

    Raises
    ------
    ValueError
        A step that is not a code of :data:`domain.people.PAYMENT_REFUSAL_STEPS`.
    """
    unknown = set(refusals["step"].dropna()) - set(PAYMENT_REFUSAL_STEPS)
    if unknown:
        raise ValueError(f"bước từ chối nhận tiền không hợp lệ: {', '.join(sorted(map(str, unknown)))}")
    seen = _upto(refusals, "step_date", as_of)
    if seen.empty:
        return _no_refusals().assign(refusal_step_date=pd.Series(dtype="datetime64[ns]"))
    seen = seen.assign(rank=seen["step"].map(PAYMENT_REFUSAL_STEPS.index))
    last = seen.sort_values(["rank", "step_date"]).groupby(PLAN_KEY).tail(1)
    deposited = seen[seen["step"] == "deposited"].groupby(PLAN_KEY)["step_date"].min().rename("deposited_on")
    out = last[PLAN_KEY + ["step", "step_date"]].rename(columns={"step": "refusal_step", "step_date": "refusal_step_date"})
    return out.merge(deposited.reset_index(), on=PLAN_KEY, how="left").reset_index(drop=True)


def paid_not_handed_over(status: pd.DataFrame, handovers: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Plans paid in full (``status`` of :func:`payment_status`) whose household has not handed over by ``as_of``.

    Returns the rows of ``status`` with ``days_since_paid`` (int) added, longest waiting first.
    """
    done = _upto(handovers, "handed_over_on", as_of)[PLAN_KEY].drop_duplicates()
    paid = status[status["paid_on"].notna()]
    waiting = paid.merge(done, on=PLAN_KEY, how="left", indicator=True)
    waiting = waiting[waiting["_merge"] == "left_only"].drop(columns="_merge")
    waiting["days_since_paid"] = (pd.Timestamp(as_of) - waiting["paid_on"]).dt.days.astype(int)
    return waiting.sort_values(["days_since_paid"] + PLAN_KEY, ascending=[False, True, True]).reset_index(drop=True)


def funds_balance(plans: pd.DataFrame, transfers: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Per project: money the approved plans need against what the investor has transferred by ``as_of``.

    A plan counts once its approval decision has taken effect (``effective_date <= as_of``).

    Returns
    -------
    DataFrame
        ``project_id``, ``amount_needed_vnd``, ``amount_transferred_vnd``, ``shortfall_vnd`` (≥ 0).
    """
    approved = _upto(plans, "effective_date", as_of)
    needed = approved[PART_COLUMNS].fillna(0).sum(axis=1).groupby(approved["project_id"]).sum()
    sent = _upto(transfers, "transfer_date", as_of).groupby("project_id")["amount_vnd"].sum()
    out = pd.concat([needed.rename("amount_needed_vnd"), sent.rename("amount_transferred_vnd")], axis=1)
    out = out.fillna(0.0).astype(float).rename_axis("project_id").reset_index()
    out["shortfall_vnd"] = (out["amount_needed_vnd"] - out["amount_transferred_vnd"]).clip(lower=0)
    return out.sort_values("project_id").reset_index(drop=True)


def overdue(status: pd.DataFrame) -> pd.Series:
    """Plans whose payment is overdue at the as-of date: past the deadline and not paid in full (a plan paid
    late is done, not overdue). The one rule behind every "Hộ chi trả quá hạn" count."""
    return status["late"] & status["paid_on"].isna()


def payment_totals(status: pd.DataFrame, by: Sequence[str] = ("project_id", "commune")) -> pd.DataFrame:
    """Totals of :func:`payment_status` per ``by``: ``households``, ``households_paid``, ``households_late``
    (:func:`overdue`), ``amount_approved_vnd``, ``amount_paid_vnd``, ``amount_due_vnd``."""
    groups = status.assign(is_paid=status["paid_on"].notna(), is_overdue=overdue(status)).groupby(list(by))
    return groups.agg(households=("household_id", "nunique"), households_paid=("is_paid", "sum"),
                      households_late=("is_overdue", "sum"), amount_approved_vnd=("amount_approved_vnd", "sum"),
                      amount_paid_vnd=("amount_paid_vnd", "sum"), amount_due_vnd=("amount_due_vnd", "sum"),
                      ).reset_index()
