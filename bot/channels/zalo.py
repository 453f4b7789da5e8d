"""The Zalo channel: the Zalo Bot Platform's HTTP API (bot-api.zaloplatforms.com) over aiohttp.

This is the only module that speaks to Zalo. It turns webhook POSTs or long-poll answers into neutral `Inbound`
messages, hands them to the router, and writes the answers to the outbox: Zalo has no buttons, so every option is
a numbered line, and the free plan allows about 3,000 outbound messages a month, so every message goes through the
one outbox sender (bot/channels/sender.py) by this module's `ZaloOutlet`, whose capabilities carry that budget
(messages the bot starts stop `reply_reserve` short of it, kept for answers), and whose failures say when to wait
(a used-up quota) and when to give up; a message is kept pending, never dropped, while Zalo says the quota is used.

Facts of the API this module relies on (Zalo Bot Platform docs: getUpdates, Webhook, sendMessage, sendPhoto):
- every method is `POST {base}/bot{TOKEN}/{method}` with a JSON body; every answer is `{ok, result}` or
  `{ok: false, error_code, description}`, so `ok` is checked, not only the HTTP status;
- `getUpdates {timeout}` long-polls for ONE update (no offset); HTTP 408 / error_code 408 means "nothing new";
- a webhook POST carries the header `X-Bot-Api-Secret-Token` (the `secret_token` given to `setWebhook`, 8-256
  characters) and one update, as `{ok, result: {event_name, message}}` (some senders post `{event_name, message}`);
- `message` has `from {id, display_name}`, `chat {id, chat_type}`, `message_id`, `date` (ms), and `text`,
  `photo` + `caption` or `sticker`; ids are strings; `chat.id` is where answers go;
- `sendMessage {chat_id, text}` takes 1-2,000 characters; `sendPhoto {chat_id, photo (URL), caption}`.

The docs publish no error codes for "the user blocked the bot" or "chat not found". This module treats error_code
or HTTP 403, and a 400/404 whose description names a blocked user or a missing chat/user, as permanent for that
recipient (RecipientGone); 429 as the quota (or rate) limit and 401 as a bad token (Throttled: the whole bot waits);
400, 413 and 422 as a message Zalo will never accept (Rejected); network errors, 5xx and other codes as transient
(RetryLater: retried with backoff, then failed).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web

from bot import texts as T
from bot.channels.answering import Answerer
from bot.channels.ordering import PerChatOrder
from bot.channels.outlet import Capabilities, RecipientGone, Rejected, RetryLater, Throttled, with_reply_word
from bot.channels.sender import OutboxSender
from bot.config import ConfigError
from bot.config import ZaloChannel as ZaloSettings
from bot.core.messages import Attachment, Inbound, InboundKind, OutMessage, Reply
from bot.handlers.router import Router
from bot.render.numbered import numbered_text
from bot.render.split import split_text as split_pieces
from bot.render.split import utf16_len
from bot.services import inbox
from bot.services.deps import Deps

from .media import MediaStore, add_media_route, media_url

CHANNEL = "zalo"
MAX_TEXT = 2000  # sendMessage text and sendPhoto caption: 1-2,000 characters
SECRET_HEADER = "X-Bot-Api-Secret-Token"
SECRET_MIN, SECRET_MAX = 8, 256
MAX_ID_LEN = 64  # member identities and outbox chat references are stored in 64 characters
MAX_MESSAGE_ID_LEN = 80

EVENT_KINDS: dict[str, InboundKind] = {
    "message.text.received": InboundKind.TEXT,
    "message.image.received": InboundKind.IMAGE,
    "message.sticker.received": InboundKind.STICKER,
    "message.unsupported.received": InboundKind.UNSUPPORTED,
}

REQUEST_TIMEOUT = 20.0  # seconds, for every call except the long poll
POLL_TIMEOUT = 30  # seconds Zalo holds a getUpdates call open
POLL_BACKOFF_BASE = 1.0
POLL_BACKOFF_CAP = 60.0
QUOTA_RETRY = timedelta(minutes=10)  # Zalo answered 429: wait this long before the next send
AUTH_RETRY = timedelta(minutes=5)  # Zalo answered 401: the token is wrong, nothing can be sent until fixed
STOP_TIMEOUT = 5.0
REFUSED_FOR_GOOD = frozenset({400, 413, 422})  # a malformed message: sending it again cannot help

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


# --- errors ----------------------------------------------------------------------------------------------------
class ZaloApiError(Exception):
    """A call failed. `status` is the HTTP status (0: no answer); the description never contains the token."""

    def __init__(self, status: int, error_code: int | None, description: str, method: str = "") -> None:
        self.status = status
        self.error_code = error_code
        self.description = description[:300]
        self.method = method
        super().__init__(self.short)

    @property
    def code(self) -> int:
        return self.error_code or self.status

    @property
    def short(self) -> str:
        where = f"{self.method}: " if self.method else ""
        return f"{where}HTTP {self.status}, error_code {self.error_code}: {self.description}"[:200]


class ZaloNetworkError(ZaloApiError):
    """No answer: connection refused or reset, DNS failure, timeout."""


class ZaloQuotaExceeded(ZaloApiError):
    """HTTP 429 / error_code 429: the monthly message quota (or a rate limit) is used up. Try again later."""


class ZaloPermanentError(ZaloApiError):
    """This recipient cannot be reached: the user blocked the bot, or the chat does not exist."""


class ZaloUnauthorized(ZaloApiError):
    """HTTP 401 / error_code 401: the bot token is wrong or revoked."""


_PERMANENT_HINT = re.compile(r"block|chat not found|user not found|chặn|không tồn tại", re.I)


def classify_error(status: int, error_code: int | None, description: str, method: str = "") -> ZaloApiError:
    codes = {status, error_code}
    if 429 in codes:
        return ZaloQuotaExceeded(status, error_code, description, method)
    if 401 in codes:
        return ZaloUnauthorized(status, error_code, description, method)
    if 403 in codes or (codes & {400, 404} and _PERMANENT_HINT.search(description)):
        return ZaloPermanentError(status, error_code, description, method)
    return ZaloApiError(status, error_code, description, method)


def redact(text: str, token: str) -> str:
    """`text` without the bot token or its secret half (a token is `{bot_id}:{secret}`)."""
    if not token:
        return text
    text = text.replace(token, "<token>")
    secret = token.partition(":")[2]
    if len(secret) >= 8:
        text = text.replace(secret, "<token>")
    return text


# --- the HTTP client -------------------------------------------------------------------------------------------
class ZaloClient:
    """The Bot API methods this bot uses. The token is part of every URL, so URLs are never logged or raised."""

    def __init__(self, base_url: str, token: str, http: aiohttp.ClientSession) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._http = http

    def __repr__(self) -> str:
        return f"ZaloClient({self.base_url!r})"

    async def get_me(self) -> dict[str, Any]:
        return _as_dict(await self._call("getMe", {}))

    async def get_updates(
        self,
        timeout: int = POLL_TIMEOUT,  # noqa: ASYNC109 - Zalo's long-poll parameter, sent to the server
    ) -> dict[str, Any] | None:
        """One update, or None when there was none within `timeout` seconds (HTTP 408 or an ok=false timeout)."""
        try:
            result = await self._call("getUpdates", {"timeout": str(timeout)}, seconds=timeout + 10.0)
        except ZaloNetworkError:
            raise
        except ZaloApiError as exc:
            if exc.status == 408 or exc.error_code == 408 or "timeout" in exc.description.lower():
                return None
            raise
        return result if isinstance(result, dict) and result else None

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        return _as_dict(await self._call("setWebhook", {"url": url, "secret_token": secret_token}))

    async def delete_webhook(self) -> dict[str, Any]:
        return _as_dict(await self._call("deleteWebhook", {}))

    async def get_webhook_info(self) -> dict[str, Any]:
        return _as_dict(await self._call("getWebhookInfo", {}))

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        return _as_dict(await self._call("sendMessage", {"chat_id": chat_id, "text": text}))

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None = None) -> dict[str, Any]:
        payload = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            payload["caption"] = caption
        return _as_dict(await self._call("sendPhoto", payload))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self._call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def _call(self, method: str, payload: dict[str, Any], seconds: float = REQUEST_TIMEOUT) -> Any:
        url = f"{self.base_url}/bot{self._token}/{method}"
        try:
            async with self._http.post(url, json=payload, timeout=aiohttp.ClientTimeout(total=seconds)) as resp:
                status = resp.status
                raw = await resp.read()
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
            # `from None`: aiohttp's own exception text may contain the URL, hence the token.
            raise ZaloNetworkError(0, None, type(exc).__name__, method) from None
        data = _json_object(raw)
        if data is None:
            raise classify_error(status, None, "the answer is not a JSON object", method)
        if status >= 300 or data.get("ok") is not True:
            code = data.get("error_code")
            description = redact(str(data.get("description") or ""), self._token)
            raise classify_error(status, code if isinstance(code, int) else None, description, method)
        return data.get("result")


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _as_dict(result: Any) -> dict[str, Any]:
    return result if isinstance(result, dict) else {}


# --- payloads -> Inbound (pure, table-tested) ------------------------------------------------------------------
def _id(value: Any, limit: int = MAX_ID_LEN) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str) and 0 < len(value.strip()) <= limit:
        return value.strip()
    return None


def _update_of(body: Any) -> dict[str, Any] | None:
    """The update inside either envelope: `{ok, result: {...}}` or the update itself at top level."""
    if not isinstance(body, dict):
        return None
    if "result" in body:
        if body.get("ok") is False:
            return None
        result = body["result"]
        return result if isinstance(result, dict) else None
    return body


def _kind(event: Any, message: dict[str, Any]) -> InboundKind | None:
    if event is None:  # getUpdates samples in the docs show no event_name: infer it from the content
        if isinstance(message.get("text"), str):
            return InboundKind.TEXT
        if message.get("photo"):
            return InboundKind.IMAGE
        if message.get("sticker"):
            return InboundKind.STICKER
        return None
    if not isinstance(event, str):
        return None
    if event in EVENT_KINDS:
        return EVENT_KINDS[event]
    if event.startswith("message.") and event.endswith(".received"):
        return InboundKind.UNSUPPORTED  # message.voice.received and whatever comes next: answered with a hint
    return None


def event_name(body: Any) -> str:
    """The update's event name for logs: only known names or a placeholder, never anything the sender chose."""
    update = _update_of(body) or {}
    event = update.get("event_name")
    if event in EVENT_KINDS:
        return str(event)
    return "other" if event is not None else "none"


def parse_update(body: Any, channel: str = CHANNEL, groups: bool = False) -> Inbound | None:
    """The neutral message in a webhook body or getUpdates answer; None for anything the bot should not answer.

    None means: not an update, not a message event, a required field missing or malformed (message_id, from.id,
    chat.id; `text` for a text event), a message from a bot, or a chat neither private nor a group. A group's
    message (chat_type "GROUP": `chat.id` is the group, `from.id` the sender) is marked `group` when the bot may
    be in groups (channels.zalo.groups; the platform's groups are in beta), else None: the bot stays silent there.
    """
    update = _update_of(body)
    if update is None:
        return None
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    kind = _kind(update.get("event_name"), message)
    if kind is None:
        return None
    sender, chat = message.get("from"), message.get("chat")
    if not isinstance(sender, dict) or not isinstance(chat, dict):
        return None
    user_ref, chat_ref = _id(sender.get("id")), _id(chat.get("id"))
    message_id = _id(message.get("message_id"), MAX_MESSAGE_ID_LEN)
    if user_ref is None or chat_ref is None or message_id is None:
        return None
    if sender.get("is_bot") is True:
        return None
    chat_type = str(chat.get("chat_type") or "PRIVATE").upper()
    group = chat_type == "GROUP"
    if chat_type != "PRIVATE" and not (group and groups):
        return None
    if kind is InboundKind.TEXT:
        text = message.get("text")
        if not isinstance(text, str):
            return None
    else:
        caption = message.get("caption")
        text = caption if isinstance(caption, str) else ""
    return Inbound(
        channel=channel,
        user_ref=user_ref,
        chat_ref=chat_ref,
        message_id=message_id,
        text=text,
        kind=kind,
        display_name=_display_name(sender),
        group=group,
    )


def _display_name(sender: dict[str, Any]) -> str | None:
    for key in ("display_name", "name", "first_name"):
        value = sender.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:120]
    return None


def message_date(body: Any) -> datetime | None:
    """When the user sent the message (`date` is in milliseconds since the epoch), or None."""
    update = _update_of(body) or {}
    message = update.get("message")
    value = message.get("date") if isinstance(message, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


# --- Reply -> Zalo text (pure) ---------------------------------------------------------------------------------
def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    return split_pieces(text, limit)


def render(reply: Reply) -> str:
    """A reply as Zalo text: options as a numbered list, the main menu as one line of names to type."""
    if reply.text == T.MENU_HINT and reply.menu and not reply.options:
        text = T.ZALO_MENU_HINT  # with no buttons, say that menu items are typed
    else:
        text = numbered_text(reply)
    if reply.menu:
        text += "\n" + T.MENU_LINE.format(items=" · ".join(reply.menu))
    return text


def pack_texts(texts: Iterable[str], limit: int = MAX_TEXT) -> list[str]:
    """The texts of one answer in as few messages as fit: each message is one outbound message of the quota."""
    out: list[str] = []
    for text in texts:
        for piece in split_text(text, limit):
            if out and utf16_len(out[-1]) + 2 + utf16_len(piece) <= limit:
                out[-1] += "\n\n" + piece
            else:
                out.append(piece)
    return out


# --- the outlet: every message, answer or not, sent by the one outbox sender -------------------------------------
@dataclass(frozen=True)
class _Piece:
    """One sendMessage or sendPhoto; a document's link is made when it is sent (its time to live starts then)."""

    text: str
    content: bytes | None = None
    name: str | None = None  # a document's file name
    picture: bool = False


def send_failure(exc: ZaloApiError) -> Exception:
    """A Bot API error in the outbox sender's vocabulary."""
    if isinstance(exc, ZaloQuotaExceeded):
        return Throttled(exc.short, QUOTA_RETRY.total_seconds())
    if isinstance(exc, ZaloUnauthorized):
        return Throttled(exc.short, AUTH_RETRY.total_seconds(), serious=True)
    if isinstance(exc, ZaloPermanentError):
        return RecipientGone(exc.short)
    if exc.code in REFUSED_FOR_GOOD and not isinstance(exc, ZaloNetworkError):
        return Rejected(exc.short)
    return RetryLater(exc.short)


class ZaloOutlet:
    """One Zalo bot, as the outbox sender sees it: no buttons, 2,000 characters, pictures by URL, a monthly quota."""

    def __init__(self, client: ZaloClient, settings: ZaloSettings, media: MediaStore, key: str = CHANNEL) -> None:
        self.channel = key
        self.client = client
        self.settings = settings
        self.media = media
        linked = bool(settings.public_base_url)  # pictures and files need the bot's own server to be reachable
        self.capabilities = Capabilities(
            max_text=MAX_TEXT,
            pictures=linked,
            files=linked,
            groups=settings.groups,
            monthly_quota=settings.monthly_quota,
            reply_reserve=settings.reply_reserve,
            parallel=1,  # the platform publishes no rate limits: one message at a time, as a person would send
        )

    def is_group(self, chat_ref: str) -> bool:
        return False  # Zalo's ids do not tell a group from a user; no send interval differs between them here

    def render(self, message: OutMessage) -> list[_Piece]:
        text = with_reply_word(message)
        file = message.attachment
        if message.lost_attachment:
            return [_Piece(t) for t in pack_texts([text, T.ATTACHMENT_EXPIRED])]
        if file is None:
            return [_Piece(t) for t in pack_texts([text])]
        if not self.settings.public_base_url:
            note = T.ZALO_PICTURE_NO_PUBLIC_URL if file.picture else T.ZALO_FILE_NO_PUBLIC_URL.format(name=file.name)
            return [_Piece(t) for t in pack_texts([text, note])]
        if file.picture:
            parts = split_text(text)
            caption = parts[0] if parts else ""
            return [_Piece(caption, file.content, picture=True), *(_Piece(t) for t in pack_texts(parts[1:]))]
        return [_Piece(text, file.content, file.name)]

    async def deliver(self, chat_ref: str, piece: object) -> None:
        assert isinstance(piece, _Piece)
        try:
            await self._call(chat_ref, piece)
        except ZaloApiError as exc:
            raise send_failure(exc) from None

    async def _call(self, chat_ref: str, piece: _Piece) -> None:
        base = self.settings.public_base_url or ""
        if piece.content is None:
            await self.client.send_message(chat_ref, piece.text)
        elif piece.picture:
            await self.client.send_photo(chat_ref, media_url(base, self.media.put(piece.content)), piece.text or None)
        else:
            url = media_url(base, self.media.put(piece.content, filename=piece.name))
            link = T.ZALO_FILE_LINK.format(name=piece.name, url=url, minutes=self.settings.link_ttl_minutes)
            for text in pack_texts([piece.text, link]):
                await self.client.send_message(chat_ref, text)


_polling_warned = False


def warn_polling_once() -> None:
    """Zalo's documentation calls getUpdates a development tool ("production should use webhook"): the
    administrator is told once per process, whatever number of bots poll."""
    global _polling_warned
    if not _polling_warned:
        _polling_warned = True
        log.warning(T.ZALO_POLLING_IS_FOR_TESTING)


# --- the channel -----------------------------------------------------------------------------------------------
class ZaloChannel:
    """Serves private Zalo chats (and group commands, with channels.zalo.groups) by webhook or long polling; answers
    go through the outbox within the quota."""

    def __init__(
        self,
        router: Router,
        deps: Deps,
        token: str,
        settings: ZaloSettings,
        http_session: aiohttp.ClientSession | None = None,
        *,
        sleep: Sleep = asyncio.sleep,
        poll_timeout: int = POLL_TIMEOUT,
        max_concurrent: int = 8,
        media: MediaStore | None = None,
        sender: OutboxSender | None = None,
        key: str = CHANNEL,
    ) -> None:
        self.key = key  # this bot's name for its members, chats and outbox rows ("zalo", or a listed bot's key)
        self.router = router
        self.deps = deps
        self.settings = settings
        self.poll_timeout = poll_timeout
        self.media = media or MediaStore(deps.clock, timedelta(minutes=settings.link_ttl_minutes))
        self.stats: Counter[str] = Counter()  # kinds and counts only, for logs, tests and the bench
        self._token = token
        self._http = http_session
        self._own_http = http_session is None
        self._sleep = sleep
        self._secret: str | None = None
        self._client: ZaloClient | None = None
        self._runner: web.AppRunner | None = None
        self._poll_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._order = PerChatOrder(max_concurrent)
        self._own_sender = sender is None  # else app.py runs one sender for every channel
        self.sender = sender or OutboxSender(deps)
        self._answerer = Answerer(router, deps, self.sender, key, self.outgoing)
        self._stopping = False
        self._running = False

    # --- lifecycle ---------------------------------------------------------------------------------------------
    @property
    def client(self) -> ZaloClient:
        if self._client is None:
            raise RuntimeError("the Zalo channel is not running")
        return self._client

    @property
    def addresses(self) -> list[Any]:
        """Where the bot's own web server listens (webhook and media), once started."""
        return list(self._runner.addresses) if self._runner is not None else []

    async def start(self) -> None:
        """Check the token, start receiving (webhook or polling) and the outbox sender. Returns once running."""
        if self._running:
            return
        webhook = self.settings.mode == "webhook"
        if webhook:
            self._require_secret()  # a configuration error before anything touches the network
        self._stopping = False
        try:
            if self._http is None:
                self._http = aiohttp.ClientSession()
            self._client = ZaloClient(self.settings.base_url, self._token, self._http)
            await self._client.get_me()
            if webhook or self.settings.public_base_url:
                await self._serve_http(webhook)
            if webhook:
                await self._register_webhook()
            else:
                await self._client.delete_webhook()  # getUpdates answers nothing while a webhook is set
            self.sender.add(ZaloOutlet(self._client, self.settings, self.media, self.key))
            if self._own_sender:
                self.sender.start()
            await self._replay()
            if not webhook:
                self._poll_task = asyncio.create_task(self._poll_loop(), name="zalo-poll")
        except BaseException:
            await self.stop()
            raise
        self._running = True
        log.info("zalo channel running (%s)", self.settings.mode)
        if not webhook:
            warn_polling_once()

    async def stop(self) -> None:
        """Stop receiving, finish the messages in hand, send what is due, release connections. Idempotent."""
        self._stopping = True
        self._running = False
        poll, self._poll_task = self._poll_task, None
        if poll is not None:
            poll.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poll
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        await self._join_tasks()
        if self.key in self.sender.channels:
            if self._own_sender:
                try:  # one last pass over the outbox, then the sender ends
                    await asyncio.wait_for(self.sender.drain_once(), STOP_TIMEOUT)
                except TimeoutError:
                    log.warning("zalo sender did not finish in time; pending messages stay in the outbox")
                await self.sender.stop()
            self.sender.remove(self.key)
        self._client = None
        if self._own_http and self._http is not None:
            await self._http.close()
            self._http = None

    async def settle(self) -> int:
        """Wait until every update in hand is answered into the outbox, then send what is due. For tests and
        benches; returns the number of messages sent by the final pass."""
        await self._join_tasks()
        return await self.drain_once()

    def wake(self) -> None:
        """Ask the sender to look at the outbox now (after a new message, or a test moved the clock)."""
        self.sender.wake()

    async def drain_once(self) -> int:
        """Send what is due in the outbox now; how many messages were sent. For tests and tools."""
        if self.key not in self.sender.channels:
            return 0  # not started: nothing can be sent
        return await self.sender.drain_once()

    async def _join_tasks(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # --- webhook and media server ------------------------------------------------------------------------------
    def _require_secret(self) -> str:
        if self._secret is None:
            secret = os.environ.get(self.settings.secret_env) or ""
            if not SECRET_MIN <= len(secret) <= SECRET_MAX:
                raise ConfigError(T.ZALO_WEBHOOK_SECRET_MISSING.format(env=self.settings.secret_env))
            self._secret = secret
        return self._secret

    def build_webhook_app(self) -> web.Application:
        """The aiohttp application Zalo posts to (the configured path) that also serves GET /media/{token}."""
        self._require_secret()
        return self._build_app(webhook=True)

    def _build_app(self, webhook: bool) -> web.Application:
        app = web.Application(client_max_size=self.settings.webhook.max_body_bytes)
        if webhook:
            app.router.add_post(self.settings.webhook.path, self._on_webhook)
        add_media_route(app, self.media)
        return app

    async def _serve_http(self, webhook: bool) -> None:
        app = self.build_webhook_app() if webhook else self._build_app(webhook=False)
        # No access log: media URLs carry their token, and request lines are not needed to run the bot.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        self._runner = runner
        hook = self.settings.webhook
        await web.TCPSite(runner, hook.listen, hook.port).start()

    async def _register_webhook(self) -> None:
        if not self.settings.public_base_url:
            log.warning("zalo webhook not registered: channels.zalo.public_base_url is not set (register it by hand)")
            return
        url = self.settings.public_base_url.rstrip("/") + self.settings.webhook.path
        await self.client.set_webhook(url, self._require_secret())

    async def _on_webhook(self, request: web.Request) -> web.Response:
        secret = self._require_secret()
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode("utf-8", "replace"), secret.encode("utf-8")):
            self.stats["webhook_forbidden"] += 1
            return web.json_response({"message": "Unauthorized"}, status=403)
        limit = self.settings.webhook.max_body_bytes
        if request.content_length is not None and request.content_length > limit:
            self.stats["webhook_too_large"] += 1
            return web.json_response({"message": "Payload too large"}, status=413)
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            self.stats["webhook_too_large"] += 1
            return web.json_response({"message": "Payload too large"}, status=413)
        body = _json_object(raw)
        if body is None:
            self.stats["webhook_malformed"] += 1
            return web.json_response({"message": "Bad request"}, status=400)
        if not await self._accept(body):
            return web.json_response({"message": "Try again"}, status=503)  # not stored: Zalo may send it again
        return web.json_response({"message": "Success"})

    # --- polling -----------------------------------------------------------------------------------------------
    async def _poll_loop(self) -> None:
        failures = 0
        while True:
            try:
                update = await self.client.get_updates(self.poll_timeout)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                delay = min(POLL_BACKOFF_CAP, POLL_BACKOFF_BASE * 2 ** (failures - 1))
                reason = exc.short if isinstance(exc, ZaloApiError) else type(exc).__name__
                log.warning("zalo getUpdates failed (%s); retrying in %.0f s", reason, delay)
                self.stats["poll_errors"] += 1
                await self._sleep(delay)
                continue
            failures = 0
            if update is None:
                self.stats["poll_idle"] += 1
                continue
            await self._accept(update, polled=True)

    # --- update -> router -> outbox ----------------------------------------------------------------------------
    async def _accept(self, body: dict[str, Any], polled: bool = False) -> bool:
        """Store the update in the inbox, then answer it in the background; False when it could not be stored
        (the database is down): a webhook must not tell Zalo it arrived, and a polled one (getUpdates will not give
        it again) is answered from memory."""
        inbound = parse_update(body, self.key, self.settings.groups)
        if inbound is None:
            self.stats["ignored"] += 1
            log.debug("zalo update ignored (%s)", event_name(body))
            return True
        try:
            now = self.deps.clock.now()
            fresh = bool(await inbox.keep_all(self.deps.store, self.key, [(inbound.message_id, body)], now))
        except Exception as exc:
            self.stats["unstored"] += 1
            log.error("zalo: could not store a %s update (%s)", inbound.kind.value, type(exc).__name__)
            if polled:
                self._start(inbound)
            return False
        self.stats[f"received_{inbound.kind.value}"] += 1
        if fresh:
            self._start(inbound)
        else:  # stored already: a redelivery of an update in hand
            self.stats["duplicates"] += 1
        return True

    def _start(self, inbound: Inbound) -> None:
        task = asyncio.create_task(self._process(inbound))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _replay(self) -> None:
        """Answer the updates an earlier run stored but did not answer (it was killed or crashed)."""
        rows = await self.deps.store.transact(lambda session: inbox.waiting(session, self.key), "the zalo inbox")
        for row in rows:
            inbound = parse_update(row.body, self.key, self.settings.groups)
            if inbound is not None:
                self.stats["replayed"] += 1
                self._start(inbound)
        if rows:
            log.info("zalo: answering %d update(s) left unanswered by the last run", len(rows))

    async def _process(self, inbound: Inbound) -> None:
        try:
            async with self._order.turn(inbound.chat_ref):  # one chat's messages are answered in arrival order
                await self._answer(inbound)
        except Exception:
            self.stats["process_errors"] += 1
            log.exception("zalo: could not queue the answer to a %s message", inbound.kind.value)

    async def _answer(self, inbound: Inbound) -> None:
        """Handle one message and queue its answer in the same transaction, then send it at once (answering.py)."""
        answered = await self._answerer.answer(inbound, inbound.message_id)
        if answered.handled.duplicate:
            self.stats["duplicates"] += 1
        self.stats["queued"] += len(answered.queued)
        log.debug("zalo %s message answered with %d outbound message(s)", inbound.kind.value, len(answered.queued))

    def outgoing(self, replies: Sequence[Reply]) -> list[OutMessage]:
        """The router's replies as Zalo messages (answers): texts packed into as few messages as fit, pictures by
        URL, files as links."""
        base = self.settings.public_base_url
        out: list[OutMessage] = []
        texts: list[str] = []

        def flush() -> None:
            out.extend(OutMessage(text, answer=True) for text in pack_texts(texts))
            texts.clear()

        for reply in replies:
            text = render(reply)
            if reply.image is not None:
                if base:
                    flush()
                    parts = split_text(text)
                    caption = parts[0] if parts else ""
                    out.append(OutMessage(caption, attachment=Attachment(reply.image, picture=True), answer=True))
                    texts.extend(parts[1:])
                else:
                    texts.append(
                        f"{text}\n{T.ZALO_PICTURE_NO_PUBLIC_URL}" if text.strip() else T.ZALO_PICTURE_NO_PUBLIC_URL
                    )
                continue
            if reply.document is not None:
                name, content = reply.document
                if base:
                    url = media_url(base, self.media.put(content, filename=name))
                    link = T.ZALO_FILE_LINK.format(name=name, url=url, minutes=self.settings.link_ttl_minutes)
                else:
                    link = T.ZALO_FILE_NO_PUBLIC_URL.format(name=name)
                text = f"{text}\n{link}" if text.strip() else link
            texts.append(text)
        flush()
        return out
