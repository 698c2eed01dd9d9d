"""Map markers of the people side (issue 12): parcels with an open letter, parcels of households not paid."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from mapview.people import add_people_markers, people_marker_parcels

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
    import folium
    m = folium.Map()
    assert add_people_markers(m, snapshot, RegisterStore(), PARCELS) == (2, 1)
    html = m.get_root().render()
    assert "Hộ chưa nhận đủ tiền" in html and "Đơn thư chưa giải quyết" in html


def test_a_reader_without_registers_gets_the_complaint_events_only():
    snapshot = SimpleNamespace(parcels=PARCELS, as_of=date(2024, 6, 30))
    assert people_marker_parcels(snapshot, object(), PARCELS) == ({"P/1/19"}, set())
