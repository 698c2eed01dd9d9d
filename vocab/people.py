"""Vietnamese words for the people-side codes of :mod:`domain.people` (plans, payments, letters, lots).

One wording per code; tests check that every code has one. Views use :func:`people_label`.
"""
from __future__ import annotations

from domain.people import (
    AREA_PROGRESS_STATUSES,
    COMPETENT_BODIES,
    COMPLAINT_CHANNELS,
    COMPLAINT_KINDS,
    COMPLAINT_STATUSES,
    COMPLAINT_SUBJECTS,
    LOT_STATUSES,
    PAYMENT_REFUSAL_STEPS,
    PLAN_PARTS,
    UNKNOWN_IMPORT_KIND,
)
from vocab.format import MISSING, is_missing

PLAN_PART_LABELS_VI: dict[str, str] = {
    "compensation": "Bồi thường",
    "support": "Hỗ trợ",
    "resettlement": "Tái định cư",
}

PAYMENT_REFUSAL_LABELS_VI: dict[str, str] = {
    "invited_1": "Mời nhận tiền lần 1",
    "invited_2": "Mời nhận tiền lần 2",
    "invited_3": "Mời nhận tiền lần 3",
    "deposited": "Gửi tiền vào tài khoản tạm giữ tại Kho bạc",
}

COMPLAINT_KIND_LABELS_VI: dict[str, str] = {
    "complaint": "Khiếu nại",
    "denunciation": "Tố cáo",
    "petition": "Kiến nghị",
    "feedback": "Phản ánh",
}

COMPLAINT_SUBJECT_LABELS_VI: dict[str, str] = {
    "land_price": "Giá đất",
    "area": "Diện tích",
    "land_origin": "Nguồn gốc đất",
    "assets": "Tài sản, vật kiến trúc, cây cối",
    "support": "Chính sách hỗ trợ",
    "resettlement": "Tái định cư",
    "procedure": "Trình tự, thủ tục",
    "other": "Khác",
}

COMPETENT_BODY_LABELS_VI: dict[str, str] = {
    "commune_people_committee": "UBND xã",
    "land_fund_centre": "Trung tâm Phát triển quỹ đất",
    "natural_resources_office": "Phòng TN&MT",
    "district_people_committee": "UBND huyện",
    "natural_resources_department": "Sở TN&MT",
    "provincial_people_committee": "UBND tỉnh",
}

COMPLAINT_CHANNEL_LABELS_VI: dict[str, str] = {
    "in_person": "Trực tiếp",
    "post": "Qua bưu điện",
    "citizen_reception": "Qua tiếp công dân",
    "transferred": "Cơ quan khác chuyển đến",
    "online": "Trực tuyến",
}

COMPLAINT_STATUS_LABELS_VI: dict[str, str] = {
    "received": "Đã tiếp nhận",
    "accepted": "Đã thụ lý",
    "verifying": "Đang xác minh",
    "dialogue": "Đang đối thoại",
    "resolved": "Đã giải quyết",
    "withdrawn": "Đã rút đơn",
    "escalated": "Chuyển cấp trên / khiếu nại lần hai",
}

LOT_STATUS_LABELS_VI: dict[str, str] = {
    "planned": "Đang quy hoạch",
    "available": "Sẵn sàng giao",
    "reserved": "Đã giữ chỗ",
    "allocated": "Đã bốc thăm",
    "handed_over": "Đã bàn giao lô",
}

AREA_PROGRESS_LABELS_VI: dict[str, str] = {
    "on_schedule": "Đang xây dựng, trong hạn",
    "late": "Chậm so với kế hoạch",
    "done": "Đã hoàn thành đúng hạn",
    "done_late": "Đã hoàn thành, chậm so với kế hoạch",
    "no_plan": "Chưa có ngày hoàn thành theo kế hoạch",
}

#: The register kinds a file may bring (:data:`domain.people.IMPORT_KINDS`): the page's select, the imports list.
IMPORT_KIND_LABELS_VI: dict[str, str] = {
    "households": "Danh sách hộ",
    "plans": "Phương án BT, HT & TĐC",
    "payments": "Chi trả",
    "refusals": "Mời nhận tiền, gửi tạm giữ",
    "transfers": "Kinh phí chủ đầu tư đã chuyển",
    "complaints": "Đơn thư",
    "lots": "Lô tái định cư",
    "areas": "Khu tái định cư (ranh giới, tiến độ xây dựng)",
    "matrix": "Bảng theo dõi hộ × bước thủ tục",
}

#: The kind of a recorded register import (``register_imports.kind``): the kinds above, a procedure plan committed on
#: its own (``procedure``), and «Không rõ» for an
#: import recorded before the kind was whose kind the store could not tell (migration 0017).
RECORDED_KIND_LABELS_VI: dict[str, str] = {**IMPORT_KIND_LABELS_VI, "procedure": "Kế hoạch thủ tục",
                                           UNKNOWN_IMPORT_KIND: "Không rõ"}

#: Every table above with the codes it must cover (checked by the tests).
PEOPLE_TABLES: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "plan_part": (PLAN_PARTS, PLAN_PART_LABELS_VI),
    "payment_refusal": (PAYMENT_REFUSAL_STEPS, PAYMENT_REFUSAL_LABELS_VI),
    "complaint_kind": (COMPLAINT_KINDS, COMPLAINT_KIND_LABELS_VI),
    "complaint_subject": (COMPLAINT_SUBJECTS, COMPLAINT_SUBJECT_LABELS_VI),
    "competent_body": (COMPETENT_BODIES, COMPETENT_BODY_LABELS_VI),
    "complaint_channel": (COMPLAINT_CHANNELS, COMPLAINT_CHANNEL_LABELS_VI),
    "complaint_status": (COMPLAINT_STATUSES, COMPLAINT_STATUS_LABELS_VI),
    "lot_status": (LOT_STATUSES, LOT_STATUS_LABELS_VI),
    "area_progress": (AREA_PROGRESS_STATUSES, AREA_PROGRESS_LABELS_VI),
}


def area_delay_text(status: object, days_late: object) -> str:
    """«chậm 12 ngày» for a late area (or one completed late), else the status's word."""
    if status in ("late", "done_late") and not is_missing(days_late):
        prefix = "" if status == "late" else "hoàn thành "
        return f"{prefix}chậm {int(days_late)} ngày"
    return people_label("area_progress", status)


def people_label(table: str, code: object) -> str:
    """The Vietnamese word for ``code`` in ``table`` (a key of :data:`PEOPLE_TABLES`).

    A missing code gives :data:`vocab.format.MISSING`; an unknown code is shown as itself.

    Raises
    ------
    KeyError
        ``table`` is not a key of :data:`PEOPLE_TABLES` (a programming error).
    """
    labels = PEOPLE_TABLES[table][1]
    if is_missing(code):
        return MISSING
    return labels.get(str(code), str(code))


def code_for_label(table: str) -> dict[str, str]:
    """Folded Vietnamese label and code → code of ``table``, for reading register cells people type.

    Keys are folded with :func:`parsing.text.fold_key` by the caller's rule; this returns raw labels and
    codes so that ``vocab`` does not depend on ``parsing`` (the layer order).
    """
    codes, labels = PEOPLE_TABLES[table]
    return {**{code: code for code in codes}, **{labels[code]: code for code in codes}}


#: Column headers of the people-side tables (pages, Excel sheets): column code → Vietnamese header.
PEOPLE_HEADERS_VI: dict[str, str] = {
    "project": "Dự án", "project_id": "Mã dự án", "commune": "Xã/phường", "household_id": "Mã hộ",
    "name": "Tên chủ hộ", "households": "Số hộ", "households_paid": "Số hộ đã nhận đủ tiền",
    "households_late": "Số hộ chi trả quá hạn", "amount_approved_vnd": "Số tiền phê duyệt (đ)",
    "amount_paid_vnd": "Đã chi trả (đ)", "amount_due_vnd": "Còn phải trả (đ)", "deadline": "Hạn chi trả",
    "paid_on": "Ngày nhận đủ", "days_late": "Số ngày chậm", "refusal_step": "Từ chối nhận tiền",
    "letter_id": "Số đơn", "received_date": "Ngày nhận", "kind": "Loại đơn", "subject": "Nội dung",
    "body": "Cơ quan có thẩm quyền", "status": "Trạng thái", "due_date": "Hạn giải quyết",
    "days_overdue": "Số ngày quá hạn", "article": "Căn cứ", "parcels": "Thửa liên quan",
    "letters_open": "Đơn chưa giải quyết", "letters_overdue": "Đơn quá hạn", "max_days_overdue": "Quá hạn lâu nhất (ngày)",
    "month": "Tháng", "received": "Nhận", "resolved": "Đã giải quyết", "closed": "Đã kết thúc",
    "open_at_month_end": "Còn tồn cuối tháng", "area_id": "Khu tái định cư", "area_name": "Tên khu",
    "planned_completion_date": "Hoàn thành theo kế hoạch", "actual_completion_date": "Hoàn thành thực tế",
    "construction_percent": "Tiến độ xây dựng (%)", "progress_status": "So với kế hoạch",
    "recorded_on": "Ngày ghi nhận", "upload_id": "Lần tải", "lots_total": "Số lô", "lots_allocated": "Đã bốc thăm",
    "lots_area_m2": "Diện tích các lô (m²)", "lot_number": "Số lô", "lot_class": "Loại lô", "area_m2": "Diện tích (m²)",
    "price_vnd": "Giá đất (đ)", "allocated_to": "Giao cho hộ", "draw_id": "Lần bốc thăm",
    "recorded_at": "Thời điểm ghi", "recorded_by": "Người ghi", "seed": "Hạt giống", "inputs_sha256": "Mã kiểm tra đầu vào",
    "draw_sha256": "Mã kiểm tra kết quả", "reason": "Lý do bốc thăm lại", "lot_id": "Mã lô",
    "refusal_step_date": "Ngày mời / gửi", "deposited_on": "Ngày gửi tiền tạm giữ",
    "amount_needed_vnd": "Kinh phí phương án đã duyệt (đ)", "amount_transferred_vnd": "Chủ đầu tư đã chuyển (đ)",
    "shortfall_vnd": "Còn thiếu (đ)", "step_code": "Mã bước", "step_name": "Tên bước", "legal_basis": "Căn cứ pháp lý",
    "lead_body": "Cơ quan chủ trì", "support_body": "Cơ quan phối hợp", "min_days": "Số ngày tối thiểu",
    "planned_date": "Ngày theo kế hoạch", "actual_date": "Ngày thực hiện", "stage": "Giai đoạn tương ứng",
    "days_behind": "Chậm so với kế hoạch (ngày)", "stage_name": "Giai đoạn", "percent_area": "Tỷ lệ diện tích (%)",
}

#: Overview card labels (``milestones.people.PeopleFigures.cards``).
PEOPLE_CARD_LABELS_VI: dict[str, str] = {
    "households_paid": "Hộ đã nhận đủ tiền", "households_to_pay": "Hộ còn phải chi trả",
    "households_late": "Hộ chi trả quá hạn", "households_refusing": "Hộ đã mời chưa nhận tiền",
    "households_deposited": "Hộ đã gửi tiền tạm giữ", "open_complaints": "Đơn thư chưa giải quyết",
    "overdue_complaints": "Đơn thư quá hạn", "lots_allocated": "Lô TĐC đã bốc thăm", "lots_total": "Lô TĐC",
}


#: The lists of the register ↔ map match of a cadastral import (``cadastre.register_match.register_match``).
REGISTER_MATCH_LIST_LABELS_VI: dict[str, str] = {
    "matched": "Khớp bản đồ",
    "ambiguous": "Trùng nhiều tờ bản đồ",
    "register_only": "Chưa có trên bản đồ",
    "map_only": "Có trên bản đồ, không có trong sổ hộ",
}

#: The figures of that match.
REGISTER_MATCH_FIGURE_LABELS_VI: dict[str, str] = {
    "register_parcels": "Số thửa trong sổ hộ",
    "register_area_m2": "Diện tích theo sổ hộ (m²)",
    "matched_area_to_recover_m2": "Diện tích thu hồi của thửa khớp (m²)",
}
