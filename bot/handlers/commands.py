"""The command table: names, who may use each, and what runs it. The words people type for each command are the
text catalogue's COMMAND_WORDS, read by bot/core/vocabulary.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core import vocabulary
from bot.core.messages import Reply
from bot.core.roles import Role
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
    menu_label: str | None = None  # a main-menu button that sends this text


class CommandTable:
    def __init__(self, commands: list[Command]) -> None:
        self.commands = commands
        self._by_name = {c.name: c for c in commands}
        self._by_label = {c.menu_label: c for c in commands if c.menu_label}
        aliases = vocabulary.single_word_aliases()  # "/huongdan", "/td": a command's one-word phrases
        self._by_alias = {alias: self._by_name[name] for alias, name in aliases.items() if name in self._by_name}

    def by_name(self, name: str) -> Command | None:
        """The command typed after a slash: its name or one of its one-word phrases ("/huongdan", "/bc")."""
        key = name.lower()
        return self._by_name.get(key) or self._by_alias.get(vocabulary.folded_key(key))

    def by_menu_label(self, text: str) -> Command | None:
        return self._by_label.get(text.strip())

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
