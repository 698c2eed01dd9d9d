"""The one stage vocabulary of GPMB Tracker: codes in data, code, CLI and uploads; Vietnamese labels in the UI.

A parcel touched by a project moves through the clearance stages in this order (Land Law 2013
arts. 61–62, 67, 69, 93; Land Law 2024 arts. 78–79, 87–89, 94). "Cleared" means handed over:
clearance % = area handed over ÷ area to be recovered.

Flags are recorded beside the stage: they do not move a parcel along the process.
``complaint_resolved`` closes an open ``complaint``.
"""
from __future__ import annotations

import unicodedata

#: Clearance stages, in process order (index = rank).
STAGES: tuple[str, ...] = (
    "not_started",
    "notice",
    "inventory",
    "plan_posted",
    "approved",
    "paid",
    "handed_over",
)

STAGE_LABELS_VI: dict[str, str] = {
    "not_started": "Chưa triển khai",
    "notice": "Thông báo thu hồi đất",
    "inventory": "Kiểm đếm",
    "plan_posted": "Niêm yết phương án",
    "approved": "Phê duyệt phương án / QĐ thu hồi",
    "paid": "Chi trả",
    "handed_over": "Bàn giao mặt bằng",
}

#: Flags beside the stage (event codes that do not change the stage).
FLAGS: tuple[str, ...] = ("complaint", "enforced", "compulsory_inventory")

FLAG_LABELS_VI: dict[str, str] = {
    "complaint": "Khiếu nại",
    "enforced": "Cưỡng chế",
    "compulsory_inventory": "Kiểm đếm bắt buộc",
}

#: Event that closes an open complaint.
COMPLAINT_RESOLVED = "complaint_resolved"

#: Every event code the ledger accepts (``not_started`` is a state, never an event).
EVENT_CODES: tuple[str, ...] = STAGES[1:] + FLAGS + (COMPLAINT_RESOLVED,)

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


def stage_rank(stage: str) -> int:
    """Position of ``stage`` in :data:`STAGES` (0 = ``not_started``).

    Raises
    ------
    ValueError
        If ``stage`` is not a stage code.
    """
    try:
        return STAGES.index(stage)
    except ValueError:
        raise ValueError(f"Unknown stage {stage!r}; expected one of {', '.join(STAGES)}") from None


def fold_vi(text: str) -> str:
    """Lower-case ``text`` and strip Vietnamese diacritics (đ → d), collapsing spaces and ``_``.

    Used to match user-typed labels and headers: ``"Bàn giao  MẶT BẰNG"`` → ``"ban giao mat bang"``.
    """
    text = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(text.lower().replace("_", " ").split())


def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    labels = {**STAGE_LABELS_VI, **EVENT_LABELS_VI}
    for code in EVENT_CODES:
        table[fold_vi(code)] = code
        table[fold_vi(labels[code])] = code
    # Short forms clerks write in spreadsheets.
    extra = {
        "thong bao": "notice",
        "thong bao thu hoi": "notice",
        "kiem dem": "inventory",
        "dieu tra kiem dem": "inventory",
        "niem yet": "plan_posted",
        "lap phuong an": "plan_posted",
        "phe duyet": "approved",
        "phe duyet phuong an": "approved",
        "qd thu hoi": "approved",
        "quyet dinh thu hoi": "approved",
        "chi tra": "paid",
        "da chi tra": "paid",
        "ban giao": "handed_over",
        "da ban giao": "handed_over",
        "khieu nai": "complaint",
        "cuong che": "enforced",
        "cuong che thu hoi": "enforced",
        "kiem dem bat buoc": "compulsory_inventory",
        "giai quyet khieu nai": COMPLAINT_RESOLVED,
        "da giai quyet khieu nai": COMPLAINT_RESOLVED,
    }
    table.update(extra)
    return table


_ALIASES = _aliases()


def parse_event_code(text: str) -> str:
    """Return the event or stage code for a code or Vietnamese label, any case, with or without diacritics.

    ``"Bàn giao mặt bằng"``, ``"ban giao mat bang"``, ``"HANDED_OVER"`` → ``"handed_over"``.

    Raises
    ------
    ValueError
        If the text names no stage or flag; the message lists the allowed values.
    """
    code = _ALIASES.get(fold_vi(text))
    if code is None:
        allowed = ", ".join(f"{c} ({EVENT_LABELS_VI.get(c, STAGE_LABELS_VI.get(c))})" for c in EVENT_CODES)
        raise ValueError(f"Giá trị giai đoạn không hợp lệ: {text!r}. Giá trị cho phép: {allowed}")
    return code
