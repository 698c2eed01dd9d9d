"""The one table of Vietnamese labels (and display colours) for every code in ``domain/``.

Computations return codes (``handed_over``, ``at_risk``, ``stuck_inventory`` …); views and exports turn
them into words through this module only, so the dashboard, the CLI and the exports cannot disagree.
"""
from __future__ import annotations

from typing import Any

from domain.stages import COMPLAINT_RESOLVED, STAGES
from vocab.format import MISSING, is_missing

STAGE_LABELS_VI: dict[str, str] = {
    "not_started": "Chưa triển khai",
    "notice": "Thông báo thu hồi đất",
    "inventory": "Kiểm đếm",
    "plan_posted": "Niêm yết phương án",
    "approved": "Phê duyệt phương án / QĐ thu hồi",
    "paid": "Chi trả",
    "handed_over": "Bàn giao mặt bằng",
}


FLAG_LABELS_VI: dict[str, str] = {
    "complaint": "Khiếu nại",
    "enforced": "Cưỡng chế",
    "compulsory_inventory": "Kiểm đếm bắt buộc",
}


EVENT_LABELS_VI: dict[str, str] = {
    **{s: STAGE_LABELS_VI[s] for s in STAGES[1:]},
    **FLAG_LABELS_VI,
    COMPLAINT_RESOLVED: "Đã giải quyết khiếu nại",
}


#: Map colours by stage (cold → warm → green as the parcel nears handover), shared by map and exports.
STAGE_COLOURS: dict[str, str] = {
    "not_started": "#9e9e9e",
    "notice": "#ffd54f",
    "inventory": "#ffb74d",
    "plan_posted": "#ff8a65",
    "approved": "#ba68c8",
    "paid": "#4fc3f7",
    "handed_over": "#43a047",
}


#: Milestone status codes (computed by ``milestones.status``) → Vietnamese label.
MILESTONE_STATUS_LABELS_VI: dict[str, str] = {
    "met": "Đạt",
    "missed": "Không đạt",
    "on_track": "Đúng tiến độ",
    "at_risk": "Có nguy cơ chậm",
    "behind": "Chậm tiến độ",
}


#: Milestone status → (background, text) colours: green = fine, amber = watch, red = act.
MILESTONE_STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "met": ("#c8e6c9", "#1b5e20"),
    "on_track": ("#e3f2fd", "#0d47a1"),
    "at_risk": ("#ffe0b2", "#e65100"),
    "behind": ("#ffcdd2", "#b71c1c"),
    "missed": ("#b71c1c", "#ffffff"),
}


#: Milestone metric codes → Vietnamese label.
METRIC_LABELS_VI: dict[str, str] = {
    "percent_area_handed_over": "% diện tích đã bàn giao",
    "percent_households_paid": "% số hộ đã chi trả",
}


#: Milestone metric codes → short Vietnamese label (a table column "Đo theo").
METRIC_SHORT_LABELS_VI: dict[str, str] = {
    "percent_area_handed_over": "Diện tích bàn giao",
    "percent_households_paid": "Số hộ đã chi trả",
}


#: Land-use codes (Circular 08/2024/TT-BTNMT, Annex; same codes as Circular 25/2014) → Vietnamese name.
LAND_USE_LABELS_VI: dict[str, str] = {
    "LUC": "Đất chuyên trồng lúa",
    "LUK": "Đất trồng lúa còn lại",
    "BHK": "Đất bằng trồng cây hằng năm khác",
    "NHK": "Đất nương rẫy trồng cây hằng năm khác",
    "CLN": "Đất trồng cây lâu năm",
    "RSX": "Đất rừng sản xuất",
    "RPH": "Đất rừng phòng hộ",
    "NTS": "Đất nuôi trồng thủy sản",
    "ONT": "Đất ở tại nông thôn",
    "ODT": "Đất ở tại đô thị",
    "DGT": "Đất giao thông",
    "DTL": "Đất thủy lợi",
    "NTD": "Đất nghĩa trang, nghĩa địa",
    "SKC": "Đất cơ sở sản xuất phi nông nghiệp",
    "TMD": "Đất thương mại, dịch vụ",
    "DCS": "Đất bằng chưa sử dụng",
}


def status_label(status: Any) -> str:
    """Vietnamese label of a milestone status code (unknown codes are returned as given)."""
    if is_missing(status):
        return MISSING
    return MILESTONE_STATUS_LABELS_VI.get(str(status), str(status))


def land_use_label(code: Any) -> str:
    """``"LUC"`` → ``"LUC – Đất chuyên trồng lúa"``; unknown codes are returned as given."""
    if is_missing(code):
        return MISSING
    name = LAND_USE_LABELS_VI.get(str(code))
    return f"{code} – {name}" if name else str(code)


#: Stages a parcel can be stuck in (``stuck_<stage>`` risk flags): every stage but the first and the last.
_STUCK_STAGES = STAGES[1:-1]

#: Parcel risk-flag codes (computed by ``milestones.risk``: ``RISK_CODES``) → the one Vietnamese label
#: used by the dashboard, the map, the exports and the CLI. ``complaint`` and ``compulsory_inventory``
#: are the stage-flag codes, listed so that a flag column written with them reads the same.
RISK_FLAG_LABELS_VI: dict[str, str] = {
    "milestone_at_risk": "Thuộc nhóm thửa quyết định mốc chậm hoặc có nguy cơ chậm",
    **{f"stuck_{s}": f"Tồn đọng ở bước {STAGE_LABELS_VI[s]} quá thời hạn" for s in _STUCK_STAGES},
    "complaint_open": "Khiếu nại chưa giải quyết",
    "complaint": "Khiếu nại chưa giải quyết",
    "enforced": "Cưỡng chế thu hồi đất",
    "compulsory_inventory": "Kiểm đếm bắt buộc",
}


def stage_label(code: Any) -> str:
    """Vietnamese label of a stage code: ``"inventory"`` → ``"Kiểm đếm"`` (unknown codes as given)."""
    if is_missing(code):
        return MISSING
    return STAGE_LABELS_VI.get(str(code), str(code))


def metric_label(code: Any, *, short: bool = False) -> str:
    """Vietnamese label of a milestone metric code; ``short=True`` for a table column (unknown codes as given)."""
    if is_missing(code):
        return MISSING
    return (METRIC_SHORT_LABELS_VI if short else METRIC_LABELS_VI).get(str(code), str(code))


def risk_flag_label(code: Any) -> str:
    """Vietnamese label of a risk flag: ``"stuck_inventory"`` → ``"Tồn đọng ở bước Kiểm đếm quá thời hạn"``.

    Unknown codes are returned as given, so a new code shows up (untranslated) instead of vanishing.
    """
    return RISK_FLAG_LABELS_VI.get(str(code), str(code))


def risk_flags_text(flags: Any, sep: str = "; ") -> str:
    """Labels of a list of risk-flag codes joined by ``sep`` (empty string when there is none)."""
    if flags is None or isinstance(flags, float):
        return ""
    if isinstance(flags, str):
        flags = [f for f in flags.replace(",", ";").split(";") if f.strip()]
    return sep.join(risk_flag_label(f.strip() if isinstance(f, str) else f) for f in flags)


# --- Issue 11: blocking sets, legal clocks, site-count milestones (codes of domain.blockers) ---------------

METRIC_LABELS_VI["percent_sites_handed_over"] = "% số trụ sở đã bàn giao mặt bằng"
METRIC_SHORT_LABELS_VI["percent_sites_handed_over"] = "Số trụ sở bàn giao"

#: Next action of a parcel (``domain.blockers.NEXT_ACTIONS``).
NEXT_ACTION_LABELS_VI: dict[str, str] = {
    "issue_notice": "Ra thông báo thu hồi đất",
    "conduct_inventory": "Điều tra, kiểm đếm",
    "post_plan": "Lập và niêm yết phương án BT, HT & TĐC",
    "approve_plan": "Thẩm định, phê duyệt phương án và quyết định thu hồi",
    "pay_compensation": "Chi trả tiền bồi thường",
    "hand_over_site": "Bàn giao mặt bằng",
    "resolve_complaint": "Giải quyết khiếu nại",
}

#: Responsible bodies (``domain.blockers.BODIES``).
BODY_LABELS_VI: dict[str, str] = {
    "ttptqd": "Trung tâm Phát triển quỹ đất",
    "ubnd_xa": "UBND xã",
    "phong_tnmt": "Phòng Tài nguyên và Môi trường",
    "ban_qlda": "Ban QLDA ĐTXD",
    "ubnd_huyen": "UBND huyện",
}

#: The procedure plan beside a legal deadline (``milestones.procedure_plan``: columns ``planned_date`` and
#: ``days_behind_plan`` of ``Snapshot.blockers`` and ``Snapshot.clocks``), as headers of every view.
PLAN_HEADERS_VI: dict[str, str] = {
    "planned_date": "Ngày theo kế hoạch",
    "days_behind_plan": "Số ngày chậm so với kế hoạch",
}


def has_plan(frame: Any) -> bool:
    """True when ``frame`` (blockers or clocks) has a planned date in some row: the views then show the plan
    columns (a project without a procedure plan shows the tables of before)."""
    return "planned_date" in getattr(frame, "columns", ()) and bool(frame["planned_date"].notna().any())


#: Obstacles (``domain.blockers.OBSTACLES``).
OBSTACLE_LABELS_VI: dict[str, str] = {
    "complaint_open": "Khiếu nại chưa giải quyết",
    "compulsory_inventory": "Kiểm đếm bắt buộc",
    "enforced": "Cưỡng chế thu hồi đất",
    "payment_overdue": "Chi trả quá hạn",
}

#: Steps of long work (:mod:`domain.progress`), as the dashboard's status box and the CLI's progress line name them.
PROGRESS_STEP_LABELS_VI: dict[str, str] = {
    "read": "Đọc tệp",
    "check": "Kiểm tra từng dòng",
    "duplicates": "Tìm dòng trùng với số liệu đã ghi",
    "change_set": "Lập danh sách thay đổi",
    "commit": "Ghi vào kho dữ liệu",
    "pdf_page": "Vẽ trang PDF",
    "excel": "Lập tệp Excel",
}


def progress_text(code: str, done: int, total: int) -> str:
    """``"[2/4] Kiểm tra từng dòng…"``: step ``done + 1`` of ``total`` (a PDF page: ``"Vẽ trang PDF 3/12…"``)."""
    label = PROGRESS_STEP_LABELS_VI.get(code, code)
    if code == "pdf_page":
        return f"{label} {done + 1}/{total}…"
    return f"[{done + 1}/{total}] {label}…"


#: Units of a milestone shortfall (``domain.blockers.SHORTFALL_UNITS``).
SHORTFALL_UNIT_LABELS_VI: dict[str, str] = {"m2": "m²", "households": "hộ", "sites": "trụ sở"}


def next_action_label(code: Any) -> str:
    """Vietnamese label of a next-action code (unknown codes as given)."""
    return MISSING if is_missing(code) else NEXT_ACTION_LABELS_VI.get(str(code), str(code))


def body_label(code: Any) -> str:
    """Vietnamese name of a responsible-body code (unknown codes as given)."""
    return MISSING if is_missing(code) else BODY_LABELS_VI.get(str(code), str(code))


def obstacles_text(codes: Any, sep: str = "; ") -> str:
    """Labels of a list of obstacle codes joined by ``sep`` (empty string when there is none)."""
    if codes is None or isinstance(codes, float):
        return ""
    return sep.join(OBSTACLE_LABELS_VI.get(str(c), str(c)) for c in codes)


#: A store made by ``cli.py init`` without ``--demo``: no project yet (CLI ``status``, dashboard sidebar).
EMPTY_STORE_VI = ("Kho chưa có dữ liệu (chưa có dự án nào): thêm dự án và thửa đất bằng python cli.py add-project "
                  "và import-parcels, hoặc tạo kho mẫu bằng python cli.py init --demo --url <tệp mới>.")
