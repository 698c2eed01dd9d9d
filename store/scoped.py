"""A store reader limited to some units (issue 10): what an account with units sees.

:class:`ScopedStore` implements :class:`store.protocol.StoreReader` over a :class:`store.store.Store`:

- ``projects`` of the units only (``projects.unit``); ``centrelines``, ``parcels``, ``milestones`` and
  ``events`` of those projects (by ``project_id``; an event or milestone with no project is not shown);
- ``uploads`` and ``register_imports``: those concerning the units only (:mod:`store.visibility`), those the
  account made itself, and the reverts of visible uploads; ``proposals`` the account could decide by unit;
- ``communes``, ``roads`` and ``rules``: the shared context, unchanged;
- ``data_version``: the store's, plus ``units`` (so caches keyed on it never mix two scopes).

Writes are not offered here: they go to the store, which checks the account's units itself
(:mod:`store.units`). A province-level account gets the store itself (:func:`scoped_reader`).
"""
from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd

from domain.roles import Account, unit_scope


def scoped_reader(store, account: Account | None):
    """``store`` limited to ``account``'s units; ``store`` itself for a province-level account or None."""
    units = unit_scope(account)
    if units is None:
        return store
    return ScopedStore(store, units, username=account.username, account=account)


class ScopedStore:
    """Read-only view of ``store`` limited to the unit codes ``units`` (see the module docstring).

    Parameters
    ----------
    store : store.store.Store
    units : iterable of str
        Unit codes (``units.unit_code``).
    username : str, optional
        The account whose own uploads stay visible in :meth:`uploads`.
    account : Account, optional
        The account itself (its communes narrow the lists too, :mod:`store.visibility`); default a reader of
        ``units`` named ``username``.
    """

    def __init__(self, store, units, *, username: str | None = None, account: Account | None = None) -> None:
        self.store = store
        self.unit_codes = frozenset(str(u) for u in units)
        self.username = username
        self.account = account or Account(username=username or "", display_name="", role="viewer",
                                          units=tuple(sorted(self.unit_codes)))

    @property
    def backend(self) -> str:
        """The backend of the store (``sqlite`` or ``postgresql``)."""
        return self.store.backend

    def __repr__(self) -> str:
        return f"ScopedStore({self.store!r}, units={sorted(self.unit_codes)})"

    def _project_ids(self) -> set[str]:
        return set(self.projects()["project_id"].astype(str))

    @staticmethod
    def _of(frame, project_ids: set[str]):
        if "project_id" not in frame.columns:
            return frame.iloc[0:0]
        return frame[frame["project_id"].astype(str).isin(project_ids)].reset_index(drop=True)

    # ------------------------------------------------------------------ LayerReader
    def projects(self) -> gpd.GeoDataFrame:
        """Projects of the units (``unit`` in the scope), EPSG:9215."""
        projects = self.store.projects()
        if "unit" not in projects.columns:
            return projects.iloc[0:0]
        return projects[projects["unit"].astype(str).isin(self.unit_codes)].reset_index(drop=True)

    def centrelines(self) -> gpd.GeoDataFrame:
        """Centrelines of the units' projects."""
        return self._of(self.store.centrelines(), self._project_ids())

    def parcels(self, project_id: str | None = None) -> gpd.GeoDataFrame:
        """Parcels of the units' projects (only ``project_id``'s when given; none if it is another unit's)."""
        visible = self._project_ids()
        if project_id is not None:
            visible &= {str(project_id)}
        return self._of(self.store.parcels(project_id), visible)

    def parcel_attributes(self) -> pd.DataFrame:
        """:meth:`store.store.Store.parcel_attributes` of the units' projects (no geometry)."""
        return self._of(self.store.parcel_attributes(), self._project_ids())

    def communes(self) -> gpd.GeoDataFrame:
        """The shared communes layer (context, not limited)."""
        return self.store.communes()

    def roads(self) -> gpd.GeoDataFrame:
        """The shared roads layer (context, not limited)."""
        return self.store.roads()

    def data_version(self) -> dict:
        """The store's data version plus ``units`` (sorted codes of the scope)."""
        return {**self.store.data_version(), "units": tuple(sorted(self.unit_codes))}

    # ------------------------------------------------------------------ StoreReader
    def milestones(self, as_of: date | None = None) -> pd.DataFrame:
        """Milestones of the units' projects (in force at ``as_of``)."""
        return self._of(self.store.milestones(as_of=as_of), self._project_ids())

    def rules(self, as_of: date | None = None) -> dict:
        """The store's rules (shared by every unit), in force at ``as_of``."""
        return self.store.rules(as_of=as_of)

    def config_history(self, kind: str | None = None) -> pd.DataFrame:
        """Recorded changes: the rules, and the milestones and attributes of the units' projects."""
        changes = self.store.config_history(kind)
        ids = set(self._project_ids())
        project_of = changes["after"].combine(changes["before"], lambda a, b: (a or b or {}).get("project_id"))
        keep = (changes["kind"] == "rules") | ((changes["kind"] == "project") & changes["item"].isin(ids)) | (
            (changes["kind"] == "milestone") & project_of.isin(ids))
        return changes[keep].reset_index(drop=True)

    def events(self, include_reverted: bool = False) -> pd.DataFrame:
        """Ledger events of the units' projects, in ``event_id`` order."""
        return self._of(self.store.events(include_reverted), self._project_ids())

    def uploads(self) -> pd.DataFrame:
        """Uploads concerning the units only (and, for a commune officer, his communes only), the account's own,
        and reverts of those (:func:`store.visibility.visible_uploads`)."""
        return self.store.uploads_for(self.account)

    def register_imports(self) -> pd.DataFrame:
        """Register imports the account may see (as :meth:`uploads`)."""
        return self.store.register_imports(account=self.account)

    def proposals(self, status: str | None = None) -> pd.DataFrame:
        """Proposals the account may see (:func:`store.visibility.visible_proposals`)."""
        return self.store.proposals(status, account=self.account)

    # ------------------------------------------------------------------ resettlement (the map layer)
    def resettlement_areas(self, project_id: str | None = None) -> gpd.GeoDataFrame:
        """Resettlement areas (EPSG:9215) of the units' projects; the registers behind them (lots, draws) are not
        part of this reader, so the map's tooltip leaves the lot counts blank here."""
        return self._of(self.store.resettlement_areas(project_id), self._project_ids())

    # ------------------------------------------------------------------ units
    def units(self) -> pd.DataFrame:
        """The scope's units (``unit_code``, ``name``, ``province``)."""
        table = self.store.units()
        return table[table["unit_code"].astype(str).isin(self.unit_codes)].reset_index(drop=True)
