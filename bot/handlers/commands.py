"""The command table: names, typed keywords, who may use each, and what runs it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core.messages import Reply
from bot.core.roles import Role
from bot.core.text import word_key
from bot.flows.context import Ctx

Run = Callable[[Ctx, str], Awaitable[list[Reply]]]
EVERYONE = frozenset(Role)
TEAM_ROLES = frozenset({Role.MEMBER, Role.LEADER})


@dataclass(frozen=True)
class Command:
    name: str  # typed as /name
    description: str  # shown in the channel's command menu and in /trogiup
    roles: frozenset[Role]
    run: Run
    keywords: tuple[str, ...] = ()  # typed without a slash, folded: "ghi nhan"
    menu_label: str | None = None  # a main-menu button that sends this text


class CommandTable:
    def __init__(self, commands: list[Command]) -> None:
        self.commands = commands
        self._by_name = {c.name: c for c in commands}
        self._by_label = {c.menu_label: c for c in commands if c.menu_label}
        self._by_keyword = {word_key(k): c for c in commands for k in c.keywords}
        for c in commands:
            if c.menu_label:
                self._by_keyword.setdefault(word_key(c.menu_label), c)

    def by_name(self, name: str) -> Command | None:
        return self._by_name.get(name.lower())

    def by_menu_label(self, text: str) -> Command | None:
        return self._by_label.get(text.strip())

    def by_keyword(self, text: str) -> Command | None:
        return self._by_keyword.get(word_key(text))

    def for_role(self, role: Role) -> list[Command]:
        return [c for c in self.commands if role in c.roles]

    def menu(self, role: Role) -> tuple[str, ...]:
        return tuple(c.menu_label for c in self.for_role(role) if c.menu_label)


def split_command(text: str) -> tuple[str, str] | None:
    """ "/ghinhan@SoTayBot an" → ("ghinhan", "an"); None when the text is not a command."""
    stripped = text.strip()
    if not stripped.startswith("/") or len(stripped) < 2:
        return None
    if stripped[1].isspace():  # "/ ghinhan": not a command word
        return "", stripped[1:].strip()
    head, *rest = stripped[1:].split(maxsplit=1)  # a space or a line break ends the command word
    return head.split("@", 1)[0].lower(), rest[0].strip() if rest else ""
