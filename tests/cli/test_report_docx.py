"""``cli.py report --format docx``: the Word report holds the figures ``cli.py status --json`` prints (30/06/2024)."""
from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest

import cli
from tests.cli.conftest import SOURCES
from vocab.format import fmt_pct
from vocab.labels import status_label

pytestmark = pytest.mark.skipif(not (SOURCES / "events.csv").is_file(), reason="bundled data not built")


def _text(path: Path) -> tuple[list[str], list[list[str]]]:
    """Paragraph texts and table rows (cell texts) of a .docx, tables included in the paragraphs."""
    d = docx.Document(str(path))
    rows = [[c.text for c in r.cells] for t in d.tables for r in t.rows]
    return [p.text for p in d.paragraphs], rows


@pytest.fixture(scope="module")
def report(tmp_path_factory, store_url):
    out = tmp_path_factory.mktemp("docx") / "bao-cao.docx"
    mp = pytest.MonkeyPatch()
    mp.setenv("GPMB_SOURCES_DIR", str(SOURCES))
    mp.setenv("DATABASE_URL", store_url)
    assert cli.main(["report", "--as-of", "2024-06-30", "--format", "docx", "--out", str(out)]) == 0
    mp.undo()
    return out


def test_layout_of_decree_30(report):
    paragraphs, rows = _text(report)
    heading = " ".join(rows[0])
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in heading and "Độc lập - Tự do - Hạnh phúc" in heading
    assert "Số: ……/BC-" in heading and "ngày …… tháng …… năm 2024" in heading
    assert "BÁO CÁO" in paragraphs and "Kết quả công tác giải phóng mặt bằng quý II năm 2024" in paragraphs
    for section in ("KHÓ KHĂN, VƯỚNG MẮC", "ĐỀ XUẤT, KIẾN NGHỊ", "Việc quá hạn theo cơ quan"):
        assert any(section in p for p in paragraphs), section
    assert any("Nơi nhận:" in " ".join(r) and "Họ và tên" in " ".join(r) for r in rows)


def test_every_milestone_with_the_status_figures(report, run):
    code, out, _ = run("status", "--as-of", "2024-06-30", "--json")
    assert code == 0
    _, rows = _text(report)
    by_label = {r[1]: r for r in rows if len(r) >= 8}
    milestones = [m for p in json.loads(out)["projects"] for m in p["milestones"]]
    assert len(milestones) >= 8
    for m in milestones:
        row = by_label[m["label"]]
        assert row[5] == fmt_pct(m["actual_percent"]), m["milestone_id"]
        assert row[4] == fmt_pct(m["actual_percent_at_due"]), m["milestone_id"]
        expected = "Đạt muộn ngày" if m["reached_late"] else status_label(m["status"])
        assert row[6].startswith(expected), (m["milestone_id"], row[6])


def test_projects_and_difficulties_prefilled(report, run):
    _code, out, _ = run("status", "--as-of", "2024-06-30", "--json")
    paragraphs, _ = _text(report)
    for p in json.loads(out)["projects"]:
        assert any(p["name"] in line and fmt_pct(p["percent_handed_over"]) in line for line in paragraphs), p["project_id"]
    start = paragraphs.index("II. KHÓ KHĂN, VƯỚNG MẮC")
    end = paragraphs.index("III. ĐỀ XUẤT, KIẾN NGHỊ")
    assert any("khiếu nại" in line for line in paragraphs[start:end])
    assert any(line.startswith("Đề nghị ") for line in paragraphs[end:])
