"""Upload validation (ingest.history) and progress (milestones.parcel_state) read stages by one rule."""
from datetime import date, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.stages import STAGE_RANK, STAGES
from ingest.history import history_from_ledger
from milestones.parcel_state import parcel_stages
from tests.milestones.conftest import Ledger

PARCELS = pd.DataFrame({"parcel_id": ["P/1", "P/2"], "project_id": "P", "commune": "Xã An",
                        "commune_former": "Xã An", "household_id": ["H1", "H2"],
                        "area_to_recover_m2": [100.0, 200.0], "chainage_m": [float("nan")] * 2})
D0 = date(2024, 1, 1)

rows = st.lists(st.tuples(st.sampled_from(["P/1", "P/2"]), st.integers(0, 15),
                          st.sampled_from(STAGES[1:] + ("complaint",)), st.booleans()), max_size=25)


@settings(max_examples=60, deadline=None)
@given(rows, st.integers(0, 16))
def test_validation_and_progress_agree_on_stage_and_stage_date(events, cutoff):
    ledger = Ledger()
    for parcel_id, day, code, correction in events:
        ledger.parcel(parcel_id, code, D0 + timedelta(days=day), correction=correction and code in STAGE_RANK,
                      project="P")
    frame = ledger.frame() if events else Ledger().frame()
    as_of = D0 + timedelta(days=cutoff)
    state = parcel_stages(PARCELS, frame, as_of).set_index("parcel_id")
    history = history_from_ledger(frame)
    for parcel_id in PARCELS["parcel_id"]:
        rank, since = history.stage_at(parcel_id, as_of)
        assert state.loc[parcel_id, "stage_rank"] == rank
        got = state.loc[parcel_id, "stage_date"]
        assert (pd.isna(got) and since is None) or got == pd.Timestamp(since)
