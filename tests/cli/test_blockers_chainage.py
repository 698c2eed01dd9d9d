"""``cli.py blockers``, ``cli.py chainage`` and the new ``status --json`` fields on the bundled data at 30/06/2024."""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from tests.cli.conftest import SOURCES

pytestmark = pytest.mark.skipif(not (SOURCES / "events.csv").is_file(), reason="bundled data not built")


def test_blockers_json_keys_and_the_expressway_100(run):
    code, out, _ = run("blockers", "--project", "CT_HNCL", "--milestone", "CT_HNCL-100", "--as-of", "2024-06-30", "--json")
    assert code == 0
    doc = json.loads(out)
    (m,) = doc["milestones"]
    assert m["milestone_id"] == "CT_HNCL-100" and m["covers_shortfall"] is True
    first = m["parcels"][0]
    assert set(first) >= {"parcel_id", "area_to_recover_m2", "stage", "next_action", "responsible", "next_deadline",
                          "days_overdue", "obstacles", "cumulative_area_m2"}
    assert m["parcels"][-1]["cumulative_area_m2"] == pytest.approx(m["shortfall_m2"])
    assert first["stage"] == "paid" and first["next_action"] == "hand_over_site"


def test_blockers_without_milestone_lists_every_milestone_not_reached(run):
    code, out, _ = run("blockers", "--project", "CT_HNCL", "--as-of", "2024-06-30", "--json")
    ids = [m["milestone_id"] for m in json.loads(out)["milestones"]]
    assert code == 0 and "CT_HNCL-70" not in ids and {"CT_HNCL-100", "CT_HNCL-HO-CHITRA-75"} <= set(ids)


def test_blockers_csv_is_vietnamese_and_reads_back(run):
    code, out, _ = run("blockers", "--project", "QL4B", "--as-of", "2024-06-30", "--csv")
    table = pd.read_csv(io.StringIO(out.lstrip("\ufeff")), sep=";", decimal=",")
    assert code == 0 and out.startswith("\ufeff")
    assert list(table["Thứ tự"]) == list(range(1, len(table) + 1))
    assert table["Diện tích cộng dồn (m²)"].iloc[-1] == pytest.approx(table["Diện tích thu hồi (m²)"].sum())
    assert "Chi trả quá hạn" in " ".join(table["Vướng mắc"].fillna(""))


def test_blockers_refuses_an_unknown_project_or_milestone(run):
    code, _, err = run("blockers", "--project", "XX", "--as-of", "2024-06-30")
    assert code == 1 and "Không có dự án 'XX'" in err
    code, _, err = run("blockers", "--project", "QL4B", "--milestone", "CT_HNCL-100", "--as-of", "2024-06-30")
    assert code == 1 and "không có mốc" in err


def test_chainage_json_bands_sum_to_status_figure(run):
    code, out, _ = run("chainage", "--project", "QL4B", "--as-of", "2024-06-30", "--segment-m", "250", "--json")
    strip = json.loads(out)
    _, status, _ = run("status", "--as-of", "2024-06-30", "--json")
    ql4b = next(p for p in json.loads(status)["projects"] if p["project_id"] == "QL4B")
    assert code == 0 and strip["segment_m"] == 250
    assert sum(b["area_handed_over_m2"] for b in strip["bands"]) == pytest.approx(ql4b["area_handed_over_m2"])
    assert strip["bands"][0]["band_from_m"] == 3700 and strip["bands"][-1]["band_to_m"] == 18000


def test_chainage_text_and_refusal(run):
    code, out, _ = run("chainage", "--project", "QL4B", "--as-of", "2024-06-30")
    assert code == 0 and "Km3+700 – Km18+000" in out and "đoạn sạch dài nhất" in out
    code, _, err = run("chainage", "--project", "CCN_HT1", "--as-of", "2024-06-30")
    assert code == 1 and "không phải tuyến đường" in err


def test_status_json_gains_the_truthful_fields(run):
    code, out, _ = run("status", "--as-of", "2024-12-31", "--json")
    ms = {m["milestone_id"]: m for p in json.loads(out)["projects"] for m in p["milestones"]}
    assert code == 0
    for key in ("met_on", "actual_percent_at_due", "forecast_earliest", "forecast_latest", "shortfall_m2"):
        assert all(key in m for m in ms.values())
    q = ms["QL4B-100"]
    assert q["status"] == "missed" and q["reached_late"] is True and q["met_on"] > q["due_date"]
    assert q["forecast_earliest"] is None and q["shortfall_m2"] == 0
    assert q["actual_percent_at_due"] < 100
    _, text, _ = run("status", "--as-of", "2024-12-31")
    assert f"đạt muộn ngày {pd.Timestamp(q['met_on']):%d/%m/%Y}" in text
