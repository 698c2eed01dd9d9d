"""The prepared path (``milestones.prepared``: computed once per data version, sliced at each as-of date)
gives exactly the figures of the direct path (``compute_snapshot_from_frames`` / ``compute_snapshot``).

The direct path is the reference checked by the other milestones tests; here every table of the
snapshot must be identical at many dates, including the dates of the events themselves (the edges of
the slices), the day before each, and dates before the first / after the last event.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from milestones.prepared import prepare, prepare_frames, snapshot_at
from milestones.snapshot import compute_snapshot, compute_snapshot_from_frames
from tests.milestones.conftest import FrameStore

SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"
FIELDS = ("parcels", "projects", "communes", "segments", "milestones", "s_curve", "clocks", "blockers",
          "blocking_summary")


def assert_same_snapshot(a, b) -> None:
    assert a.as_of == b.as_of
    assert a.problems == b.problems
    assert a.rules == b.rules
    assert a.data_version == b.data_version
    for name in FIELDS:
        x, y = pd.DataFrame(getattr(a, name)), pd.DataFrame(getattr(b, name))
        if "geometry" in x.columns:
            assert getattr(a, name).crs == getattr(b, name).crs
            assert list(getattr(a, name).geometry.to_wkb()) == list(getattr(b, name).geometry.to_wkb())
            x, y = x.drop(columns="geometry"), y.drop(columns="geometry")
        pd.testing.assert_frame_equal(x, y, check_exact=True, obj=f"Snapshot.{name} at {a.as_of}")


def _ledger_with_every_rule(ledger):
    """Stages with a backwards correction (voiding a later-dated amount), complaints opened and resolved,
    flags, chainage ranges with shared amounts, aggregate reports at project, commune and former-commune
    scope, several events on the same day."""
    return (ledger
            .parcel("QL/AN/1/1", "notice", "2024-01-05")
            .parcel("QL/AN/1/2", "notice", "2024-01-05")
            .chainage(0, 800, "inventory", "2024-02-01")
            .parcel("QL/HO/3/1", "notice", "2024-02-01")
            .parcel("QL/AN/1/1", "complaint", "2024-02-10")
            .parcel("QL/AN/1/1", "approved", "2024-03-01", amount=4.0e8)
            .chainage(800, 50, "approved", "2024-03-01", amount=9.0e8)
            .parcel("QL/AN/1/1", "paid", "2024-03-20", amount=2.0e8)
            .parcel("QL/AN/1/1", "paid", "2024-03-20", amount=2.0e8)
            .parcel("QL/AN/1/2", "paid", "2024-04-02", amount=1.0e8)
            .parcel("QL/AN/1/2", "approved", "2024-04-02", correction=True)
            .aggregate(600.0, "2024-04-15", commune="Xã Hòa")
            .parcel("QL/AN/1/1", "complaint_resolved", "2024-04-20")
            .parcel("QL/AN/1/1", "handed_over", "2024-05-01")
            .parcel("QL/BC/2/1", "enforced", "2024-05-01")
            .parcel("QL/BC/2/1", "compulsory_inventory", "2024-05-01")
            .aggregate(1800.0, "2024-05-10", commune="Phường Bình")
            .chainage(0, 450, "handed_over", "2024-05-20")
            .parcel("QL/AN/1/1", "complaint", "2024-06-01")
            .aggregate(4200.0, "2024-06-15")
            .parcel("QL/HO/3/1", "handed_over", "2024-06-15")
            .parcel("QL/HO/3/1", "notice", "2024-07-01", correction=True)
            .frame())


def _milestones():
    return pd.DataFrame({
        "milestone_id": ["M1", "M2", "M3", "M4", "M5"],
        "project_id": ["QL"] * 5,
        "due_date": ["31/03/2024", "30/06/2024", "31/12/2024", "30/09/2024", "15/05/2024"],
        "metric": ["percent_area_handed_over", "percent_area_handed_over", "percent_area_handed_over",
                   "percent_households_paid", "percent_area_handed_over"],
        "target_percent": [20, 70, 100, 80, 50],
        "scope": ["project", "project", "project", "project", "Xã Hòa"],
        "label": ["a", "b", "c", "d", "e"],
    })


def _projects():
    return pd.DataFrame({"project_id": ["QL"], "name": ["Quốc lộ thử"], "short_name": ["QL thử"], "kind": ["road"],
                         "start_date": [date(2024, 1, 1)]})


def _dates_around(events: pd.DataFrame) -> list[date]:
    days = sorted({pd.Timestamp(d).date() for d in events["event_date"]})
    out = {date(2023, 12, 31), date(2025, 6, 30), date(2024, 6, 30)}
    for d in days:
        out |= {d, d - timedelta(days=1), d + timedelta(days=1)}
    return sorted(out)


def test_sliced_equals_direct_at_every_event_date(parcels, ledger):
    events = _ledger_with_every_rule(ledger)
    tables = dict(projects=_projects(), parcels=parcels, events=events, milestones=_milestones(),
                  rules={"forecast_window_days": 30})
    prepared = prepare_frames(**tables, data_version={"last_upload_id": 1})
    dates = _dates_around(events)
    assert len(dates) > 30
    for day in dates:
        direct = compute_snapshot_from_frames(**tables, as_of=day, data_version={"last_upload_id": 1})
        assert_same_snapshot(snapshot_at(prepared, day), direct)


def test_sliced_path_covers_the_hand_checked_figures(parcels, ledger):
    """Independent of the direct path: figures worked out by hand from the ledger above."""
    prepared = prepare_frames(projects=_projects(), parcels=parcels, events=_ledger_with_every_rule(ledger),
                              milestones=_milestones(), rules=None)
    s = snapshot_at(prepared, date(2024, 5, 1))
    stage = dict(zip(s.parcels["parcel_id"], s.parcels["stage"]))
    # AN/1/1 handed over on 01/05; AN/1/2 paid on 02/04 then corrected back to approved the same day;
    # BC/2/1 reached approved through the 50–800 m range; HO/3/1 (1 200 m) only had its notice.
    assert stage == {"QL/AN/1/1": "handed_over", "QL/AN/1/2": "approved", "QL/BC/2/1": "approved",
                     "QL/HO/3/1": "notice"}
    paid = dict(zip(s.parcels["parcel_id"], s.parcels["amount_paid_vnd"]))
    assert paid["QL/AN/1/1"] == 4.0e8 and paid["QL/AN/1/2"] == 0.0      # instalments; voided payment
    # Area: parcels 1 000 m² (Xã An) + former Xã Hòa report 600 m² in Phường Bình → 1 600 of 5 000 = 32 %.
    assert s.projects.loc[0, "percent_handed_over"] == pytest.approx(32.0)
    later = snapshot_at(prepared, date(2024, 7, 1))
    # HO/3/1 handed over 15/06 then corrected back to notice on 01/07; the project report 4 200 m² counts.
    assert dict(zip(later.parcels["parcel_id"], later.parcels["stage"]))["QL/HO/3/1"] == "notice"
    assert later.projects.loc[0, "area_handed_over_m2"] == pytest.approx(4200.0)


def test_snapshot_at_leaves_the_prepared_data_unchanged(parcels, ledger):
    prepared = prepare_frames(projects=_projects(), parcels=parcels, events=_ledger_with_every_rule(ledger),
                              milestones=_milestones(), rules=None)
    before = {name: getattr(prepared, name).copy() for name in
              ("projects", "parcels", "milestones", "events", "by_parcel", "reports", "parcel_frame", "changes")}
    first = snapshot_at(prepared, date(2024, 6, 30))
    snapshot_at(prepared, date(2024, 3, 1))
    again = snapshot_at(prepared, date(2024, 6, 30))
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(prepared, name), frame, obj=name)
    assert_same_snapshot(first, again)


def test_empty_ledger(parcels):
    empty = pd.DataFrame(columns=["event_id", "upload_id", "kind", "project_id", "parcel_id", "event", "event_date"])
    tables = dict(projects=_projects(), parcels=parcels, events=empty, milestones=_milestones(), rules=None)
    prepared = prepare_frames(**tables)
    for day in (date(2024, 1, 1), date(2024, 6, 30)):
        assert_same_snapshot(snapshot_at(prepared, day), compute_snapshot_from_frames(**tables, as_of=day))


def test_compute_snapshot_reads_any_store_reader(parcels, ledger):
    """compute_snapshot needs only the StoreReader Protocol: the in-memory double gives the direct figures."""
    tables = dict(projects=_projects(), parcels=parcels, events=_ledger_with_every_rule(ledger),
                  milestones=_milestones(), rules={"forecast_window_days": 30})
    version = {"last_upload_id": 7, "last_change_at": None, "layers": {}}
    day = date(2024, 6, 30)
    via_store = compute_snapshot(FrameStore(**tables, data_version=version), day)
    assert_same_snapshot(via_store, compute_snapshot_from_frames(**tables, as_of=day, data_version=version))
    assert via_store.projects["area_handed_over_m2"].sum() > 0       # the ledger's rules did apply


@pytest.mark.slow
@pytest.mark.skipif(not (SOURCES / "events.csv").is_file(), reason="bundled data not built")
def test_bundled_store_sliced_equals_compute_snapshot(tmp_path, monkeypatch):
    from tests.support.stores import demo_store

    monkeypatch.setenv("GPMB_SOURCES_DIR", str(SOURCES))
    store = demo_store(f"sqlite:///{tmp_path / 'gpmb.gpkg'}", sources_dir=SOURCES)
    try:
        prepared = prepare(store)
        assert len(prepared.parcels) > 1000 and len(prepared.events) > 10_000
        for day in (date(2023, 1, 1), date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2025, 12, 31)):
            assert_same_snapshot(snapshot_at(prepared, day), compute_snapshot(store, day))
    finally:
        store.close()


def test_an_open_letter_is_an_obstacle_on_both_paths(parcels, ledger):
    """A letter of the complaints register (no complaint event) makes its parcel's obstacle complaint_open
    while it is open, on the direct and the prepared path alike."""
    tables = dict(projects=_projects(), parcels=parcels, events=_ledger_with_every_rule(ledger),
                  milestones=_milestones(), rules=None)
    day = date(2024, 3, 15)
    plain = compute_snapshot_from_frames(**tables, as_of=day).blockers
    target = next(p for p, obs in zip(plain["parcel_id"], plain["obstacles"], strict=True) if "complaint_open" not in obs)
    number = parcels.set_index("parcel_id").loc[target, "parcel_number"]
    letters = pd.DataFrame([{"project_id": "QL", "parcels": str(number), "household_id": None,
                             "received_date": date(2024, 3, 1), "closed_date": date(2024, 4, 1)}])
    direct = compute_snapshot_from_frames(**tables, as_of=day, letters=letters)
    sliced = snapshot_at(prepare_frames(**tables, letters=letters), day)
    for snapshot in (direct, sliced):
        obstacles = dict(zip(snapshot.blockers["parcel_id"], snapshot.blockers["obstacles"], strict=False))
        assert "complaint_open" in obstacles[target]
    after = snapshot_at(prepare_frames(**tables, letters=letters), date(2024, 4, 2)).blockers
    assert all("complaint_open" not in obs for p, obs in zip(after["parcel_id"], after["obstacles"], strict=True)
               if p == target)
