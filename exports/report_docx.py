"""The quarterly clearance report as an editable Word document (python-docx), laid out under Decree 30/2020/NĐ-CP.

Layout (Decree 30/2020/NĐ-CP, Appendix I, form of a "Báo cáo"): a two-column heading — left the issuing
body under its parent body and the number/symbol "Số: …/BC-…" (blank to fill), right the national title
"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", the motto "Độc lập - Tự do - Hạnh phúc" and "…, ngày … tháng … năm …";
then the document type "BÁO CÁO" and its summary (trích yếu); the content; at the foot the recipients
("Nơi nhận") on the left and the signer's title and name (blanks) on the right.

Content: I. results per project and milestone (the figures of ``cli.py status``: one Snapshot), the communes
league, the blocking parcels in brief and the overdue actions per body; II. "Khó khăn, vướng mắc" and
III. "Đề xuất, kiến nghị", prefilled from the obstacles and the overdue actions, and left editable.
Seed 002: the report is due before the 20th of the last month of each quarter to UBND huyện (via Phòng Tài
chính – Kế hoạch).
"""
from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass

import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from exports.figure_tables import blocking_table, league_table, milestone_rows, overdue_counts, shortfall_text
from exports.provenance import APP_NAME, as_of_text_vi, data_version_of
from milestones.clocks import overdue_by_body
from milestones.league import communes_league
from vocab.format import fmt_date, fmt_ha, fmt_pct
from vocab.labels import OBSTACLE_LABELS_VI, body_label, status_label

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
BLANK = "……"

#: Blocking parcels listed per milestone (the full list is in the XLSX export and on the "Điểm nghẽn" page).
BRIEF_ROWS = 10
_ROMAN_QUARTERS = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class ReportHeading:
    """The fill-in parts of the heading; blanks (``……``) by default, to be typed in Word."""

    parent_body: str = "UBND HUYỆN " + BLANK
    issuing_body: str = "TRUNG TÂM PHÁT TRIỂN QUỸ ĐẤT"
    symbol: str = "BC-TTPTQĐ"
    place: str = BLANK
    recipients: tuple[str, ...] = ("UBND huyện (qua Phòng Tài chính – Kế hoạch);", "Lưu: VT.")


def quarter_text(as_of) -> str:
    """``quý II năm 2024`` for a date in April–June 2024."""
    day = pd.Timestamp(as_of)
    return f"quý {_ROMAN_QUARTERS[(day.month - 1) // 3]} năm {day.year}"


def report_docx(snapshot, events: pd.DataFrame, *, heading: ReportHeading | None = None,
                project_names: dict[str, str] | None = None) -> bytes:
    """The report at ``snapshot.as_of`` as ``.docx`` bytes.

    Parameters
    ----------
    snapshot : milestones.snapshot.Snapshot
        Its ``projects``, ``milestones``, ``blockers``, ``blocking_summary``, ``clocks`` (one computation:
        the figures equal those of ``cli.py status`` at the same date).
    events : DataFrame
        The ledger (``store.events()``), for the league's days since the last field counts.
    heading : ReportHeading, optional
    project_names : dict, optional
        ``project_id`` → short name (default the project's ``short_name``, else its id).
    """
    heading = heading or ReportHeading()
    names = project_names or _short_names(snapshot.projects)
    doc = Document()
    _page_setup(doc)
    _provenance_footer(doc, snapshot)
    _heading(doc, heading, snapshot.as_of)
    overdue = overdue_by_body(snapshot.clocks) if len(snapshot.clocks) else pd.DataFrame(
        columns=["responsible", "parcel_id", "action", "due_on", "days_overdue"])
    _results(doc, snapshot, names)
    _league(doc, communes_league(snapshot, events), names)
    _blocking(doc, snapshot, names)
    _overdue(doc, overdue)
    _difficulties(doc, snapshot, names, overdue)
    _proposals(doc, snapshot, names, overdue)
    _signature(doc, heading)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _short_names(projects: pd.DataFrame) -> dict[str, str]:
    short = projects["short_name"] if "short_name" in projects else projects["project_id"]
    return {str(p): str(s) if isinstance(s, str) and s else str(p) for p, s in zip(projects["project_id"], short)}


def _page_setup(doc) -> None:
    """A4 portrait, margins of Decree 30 (top/bottom 20 mm, left 30 mm, right 15 mm), Times New Roman 13."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)


def _provenance_footer(doc, snapshot) -> None:
    """The page footer: as-of date, data version and the store it came from (issue 10: every export
    names its store), in 9 pt so it stays out of the report's body."""
    para = doc.sections[0].footer.paragraphs[0]
    run = para.add_run(f"{APP_NAME} · {as_of_text_vi(snapshot.as_of)} · {data_version_of(snapshot).text_vi()}")
    run.font.size = Pt(9)


def _cell_line(cell, text: str, *, bold: bool = False, italic: bool = False, first: bool = False) -> None:
    para = cell.paragraphs[0] if first else cell.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = para.add_run(text)
    run.bold, run.italic = bold, italic


def _heading(doc, heading: ReportHeading, as_of) -> None:
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    _cell_line(left, heading.parent_body, first=True)
    _cell_line(left, heading.issuing_body, bold=True)
    _cell_line(left, f"Số: {BLANK}/{heading.symbol}")
    _cell_line(right, NATIONAL_TITLE, bold=True, first=True)
    _cell_line(right, MOTTO, bold=True)
    _cell_line(right, f"{heading.place}, ngày {BLANK} tháng {BLANK} năm {pd.Timestamp(as_of).year}", italic=True)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("BÁO CÁO").bold = True
    summary = doc.add_paragraph()
    summary.alignment = WD_ALIGN_PARAGRAPH.CENTER
    summary.add_run(f"Kết quả công tác giải phóng mặt bằng {quarter_text(as_of)}").bold = True
    doc.add_paragraph(f"Số liệu tính đến ngày {fmt_date(as_of)}. Tỷ lệ GPMB = diện tích đã bàn giao mặt bằng "
                      "÷ diện tích cần thu hồi.")


def _table(doc, frame: pd.DataFrame) -> None:
    """``frame`` (strings) as a Word table with a bold header row, 10 pt."""
    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, frame.columns):
        cell.text = str(header)
        cell.paragraphs[0].runs[0].bold = True
    for values in frame.itertuples(index=False):
        for cell, value in zip(table.add_row().cells, values):
            cell.text = str(value)
    for row in table.rows:
        for cell in row.cells:
            for para in cell.paragraphs:
                for run in para.runs:
                    run.font.size = Pt(10)


def _results(doc, snapshot, names: dict[str, str]) -> None:
    doc.add_heading("I. KẾT QUẢ THỰC HIỆN", level=2)
    doc.add_heading("1. Tiến độ theo dự án và các mốc", level=3)
    for p in snapshot.projects.to_dict("records"):
        doc.add_paragraph(f"{names.get(p['project_id'], p['project_id'])} – {p.get('name') or ''}: cần thu hồi "
                          f"{fmt_ha(p['area_to_recover_m2'])}, đã bàn giao {fmt_ha(p['area_handed_over_m2'])} "
                          f"({fmt_pct(p['percent_handed_over'])}).", style="List Bullet")
    rows = milestone_rows(snapshot.milestones, names).drop(columns=["status", "Đo theo", "Tốc độ gần đây (%/ngày)"])
    _table(doc, rows)


def _league(doc, league: pd.DataFrame, names: dict[str, str]) -> None:
    doc.add_heading("2. Kết quả theo xã, phường (xếp theo diện tích còn thiếu so với mốc)", level=3)
    table = league_table(league, names).drop(columns=["Số liệu gửi lần cuối"])
    _table(doc, table)


def _blocking(doc, snapshot, names: dict[str, str]) -> None:
    doc.add_heading("3. Các thửa đất là điểm nghẽn (tóm tắt)", level=3)
    summary = snapshot.blocking_summary
    if summary.empty:
        doc.add_paragraph("Mọi mốc đã đạt chỉ tiêu: không có điểm nghẽn.")
        return
    labels = dict(zip(snapshot.milestones["milestone_id"], snapshot.milestones["label"]))
    for s in summary.to_dict("records"):
        doc.add_paragraph(
            f"{names.get(s['project_id'], s['project_id'])} – {labels.get(s['milestone_id'], s['milestone_id'])} "
            f"({status_label(s['status'])}): còn thiếu {shortfall_text(s)}; {s['blocking_units']} đơn vị cần "
            f"hoàn thành trước ({fmt_ha(s['blocking_area_m2'])}).", style="List Bullet")
        rows = snapshot.blockers[snapshot.blockers["milestone_id"] == s["milestone_id"]].head(BRIEF_ROWS)
        if len(rows):
            _table(doc, blocking_table(rows).drop(columns=["Diện tích cộng dồn (m²)"]))


def _overdue(doc, overdue: pd.DataFrame) -> None:
    doc.add_heading("4. Việc quá hạn theo cơ quan", level=3)
    if overdue.empty:
        doc.add_paragraph("Không có việc quá hạn theo thời hạn luật định.")
        return
    _table(doc, overdue_counts(overdue))


def _obstacle_counts(snapshot) -> Counter:
    """Obstacle code → number of distinct blocking parcels carrying it."""
    b = snapshot.blockers.drop_duplicates("parcel_id") if len(snapshot.blockers) else snapshot.blockers
    return Counter(code for codes in b.get("obstacles", []) for code in (codes or []))


def _difficulties(doc, snapshot, names: dict[str, str], overdue: pd.DataFrame) -> None:
    doc.add_heading("II. KHÓ KHĂN, VƯỚNG MẮC", level=2)
    lines = [f"{n} thửa thuộc diện điểm nghẽn vướng: {OBSTACLE_LABELS_VI.get(code, code).lower()}."
             for code, n in _obstacle_counts(snapshot).most_common()]
    late = snapshot.milestones[snapshot.milestones["status"].isin(["missed", "behind", "at_risk"])]
    lines += [f"{names.get(m['project_id'], m['project_id'])}: mốc “{m['label']}” – {status_label(m['status'])} "
              f"(thực hiện {fmt_pct(m['actual_percent'])} / chỉ tiêu {fmt_pct(m['target_percent'], 0)})."
              for m in late.to_dict("records")]
    if not overdue.empty:
        lines.append(f"{len(overdue)} việc đã quá thời hạn luật định (chi tiết tại mục I.4).")
    for line in lines or [BLANK]:
        doc.add_paragraph(line, style="List Bullet")
    doc.add_paragraph(BLANK)


def _proposals(doc, snapshot, names: dict[str, str], overdue: pd.DataFrame) -> None:
    doc.add_heading("III. ĐỀ XUẤT, KIẾN NGHỊ", level=2)
    lines = [f"Đề nghị {body_label(body)} khẩn trương hoàn thành {n} việc quá hạn."
             for body, n in overdue["responsible"].value_counts().items()] if not overdue.empty else []
    if _obstacle_counts(snapshot).get("complaint_open"):
        lines.append("Đề nghị UBND huyện chỉ đạo giải quyết dứt điểm các khiếu nại về bồi thường, hỗ trợ, tái định cư.")
    for line in lines or [BLANK]:
        doc.add_paragraph(line, style="List Bullet")
    doc.add_paragraph(BLANK)


def _signature(doc, heading: ReportHeading) -> None:
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    _cell_line(left, "Nơi nhận:", bold=True, italic=True, first=True)
    for recipient in heading.recipients:
        para = left.add_paragraph("- " + recipient)
        para.runs[0].font.size = Pt(11)
    _cell_line(right, f"CHỨC VỤ NGƯỜI KÝ {BLANK}", bold=True, first=True)
    _cell_line(right, "(Ký, ghi rõ họ tên, đóng dấu)", italic=True)
    _cell_line(right, "")
    _cell_line(right, f"Họ và tên {BLANK}", bold=True)


__all__ = ["MOTTO", "NATIONAL_TITLE", "ReportHeading", "quarter_text", "report_docx"]
