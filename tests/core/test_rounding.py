"""One rounding rule for every figure shown: half up, in the chat as in the workbook and the commune's draft."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot import texts as T
from bot.core.rounding import half_up, percent, ratio
from bot.render import progress_text
from bot.render.progress import bar
from tests.render.test_chart import figures


@pytest.mark.parametrize(
    ("value", "total", "expected"),
    [(1, 40, 3), (3, 40, 8), (5, 200, 3), (1, 3, 33), (2, 3, 67), (0, 7, 0), (7, 7, 100), (9, 8, 113), (4, 0, 0)],
)
def test_percent_rounds_half_up(value: int, total: int, expected: int) -> None:
    assert percent(value, total) == expected


def test_percent_agrees_with_exact_half_up_on_every_small_fraction() -> None:
    from fractions import Fraction

    for total in range(1, 120):
        for value in range(0, total + 3):
            exact = Fraction(100 * value, total)
            assert percent(value, total) == int(exact + Fraction(1, 2)), (value, total)


def test_ratio_and_half_up() -> None:
    assert [ratio(n, 2) for n in range(6)] == [0, 1, 1, 2, 2, 3]  # round() gives 0, 0, 1, 2, 2, 2
    assert half_up(2.25, 1) == 2.3 and half_up(0.125, 2) == 0.13 and half_up(84.35, 1) == 84.4
    assert half_up(2.5) == 3.0 and half_up(99.94, 1) == 99.9


def test_a_share_of_two_and_a_half_percent_reads_three_in_the_chat(config) -> None:
    team = replace(figures(), households_registered=40, platform_households=1, bdhvs_households=3)
    lines = progress_text.figures_lines(config, team)
    assert T.PROGRESS_PLATFORM.format(n="1", registered="40", pct=3) in lines
    assert T.PROGRESS_BDHVS.format(n="3", registered="40", pct=8) in lines


def test_the_bar_fills_half_up() -> None:
    assert bar(5, 20).startswith("▰▰▰▱")  # 2.5 cells → 3
    assert bar(25, 100).startswith("▰▰▰▱")
