"""``ingest.matrix_events.household_rows`` (grouped column by column) gives the rows of the per-household loop it
replaced (kept here as the reference), on random matrix tables."""
from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.matrix_events import household_rows
from ingest.parcel_tokens import parcel_sort_key


def reference(table, project_id, commune):
    valid = table[table["household_code"].notna()]
    records = []
    for code, rows in valid.groupby("household_code", sort=False):
        keys = sorted({k for ks in rows["parcel_keys"] for k in ks}, key=parcel_sort_key)
        first = rows.iloc[0]
        worst = rows.sort_values("stage_rank", kind="stable").iloc[0] if "stage_rank" in rows else None
        records.append({"household_id": code, "project_id": project_id, "name": first.get("owner_name"),
                        "address": first.get("address"), "land_use": first.get("land_use"),
                        "commune": commune, "parcel_keys": tuple(keys), "area_m2": float(rows["area_m2"].sum()),
                        "stage": None if worst is None else worst["stage"],
                        "stage_date": None if worst is None else worst.get("stage_date")})
    return pd.DataFrame.from_records(records, columns=["household_id", "project_id", "name", "address", "land_use",
                                                       "commune", "parcel_keys", "area_m2", "stage", "stage_date"])


STAGES = ["not_started", "notice", "inventory", "approved", "handed_over"]
row = st.tuples(st.sampled_from(["H1", "H2", "H3", "H10", None]), st.sampled_from(["An", "Bình", None]),
                st.lists(st.sampled_from(["17", "175", "263", "263A", "389B-2", "2"]), max_size=3),
                st.one_of(st.none(), st.floats(0, 1e4, allow_nan=False)), st.integers(0, 4),
                st.one_of(st.none(), st.dates()))


@settings(max_examples=300, deadline=None)
@given(st.lists(row, max_size=30), st.booleans())
def test_household_rows_equal_the_reference(rows, with_stage):
    table = pd.DataFrame({
        "household_code": [r[0] for r in rows], "owner_name": [r[1] for r in rows],
        "address": [f"thôn {i}" for i in range(len(rows))], "land_use": ["ONT"] * len(rows),
        "parcel_keys": [list(r[2]) for r in rows], "area_m2": [r[3] for r in rows]})
    if with_stage:
        table["stage_rank"] = [r[4] for r in rows]
        table["stage"] = [STAGES[r[4]] for r in rows]
        table["stage_date"] = pd.to_datetime([r[5] for r in rows])
    got, want = household_rows(table, "QL4B", "Xã Gia Cát"), reference(table, "QL4B", "Xã Gia Cát")
    assert len(got) == len(want)
    assert list(got.columns) == list(want.columns)
    for column in got.columns:
        assert [_plain(v) for v in got[column]] == [_plain(v) for v in want[column]], column


def _plain(value):
    return None if value is None or (not isinstance(value, tuple | list) and pd.isna(value)) else value
