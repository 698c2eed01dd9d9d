"""Progress at an as-of date: stages, corrections, flags, amounts, households, combination rules."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from milestones.progress import ProgressHistory, commune_progress, parcel_stages, project_progress, segment_progress
from vocab.labels import STAGE_LABELS_VI


def stage_of(parcels, events, as_of, parcel_id="QL/AN/1/1"):
    s = parcel_stages(parcels, events, as_of).set_index("parcel_id")
    return s.loc[parcel_id]


def test_stage_before_at_and_after_events(parcels, ledger):
    ev = ledger.parcel("QL/AN/1/1", "notice", "2024-01-10").parcel("QL/AN/1/1", "handed_over", "2024-03-01").frame()
    before = stage_of(parcels, ev, date(2024, 1, 9))
    assert before["stage"] == "not_started" and pd.isna(before["stage_date"])
    at = stage_of(parcels, ev, date(2024, 1, 10))
    assert at["stage"] == "notice" and at["stage_date"] == pd.Timestamp("2024-01-10")
    assert "stage_label" not in at.index                     # codes only; words come from vocab.labels
    assert STAGE_LABELS_VI[at["stage"]] == "Thông báo thu hồi đất"
    assert stage_of(parcels, ev, date(2024, 2, 29))["stage"] == "notice"
    after = stage_of(parcels, ev, date(2024, 3, 1))
    assert after["stage"] == "handed_over" and after["handed_over_on"] == pd.Timestamp("2024-03-01")
    # 1 000 of 5 000 m² handed over.
    proj = project_progress(parcel_stages(parcels, ev, date(2024, 3, 1)), ev, date(2024, 3, 1))
    assert proj.loc[0, "area_handed_over_m2"] == 1000.0
    assert proj.loc[0, "percent_handed_over"] == pytest.approx(20.0)
    assert project_progress(parcel_stages(parcels, ev, date(2024, 2, 1)), ev, date(2024, 2, 1)).loc[0, "percent_handed_over"] == 0.0


def test_stage_never_goes_backwards_without_correction(parcels, ledger):
    ev = (ledger.parcel("QL/AN/1/1", "approved", "2024-02-01")
          .parcel("QL/AN/1/1", "inventory", "2024-03-01")).frame()   # late entry of an earlier stage
    row = stage_of(parcels, ev, date(2024, 4, 1))
    assert row["stage"] == "approved" and row["stage_date"] == pd.Timestamp("2024-02-01")


def test_correction_sets_stage_and_voids_amounts_above_it(parcels, ledger):
    ev = (ledger.parcel("QL/AN/1/1", "approved", "2024-01-05", amount=100e6)
          .parcel("QL/AN/1/1", "paid", "2024-02-01", amount=60e6)
          .parcel("QL/AN/1/1", "handed_over", "2024-03-01")
          .parcel("QL/AN/1/1", "approved", "2024-03-10", correction=True, amount=120e6)
          .parcel("QL/AN/1/1", "paid", "2024-04-01", amount=120e6)).frame()
    mid = stage_of(parcels, ev, date(2024, 3, 5))
    assert mid["stage"] == "handed_over" and mid["amount_paid_vnd"] == 60e6
    corrected = stage_of(parcels, ev, date(2024, 3, 10))
    assert corrected["stage"] == "approved"
    assert corrected["stage_date"] == pd.Timestamp("2024-03-10")
    assert corrected["amount_approved_vnd"] == 120e6      # the re-approved amount replaces the first
    assert corrected["amount_paid_vnd"] == 0.0             # the payment above the correction is void
    assert corrected["area_handed_over_m2"] == 0.0
    later = stage_of(parcels, ev, date(2024, 4, 1))
    assert later["stage"] == "paid" and later["amount_paid_vnd"] == 120e6


def test_same_day_events_follow_event_id(parcels, ledger):
    ev = (ledger.parcel("QL/AN/1/1", "handed_over", "2024-03-01")
          .parcel("QL/AN/1/1", "paid", "2024-03-01", correction=True)).frame()
    assert stage_of(parcels, ev, date(2024, 3, 1))["stage"] == "paid"


def test_complaint_open_until_resolved_and_reopened(parcels, ledger):
    ev = (ledger.parcel("QL/AN/1/2", "complaint", "2024-02-01")
          .parcel("QL/AN/1/2", "complaint_resolved", "2024-03-01")
          .parcel("QL/AN/1/2", "complaint", "2024-04-01")
          .parcel("QL/AN/1/2", "enforced", "2024-05-01")).frame()
    feb = stage_of(parcels, ev, date(2024, 2, 15), "QL/AN/1/2")
    assert feb["complaint_open"] and feb["complaint_since"] == pd.Timestamp("2024-02-01")
    mar = stage_of(parcels, ev, date(2024, 3, 15), "QL/AN/1/2")
    assert not mar["complaint_open"] and pd.isna(mar["complaint_since"])
    apr = stage_of(parcels, ev, date(2024, 4, 15), "QL/AN/1/2")
    assert apr["complaint_open"] and apr["complaint_since"] == pd.Timestamp("2024-04-01")
    assert not apr["enforced"]
    assert stage_of(parcels, ev, date(2024, 5, 1), "QL/AN/1/2")["enforced"]
    assert stage_of(parcels, ev, date(2024, 5, 1), "QL/AN/1/2")["stage"] == "not_started"   # flags keep the stage


def test_chainage_range_applies_to_parcels_in_range_once(parcels, ledger):
    # Range Km0+000–Km0+500 covers QL/AN/1/1 (100 m) and QL/AN/1/2 (400 m); QL/AN/1/1 also has its own event.
    ev = (ledger.parcel("QL/AN/1/1", "handed_over", "2024-02-01")
          .chainage(500, 0, "handed_over", "2024-03-01")          # from > to: same range
          .chainage(0, 500, "approved", "2024-01-15", amount=3_000_000)).frame()
    s = parcel_stages(parcels, ev, date(2024, 3, 1)).set_index("parcel_id")
    assert list(s["stage"]) == ["handed_over", "handed_over", "not_started", "not_started"]
    # Amount shared by area to recover: 1 000 : 500.
    assert s.loc["QL/AN/1/1", "amount_approved_vnd"] == pytest.approx(2_000_000)
    assert s.loc["QL/AN/1/2", "amount_approved_vnd"] == pytest.approx(1_000_000)
    proj = project_progress(s.reset_index(), ev, date(2024, 3, 1))
    assert proj.loc[0, "area_handed_over_m2"] == 1500.0      # not 1000 + 1500
    assert proj.loc[0, "parcels_handed_over"] == 2
    # Ends included: a range ending exactly at a parcel's chainage covers it.
    ev2 = ledger.chainage(700, 1200, "notice", "2024-05-01").frame()
    s2 = parcel_stages(parcels, ev2, date(2024, 5, 1)).set_index("parcel_id")
    assert s2.loc["QL/BC/2/1", "stage"] == "notice" and s2.loc["QL/HO/3/1", "stage"] == "notice"


def test_aggregate_never_adds_to_parcels(parcels, ledger):
    ev = (ledger.parcel("QL/AN/1/1", "handed_over", "2024-02-01")
          .parcel("QL/AN/1/2", "handed_over", "2024-02-01")        # parcels: 1 500 m²
          .aggregate(1000.0, "2024-02-10")                         # project report below parcels
          .aggregate(4000.0, "2024-03-10")).frame()                # project report above parcels
    def area(d):
        return project_progress(parcel_stages(parcels, ev, d), ev, d).loc[0, "area_handed_over_m2"]
    assert area(date(2024, 2, 15)) == 1500.0          # max(1 500, 1 000), not 2 500
    assert area(date(2024, 3, 9)) == 1500.0           # the 10/03 report is not yet known
    assert area(date(2024, 3, 10)) == 4000.0          # max(1 500, 4 000)


def test_aggregate_by_commune_rolls_up_to_project(parcels, ledger):
    ev = (ledger.parcel("QL/AN/1/1", "handed_over", "2024-02-01")
          .parcel("QL/AN/1/2", "handed_over", "2024-02-01")        # Xã An: 1 500 of 1 500 m² by parcels
          .aggregate(1500.0, "2024-02-05", commune="phuong binh")  # 2025 unit, no diacritics
          .aggregate(1000.0, "2024-02-06", commune="Xã Bình Cũ")   # former units of Phường Bình
          .aggregate(800.0, "2024-02-07", commune="Xã Hòa")
          .aggregate(1200.0, "2024-02-08", commune="Xã An")).frame()   # below Xã An's parcels
    d = date(2024, 2, 10)
    s = parcel_stages(parcels, ev, d)
    com = commune_progress(s, ev, d).set_index("commune")
    assert com.loc["Xã An", "area_handed_over_m2"] == 1500.0
    # Phường Bình: max(parcels 0, report 1 500, former reports 1 000 + 800) = 1 800.
    assert com.loc["Phường Bình", "area_handed_over_m2"] == 1800.0
    assert com.loc["Phường Bình", "percent_handed_over"] == pytest.approx(1800 / 3500 * 100)
    proj = project_progress(s, ev, d)
    assert proj.loc[0, "area_handed_over_m2"] == 3300.0       # 1 500 + 1 800
    assert proj.loc[0, "area_parcels_m2"] == 1500.0


def test_aggregate_capped_at_area_to_recover(parcels, ledger):
    ev = ledger.aggregate(9999.0, "2024-02-01").frame()
    proj = project_progress(parcel_stages(parcels, ev, date(2024, 3, 1)), ev, date(2024, 3, 1))
    assert proj.loc[0, "area_handed_over_m2"] == 5000.0 and proj.loc[0, "percent_handed_over"] == 100.0


def test_households_count_once_at_least_advanced_parcel(parcels, ledger):
    ev = (ledger.parcel("QL/AN/1/1", "handed_over", "2024-02-01")
          .parcel("QL/AN/1/2", "notice", "2024-02-01")
          .parcel("QL/BC/2/1", "paid", "2024-02-01")).frame()
    d = date(2024, 2, 1)
    proj = project_progress(parcel_stages(parcels, ev, d), ev, d).loc[0]
    # H1 has parcels at handed_over and notice → counted once, at notice; H2 paid; QL/HO/3/1 has no
    # household id → its own household, not started.
    assert proj["households_total"] == 3
    assert (proj["households_notice"], proj["households_paid"], proj["households_not_started"]) == (1, 1, 1)
    assert proj["households_handed_over"] == 0
    assert proj["parcels_handed_over"] == 1 and proj["parcels_total"] == 4
    assert proj["percent_households_paid"] == pytest.approx(100 / 3)


def test_segment_progress_by_chainage(parcels, ledger):
    ev = ledger.parcel("QL/AN/1/2", "handed_over", "2024-02-01").frame()
    seg = segment_progress(parcel_stages(parcels, ev, date(2024, 3, 1)), segment_m=500)
    assert list(seg["segment_from_m"]) == [0.0, 500.0, 1000.0]
    assert list(seg["segment_to_m"]) == [500.0, 1000.0, 1500.0]
    assert list(seg["area_to_recover_m2"]) == [1500.0, 2000.0, 1500.0]
    assert seg.loc[0, "percent_handed_over"] == pytest.approx(500 / 1500 * 100)
    with pytest.raises(ValueError):
        segment_progress(parcel_stages(parcels, ev, date(2024, 3, 1)), segment_m=0)


def test_history_matches_progress_tables_at_every_date(parcels, ledger):
    ev = (ledger.parcel("QL/AN/1/1", "handed_over", "2024-02-01")
          .chainage(600, 1300, "handed_over", "2024-03-01")
          .aggregate(2000.0, "2024-02-15", commune="Phường Bình")
          .parcel("QL/BC/2/1", "paid", "2024-04-01", correction=True)
          .aggregate(5000.0, "2024-06-01")).frame()
    as_of = date(2024, 6, 30)
    h = ProgressHistory.build(parcels, ev, as_of)
    dates = pd.date_range("2024-01-01", as_of, freq="16D")
    series = h.percent("percent_area_handed_over", "QL", None, dates)
    commune_series = h.percent("percent_area_handed_over", "QL", "Phường Bình", dates)
    for d, value, cvalue in zip(dates, series, commune_series):
        s = parcel_stages(parcels, ev, d)
        assert value == pytest.approx(project_progress(s, ev, d).loc[0, "percent_handed_over"]), d
        com = commune_progress(s, ev, d).set_index("commune")
        assert cvalue == pytest.approx(com.loc["Phường Bình", "percent_handed_over"]), d


def test_parcels_geodataframe_kept(parcels, ledger):
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import box
    gdf = gpd.GeoDataFrame(parcels, geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs=9215)
    out = parcel_stages(gdf, ledger.parcel("QL/AN/1/1", "notice", "2024-01-01").frame(), date(2024, 2, 1))
    assert isinstance(out, gpd.GeoDataFrame) and out.crs.to_epsg() == 9215
    assert list(out["parcel_id"]) == list(parcels["parcel_id"])


def test_reverted_or_unknown_parcel_events_are_ignored(parcels, ledger):
    ev = ledger.parcel("NOPE/1", "handed_over", "2024-01-01").frame()
    s = parcel_stages(parcels, ev, date(2024, 2, 1))
    assert (s["stage"] == "not_started").all()
    assert np.all(s["area_handed_over_m2"] == 0)


def test_parcel_stages_add_exactly_the_state_columns_of_the_contract(parcels, ledger):
    from domain.tables import PARCEL_STATE_COLUMNS

    ev = ledger.parcel("QL/AN/1/1", "paid", "2024-01-10", amount=5e6).frame()
    state = parcel_stages(parcels, ev, date(2024, 2, 1))
    assert list(state.columns) == [*parcels.columns, *PARCEL_STATE_COLUMNS]
    assert state.set_index("parcel_id").loc["QL/AN/1/1", "amount_paid_vnd"] == 5e6
