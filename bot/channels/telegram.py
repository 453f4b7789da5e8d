"""The Telegram channel: python-telegram-bot embedded in the bot's own asyncio loop.

This is the only module that imports `telegram`. Updates arrive by this module's own long polling or webhook
server (not PTB's Updater, which acknowledges an update before it is handled): each is stored in the inbox first,
then acknowledged (the next getUpdates offset, the webhook's 200), then handed to PTB's application, which runs
the chat's updates in order. Each becomes a neutral `Inbound` (a document the user sends is downloaded, within the
import size limit) for the router, and the answer goes through the outbox like every message (answering.py):
options as inline buttons whose payload is the prompt's token and the option's position (never its value), the
main menu as a persistent reply keyboard, a multi-select toggle as an edit of the message that was tapped. The one
outbox sender (bot/channels/sender.py) sends answers and the messages the bot starts (reminders, notices,
broadcasts, with a picture or a file) by this module's `TelegramOutlet`: its capabilities (Telegram's ~30 messages
a second, one a second per chat, one per three seconds per group) and its rendering ("✅ Đã nhận" as a button).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import re
import time
import traceback
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from aiohttp import web
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application, BaseUpdateProcessor, ContextTypes, TypeHandler

from bot import texts as T
from bot.channels.answering import Answerer
from bot.channels.ordering import PerChatOrder
from bot.channels.outlet import Capabilities, RecipientGone, Rejected, RetryLater, Throttled
from bot.channels.redaction import TokenRedactingFilter, install_token_redaction
from bot.channels.sender import OutboxSender, Sleep
from bot.config import ConfigError
from bot.config import TelegramChannel as TelegramSettings
from bot.core.messages import Attachment, Inbound, InboundKind, OutMessage, Reply, callback_data
from bot.core.roles import Role
from bot.handlers.router import Handled, Router
from bot.render.numbered import numbered_text
from bot.render.split import split_text as split_pieces
from bot.render.split import utf16_len
from bot.services import inbox, invites, members
from bot.services.broadcasts import ACK_PREFIX
from bot.services.deps import Deps

__all__ = ["CHANNEL", "TelegramChannel", "TelegramOutlet", "TokenRedactingFilter", "install_token_redaction"]

CHANNEL = "telegram"
MAX_TEXT = 4096  # Bot API limit for a message's text, in UTF-16 code units
MAX_CAPTION = 1024
LONG_LABEL = 20  # a button label longer than this gets a row of its own
SELECTED_MARK = "✅ "
_PACKAGE = Path(__file__).resolve().parent.parent  # the `bot` package
_MAX_CALLBACK_TEXT = 200  # answerCallbackQuery's text: a passing note on the tapped button
_MAX_RETRY_AFTER = 30.0  # seconds we are willing to wait once when Telegram asks us to slow down
DEFAULT_FILE_NAME = "tep"  # a document sent without a file name
# Outbox messages per second. Telegram refuses more than about 30 in any second; with a burst of 1 and the bucket's
# slack, 31 sends span at least (31 - 1.1) / 29.2 = 1.024 s, which leaves 24 ms for the requests' own jitter.
SEND_RATE = 29.2
PER_CHAT_INTERVAL = 1.0  # seconds between two messages to one private chat
GROUP_INTERVAL = 3.0  # seconds between two messages to one group or channel (Telegram: 20 a minute)
AUTH_RETRY = 300.0  # seconds: the token was refused while sending, nothing can go out until it is fixed
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
WEBHOOK_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # setWebhook's secret_token, sent with every update
WEBHOOK_MAX_BODY = 1024 * 1024  # bytes: an update with a caption and entities is a few kilobytes
_POLL_BACKOFF_CAP = 30.0  # seconds between two failed getUpdates at most
_UNREACHABLE = re.compile(r"chat not found|user not found|peer_id_invalid", re.I)
_GROUPS = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})  # chats the router sees as groups (Inbound.group)

log = logging.getLogger(__name__)
_T = TypeVar("_T")
_Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup


# --- rendering (pure functions, tested without Telegram) ------------------------------------------------------
def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    return split_pieces(text, limit)


def layout_rows(labels: Sequence[str], long_label: int = LONG_LABEL) -> list[list[int]]:
    """Indexes of `labels` in rows, in order: short labels two per row, a long one on a row of its own."""
    rows: list[list[int]] = []
    pending: list[int] = []
    for i, label in enumerate(labels):
        if len(label) > long_label:
            if pending:
                rows.append(pending)
                pending = []
            rows.append([i])
            continue
        pending.append(i)
        if len(pending) == 2:
            rows.append(pending)
            pending = []
    if pending:
        rows.append(pending)
    return rows


def inline_keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's options as buttons, as its answer message shows them (None: no buttons)."""
    markup = message_markup(_message(reply))
    return markup if isinstance(markup, InlineKeyboardMarkup) else None


def buttons(labels: Sequence[str], token: str) -> InlineKeyboardMarkup:
    """Option buttons in rows; each carries the prompt token and the option's position only."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(labels[i], callback_data=callback_data(token, i)) for i in row]
            for row in layout_rows(labels)
        ]
    )


def menu_keyboard(menu: Sequence[str]) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[menu[i] for i in row] for row in layout_rows(menu)], resize_keyboard=True, is_persistent=True
    )


def reply_text(reply: Reply) -> str:
    """The text to show: options without a token cannot be buttons, so they are listed with numbers."""
    if reply.options and not reply.token:
        return numbered_text(reply)
    return reply.text


def place_menus(replies: Sequence[Reply]) -> list[tuple[Reply, tuple[str, ...]]]:
    """Each reply with the menu its message carries.

    A message cannot have both inline buttons and a reply keyboard, so a menu asked for by a reply with options
    moves to a text-only reply of the same answer, or to a short message of its own at the end.
    """
    out: list[tuple[Reply, tuple[str, ...]]] = [(r, r.menu if not r.options else ()) for r in replies]
    for reply in replies:
        if not reply.menu or not reply.options:
            continue
        holder = next(
            (i for i, (r, m) in enumerate(out) if not m and not r.options and not r.image and not r.document),
            None,
        )
        if holder is None:
            out.append((Reply(T.MENU_HINT), reply.menu))
        else:
            out[holder] = (out[holder][0], reply.menu)
    return out


def answer_messages(replies: Sequence[Reply], pressed: str | None = None) -> list[OutMessage]:
    """The router's replies as neutral outbox messages (answers). `pressed`: the id of the tapped message, which
    one reply asking to replace it updates in place (not one carrying a file or a menu, or too long to edit)."""
    out: list[OutMessage] = []
    target = pressed
    for reply, menu in place_menus(replies):
        text = reply_text(reply)
        if not text.strip() and reply.image is None and reply.document is None:
            continue  # nothing to show
        attachment = None
        if reply.image is not None:
            attachment = Attachment(reply.image, picture=True)
        elif reply.document is not None:
            attachment = Attachment(reply.document[1], name=reply.document[0])
        replaces = None
        if reply.replace_previous and target is not None and not menu and attachment is None and _editable(text):
            replaces, target = target, None  # only one reply takes the tapped message's place
        out.append(_message(reply, text, attachment, menu, replaces))
    return out


def _message(
    reply: Reply,
    text: str | None = None,
    attachment: Attachment | None = None,
    menu: tuple[str, ...] = (),
    replaces: str | None = None,
) -> OutMessage:
    """One reply as an answer message: its options become buttons when it has a token (else they are numbered in
    the text, `reply_text`)."""
    has_buttons = bool(reply.options and reply.token)
    return OutMessage(
        reply_text(reply) if text is None else text,
        attachment=attachment,
        answer=True,
        options=tuple(o.label for o in reply.options) if has_buttons else (),
        ticked=tuple(i for i, o in enumerate(reply.options) if o.selected and reply.multi_select)
        if has_buttons
        else (),
        token=reply.token if has_buttons else None,
        menu=menu,
        replaces=replaces,
    )


def _editable(text: str) -> bool:
    return bool(text.strip()) and utf16_len(text) <= MAX_TEXT


def message_markup(message: OutMessage) -> _Markup | None:
    """A neutral message's keyboard: the menu, the prompt's buttons (ticked ones marked), or "Đã nhận"."""
    if message.menu:
        return menu_keyboard(message.menu)
    if message.options and message.token:
        labels = [SELECTED_MARK + label if i in message.ticked else label for i, label in enumerate(message.options)]
        return buttons(labels, message.token)
    return ack_button(message.ack)


def _is_not_modified(exc: BadRequest) -> bool:
    return "not modified" in exc.message.lower()


def retry_after_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked us to wait, in seconds (never negative)."""
    with warnings.catch_warnings():  # PTB warns about the int/timedelta change of this attribute
        warnings.simplefilter("ignore")
        value = exc.retry_after
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    return max(seconds, 0.0)


def _retry_seconds(exc: RetryAfter) -> float:
    return min(retry_after_seconds(exc), _MAX_RETRY_AFTER)


def _where(exc: BaseException) -> str:
    """Where in the bot's own code an exception came from ("channels/telegram.py:120 in _send"; library frames
    are skipped). Code locations only: no values, no message text."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [
        f for f in frames if Path(f.filename).resolve().is_relative_to(_PACKAGE) and f.name not in ("_call", "<lambda>")
    ]
    frame = (ours or frames or [None])[-1]
    if frame is None:
        return "?"
    path = Path(frame.filename).resolve()
    shown = path.relative_to(_PACKAGE) if path.is_relative_to(_PACKAGE) else Path(path.name)
    return f"{shown.as_posix()}:{frame.lineno} in {frame.name}"


def file_base_url(base_url: str) -> str | None:
    """The file download URL that goes with a Bot API URL: http://host:8081/bot → http://host:8081/file/bot."""
    head, sep, tail = base_url.rpartition("/bot")
    return f"{head}/file/bot{tail}" if sep else None


# --- the outlet: messages the bot starts, sent by the one outbox sender ------------------------------------
def chat_id_of(chat_ref: str) -> int | str:
    """The Bot API chat id for an outbox chat reference (numeric ids as int, "@channel" names unchanged)."""
    return int(chat_ref) if re.fullmatch(r"-?\d+", chat_ref) else chat_ref


def ack_button(token: str | None) -> InlineKeyboardMarkup | None:
    """The "✅ Đã nhận" button of a broadcast's recipient, else None."""
    data = f"{ACK_PREFIX}{token}"
    if not token or len(data.encode()) > 64:  # Bot API: callback data ≤ 64 bytes
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(T.BROADCAST_ACK_BUTTON, callback_data=data)]])


@dataclass(frozen=True)
class _Piece:
    """One Bot API call of an outbox message: a text (or an edit of the message `edit`), or a picture or document
    with an optional caption."""

    text: str | None
    markup: _Markup | None = None
    content: bytes | None = None
    name: str | None = None  # a document's file name
    picture: bool = False
    edit: int | None = None  # the message this text replaces in place (a tapped prompt)


def send_failure(exc: Exception) -> Exception:
    """A Bot API error in the outbox sender's vocabulary; anything that is not Telegram's is returned as it is."""
    error = f"{type(exc).__name__}: {exc.message}"[:200] if isinstance(exc, TelegramError) else type(exc).__name__
    if isinstance(exc, RetryAfter):
        return Throttled(error, retry_after_seconds(exc))
    if isinstance(exc, InvalidToken):
        return Throttled(error, AUTH_RETRY, serious=True)
    if isinstance(exc, Forbidden) or (isinstance(exc, BadRequest) and _UNREACHABLE.search(exc.message)):
        return RecipientGone(error)
    if isinstance(exc, BadRequest | ChatMigrated):  # BadRequest before NetworkError: it is a subclass
        return Rejected(error)
    if isinstance(exc, TelegramError):  # NetworkError, TimedOut, 5xx
        return RetryLater(error)
    return exc


class TelegramOutlet:
    """One Telegram bot, as the outbox sender sees it."""

    def __init__(
        self, bot: Any, rate: float = SEND_RATE, burst: int = 1, parallel: int = 4, key: str = CHANNEL
    ) -> None:
        self.channel = key
        self.bot = bot  # a telegram.Bot (the channel's ExtBot)
        self.capabilities = Capabilities(
            buttons=True,
            edits=True,
            max_text=MAX_TEXT,
            pictures=True,
            files=True,
            groups=True,
            rate=rate,
            burst=burst,  # at most 30 in any second with SEND_RATE (see there)
            chat_interval=PER_CHAT_INTERVAL,
            group_interval=GROUP_INTERVAL,
            parallel=parallel,  # one row's database and HTTP work overlaps the next
        )

    def is_group(self, chat_ref: str) -> bool:
        chat_id = chat_id_of(chat_ref)
        return isinstance(chat_id, str) or chat_id < 0

    def render(self, message: OutMessage) -> list[_Piece]:
        markup = message_markup(message)
        text = message.text
        if message.replaces and message.replaces.isdigit() and message.attachment is None and _editable(text):
            if markup is None or isinstance(markup, InlineKeyboardMarkup):  # a reply keyboard is not editable
                return [_Piece(text, markup, edit=int(message.replaces))]
        if message.lost_attachment:
            text = f"{text}\n{T.ATTACHMENT_EXPIRED}" if text.strip() else T.ATTACHMENT_EXPIRED
        pieces: list[_Piece] = []
        file = message.attachment
        if file is not None:
            caption = text if text.strip() and utf16_len(text) <= MAX_CAPTION else None
            pieces.append(_Piece(caption, markup if caption else None, file.content, file.name, file.picture))
            if caption is not None:
                return pieces
        if not text.strip():
            return pieces
        parts = split_text(text)
        pieces += [_Piece(part, markup if i == len(parts) - 1 else None) for i, part in enumerate(parts)]
        return pieces

    async def deliver(self, chat_ref: str, piece: object) -> None:
        assert isinstance(piece, _Piece)
        chat = chat_id_of(chat_ref)
        try:
            if piece.edit is not None:
                await self._edit(chat, piece)
            elif piece.content is None:
                await self.bot.send_message(chat, piece.text, reply_markup=piece.markup)
            elif piece.picture:
                await self.bot.send_photo(chat, piece.content, caption=piece.text, reply_markup=piece.markup)
            else:
                document = InputFile(piece.content, filename=piece.name or DEFAULT_FILE_NAME)
                await self.bot.send_document(chat, document, caption=piece.text, reply_markup=piece.markup)
        except Exception as exc:
            failure = send_failure(exc)
            if failure is exc:
                raise
            raise failure from None

    async def _edit(self, chat: int | str, piece: _Piece) -> None:
        """Update the tapped prompt in place; when it can no longer be edited (too old, deleted), send the text as
        a new message and take the old prompt's buttons away, so they are not tapped by mistake later."""
        assert piece.edit is not None
        try:
            await self.bot.edit_message_text(piece.text, chat_id=chat, message_id=piece.edit, reply_markup=piece.markup)
            return
        except BadRequest as exc:
            if _is_not_modified(exc):
                return
            if _UNREACHABLE.search(exc.message):
                raise
            log.info("could not edit a message, sending a new one: %s", type(exc).__name__)
        await self.bot.send_message(chat, piece.text, reply_markup=piece.markup)
        with contextlib.suppress(TelegramError):
            await self.bot.edit_message_reply_markup(chat_id=chat, message_id=piece.edit, reply_markup=None)


# --- update processing ---------------------------------------------------------------------------------------
class _OrderedPerChat(BaseUpdateProcessor):
    """PTB's update processor, handing each update to the chat's turn (see bot.channels.ordering)."""

    def __init__(self, max_concurrent_updates: int, max_running: int) -> None:
        super().__init__(max_concurrent_updates)
        self._order = PerChatOrder(max_running)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        async with self._order.turn(chat.id if chat is not None else None):
            await coroutine

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


class TelegramChannel:
    """Serves private chats and the group commands of groups on Telegram, by long polling or a webhook, inside an
    already running loop."""

    def __init__(
        self,
        router: Router,
        deps: Deps,
        token: str,
        settings: TelegramSettings,
        *,
        poll_interval: float = 0.0,
        poll_timeout: float = 10.0,
        max_concurrent: int = 8,
        send_rate: float = SEND_RATE,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        sender: OutboxSender | None = None,
        key: str = CHANNEL,
    ) -> None:
        self.key = key  # this bot's name for its members, chats and outbox rows ("telegram", or a listed bot's key)
        self.router = router
        self.deps = deps
        self.settings = settings
        self.poll_interval = poll_interval
        self.poll_timeout = poll_timeout
        self.max_concurrent = max_concurrent
        self.username: str | None = None
        self._token = token
        self._app: Application | None = None
        self._commands_for: dict[int, Role] = {}  # chats whose command menu was set in this process
        self._tidying: set[asyncio.Task[None]] = set()  # answered prompts losing their buttons
        self._poll_task: asyncio.Task[None] | None = None
        self._offset: int | None = None  # the next getUpdates offset: what is below it is stored
        self._webhook: web.AppRunner | None = None
        self.send_rate = send_rate
        self._own_sender = sender is None  # else app.py runs one sender for every channel
        self.sender = sender or OutboxSender(deps, monotonic=monotonic, sleep=sleep)
        self._answerer = Answerer(router, deps, self.sender, key, answer_messages)

    # --- lifecycle ---------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Connect, remember the bot's username, and start receiving updates. Returns once running.

        Raises ConfigError (with a message for the administrator, never the token) when the settings cannot work
        or Telegram rejects the token.
        """
        secret = self._check_settings()
        install_token_redaction(self._token)
        builder = (
            Application.builder()
            .token(self._token)
            .job_queue(None)
            .updater(None)  # updates come from our own polling loop or webhook server, stored before confirmed
            .concurrent_updates(_OrderedPerChat(max(64, self.max_concurrent * 8), self.max_concurrent))
        )
        if self.settings.base_url:
            builder = builder.base_url(self.settings.base_url)
            files = file_base_url(self.settings.base_url)
            if files:
                builder = builder.base_file_url(files)
        app = builder.build()
        app.add_handler(TypeHandler(Update, self._on_update))
        app.add_error_handler(self._on_error)
        self._app = app
        try:
            try:
                await app.initialize()  # getMe
            except InvalidToken:
                # PTB's message quotes the token: replace it, and drop the chained exception from tracebacks.
                raise ConfigError(T.TG_TOKEN_REJECTED.format(env=self.settings.token_env)) from None
            self.username = app.bot.username
            async with self.deps.store.session() as session:
                await invites.remember_bot_username(session, app.bot.username, self.key)
            # Strangers see only how to join; members get their role's commands per chat (_sync_commands).
            await self._call(lambda: app.bot.set_my_commands([BotCommand("start", T.CMD_START)]))
            await app.start()
            await self._start_updates(app, secret)
            self.sender.add(TelegramOutlet(app.bot, self.send_rate, key=self.key))
            if self._own_sender:
                self.sender.start()
        except BaseException:
            await self.stop()
            raise
        log.info("telegram channel running as @%s (%s)", self.username, self.settings.mode)

    def _check_settings(self) -> str | None:
        """Fail before connecting when webhook mode lacks what it needs; the webhook secret, if any."""
        if self.settings.mode != "webhook":
            return None
        if not self.settings.webhook.url:
            raise ConfigError(T.TG_WEBHOOK_URL_MISSING)
        secret = os.environ.get(self.settings.secret_env) or None
        if not secret:
            raise ConfigError(T.TG_WEBHOOK_SECRET_MISSING.format(env=self.settings.secret_env))
        return secret

    async def _start_updates(self, app: Application, secret: str | None) -> None:
        await self._replay(app)
        if self.settings.mode == "polling":
            # Not PTB's Updater: it confirms an update (the next getUpdates offset) before the update is handled,
            # so a bot killed meanwhile loses it. Here each update is stored first (the inbox), then confirmed.
            # getUpdates is refused while a webhook is set (as the Updater does, the webhook goes first).
            await self._call(lambda: app.bot.delete_webhook(drop_pending_updates=False))
            self._poll_task = asyncio.create_task(self._poll(app), name=f"{self.key}-poll")
            return
        assert secret is not None and self.settings.webhook.url is not None
        await self._serve_webhook(app, secret)
        url = self.settings.webhook.url
        await self._call(lambda: app.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES))

    async def _serve_webhook(self, app: Application, secret: str) -> None:
        """The webhook: Telegram's POSTs on our own aiohttp server, not PTB's (which answers 200 before the update
        is stored, so a bot killed meanwhile would lose it). An update is stored, then acknowledged."""

        async def on_post(request: web.Request) -> web.Response:
            given = request.headers.get(WEBHOOK_SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode("utf-8", "replace"), secret.encode("utf-8")):
                return web.Response(status=403)
            try:
                body = json.loads(await request.read())
            except (ValueError, web.HTTPRequestEntityTooLarge):
                return web.Response(status=400)
            update = Update.de_json(body, app.bot) if isinstance(body, dict) and "update_id" in body else None
            if update is None:
                return web.Response(status=400)
            try:
                fresh = await self._keep([update])
            except Exception as exc:  # the database is unreachable: not stored, so Telegram must send it again
                log.warning("telegram webhook update not stored (%s); Telegram will retry", type(exc).__name__)
                return web.Response(status=503)
            for stored in fresh:
                await app.update_queue.put(stored)
            return web.Response(status=200)

        hook = self.settings.webhook
        assert hook.url is not None
        server = web.Application(client_max_size=WEBHOOK_MAX_BODY)
        server.router.add_post(urlsplit(hook.url).path or "/", on_post)
        runner = web.AppRunner(server, access_log=None)  # the access log would show the path, not the token
        await runner.setup()
        await web.TCPSite(runner, hook.listen, hook.port).start()
        self._webhook = runner

    async def _poll(self, app: Application) -> None:
        """Long polling: store each batch of updates, then ask for the next (which confirms the batch to Telegram),
        and hand the stored ones to the application."""
        offset: int | None = None
        failures = 0
        while True:
            try:
                updates = await app.bot.get_updates(
                    offset=offset, timeout=timedelta(seconds=self.poll_timeout), allowed_updates=ALLOWED_UPDATES
                )
                fresh = await self._keep(updates)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Telegram or the database unreachable: nothing was confirmed, try again
                failures += 1
                delay = min(_POLL_BACKOFF_CAP, 0.5 * 2 ** (failures - 1))
                log.warning("telegram polling failed (%s); retrying in %.1f s", type(exc).__name__, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            if updates:
                self._offset = offset = updates[-1].update_id + 1
            for update in fresh:
                await app.update_queue.put(update)
            if not updates and self.poll_interval:
                await asyncio.sleep(self.poll_interval)

    async def _keep(self, updates: Sequence[Update]) -> list[Update]:
        """Store updates in the inbox (one transaction); those not stored before (a redelivery is not)."""
        if not updates:
            return []
        fresh = await inbox.keep_all(
            self.deps.store, self.key, [(_update_ref(u), u.to_dict()) for u in updates], self.deps.clock.now()
        )
        return [u for u in updates if _update_ref(u) in fresh]

    async def _replay(self, app: Application) -> None:
        """Hand the application the updates an earlier run stored but did not answer (it was killed)."""
        rows = await self.deps.store.transact(lambda session: inbox.waiting(session, self.key), "the telegram inbox")
        for row in rows:
            update = Update.de_json(row.body, app.bot)
            if update is not None:
                await app.update_queue.put(update)
        if rows:
            log.info("telegram: answering %d update(s) left unanswered by the last run", len(rows))

    async def _confirm(self, app: Application) -> None:
        """Tell Telegram the updates handled so far arrived (at a clean stop; an unconfirmed one would come again,
        and the router would know it)."""
        if self._offset is None:
            return
        with contextlib.suppress(TelegramError):
            await app.bot.get_updates(
                offset=self._offset, timeout=timedelta(seconds=0), allowed_updates=ALLOWED_UPDATES
            )

    async def stop(self) -> None:
        """Stop the outbox sender (what is not sent stays pending), stop receiving, finish the updates in hand, and
        release connections. Safe to call more than once."""
        if self._own_sender:
            await self.sender.stop()
        self.sender.remove(self.key)
        if self._tidying:
            await asyncio.gather(*list(self._tidying), return_exceptions=True)
        app, self._app = self._app, None
        if app is None:
            return
        poll, self._poll_task = self._poll_task, None
        if poll is not None:
            poll.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poll
        webhook, self._webhook = self._webhook, None
        if webhook is not None:  # Telegram keeps the updates of a stopped bot and sends them when it is back
            await webhook.cleanup()
        if app.running:
            await app.stop()  # the updates in hand are answered first
            await self._confirm(app)
        if self._tidying:  # the buttons of prompts answered while stopping
            await asyncio.gather(*list(self._tidying), return_exceptions=True)
        await app.shutdown()
        await app.bot.shutdown()  # when start failed in getMe, the application never owned the connections

    def wake(self) -> None:
        """Ask the outbox sender to look for due messages now (e.g. right after queueing one)."""
        self.sender.wake()

    async def drain_once(self) -> int:
        """Send what is due in the outbox now; how many messages were sent. For tests and tools."""
        return await self.sender.drain_once()

    # --- updates -> router ---------------------------------------------------------------------------------------
    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        ref = _update_ref(update)
        answered = False  # the answerer takes the update out of the inbox with its answer
        try:
            if update.callback_query is not None:
                answered = await self._on_callback(update.callback_query, ref)
            elif update.message is not None:
                answered = await self._on_message(update.message, ref)
        finally:
            if not answered:  # not for the router (a group, a service message), or it failed before the router
                await self.deps.store.transact(
                    lambda session: inbox.answered(session, self.key, ref, self.deps.clock.now()), "a telegram update"
                )

    async def _on_message(self, message: Message, ref: str) -> bool:
        user = message.from_user
        group = message.chat.type in _GROUPS
        if (message.chat.type != ChatType.PRIVATE and not group) or user is None or user.is_bot:
            return False  # a channel's posts, or another bot: nothing for the router
        kind = _kind(message)
        if kind is None:
            return False  # a service message (nothing the user typed or sent)
        text, file = message.text or "", None
        if kind is InboundKind.FILE and message.document is not None and not group:  # a group's files stay there
            text = message.caption or ""
            if await self._is_member(user.id):  # a stranger's file is not fetched: they can only join
                file = await self._download(message.document)
        inbound = Inbound(
            channel=self.key,
            user_ref=str(user.id),
            chat_ref=str(message.chat.id),
            message_id=f"m{message.chat.id}:{message.message_id}",
            text=text,
            kind=kind,
            display_name=user.full_name,
            file=file,
            group=group,
        )
        answered = await self._answerer.answer(inbound, ref, lambda handled: answer_messages(handled.replies))
        if not answered.handled.duplicate and not group:  # a group gets no command menu
            await self._sync_commands(message.chat.id, answered.handled)
        return True

    async def _is_member(self, user_id: int) -> bool:
        async with self.deps.store.session() as session:
            return await members.by_identity(session, self.key, str(user_id)) is not None

    async def _download(self, document: Document) -> tuple[str, bytes] | None:
        """The document's name and content, or None when it is larger than the import limit or the download
        failed (the handler then tells the user). Only sizes and error types are logged."""
        limit = self.deps.config.imports.max_file_mb * 1024 * 1024
        if document.file_size is not None and document.file_size > limit:
            log.info("telegram document not downloaded: %d bytes, over the %d-byte limit", document.file_size, limit)
            return None
        bot = self._bot
        try:
            file = await self._call(lambda: bot.get_file(document.file_id))
            if file.file_size is not None and file.file_size > limit:
                log.info("telegram document not downloaded: %d bytes, over the %d-byte limit", file.file_size, limit)
                return None
            content = await self._call(lambda: file.download_as_bytearray())
        except (TelegramError, RuntimeError) as exc:  # RuntimeError: Telegram gave no file path
            log.warning("could not download a telegram document: %s", type(exc).__name__)
            return None
        if len(content) > limit:
            log.info("telegram document dropped: %d bytes, over the %d-byte limit", len(content), limit)
            return None
        return document.file_name or DEFAULT_FILE_NAME, bytes(content)

    async def _on_callback(self, query: CallbackQuery, ref: str) -> bool:
        """A tap: answered, then the tapped prompt loses its buttons unless an answer takes its place. A tap that
        only earns a passing note (an outdated button) gets it on the button itself, not as a new message."""
        message = query.message
        group = message is not None and message.chat.type in _GROUPS
        if message is None or (message.chat.type != ChatType.PRIVATE and not group) or query.data is None:
            await self._answer(query)
            return False
        inbound = Inbound(
            channel=self.key,
            user_ref=str(query.from_user.id),
            chat_ref=str(message.chat.id),
            message_id=f"c{query.id}",
            choice=query.data,
            kind=InboundKind.CHOICE,
            display_name=query.from_user.full_name,
            group=group,  # refused by the router with a note on the button
        )
        pressed = message if isinstance(message, Message) else None
        replaced = False

        def render(handled: Handled) -> list[OutMessage]:
            nonlocal replaced
            if _only_notes(handled.replies):
                return []
            messages = answer_messages(handled.replies, str(message.message_id) if pressed is not None else None)
            replaced = any(m.replaces for m in messages)
            return messages

        answered = await self._answerer.answer(inbound, ref, render)
        handled = answered.handled
        only_notes = _only_notes(handled.replies)
        await self._answer(query, handled.replies[0].text[:_MAX_CALLBACK_TEXT] if only_notes else None)
        if handled.duplicate or only_notes:
            return True
        await self._sync_commands(message.chat.id, handled)
        if pressed is not None and not replaced and pressed.reply_markup is not None:
            # Not on a refused press (it may be a forged one on the live prompt); after the answer, and without
            # holding up the chat's next update.
            task = asyncio.create_task(self._remove_buttons(pressed))
            self._tidying.add(task)
            task.add_done_callback(self._tidying.discard)
        return True

    async def _answer(self, query: CallbackQuery, text: str | None = None) -> None:
        try:
            await query.answer(text)
        except TelegramError as exc:  # too old, or already answered: the user just sees the spinner stop
            log.info("could not answer a callback query: %s", type(exc).__name__)

    async def _remove_buttons(self, message: Message) -> None:
        """The tapped prompt is answered: its buttons go, so an old one is not tapped by mistake later."""
        bot = message.get_bot()  # the application's bot: still there while a stopping channel finishes updates
        try:
            await self._call(
                lambda: bot.edit_message_reply_markup(
                    chat_id=message.chat.id, message_id=message.message_id, reply_markup=None
                )
            )
        except TelegramError as exc:  # too old to edit, or already without buttons: nothing lost
            log.info("could not remove the buttons of an answered prompt: %s", type(exc).__name__)

    async def _sync_commands(self, chat_id: int, handled: Handled) -> None:
        """Show this chat the commands its role may use, once per chat and role in this process."""
        role = handled.role
        if role is None or self._commands_for.get(chat_id) == role:
            return
        commands = [BotCommand(c.name, c.description[:256]) for c in self.router.commands.for_role(role)]
        try:
            await self._call(lambda: self._bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id)))
        except TelegramError as exc:
            log.warning("could not set the command menu: %s", type(exc).__name__)
            return
        self._commands_for[chat_id] = role

    @property
    def _bot(self) -> Any:
        if self._app is None:
            raise RuntimeError("the Telegram channel is not running")
        return self._app.bot

    async def _call(self, make: Callable[[], Awaitable[_T]]) -> _T:
        """One Bot API call, retried once when Telegram asks to slow down."""
        try:
            return await make()
        except RetryAfter as exc:
            await asyncio.sleep(_retry_seconds(exc))
            return await make()

    # --- errors --------------------------------------------------------------------------------------------------
    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure's type and place (never message text or the token) and apologise to the user."""
        error = context.error
        if error is None:
            return
        log.error("telegram update failed: %s at %s", type(error).__name__, _where(error))
        if isinstance(error, Forbidden) or not isinstance(update, Update):
            return  # Forbidden: the user blocked the bot, nobody to tell
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            return
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(chat.id, T.INTERNAL_ERROR)


def _only_notes(replies: Sequence[Reply]) -> bool:
    """Every reply is a passing note on a tapped button (shown on the button, no message)."""
    return bool(replies) and all(r.notice for r in replies)


def _update_ref(update: Update) -> str:
    return f"u{update.update_id}"


def _kind(message: Message) -> InboundKind | None:
    if message.text is not None:
        return InboundKind.TEXT
    if message.photo:
        return InboundKind.IMAGE
    if message.sticker is not None:
        return InboundKind.STICKER
    if message.document is not None:
        return InboundKind.FILE
    if message.effective_attachment is not None or message.caption is not None:
        return InboundKind.UNSUPPORTED  # voice, video, location, contact, …
    return None
