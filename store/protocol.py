"""What the layers above need from the store, as typing Protocols (DATA_MODEL.md, "store").

Computations (``milestones``), the map and the views depend on these read-only interfaces, not on
:class:`store.store.Store`, so a test double or another backend can stand in for it. The real store
and the test doubles are checked against them by ``tests/store/test_protocol.py`` (``isinstance``
with ``runtime_checkable`` and a comparison of signatures).
"""
from __future__ import annotations

from datetime import date
from typing import Protocol, runtime_checkable

import geopandas as gpd
import pandas as pd


@runtime_checkable
class LayerReader(Protocol):
    """The feature layers and the data version: what the map and the dashboard's views read.

    Every GeoDataFrame is in EPSG:9215 (``domain.crs.STORE_EPSG``), columns as DATA_MODEL.md.
    """

    def projects(self) -> gpd.GeoDataFrame:
        """Projects, geometry = clearance boundary (MultiPolygon)."""
        ...

    def centrelines(self) -> gpd.GeoDataFrame:
        """Route centrelines (LineStrings in increasing chainage)."""
        ...

    def parcels(self, project_id: str | None = None) -> gpd.GeoDataFrame:
        """Parcels, only ``project_id``'s when given."""
        ...

    def communes(self) -> gpd.GeoDataFrame:
        """2025 communes/wards (``name``, ``full_name``, ``code``, ``former_units``)."""
        ...

    def roads(self) -> gpd.GeoDataFrame:
        """Roads and railway context layer."""
        ...

    def data_version(self) -> dict:
        """``last_upload_id``, ``last_change_at``, ``layers``: the cache key of every computation."""
        ...


@runtime_checkable
class StoreReader(LayerReader, Protocol):
    """Everything computations read: the layers plus milestones, rules, the ledger and the uploads."""

    def milestones(self, as_of: date | None = None) -> pd.DataFrame:
        """Milestones in force at ``as_of`` (None: now; ``due_date`` text dd/mm/yyyy, ``target_percent`` 0–100)."""
        ...

    def rules(self, as_of: date | None = None) -> dict:
        """The rules in force at ``as_of`` as written (stage limits in days, forecast window …)."""
        ...

    def config_history(self, kind: str | None = None) -> pd.DataFrame:
        """Recorded changes of milestones, rules and project attributes (``domain.config_history``)."""
        ...

    def events(self, include_reverted: bool = False) -> pd.DataFrame:
        """The ledger in ``event_id`` order, reverted uploads excluded unless asked."""
        ...

    def uploads(self) -> pd.DataFrame:
        """Every upload, oldest first, with its revert if any."""
        ...
