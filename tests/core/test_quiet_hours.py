from datetime import UTC, datetime, time

import pytest

from bot.core.clock import VN_TZ
from bot.core.quiet_hours import is_quiet, send_at

NIGHT = (time(21, 0), time(7, 0))


def vn(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=VN_TZ)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (vn(18, 6, 59), True),
        (vn(18, 7, 0), False),
        (vn(18, 20, 59), False),
        (vn(18, 21, 0), True),
        (vn(18, 23, 30), True),
        (vn(18, 0, 0), True),
    ],
)
def test_a_window_over_midnight(moment: datetime, quiet: bool) -> None:
    assert is_quiet(moment, *NIGHT, VN_TZ) is quiet


def test_outside_quiet_hours_the_moment_stands() -> None:
    moment = vn(18, 8).astimezone(UTC)
    assert send_at(moment, *NIGHT, VN_TZ) == moment


def test_late_evening_waits_for_the_next_morning() -> None:
    assert send_at(vn(18, 22, 15).astimezone(UTC), *NIGHT, VN_TZ) == vn(19, 7)


def test_small_hours_wait_for_the_same_morning() -> None:
    assert send_at(vn(19, 3).astimezone(UTC), *NIGHT, VN_TZ) == vn(19, 7)


def test_a_daytime_window_and_no_window() -> None:
    lunch = (time(11, 30), time(13, 30))
    assert send_at(vn(18, 12), *lunch, VN_TZ) == vn(18, 13, 30)
    assert not is_quiet(vn(18, 14), *lunch, VN_TZ)
    assert not is_quiet(vn(18, 23), time(7), time(7), VN_TZ)
