"""Markers of the people side (issue 12): parcels with an open letter and parcels of households not paid in full.

Both are computed at the snapshot's as-of date, by one rule (:func:`people_marker_masks`): an open letter
(:func:`milestones.complaints.open_letter_parcels`, or a ``complaint`` event still open, the parcels'
``complaint_open``); a household whose approved plan is not paid in full (:mod:`milestones.payments`, via
:func:`milestones.people.people_figures`) marks its parcels that are not handed over.

The marked parcels travel in the parcel layer's per-date state (:func:`marker_indices`, ``state["markers"]``
of :func:`mapview.parcel_layer.parcel_state`) and ``mapview/static/gpmb/markers.js`` draws them, in the
dashboard's live map (which follows date changes) and in the exported HTML map alike. Markers carry parcel
indices only, never a name; they take no pointer events, so the parcel under a marker keeps its tooltip.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from milestones.people import PeopleFigures

COMPLAINT_COLOUR = "#6a1b9a"
UNPAID_COLOUR = "#ef6c00"

#: The marker kinds: (state key, name in the layer control and the legend, fill colour, sideways offset in
#: pixels from the parcel's label point: the two markers of one parcel and its risk dot all stay visible).
MARKER_KINDS = (
    ("complaint", "Đơn thư chưa giải quyết", COMPLAINT_COLOUR, -6),
    ("unpaid", "Hộ chưa nhận đủ tiền", UNPAID_COLOUR, 6),
)


def _flag(parcels: pd.DataFrame, column: str) -> np.ndarray:
    if column not in parcels:
        return np.zeros(len(parcels), dtype=bool)
    return parcels[column].fillna(False).astype(bool).to_numpy()


def _unpaid_mask(parcels: pd.DataFrame, payments: pd.DataFrame) -> np.ndarray:
    """Parcels not handed over whose (project, household) has a plan not paid in full."""
    if len(payments) == 0 or "household_id" not in parcels:
        return np.zeros(len(parcels), dtype=bool)
    unpaid = payments.loc[~payments["paid"].astype(bool), ["project_id", "household_id"]].dropna()
    homes = _keys(parcels["project_id"], parcels["household_id"])
    open_parcels = parcels["stage"].ne("handed_over").to_numpy(dtype=bool) if "stage" in parcels else True
    wanted = _keys(unpaid["project_id"], unpaid["household_id"])
    return homes.isin(wanted) & parcels["household_id"].notna().to_numpy() & open_parcels


def _keys(projects: pd.Series, households: pd.Series) -> pd.MultiIndex:
    # object arrays first: a MultiIndex over Arrow-backed strings iterates them in Python (20× slower)
    return pd.MultiIndex.from_arrays([projects.to_numpy(dtype=object), households.to_numpy(dtype=object)])


def people_marker_masks(snapshot, store, parcels: pd.DataFrame, figures: PeopleFigures | None = None, *,
                        letter_keys: pd.DataFrame | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The marker rule: (open letter, unpaid household) as boolean arrays aligned with the rows of ``parcels``.

    Parameters
    ----------
    snapshot : milestones.snapshot.Snapshot
        ``as_of`` and ``parcels`` (all of them: a letter names a parcel number, matched among the whole
        project's parcels before ``parcels`` is looked at).
    store : reader with ``register(name)``, or any reader
        Gives the registers when ``figures`` is None; a reader without registers (a test double, a
        scoped reader) gives the ``complaint_open`` events only.
    parcels : DataFrame
        Rows of ``snapshot.parcels`` (``parcel_id``, ``project_id``, ``stage``, ``household_id``,
        ``complaint_open``), in any order.
    figures : milestones.people.PeopleFigures, optional
        The people-side figures at ``snapshot.as_of`` (the dashboard's cached ones), instead of computing
        them from ``store``: their ``letters`` and ``payments`` are used.
    letter_keys : DataFrame, optional
        :func:`milestones.complaints.letter_keys` of ``snapshot.parcels`` (kept per data version by the
        dashboard); made from the parcels when None.

    Returns
    -------
    (numpy.ndarray of bool, numpy.ndarray of bool)
        A parcel with an open letter or an open ``complaint`` event; a parcel not handed over of a household
        whose approved plan is not paid in full (Land Law 2024, art. 94; :func:`milestones.payments.payment_status`).

    Raises
    ------
    ValueError
        If ``figures`` are for another date than the snapshot.
    """
    from milestones.complaints import open_letter_parcels
    from milestones.people import people_figures

    complaint = _flag(parcels, "complaint_open")
    if figures is None and not hasattr(store, "register"):
        return complaint, np.zeros(len(parcels), dtype=bool)
    figures = people_figures(store, snapshot.as_of) if figures is None else figures
    if figures.as_of != snapshot.as_of:
        raise ValueError(f"People figures at {figures.as_of} for a snapshot at {snapshot.as_of}")
    letters = open_letter_parcels(figures.letters, snapshot.parcels, snapshot.as_of, keys=letter_keys)
    complaint = complaint | parcels["parcel_id"].isin(letters).to_numpy()
    return complaint, _unpaid_mask(parcels, figures.payments)


def people_marker_parcels(snapshot, store, parcels: pd.DataFrame,
                          figures: PeopleFigures | None = None) -> tuple[set[str], set[str]]:
    """(parcels with an open letter, parcels of unpaid households not handed over) among ``parcels``, as
    ``parcel_id`` sets (:func:`people_marker_masks`)."""
    complaint, unpaid = people_marker_masks(snapshot, store, parcels, figures)
    ids = parcels["parcel_id"].to_numpy()
    return set(ids[complaint]), set(ids[unpaid])


def marker_indices(masks: tuple[np.ndarray, np.ndarray], shown: np.ndarray) -> dict[str, list[int]]:
    """``{kind: [positions]}`` of the shown parcels each marker kind marks (:data:`MARKER_KINDS` order,
    positions in the parcel layer's payload): ``state["markers"]``."""
    shown = np.asarray(shown, dtype=bool)
    return {kind: np.flatnonzero(mask & shown).tolist() for (kind, *_), mask in zip(MARKER_KINDS, masks)}
