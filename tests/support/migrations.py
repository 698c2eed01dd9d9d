"""Take a store back to an earlier schema revision, as an older release left it, for migration tests.

A migration test builds a store at head, then undoes what the migrations after the revision it starts from
created (in reverse order) and stamps that revision; ``open_store`` then runs those migrations again. One
table of what each migration creates, so a test of migration N keeps working when later ones are added:
a new migration adds its entry here.
"""
from __future__ import annotations

from sqlalchemy import text

from store.retype import columns_of_type, retype_column

#: The register tables of 0013 (issue 12), dependants first, and their GeoPackage registration.
PEOPLE_TABLES = ("lottery_draws", "households", "compensation_plans", "payments", "complaint_letters",
                 "resettlement_lots", "resettlement_areas", "register_imports")
PEOPLE_DROPS = tuple(f"DROP TABLE {t}" for t in PEOPLE_TABLES)
PEOPLE_CONTENTS = "DELETE FROM gpkg_contents WHERE table_name IN ({})".format(", ".join(f"'{t}'" for t in PEOPLE_TABLES))



def integer_parcel_numbers(conn) -> None:
    """Undo of 0015: ``parcel_number`` declared an integer again wherever it is TEXT (a key with a letter,
    which a 0014 store cannot hold, stays as written on GeoPackage and is cut to its digits on PostGIS)."""
    for table in columns_of_type(conn, "parcel_number", ("TEXT",), only=lambda t: t.startswith(("parcel", "proposal_"))):
        retype_column(conn, table, "parcel_number", "integer",
                      using=None if conn.dialect.name == "sqlite"
                      else "NULLIF(substring(parcel_number from '^[0-9]+'), '')::bigint")


#: Revision → statements undoing what it created, per backend (``sqlite`` = GeoPackage, ``postgresql``);
#: a statement may be a function of the connection (a change SQL alone cannot undo, as a GeoPackage rebuild).
UNDO: dict[str, dict[str, tuple]] = {
    "0006": {"sqlite": ("DROP TABLE layer_history_columns",),
             "postgresql": ("DROP TABLE layer_history_columns",)},
    "0007": {"sqlite": ("DROP TABLE parcel_status", "DROP TABLE layer_styles", "DROP TABLE gpkg_data_columns",
                        "DROP TABLE gpkg_data_column_constraints",
                        "DELETE FROM gpkg_extensions WHERE table_name = 'parcel_status' OR extension_name = 'gpkg_schema'",
                        "DROP TABLE IF EXISTS rtree_parcel_status_geometry",
                        "DELETE FROM gpkg_geometry_columns WHERE table_name = 'parcel_status'",
                        "DELETE FROM gpkg_contents WHERE table_name IN ('parcel_status', 'layer_styles')",
                        "DELETE FROM store_meta WHERE key = 'parcel_status_data_version'"),
             "postgresql": ("DROP TABLE parcel_status", "DROP TABLE layer_styles",
                            "DELETE FROM spatial_ref_sys WHERE srid = 9215",
                            "DELETE FROM store_meta WHERE key = 'parcel_status_data_version'")},
    "0008": {"sqlite": ("DROP TABLE source_profiles",), "postgresql": ("DROP TABLE source_profiles",)},
    "0009": {"sqlite": ("DROP TABLE units", "ALTER TABLE accounts DROP COLUMN units",
                        'ALTER TABLE "projects" DROP COLUMN unit'),
             "postgresql": ("DROP TABLE units", "ALTER TABLE accounts DROP COLUMN units",
                            'ALTER TABLE "projects" DROP COLUMN unit')},
    # config_changes holds the milestones and rules once 0010 ran: undoing it leaves a store without
    # milestones and with default rules (enough for the tests of earlier migrations).
    "0010": {"sqlite": ("DROP TABLE config_changes", "DELETE FROM gpkg_contents WHERE table_name = 'config_changes'"),
             "postgresql": ("DROP TABLE config_changes", "DROP FUNCTION gpmb_config_changes_append_only()")},
    "0011": {"sqlite": ("DROP TABLE cli_cache",), "postgresql": ("DROP TABLE cli_cache",)},
    "0012": {"sqlite": ("DROP TRIGGER ck_events_event_insert", "DROP TRIGGER ck_events_event_update",
                        "DROP INDEX ix_events_fingerprint", "DROP INDEX ux_parcels_parcel_id",
                        "ALTER TABLE events DROP COLUMN fingerprint"),
             "postgresql": ("ALTER TABLE events DROP CONSTRAINT ck_events_event",
                            "ALTER TABLE events DROP COLUMN fingerprint",
                            # the unique index on parcels(parcel_id), named by PostgreSQL
                            ("DO $$ DECLARE r record; BEGIN FOR r IN SELECT indexname FROM pg_indexes "
                             "WHERE tablename = 'parcels' AND indexdef LIKE 'CREATE UNIQUE%(parcel_id)' LOOP "
                             "EXECUTE format('DROP INDEX %I', r.indexname); END LOOP; END $$"))},
    "0013": {"sqlite": (*PEOPLE_DROPS, PEOPLE_CONTENTS), "postgresql": PEOPLE_DROPS},
    "0014": {"sqlite": ("ALTER TABLE households DROP COLUMN stage", "ALTER TABLE households DROP COLUMN stage_date",
                        "DROP TABLE payment_refusals", "DROP TABLE fund_transfers", "DROP TABLE procedure_steps",
                        ("DELETE FROM gpkg_contents WHERE table_name IN "
                         "('payment_refusals', 'fund_transfers', 'procedure_steps')")),
             "postgresql": ("ALTER TABLE households DROP COLUMN stage", "ALTER TABLE households DROP COLUMN stage_date",
                            "DROP TABLE payment_refusals", "DROP TABLE fund_transfers", "DROP TABLE procedure_steps")},
    "0015": {"sqlite": (integer_parcel_numbers,), "postgresql": (integer_parcel_numbers,)},
}


#: ``events`` as 0012–0014 left it on SQLite (no CHECK; the two triggers of 0012), rebuilt by the undo of 0016.
_EVENTS_0014 = (
    "CREATE TABLE events_0014 (event_id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, upload_id INTEGER NOT NULL, "
    "kind TEXT NOT NULL, project_id TEXT, parcel_id TEXT, commune TEXT, chainage_from_m DOUBLE, "
    "chainage_to_m DOUBLE, event TEXT NOT NULL, event_date DATE NOT NULL, area_m2 DOUBLE, households INTEGER, "
    "amount_vnd DOUBLE, is_correction BOOLEAN DEFAULT 0 NOT NULL, note TEXT, fingerprint TEXT, "
    "FOREIGN KEY(upload_id) REFERENCES uploads (upload_id))"
)
_EVENT_CODES_SQL = ("'notice', 'inventory', 'plan_posted', 'approved', 'paid', 'handed_over', 'complaint', "
                    "'enforced', 'compulsory_inventory', 'complaint_resolved'")
_EVENT_COLUMNS_SQL = ("event_id, upload_id, kind, project_id, parcel_id, commune, chainage_from_m, chainage_to_m, "
                      "event, event_date, area_m2, households, amount_vnd, is_correction, note, fingerprint")
UNDO["0016"] = {
    "sqlite": (
        _EVENTS_0014,
        f"INSERT INTO events_0014 ({_EVENT_COLUMNS_SQL}) SELECT {_EVENT_COLUMNS_SQL} FROM events ORDER BY event_id",
        "DROP TABLE events",
        "ALTER TABLE events_0014 RENAME TO events",
        "CREATE INDEX ix_events_upload_id ON events (upload_id)",
        "CREATE INDEX ix_events_project_date ON events (project_id, event_date)",
        "CREATE INDEX ix_events_parcel ON events (parcel_id)",
        "CREATE INDEX ix_events_fingerprint ON events (fingerprint)",
        *(f"CREATE TRIGGER {name} BEFORE {when} ON events WHEN NEW.event NOT IN ({_EVENT_CODES_SQL}) "
          "BEGIN SELECT RAISE(ABORT, 'ck_events_event: event code not allowed'); END"
          for when, name in (("INSERT", "ck_events_event_insert"), ("UPDATE OF event", "ck_events_event_update"))),
    ),
    "postgresql": (),   # 0016 changes nothing there (the CHECK of 0012 stays)
}


UNDO["0017"] = {"sqlite": ("ALTER TABLE register_imports DROP COLUMN kind",),
                "postgresql": ("ALTER TABLE register_imports DROP COLUMN kind",)}


def rewind(conn, revision: str) -> None:
    """Undo every migration after ``revision`` listed in :data:`UNDO` (newest first) and stamp ``revision``.

    ``conn`` is a write connection of a store at head; the caller commits.
    """
    backend = conn.dialect.name
    for rev in sorted((r for r in UNDO if r > revision), reverse=True):
        for statement in UNDO[rev][backend]:
            if callable(statement):
                statement(conn)
            else:
                conn.execute(text(statement))
    conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})

