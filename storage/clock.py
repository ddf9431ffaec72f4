"""Time helpers: the database stores naive UTC; the calendar shown to users is Beijing time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def today_beijing() -> date:
    return datetime.now(BEIJING).date()


def beijing_minute(t: datetime | None) -> str:
    """A stored (naive UTC) time as users read it: “2026-12-05 09:00”, Beijing time; "" for None."""
    return "" if t is None else t.replace(tzinfo=UTC).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
