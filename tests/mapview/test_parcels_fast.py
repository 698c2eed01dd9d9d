"""The map's parcel formatting computed once per distinct value (``mapview.parcels``, ``mapview.parcel_layer``)
equals the per-parcel reference (``tests/mapview/parcels_reference.py``): on random frames (halves, NaN,
infinities, negative chainages, text sheets, flag lists in any order) and on the bundled data's snapshot."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.risk import RISK_CODES
from domain.stages import STAGES
from mapview import parcel_layer, parcels
from mapview.encode import columnar
from milestones.prepared import prepare, snapshot_at
from tests.mapview import parcels_reference as ref
from tests.support.stores import demo_store

numbers = st.one_of(st.none(), st.just(float("nan")), st.floats(allow_nan=True, allow_infinity=True, width=64),
                    st.integers(-3, 3).map(lambda i: i + 0.5), st.integers(-10**6, 10**6).map(float))
sheets = st.one_of(st.none(), st.integers(0, 40), st.integers(0, 40).map(float), st.sampled_from(["12", "7a", "<b>"]),
                   st.just(True), st.just(1.5))
flags = st.one_of(st.none(), st.just(float("nan")), st.lists(st.sampled_from(RISK_CODES[:6]), max_size=3, unique=True))
stage_days = st.one_of(st.none(), st.datetimes(datetime(2023, 1, 1), datetime(2023, 1, 4)),
                       st.integers(0, 3).map(lambda d: datetime(2023, 1, 1) + timedelta(days=d)))
texts = st.one_of(st.none(), st.just(float("nan")), st.sampled_from(["LUC", "ONT", " Hà <Văn> ", "", "  ", "A&B"]))


@st.composite
def frames(draw):
    n = draw(st.integers(0, 30))
    column = lambda values: draw(st.lists(values, min_size=n, max_size=n))   # noqa: E731
    return pd.DataFrame({
        "stage": pd.Series(column(st.one_of(st.none(), st.sampled_from([*STAGES, "unknown"]))), dtype=object),
        "project_id": column(st.sampled_from(["QL4B", "CT_HNCL", "NEW"])),
        "map_sheet": pd.Series(column(sheets), dtype=object),
        "parcel_number": pd.Series(column(sheets), dtype=object),
        "land_use": pd.Series(column(texts), dtype=object),
        "owner_name": pd.Series(column(texts), dtype=object),
        "area_to_recover_m2": pd.Series(column(numbers), dtype=float),
        "chainage_m": pd.Series(column(st.one_of(st.none(), st.floats(0, 1e6), st.integers(0, 2000).map(lambda i: i + 0.5))),
                                dtype=float),
        "risk_flags": pd.Series(column(flags), dtype=object),
        "stage_date": pd.to_datetime(pd.Series(column(stage_days), dtype=object)),
    })


PROJECTS = pd.DataFrame({"project_id": ["QL4B", "CT_HNCL"], "short_name": ["QL4B", "Cao tốc"],
                         "geometry_status": ["surveyed", "approximate"]})


def _same(frame: pd.DataFrame) -> None:
    assert parcels._stage_ranks(frame) == ref.stage_ranks(frame)
    assert parcels._project_index(frame, PROJECTS) == ref.project_index(frame, PROJECTS)
    for name in ("map_sheet", "parcel_number"):
        assert parcels._integers(frame[name]) == ref.integers(frame[name])
    assert parcels._land_use_codes(frame) == ref.land_use_codes(frame)
    assert parcels._owner_names(frame) == ref.owner_names(frame)
    assert parcels._area_texts(frame["area_to_recover_m2"]) == ref.area_texts(frame["area_to_recover_m2"])
    assert parcels._chainage_texts(frame) == ref.chainage_texts(frame)
    assert parcels._flag_index(frame) == ref.flag_index(frame)
    assert parcel_layer._flag_values(frame) == ref.flag_values(frame, parcel_layer.MAX_FLAG_BITS)
    if "stage_date" in frame:
        assert parcels._stage_dates(frame) == ref.stage_dates(frame)
        assert parcels._stage_date_column(frame) == columnar(pd.DataFrame({"d": ref.stage_dates(frame)}))["d"]


@settings(max_examples=200, deadline=None)
@given(frames())
def test_distinct_formatting_equals_the_per_parcel_reference(frame):
    _same(frame)


def test_a_negative_chainage_is_refused_as_before():
    frame = pd.DataFrame({"chainage_m": [10.0, -0.4]})
    with pytest.raises(ValueError):
        ref.chainage_texts(frame)
    with pytest.raises(ValueError):
        parcels._chainage_texts(frame)


def test_more_flags_than_bits_give_index_lists_as_before():
    codes = [f"stuck_{i}" for i in range(parcel_layer.MAX_FLAG_BITS + 2)]
    frame = pd.DataFrame({"risk_flags": pd.Series([codes, codes[::-1], None, codes[:2]], dtype=object)})
    assert parcel_layer._flag_values(frame) == ref.flag_values(frame, parcel_layer.MAX_FLAG_BITS)
    assert isinstance(parcel_layer._flag_values(frame)[1][0], list)


@pytest.fixture(scope="module")
def bundled_parcels(tmp_path_factory):
    store = demo_store(f"sqlite:///{tmp_path_factory.mktemp('fast') / 'demo.gpkg'}")
    try:
        snap = snapshot_at(prepare(store), date(2024, 6, 30))
    finally:
        store.close()
    return snap.parcels


def test_bundled_snapshot_equals_the_reference(bundled_parcels):
    assert bundled_parcels["risk_flags"].map(len).gt(0).any()   # flags to compare
    _same(bundled_parcels)
    _same(bundled_parcels.iloc[np.random.default_rng(13).permutation(len(bundled_parcels))].reset_index(drop=True))
    assert parcels._area_texts(bundled_parcels["parcel_area_m2"]) == ref.area_texts(bundled_parcels["parcel_area_m2"])


def test_the_static_columns_fingerprint_follows_every_source_value(bundled_parcels):
    from mapview.parcel_layer import STATIC_SOURCES, _fingerprint

    projects = PROJECTS
    frame = bundled_parcels.drop(columns="geometry").iloc[:50].copy()
    base = _fingerprint(frame, projects)
    assert _fingerprint(frame.copy(), projects) == base
    for name in [c for c in STATIC_SOURCES if c in frame]:
        changed = frame.copy()
        column = changed[name].to_numpy(copy=True)
        others = [v for v in bundled_parcels[name].dropna().unique() if v != column[7]]
        column[7] = others[0] if others else (not column[7] if isinstance(column[7], (bool, np.bool_)) else 1.5)
        changed[name] = pd.Series(column, index=changed.index).astype(frame[name].dtype)
        assert (changed[name] != frame[name]).any(), name
        assert _fingerprint(changed, projects) != base, name
    renamed = projects.assign(short_name=["QL4B", "CT"])
    assert _fingerprint(frame, renamed) != base
