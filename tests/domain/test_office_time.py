"""The office's day is Vietnam's, whatever the server's time zone (domain.office_time)."""
from __future__ import annotations

from datetime import UTC, datetime

from domain import office_time


def test_today_is_the_date_in_vietnam():
    before = datetime.now(UTC)
    today = office_time.today()
    after = datetime.now(UTC)
    expected = {before.astimezone(office_time.LOCAL_TZ).date(), after.astimezone(office_time.LOCAL_TZ).date()}
    assert today in expected


def test_vietnam_is_seven_hours_ahead_of_utc_all_year():
    for month in (1, 7):
        moment = datetime(2026, month, 1, 18, 30, tzinfo=UTC)          # 01:30 the next day in Vietnam
        local = moment.astimezone(office_time.LOCAL_TZ)
        assert (local.day, local.hour) == (2, 1)
