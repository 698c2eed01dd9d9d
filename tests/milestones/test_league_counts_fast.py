"""The league's last field count per (project, unit) from dates gathered once (``milestones.league.count_dates``, a
binary search per row at each as-of date) equals the reference that re-grouped the whole ledger at every date
(``tests/milestones/league_reference.py``), on random ledgers with parcel events, aggregate reports naming a
commune or not, events on parcels the layer does not hold, and rows without any count."""
from __future__ import annotations

import pandas as pd
import pytest

from milestones.league import _units, _with_last_counts, count_dates
from tests.milestones.league_reference import with_last_counts_reference
from tests.milestones.random_ledger import case_dates, random_case


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("unit", ["commune", "former"])
def test_last_counts_equal_the_reference(seed, unit):
    case = random_case(seed, n_parcels=30 + 7 * seed, n_events=40 + 60 * seed)
    parcels, events = case["parcels"], case["events"].copy()
    events.loc[events.index[::9], "parcel_id"] = "X/none"          # a parcel the layer does not hold
    events.loc[events.index[::13], "event_date"] = None             # an event without its date
    parcels = parcels.assign(_unit=_units(parcels, unit))
    keys = sorted({(p, c) for p in ("A", "B", "C") for c in [*parcels["_unit"], "Xã Khác"]})
    out = pd.DataFrame(keys, columns=["project_id", "commune"])
    counts = count_dates(parcels, events, unit)
    for day in case_dates(events.dropna(subset=["event_date"]), seed, k=6):
        for stale in (0, 30, 90):
            pd.testing.assert_frame_equal(_with_last_counts(out.copy(), counts, day, stale),
                                          with_last_counts_reference(out.copy(), parcels, events, day, stale))
