"""compute_snapshot on a real store (GeoPackage file) and the status / parcels commands."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import cli
from milestones.snapshot import Snapshot, compute_snapshot

REPO = Path(__file__).resolve().parents[2]
AS_OF = date(2024, 6, 30)


@pytest.fixture
def snapshot(store_env) -> Snapshot:
    from tests.support.stores import demo_store
    return compute_snapshot(demo_store(store_env), AS_OF)


def test_snapshot_from_store_hand_checked(snapshot):
    assert snapshot.as_of == AS_OF
    assert snapshot.parcels.crs.to_epsg() == 9215
    p = snapshot.projects.set_index("project_id")
    assert list(p.index) == ["ROAD", "AREA"]
    assert p.loc["ROAD", "area_to_recover_m2"] == 5000.0
    assert p.loc["ROAD", "area_handed_over_m2"] == 2000.0          # R1 (own + range) and R2 (range): once each
    assert p.loc["ROAD", "percent_handed_over"] == pytest.approx(40.0)
    assert p.loc["AREA", "area_handed_over_m2"] == 1500.0          # aggregate report only (15/07 not yet)
    assert p.loc["ROAD", "name"] == "Đường thử nghiệm" and p.loc["ROAD", "short_name"] == "Đường"
    m = snapshot.milestones.set_index("milestone_id")
    assert m.loc["ROAD_100", "status"] == "missed" and m.loc["ROAD_100", "due_date"] == date(2024, 3, 31)
    assert m.loc["ROAD_100", "actual_at_due_percent"] == pytest.approx(20.0)
    assert m.loc["AREA_100", "actual_percent"] == pytest.approx(75.0)
    # The milestone figure (history) and the project table agree at the as-of date.
    for pid, mid in (("ROAD", "ROAD_100"), ("AREA", "AREA_100")):
        assert m.loc[mid, "actual_percent"] == pytest.approx(p.loc[pid, "percent_handed_over"])
    # AREA went 0 → 75 % in the 60-day window: 1.25 %/day, 25 points left → 20 days → 20/07/2024.
    assert m.loc["AREA_100", "recent_rate_pct_per_day"] == pytest.approx(75 / 60)
    assert m.loc["AREA_100", "forecast_date"] == date(2024, 7, 20)
    assert m.loc["AREA_100", "status"] == "on_track"
    parcels = snapshot.parcels.set_index("parcel_id")
    assert parcels.loc["ROAD/Xã Thử/1/3", "risk_flags"] == ["milestone_at_risk", "complaint_open"]
    assert parcels.loc["ROAD/Xã Thử/1/1", "risk_flags"] == [] and not parcels.loc["ROAD/Xã Thử/1/1", "at_risk"]
    assert set(snapshot.segments["project_id"]) == {"ROAD"}
    assert snapshot.s_curve.groupby("project_id")["planned_percent"].max().to_dict() == {"ROAD": 100.0, "AREA": 100.0}
    assert snapshot.data_version["last_upload_id"] >= 1
    assert snapshot.problems == []


def run_cli(args, capsys) -> tuple[int, str, str]:
    code = cli.main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_status_json_matches_snapshot(snapshot, capsys):
    code, out, _ = run_cli(["status", "--as-of", "2024-06-30", "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["as_of"] == "2024-06-30"
    projects = {p["project_id"]: p for p in doc["projects"]}
    assert set(projects) == set(snapshot.projects["project_id"])
    for row in snapshot.projects.to_dict("records"):
        got = projects[row["project_id"]]
        assert set(got) == {"project_id", "name", "area_to_recover_m2", "area_handed_over_m2",
                            "percent_handed_over", "milestones"}
        assert got["name"] == row["name"]
        assert got["area_to_recover_m2"] == pytest.approx(row["area_to_recover_m2"])
        assert got["area_handed_over_m2"] == pytest.approx(row["area_handed_over_m2"])
        assert got["percent_handed_over"] == pytest.approx(row["percent_handed_over"])
    for row in snapshot.milestones.to_dict("records"):
        got = {m["milestone_id"]: m for m in projects[row["project_id"]]["milestones"]}[row["milestone_id"]]
        assert got["status"] == row["status"]
        assert got["due_date"] == row["due_date"].isoformat()
        assert got["target_percent"] == pytest.approx(row["target_percent"])
        assert got["forecast_date"] == (row["forecast_date"].isoformat() if row["forecast_date"] else None)
    assert projects["AREA"]["milestones"][0]["forecast_date"] == "2024-07-20"


def test_cli_status_text_is_vietnamese(store_env, capsys):
    code, out, _ = run_cli(["status", "--as-of", "2024-06-30"], capsys)
    assert code == 0
    assert "Tiến độ GPMB tại ngày 30/06/2024" in out
    assert "5.000 m²" in out and "2.000 m² (40,0%)" in out
    assert "Mốc 31/03/2024: 100% diện tích → Không đạt" in out
    # AREA: 0 → 75 % on 01/06; 25 points left at 75/30, 75/60, 75/90 %/day → 10, 20, 30 days.
    assert "dự báo đạt: 10/07/2024 – 30/07/2024" in out


def test_cli_parcels_csv_json_and_filters(snapshot, capsys):
    code, out, _ = run_cli(["parcels", "--as-of", "2024-06-30", "--project", "ROAD", "--csv-plain"], capsys)
    assert code == 0 and not out.startswith("\ufeff")
    table = pd.read_csv(io.StringIO(out))
    assert len(table) == 4 and set(table["project_id"]) == {"ROAD"}
    assert {"commune", "map_sheet", "parcel_number", "land_use", "area_to_recover_m2", "stage",
            "stage_date", "risk_flags"} <= set(table.columns)
    assert "owner_name" not in table.columns and "stage_label" not in table.columns
    row = table.set_index("parcel_number").loc[2]
    assert row["stage"] == "handed_over" and row["stage_date"] == "2024-05-01"
    assert table.set_index("parcel_number").loc[3, "risk_flags"] == "milestone_at_risk;complaint_open"
    code, out, _ = run_cli(["parcels", "--as-of", "2024-06-30", "--json"], capsys)
    rows = json.loads(out)["parcels"]
    assert len(rows) == len(snapshot.parcels) == 6
    assert {r["parcel_id"]: r["stage"] for r in rows} == dict(zip(snapshot.parcels["parcel_id"], snapshot.parcels["stage"]))
    code, out, _ = run_cli(["parcels", "--as-of", "2024-06-30"], capsys)
    assert code == 0 and "Bàn giao mặt bằng" in out and "01/05/2024" in out
    assert "Khiếu nại chưa giải quyết" in out and "«" not in out  # the one risk-flag wording of vocab.labels
    code, _, err = run_cli(["parcels", "--project", "KHONG_CO", "--as-of", "2024-06-30"], capsys)
    assert code == 1 and "KHONG_CO" in err


def test_cli_parcels_csv_is_the_vietnamese_excel_form(snapshot, capsys):
    from vocab.headers import PARCEL_HEADERS_VI, PARCEL_LIST_COLUMNS

    code, out, _ = run_cli(["parcels", "--as-of", "2024-06-30", "--project", "ROAD", "--csv"], capsys)
    assert code == 0 and out.startswith("\ufeff")
    table = pd.read_csv(io.StringIO(out.lstrip("\ufeff")), sep=";", decimal=",")
    assert list(table.columns) == [PARCEL_HEADERS_VI[c] for c in PARCEL_LIST_COLUMNS]
    assert len(table) == 4 and set(table["Dự án"]) == {"ROAD"}
    by_number = table.set_index("Thửa đất số")
    assert by_number.loc[2, "Giai đoạn"] == "Bàn giao mặt bằng" and by_number.loc[2, "Ngày của giai đoạn"] == "01/05/2024"
    assert by_number.loc[3, "Cờ rủi ro / vướng mắc"] == (
        "Thuộc nhóm thửa quyết định mốc chậm hoặc có nguy cơ chậm; Khiếu nại chưa giải quyết")
    plain = pd.DataFrame(snapshot.parcels)
    plain = plain[plain["project_id"] == "ROAD"].set_index("parcel_number")   # text keys in the snapshot
    for number, area in by_number["Diện tích thu hồi (m²)"].items():
        assert area == pytest.approx(float(plain.loc[str(number), "area_to_recover_m2"]))


def test_cli_parcels_xlsx_has_the_csv_rows(snapshot, capsys, tmp_path):
    import openpyxl

    _, out, _ = run_cli(["parcels", "--as-of", "2024-06-30", "--csv"], capsys)
    csv_rows = pd.read_csv(io.StringIO(out.lstrip("\ufeff")), sep=";", decimal=",", keep_default_na=False)
    path = tmp_path / "thua.xlsx"
    code, out, _ = run_cli(["parcels", "--as-of", "2024-06-30", "--xlsx", str(path)], capsys)
    assert code == 0 and str(path) in out
    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert list(rows[0]) == list(csv_rows.columns)
    assert [r[-1] for r in rows[1:]] == csv_rows["Mã thửa"].tolist()
    area = list(csv_rows.columns).index("Diện tích thu hồi (m²)")
    assert [r[area] for r in rows[1:]] == pytest.approx(csv_rows["Diện tích thu hồi (m²)"].tolist())
    code, _, err = run_cli(["parcels", "--as-of", "2024-06-30", "--xlsx", str(tmp_path / "no" / "x.xlsx")], capsys)
    assert code == 1 and err.startswith("Lỗi:")


@pytest.mark.parametrize("bad", ["2024-13-01", "06/30/2024", "hôm qua"])  # month first is never guessed
def test_cli_bad_date_is_usage_error(bad, capsys, store_env):
    for command in ("status", "parcels"):
        code, _, err = run_cli([command, "--as-of", bad], capsys)
        assert code == 2 and "YYYY-MM-DD" in err


def test_cli_exit_code_in_a_real_process(store_env):
    env = {**os.environ}
    bad = subprocess.run([sys.executable, "cli.py", "status", "--as-of", "31/02/2024"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "ngày không tồn tại" in bad.stderr
    ok = subprocess.run([sys.executable, "cli.py", "status", "--as-of", "2024-06-30", "--json"], cwd=REPO, env=env,
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert {p["project_id"] for p in json.loads(ok.stdout)["projects"]} == {"ROAD", "AREA"}


def test_cli_unreachable_store_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GPMB_SOURCES_DIR", str(tmp_path / "nothing-here"))
    code, out, err = run_cli(["status", "--as-of", "2024-06-30", "--database-url", f"sqlite:///{tmp_path / 'x.gpkg'}"], capsys)
    assert code == 1 and err.startswith("Lỗi:") and "Traceback" not in err + out
