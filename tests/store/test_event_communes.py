"""The commune of a ledger row (``store.ledger.event_communes``), the scope a commune officer's upload is checked on."""
from __future__ import annotations

import math

import pandas as pd

from store.ledger import event_communes

PARCELS = pd.DataFrame({
    "parcel_id": ["R/1", "R/2", "R/3", "A/1"],
    "project_id": ["R", "R", "R", "A"],
    "commune": ["Xã Một", "Xã Một", "Xã Hai", "Xã Ba"],
    "chainage_m": [100.0, 200.0, 300.0, math.nan],
})


def row(kind, project="R", parcel=None, commune=None, start=None, end=None):
    return dict(kind=kind, project_id=project, parcel_id=parcel, commune=commune, chainage_from_m=start,
                chainage_to_m=end)


def test_each_kind_of_row_has_its_communes():
    events = pd.DataFrame([
        row("parcel", parcel="R/3"),                       # the parcel's commune
        row("parcel", parcel="R/404"),                     # unknown parcel: undecided
        row("chainage_range", start=50.0, end=250.0),      # covers R/1 and R/2 only
        row("chainage_range", start=350.0, end=150.0),     # reversed ends: R/2 and R/3
        row("chainage_range", start=1000.0, end=2000.0),   # covers no parcel: undecided
        row("aggregate", commune="Xã Hai"),                # its scope
        row("aggregate"),                                  # project-wide: every commune of the project
        row("aggregate", project="A", commune="  "),       # blank scope counts as project-wide
    ])
    assert event_communes(events, PARCELS) == [
        frozenset({"Xã Hai"}), frozenset(), frozenset({"Xã Một"}), frozenset({"Xã Một", "Xã Hai"}), frozenset(),
        frozenset({"Xã Hai"}), frozenset({"Xã Một", "Xã Hai"}), frozenset({"Xã Ba"}),
    ]
