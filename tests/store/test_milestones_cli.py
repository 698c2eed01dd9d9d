"""CLI ``milestones …`` and ``rules …`` against a store on each backend (issue 10).

The store is the truth once seeded: a second checkout whose ``milestones.csv`` says otherwise (another
``$GPMB_SOURCES_DIR``) neither overwrites it nor sees other figures.
"""
from __future__ import annotations

import io
import json

import pandas as pd

import cli
from tests.support.actors import make_account, office_admin


def status_targets(capsys) -> dict:
    assert cli.main(["status", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    return {m["milestone_id"]: m["target_percent"] for p in doc["projects"] for m in p["milestones"]}


def other_checkout(tmp_path, monkeypatch, target: str = "70"):
    """A second client: its own data/sources with another target for QL4B_100."""
    from sources_fixture import MILESTONES_CSV, write_sources

    folder = write_sources(tmp_path / "checkout2")
    (folder / "milestones.csv").write_text(MILESTONES_CSV.replace(",100,project", f",{target},project"),
                                           encoding="utf-8-sig")
    (folder / "rules.yaml").write_text("forecast_window_days: 7\n", encoding="utf-8")
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(folder))


def test_a_milestone_set_with_the_cli_survives_status_from_another_checkout(store, capsys, tmp_path, monkeypatch):
    office_admin(store)
    assert cli.main(["milestones", "set", "QL4B_100", "--target", "95", "--due-date", "30/09/2024",
                     "--reason", "Văn bản 12/UBND", "--as", "quan_tri"]) == 0
    assert "Đã sửa mốc QL4B_100" in capsys.readouterr().out
    other_checkout(tmp_path, monkeypatch)
    assert status_targets(capsys)["QL4B_100"] == 95
    assert status_targets(capsys)["QL4B_100"] == 95                     # and again: nothing flips back
    assert cli.main(["rules", "show"]) == 0
    assert "forecast_window_days: 60" in capsys.readouterr().out
    assert cli.main(["milestones", "history", "QL4B_100", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["source"] for r in rows] == ["seed", "edit"]
    assert rows[1]["account"] == "quan_tri" and rows[1]["reason"] == "Văn bản 12/UBND"
    assert (rows[1]["before"]["target_percent"], rows[1]["after"]["target_percent"]) == (100, 95)
    assert cli.main(["milestones", "history"]) == 0
    text = capsys.readouterr().out
    assert "quan_tri: Hạn: 31/03/2024 → 30/09/2024; Chỉ tiêu (%): 100 → 95 — Văn bản 12/UBND" in text


def test_list_as_of_a_day_before_a_change(store, capsys):
    office_admin(store)
    assert cli.main(["milestones", "set", "CCN_HT1_50", "--target", "40", "--reason", "x", "--as", "quan_tri"]) == 0
    capsys.readouterr()
    assert cli.main(["milestones", "list", "--as-of", "30/06/2024", "--json"]) == 0
    then = {r["milestone_id"]: r["target_percent"] for r in json.loads(capsys.readouterr().out)}
    assert cli.main(["milestones", "list", "--json"]) == 0
    now = {r["milestone_id"]: r["target_percent"] for r in json.loads(capsys.readouterr().out)}
    assert (then["CCN_HT1_50"], now["CCN_HT1_50"]) == (50, 40)


def test_export_then_import_round_trip_and_removal_needs_the_exact_count(store, capsys, tmp_path):
    office_admin(store)
    out = tmp_path / "moc.csv"
    assert cli.main(["milestones", "export", "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b";" in data.splitlines()[0]
    table = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    assert table.milestone_id.tolist() == ["QL4B_100", "CCN_HT1_50"]
    capsys.readouterr()
    assert cli.main(["milestones", "import", str(out), "--as", "quan_tri", "--dry-run"]) == 0
    assert "Thêm 0, sửa 0, xoá 0, không đổi 2 mốc." in capsys.readouterr().out

    edited = tmp_path / "moc2.csv"                           # one row dropped, one target changed
    edited.write_text(data.decode("utf-8-sig").splitlines()[0] + "\r\n"
                      + data.decode("utf-8-sig").splitlines()[1].replace(";100;", ";90;") + "\r\n",
                      encoding="utf-8-sig")
    history = len(store.config_history())
    assert cli.main(["milestones", "import", str(edited), "--as", "quan_tri"]) == 1
    captured = capsys.readouterr()
    assert "xoá 1" in captured.out and "--allow-remove 1" in captured.err
    assert len(store.config_history()) == history
    assert cli.main(["milestones", "import", str(edited), "--as", "quan_tri", "--allow-remove", "1"]) == 0
    assert "Chỉ tiêu (%): 100 → 90" in capsys.readouterr().out
    assert store.milestones().milestone_id.tolist() == ["QL4B_100"]


def test_import_of_a_bad_file_names_the_line_and_writes_nothing(store, capsys, tmp_path):
    office_admin(store)
    bad = tmp_path / "bad.csv"
    bad.write_text("milestone_id,project_id,due_date,metric,target_percent\n"
                   "QL4B_100,QL4B,31/02/2024,percent_area_handed_over,100\n", encoding="utf-8")
    assert cli.main(["milestones", "import", str(bad), "--as", "quan_tri"]) == 1
    assert "dòng 2" in capsys.readouterr().err
    missing = tmp_path / "missing.csv"
    missing.write_text("ma;han\nA;1\n", encoding="utf-8")
    assert cli.main(["milestones", "import", str(missing), "--as", "quan_tri"]) == 1
    assert "thiếu cột" in capsys.readouterr().err
    assert len(store.config_history()) == 3


def test_an_officer_is_refused_and_maker_checker_makes_a_proposal(store, capsys):
    make_account(store, "quan_tri", "admin")
    make_account(store, "can_bo", "officer")
    make_account(store, "truong_phong", "admin")
    assert cli.main(["milestones", "set", "QL4B_100", "--target", "90", "--reason", "x", "--as", "can_bo"]) == 1
    assert "(Cán bộ TTPTQĐ) không được sửa mốc tiến độ và quy tắc" in capsys.readouterr().err
    assert cli.main(["milestones", "set", "QL4B_100", "--target", "90", "--reason", "x", "--as", "quan_tri"]) == 0
    assert "chờ một tài khoản khác duyệt" in capsys.readouterr().out
    assert float(store.milestones().target_percent.iloc[0]) == 100
    proposal_id = int(store.proposals("pending").proposal_id.iloc[0])
    assert cli.main(["proposals", "confirm", str(proposal_id), "--as", "truong_phong"]) == 0
    assert float(store.milestones().target_percent.iloc[0]) == 90


def test_rules_set_validates_and_keeps_history(store, capsys, tmp_path):
    office_admin(store)
    bad = tmp_path / "bad.yaml"
    bad.write_text("stage_limits_days:\n  inventory: -3\n", encoding="utf-8")
    assert cli.main(["rules", "set", str(bad), "--reason", "x", "--as", "quan_tri"]) == 1
    assert "không được âm" in capsys.readouterr().err
    good = tmp_path / "good.yaml"
    good.write_text("forecast_window_days: 45\n", encoding="utf-8")
    assert cli.main(["rules", "set", str(good), "--reason", "QĐ 7", "--as", "quan_tri"]) == 0
    assert cli.main(["rules", "show"]) == 0
    assert capsys.readouterr().out.strip().endswith("forecast_window_days: 45")
    assert cli.main(["rules", "history", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["source"] for r in rows] == ["seed", "edit"] and rows[1]["account"] == "quan_tri"
