"""Display tables of the people side (pages, Excel sheets) from :class:`milestones.people.PeopleFigures`.

Codes become words (``vocab.people``, ``vocab.labels``) and headers are ``vocab.people.PEOPLE_HEADERS_VI``.
``*_records`` give typed rows (numbers stay numbers, dates are dates) with the column list
``[(key, header, kind, width)]`` the Excel writer takes; :func:`frame` turns them into a DataFrame for a page.
Personal data: only the ``name`` column of the households, added by the caller for accounts that may read it.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from vocab.format import fmt_date, fmt_number
from vocab.labels import EVENT_LABELS_VI, stage_label
from vocab.people import PEOPLE_HEADERS_VI, area_delay_text, people_label

_KIND = {"text": "text", "wrap": "wrap", "int": "int", "vnd": "vnd", "m2": "m2", "date": "date", "pct": "pct"}


def _cols(spec: list[tuple[str, str, int]]) -> list[tuple[str, str, str, int]]:
    return [(key, PEOPLE_HEADERS_VI[key], _KIND[kind], width) for key, kind, width in spec]


def _day(value) -> date | None:
    if value is None or (not isinstance(value, date) and pd.isna(value)):
        return None
    return value.date() if isinstance(value, pd.Timestamp) else value


PAYMENT_TOTAL_COLS = _cols([("project", "text", 24), ("commune", "text", 20), ("households", "int", 8),
                            ("households_paid", "int", 10), ("households_late", "int", 10),
                            ("amount_approved_vnd", "vnd", 16), ("amount_paid_vnd", "vnd", 16),
                            ("amount_due_vnd", "vnd", 16)])
LATE_PLAN_COLS = _cols([("project", "text", 24), ("commune", "text", 20), ("household_id", "text", 14),
                        ("amount_approved_vnd", "vnd", 16), ("amount_paid_vnd", "vnd", 16), ("deadline", "date", 12),
                        ("days_late", "int", 9), ("refusal_step", "text", 18)])
REFUSAL_COLS = _cols([("project", "text", 24), ("commune", "text", 20), ("household_id", "text", 14),
                      ("refusal_step", "text", 26), ("refusal_step_date", "date", 12), ("deposited_on", "date", 12),
                      ("amount_due_vnd", "vnd", 16), ("days_late", "int", 9)])
FUND_COLS = _cols([("project", "text", 28), ("amount_needed_vnd", "vnd", 18), ("amount_transferred_vnd", "vnd", 18),
                   ("shortfall_vnd", "vnd", 16)])
PROCEDURE_COLS = _cols([("project", "text", 22), ("step_code", "text", 8), ("step_name", "wrap", 36),
                        ("legal_basis", "wrap", 24), ("lead_body", "text", 16), ("min_days", "int", 8),
                        ("planned_date", "date", 12), ("actual_date", "date", 12), ("stage", "text", 18),
                        ("days_behind", "int", 10)])
REGISTER_PROGRESS_COLS = _cols([("project", "text", 24), ("stage_name", "text", 26), ("households", "int", 8),
                                ("area_m2", "m2", 14), ("percent_area", "pct", 10)])
LETTER_COLS = _cols([("project", "text", 24), ("commune", "text", 18), ("letter_id", "text", 16),
                     ("received_date", "date", 12), ("kind", "text", 12), ("subject", "text", 18),
                     ("body", "wrap", 22), ("status", "text", 16), ("due_date", "date", 12),
                     ("days_overdue", "int", 9), ("article", "wrap", 22), ("parcels", "text", 12)])
BODY_COLS = _cols([("body", "wrap", 30), ("letters_open", "int", 10), ("letters_overdue", "int", 10),
                   ("max_days_overdue", "int", 10)])
MONTH_COLS = _cols([("project", "text", 24), ("commune", "text", 18), ("month", "text", 9), ("received", "int", 8),
                    ("resolved", "int", 8), ("closed", "int", 8), ("open_at_month_end", "int", 9)])
AREA_COLS = _cols([("project", "text", 24), ("area_id", "text", 16), ("area_name", "wrap", 28),
                   ("planned_completion_date", "date", 12), ("actual_completion_date", "date", 12),
                   ("construction_percent", "pct", 9), ("progress_status", "wrap", 20), ("lots_total", "int", 8),
                   ("lots_allocated", "int", 9), ("lots_area_m2", "m2", 12)])
AREA_HISTORY_COLS = _cols([("area_id", "text", 16), ("area_name", "wrap", 28), ("recorded_on", "date", 12),
                           ("construction_percent", "pct", 9), ("actual_completion_date", "date", 12),
                           ("upload_id", "int", 8)])
LOT_COLS = _cols([("area_id", "text", 16), ("lot_number", "text", 8), ("lot_class", "text", 7), ("area_m2", "m2", 10),
                  ("price_vnd", "vnd", 14), ("status", "text", 14), ("allocated_to", "text", 14)])


def payment_total_records(figures, names: dict[str, str]) -> list[dict]:
    """Per project and commune: households, paid, late, amounts (VND)."""
    totals = figures.payment_totals
    return [{**r, "project": names.get(r["project_id"], r["project_id"])} for r in totals.to_dict("records")]


def late_plan_records(figures, names: dict[str, str]) -> list[dict]:
    """Approved plans not paid in full, most days late first."""
    pay = figures.payments
    late = pay[~pay["paid"]].sort_values(["days_late", "project_id", "household_id"], ascending=[False, True, True])
    return [{**r, "project": names.get(r["project_id"], r["project_id"]), "deadline": _day(r["deadline"]),
             "refusal_step": people_label("payment_refusal", r["refusal_step"]) if r["refusal_step"] else ""}
            for r in late.to_dict("records")]


def refusal_records(figures, names: dict[str, str]) -> list[dict]:
    """Households invited to receive the money and not paid in full, or whose money was deposited to the
    treasury custody account (Land Law 2024 art. 94(5)); furthest step first."""
    waiting = figures.refusals[~figures.refusals["paid"].astype(bool)]
    return [{**r, "project": names.get(r["project_id"], r["project_id"]),
             "refusal_step": people_label("payment_refusal", r["refusal_step"]),
             "refusal_step_date": _day(r["refusal_step_date"]), "deposited_on": _day(r["deposited_on"])}
            for r in waiting.to_dict("records")]


def fund_records(figures, names: dict[str, str]) -> list[dict]:
    """Per project: what the approved plans need against what the investor has transferred (VND)."""
    return [{**r, "project": names.get(r["project_id"], r["project_id"])} for r in figures.funds.to_dict("records")]


def procedure_records(figures, names: dict[str, str]) -> list[dict]:
    """The procedure plan per project, step order: planned and actual dates, lead body, the stage of the step."""
    def stage_text(target) -> str:
        if not isinstance(target, str) or not target:
            return ""
        if target.startswith("flag:"):
            return "Nhánh: " + EVENT_LABELS_VI.get(target.removeprefix("flag:"), target)
        return stage_label(target)

    return [{**r, "project": names.get(r["project_id"], r["project_id"]), "step_name": r.get("name") or "",
             "planned_date": _day(r["planned_date"]), "actual_date": _day(r["actual_date"]),
             "stage": stage_text(r.get("stage"))} for r in figures.procedure.to_dict("records")]


def register_progress_records(figures, names: dict[str, str]) -> list[dict]:
    """Households and register area per project and stage (the household × step matrix)."""
    return [{**r, "project": names.get(r["project_id"], r["project_id"]), "stage_name": stage_label(r["stage"])}
            for r in figures.register_progress.to_dict("records")]


def letter_records(figures, names: dict[str, str], *, open_only: bool = False) -> list[dict]:
    """Letters received by the as-of date (open ones first, most overdue first)."""
    letters = figures.letters
    if open_only:
        letters = letters[letters["open"]]
    letters = letters.sort_values(["open", "days_overdue", "received_date"], ascending=[False, False, True])
    return [{**r, "project": names.get(r["project_id"], r["project_id"]), "received_date": _day(r["received_date"]),
             "due_date": _day(r["due_date"]), "kind": people_label("complaint_kind", r["kind"]),
             "subject": people_label("complaint_subject", r["subject"]), "body": people_label("competent_body", r["body"]),
             "status": people_label("complaint_status", r["status"]), "article": r.get("article") or "",
             "parcels": (r.get("parcels") or "").replace(";", ", ")} for r in letters.to_dict("records")]


def body_records(figures) -> list[dict]:
    """Open and overdue letters per competent body."""
    return [{**r, "body": people_label("competent_body", r["body"])} for r in figures.overdue_by_body.to_dict("records")]


def month_records(figures, names: dict[str, str]) -> list[dict]:
    """Received / resolved / open per project, commune and month."""
    return [{**r, "project": names.get(r["project_id"], r["project_id"]), "month": str(r["month"])}
            for r in figures.monthly.to_dict("records")]


def area_records(figures, names: dict[str, str]) -> list[dict]:
    """Resettlement areas with their lots and construction progress."""
    return [{**r, "project": names.get(r["project_id"], r["project_id"]), "area_name": r.get("name") or r["area_id"],
             "planned_completion_date": _day(r["planned_completion_date"]),
             "actual_completion_date": _day(r["actual_completion_date"]),
             "progress_status": area_delay_text(r.get("status"), r.get("days_late"))}
            for r in figures.areas.to_dict("records")]


def area_history_records(figures) -> list[dict]:
    """The construction progress of each area per recorded version (date in Vietnam time), oldest first."""
    names = dict(zip(figures.areas["area_id"], figures.areas["name"], strict=True)) if len(figures.areas) else {}
    return [{**r, "area_name": names.get(r["area_id"]) or r["area_id"], "recorded_on": _day(r["recorded_on"]),
             "actual_completion_date": _day(r["actual_completion_date"])}
            for r in figures.area_history.to_dict("records")]


def lot_records(figures) -> list[dict]:
    """Lots with their status and the household of the latest draw."""
    return [{**r, "status": people_label("lot_status", "allocated" if r["allocated"] else r["status"]),
             "allocated_to": r["allocated_to"] if isinstance(r["allocated_to"], str) else ""}
            for r in figures.lots.to_dict("records")]


def _shown(value, kind: str) -> str:
    if value is None or (not isinstance(value, (str, date)) and pd.isna(value)):
        return ""
    if kind in ("int", "vnd"):
        return fmt_number(value)
    if kind in ("m2", "pct"):
        return fmt_number(value, 1)
    if kind == "date":
        return fmt_date(value)
    return str(value)


def frame(records: list[dict], cols: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    """A page table: the columns of ``cols`` under their Vietnamese headers, values as text the way the district
    writes them (``1.234.567``, ``dd/mm/yyyy``: :mod:`vocab.format`)."""
    return pd.DataFrame([{header: _shown(r.get(key), kind) for key, header, kind, _ in cols} for r in records],
                        columns=[header for _, header, _, _ in cols])


def people_sheets(figures, names: dict[str, str]) -> list[tuple[str, str, list, list[dict], str]]:
    """The people-side sheets of the Excel report: ``(sheet, title, cols, records, empty_text)``."""
    return [
        ("Chi trả", "CHI TRẢ TIỀN BỒI THƯỜNG, HỖ TRỢ, TÁI ĐỊNH CƯ THEO XÃ", PAYMENT_TOTAL_COLS,
         payment_total_records(figures, names), "Chưa có phương án nào được phê duyệt."),
        ("Hộ chưa nhận đủ", "HỘ CHƯA NHẬN ĐỦ TIỀN (HẠN 30 NGÀY, LUẬT ĐẤT ĐAI 2024 ĐIỀU 94)", LATE_PLAN_COLS,
         late_plan_records(figures, names), "Mọi hộ có phương án đã phê duyệt đã nhận đủ tiền."),
        ("Mời nhận tiền", "HỘ ĐÃ MỜI NHẬN TIỀN CHƯA NHẬN, GỬI TIỀN TẠM GIỮ (LUẬT ĐẤT ĐAI 2024 ĐIỀU 94)", REFUSAL_COLS,
         refusal_records(figures, names), "Không có hộ nào từ chối nhận tiền."),
        ("Kinh phí", "KINH PHÍ BỒI THƯỜNG, HỖ TRỢ, TÁI ĐỊNH CƯ: CẦN VÀ ĐÃ CHUYỂN", FUND_COLS,
         fund_records(figures, names), "Chưa có phương án nào được phê duyệt."),
        ("Tiến độ theo sổ hộ", "TIẾN ĐỘ THEO SỔ HỘ DÂN (BẢNG HỘ × BƯỚC): SỐ HỘ VÀ DIỆN TÍCH THEO GIAI ĐOẠN",
         REGISTER_PROGRESS_COLS, register_progress_records(figures, names), "Chưa nhập bảng hộ × bước."),
        ("Kế hoạch thủ tục", "KẾ HOẠCH TRÌNH TỰ THỦ TỤC GPMB (TRANG DANH SÁCH BƯỚC)", PROCEDURE_COLS,
         procedure_records(figures, names), "Chưa nhập danh sách bước của dự án."),
        ("Đơn thư", "SỔ ĐƠN THƯ (KHIẾU NẠI, TỐ CÁO, KIẾN NGHỊ, PHẢN ÁNH)", LETTER_COLS,
         letter_records(figures, names), "Chưa có đơn thư nào."),
        ("Đơn thư theo tháng", "ĐƠN THƯ NHẬN, GIẢI QUYẾT, TỒN THEO THÁNG", MONTH_COLS,
         month_records(figures, names), "Chưa có đơn thư nào."),
        ("Tái định cư", "KHU TÁI ĐỊNH CƯ VÀ LÔ ĐẤT", AREA_COLS, area_records(figures, names),
         "Chưa có khu tái định cư nào."),
        ("Lô tái định cư", "LÔ ĐẤT TÁI ĐỊNH CƯ VÀ KẾT QUẢ BỐC THĂM", LOT_COLS, lot_records(figures),
         "Chưa có lô nào."),
    ]
