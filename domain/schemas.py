"""Types and checks of the tables (pandera models over the columns of :mod:`domain.tables`).

What the store returns and what the snapshot carries are validated against these models
(``EventTable.validate(store.events())``; tests in ``tests/store`` and ``tests/milestones``). A
failed check raises ``pandera.errors.SchemaError`` naming the column and the failing values.
Imported on demand (pandera costs an import of ~1 s), never by the computations' hot path.
"""
from __future__ import annotations

import pandera.pandas as pa
from pandera.typing.pandas import Series

from domain.risk import RISK_CODES
from domain.stages import EVENT_CODES, STAGE_RANK, STAGES
from domain.tables import EVENT_KINDS, PARCEL_KEY_PATTERN


class EventTable(pa.DataFrameModel):
    """The ledger as ``store.events()`` returns it (DATA_MODEL.md "events")."""

    event_id: Series[int] = pa.Field(unique=True, ge=1)
    upload_id: Series[int] = pa.Field(ge=1)
    kind: Series[str] = pa.Field(isin=list(EVENT_KINDS))
    project_id: Series[str]
    parcel_id: Series[str] = pa.Field(nullable=True)
    commune: Series[str] = pa.Field(nullable=True)
    chainage_from_m: Series[float] = pa.Field(nullable=True)
    chainage_to_m: Series[float] = pa.Field(nullable=True)
    event: Series[str] = pa.Field(isin=list(EVENT_CODES))
    event_date: Series[object]
    area_m2: Series[float] = pa.Field(ge=0, nullable=True)
    households: Series[pa.typing.Int64] = pa.Field(ge=0, nullable=True)
    amount_vnd: Series[float] = pa.Field(ge=0, nullable=True)
    is_correction: Series[bool]
    note: Series[str] = pa.Field(nullable=True)

    class Config:
        strict = True
        ordered = True

    @pa.dataframe_check
    @classmethod
    def parcel_events_name_a_parcel(cls, df):
        """A ``parcel`` event names its parcel; a ``chainage_range`` event has both ends."""
        parcel_ok = (df["kind"] != "parcel") | df["parcel_id"].notna()
        range_ok = (df["kind"] != "chainage_range") | (df["chainage_from_m"].notna() & df["chainage_to_m"].notna())
        return parcel_ok & range_ok


class ParcelTable(pa.DataFrameModel):
    """The ``parcels`` layer (DATA_MODEL.md): keys, units (m², m) and the per-parcel invariants."""

    parcel_id: Series[str] = pa.Field(unique=True)
    project_id: Series[str]
    commune: Series[str]
    map_sheet: Series[int] = pa.Field(ge=0)
    parcel_number: Series[str] = pa.Field(str_matches=f"^{PARCEL_KEY_PATTERN}$")
    area_to_recover_m2: Series[float] = pa.Field(ge=0)
    chainage_m: Series[float] = pa.Field(nullable=True)

    class Config:
        strict = False        # other columns (owner_name, geometry …) are allowed
        coerce = False


class SnapshotParcels(ParcelTable):
    """``Snapshot.parcels``: the parcels plus codes of their state and risk flags (no display text)."""

    stage: Series[str] = pa.Field(isin=list(STAGES))
    stage_rank: Series[int] = pa.Field(ge=0, le=len(STAGES) - 1)
    area_handed_over_m2: Series[float] = pa.Field(ge=0)
    complaint_open: Series[bool]
    enforced: Series[bool]
    compulsory_inventory: Series[bool]
    amount_approved_vnd: Series[float] = pa.Field(ge=0)
    amount_paid_vnd: Series[float] = pa.Field(ge=0)
    at_risk: Series[bool]

    @pa.dataframe_check
    @classmethod
    def rank_matches_stage(cls, df):
        """``stage_rank`` is the position of ``stage`` in ``domain.stages.STAGES``."""
        return df["stage"].map(STAGE_RANK) == df["stage_rank"]

    @pa.dataframe_check
    @classmethod
    def flags_are_codes(cls, df):
        """``risk_flags`` lists codes of ``domain.risk.RISK_CODES``; ``at_risk`` is "any flag"."""
        codes = set(RISK_CODES)
        known = df["risk_flags"].map(lambda flags: set(flags) <= codes)
        return known & (df["risk_flags"].map(len).gt(0) == df["at_risk"])
