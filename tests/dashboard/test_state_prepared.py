"""``dashboard.state.snapshot`` on a real store (bundled data): the prepared, sliced path gives the figures of
``compute_snapshot``, and a new upload or a revert (a new data version) is seen at once."""
from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st

from dashboard import state
from tests.support.actors import office_admin

SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (SOURCES / "events.csv").is_file(), reason="bundled data not built")]


def _same(a, b) -> None:
    assert a.as_of == b.as_of and a.data_version == b.data_version
    for name in ("projects", "communes", "segments", "milestones", "s_curve"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, obj=name)
    cols = ["parcel_id", "stage", "stage_date", "amount_paid_vnd", "risk_flags", "at_risk"]
    pd.testing.assert_frame_equal(pd.DataFrame(a.parcels[cols]), pd.DataFrame(b.parcels[cols]), check_exact=True)


@pytest.fixture
def real_store(tmp_path, monkeypatch):

    from tests.support.stores import demo_store_url

    url = demo_store_url(f"sqlite:///{tmp_path / 'gpmb.gpkg'}", SOURCES)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(SOURCES))
    st.cache_data.clear()
    st.cache_resource.clear()
    the_store = state.store()
    yield the_store
    st.cache_resource.clear()
    st.cache_data.clear()
    the_store.close()


def test_snapshot_follows_uploads_and_reverts(real_store):
    from milestones.snapshot import compute_snapshot

    day = date(2024, 6, 30)
    first = state.snapshot(day)
    _same(first, compute_snapshot(real_store, day))
    _same(state.snapshot(date(2024, 2, 29)), compute_snapshot(real_store, date(2024, 2, 29)))
    assert state.snapshot(day) is first                       # same date, same version: from the cache

    # A parcel not yet handed over at 30/06/2024 is handed over on 15/06/2024 by a new upload.
    parcel = first.parcels[first.parcels["stage"] != "handed_over"].iloc[0]
    upload = pd.DataFrame([dict(kind="parcel", project_id=parcel["project_id"], parcel_id=parcel["parcel_id"],
                                event="handed_over", event_date="2024-06-15", is_correction=False,
                                note="kiểm thử bộ nhớ đệm")])
    result = real_store.commit_upload(upload, file_name="thu.csv", file_sha256=hashlib.sha256(b"thu").hexdigest(),
                                      actor=office_admin(real_store), rows_read=1)
    assert result.created
    after = state.snapshot(day)
    assert after is not first and after.data_version != first.data_version
    stage = dict(zip(after.parcels["parcel_id"], after.parcels["stage"]))
    assert stage[parcel["parcel_id"]] == "handed_over"
    _same(after, compute_snapshot(real_store, day))

    real_store.revert_upload(result.upload_id, actor=office_admin(real_store), reason="thử hoàn tác")
    reverted = state.snapshot(day)
    assert dict(zip(reverted.parcels["parcel_id"], reverted.parcels["stage"]))[parcel["parcel_id"]] == parcel["stage"]
    _same(reverted, compute_snapshot(real_store, day))
