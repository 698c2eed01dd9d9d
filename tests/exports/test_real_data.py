"""End to end on the bundled data: CLI export vs CLI status, exit codes, the real HTML in Chromium."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from exports import ExportOptions, export
from exports.provenance import data_version_of
from tests.support.parcel_map import COUNTS_JS, DRAWN, PIXELS_JS, STYLES_JS, single_cover, wrong_pixels
from vocab.labels import STAGE_COLOURS, status_label

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cli(real_db_url, real_sources):
    """Run ``python cli.py ARGS`` on the test store and the frozen sources."""
    def run(*args: str) -> subprocess.CompletedProcess:
        return _cli(real_db_url, real_sources, *args)
    return run


def _cli(db_url: str, sources, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": db_url, "GPMB_SOURCES_DIR": str(sources)}
    return subprocess.run([sys.executable, "cli.py", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def status_json(real, cli):
    done = cli("status", "--as-of", "2024-06-30", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def cli_xlsx(real, cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx") / "bao_cao.xlsx"
    done = cli("export", "--as-of", "2024-06-30", "--format", "xlsx", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Đã xuất" in done.stdout
    return openpyxl.load_workbook(out)


def test_xlsx_holds_exactly_the_status_figures(status_json, cli_xlsx):
    ws = cli_xlsx["Tiến độ"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=7, values_only=True) if r[0] and "." not in str(r[0])}
    assert len(status_json["projects"]) == len(rows)
    for p in status_json["projects"]:
        r = rows[p["name"]]
        # XlsxWriter writes doubles with 16 significant digits: equal to the last representable digit.
        assert r[3] == pytest.approx(p["area_to_recover_m2"], rel=1e-15)
        assert r[5] == pytest.approx(p["area_handed_over_m2"], rel=1e-15)
        assert r[6] == pytest.approx(p["percent_handed_over"], rel=1e-15)
        assert r[2] == pytest.approx(p["area_to_recover_m2"] / 10_000, rel=1e-15)
    ms = {(r[0], r[1]): r for r in cli_xlsx["Mốc tiến độ"].iter_rows(min_row=5, values_only=True) if r[1]}
    n = 0
    for p in status_json["projects"]:
        for m in p["milestones"]:
            r = ms[(p["name"], m["label"])]
            assert r[4].date().isoformat() == m["due_date"]
            assert r[5] == pytest.approx(m["target_percent"])
            assert r[6] == pytest.approx(m["actual_percent_at_due"]) if m["actual_percent_at_due"] is not None \
                else r[6] is None
            assert r[7] == pytest.approx(m["actual_percent"])
            assert r[8] == ("Đạt muộn" if m["reached_late"] else status_label(m["status"]))
            assert (r[9].date().isoformat() if r[9] else None) == m["met_on"]
            assert (r[10].date().isoformat() if r[10] else None) == m["forecast_earliest"]
            assert (r[11].date().isoformat() if r[11] else None) == m["forecast_latest"]
            n += 1
    assert n == len(ms) > 0


def test_xlsx_parcel_sheet_covers_every_parcel_without_names(real, cli_xlsx):
    snap, _ = real
    ws = cli_xlsx["Thửa đất"]
    assert ws.max_row - 5 == len(snap.parcels)
    text = " ".join(str(c.value) for row in ws.iter_rows(min_row=1, max_row=60) for c in row if c.value)
    some_owners = list(snap.parcels["owner_name"].dropna().head(50))
    assert some_owners and not any(o in text for o in some_owners)


def test_cli_exit_codes_and_no_partial_file(real, cli, tmp_path):
    bad = cli("export", "--as-of", "30-06-2024x", "--format", "pdf", "--out", str(tmp_path / "a.pdf"))
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
    unknown = cli("export", "--as-of", "2024-06-30", "--format", "xlsx", "--project", "NOPE",
                   "--out", str(tmp_path / "b.xlsx"))
    assert unknown.returncode == 1 and "Không có dự án 'NOPE'" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    assert list(tmp_path.iterdir()) == []
    usage = cli("export", "--as-of", "2024-06-30", "--format", "docx")
    assert usage.returncode == 2


@pytest.mark.slow
def test_cli_pdf_for_one_project_on_a4(real, cli, tmp_path):
    snap, _ = real
    done = cli("export", "--as-of", "2024-06-30", "--format", "pdf", "--project", "QL4B",
                "--paper", "A4", "--orientation", "portrait", "--out", str(tmp_path) + os.sep)
    assert done.returncode == 0, done.stderr
    (pdf,) = tmp_path.glob("*.pdf")
    assert pdf.name == f"gpmb_ban-do-in_2024-06-30_QL4B_A4-doc_{data_version_of(snap).slug()}.pdf"
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((595.28, 841.89), abs=0.5)
    text = reader.pages[0].extract_text()
    assert "Quốc lộ 4B" in text and "Số liệu đến ngày 30/06/2024" in text and "Bàn giao mặt bằng" in text


@pytest.mark.browser
@pytest.mark.slow
def test_real_html_draws_every_parcel_offline(real, browser_page, tmp_path):
    snap, store = real
    html = export("html", snap, store, ExportOptions()).data
    path = tmp_path / "ban_do.html"
    path.write_bytes(html)
    page, blocked = browser_page
    page.goto(path.as_uri())
    page.wait_for_function(DRAWN, timeout=60_000)
    page.wait_for_timeout(500)
    drawn = page.evaluate(COUNTS_JS)
    assert drawn["n"] == drawn["shown"] == drawn["drawn"] == len(snap.parcels)
    colours = [c.lower() for c in STAGE_COLOURS.values()]
    styles = page.evaluate(STYLES_JS)["styles"]
    assert all(s[0].lower() in colours for s in styles) and len(styles) == len(snap.parcels)
    page.screenshot(path=str(tmp_path / "html_export_all.png"))
    samples = page.evaluate(PIXELS_JS, 200)                   # stage colours read back from the canvas
    assert len(samples) == 200 and len(single_cover(samples)) >= 180 and wrong_pixels(samples) == []
    assert "Chú giải" in page.inner_text("body")
    assert blocked == []


def test_exports_are_reproducible_on_the_real_store(real):
    snap, store = real
    a = export("xlsx", snap, store, ExportOptions(project_id="CCN_HT2"))
    b = export("xlsx", snap, store, ExportOptions(project_id="CCN_HT2"))
    assert a.data == b.data
    assert a.file_name == f"gpmb_bao-cao_2024-06-30_CCN_HT2_{data_version_of(snap).slug()}.xlsx"


def test_xlsx_blocking_and_communes_sheets(real, cli_xlsx, status_json):
    snap, _ = real
    blocking = [r for r in cli_xlsx["Điểm nghẽn"].iter_rows(min_row=5, values_only=True) if r[2] is not None]
    assert len(blocking) == len(snap.blockers) > 0
    # Per milestone the last cumulative area equals the area of its blocking set (Snapshot.blocking_summary).
    summary = snap.blocking_summary.set_index("milestone_id")
    labels = dict(zip(snap.milestones["label"], snap.milestones["milestone_id"]))
    last = {}
    for r in blocking:
        last[labels[r[1]]] = r[12]
    for mid, area in last.items():
        assert area == pytest.approx(summary.at[mid, "blocking_area_m2"])
    communes = [r for r in cli_xlsx["Theo xã"].iter_rows(min_row=5, values_only=True) if r[1] is not None]
    names = {p["project_id"]: p["name"] for p in status_json["projects"]}
    for p in status_json["projects"]:
        mine = [r for r in communes if r[0] == names[p["project_id"]]]
        assert [r[1] for r in mine] == list(range(1, len(mine) + 1))                    # ranked 1..n
        assert sum(r[3] for r in mine) == pytest.approx(p["area_to_recover_m2"] / 10_000)
        gaps = [r[6] if r[6] is not None else -1 for r in mine]
        assert gaps == sorted(gaps, reverse=True)
