"""Resettlement (tái định cư): who may draw, which lots, and a lottery preview or commit over the store.

Eligible households of an area (Land Law 2024 art. 111; Decree 88/2024 art. 25): the households of the
area's project whose compensation plan is APPROVED at ``as_of`` (a decision number and an effective date
on or before ``as_of``) with a resettlement entitlement (a lot class, not ``none``), less those that already
hold a lot in the latest draw of ANOTHER area. Lots of the draw: the area's lots whose status is drawable
(``available``). A lot is allocated when the latest recorded draw of its area assigned it.

:func:`commit_draw` recomputes the inputs from the store at the moment of the commit, so the recorded
hashes are those of the data the draw used; the store records it (append-only; a redraw needs a reason).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from domain.people import DRAWABLE_LOT_STATUSES, NO_ENTITLEMENT
from milestones.lottery import LotteryError, LotteryResult, draw_lots


@dataclass(frozen=True)
class LotteryInputs:
    """An area and the two lists a draw takes (``eligible``: ``household_id``, ``entitlement_class``;
    ``lots``: ``lot_id``, ``lot_class``, ``lot_number``, ``area_m2``, ``price_vnd``)."""

    area_id: str
    project_id: str
    area_name: str
    eligible: pd.DataFrame
    lots: pd.DataFrame
    previous_draw: dict | None


def eligible_households(plans: pd.DataFrame, project_id: str, as_of: date,
                        exclude: set[str] | frozenset[str] = frozenset()) -> pd.DataFrame:
    """Households of ``project_id`` with an approved plan at ``as_of`` and a lot entitlement (module docstring).

    Returns
    -------
    DataFrame
        ``household_id``, ``entitlement_class`` (sorted by household id).
    """
    if plans.empty:
        return pd.DataFrame(columns=["household_id", "entitlement_class"])
    effective = pd.to_datetime(plans["effective_date"], errors="coerce")
    approved = plans["decision_number"].notna() & effective.notna() & (effective <= pd.Timestamp(as_of))
    entitled = plans["resettlement_entitlement"].fillna(NO_ENTITLEMENT) != NO_ENTITLEMENT
    mine = plans[(plans["project_id"] == project_id) & approved & entitled & ~plans["household_id"].isin(exclude)]
    out = mine.rename(columns={"resettlement_entitlement": "entitlement_class"})[["household_id", "entitlement_class"]]
    return out.sort_values("household_id", ignore_index=True)


def lot_ids(lots: pd.DataFrame) -> pd.Series:
    """``<area_id>/<lot_number>``: a lot's id across areas."""
    return lots["area_id"].astype(str) + "/" + lots["lot_number"].astype(str)


def drawable_lots(lots: pd.DataFrame, area_id: str) -> pd.DataFrame:
    """The lots of ``area_id`` open to a draw: ``lot_id``, ``lot_class``, ``lot_number``, ``area_m2``, ``price_vnd``."""
    mine = lots[(lots["area_id"] == area_id) & lots["status"].isin(DRAWABLE_LOT_STATUSES)]
    return mine.assign(lot_id=lot_ids(mine))[["lot_id", "lot_class", "lot_number", "area_m2", "price_vnd"]] \
        .reset_index(drop=True)


def latest_assignments(draws: pd.DataFrame) -> pd.DataFrame:
    """Per area, the assignments of its latest draw: ``area_id``, ``draw_id``, ``household_id``, ``lot_id``,
    ``lot_class``."""
    rows = []
    if not draws.empty:
        for area_id, group in draws.groupby("area_id"):
            last = group.sort_values("draw_id").iloc[-1]
            rows += [{"area_id": area_id, "draw_id": int(last["draw_id"]), **a} for a in last["result"]["assignments"]]
    return pd.DataFrame(rows, columns=["area_id", "draw_id", "household_id", "lot_id", "lot_class"])


def lot_allocation(lots: pd.DataFrame, draws: pd.DataFrame) -> pd.DataFrame:
    """``lots`` with ``lot_id``, ``allocated_to`` (household id or NaN) and ``allocated`` (bool)."""
    assigned = latest_assignments(draws).set_index("lot_id")["household_id"]
    out = lots.assign(lot_id=lot_ids(lots)) if len(lots) else lots.assign(lot_id=pd.Series(dtype=object))
    out["allocated_to"] = out["lot_id"].map(assigned)
    out["allocated"] = out["allocated_to"].notna()
    return out


def lottery_inputs(store, area_id: str, as_of: date) -> LotteryInputs:
    """The area, its eligible households and drawable lots, read from ``store`` (a :class:`store.Store`).

    Raises
    ------
    LotteryError
        No such resettlement area (Vietnamese message naming the known areas).
    """
    areas = store.resettlement_areas()
    found = areas[areas["area_id"] == area_id]
    if found.empty:
        known = ", ".join(sorted(areas["area_id"])) or "chưa có khu nào"
        raise LotteryError(f"Không có khu tái định cư «{area_id}» (có: {known}).")
    area = found.iloc[0]
    draws = store.lottery_draws()
    others = latest_assignments(draws[draws["area_id"] != area_id] if len(draws) else draws)
    eligible = eligible_households(store.register("plans", project_id=area["project_id"]), area["project_id"], as_of,
                                   exclude=set(others["household_id"]))
    mine = draws[draws["area_id"] == area_id] if len(draws) else draws
    previous = None if mine.empty else {"draw_id": int(mine["draw_id"].iloc[-1]),
                                        "draw_sha256": mine["draw_sha256"].iloc[-1]}
    return LotteryInputs(area_id, area["project_id"], area["name"] or area_id, eligible,
                         drawable_lots(store.register("lots"), area_id), previous)


def preview_draw(store, area_id: str, seed: str, as_of: date) -> tuple[LotteryInputs, LotteryResult]:
    """The draw as it would be committed now (nothing written)."""
    inputs = lottery_inputs(store, area_id, as_of)
    return inputs, draw_lots(inputs.eligible, inputs.lots, seed)


def commit_draw(store, area_id: str, seed: str, as_of: date, *, actor, reason: str | None = None,
                expected_inputs_sha256: str | None = None,
                client_address: str | None = None) -> tuple[LotteryInputs, LotteryResult, int]:
    """Draw from the store's current inputs and record the draw (``store.record_lottery_draw``).

    Parameters
    ----------
    expected_inputs_sha256 : str, optional
        The inputs hash read out at the meeting (from a preview): refused when the inputs changed since.

    Returns
    -------
    (LotteryInputs, LotteryResult, draw_id)

    Raises
    ------
    LotteryError
        As :func:`milestones.lottery.draw_lots`; inputs changed since the preview.
    store.errors.StoreError
        A redraw without a reason.
    domain.roles.PermissionDeniedError
        ``actor`` may not record a draw.
    """
    inputs, result = preview_draw(store, area_id, seed, as_of)
    if expected_inputs_sha256 and expected_inputs_sha256 != result.inputs_sha256:
        raise LotteryError("Danh sách hộ hoặc danh sách lô đã thay đổi từ khi xem trước (mã kiểm tra đầu vào khác): "
                           "hãy xem trước và đọc lại mã kiểm tra trước khi bốc thăm.")
    draw_id = store.record_lottery_draw(area_id, result.to_dict(), actor=actor, reason=reason,
                                        client_address=client_address)
    return inputs, result, draw_id
