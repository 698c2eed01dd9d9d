"""The event-code check of the ledger as a CHECK constraint on SQLite too, instead of two row triggers (issue 13).

0012 checked ``events.event`` with a CHECK on PostgreSQL and, on SQLite (where adding a CHECK needs a table
rebuild), with two ``BEFORE INSERT/UPDATE`` triggers. A row trigger runs a sub-program for every row: on a
100 000-row upload it cost more than the insert itself (``benchmarks/bench_import_floor.py``). This
revision rebuilds the SQLite ``events`` table the documented way (https://www.sqlite.org/lang_altertable.html,
"other kinds of table schema changes"): a new table with the same columns plus
``CONSTRAINT ck_events_event CHECK (event IN (…))``, every row copied with its ``event_id``, the old table
dropped, the new one renamed, its four indexes made again and the AUTOINCREMENT counter kept, in the
migration's transaction. Nothing is deleted or changed: same rows, same ids, same fingerprints; a row
with a code outside the list (none can exist: the triggers refused them) would make the copy fail and
the store is then refused, not altered. PostgreSQL already has the CHECK: nothing to do there.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

#: Event codes the ledger accepts at this revision (frozen: the list of 0012).
EVENT_CODES_0016 = ("notice", "inventory", "plan_posted", "approved", "paid", "handed_over", "complaint",
                    "enforced", "compulsory_inventory", "complaint_resolved")

#: Columns of ``events`` at this revision, in table order (frozen: 0001 + ``fingerprint`` of 0012).
EVENT_TABLE_COLUMNS = ("event_id", "upload_id", "kind", "project_id", "parcel_id", "commune", "chainage_from_m",
                       "chainage_to_m", "event", "event_date", "area_m2", "households", "amount_vnd",
                       "is_correction", "note", "fingerprint")

_CODES_SQL = ", ".join(f"'{c}'" for c in EVENT_CODES_0016)

#: The table as 0001 and 0012 made it, with the CHECK: the DDL SQLAlchemy wrote, frozen.
_CREATE = (
    "CREATE TABLE {name} (event_id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, upload_id INTEGER NOT NULL, "
    "kind TEXT NOT NULL, project_id TEXT, parcel_id TEXT, commune TEXT, chainage_from_m DOUBLE, "
    "chainage_to_m DOUBLE, event TEXT NOT NULL, event_date DATE NOT NULL, area_m2 DOUBLE, households INTEGER, "
    "amount_vnd DOUBLE, is_correction BOOLEAN DEFAULT 0 NOT NULL, note TEXT, fingerprint TEXT, "
    "FOREIGN KEY(upload_id) REFERENCES uploads (upload_id), "
    f"CONSTRAINT ck_events_event CHECK (event IN ({_CODES_SQL})))"
)

#: The indexes of ``events`` (0001, 0002, 0012).
EVENT_INDEXES = (
    "CREATE INDEX ix_events_upload_id ON events (upload_id)",
    "CREATE INDEX ix_events_project_date ON events (project_id, event_date)",
    "CREATE INDEX ix_events_parcel ON events (parcel_id)",
    "CREATE INDEX ix_events_fingerprint ON events (fingerprint)",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    bind = op.get_bind()
    sequence = bind.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'events'").scalar()
    columns = ", ".join(EVENT_TABLE_COLUMNS)
    for statement in (
        "DROP TRIGGER IF EXISTS ck_events_event_insert",
        "DROP TRIGGER IF EXISTS ck_events_event_update",
        _CREATE.format(name="events_0016"),
        f"INSERT INTO events_0016 ({columns}) SELECT {columns} FROM events ORDER BY event_id",
        "DROP TABLE events",
        "ALTER TABLE events_0016 RENAME TO events",
        *EVENT_INDEXES,
    ):
        op.execute(statement)
    if sequence is not None:   # the counter as it was (ids are never reused, even above the last row)
        bind.exec_driver_sql("UPDATE sqlite_sequence SET seq = ? WHERE name = 'events'", (int(sequence),))


def downgrade() -> None:
    raise NotImplementedError("The store is append-only: downgrades are not supported.")
