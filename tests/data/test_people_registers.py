"""The bundled people-side registers agree with the bundled parcels and field-count history (issue 12)."""
from __future__ import annotations

import pandas as pd
import pytest

from domain.people import REGISTER_COLUMNS
from store.people_seed import REGISTER_SOURCE_FILES, load_register


@pytest.fixture(scope="module")
def registers(sources_dir):
    return {r: load_register(sources_dir / f, r) for r, f in REGISTER_SOURCE_FILES.items()}


def test_files_have_the_contract_columns(sources_dir, registers):
    for register, name in REGISTER_SOURCE_FILES.items():
        assert (sources_dir / name).read_bytes()[:3] == b"\xef\xbb\xbf"
        assert list(pd.read_csv(sources_dir / name, encoding="utf-8-sig").columns) == list(REGISTER_COLUMNS[register])


def test_households_are_those_of_the_parcels(registers, parcels):
    homes = registers["households"]
    expected = parcels[parcels["household_id"].notna()][["project_id", "household_id"]].drop_duplicates()
    assert len(homes) == len(expected)
    assert set(zip(homes["project_id"], homes["household_id"])) == set(zip(expected["project_id"],
                                                                           expected["household_id"]))


def test_every_complaint_event_is_a_letter(registers, events):
    letters = registers["complaints"]
    assert len(letters) == (events["event"] == "complaint").sum() == 368
    assert letters["letter_id"].is_unique
    assert (letters["status"] == "resolved").sum() == (events["event"] == "complaint_resolved").sum()


def test_payments_and_plans_match_the_paid_and_approved_events(registers, events, parcels):
    owned = events.merge(parcels[["parcel_id", "household_id"]], on="parcel_id")
    owned = owned[owned["household_id"].notna() & owned["amount_vnd"].notna()]
    paid = owned[owned["event"] == "paid"].sort_values("event_date").groupby("parcel_id").tail(1)
    payments = registers["payments"]
    main = payments[payments["part"].isin(["compensation", "support"])]["amount_vnd"].astype(float).sum()
    assert main == pytest.approx(paid["amount_vnd"].sum())
    approved = owned[owned["event"] == "approved"].sort_values("event_date").groupby("parcel_id").tail(1)
    plans = registers["plans"]
    parts = plans["compensation_vnd"].astype(float) + plans["support_vnd"].astype(float)
    assert parts.sum() == pytest.approx(approved["amount_vnd"].sum())
    resettled = payments[payments["part"] == "resettlement"]["amount_vnd"].astype(float).sum()
    assert resettled == pytest.approx(plans["resettlement_vnd"].astype(float).sum()) and resettled > 0
    # every payment belongs to a household with a plan; a household paid in full got its last payment on or
    # after its plan took effect
    merged = registers["payments"].merge(plans, on=["project_id", "household_id"], how="left")
    assert merged["effective_date"].notna().all()
    last = merged.assign(amount=merged["amount_vnd"].astype(float)).groupby(["project_id", "household_id"]).agg(
        paid=("payment_date", "max"), effective=("effective_date", "first"), total=("amount", "sum"),
        due=("compensation_vnd", "first"))
    full = last[last["total"] >= last["due"].astype(float)]
    assert len(full) > 0.95 * len(last) and (full["paid"] >= full["effective"]).all()


def test_one_resettlement_area_with_enough_lots_per_class(registers):
    areas, lots, plans = registers["areas"], registers["lots"], registers["plans"]
    assert len(areas) == 1 and set(lots["area_id"]) == set(areas["area_id"])
    needed = plans[plans["resettlement_entitlement"] != "none"]["resettlement_entitlement"].value_counts()
    offered = lots["lot_class"].value_counts()
    assert needed.sum() > 50 and all(offered[k] > n for k, n in needed.items())
    assert set(plans[plans["resettlement_entitlement"] != "none"]["project_id"]) == set(areas["project_id"])


def test_refusals_come_before_the_household_came_and_transfers_fall_short(registers):
    plans = registers["plans"].set_index(["project_id", "household_id"])
    first_paid = registers["payments"].groupby(["project_id", "household_id"])["payment_date"].min()
    refusals = registers["refusals"]
    assert len(refusals) > 0 and set(refusals["step"]) <= {"invited_1", "invited_2", "invited_3", "deposited"}
    for row in refusals.itertuples():
        key = (row.project_id, row.household_id)
        assert pd.Timestamp(plans.loc[key, "effective_date"]) < pd.Timestamp(row.step_date)
        if key in first_paid.index:   # invited only before it came; no deposit for a household that came
            assert pd.Timestamp(row.step_date) < pd.Timestamp(first_paid[key]) and row.step != "deposited"
    transfers = registers["transfers"]
    parts = plans[["compensation_vnd", "support_vnd", "resettlement_vnd"]].apply(pd.to_numeric)
    need = parts.sum(axis=1).groupby(level="project_id").sum()
    sent = pd.to_numeric(transfers["amount_vnd"]).groupby(transfers["project_id"]).sum()
    assert set(sent.index) == set(need.index)
    for project in need.index:   # 90 % per month, rounded down to a million: just under 90 % of the total
        assert need[project] * 0.9 - 1e6 * (transfers["project_id"] == project).sum() <= sent[project] <= need[project] * 0.9
