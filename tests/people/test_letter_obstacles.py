"""An open letter of the complaints register is an obstacle (``complaint_open``) of its parcels (issue 12)."""
from __future__ import annotations

from datetime import date

import pandas as pd

from milestones.blockers import parcel_obstacles
from milestones.complaints import open_letter_parcels

PARCELS = pd.DataFrame({"parcel_id": ["P/1/17", "P/2/17", "P/1/175", "Q/1/17"], "project_id": ["P", "P", "P", "Q"],
                        "parcel_number": [17, 17, 175, 17], "household_id": ["H1", "H2", "H1", "H9"]})


def _letter(**kw):
    return {"project_id": "P", "parcels": "17;175", "household_id": "H1", "received_date": date(2025, 1, 10),
            "closed_date": None, **kw}


def test_open_letters_name_their_parcels_until_closed():
    letters = pd.DataFrame([_letter(), _letter(parcels="17", household_id=None, received_date=date(2025, 3, 1))])
    assert open_letter_parcels(letters, PARCELS, date(2025, 1, 9)) == frozenset()
    assert open_letter_parcels(letters, PARCELS, date(2025, 2, 1)) == {"P/1/17", "P/1/175"}   # the sender's own
    assert open_letter_parcels(letters, PARCELS, date(2025, 3, 1)) == {"P/1/17", "P/2/17", "P/1/175"}
    closed = pd.DataFrame([_letter(closed_date=date(2025, 2, 1))])
    assert open_letter_parcels(closed, PARCELS, date(2025, 1, 31)) == {"P/1/17", "P/1/175"}
    assert open_letter_parcels(closed, PARCELS, date(2025, 2, 1)) == frozenset()


def test_letter_parcels_become_the_complaint_obstacle():
    state = pd.DataFrame({"parcel_id": ["P/1/17", "P/2/17"], "complaint_open": [False, False],
                          "compulsory_inventory": [False, False], "enforced": [False, False]})
    clocks = pd.DataFrame(columns=["parcel_id", "action", "days_overdue"])
    assert parcel_obstacles(state, clocks) == [[], []]
    assert parcel_obstacles(state, clocks, frozenset({"P/2/17"})) == [[], ["complaint_open"]]
