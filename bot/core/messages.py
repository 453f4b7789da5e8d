"""Neutral message types shared by every channel, handler and flow."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class InboundKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"  # a button press (Telegram callback)
    IMAGE = "image"
    STICKER = "sticker"
    FILE = "file"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class Inbound:
    """One thing a user sent, whatever the channel."""

    channel: str
    user_ref: str
    chat_ref: str
    message_id: str
    text: str = ""
    choice: str | None = None
    kind: InboundKind = InboundKind.TEXT
    display_name: str | None = None
    file: tuple[str, bytes] | None = None  # (file name, content) of a document the user sent, when downloaded
    group: bool = False  # sent in a group chat (set by a channel whose bot may be in groups): only group commands
    # are read there, and `chat_ref` is the group's, not the sender's private chat


@dataclass(frozen=True)
class Option:
    """A choice offered to the user. `key` is what the flow gets back; it is never sent to the channel."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    selected: bool = False
    means: str | None = None  # "yes" or "no" (bot/core/vocabulary): what "ok", "đc", "ko"… choose at this prompt
    preset: tuple[str, ...] = ()  # in a multi-select: these keys, chosen and finished in one tap ("as last time")


DONE_KEY = "__done__"


@dataclass(frozen=True)
class Reply:
    """One message to show. Channels render options as buttons or as a numbered list."""

    text: str
    options: tuple[Option, ...] = ()
    multi_select: bool = False
    token: str | None = None  # set by the flow engine: ties a button press to this prompt
    replace_previous: bool = False  # a channel that can edit messages updates the last prompt instead
    image: bytes | None = None
    document: tuple[str, bytes] | None = None  # (file name, content)
    menu: tuple[str, ...] = field(default_factory=tuple)  # a persistent main menu, where the channel has one
    notice: bool = False  # a passing note about a button press (an outdated one): shown on the button where a
    # channel can, else as a message
    private: bool = False  # to a message from a group: goes to the sender's own private chat, not the group


def numbered_options(options: tuple[Option, ...]) -> list[tuple[int, Option]]:
    """Numbers for a text rendering: 1..n in order, and 0 for the option that finishes a multi-select."""
    out: list[tuple[int, Option]] = []
    n = 0
    for opt in options:
        if opt.key == DONE_KEY:
            out.append((0, opt))
        else:
            n += 1
            out.append((n, opt))
    return out


def callback_data(token: str, index: int) -> str:
    """Button payload: the prompt's token and the option's position, never the option's value."""
    return f"{token}:{index}"


_CALLBACK = re.compile(r"([A-Za-z0-9_-]{1,32}):([0-9]{1,3})")


def parse_callback_data(data: str) -> tuple[str, int] | None:
    """The token and option index of a button press made by `callback_data`; None for anything else. Only ASCII
    digits: `str.isdigit` also takes "١" or "²", which a forged press could use to pick an option."""
    found = _CALLBACK.fullmatch(data)
    return (found.group(1), int(found.group(2))) if found else None


@dataclass(frozen=True)
class Attachment:
    """A picture or a document a message carries."""

    content: bytes
    name: str | None = None  # a document's file name; None for a picture
    picture: bool = False


@dataclass(frozen=True)
class OutMessage:
    """One message the bot sends on its own (a reminder, a notice, a broadcast) or an answer queued for a channel
    that answers through the outbox: neutral, rendered by the channel that sends it."""

    text: str = ""
    ack: str | None = None  # a broadcast recipient's token: "✅ Đã nhận" where there are buttons, else a reply word
    attachment: Attachment | None = None
    answer: bool = False  # answers what a member typed: may use the part of a monthly quota kept for answers
    lost_attachment: bool = False  # it carried a picture or file that is no longer kept (the channel says so)
    # A prompt answered through the outbox keeps what a channel with buttons shows: the options' labels in order
    # (a button's payload is `token` and the position, as for a live prompt), the positions ticked in a
    # multi-select, the persistent menu, and the message it takes the place of (edited where the channel can).
    options: tuple[str, ...] = ()
    ticked: tuple[int, ...] = ()
    token: str | None = None
    menu: tuple[str, ...] = ()
    replaces: str | None = None  # the channel's id of the message this one updates in place
