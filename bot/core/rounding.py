"""The one rounding rule of every figure shown: half up, as people round by hand and as the workbook does.

Python's round() rounds half to even (2.5 → 2), so a share of 2.5% would read 2% in the chat and 3% in the
workbook and the commune's draft; every figure goes through here instead.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def ratio(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to a whole number, half up (both non-negative; denominator > 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


def percent(value: int, total: int) -> int:
    """A whole percentage, half rounded up; 0 when there is nothing to divide by."""
    if total <= 0:
        return 0
    return ratio(100 * value, total)


def half_up(value: float, digits: int = 0) -> float:
    """A float rounded to `digits` decimals, half up, by its shortest decimal form (0.125 → 0.13, not 0.12)."""
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))
