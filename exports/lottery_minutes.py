"""The minutes of a resettlement lottery (biên bản bốc thăm) as an editable DOCX.

Layout of an administrative document by Decree 30/2020/NĐ-CP (art. 8 and Appendix I): a two-column
head (governing body, issuing body and number/symbol on the left; national title, motto, place and
date on the right), the document kind and its summary (trích yếu), then the participants, the content
(inputs with their SHA-256, the seed, the result table) and the signature blanks. Fonts: Times New
Roman 13–14 pt. Written with python-docx so that the centre can still edit it in Word.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from milestones.lottery import LotteryResult
from vocab.format import fmt_number

FONT = "Times New Roman"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
RESULT_HEADERS = ("STT", "Mã hộ", "Tên chủ hộ", "Loại lô", "Lô số", "Diện tích (m²)")


@dataclass(frozen=True)
class MinutesInfo:
    """What the minutes say besides the draw itself (all text as it is to be printed)."""

    governing_body: str            # cơ quan chủ quản, e.g. "UBND TỈNH LẠNG SƠN"
    issuing_body: str              # e.g. "TRUNG TÂM PHÁT TRIỂN QUỸ ĐẤT"
    document_number: str           # số, ký hiệu, e.g. "…/BB-TTPTQĐ"
    place: str                     # địa danh, e.g. "Lạng Sơn"
    meeting_date: date
    project_name: str
    area_name: str                 # khu tái định cư
    participants: Sequence[str] = field(default_factory=tuple)   # "Ông Nguyễn Văn A – Giám đốc, chủ trì"
    signers: Sequence[str] = ("ĐẠI DIỆN TRUNG TÂM PTQĐ", "ĐẠI DIỆN UBND XÃ", "ĐẠI DIỆN CÁC HỘ DÂN")


def _paragraph(doc, text: str = "", *, bold=False, italic=False, size=13, align=None, space_after=4):
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold, run.italic, run.font.size, run.font.name = bold, italic, Pt(size), FONT
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(space_after)
    return p


def _cell_text(cell, lines: Sequence[tuple[str, bool, bool]], size=13) -> None:
    cell.text = ""
    for i, (text, bold, italic) in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold, run.italic, run.font.size, run.font.name = bold, italic, Pt(size), FONT


def _head(doc, info: MinutesInfo) -> None:
    table = doc.add_table(rows=1, cols=2)
    d = info.meeting_date
    _cell_text(table.cell(0, 0), [(info.governing_body.upper(), False, False),
                                  (info.issuing_body.upper(), True, False),
                                  (f"Số: {info.document_number}", False, False)])
    _cell_text(table.cell(0, 1), [(NATIONAL_TITLE, True, False), (MOTTO, True, False),
                                  (f"{info.place}, ngày {d.day:02d} tháng {d.month:02d} năm {d.year}", False, True)])


def _title(doc, info: MinutesInfo) -> None:
    _paragraph(doc, "BIÊN BẢN", bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    _paragraph(doc, f"Bốc thăm giao đất tái định cư tại {info.area_name}", bold=True, size=14,
               align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    _paragraph(doc, f"Dự án: {info.project_name}", bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)


def _inputs(doc, result: LotteryResult) -> None:
    _paragraph(doc, "II. NỘI DUNG", bold=True)
    _paragraph(doc, "1. Dữ liệu đầu vào (được công bố trước khi bốc thăm)", bold=True)
    _paragraph(doc, f"- Danh sách hộ đủ điều kiện giao đất tái định cư: {result.households} hộ; "
                    f"mã kiểm tra SHA-256: {result.eligible_sha256}")
    _paragraph(doc, f"- Danh sách lô đất tái định cư đưa vào bốc thăm: {result.lots} lô; "
                    f"mã kiểm tra SHA-256: {result.lots_sha256}")
    _paragraph(doc, f"- Mã kiểm tra chung của dữ liệu đầu vào: {result.inputs_sha256}")
    _paragraph(doc, f"- Chuỗi bốc thăm (hạt giống) thống nhất tại buổi họp: «{result.seed}»")
    _paragraph(doc, "Cách bốc thăm: trong mỗi loại lô, các lô được xếp theo giá trị SHA-256 của (khoá bốc thăm, "
                    "loại lô, mã lô), các hộ xếp theo mã hộ; hộ thứ i nhận lô thứ i. Bất kỳ ai cũng có thể "
                    "tính lại từ dữ liệu đầu vào và chuỗi bốc thăm để kiểm tra.", italic=True, size=12)


def _result_table(doc, result: LotteryResult, eligible: pd.DataFrame, lots: pd.DataFrame) -> None:
    _paragraph(doc, "2. Kết quả bốc thăm", bold=True)
    names = _lookup(eligible, "household_id", "household_name")
    numbers = _lookup(lots, "lot_id", "lot_number")
    areas = _lookup(lots, "lot_id", "area_m2")
    table = doc.add_table(rows=1, cols=len(RESULT_HEADERS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, RESULT_HEADERS, strict=True):
        _cell_text(cell, [(header, True, False)], size=12)
    for i, a in enumerate(result.assignments, start=1):
        area = areas.get(a.lot_id)
        values = (str(i), a.household_id, str(names.get(a.household_id, "")), a.lot_class,
                  str(numbers.get(a.lot_id, a.lot_id)), fmt_number(area, 1) if area is not None else "")
        for cell, value in zip(table.add_row().cells, values, strict=True):
            _cell_text(cell, [(value, False, False)], size=12)
    _paragraph(doc, f"Mã kiểm tra SHA-256 của kết quả: {result.draw_sha256}", space_after=2)
    if result.unallocated_lots:
        spare = ", ".join(str(numbers.get(lot, lot)) for lot in result.unallocated_lots)
        _paragraph(doc, f"Lô chưa giao ({len(result.unallocated_lots)}): {spare}")


def _lookup(frame: pd.DataFrame, key: str, column: str) -> dict:
    if column not in frame.columns or key not in frame.columns:
        return {}
    return {str(k).strip(): v for k, v in zip(frame[key], frame[column], strict=True) if pd.notna(v)}


def _signatures(doc, info: MinutesInfo) -> None:
    _paragraph(doc, "Biên bản được lập xong và đọc cho mọi người cùng nghe, thống nhất ký tên dưới đây.")
    table = doc.add_table(rows=1, cols=len(info.signers))
    for cell, signer in zip(table.rows[0].cells, info.signers, strict=True):
        _cell_text(cell, [(signer, True, False), ("(Ký, ghi rõ họ tên)", False, True), ("", False, False),
                          ("", False, False), ("", False, False)])


def lottery_minutes_docx(result: LotteryResult, info: MinutesInfo, *, eligible: pd.DataFrame,
                         lots: pd.DataFrame) -> bytes:
    """The minutes of ``result`` as DOCX bytes (Decree 30/2020 layout, module docstring).

    Parameters
    ----------
    result : LotteryResult
        The draw (:func:`milestones.lottery.draw_lots`).
    info : MinutesInfo
        Head, place and date, participants and signers.
    eligible : DataFrame
        ``household_id`` and optionally ``household_name`` (personal data: only for officers allowed to
        read it) for the result table.
    lots : DataFrame
        ``lot_id`` and optionally ``lot_number``, ``area_m2`` (m²).

    Returns
    -------
    bytes
        A DOCX with one result row per assignment.
    """
    doc = Document()
    for section in doc.sections:
        section.left_margin, section.right_margin = Cm(3), Cm(2)
        section.top_margin = section.bottom_margin = Cm(2)
    _head(doc, info)
    _title(doc, info)
    _paragraph(doc, "I. THÀNH PHẦN", bold=True)
    for person in info.participants or ("………………………………………………",):
        _paragraph(doc, f"- {person}")
    _inputs(doc, result)
    _result_table(doc, result, eligible, lots)
    _signatures(doc, info)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
