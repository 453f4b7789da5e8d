"""A fake Zalo Bot API server for end-to-end tests and the webhook latency bench.

It serves `/bot{TOKEN}/{method}` on 127.0.0.1 (a free port) with the answer shapes of the Zalo Bot Platform docs:
`{ok: true, result}` on success and `{ok: false, error_code, description}` otherwise; `getUpdates` hands out one
queued update per call, or answers HTTP 408 "Request timeout" when nothing arrived within a short long-poll
window. Sends are recorded; `wait_for_sent` wakes on an asyncio.Condition as soon as the bot has sent them (its
timeout is only a safety net). Switches make the next sends answer 429 "Quota exceeded" or 500, or a chat refuse
messages (403), so the bot's retry and quota handling can be tested.

The module also builds update payloads as Zalo sends them, in both envelopes, for webhook POSTs and polling.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.faults import Faults

DEFAULT_TOKEN = "1459232241454765289:FakeZaloTokenForTestsOnly_abcdefghijk"
MAX_TEXT = 2000

_message_ids = itertools.count(1)


# --- payloads as Zalo sends them -------------------------------------------------------------------------------
def new_message_id() -> str:
    """A fresh id in Zalo's style (20 hex characters)."""
    return f"{next(_message_ids):06x}{secrets.token_hex(7)}"


def message(
    user_id: str,
    *,
    text: str | None = None,
    photo: str | None = None,
    caption: str | None = None,
    sticker: str | None = None,
    message_id: str | None = None,
    chat_id: str | None = None,
    name: str | None = "Nguyễn Tổ Viên",
    chat_type: str = "PRIVATE",
    date_ms: int | None = None,
) -> dict[str, Any]:
    """A `message` object: from, chat, message_id, date (ms) and the content fields that are given."""
    sender: dict[str, Any] = {"id": user_id, "is_bot": False}
    if name is not None:
        sender["display_name"] = name
    body: dict[str, Any] = {
        "from": sender,
        "chat": {"id": chat_id or user_id, "chat_type": chat_type},
        "message_id": message_id or new_message_id(),
        "date": date_ms if date_ms is not None else int(time.time() * 1000),
    }
    for key, value in (("text", text), ("photo", photo), ("caption", caption), ("sticker", sticker)):
        if value is not None:
            body[key] = value
    return body


def update(event_name: str, msg: dict[str, Any], envelope: bool = True) -> dict[str, Any]:
    """One update: `{ok, result: {event_name, message}}`, or `{event_name, message}` with envelope=False."""
    inner = {"event_name": event_name, "message": msg}
    return {"ok": True, "result": inner} if envelope else inner


def text_update(user_id: str, text: str, envelope: bool = True, **kw: Any) -> dict[str, Any]:
    return update("message.text.received", message(user_id, text=text, **kw), envelope)


def image_update(user_id: str, caption: str | None = None, envelope: bool = True, **kw: Any) -> dict[str, Any]:
    msg = message(user_id, photo="https://photo-stal.zadn.vn/fake/abc.jpg", caption=caption, **kw)
    return update("message.image.received", msg, envelope)


def sticker_update(user_id: str, envelope: bool = True, **kw: Any) -> dict[str, Any]:
    msg = message(user_id, sticker="0e078a2fb66a5f34067b", **kw)
    msg["url"] = "https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid=0e078a2fb66a5f34067b"
    return update("message.sticker.received", msg, envelope)


def unsupported_update(user_id: str, envelope: bool = True, **kw: Any) -> dict[str, Any]:
    return update("message.unsupported.received", message(user_id, **kw), envelope)


# --- the server ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Call:
    """One API request as the bot made it."""

    method: str
    params: dict[str, Any]
    at: float  # time.perf_counter() when it arrived


@dataclass(frozen=True)
class Sent:
    """A message the bot sent (sendMessage or sendPhoto)."""

    method: str
    chat_id: str
    text: str  # the text, or a photo's caption
    photo: str | None
    message_id: str
    at: float  # time.perf_counter() when it arrived


def _ok(result: Any = None) -> web.Response:
    body: dict[str, Any] = {"ok": True}
    if result is not None:
        body["result"] = result
    return web.json_response(body)


def _error(status: int, error_code: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": error_code, "description": description}, status=status)


_REQUEST: contextvars.ContextVar[web.Request] = contextvars.ContextVar("request")  # the call being answered
FAILURES = {
    429: (429, 429, "Quota exceeded"),
    500: (500, 500, "Internal server error"),
    503: (503, 503, "Service unavailable"),
}


class FakeZalo:
    """The Zalo Bot API on 127.0.0.1. Use `async with FakeZalo() as api:` or start()/stop()."""

    def __init__(self, token: str = DEFAULT_TOKEN, idle_timeout: float = 0.05) -> None:
        self.token = token
        self.idle_timeout = idle_timeout  # how long an idle getUpdates is held before HTTP 408 (seconds)
        self.calls: list[Call] = []
        self.sent: list[Sent] = []
        self.blocked: set[str] = set()
        self.faults: Faults | None = None  # random failures of sends (tests/fakes/faults.py)
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.idle_polls = 0
        self._updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._failures: list[int] = []
        self._poll_failures: list[int] = []
        self._seen = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # --- lifecycle ---------------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("the fake Zalo API is not running")
        return f"http://127.0.0.1:{self._port}"

    async def start(self) -> FakeZalo:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeZalo:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- switches ----------------------------------------------------------------------------------------------
    def fail_next_sends(self, count: int = 1, status: int = 429) -> None:
        """The next `count` sendMessage/sendPhoto calls answer 429 "Quota exceeded", 500 or 503."""
        self._failures.extend([status] * count)

    def fail_next_polls(self, count: int = 1, status: int = 500) -> None:
        """The next `count` getUpdates calls answer 500 or 503 (or 429)."""
        self._poll_failures.extend([status] * count)

    def block(self, chat_id: str) -> None:
        """This chat refuses messages from now on (403), as when the user blocked the bot."""
        self.blocked.add(chat_id)

    # --- the user's side ---------------------------------------------------------------------------------------
    def queue_update(self, body: dict[str, Any]) -> None:
        """An update for the next getUpdates call (polling mode)."""
        self._updates.put_nowait(body)

    def methods(self) -> list[str]:
        return [c.method for c in self.calls]

    async def wait_for_sent(
        self,
        count: int = 1,
        timeout: float = 20.0,  # noqa: ASYNC109 - a safety net against a hung bot (a loaded CI machine), not a wait for time
    ) -> list[Sent]:
        """The next `count` messages the bot sends (after those already taken), as soon as they have arrived."""
        target = self._seen + count
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: len(self.sent) >= target), timeout)
            except TimeoutError:
                got = [s.text[:60] for s in self.sent[self._seen :]]
                raise AssertionError(f"expected {count} message(s) from the bot, got {len(got)}: {got}") from None
        new = self.sent[self._seen : target]
        self._seen = target
        return new

    def take_new(self) -> list[Sent]:
        """Messages sent since the last wait_for_sent/take_new, without waiting."""
        new = self.sent[self._seen :]
        self._seen = len(self.sent)
        return new

    async def wait_for_idle_polls(
        self,
        count: int,
        timeout: float = 20.0,  # noqa: ASYNC109 - as in wait_for_sent
    ) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: self.idle_polls >= count), timeout)

    # --- the API -----------------------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, 401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        if params is None:
            return _error(400, 400, "Bad request")
        self.calls.append(Call(method, params, time.perf_counter()))
        _REQUEST.set(request)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, 404, "Not found")
        return await handler(params)

    async def _m_getMe(self, params: dict[str, Any]) -> web.Response:
        return _ok(
            {
                "id": "1459232241454765289",
                "account_name": "bot.SoTaySo",
                "account_type": "BASIC",
                "can_join_groups": False,
            }
        )

    async def _m_getUpdates(self, params: dict[str, Any]) -> web.Response:
        if self._poll_failures:
            return _error(*FAILURES[self._poll_failures.pop(0)])
        try:
            wanted = float(params.get("timeout", 30))
        except (TypeError, ValueError):
            wanted = 30.0
        try:
            body = await asyncio.wait_for(self._updates.get(), min(wanted, self.idle_timeout))
        except TimeoutError:
            async with self._changed:
                self.idle_polls += 1
                self._changed.notify_all()
            return _error(408, 408, "Request timeout")
        return _ok(body["result"] if "result" in body else body)

    async def _m_setWebhook(self, params: dict[str, Any]) -> web.Response:
        url, secret = params.get("url"), params.get("secret_token")
        if not isinstance(url, str) or not url or not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            return _error(400, 400, "Bad request")
        self.webhook_url, self.webhook_secret = url, secret
        return _ok({"url": url, "updated_at": int(time.time() * 1000)})

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> web.Response:
        self.webhook_url, self.webhook_secret = "", None
        return _ok({"url": "", "updated_at": int(time.time() * 1000)})

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> web.Response:
        return _ok({"url": self.webhook_url, "updated_at": int(time.time() * 1000)})

    async def _m_sendChatAction(self, params: dict[str, Any]) -> web.Response:
        return _ok()

    async def _m_sendMessage(self, params: dict[str, Any]) -> web.Response:
        text = params.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT:
            return _error(400, 400, "Bad request: text must be 1-2000 characters")
        return await self._send("sendMessage", params, text, None)

    async def _m_sendPhoto(self, params: dict[str, Any]) -> web.Response:
        photo, caption = params.get("photo"), params.get("caption", "")
        if not isinstance(photo, str) or not photo.startswith(("http://", "https://")):
            return _error(400, 400, "Bad request: photo must be a URL")
        if not isinstance(caption, str) or len(caption) > MAX_TEXT:
            return _error(400, 400, "Bad request: caption must be 1-2000 characters")
        return await self._send("sendPhoto", params, caption, photo)

    async def _send(self, method: str, params: dict[str, Any], text: str, photo: str | None) -> web.Response:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, str) or not chat_id:
            return _error(400, 400, "Bad request: chat_id")
        if self._failures:
            return _error(*FAILURES[self._failures.pop(0)])
        fault = self.faults.pick() if self.faults is not None else None
        if fault in FAILURES:
            return _error(*FAILURES[int(fault)])
        if fault == "lost":
            return _dropped()
        if chat_id in self.blocked:
            return _error(403, 403, "Forbidden: the user has blocked the bot")
        message_id = new_message_id()
        async with self._changed:
            self.sent.append(Sent(method, chat_id, text, photo, message_id, time.perf_counter()))
            self._changed.notify_all()
        if fault == "late":
            assert self.faults is not None
            self.faults.late[chat_id] += 1
            return _dropped()
        return _ok({"message_id": message_id, "date": int(time.time() * 1000)})


def _dropped() -> web.Response:
    """The connection drops without an answer (the client sees a network error, as after a timeout)."""
    request = _REQUEST.get()
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=500)


async def _params(request: web.Request) -> dict[str, Any] | None:
    """JSON body, form body or query string, as the docs allow."""
    params: dict[str, Any] = dict(request.query)
    raw = await request.read()
    if not raw:
        return params
    if request.content_type == "application/json":
        try:
            body = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(body, dict):
            return None
        params.update(body)
    else:
        params.update(await request.post())
    return params
