"""A project known only by its register (issue 12), end to end on both backends: ``add-project`` without
``--boundary`` (a project row with a NULL geometry, ``register_only``), the household × step matrix imported
before any map (households recorded, every parcel unmatched, no event), then ``import-parcels`` matching the
register's parcel keys with the map (matched / not on the map / not in the register), then the matrix again:
the stage events of the matched parcels, counted by the progress figures."""
from __future__ import annotations

import json
from datetime import date

import pyogrio
import pytest

from ingest.register_import import import_register
from parsing.parcel_keys import parcel_sort_key
from tests.people.matrix_builder import STAGE_ORDER, build_matrix

PROJECT = "SO_HO"
MAP_ONLY = ["90001", "90002", "90003"]


def _cli(capsys, *argv):
    import cli

    code = cli.main([*argv, "--as", "quan_tri"])
    out, err = capsys.readouterr()
    return code, out, err


def _matrix(store, actor, data: bytes):
    return import_register(data, store, kind="matrix", project_id=PROJECT, actor=actor, file_name="bang_ho.xlsx",
                           today=date(2025, 12, 1))


def _map_file(tmp_path, make_fixtures, numbers: list):
    """The fixture map's first parcels renumbered with ``numbers`` (register keys first, then map-only ones;
    text such as ``103b-2`` makes ``SoThua`` a String field)."""
    parcels = make_fixtures.truth().head(len(numbers)).copy()
    parcels["parcel_number"] = numbers
    out = parcels.rename(columns={"map_sheet": "SoTo", "parcel_number": "SoThua", "land_use": "LoaiDat",
                                  "owner_name": "ChuSuDung"}).assign(TenXa="Xã Hợp Thành")
    path = tmp_path / "ban_do.gpkg"
    pyogrio.write_dataframe(out, path, layer="thua_dat", driver="GPKG")
    return path, parcels


def test_register_first_then_the_map(any_store, actor, capsys, tmp_path, make_fixtures, monkeypatch):
    store = any_store
    monkeypatch.setenv("DATABASE_URL", str(store.engine.url.render_as_string(hide_password=False)))
    code, out, err = _cli(capsys, "add-project", "--id", PROJECT, "--name", "Dự án chỉ có sổ", "--kind", "area",
                          "--province", "Lạng Sơn")
    assert code == 0, err
    assert "chưa có chỉ giới" in out
    project = store.projects().set_index("project_id").loc[PROJECT]
    assert project.geometry is None and project["geometry_status"] == "register_only"

    data, expected = build_matrix(40)
    first = _matrix(store, actor, data)
    assert first.status == "committed" and first.events_added == 0 and first.parcels_matched == 0
    distinct = sorted(set(expected.parcel_tokens))
    assert sorted(first.parcels_unmatched) == distinct
    homes = store.register("households", project_id=PROJECT)
    assert len(homes) == len(expected.households)
    assert homes["area_m2"].sum() == pytest.approx(expected.area_m2)  # the area comes from the register
    want = {code: STAGE_ORDER[min(ranks)] for code, ranks in expected.households.items()}
    assert homes.set_index("household_id")["stage"].to_dict() == want
    from milestones.people import people_figures

    progress = people_figures(store, date(2025, 12, 1), rules={}).register_progress.set_index("stage")
    area = homes.groupby("stage")["area_m2"].sum()
    assert progress["households"].to_dict() == {s: list(want.values()).count(s) for s in set(want.values())}
    assert progress["area_m2"].to_dict() == pytest.approx(area.to_dict())
    assert progress["percent_area"].sum() == pytest.approx(100.0)

    numeric = [k for k in distinct if k.isdigit()][:8]
    suffixed = [k for k in distinct if not k.isdigit()][:3]      # 102A, 103B-2 … written 102a, 103b-2 on the map
    assert len(suffixed) == 3 and any("-" in k for k in suffixed)
    on_map = numeric + suffixed
    path, parcels = _map_file(tmp_path, make_fixtures, numeric + [k.lower() for k in suffixed] + MAP_ONLY)
    code, out, err = _cli(capsys, "import-parcels", str(path), "--project", PROJECT, "--json")
    assert code == 0, err
    match = json.loads(out)["register_match"]
    assert match["matched"] == sorted(on_map, key=parcel_sort_key)
    assert match["map_only"] == [str(n) for n in MAP_ONLY]
    assert sorted(match["register_only"]) == sorted(set(distinct) - set(on_map))
    assert match["register_parcels"] == len(distinct)
    assert match["matched_area_to_recover_m2"] == pytest.approx(parcels.head(len(on_map)).area.sum())
    stored = store.parcels(PROJECT)
    assert set(suffixed) <= set(stored["parcel_number"])          # the map's 103b-2 is the parcel 103B-2

    again = _matrix(store, actor, data)
    assert again.status == "committed" and again.rows_added == 0 and again.rows_changed == 0
    assert sorted(again.parcels_unmatched) == sorted(match["register_only"])
    assert again.parcels_matched == len(on_map) and again.events_added > 0
    mine = set(stored["parcel_id"])
    events = store.events()
    assert set(events.loc[events["project_id"] == PROJECT, "parcel_id"]) <= mine
    suffixed_ids = set(stored.loc[stored["parcel_number"].isin(suffixed), "parcel_id"])
    assert len(suffixed_ids) == 3
    assert len(suffixed_ids & set(events["parcel_id"])) >= 2  # stage events on the suffixed parcels (107A: none yet)
    from milestones.snapshot import compute_snapshot

    row = compute_snapshot(store, date(2025, 12, 1)).projects.set_index("project_id").loc[PROJECT]
    assert row["area_to_recover_m2"] == pytest.approx(parcels.area.sum())  # no boundary: whole parcels


def test_register_match_lists_ambiguous_suffixed_and_map_only_keys():
    import pandas as pd

    from cadastre.register_match import format_register_match, register_match

    homes = pd.DataFrame({"parcel_keys": ["17;175", "263a", "5", "389B-2", None],
                          "area_m2": [100.0, 50.0, 25.5, 1.0, None]})
    parcels = pd.DataFrame({"parcel_number": ["17", "175", "5", "5", "10", "263A"], "map_sheet": [1, 1, 1, 2, 3, 1],
                            "area_to_recover_m2": [10.0, 20.0, 1.0, 2.0, 4.0, 8.0]})
    match = register_match(homes, parcels)
    assert match["matched"] == ["17", "175", "263A"]    # numeric order, not text order; the register's 263a
    assert match["ambiguous"] == ["5"]                    # on two map sheets: no event for it
    assert match["register_only"] == ["389B-2"]
    assert match["map_only"] == ["10"]
    assert (match["register_parcels"], match["register_area_m2"], match["matched_area_to_recover_m2"]) == (5, 176.5, 38.0)
    text = format_register_match(match)
    assert "khớp bản đồ 3" in text and "Chưa có trên bản đồ: 389B-2" in text


def test_alignment_without_boundary_is_a_usage_error(any_store, capsys, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(any_store.engine.url.render_as_string(hide_password=False)))
    code, _, err = _cli(capsys, "add-project", "--id", PROJECT, "--name", "x", "--kind", "road", "--province",
                        "Lạng Sơn", "--alignment", "tim.geojson")
    assert code == 2 and "--alignment cần --boundary" in err
    assert PROJECT not in set(any_store.projects()["project_id"])
