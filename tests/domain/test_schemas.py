"""The pandera models of domain.schemas accept the contract and reject what breaks it."""
from datetime import date

import pandas as pd
import pandera.errors
import pytest

from domain.risk import RISK_CODES
from domain.schemas import EventTable, SnapshotParcels
from domain.tables import EVENT_COLUMNS
from vocab import labels


def events(**changes) -> pd.DataFrame:
    row = dict(event_id=1, upload_id=1, kind="parcel", project_id="P", parcel_id="P/1", commune=None,
               chainage_from_m=float("nan"), chainage_to_m=float("nan"), event="paid", event_date=date(2024, 1, 2),
               area_m2=float("nan"), households=pd.NA, amount_vnd=1e6, is_correction=False, note="")
    row.update(changes)
    frame = pd.DataFrame([row], columns=list(EVENT_COLUMNS))
    return frame.astype({"households": "Int64", "area_m2": float, "chainage_from_m": float, "chainage_to_m": float})


def snapshot_parcels(**changes) -> pd.DataFrame:
    row = dict(parcel_id="P/1", project_id="P", commune="Xã An", map_sheet=1, parcel_number="263A",
               area_to_recover_m2=10.0, chainage_m=float("nan"), stage="paid", stage_rank=5,
               area_handed_over_m2=0.0, complaint_open=False, enforced=False, compulsory_inventory=False,
               amount_approved_vnd=0.0, amount_paid_vnd=1e6, risk_flags=[], at_risk=False)
    row.update(changes)
    return pd.DataFrame([row])


def test_a_valid_ledger_row_and_snapshot_row_pass():
    EventTable.validate(events())
    SnapshotParcels.validate(snapshot_parcels())


@pytest.mark.parametrize("changes", [dict(kind="parcels"), dict(event="done"), dict(parcel_id=None),
                                     dict(amount_vnd=-1.0), dict(kind="chainage_range", parcel_id=None)])
def test_ledger_rows_breaking_the_contract_are_rejected(changes):
    with pytest.raises(pandera.errors.SchemaError):
        EventTable.validate(events(**changes))


@pytest.mark.parametrize("changes", [dict(stage="paid", stage_rank=4), dict(stage="cleared", stage_rank=7),
                                     dict(risk_flags=["Khiếu nại"], at_risk=True), dict(risk_flags=["enforced"]),
                                     dict(parcel_number="263a"), dict(parcel_number="0012"), dict(parcel_number=2)])
def test_snapshot_rows_with_display_text_or_inconsistent_codes_are_rejected(changes):
    with pytest.raises(pandera.errors.SchemaError):
        SnapshotParcels.validate(snapshot_parcels(**changes))


def test_every_risk_flag_code_has_one_vietnamese_label():
    words = [labels.risk_flag_label(code) for code in RISK_CODES]
    assert all(w and w != code for w, code in zip(words, RISK_CODES))
    assert len(set(words)) == len(words)
