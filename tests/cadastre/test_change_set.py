"""Imports never delete or change silently (issue 10): the change set, the confirmed count, orphaned events.

The reported bug: on the import page, with the default scope «chỉ các xã có trong tệp», a file of 12
parcels replaced all 204 parcels of a project in Xã Hợp Thành with no count and no confirmation.
Here the project ``TEST_QL4B`` first holds 204 parcels of that commune (17 sheets × 12, 2 m × 2 m
squares inside the clearance boundary, written through the store); importing the 12-parcel fixture
sheet with the default scope must be refused until the user confirms exactly 204 removals, on both
backends, and the events of the removed parcels must stay in the ledger.
"""
from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from cadastre_make_fixtures import E0, N0  # loaded by conftest.py
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import affinity
from shapely.geometry import box

from cadastre.change_set import parcel_change_set
from cadastre.importer import ImportOptions, RemovalNotConfirmedError, commit_parcels, parcel_changes, prepare_parcels
from store.removals import RemovalNotConfirmedError as StoreRemovalError

SHEETS = range(20, 37)  # 17 sheets, none is the fixture's sheet 12
PER_SHEET = 12


def many_parcels() -> gpd.GeoDataFrame:
    """204 parcels of TEST_QL4B in Xã Hợp Thành, 4 m² each, all inside the fixture boundary."""
    rows, geoms = [], []
    for i, sheet in enumerate(SHEETS):
        for n in range(1, PER_SHEET + 1):
            x, y = E0 + 12 + 3 * (n - 1), N0 + 1 + 3 * i
            rows.append(dict(parcel_id=f"TEST_QL4B/06226/{sheet}/{n}", project_id="TEST_QL4B", commune_code="06187",
                             commune="Phường Kỳ Lừa", commune_former="Xã Hợp Thành", map_sheet=sheet, parcel_number=n,
                             land_use="LUC", owner_name="B", household_id=f"H{sheet}-{n}", parcel_area_m2=4.0,
                             area_to_recover_m2=4.0, chainage_m=float("nan"), illustrative=False))
            geoms.append(box(x, y, x + 2, y + 2))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=9215)


def seed_project(store, actor):
    layer = pd.concat([store.parcels(), many_parcels()], ignore_index=True)
    store.replace_layer("parcels", gpd.GeoDataFrame(layer, geometry="geometry", crs=9215), actor=actor,
                        report={"test": "204 parcels"})
    events = pd.DataFrame([dict(kind="parcel", project_id="TEST_QL4B", parcel_id=f"TEST_QL4B/06226/{s}/1",
                                commune=None, chainage_from_m=None, chainage_to_m=None, event="notice",
                                event_date="2024-03-01", area_m2=None, households=1, amount_vnd=None,
                                is_correction=False, note="") for s in SHEETS])
    store.commit_upload(events, actor=actor, file_name="tb.xlsx", file_sha256="ab" * 32, rows_read=len(events))


def project_parcels(store):
    parcels = store.parcels()
    return parcels[parcels["project_id"] == "TEST_QL4B"]


def prepare_sheet(store, fixture_files):
    return prepare_parcels([fixture_files["gpkg"]], store,
                           ImportOptions(project_id="TEST_QL4B", commune_former="Xã Hợp Thành"))


def test_default_scope_import_of_12_parcels_no_longer_silently_removes_204(any_store, actor, fixture_files):
    store = any_store
    seed_project(store, actor)
    assert len(project_parcels(store)) == 204
    versions = store.layer_versions("parcels")["version"].tolist()
    prepared = prepare_sheet(store, fixture_files)
    assert len(prepared.parcels) == 12

    changes = parcel_changes(store, prepared)
    assert changes.counts()["added"] == 12 and changes.removed_count == 204
    assert changes.counts()["removed_area_m2"] == pytest.approx(816.0)  # 204 × 4 m²
    assert len(changes.orphaned_events) == len(SHEETS)  # parcel n° 1 of each sheet has a notice

    with pytest.raises(RemovalNotConfirmedError, match="xóa 204 thửa"):
        commit_parcels(store, prepared, actor=actor)  # the bug: this used to write 12 instead of 204
    with pytest.raises(RemovalNotConfirmedError, match=r"\(203\).*\(204\)"):
        commit_parcels(store, prepared, actor=actor, confirm_removed=203)
    assert len(project_parcels(store)) == 204
    assert store.layer_versions("parcels")["version"].tolist() == versions

    version = commit_parcels(store, prepared, actor=actor, confirm_removed=204).result
    assert len(project_parcels(store)) == 12
    stored = store.layer_versions("parcels").set_index("version").at[version, "report"]
    assert stored["change_set"]["counts"]["removed"] == 204
    # the removed parcels' events stay in the ledger (orphaned, reported, never deleted)
    kept = store.events()
    assert set(kept["parcel_id"]) >= {f"TEST_QL4B/06226/{s}/1" for s in SHEETS}


def test_store_refuses_a_removal_count_it_was_not_given(any_store, actor):
    store = any_store
    seed_project(store, actor)
    without_one_sheet = store.parcels()
    without_one_sheet = without_one_sheet[without_one_sheet["map_sheet"] != 20]
    with pytest.raises(StoreRemovalError, match=r"\(11\).*\(12\)"):
        store.replace_layers({"parcels": without_one_sheet}, actor=actor, report={},
                             confirmed_removals={"parcels": 11})
    assert len(project_parcels(store)) == 204
    store.replace_layers({"parcels": without_one_sheet}, actor=actor, report={}, confirmed_removals={"parcels": 12})
    assert len(project_parcels(store)) == 192


def test_reimporting_the_same_sheet_changes_nothing(store, actor, fixture_files):
    prepared = prepare_sheet(store, fixture_files)
    commit_parcels(store, prepared, actor=actor)
    same = parcel_changes(store, prepare_sheet(store, fixture_files))
    assert same.is_empty and same.unchanged == 12
    again = parcel_changes(store, prepare_parcels([fixture_files["kml"]], store, ImportOptions(
        project_id="TEST_QL4B", commune_former="Xã Hợp Thành")))
    # the KML went 9215 → 4326 → 9215: millimetre vertex moves are no geometry change (1 cm tolerance);
    # the area to recover moves by up to 0,05 m², which is reported as what it is
    assert again.counts()["added"] == 0 and again.removed_count == 0
    assert again.unchanged + len(again.changed) == 12
    assert all(set(c.fields) <= {"area_to_recover_m2", "parcel_area_m2"} for c in again.changed), again.changed
    assert all(abs(c.area_m2 - c.area_before_m2) <= 0.05 for c in again.changed)


# ------------------------------------------------------------------------------------------ CLI
def run_cli(capsys, *argv):
    import cli

    code = cli.main([*argv, "--as", "quan_tri"])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_dry_run_json_gives_the_change_set(store, actor, fixture_files, capsys):
    seed_project(store, actor)
    code, out, _ = run_cli(capsys, "import-parcels", fixture_files["gpkg"], "--project", "TEST_QL4B",
                           "--commune", "Xã Hợp Thành", "--dry-run", "--json")
    assert code == 0
    changes = json.loads(out)["change_set"]
    assert changes["counts"]["removed"] == 204 and changes["counts"]["added"] == 12
    assert {"parcel_id", "area_m2"} <= set(changes["removed"][0])
    assert len(changes["orphaned_events"]) == len(SHEETS)
    code, out, _ = run_cli(capsys, "import-parcels", fixture_files["gpkg"], "--project", "TEST_QL4B",
                           "--commune", "Xã Hợp Thành", "--dry-run")
    assert code == 0 and "Bị xóa: 204" in out


@pytest.mark.parametrize("extra", [[], ["--allow-remove", "203"], ["--allow-remove", "205"]])
def test_cli_refuses_removals_without_the_exact_count(store, actor, fixture_files, capsys, extra):
    seed_project(store, actor)
    code, _, err = run_cli(capsys, "import-parcels", fixture_files["gpkg"], "--project", "TEST_QL4B",
                           "--commune", "Xã Hợp Thành", *extra)
    assert code == 1
    assert "204" in err
    assert len(project_parcels(store)) == 204


def test_cli_commits_with_the_exact_count(store, actor, fixture_files, capsys):
    seed_project(store, actor)
    code, out, _ = run_cli(capsys, "import-parcels", fixture_files["gpkg"], "--project", "TEST_QL4B",
                           "--commune", "Xã Hợp Thành", "--allow-remove", "204")
    assert code == 0, out
    assert len(project_parcels(store)) == 12


# ------------------------------------------------------------------ counts on constructed layers
def base_layer(n: int) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"parcel_id": [f"P/{i}" for i in range(n)], "area_to_recover_m2": [100.0] * n,
                             "land_use": ["LUC"] * n, "map_sheet": [1] * n},
                            geometry=[box(20 * i, 0, 20 * i + 10, 10) for i in range(n)], crs=9215)


EDITS = st.sampled_from(["keep", "remove", "move", "land_use", "area", "reorder_vertices"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(EDITS, min_size=1, max_size=12), added=st.integers(0, 4))
def test_counts_follow_random_edits(edits, added):
    current = base_layer(len(edits))
    rows = []
    expected = {"removed": 0, "changed": 0, "unchanged": 0}
    for (_, row), edit in zip(current.iterrows(), edits):
        row = row.copy()
        if edit == "remove":
            expected["removed"] += 1
            continue
        if edit == "move":
            row["geometry"] = affinity.translate(row.geometry, 0.5, 0)  # 10 m² symmetric difference
        elif edit == "land_use":
            row["land_use"] = "BHK"
        elif edit == "area":
            row["area_to_recover_m2"] = 99.0
        elif edit == "reorder_vertices":
            row["geometry"] = row.geometry.reverse()  # same polygon, other orientation: no change
        expected["unchanged" if edit in ("keep", "reorder_vertices") else "changed"] += 1
        rows.append(row)
    rows += [pd.Series({"parcel_id": f"NEW/{i}", "area_to_recover_m2": 5.0, "land_use": "LUC", "map_sheet": 2,
                        "geometry": box(-100 - 20 * i, 0, -90 - 20 * i, 10)}) for i in range(added)]
    new = gpd.GeoDataFrame(rows, geometry="geometry", crs=9215) if rows else current.iloc[:0]
    changes = parcel_change_set(current, new)
    counts = changes.counts()
    assert (counts["removed"], counts["changed"], counts["unchanged"], counts["added"]) == (
        expected["removed"], expected["changed"], expected["unchanged"], added)
    fields = {c.key: set(c.fields) for c in changes.changed}
    for key, edit in zip(current["parcel_id"], edits):
        wanted = {"move": {"geometry"}, "land_use": {"land_use"}, "area": {"area_to_recover_m2"}}.get(edit)
        if wanted:
            assert fields[key] == wanted
    assert counts["removed_area_m2"] == pytest.approx(100.0 * expected["removed"])


def test_orphaned_events_are_those_of_removed_parcels_only():
    current = base_layer(3)
    events = pd.DataFrame({"event_id": [5, 6, 7, 8], "kind": ["parcel", "parcel", "aggregate", "parcel"],
                           "parcel_id": ["P/0", "P/1", "P/0", "P/0"]})
    changes = parcel_change_set(current, current.iloc[1:], events)
    assert changes.orphaned_events == (5, 8)


def test_repeated_parcel_id_is_refused():
    layer = base_layer(2).assign(parcel_id="P/0")
    with pytest.raises(ValueError, match="P/0"):
        parcel_change_set(layer, base_layer(2))


def test_confirmed_removal_is_proposed_while_maker_checker_is_on(store, actor, fixture_files):
    from store.settings import Settings
    from tests.support.actors import make_account

    seed_project(store, actor)
    Settings(store).set("maker_checker", "on", actor=actor)
    prepared = prepare_sheet(store, fixture_files)
    with pytest.raises(RemovalNotConfirmedError):  # refused before any proposal is made
        commit_parcels(store, prepared, actor=actor)
    assert store.proposals().empty
    outcome = commit_parcels(store, prepared, actor=actor, confirm_removed=204)
    assert not outcome.executed and len(project_parcels(store)) == 204
    checker = make_account(store, "kiem_tra", "admin")
    store.confirm_proposal(outcome.proposal_id, actor=checker)
    assert len(project_parcels(store)) == 12
