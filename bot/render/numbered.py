"""Options as a numbered list, for channels without buttons (terminal, Zalo)."""

from __future__ import annotations

from bot import texts as T
from bot.core.messages import Reply, numbered_options


def numbered_text(reply: Reply) -> str:
    """The reply's text followed by its options, one per line: "1. …", with "0. ✅ Xong" last in a multi-select."""
    if not reply.options:
        return reply.text
    lines = [reply.text]
    for number, option in numbered_options(reply.options):
        mark = "☑ " if option.selected else ("☐ " if reply.multi_select and number else "")
        lines.append(f"{number}. {mark}{option.label}")
    lines.append(T.NUMBERED_HINT_MULTI if reply.multi_select else T.NUMBERED_HINT)
    return "\n".join(lines)
