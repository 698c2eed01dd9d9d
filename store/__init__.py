"""The store: GeoPackage/SQLite (default) or PostGIS behind one interface (see DATA_MODEL.md "store").

>>> from store import open_store
>>> store = open_store()            # $DATABASE_URL or data/gpmb.gpkg, filled from data/sources/ if empty
>>> store.parcels("QL4B").crs.to_epsg()
9215
"""
from store.store import LAYER_COLUMNS, Store, StoreError, UploadResult, open_store

__all__ = ["open_store", "Store", "StoreError", "UploadResult", "LAYER_COLUMNS"]
