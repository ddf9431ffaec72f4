"""Time helpers: the database stores naive UTC; the calendar shown to users is Beijing time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def today_beijing() -> date:
    return datetime.now(BEIJING).date()
