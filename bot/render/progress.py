"""Text progress bars that read well in a chat on a phone."""

from __future__ import annotations

from bot.core.rounding import ratio

FULL, EMPTY = "▰", "▱"


def bar(value: int, target: int, width: int = 10) -> str:
    """ "▰▰▰▰▰▰▰▱▱▱ 7/10": filled in proportion to the target, capped at full; no target, no bar."""
    if target <= 0:
        return str(value)
    filled = min(width, ratio(width * max(value, 0), target))
    return f"{FULL * filled}{EMPTY * (width - filled)} {value}/{target}"
