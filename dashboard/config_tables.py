"""Tables and form defaults of the page «Mốc tiến độ» (issue 10), in Vietnamese words; no Streamlit here.

* :func:`milestones_view` – the milestones of ``Store.milestones()`` with Vietnamese headers and words.
* :func:`history_view` – the changes of ``Store.config_history(kind)``, newest first: time (Vietnam),
  account, item, what changed (before → after, :func:`vocab.config.change_text`), reason.
* :func:`form_defaults` – the values the edit form starts from for one milestone.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.admin_tables import vietnam_time
from parsing.dates import parse_date
from vocab.config import CONFIG_FIELD_LABELS_VI, CONFIG_SOURCE_LABELS_VI, change_text
from vocab.format import MISSING, fmt_number
from vocab.labels import metric_label

HISTORY_COLUMNS_VI = ("Thời điểm (giờ Việt Nam)", "Tài khoản", "Mục", "Thay đổi", "Lý do", "Nguồn", "Đề xuất số")


def milestones_view(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per milestone: id, project, scope, metric (words), target (``95,0``), due date, label."""
    fields = ("milestone_id", "project_id", "scope", "metric", "target_percent", "due_date", "label")
    rows = [{CONFIG_FIELD_LABELS_VI[f]: _cell(f, rec.get(f)) for f in fields} for rec in frame.to_dict("records")]
    return pd.DataFrame(rows, columns=[CONFIG_FIELD_LABELS_VI[f] for f in fields])


def _cell(name: str, value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return MISSING
    if name == "metric":
        return metric_label(value)
    if name == "target_percent":
        return fmt_number(value, 1)
    if name == "scope" and value == "project":
        return "Cả dự án"
    return str(value)


def history_view(changes: pd.DataFrame) -> pd.DataFrame:
    """The changes, newest first, headers :data:`HISTORY_COLUMNS_VI` (a seed row names its source)."""
    rows = []
    for rec in changes.iloc[::-1].to_dict("records"):
        source = CONFIG_SOURCE_LABELS_VI.get(rec["source"], rec["source"])
        proposal = rec.get("proposal_id")
        rows.append(dict(zip(HISTORY_COLUMNS_VI, (
            vietnam_time(rec["recorded_at"]), rec["account"] or MISSING, rec["item"],
            change_text(rec["before"], rec["after"]), rec["reason"] or MISSING, source,
            MISSING if proposal is None or pd.isna(proposal) else str(int(proposal))), strict=True)))
    return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS_VI))


def form_defaults(frame: pd.DataFrame, milestone_id: str) -> dict:
    """``target_percent`` (float), ``due_date`` (date, or None when the stored text is not a date) and
    ``label`` (str) of ``milestone_id`` in ``frame``."""
    rec = frame.set_index("milestone_id").loc[milestone_id]
    try:
        due: date | None = parse_date(rec["due_date"])
    except ValueError:
        due = None
    target = rec["target_percent"]
    return {"target_percent": 0.0 if pd.isna(target) else float(target), "due_date": due,
            "label": "" if rec["label"] is None or pd.isna(rec["label"]) else str(rec["label"])}
