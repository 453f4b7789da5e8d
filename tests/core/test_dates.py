from datetime import date

import pytest

from bot.core.dates import parse_day

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("hôm nay", TODAY),
        ("hom nay", TODAY),
        ("Hôm qua", date(2026, 11, 19)),
        ("hom qua", date(2026, 11, 19)),
        ("hôm kia", date(2026, 11, 18)),
        ("12/10", date(2026, 10, 12)),
        ("ngày 12/10", date(2026, 10, 12)),
        ("3.11", date(2026, 11, 3)),
        ("03-11-2026", date(2026, 11, 3)),
        ("1/2/26", date(2026, 2, 1)),
        ("28/12", date(2025, 12, 28)),  # no year and not yet this year: last December
        ("31/02", None),
        ("32/1", None),
        ("abc", None),
        ("12", None),
        ("", None),
    ],
)
def test_parse_day(typed: str, expected: date | None) -> None:
    assert parse_day(typed, TODAY) == expected


def test_day_month_in_early_january_is_last_year() -> None:
    assert parse_day("30/12", date(2027, 1, 3)) == date(2026, 12, 30)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("thu hai", date(2026, 11, 16)),  # today is Friday 20/11: the Monday just gone
        ("t2", date(2026, 11, 16)),
        ("thứ 6", date(2026, 11, 20)),  # today itself
        ("thu sau", date(2026, 11, 20)),
        ("thứ bảy", date(2026, 11, 14)),  # never a day to come
        ("chu nhat", date(2026, 11, 15)),
        ("cn", date(2026, 11, 15)),
    ],
)
def test_days_of_the_week_are_the_latest_such_day(typed, day):
    assert parse_day(typed, date(2026, 11, 20)) == day
