"""Content fingerprints of ledger rows, ledger indexes, a check on event codes, unique parcel ids.

- ``events.fingerprint`` (32 hex characters, :mod:`store.fingerprint`), backfilled for every existing
  row with the same function the commits use, and indexed (``ix_events_fingerprint``: the duplicate
  check joins the upload's fingerprints with it). ``events(project_id)`` — the leading column of
  ``ix_events_project_date`` — and ``events(parcel_id)`` — ``ix_events_parcel`` — are indexed since
  revision 0002, so no further index is added for them.
- Event codes limited to :data:`EVENT_CODES_0005` (``domain.stages.EVENT_CODES`` as of this revision;
  a test keeps them equal, so a new code needs a new revision): a ``CHECK`` constraint on PostgreSQL;
  on SQLite, where adding a CHECK means rebuilding the table (and the GeoPackage registrations of the
  ledger with it), two triggers that abort an INSERT or UPDATE with another code.
- A unique index on ``parcels(parcel_id)`` when the store already has parcels whose ids are unique
  (new layer versions get theirs from :func:`store.layers.write_layer_table`). A store whose
  current parcels repeat an id keeps working without it (logged): the migration does not guess
  which parcel to drop, and the next parcel import (which refuses repeated ids) brings the index.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""
import logging

import sqlalchemy as sa
from alembic import op

from store.fingerprint import FINGERPRINT_FIELDS, fingerprint
from store.layers import create_unique_key_index

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

#: Event codes the ledger accepts at this revision (frozen: a migration must not change with the code).
EVENT_CODES_0005 = ("notice", "inventory", "plan_posted", "approved", "paid", "handed_over", "complaint",
                    "enforced", "compulsory_inventory", "complaint_resolved")

_CODES_SQL = ", ".join(f"'{c}'" for c in EVENT_CODES_0005)


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("events", sa.Column("fingerprint", sa.Text, nullable=True))
    _backfill(bind)
    op.create_index("ix_events_fingerprint", "events", ["fingerprint"])
    _check_event_codes(bind.dialect.name)
    _unique_parcel_ids(bind)


def _backfill(bind) -> None:
    events = sa.table("events", sa.column("event_id"), sa.column("fingerprint"),
                      *[sa.column(n, sa.Date if n == "event_date" else None) for n in FINGERPRINT_FIELDS])
    rows = bind.execute(sa.select(events.c.event_id, *[events.c[n] for n in FINGERPRINT_FIELDS])).mappings().all()
    if rows:
        bind.execute(sa.text("UPDATE events SET fingerprint = :fp WHERE event_id = :id"),
                     [{"fp": fingerprint(r), "id": r["event_id"]} for r in rows])


def _check_event_codes(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute(f"ALTER TABLE events ADD CONSTRAINT ck_events_event CHECK (event IN ({_CODES_SQL}))")
        return
    for when, name in (("INSERT", "ck_events_event_insert"), ("UPDATE OF event", "ck_events_event_update")):
        op.execute(f"CREATE TRIGGER {name} BEFORE {when} ON events "
                   f"WHEN NEW.event NOT IN ({_CODES_SQL}) "
                   "BEGIN SELECT RAISE(ABORT, 'ck_events_event: event code not allowed'); END")


def _unique_parcel_ids(bind) -> None:
    inspector = sa.inspect(bind)
    if not inspector.has_table("parcels") or "parcel_id" not in {c["name"] for c in inspector.get_columns("parcels")}:
        return
    repeated = bind.execute(sa.text("SELECT COUNT(*) FROM (SELECT parcel_id FROM parcels WHERE parcel_id IS NOT NULL "
                                    "GROUP BY parcel_id HAVING COUNT(*) > 1) AS r")).scalar_one()
    if repeated:
        log.warning("parcels: %d repeated parcel_id values, unique index not created", repeated)
        return
    create_unique_key_index(bind, "parcels", "parcel_id")
