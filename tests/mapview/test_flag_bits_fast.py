"""The map state's flag bitmasks made with numpy (``mapview.parcel_layer._flag_values``) equal the per-parcel loop
they replaced (``tests/mapview/flag_reference.py``): lists, tuples, arrays, empty lists, None / NaN, repeated
codes within a parcel, more distinct codes than :data:`MAX_FLAG_BITS` (index lists), and codes given as text."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from mapview.parcel_layer import MAX_FLAG_BITS, _flag_values
from tests.mapview.flag_reference import flag_values_reference

CODES = ["milestone_at_risk", "stuck_plan_posted", "complaint_open", "stuck_inventory", "late_payment"]

one_parcel = st.one_of(
    st.lists(st.sampled_from(CODES), max_size=4),
    st.lists(st.sampled_from(CODES), max_size=3).map(tuple),
    st.lists(st.sampled_from(CODES), max_size=3).map(lambda v: np.array(v, dtype=object)),
    st.none(), st.just(float("nan")))


def same(parcels: pd.DataFrame) -> None:
    got, want = _flag_values(parcels), flag_values_reference(parcels)
    assert got[0] == want[0]
    assert [list(v) if isinstance(v, list) else v for v in got[1]] == want[1]


@settings(max_examples=300, deadline=None)
@given(st.lists(one_parcel, max_size=60))
def test_flag_bits_equal_the_reference(flags):
    same(pd.DataFrame({"risk_flags": pd.Series(flags, dtype=object)}))


def test_many_codes_give_index_lists_and_text_codes_keep_the_loop_rule():
    many = [[f"code_{i}", f"code_{i + 1}"] for i in range(MAX_FLAG_BITS + 3)]
    same(pd.DataFrame({"risk_flags": pd.Series(many, dtype=object)}))
    same(pd.DataFrame({"risk_flags": pd.Series([["a"], "ab", None], dtype=object)}))
    same(pd.DataFrame({"other": [1, 2]}))          # no risk_flags column: every parcel without flags
