"""What the words after /tiendo, /bieudo, /xuat and /baocao ask for: a period and a team, however typed.

"2026-Q4", "T01", "quý này", "tháng 11", "tháng trước", "năm nay", "tổ Đông Tạ", with filler words around them
("của tổ mình nhé"). The one reader of these arguments: each command then says what it does with the words left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot import texts as T
from bot.config import Config, Team
from bot.core.periods import Period, misnamed_period, read_period_words
from bot.core.reader import one_slip, words
from bot.flows.context import Ctx

# Words that name no period or team but often stand with them: "tiến độ của tổ", "kỳ này".
_SCOPE_WORDS = frozenset({"to", "cua", "ky", "thon", "tdp", "xom", "so", "lieu"})
_KEY_SHAPED = re.compile(r"\d{4}[-/.]\S*")
_IGNORED = frozenset(w.key for f in T.FILLER_WORDS for w in words(f)) | _SCOPE_WORDS


@dataclass(frozen=True)
class Asked:
    period: Period | None
    team: Team | None
    left: tuple[str, ...]  # the other words, as typed


def read(ctx: Ctx, args: str) -> Asked:
    windows = ctx.config.reporting.windows
    period: Period | None = None
    team: Team | None = None
    loose: list[str] = []
    for token in args.split():  # keys and codes first, as typed: "2026-Q4", "T01"
        if period is None and (parsed := windows.parse(token)) is not None:
            period = parsed
        elif team is None and (named := ctx.config.team(token)) is not None:
            team = named
        elif _KEY_SHAPED.fullmatch(token):  # "2026-13": a key mistyped, quoted back whole
            return Asked(period, team, (token,))
        else:
            loose.append(token)
    text = " ".join(loose)
    found = words(text)
    keys = [w.key for w in found]
    used: set[int] = set()
    if period is None:
        period, used = read_period_words(keys, windows, ctx.today)
        if period is None and (wrong := misnamed_period(keys)):  # "tháng 13": asked, even in a sentence
            return Asked(None, team, tuple(text[found[i].start : found[i].end] for i in sorted(wrong)))
    if team is None:
        team, by_name = _team_named(ctx.config, keys, used)
        used |= by_name
    left = tuple(text[w.start : w.end] for i, w in enumerate(found) if i not in used and w.key not in _IGNORED)
    return Asked(period, team, () if ctx.in_words else left)


def _close(typed: list[str], name: list[str]) -> bool:
    """The team's name, or one of its words with a slip when there are several."""
    slips = [a != b for a, b in zip(typed, name, strict=True)]
    if not any(slips):
        return True
    return sum(slips) == 1 and len(name) > 1 and all(a == b or one_slip(a, b) for a, b in zip(typed, name, strict=True))


def _team_named(config: Config, keys: list[str], used: set[int]) -> tuple[Team | None, set[int]]:
    """A team named by its name's words, without "Thôn"/"Tổ dân phố" ("dong ta" → Thôn Đông Tạ)."""
    for team in config.teams:
        name = [k for k in (w.key for w in words(team.name)) if k not in _SCOPE_WORDS]
        if not name:
            continue
        for start in range(len(keys) - len(name) + 1):
            span = set(range(start, start + len(name)))
            if _close(keys[start : start + len(name)], name) and not span & used:  # "Kiến Loa" is Kiến Lao
                return team, span
    return None, set()
