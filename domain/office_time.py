"""The office's day: Vietnam time (Asia/Ho_Chi_Minh, UTC+7 all year), whatever the server's time zone.

"Today" decides the default as-of date of every command, which dates an upload may carry (none after today),
and from which day a configuration change is in force (:mod:`domain.config_history`). A server kept in UTC
(the usual default) would otherwise be one day behind from 17:00 to 24:00 UTC, 00:00 to 07:00 in Vietnam: a
milestone changed at 01:00 would not yet be in force for a ``status`` asked at 01:05.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

#: Time zone of the office (and of "today").
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def today() -> date:
    """Today in Vietnam."""
    return datetime.now(LOCAL_TZ).date()
