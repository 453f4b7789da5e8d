"""Reading a day the way people type it: "hôm nay", "hom qua", "hôm kia", "12/10", "12-10-2026", "3.11", and the
days of the week ("thứ hai", "t2", "chủ nhật", "cn": the latest such day, today included)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.core.text import word_key
from bot.core.vocabulary import day_in_words

_RELATIVE = {"hom nay": 0, "nay": 0, "hom qua": 1, "qua": 1, "hom kia": 2, "kia": 2}
_DAY_MONTH = re.compile(r"^(?:ngay\s*)?(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2}|\d{4}))?$")


def parse_day(text: str, today: date) -> date | None:
    """The day meant by `text`, or None when it is not a day.

    A day and month without a year is the most recent such day: typed on 05/01, "28/12" is last December.
    """
    key = word_key(text)
    if key in _RELATIVE:
        return today - timedelta(days=_RELATIVE[key])
    if (said := day_in_words(text, today)) is not None:  # a visit is never in the future: the latest such day
        return said
    match = _DAY_MONTH.match(" ".join(text.strip().lower().split()).replace("ngày", "ngay"))
    if match is None:
        return None
    day, month, year_text = int(match.group(1)), int(match.group(2)), match.group(3)
    if year_text is None:
        year = today.year
    else:
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    if year_text is None and found > today:
        try:
            found = date(year - 1, month, day)
        except ValueError:  # 29/02 typed in a year after a leap year
            return None
    return found
