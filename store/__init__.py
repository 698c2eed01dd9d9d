"""The store: GeoPackage/SQLite (default) or PostGIS behind one interface (DATA_MODEL.md "store").

>>> from store import open_store
>>> store = open_store()            # $DATABASE_URL or data/gpmb.gpkg (built with demo data on first run)
>>> store.parcels("QL4B").crs.to_epsg()
9215

Backends (one implementation over SQLAlchemy Core: the :class:`store.store.Store` façade over
:mod:`store.layer_versions` and :mod:`store.uploads`; what computations may rely on is the
:class:`store.protocol.StoreReader` Protocol):

- default ``sqlite:///<repo>/data/gpmb.gpkg``: a GeoPackage 1.3 file that QGIS opens directly; the
  layers projects, centrelines, parcels, communes, roads are feature layers in EPSG:9215, the ledger
  (uploads, events, reverts) and milestones are attribute tables. WAL journal, busy timeout, and
  ``BEGIN IMMEDIATE`` for writes, so concurrent processes wait for each other (:mod:`store.engine`).
- ``DATABASE_URL=postgresql+psycopg://user@host:5432/db``: PostGIS ``geometry(…, 9215)`` columns;
  writes serialised by a transaction-level advisory lock.

Opening never creates a store (issue 10): ``open_store`` refuses a missing, empty or foreign file or
database with a Vietnamese message and writes nothing; ``init_store(url, demo=…)`` (``python cli.py init
[--demo]``) makes one on purpose, with its identity (``Store.identity()``: ``store_id``, ``created_at``).
Only the default ``data/gpmb.gpkg`` is built with the demo data on first run, when the file does not
exist. After that the store is the truth: ``data/sources/`` is never read into it again.

Every write (upload, revert, layer replacement, first fill) is one transaction; several layers that
one action changes are replaced together with ``store.replace_layers({name: gdf, …}, report=…)``
(all or none). The ledger is
append-only: a revert is a recorded row, nothing is deleted.

Accounts and the audit trail (issue 9): ``Accounts(store)`` (:mod:`store.accounts`: argon2 hashes,
lock-out, roles) and ``AuditTrail(store)`` (:mod:`store.audit`: append and read only; the database
refuses UPDATE/DELETE on ``audit_log``). Source profiles (issue 10): ``SourceProfiles(store)``
(:mod:`store.profiles`: named attribute mappings, each save a new version, picked at import).

Schema changes: add a migration file in ``store/migrations/versions/`` (``revision`` = next number,
``down_revision`` = the previous head) and set :data:`store.schema.HEAD_REVISION` to it (a test checks
they agree). ``open_store`` upgrades older GPMB stores automatically inside its write transaction.
Layer tables are written from their data, not by migrations; a migration that changes them must
handle the history tables ``<layer>__history`` too (:mod:`store.layer_history`).
"""
import importlib

#: Public name → the module defining it. Loaded on first use (PEP 562), so ``import store.output_cache``
#: (the CLI's cached-answer path) does not pay for SQLAlchemy, pandas and geopandas.
_EXPORTS = {
    "Accounts": "store.accounts", "AuditTrail": "store.audit", "NotAStoreError": "store.identity",
    "StoreExistsError": "store.identity", "StoreIdentity": "store.identity", "StoreNotFoundError": "store.identity",
    "init_store": "store.opening", "open_store": "store.opening", "SourceProfiles": "store.profiles",
    "LAYER_COLUMNS": "store.store", "Store": "store.store", "StoreError": "store.store", "UploadResult": "store.store",
}

__all__ = ["LAYER_COLUMNS", "Accounts", "AuditTrail", "NotAStoreError", "SourceProfiles", "Store", "StoreError",
           "StoreExistsError", "StoreIdentity", "StoreNotFoundError", "UploadResult", "init_store", "open_store"]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'store' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
