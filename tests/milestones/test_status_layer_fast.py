"""The ``parcel_status`` refresh computes only the per-parcel steps (issue 13) and gives the frame of the
whole snapshot: :func:`milestones.status_layer.parcel_status_frame` equals its reference
(``status_rows(compute_snapshot(...))``, ``tests/milestones/status_layer_reference.py``) on random ledgers at
random dates (stages, complaints, corrections, chainage ranges, aggregate reports, milestones of both
scopes), values and dtypes, in order."""
from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from milestones.status_layer import parcel_status_frame
from tests.milestones.conftest import FrameStore
from tests.milestones.random_ledger import case_dates, random_case
from tests.milestones.status_layer_reference import parcel_status_frame_reference


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 100_000), n=st.integers(1, 100))
def test_the_layer_frame_equals_the_whole_snapshot_rows(seed, n):
    case = random_case(seed, n_parcels=n, n_events=6 * n)
    store = FrameStore(**case)
    for day in case_dates(case["events"], seed):
        got = parcel_status_frame(store, day)
        want = parcel_status_frame_reference(store, day)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        assert got["stage"].notna().all()
