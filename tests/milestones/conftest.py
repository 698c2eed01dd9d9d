"""Small hand-made parcels and ledgers for the milestones tests (figures computed by hand)."""
from __future__ import annotations

import itertools

import pandas as pd
import pytest


@pytest.fixture
def parcels() -> pd.DataFrame:
    """One road project QL (total area to recover 5 000 m²) over two 2025 communes.

    ``Phường Bình`` was formed from the former communes ``Xã Bình Cũ`` and ``Xã Hòa``.
    """
    return pd.DataFrame({
        "parcel_id": ["QL/AN/1/1", "QL/AN/1/2", "QL/BC/2/1", "QL/HO/3/1"],
        "project_id": "QL",
        "commune": ["Xã An", "Xã An", "Phường Bình", "Phường Bình"],
        "commune_former": ["Xã An", "Xã An", "Xã Bình Cũ", "Xã Hòa"],
        "map_sheet": [1, 1, 2, 3],
        "parcel_number": [1, 2, 1, 1],
        "land_use": ["LUC", "ONT", "BHK", "ODT"],
        "household_id": ["H1", "H1", "H2", None],
        "area_to_recover_m2": [1000.0, 500.0, 2000.0, 1500.0],
        "chainage_m": [100.0, 400.0, 700.0, 1200.0],
    })


class Ledger:
    """Builds an events DataFrame with increasing event_id (the store's ledger order)."""

    def __init__(self):
        self.rows = []
        self._ids = itertools.count(1)

    def parcel(self, parcel_id, event, day, *, correction=False, amount=None, project="QL"):
        self.rows.append(dict(event_id=next(self._ids), upload_id=1, kind="parcel", project_id=project,
                              parcel_id=parcel_id, event=event, event_date=day, is_correction=correction,
                              amount_vnd=amount))
        return self

    def chainage(self, from_m, to_m, event, day, *, amount=None, project="QL"):
        self.rows.append(dict(event_id=next(self._ids), upload_id=1, kind="chainage_range", project_id=project,
                              chainage_from_m=from_m, chainage_to_m=to_m, event=event, event_date=day,
                              amount_vnd=amount))
        return self

    def aggregate(self, area_m2, day, *, commune=None, project="QL"):
        self.rows.append(dict(event_id=next(self._ids), upload_id=1, kind="aggregate", project_id=project,
                              commune=commune, event="handed_over", event_date=day, area_m2=area_m2))
        return self

    def frame(self) -> pd.DataFrame:
        cols = ["event_id", "upload_id", "kind", "project_id", "parcel_id", "commune", "chainage_from_m",
                "chainage_to_m", "event", "event_date", "area_m2", "households", "amount_vnd",
                "is_correction", "note"]
        df = pd.DataFrame(self.rows)
        for c in cols:
            if c not in df.columns:
                df[c] = None
        df["is_correction"] = df["is_correction"].fillna(False).astype(bool)
        return df[cols]


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


def ten_parcels() -> pd.DataFrame:
    """Project R: ten parcels of 100 m² (1 000 m²), five in Xã Đông, five in Xã Tây, one household each."""
    return pd.DataFrame({
        "parcel_id": [f"R/{i}" for i in range(10)],
        "project_id": "R",
        "commune": ["Xã Đông"] * 5 + ["Xã Tây"] * 5,
        "commune_former": ["Xã Đông"] * 5 + ["Xã Tây"] * 5,
        "land_use": "LUC",
        "household_id": [f"H{i}" for i in range(10)],
        "area_to_recover_m2": 100.0,
        "chainage_m": [float("nan")] * 10,
    })


@pytest.fixture
def r_parcels() -> pd.DataFrame:
    return ten_parcels()


@pytest.fixture
def new_ledger():
    """Factory of fresh ledgers (when a test needs more than one)."""
    return Ledger
