"""Map markers of the people side (issue 12): parcels with an open letter, parcels of households not paid.

The marked parcels travel in the parcel layer's per-date state (``state["markers"]``); on the demo store they
must be the parcels of :func:`mapview.people.people_marker_parcels` at every date, with or without filters, in
the live map's state and in the exported map alike.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from mapview.legend import legend_html
from mapview.people import MARKER_KINDS, marker_indices, people_marker_masks, people_marker_parcels

REPO = Path(__file__).resolve().parents[2]
SOURCES = REPO / "data" / "sources"

PARCELS = gpd.GeoDataFrame({
    "parcel_id": ["P/1/17", "P/1/18", "P/1/19"], "project_id": "P", "parcel_number": [17, 18, 19],
    "household_id": ["H1", "H2", "H3"], "stage": ["approved", "handed_over", "approved"],
    "complaint_open": [False, False, True],
}, geometry=[box(449_000 + 30 * i, 2_417_000, 449_020 + 30 * i, 2_417_020) for i in range(3)], crs=9215)


class RegisterStore:
    """The reading half of a store with registers: H1 and H2 approved, neither paid; a letter on parcel 17."""

    def register(self, name):
        frames = {
            "households": pd.DataFrame({"household_id": ["H1", "H2"], "project_id": "P", "commune": "X"}),
            "plans": pd.DataFrame({"household_id": ["H1", "H2"], "project_id": "P", "compensation_vnd": 1e6,
                                   "support_vnd": 0.0, "resettlement_vnd": 0.0, "decision_number": "1",
                                   "decision_date": date(2024, 1, 1), "effective_date": date(2024, 1, 1),
                                   "resettlement_entitlement": "none"}),
            "payments": pd.DataFrame(columns=["household_id", "project_id", "payment_date", "amount_vnd", "part",
                                              "receipt_number"]),
            "complaints": pd.DataFrame({"letter_id": ["D1"], "project_id": "P", "parcels": ["17"], "household_id": "H1",
                                        "received_date": [date(2024, 3, 1)], "accepted_date": [date(2024, 3, 2)],
                                        "closed_date": [None], "status": "verifying", "kind": "complaint",
                                        "body": "district_people_committee", "commune": "X", "round": 1}),
        }
        from milestones.people import registers_frame
        return frames.get(name, registers_frame(name))


def test_markers_for_open_letters_and_unpaid_households():
    snapshot = SimpleNamespace(parcels=PARCELS, as_of=date(2024, 6, 30))
    complaints, unpaid = people_marker_parcels(snapshot, RegisterStore(), PARCELS)
    assert complaints == {"P/1/17", "P/1/19"}     # the letter's parcel and the parcel with a complaint event
    assert unpaid == {"P/1/17"}                   # H2's parcel is handed over already; H3 has no plan
    # Positions among the shown parcels (parcel 19 filtered out): what the state sends.
    masks = people_marker_masks(snapshot, RegisterStore(), PARCELS)
    assert marker_indices(masks, [True, True, False]) == {"complaint": [0], "unpaid": [0]}


def test_before_the_letter_and_the_plan_only_the_complaint_event_marks():
    snapshot = SimpleNamespace(parcels=PARCELS, as_of=date(2023, 12, 31))
    assert people_marker_parcels(snapshot, RegisterStore(), PARCELS) == ({"P/1/19"}, set())


def test_a_reader_without_registers_gets_the_complaint_events_only():
    snapshot = SimpleNamespace(parcels=PARCELS, as_of=date(2024, 6, 30))
    assert people_marker_parcels(snapshot, object(), PARCELS) == ({"P/1/19"}, set())


def test_figures_of_another_date_are_refused():
    from milestones.people import people_figures

    snapshot = SimpleNamespace(parcels=PARCELS, as_of=date(2024, 6, 30))
    with pytest.raises(ValueError, match="2024-03-31"):
        people_marker_masks(snapshot, None, PARCELS, people_figures(RegisterStore(), date(2024, 3, 31)))


def test_the_legend_names_both_marker_layers_with_their_counts():
    text = legend_html({}, 0, False, {"complaint": 1234, "unpaid": 5})
    assert "Đơn thư chưa giải quyết (1.234)" in text and "Hộ chưa nhận đủ tiền (5)" in text
    assert all(colour in text for _, _, colour, _ in MARKER_KINDS)
    assert "Đơn thư" not in legend_html({}, 0, False)          # a map without marker layers


# ------------------------------------------------------------------------------------------ demo store
DATES = (date(2023, 6, 30), date(2024, 3, 31), date(2024, 6, 30), date(2024, 12, 31))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from tests.support.stores import demo_store

    if not (SOURCES / "parcels.gpkg").exists():
        pytest.skip("bundled data/sources not built")
    store = demo_store(f"sqlite:///{tmp_path_factory.mktemp('markers') / 'demo.gpkg'}", SOURCES)
    yield store
    store.close()


@pytest.fixture(scope="module")
def snapshots(demo):
    """The demo store's snapshot and people figures at each of :data:`DATES`."""
    from milestones.people import people_figures
    from milestones.prepared import prepare, snapshot_at

    prepared = prepare(demo)
    return {day: (snapshot_at(prepared, day), people_figures(demo, day)) for day in DATES}


def _loop_rule(snapshot, store, parcels, figures) -> tuple[set[str], set[str]]:
    """The marker rule as first written (Python sets and a zip loop), to check the vectorised one against."""
    from milestones.complaints import open_letter_parcels

    complaints = set(parcels.loc[parcels["complaint_open"].fillna(False).astype(bool), "parcel_id"])
    complaints |= open_letter_parcels(store.register("complaints"), snapshot.parcels, snapshot.as_of)
    payments = figures.payments
    homes = set(zip(payments.loc[~payments["paid"], "project_id"], payments.loc[~payments["paid"], "household_id"]))
    open_parcels = parcels[parcels["stage"] != "handed_over"]
    unpaid = {pid for pid, *key in zip(open_parcels["parcel_id"], open_parcels["project_id"],
                                       open_parcels["household_id"]) if tuple(key) in homes}
    return complaints & set(parcels["parcel_id"]), unpaid


def _state_ids(state: dict, ids: list[str]) -> tuple[set[str], set[str]]:
    return tuple({ids[i] for i in state["markers"][kind]} for kind, *_ in MARKER_KINDS)


def test_state_markers_are_the_marker_rule_at_several_dates(demo, snapshots):
    from mapview.context import project_table
    from mapview.parcel_layer import map_state, payload_parcels
    from milestones.filters import Filters, apply_filters

    projects = project_table(demo)
    seen = []
    for day in DATES:
        snap, figures = snapshots[day]
        expected = people_marker_parcels(snap, demo, snap.parcels, figures)
        assert expected == _loop_rule(snap, demo, snap.parcels, figures)
        state = map_state(snap, projects, people=figures)
        assert _state_ids(state, snap.parcels["parcel_id"].tolist()) == expected
        seen.append(tuple(len(s) for s in expected))
        # A project and a stage filter: positions are in the payload (the project's parcels), only shown ones.
        project = snap.parcels["project_id"].value_counts().index[0]
        f = Filters(project_ids=(project,), stages=("approved", "paid", "plan_posted", "inventory"))
        ids = payload_parcels(snap.parcels, f.project_ids)["parcel_id"].tolist()
        filtered = map_state(snap, projects, f, people=figures)
        assert _state_ids(filtered, ids) == people_marker_parcels(snap, demo, apply_filters(snap.parcels, f), figures)
        assert f"({len(state['markers']['unpaid'])})" in state["legend"]
    # The demo data marks parcels of both kinds, and not the same ones at every date.
    assert all(c > 0 for c, _ in seen) and any(u > 0 for _, u in seen) and len(set(seen)) > 1, seen


def test_the_exported_map_marks_the_live_maps_parcels(demo, snapshots):
    from mapview import build_map
    from mapview.context import project_table
    from mapview.elements import MarkerLayer, ParcelLayer
    from mapview.parcel_layer import map_state

    (early, early_figures), (late, late_figures) = snapshots[DATES[1]], snapshots[DATES[3]]
    m = build_map(late, demo)                          # the export's map at one date (figures from the store)
    payload = next(c for c in m._children.values() if isinstance(c, ParcelLayer)).payload
    names = [c.layer_name for c in m._children.values() if isinstance(c, MarkerLayer)]
    assert names == [name for _, name, _, _ in MARKER_KINDS]
    live = map_state(late, project_table(demo), people=late_figures)      # the live map moved to that date
    assert payload["state"]["markers"] == live["markers"]
    assert _state_ids(live, payload["ids"]) == people_marker_parcels(late, demo, late.parcels)
    assert map_state(early, project_table(demo), people=early_figures)["markers"] != live["markers"]
