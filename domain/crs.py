"""The store's coordinate reference system: one constant for every layer (DATA_MODEL.md, "Coordinates").

All layers in the store and in computations are in EPSG:9215, VN-2000 / TM-3 107°15' (metres), the
TM-3 zone of Lạng Sơn; GeoJSON files are EPSG:4326 and are reprojected on import.
"""
from __future__ import annotations

#: EPSG code of every stored layer (VN-2000 / TM-3 107-15).
STORE_EPSG = 9215

#: EPSG code of web maps and GeoJSON (WGS 84, lon/lat degrees).
WGS84_EPSG = 4326
