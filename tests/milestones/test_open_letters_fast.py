"""``milestones.complaints.open_letter_parcels`` (merge of the letters' keys with the parcels) gives the same
parcels as the parcel-by-parcel index it replaced (kept here as the reference), on random registers."""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from milestones.complaints import _dates, letter_keys, open_letter_parcels
from parsing.parcel_keys import try_parcel_key

NUMBERS = ["1", "12", "12A", "263a", "263A", "389b-2", "0", "x", None]
HOMES = ["H1", "H2", None]


def reference(letters, parcels, as_of):
    day = pd.Timestamp(as_of)
    received, closed = _dates(letters, "received_date"), _dates(letters, "closed_date")
    live = letters[(received <= day) & (closed.isna() | (closed > day)) & letters["parcels"].notna()]
    keys = parcels["parcel_number"].map(try_parcel_key)
    homes = parcels["household_id"] if "household_id" in parcels else pd.Series(None, index=parcels.index)
    index: dict = {}
    for pid, project, key, home in zip(parcels["parcel_id"], parcels["project_id"], keys, homes, strict=True):
        if key is not None:
            index.setdefault((project, key), []).append((pid, home))
    found: set[str] = set()
    for project, cell, sender in zip(live["project_id"], live["parcels"], live.get("household_id", [None] * len(live)),
                                     strict=True):
        for key in str(cell).split(";"):
            candidates = index.get((project, try_parcel_key(key)), [])
            own = [pid for pid, home in candidates if isinstance(sender, str) and home == sender]
            found.update(own or [pid for pid, _ in candidates])
    return frozenset(found)


parcel_rows = st.lists(st.tuples(st.sampled_from(["A", "B"]), st.sampled_from(NUMBERS), st.sampled_from(HOMES)),
                       min_size=1, max_size=40)
letter_rows = st.lists(st.tuples(st.sampled_from(["A", "B", "C"]),
                                 st.lists(st.sampled_from(NUMBERS[:-1] + [" 12 ", ""]), max_size=3),
                                 st.sampled_from(HOMES), st.integers(-5, 5), st.one_of(st.none(), st.integers(-5, 5))),
                       min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(parcel_rows, letter_rows)
def test_open_letter_parcels_equal_the_reference(prows, lrows):
    as_of = date(2024, 6, 30)
    parcels = pd.DataFrame({"parcel_id": [f"{p}/{i}" for i, (p, _, _) in enumerate(prows)],
                            "project_id": [p for p, _, _ in prows], "parcel_number": [n for _, n, _ in prows],
                            "household_id": [h for _, _, h in prows]})
    letters = pd.DataFrame({
        "project_id": [p for p, *_ in lrows], "parcels": [";".join(k) if k else None for _, k, *_ in lrows],
        "household_id": [h for _, _, h, _, _ in lrows],
        "received_date": [as_of + timedelta(days=r) for *_, r, _ in lrows],
        "closed_date": [None if c is None else as_of + timedelta(days=c) for *_, c in lrows]})
    assert open_letter_parcels(letters, parcels, as_of) == reference(letters, parcels, as_of)
    # the keys kept per data version by the dashboard give the same parcels
    assert open_letter_parcels(letters, parcels, as_of, keys=letter_keys(parcels)) == reference(letters, parcels, as_of)
    assert open_letter_parcels(letters, parcels.drop(columns="household_id"), as_of) == \
        reference(letters, parcels.drop(columns="household_id"), as_of)
