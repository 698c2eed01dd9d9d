"""``python cli.py audit [--since DATE] [--json] --as USER``: read the audit trail, oldest first.

Each line: number, time (Vietnam time), account and role, action, target, before → after summary,
client address. ``--since`` takes a date (``dd/mm/yyyy`` or ``yyyy-mm-dd``) meaning from 00:00 Vietnam
time of that day. ``--json`` prints the rows with ISO timestamps in UTC. Reading needs the
``read_audit`` permission (``--as``, see :mod:`commands._auth`); an administrator of some units reads only
the entries of his units (entries of no unit — accounts, logins, settings — are for province-level
administrators; :mod:`store.visibility`). Exit code 0; 1 when refused or the
store cannot be opened; 2 on usage errors (bad date, no ``--as``).
"""
from __future__ import annotations

import json
import logging
from datetime import datetime

import pandas as pd

from commands._auth import VIETNAM_TZ, acting_account, add_as_argument, dumps, printable, report, when_vn
from commands._common import add_database_url_argument
from domain.errors import GpmbError, UsageError
from domain.roles import require
from store import open_store
from vocab.roles import audit_action_label, role_label

NAME = "audit"
HELP = "Xem nhật ký kiểm tra (ai làm gì, khi nào)"

log = logging.getLogger(__name__)


def add_arguments(parser) -> None:
    parser.add_argument("--since", default=None, metavar="DATE", help="từ ngày (dd/mm/yyyy, giờ Việt Nam)")
    parser.add_argument("--json", action="store_true", help="in dạng JSON (thời gian UTC, ISO 8601)")
    add_as_argument(parser)
    add_database_url_argument(parser)


def since_utc(text: str | None) -> datetime | None:
    """00:00 Vietnam time of the date ``text`` (``dd/mm/yyyy`` or ISO), as an aware datetime.

    Raises
    ------
    UsageError
        ``text`` is not a date.
    """
    if text is None:
        return None
    from ingest.values import parse_date

    try:
        day = parse_date(text)
    except ValueError as exc:
        raise UsageError(f"--since: {exc}") from None
    return datetime(day.year, day.month, day.day, tzinfo=VIETNAM_TZ)


def run(args) -> int:
    from store import Accounts, AuditTrail

    store = open_store(args.database_url)  # a GpmbError reaches cli.py
    try:
        since = since_utc(args.since)
        account = acting_account(Accounts(store), args.as_user)
        require(account, "read_audit")
        frame = AuditTrail(store).read(since=since, account=account)  # a unit's administrator: his units' only
    except GpmbError as exc:
        return report(exc)
    finally:
        store.close()
    print(dumps(to_records(frame)) if args.json else format_table(frame))
    return 0


def to_records(frame: pd.DataFrame) -> list[dict]:
    """Audit rows as JSON-ready dicts (``recorded_at`` ISO 8601 UTC)."""
    return [{**row, "recorded_at": row["recorded_at"].isoformat(), "audit_id": int(row["audit_id"])}
            for row in frame.to_dict("records")]


def _summary(before, after) -> str:
    def text(value) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""

    if before and after:
        return f"{text(before)} → {text(after)}"
    return text(before or after)


def format_table(frame: pd.DataFrame) -> str:
    """Plain-text audit, one line per row, Vietnamese headings, times in Vietnam time."""
    if frame.empty:
        return "Nhật ký kiểm tra chưa có dòng nào."
    header = (f"{'Số':<5} | {'Thời điểm (giờ VN)':<18} | {'Tài khoản':<28} | {'Thao tác':<22} | "
              f"{'Đối tượng':<24} | Nội dung | Địa chỉ")
    lines = [header]
    for row in frame.itertuples(index=False):
        who = f"{row.account} ({role_label(row.role)})" if row.account else "—"
        lines.append(printable(f"{row.audit_id:<5} | {when_vn(row.recorded_at):<18} | {who:<28} | "
                               f"{audit_action_label(row.action):<22} | {row.target or '':<24} | "
                               f"{_summary(row.before, row.after)} | {row.client_address or ''}"))
    return "\n".join(lines)
