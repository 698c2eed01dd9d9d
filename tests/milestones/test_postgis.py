"""The same snapshot and CLI figures from a PostGIS store as from the GeoPackage store."""
from __future__ import annotations

import json
import os
import secrets
from datetime import date

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import cli

ADMIN_URL = os.environ.get("GPMB_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
AS_OF = date(2024, 6, 30)


@pytest.fixture
def postgis_url():
    """A database of our own (``milestones_<random>``) with PostGIS, dropped afterwards."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"milestones_{secrets.token_hex(5)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - no server here
        admin.dispose()
        if os.environ.get("GPMB_REQUIRE_POSTGIS"):
            pytest.fail(f"PostgreSQL not reachable at {ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {ADMIN_URL}: {exc}")
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        engine.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgis
def test_postgis_and_geopackage_give_the_same_snapshot(store_env, postgis_url, capsys):
    from milestones.snapshot import compute_snapshot
    from store import open_store

    lite = compute_snapshot(open_store(store_env), AS_OF)
    pg_store = open_store(postgis_url)
    assert pg_store.backend == "postgresql"
    pg = compute_snapshot(pg_store, AS_OF)
    cols = ["project_id", "area_to_recover_m2", "area_handed_over_m2", "percent_handed_over", "households_total"]
    assert pg.projects[cols].to_dict("records") == lite.projects[cols].to_dict("records")
    mcols = ["milestone_id", "status", "actual_percent", "forecast_date", "due_date"]
    assert pg.milestones[mcols].to_dict("records") == lite.milestones[mcols].to_dict("records")
    a = pg.parcels.set_index("parcel_id").sort_index()
    b = lite.parcels.set_index("parcel_id").sort_index()
    assert list(a["stage"]) == list(b["stage"]) and list(a["risk_flags"]) == list(b["risk_flags"])
    assert pg.projects.set_index("project_id").loc["ROAD", "area_handed_over_m2"] == 2000.0
    pg_store.close()
    # The CLI on DATABASE_URL=PostGIS prints the same figures.
    assert cli.main(["status", "--as-of", "2024-06-30", "--json", "--database-url", postgis_url]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {p["project_id"]: p["percent_handed_over"] for p in doc["projects"]} == \
        dict(zip(lite.projects["project_id"], lite.projects["percent_handed_over"]))
