"""Quiet hours: when a proactive message may go out. Deferred to the end of the quiet window, never dropped."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def is_quiet(moment: datetime, start: time, end: time, tz: ZoneInfo) -> bool:
    """Whether `moment` (aware) falls in the local window [start, end); a window may span midnight."""
    if start == end:
        return False
    local = moment.astimezone(tz).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end


def send_at(moment: datetime, start: time, end: time, tz: ZoneInfo) -> datetime:
    """`moment` itself outside quiet hours; else the next local `end` (as aware UTC-comparable datetime)."""
    if not is_quiet(moment, start, end, tz):
        return moment
    local = moment.astimezone(tz)
    day = local.date() if local.time() < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=tz).astimezone(moment.tzinfo)
