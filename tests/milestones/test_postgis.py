"""The same snapshot and CLI figures from a PostGIS store as from the GeoPackage store."""
from __future__ import annotations

import json
from datetime import date

import pytest

import cli
from tests.support.postgis import postgis_database

AS_OF = date(2024, 6, 30)


@pytest.fixture
def postgis_url():
    """A database of our own (``milestones_<random>``) with PostGIS, dropped afterwards."""
    with postgis_database("milestones") as url:
        yield url


@pytest.mark.postgis
def test_postgis_and_geopackage_give_the_same_snapshot(store_env, postgis_url, capsys):
    from milestones.snapshot import compute_snapshot
    from tests.support.stores import demo_store

    lite = compute_snapshot(demo_store(store_env), AS_OF)
    pg_store = demo_store(postgis_url)
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
