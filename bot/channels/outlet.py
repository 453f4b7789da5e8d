"""What every channel gives the one outbox sender: its capabilities, its rendering and its sending of a message.

A channel module (telegram.py, zalo.py, console_outbox.py) builds an `Outlet`:

- `capabilities` says what the channel can show and how fast it may send (buttons, edits, text length, pictures,
  files, groups; an overall rate, the least time between two messages to one chat or group; a monthly quota and
  the part of it kept for answers);
- `render(message)` turns one neutral `OutMessage` into the API calls it takes, in order (a long text becomes
  several pieces; a broadcast's "Đã nhận" becomes a button where there are buttons, else the reply word);
- `deliver(chat, piece)` makes one of those calls. Every failure is raised as one of four `SendFailure`s, the one
  vocabulary the sender understands: `RetryLater` (a network error, a timeout, a 5xx: try this message again, after
  the given seconds or the sender's backoff), `Throttled` (the platform refuses every send for a while: a rate
  limit, a used-up quota, a refused token; nothing is counted against the message), `RecipientGone` (the user
  blocked the bot, the chat does not exist) and `Rejected` (this message will never be accepted as it is).

The sender (bot/channels/sender.py) owns the ordering, the rates, the quota, the retries and the outbox statuses;
an outlet owns only how its platform is spoken to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot import texts as T
from bot.core.messages import OutMessage


@dataclass(frozen=True)
class Capabilities:
    buttons: bool = False  # inline buttons under a message (else options are numbered lines to type)
    edits: bool = False  # a sent message can be edited (a tapped prompt updated in place)
    max_text: int = 2000  # characters of one message (UTF-16 code units where the platform counts them so)
    pictures: bool = False  # pictures can be sent (else a line saying where to see them)
    files: bool = False  # documents can be sent as attachments (else a link, or a line saying how to get them)
    groups: bool = False  # the bot can be in a group chat
    rate: float | None = None  # messages per second overall (None: no limit known)
    burst: int = 1  # messages that may go at once after a quiet moment, on top of the rate
    chat_interval: float = 0.0  # seconds between two messages to one private chat
    group_interval: float = 0.0  # seconds between two messages to one group
    monthly_quota: int | None = None  # messages a month (None: unlimited)
    reply_reserve: int = 0  # of the quota, kept for answers: messages the bot starts stop this short of it
    parallel: int = 4  # messages sent at once (to different chats)


class SendFailure(Exception):
    """A send did not go through. `detail` is short and safe to store and log: no token, no message text."""

    def __init__(self, detail: str) -> None:
        self.detail = detail[:200]
        super().__init__(self.detail)


class RetryLater(SendFailure):
    """Transient: try this message again after `seconds`, or after the sender's backoff when None."""

    def __init__(self, detail: str, seconds: float | None = None) -> None:
        super().__init__(detail)
        self.seconds = seconds


class Throttled(SendFailure):
    """The platform refuses every send for `seconds` (a rate limit, the quota, a refused token): the bot waits."""

    def __init__(self, detail: str, seconds: float, serious: bool = False) -> None:
        super().__init__(detail)
        self.seconds = max(0.0, seconds)
        self.serious = serious  # needs an administrator (a refused token): logged as an error


class RecipientGone(SendFailure):
    """This chat cannot be reached: the user blocked the bot, or the chat does not exist."""


class Rejected(SendFailure):
    """The platform will never accept this message as it is."""


class Outlet(Protocol):
    """One bot on one channel, as the sender sees it."""

    @property
    def channel(self) -> str:
        """The outbox's name for this channel (its rows' `channel`)."""
        ...

    @property
    def capabilities(self) -> Capabilities: ...

    def is_group(self, chat_ref: str) -> bool: ...

    def render(self, message: OutMessage) -> Sequence[object]:
        """The calls `message` takes, in order; empty when there is nothing to send (then it is rejected)."""
        ...

    async def deliver(self, chat_ref: str, piece: object) -> None:
        """Make one call of `render`; raises a SendFailure."""
        ...


def with_reply_word(message: OutMessage) -> str:
    """A broadcast's text on a channel without buttons: the word to type to say it was read, below it."""
    return f"{message.text}\n\n{T.BROADCAST_REPLY_WORD}" if message.ack else message.text
