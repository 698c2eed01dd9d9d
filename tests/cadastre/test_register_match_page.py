"""The import page shows the register ↔ map match (issue 12): a project known only by its register, then its
cadastral map checked and committed on «Nhập bản đồ địa chính» — the figures and lists of
``cadastre.register_match`` (as ``import-parcels`` prints them), downloadable, and the next step after commit.
Also the shaping module (``exports.register_match_tables``) on a known match."""
from __future__ import annotations

import io

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from exports.register_match_tables import match_csv, match_figures, match_list, match_table, match_xlsx
from tests.cadastre.test_register_only_project import MAP_ONLY, PROJECT, _map_file, _matrix
from tests.people.matrix_builder import build_matrix

SCRIPT = "import importlib\nimportlib.import_module('dashboard.pages.60_import').render()\n"

MATCH = {"register_parcels": 4, "register_area_m2": 175.5, "matched": ["17", "175"], "ambiguous": ["5"],
         "register_only": ["=1+1", "263A"], "map_only": ["10"], "matched_area_to_recover_m2": 30.0}


def test_match_tables_keep_every_key_as_text_and_neutralise_formulas():
    figures = dict(match_figures(MATCH))
    assert figures["Số thửa trong sổ hộ"] == "4" and figures["Khớp bản đồ"] == "2"
    assert figures["Chưa có trên bản đồ"] == "2" and figures["Diện tích theo sổ hộ (m²)"] == "175,5"
    assert match_list(MATCH, "register_only")["Số thửa"].tolist() == ["=1+1", "263A"]
    assert match_list(MATCH, "matched", limit=1)["Số thửa"].tolist() == ["17"]
    with pytest.raises(KeyError):
        match_list(MATCH, "other")
    table = match_table(MATCH)
    assert len(table) == 6 and table["Nhóm"].tolist()[:2] == ["Khớp bản đồ", "Khớp bản đồ"]
    text = match_csv(MATCH).decode("utf-8-sig")
    assert "'=1+1" in text and "Trùng nhiều tờ bản đồ;5" in text      # a formula-like key is shown, not evaluated
    ws = openpyxl.load_workbook(io.BytesIO(match_xlsx(MATCH))).active
    cells = [c.value for row in ws.iter_rows() for c in row]
    assert "=1+1" in cells and "263A" in cells and ws["A1"].data_type == "s"


@pytest.fixture
def register_only_project(store, actor, capsys, tmp_path, make_fixtures, monkeypatch):
    """Project SO_HO made without a boundary, its household × step matrix imported, and a map file of eight
    register parcels and three parcels the register does not have, in the configured import folder."""
    import cli

    assert cli.main(["add-project", "--id", PROJECT, "--name", "Dự án chỉ có sổ", "--kind", "area", "--province",
                     "Lạng Sơn", "--as", "quan_tri"]) == 0
    capsys.readouterr()
    data, expected = build_matrix(40)
    assert _matrix(store, actor, data).status == "committed"
    distinct = sorted(set(expected.parcel_tokens))
    numeric = [int(k) for k in distinct if k.isdigit()][:8]
    folder = tmp_path / "nhap"
    folder.mkdir()
    path, _ = _map_file(folder, make_fixtures, numeric + MAP_ONLY)
    monkeypatch.setenv("GPMB_SERVER_PATHS", "true")
    monkeypatch.setenv("GPMB_IMPORT_FOLDER", str(folder))
    return path, numeric, distinct


def test_import_page_shows_the_register_match_then_commits(store, actor, register_only_project):
    import streamlit as st

    from tests.support.login import preset_login

    st.cache_data.clear()
    path, numeric, distinct = register_only_project
    at = preset_login(AppTest.from_string(SCRIPT, default_timeout=90), actor).run()
    assert not at.exception, at.exception
    at.selectbox(key="imp_project").set_value(PROJECT)
    at.text_input(key="imp_paths").input(str(path)).run()
    at.button(key="imp_check").click().run()
    assert not at.exception, at.exception
    assert any(h.value == "Đối chiếu sổ hộ dân với bản đồ" for h in at.subheader)
    values = {m.label: m.value for m in at.metric}
    assert values["Số thửa trong sổ hộ"] == str(len(distinct))
    assert values["Khớp bản đồ"] == str(len(numeric))
    assert values["Có trên bản đồ, không có trong sổ hộ"] == str(len(MAP_ONLY))
    assert values["Chưa có trên bản đồ"] == str(len(distinct) - len(numeric))
    lists = [df.value for df in at.dataframe if list(df.value.columns) == ["Số thửa"]]
    shown = {tuple(df["Số thửa"]) for df in lists}
    assert tuple(str(n) for n in sorted(numeric)) in shown and tuple(str(n) for n in MAP_ONLY) in shown
    at.button(key="imp_commit").click().run()
    assert not at.exception, at.exception
    assert at.success, [e.value for e in at.error]
    message = at.success[0].value
    assert f"{len(numeric)} thửa trong sổ hộ đã khớp bản đồ" in message and "import-register" in message
    assert (store.parcels()["project_id"] == PROJECT).sum() == len(numeric) + len(MAP_ONLY)


def test_import_page_without_a_register_shows_no_match(store, actor, fixture_files, monkeypatch):
    import os

    import streamlit as st

    from tests.support.login import preset_login

    st.cache_data.clear()
    monkeypatch.setenv("GPMB_SERVER_PATHS", "true")
    monkeypatch.setenv("GPMB_IMPORT_FOLDER", os.path.commonpath([str(p) for p in fixture_files.values()]))
    at = preset_login(AppTest.from_string(SCRIPT, default_timeout=90), actor).run()
    at.selectbox(key="imp_project").set_value("TEST_QL4B")
    at.text_input(key="imp_paths").input(fixture_files["gpkg"]).run()
    at.button(key="imp_check").click().run()
    assert not at.exception, at.exception
    assert any(m.label == "Số thửa nhập" for m in at.metric)
    assert not any(h.value == "Đối chiếu sổ hộ dân với bản đồ" for h in at.subheader)


def test_the_stored_plan_reaches_the_clocks_of_the_matched_parcels(store, actor, register_only_project, capsys):
    """Map imported, matrix imported again: the stored steps sheet (every step led by «TTPTQĐ», step k planned
    01/03/2025 + 15k days) gives the clocks of the matched parcels their planned date, days behind and body —
    through ``compute_snapshot`` and through ``prepare``/``snapshot_at`` alike."""
    from datetime import date, timedelta

    import cli
    from domain.stages import STAGES
    from milestones.prepared import prepare, snapshot_at
    from milestones.snapshot import compute_snapshot
    from tests.people.matrix_builder import START, STEPS

    path, numeric, _ = register_only_project
    assert cli.main(["import-parcels", str(path), "--project", PROJECT, "--as", "quan_tri"]) == 0
    capsys.readouterr()
    assert _matrix(store, actor, build_matrix(40)[0]).events_added > 0
    as_of = date(2025, 12, 1)
    planned = {target: START + timedelta(days=15 * k) for k, (_, _, target) in enumerate(STEPS)
               if target in STAGES}
    for snap in (compute_snapshot(store, as_of), snapshot_at(prepare(store), as_of)):
        clocks = snap.clocks[(snap.clocks["project_id"] == PROJECT) & (snap.clocks["action"] != "resolve_complaint")]
        assert 0 < clocks["parcel_id"].nunique() <= len(numeric)     # only matched parcels have stages
        following = clocks["stage"].map(lambda s: STAGES[STAGES.index(s) + 1])
        assert clocks["planned_date"].tolist() == following.map(planned).tolist()
        assert clocks["days_behind_plan"].tolist() == [(as_of - d).days for d in following.map(planned)]
        assert set(clocks["responsible"]) == {"ttptqd"}
    other = snap.clocks[snap.clocks["project_id"] != PROJECT]
    assert other["planned_date"].isna().all() and (other["days_behind_plan"] == 0).all()
    # The plan changed a body: approving the plan is Phòng TN&MT's in the responsible table.
    assert "approve_plan" in set(clocks["action"])
