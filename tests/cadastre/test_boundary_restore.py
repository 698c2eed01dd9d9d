"""A boundary import writes ``projects`` and ``parcels`` together; restoring it restores both (issue 10).

The 12 fixture parcels of TEST_QL4B have 4 500 m² to recover inside the fixture boundary
(make_fixtures.EXPECTED_INSIDE). A new boundary keeping only the west half (x < E0 + 40) leaves
250 + 500 m² per row of four, i.e. 3 × 750 = 2 250 m². Restoring the projects version from before the
boundary import must bring back 4 500 m² too, in the same transaction, on both backends; restoring
the boundary import's own version brings back its 2 250 m².
"""
from __future__ import annotations

import json

import pytest
from cadastre_make_fixtures import BOUNDARY, E0, N0  # loaded by conftest.py
from shapely.geometry import MultiPolygon, box

from cadastre.importer import ImportOptions, commit_parcels, prepare_parcels
from cadastre.project_layers import alignment_changes, boundary_changes, update_boundary
from store import AuditTrail

WEST_HALF = MultiPolygon([box(E0 + 10, N0 - 0.01, E0 + 40, N0 + 75)])


def recovered(store) -> float:
    parcels = store.parcels()
    return float(parcels.loc[parcels["project_id"] == "TEST_QL4B", "area_to_recover_m2"].sum())


def boundary_area(store) -> float:
    return store.projects().set_index("project_id").loc["TEST_QL4B", "geometry"].area


def import_sheet(store, actor, fixture_files):
    prepared = prepare_parcels([fixture_files["gpkg"]], store,
                               ImportOptions(project_id="TEST_QL4B", commune_former="Xã Hợp Thành"))
    commit_parcels(store, prepared, actor=actor)


def test_boundary_change_set_names_the_parcels_whose_area_changes(any_store, actor, fixture_files):
    store = any_store
    import_sheet(store, actor, fixture_files)
    changes = boundary_changes(store, "TEST_QL4B", WEST_HALF, {})
    project = changes["projects"]
    assert [c.key for c in project.changed] == ["TEST_QL4B"] and project.changed[0].fields == ("geometry",)
    assert project.changed[0].area_m2 == pytest.approx(30 * 75.01, abs=0.01)
    assert project.changed[0].area_before_m2 == pytest.approx(BOUNDARY.area, abs=0.01)
    parcels = changes["parcels"]
    assert parcels.removed_count == 0 and not parcels.added
    # columns 2 and 3 (x 20–40 cut at 40 keeps 20–40 whole; 40–60 and 60–80 go to 0): 6 parcels change
    assert {c.key.rsplit("/", 1)[1] for c in parcels.changed} == {"3", "4", "7", "8", "11", "12"}
    assert all(c.fields == ("area_to_recover_m2",) and c.area_m2 == 0 for c in parcels.changed)


def test_restoring_a_boundary_import_restores_projects_and_parcels_together(any_store, actor, fixture_files):
    store = any_store
    import_sheet(store, actor, fixture_files)
    assert recovered(store) == pytest.approx(4500.0, abs=0.05)
    before = {n: int(store.layer_versions(n)["version"].max()) for n in ("projects", "parcels")}
    out = update_boundary(store, "TEST_QL4B", WEST_HALF, {"crs": []}, actor=actor)
    assert recovered(store) == pytest.approx(2250.0, abs=0.05)

    restored = store.restore_layer("projects", before["projects"], actor=actor)  # undo the boundary import
    assert restored.executed
    assert boundary_area(store) == pytest.approx(BOUNDARY.area, abs=0.01)
    assert recovered(store) == pytest.approx(4500.0, abs=0.05)  # parcels came back with the boundary
    parcels_versions = store.layer_versions("parcels")
    assert parcels_versions.iloc[-1]["report"]["khoi_phuc_tu_phien_ban"] == before["parcels"]
    last = AuditTrail(store).read().iloc[-1]
    after = last["after"] if isinstance(last["after"], dict) else json.loads(last["after"])
    assert last["action"] == "layer_restored" and after["linked"]["parcels"]["restored_from"] == before["parcels"]

    store.restore_layer("projects", out["projects_version"], actor=actor)  # the import's own version: both again
    assert boundary_area(store) == pytest.approx(WEST_HALF.area, abs=0.01)
    assert recovered(store) == pytest.approx(2250.0, abs=0.05)


def test_restoring_a_layer_written_alone_restores_only_it(store, actor, fixture_files):
    import_sheet(store, actor, fixture_files)
    projects_before = store.layer_versions("projects")["version"].tolist()
    store.restore_layer("parcels", 1, actor=actor)
    assert store.layer_versions("projects")["version"].tolist() == projects_before
    assert recovered(store) == 0


def test_alignment_change_set_gives_the_length(store):
    from shapely.geometry import LineString

    line = LineString([(E0 + 40, N0 - 100), (E0 + 40, N0 + 300)])
    changes = alignment_changes(store, "TEST_QL4B", line)["centrelines"]
    assert changes.changed[0].area_before_m2 == pytest.approx(300.0) and changes.changed[0].area_m2 == pytest.approx(400.0)
    assert changes.changed[0].fields == ("geometry",)
