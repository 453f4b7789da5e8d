from datetime import date

import pytest

from bot.core.periods import DueRule, Kind, Windows, days_left, is_on_time

CAL = Windows()
CUT = Windows(cutoff_day=15)


@pytest.mark.parametrize(
    ("windows", "kind", "day", "key", "start", "end"),
    [
        (CAL, Kind.MONTH, date(2026, 11, 22), "2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        (CAL, Kind.MONTH, date(2028, 2, 29), "2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        (CAL, Kind.QUARTER, date(2026, 11, 22), "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        (CAL, Kind.YEAR, date(2026, 11, 22), "2026", date(2026, 1, 1), date(2026, 12, 31)),
        (CUT, Kind.MONTH, date(2026, 11, 14), "2026-11", date(2026, 10, 15), date(2026, 11, 14)),
        (CUT, Kind.MONTH, date(2026, 11, 15), "2026-12", date(2026, 11, 15), date(2026, 12, 14)),
        (CUT, Kind.MONTH, date(2026, 12, 20), "2027-01", date(2026, 12, 15), date(2027, 1, 14)),
        (CUT, Kind.MONTH, date(2027, 1, 2), "2027-01", date(2026, 12, 15), date(2027, 1, 14)),
        (CUT, Kind.QUARTER, date(2026, 12, 14), "2026-Q4", date(2026, 9, 15), date(2026, 12, 14)),
        (CUT, Kind.QUARTER, date(2026, 12, 15), "2027-Q1", date(2026, 12, 15), date(2027, 3, 14)),
        (CUT, Kind.YEAR, date(2026, 12, 14), "2026", date(2025, 12, 15), date(2026, 12, 14)),
        (CUT, Kind.YEAR, date(2026, 12, 15), "2027", date(2026, 12, 15), date(2027, 12, 14)),
    ],
)
def test_the_period_containing_a_day(windows, kind, day, key, start, end):
    period = windows.containing(kind, day)
    assert (period.key, period.start, period.end) == (key, start, end)
    assert period.contains(day) and windows.parse(key) == period


def test_consecutive_periods_touch_without_gaps_or_overlaps():
    for windows in (CAL, CUT):
        for kind in Kind:
            period = windows.parse("2027-01" if kind is Kind.MONTH else "2027-Q1" if kind is Kind.QUARTER else "2027")
            assert period is not None
            for _ in range(30):
                earlier = windows.previous(period)
                assert (period.start - earlier.end).days == 1, (kind, period.key)
                period = earlier


@pytest.mark.parametrize("key", ["2026-13", "2026-Q5", "26-11", "abc", "2026-00", ""])
def test_bad_keys(key):
    assert CAL.parse(key) is None


def test_due_days_and_on_time():
    month, quarter, year = CAL.parse("2026-11"), CAL.parse("2026-Q4"), CAL.parse("2026")
    assert month and quarter and year
    assert DueRule(25).due(month) == date(2026, 11, 25)  # "trước ngày 25 hằng tháng"
    assert DueRule(21).due(quarter) == date(2026, 12, 21)  # "trước ngày 21 của tháng cuối quý"
    assert DueRule(5, month=12).due(year) == date(2026, 12, 5)  # "trước ngày 05/12/2026"
    due = DueRule(25).due(month)
    assert days_left(due, date(2026, 11, 22)) == 3 and days_left(due, date(2026, 11, 24)) == 1
    assert is_on_time(due, date(2026, 11, 24)) and not is_on_time(due, date(2026, 11, 25))
    assert (month.label(), quarter.label(), year.label()) == ("tháng 11/2026", "quý IV/2026", "năm 2026")
