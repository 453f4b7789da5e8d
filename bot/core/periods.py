"""Reporting periods and their due dates: months, quarters and years, as calendar periods or cut-off windows.

Calendar: November 2026 is 01/11–30/11. Cut-off window with `cutoff_day` 15 (Decree 09/2019/NĐ-CP style):
November 2026 is 15/10–14/11; quarter 4 is 15/09–14/12; the year 2026 is 15/12/2025–14/12/2026.

A period is named by its key: "2026-11", "2026-Q4", "2026". A due rule names a day of the period's own last month
("before the 25th of every month", "before the 21st of the quarter's last month") or a fixed day and month of its
year ("before 05/12"). A report is on time when it is submitted before the due day starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot import texts as T
from bot.core.reader import one_typo


class Kind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True)
class Period:
    kind: Kind
    key: str  # 2026-11 | 2026-Q4 | 2026
    year: int
    number: int  # month 1–12, quarter 1–4, or 1 for a year
    start: date
    end: date  # inclusive

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def last_month(self) -> int:
        """The month the period is named after, or ends in: November; March for Q1; December for a year."""
        return {Kind.MONTH: self.number, Kind.QUARTER: self.number * 3, Kind.YEAR: 12}[self.kind]

    def label(self) -> str:
        """As Vietnamese documents write it: "tháng 11/2026", "quý IV/2026", "năm 2026"."""
        if self.kind is Kind.MONTH:
            return T.PERIOD_MONTH.format(n=self.number, year=self.year)
        if self.kind is Kind.QUARTER:
            return T.PERIOD_QUARTER.format(n=_ROMAN[self.number], year=self.year)
        return T.PERIOD_YEAR.format(year=self.year)


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_KEY = re.compile(r"^(\d{4})(?:-(?:(\d{1,2})|[Qq]([1-4])))?$")


@dataclass(frozen=True)
class Windows:
    """How periods are cut: calendar months (cutoff_day None) or windows that end the day before `cutoff_day`."""

    cutoff_day: int | None = None

    def __post_init__(self) -> None:
        if self.cutoff_day is not None and not 2 <= self.cutoff_day <= 28:
            raise ValueError("cutoff_day must be 2–28")

    def _month_bounds(self, year: int, first_month: int, last_month: int) -> tuple[date, date]:
        """The span from the start of `first_month` to the end of `last_month` of `year`."""
        if self.cutoff_day is None:
            return date(year, first_month, 1), _month_end(year, last_month)
        prev_year, prev_month = (year, first_month - 1) if first_month > 1 else (year - 1, first_month + 11)
        start = date(prev_year, prev_month, self.cutoff_day)
        end = date(year, last_month, self.cutoff_day) - timedelta(days=1)
        return start, end

    def period(self, kind: Kind, year: int, number: int = 1) -> Period:
        if kind is Kind.MONTH:
            start, end = self._month_bounds(year, number, number)
            return Period(kind, f"{year}-{number:02d}", year, number, start, end)
        if kind is Kind.QUARTER:
            start, end = self._month_bounds(year, number * 3 - 2, number * 3)
            return Period(kind, f"{year}-Q{number}", year, number, start, end)
        start, end = self._month_bounds(year, 1, 12)
        return Period(kind, str(year), year, 1, start, end)

    def containing(self, kind: Kind, day: date) -> Period:
        """The period of this kind that `day` falls in."""
        year, month = day.year, day.month
        if self.cutoff_day is not None and day.day >= self.cutoff_day:  # already in the next month's window
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)
        if kind is Kind.MONTH:
            return self.period(kind, year, month)
        if kind is Kind.QUARTER:
            return self.period(kind, year, (month - 1) // 3 + 1)
        return self.period(kind, year)

    def parse(self, key: str) -> Period | None:
        """ "2026-11", "2026-q4", "2026" → the period; None when the key is not one."""
        match = _KEY.match(key.strip())
        if match is None:
            return None
        year, month, quarter = int(match.group(1)), match.group(2), match.group(3)
        if month is not None:
            return self.period(Kind.MONTH, year, int(month)) if 1 <= int(month) <= 12 else None
        if quarter is not None:
            return self.period(Kind.QUARTER, year, int(quarter))
        return self.period(Kind.YEAR, year)

    def previous(self, period: Period) -> Period:
        if period.kind is Kind.MONTH:
            year, month = (period.year, period.number - 1) if period.number > 1 else (period.year - 1, 12)
            return self.period(Kind.MONTH, year, month)
        if period.kind is Kind.QUARTER:
            year, quarter = (period.year, period.number - 1) if period.number > 1 else (period.year - 1, 4)
            return self.period(Kind.QUARTER, year, quarter)
        return self.period(Kind.YEAR, period.year - 1)


@dataclass(frozen=True)
class DueRule:
    """Due before `day` of the period's last month, or of `month` (of the period's year) when given."""

    day: int
    month: int | None = None

    def due(self, period: Period) -> date:
        """The first day that is late."""
        return date(period.year, self.month or period.last_month, self.day)


def days_left(due: date, today: date) -> int:
    """On-time days left, today included: 1 on the last on-time day, 0 or less once late."""
    return (due - today).days


def is_on_time(due: date, submitted_on: date) -> bool:
    return submitted_on < due


def _month_end(year: int, month: int) -> date:
    first_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first_next - timedelta(days=1)


# --- periods named in words: "tháng này", "quý trước", "tháng 11", "quý IV", "năm nay" ------------------------------
_KIND_WORDS = {"thang": Kind.MONTH, "quy": Kind.QUARTER, "nam": Kind.YEAR}
_THIS = frozenset({"nay", "hien", "hientai"})
_LAST = frozenset({"truoc", "roi", "ngoai", "vua", "qua"})
_ROMAN_NUMBERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_QUARTER_KEY = re.compile(r"q([1-4])")


def _number(kind: Kind, key: str) -> int | None:
    if key.isdigit():
        value = int(key)
        limit = {Kind.MONTH: 12, Kind.QUARTER: 4, Kind.YEAR: 2100}[kind]
        if kind is Kind.YEAR:
            return value if 2000 <= value <= limit else None
        return value if 1 <= value <= limit else None
    return _ROMAN_NUMBERS.get(key) if kind is Kind.QUARTER else None


def _named(windows: Windows, kind: Kind, number: int, today: date) -> Period:
    """Month or quarter `number` without a year: the latest one that has started by `today`."""
    if kind is Kind.YEAR:
        return windows.period(Kind.YEAR, number)
    found = windows.period(kind, today.year, number)
    return found if found.start <= today else windows.period(kind, today.year - 1, number)


def misnamed_period(keys: list[str]) -> set[int]:
    """The positions of a period word followed by a number that names no such period ("thang 13", "quy 5"): the
    person meant a period, so the words are not left out as filler."""
    for i, key in enumerate(keys[:-1]):
        kind = _KIND_WORDS.get(key) or (Kind.MONTH if one_typo(key, "thang") else None)
        if kind is not None and keys[i + 1].isdigit() and _number(kind, keys[i + 1]) is None:
            return {i, i + 1}
    return set()


def read_period_words(keys: list[str], windows: Windows, today: date) -> tuple[Period | None, set[int]]:
    """The period named by folded words ("thang", "nay") and the positions of the words that named it."""
    for i, key in enumerate(keys):
        if (quarter := _QUARTER_KEY.fullmatch(key)) is not None:
            return _named(windows, Kind.QUARTER, int(quarter.group(1)), today), {i}
        kind = _KIND_WORDS.get(key) or (Kind.MONTH if one_typo(key, "thang") else None)  # "thnag"
        if kind is None or i + 1 >= len(keys):
            continue
        following = keys[i + 1]
        current = windows.containing(kind, today)
        if following in _THIS:
            used = {i, i + 1} | ({i + 2} if following == "hien" and keys[i + 2 : i + 3] == ["tai"] else set())
            return current, used
        if following in _LAST:
            after = {i + 2} if following == "vua" and keys[i + 2 : i + 3] in (["roi"], ["qua"]) else set()
            return windows.previous(current), {i, i + 1} | after
        if (number := _number(kind, following)) is not None:
            return _named(windows, kind, number, today), {i, i + 1}
    return None, set()
