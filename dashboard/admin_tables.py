"""Tables of the administrator pages, in Vietnamese words (no Streamlit here: plain functions).

* :func:`accounts_table` – the accounts of ``Accounts.list()`` for the users page.
* :func:`vietnam_day_bounds`, :func:`audit_table` – the audit rows of ``AuditTrail.read`` between two
  days of Vietnam time, filtered by account and action, times shown in Vietnam time (UTC+7: Vietnam
  keeps no daylight saving time, so a fixed offset is exact).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone

import pandas as pd

from domain.login import is_locked
from domain.roles import Account
from vocab.format import MISSING
from vocab.roles import audit_action_label, role_label

#: Vietnam time (Asia/Ho_Chi_Minh, UTC+7 all year).
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")
TIME_FORMAT = "%d/%m/%Y %H:%M:%S"

AUDIT_COLUMNS_VI = ("Thời điểm (giờ Việt Nam)", "Tài khoản", "Vai trò", "Thao tác", "Đối tượng",
                    "Trước", "Sau", "Địa chỉ máy")
ACCOUNT_COLUMNS_VI = ("Tên đăng nhập", "Tên hiển thị", "Vai trò", "Xã, phường", "Đơn vị", "Trạng thái",
                      "Khoá đến (giờ Việt Nam)", "Đổi mật khẩu lúc (giờ Việt Nam)")


def vietnam_time(moment: datetime | pd.Timestamp | None) -> str:
    """``dd/mm/yyyy HH:MM:SS`` in Vietnam time of an aware UTC moment; :data:`MISSING` for none."""
    if moment is None or pd.isna(moment):
        return MISSING
    return pd.Timestamp(moment).tz_convert(VIETNAM_TIME).strftime(TIME_FORMAT)


def vietnam_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC ``(since, until)`` covering the Vietnam-time days ``first`` … ``last`` (inclusive), as
    ``AuditTrail.read(since, until)`` takes them (``until`` exclusive: midnight after ``last``)."""
    since = datetime.combine(first, time.min, VIETNAM_TIME)
    until = datetime.combine(last + timedelta(days=1), time.min, VIETNAM_TIME)
    return since.astimezone(UTC), until.astimezone(UTC)


def _summary_text(summary: dict | None) -> str:
    return json.dumps(summary, ensure_ascii=False, sort_keys=True) if summary else ""


def audit_table(frame: pd.DataFrame, accounts: Iterable[str] = (), actions: Iterable[str] = ()) -> pd.DataFrame:
    """The audit rows of ``frame`` (columns of ``store.audit.AUDIT_COLUMNS``), newest first, with
    Vietnamese headers :data:`AUDIT_COLUMNS_VI`.

    ``accounts``/``actions`` keep only those account names / action codes (empty: all). A row with no
    account (a failed login, the first administrator) shows :data:`vocab.format.MISSING`.
    """
    accounts, actions = set(accounts), set(actions)
    rows = frame
    if accounts:
        rows = rows[rows["account"].isin(accounts)]
    if actions:
        rows = rows[rows["action"].isin(actions)]
    rows = rows.sort_values("audit_id", ascending=False)
    table = pd.DataFrame({
        AUDIT_COLUMNS_VI[0]: [vietnam_time(t) for t in rows["recorded_at"]],
        AUDIT_COLUMNS_VI[1]: [a if isinstance(a, str) else MISSING for a in rows["account"]],
        AUDIT_COLUMNS_VI[2]: [role_label(r) if isinstance(r, str) else MISSING for r in rows["role"]],
        AUDIT_COLUMNS_VI[3]: [audit_action_label(a) for a in rows["action"]],
        AUDIT_COLUMNS_VI[4]: [t if isinstance(t, str) else "" for t in rows["target"]],
        AUDIT_COLUMNS_VI[5]: [_summary_text(b) for b in rows["before"]],
        AUDIT_COLUMNS_VI[6]: [_summary_text(a) for a in rows["after"]],
        AUDIT_COLUMNS_VI[7]: [c if isinstance(c, str) else MISSING for c in rows["client_address"]],
    })
    return table.reset_index(drop=True)


def accounts_table(accounts: Iterable[Account], now: datetime) -> pd.DataFrame:
    """One row per account with Vietnamese headers :data:`ACCOUNT_COLUMNS_VI` (never a hash); the
    lock-out end only while it lasts at ``now`` (UTC)."""
    rows = [
        (a.username, a.display_name, role_label(a.role), ", ".join(a.communes) or MISSING,
         ", ".join(a.units) or ALL_UNITS_VI, "Đang hoạt động" if a.active else "Đã vô hiệu hoá", vietnam_time(a.locked_until if is_locked(a.locked_until, now) else None),
         vietnam_time(a.password_changed_at))
        for a in accounts
    ]
    return pd.DataFrame(rows, columns=list(ACCOUNT_COLUMNS_VI))


#: The «Đơn vị» of a province-level account (no units: every unit).
ALL_UNITS_VI = "Tất cả (cấp tỉnh)"


#: Headers of the proposals table (page «Đề xuất chờ duyệt»).
PROPOSAL_COLUMNS_VI = ("Số", "Thao tác", "Đối tượng", "Người đề xuất", "Thời điểm (giờ Việt Nam)", "Trạng thái",
                       "Người quyết định", "Lý do")


def proposals_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The proposals of ``frame`` (columns of ``store.proposals.PROPOSAL_COLUMNS``), newest first, with
    Vietnamese headers :data:`PROPOSAL_COLUMNS_VI`; text from the store is shown as text (never markup)."""
    from vocab.roles import PROPOSAL_ACTION_LABELS_VI, PROPOSAL_STATUS_LABELS_VI

    rows = frame.sort_values("proposal_id", ascending=False)
    table = pd.DataFrame({
        PROPOSAL_COLUMNS_VI[0]: rows["proposal_id"].astype(int).tolist(),
        PROPOSAL_COLUMNS_VI[1]: [PROPOSAL_ACTION_LABELS_VI.get(a, a) for a in rows["action"]],
        PROPOSAL_COLUMNS_VI[2]: [t if isinstance(t, str) else "" for t in rows["target"]],
        PROPOSAL_COLUMNS_VI[3]: rows["proposed_by"].astype(str).tolist(),
        PROPOSAL_COLUMNS_VI[4]: [vietnam_time(t) for t in rows["proposed_at"]],
        PROPOSAL_COLUMNS_VI[5]: [PROPOSAL_STATUS_LABELS_VI.get(s, s) for s in rows["status"]],
        PROPOSAL_COLUMNS_VI[6]: [d if isinstance(d, str) else MISSING for d in rows["decided_by"]],
        PROPOSAL_COLUMNS_VI[7]: [r if isinstance(r, str) else "" for r in rows["reason"]],
    })
    return table.reset_index(drop=True)
