"""Column types shared by the migrations and the store code.

:data:`UtcDateTime` stores UTC timestamps as ``timestamptz`` on PostGIS and, on SQLite, as the
GeoPackage DATETIME text form ``YYYY-MM-DDTHH:MM:SSZ`` (GeoPackage 1.3 §1.1.1.1.1), which GDAL and
QGIS read without warnings. Values are UTC; sub-second precision is not kept on SQLite.
"""
from sqlalchemy import DateTime
from sqlalchemy.dialects import sqlite

_GPKG_DATETIME = sqlite.DATETIME(
    storage_format="%(year)04d-%(month)02d-%(day)02dT%(hour)02d:%(minute)02d:%(second)02dZ",
    regexp=r"(\d+)-(\d+)-(\d+)[T ](\d+):(\d+):(\d+)",
)

#: UTC timestamp column type (``datetime`` in, naive-UTC on SQLite / aware on PostGIS out).
UtcDateTime = DateTime(timezone=True).with_variant(_GPKG_DATETIME, "sqlite")
