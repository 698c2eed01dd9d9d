"""Parcel numbers become text keys (issue 12): ``parcel_number`` is TEXT wherever the store keeps it.

A parcel number is a text key with a numeric sort order (``263A``, ``389B-2``: a parcel split after the
survey; :mod:`parsing.parcel_keys`), so a register's ``263A`` can be a parcel of the map. The column
``parcel_number`` of the ``parcels`` layer, of its history (``parcels__history``), of the derived
``parcel_status`` layer and of pending proposals' parcel layers (``proposal_<id>__parcels``) is declared
TEXT; each integer keeps its digits (``12`` → ``'12'``), ``parcel_id`` values do not change (they already
spell the number as text). PostgreSQL: ``ALTER … TYPE text USING``; GeoPackage: each table rebuilt with
its ``fid`` values, AUTOINCREMENT counter, indexes and R-tree triggers (:func:`store.retype.retype_column`),
so its ``gpkg_contents`` / ``gpkg_geometry_columns`` / ``gpkg_data_columns`` rows and its R-tree stay
valid. A table whose column is already TEXT (a store made after this revision) is left as it is.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""
import re

from alembic import op

from store.retype import columns_of_type, retype_column

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

#: Tables of the store carrying a parcel number (frozen at this revision).
_FIXED_TABLES = ("parcels", "parcels__history", "parcel_status")
_PROPOSAL_PARCELS = re.compile(r"proposal_\d+__parcels")


def upgrade() -> None:
    bind = op.get_bind()
    for table in columns_of_type(bind, "parcel_number", ("INTEGER", "BIGINT"), only=_carries_parcel_number):
        retype_column(bind, table, "parcel_number", "text")


def _carries_parcel_number(table: str) -> bool:
    return table in _FIXED_TABLES or bool(_PROPOSAL_PARCELS.fullmatch(table))


def downgrade() -> None:
    raise NotImplementedError("a store is never taken back to integer parcel numbers (a key such as 263A has no integer)")
