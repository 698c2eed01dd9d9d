"""Parse a stage or event as a clerk writes it (code or Vietnamese label, any case, with or without diacritics)."""
from __future__ import annotations

from domain.stages import COMPLAINT_RESOLVED, EVENT_CODES
from parsing.text import fold_vi
from vocab.labels import EVENT_LABELS_VI, STAGE_LABELS_VI


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
