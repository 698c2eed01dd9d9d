"""The monthly letter counts as ``milestones.complaints.monthly_counts`` computed them before issue 13: a loop over
every group × month with boolean masks over the group (4 s of every new as-of date on the dashboard). Kept as
the reference of ``tests/people/test_monthly_counts_fast.py``; nothing in the product imports it."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from domain.people import CLOSED_COMPLAINT_STATUSES
from milestones.complaints import _dates


def monthly_counts_reference(letters: pd.DataFrame, as_of: date, by: Sequence[str] = ("project_id", "commune")) -> pd.DataFrame:
    """Letters received, resolved and open at the end of each month up to ``as_of``, per ``by``.

    Returns
    -------
    DataFrame
        ``by`` columns, ``month`` (Period[M]), ``received``, ``resolved`` (status ``resolved`` with its
        ``closed_date`` in the month), ``closed`` (any closed status), ``open_at_month_end`` (received by
        the month's end, or ``as_of`` for the current month, and not closed by then).
    """
    by = list(by)
    now = pd.Timestamp(as_of)
    frame = letters.assign(received_date=_dates(letters, "received_date"), closed_date=_dates(letters, "closed_date"))
    frame = frame[frame["received_date"] <= now]
    if frame.empty:
        return pd.DataFrame(columns=[*by, "month", "received", "resolved", "closed", "open_at_month_end"])
    closing = frame["status"].isin(CLOSED_COMPLAINT_STATUSES) & (frame["closed_date"] <= now)
    frame = frame.assign(closed_month=frame["closed_date"].where(closing).dt.to_period("M"),
                         received_month=frame["received_date"].dt.to_period("M"))
    months = pd.period_range(frame["received_month"].min(), now.to_period("M"), freq="M")
    rows = []
    for key, group in frame.groupby(by, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        for month in months:
            end = min(month.end_time.normalize(), now)
            closed_then = group["closed_month"].notna() & (group["closed_date"] <= end)
            rows.append((*key, month, int((group["received_month"] == month).sum()),
                         int(((group["closed_month"] == month) & (group["status"] == "resolved")).sum()),
                         int((group["closed_month"] == month).sum()),
                         int(((group["received_date"] <= end) & ~closed_then).sum())))
    return pd.DataFrame(rows, columns=[*by, "month", "received", "resolved", "closed", "open_at_month_end"])

