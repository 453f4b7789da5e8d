"""A fake Telegram Bot API server for end-to-end tests and the latency bench.

It serves `/bot{TOKEN}/{method}` on 127.0.0.1 (a free port) with the real Bot API response shapes, so the real
python-telegram-bot client talks to it unchanged, and `/file/bot{TOKEN}/{file_path}` for the documents a user
sent (`user_sends_document`, then `getFile` and the download). A test acts as the user through `user_sends_text`
and `user_presses`, and waits for the bot's answers with `wait_for_sent`, which wakes on an asyncio.Condition as
soon as the bot has sent them (the timeout is only a safety net).

Failures: `fail_next(method, …)` fails the next call of a method; `fail_chat(chat, …)` fails sendMessage to one
chat (a 5xx, a 429 with `retry_after`, a 400…) a number of times; `block(chat)` answers 403 Forbidden for good.
`received(chat)` lists what one chat got, in order; every `Sent.at` comes from `now`, a time function a test may
replace with its own fake time.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.faults import Faults

DEFAULT_TOKEN = "123456789:AAEfakeTokenForTestsOnly_abcdefghij"
_JSON_PARAMS = {
    "reply_markup",
    "commands",
    "scope",
    "allowed_updates",
    "entities",
    "caption_entities",
    "link_preview_options",
    "reply_parameters",
}
_INT_PARAMS = {"chat_id", "message_id", "offset", "limit", "user_id"}
_FLOAT_PARAMS = {"timeout"}


@dataclass(frozen=True)
class Call:
    """One Bot API request as the bot made it."""

    method: str
    params: dict[str, Any]
    at: float  # FakeTelegram.now() when it arrived (time.perf_counter() unless a test gives its own)


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded with a call."""

    method: str  # sendPhoto, sendDocument
    field: str  # photo, document
    file_name: str
    content: bytes


@dataclass(frozen=True)
class Sent:
    """A message the bot sent or edited."""

    method: str  # sendMessage, editMessageText, editMessageReplyMarkup, sendPhoto, sendDocument
    chat_id: int
    message_id: int
    text: str
    reply_markup: dict[str, Any] | None
    at: float

    @property
    def edited(self) -> bool:
        return self.method.startswith("edit")

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """The inline keyboard as (text, callback_data), row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]

    @property
    def menu(self) -> list[str]:
        """The labels of a reply keyboard (the persistent main menu) sent with this message."""
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [b if isinstance(b, str) else b["text"] for row in rows for b in row]


@dataclass(frozen=True)
class QueuedUpdate:
    update_id: int
    payload: dict[str, Any]
    queued_at: float  # FakeTelegram.now() when the user acted


@dataclass
class _Failure:
    error_code: int
    description: str
    remaining: int
    retry_after: int | None = None
    skip: int = 0  # calls that still succeed before this failure starts


@dataclass
class FakeTelegram:
    """The server and the simulated users. Use `async with FakeTelegram() as tg:` or start()/stop()."""

    token: str = DEFAULT_TOKEN
    bot_id: int = 900000001
    bot_username: str = "sotay_test_bot"
    calls: list[Call] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    updates: list[QueuedUpdate] = field(default_factory=list)
    unknown_methods: list[str] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)  # files the bot sent (sendPhoto, sendDocument), in order
    max_per_second: int | None = None  # like Telegram's broadcast limit: more sends in any 1 s window get a 429
    rate_limited: int = 0  # sends refused with 429 by `max_per_second`
    now: Callable[[], float] = time.perf_counter  # the time recorded in Call.at and Sent.at
    faults: Faults | None = None  # random failures of sends and edits (tests/fakes/faults.py)
    first_update_id: int = 1  # Telegram's ids go on rising for a bot; a second fake for one database starts higher

    def __post_init__(self) -> None:
        self._pending: list[QueuedUpdate] = []
        self._update_ids = itertools.count(self.first_update_id)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._commands: dict[str, list[dict[str, Any]]] = {}
        self._failures: dict[str, _Failure] = {}
        self._chat_failures: dict[int, list[_Failure]] = {}
        self._files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, content)
        self._file_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._changed = asyncio.Condition()
        self._mark = 0
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._send_times: collections.deque[float] = collections.deque()

    # --- server lifecycle ------------------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        self._closing = True
        self._new_update.set()  # release any long poll still waiting
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def fail_next(
        self,
        method: str,
        error_code: int = 500,
        description: str = "Internal Server Error",
        retry_after: int | None = None,
    ) -> None:
        """Make the next call of `method` fail with this Bot API error ("download": the next file download)."""
        self._failures[method.lower()] = _Failure(error_code, description, 1, retry_after)

    def fail_chat(
        self,
        chat_id: int,
        error_code: int = 500,
        description: str = "Internal Server Error",
        times: int = 1,
        retry_after: int | None = None,
        after: int = 0,
    ) -> None:
        """Make `times` sendMessage calls to `chat_id` fail, once `after` more calls have succeeded (failures set
        earlier for the chat come first). A 429 with `retry_after` answers as Telegram does:
        `parameters: {retry_after}`.
        """
        if error_code == 429 and description == "Internal Server Error":
            description = f"Too Many Requests: retry after {retry_after or 1}"
        failure = _Failure(error_code, description, times, retry_after, skip=after)
        self._chat_failures.setdefault(chat_id, []).append(failure)

    def block(self, chat_id: int) -> None:
        """The user of `chat_id` blocked the bot: every sendMessage to it gets 403 Forbidden from now on."""
        self._chat_failures[chat_id] = [_Failure(403, "Forbidden: bot was blocked by the user", 1 << 30)]

    # --- the simulated user ----------------------------------------------------------------------------------
    def user_sends_text(
        self, user_id: int, text: str, *, chat_id: int | None = None, chat_type: str = "private"
    ) -> QueuedUpdate:
        """The user types `text` (in their private chat with the bot, unless a group chat is given)."""
        message = self._user_message(user_id, chat_id, chat_type, text=text)
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self._queue({"message": message})

    def user_sends(self, user_id: int, **content: Any) -> QueuedUpdate:
        """The user sends anything else, e.g. `photo=[…]`, `sticker={…}`, `document={…}`."""
        return self._queue({"message": self._user_message(user_id, None, "private", **content)})

    def user_presses(self, user_id: int, message_id: int, callback_data: str) -> QueuedUpdate:
        """The user taps an inline button of message `message_id` whose payload is `callback_data`."""
        message = self._messages.get((user_id, message_id))
        if message is None:
            raise KeyError(f"no message {message_id} in chat {user_id}")
        query = {
            "id": uuid.uuid4().hex,
            "from": self._user(user_id),
            "message": json.loads(json.dumps(message)),
            "chat_instance": f"ci{user_id}",
            "data": callback_data,
        }
        return self._queue({"callback_query": query})

    def user_sends_document(
        self,
        user_id: int,
        content: bytes,
        file_name: str | None = "danh_sach.csv",
        *,
        caption: str | None = None,
        mime_type: str = "text/csv",
        file_size: int | None = None,
        size_known: bool = True,
    ) -> QueuedUpdate:
        """The user sends a document; `getFile` and the download then serve `content`.

        `file_size` overrides the size the update announces (default: the real size); `size_known=False` leaves it
        out, as Telegram may.
        """
        n = next(self._file_ids)
        file_id = f"BQACAgIAAxkBAAI{n:06d}"
        self._files[file_id] = (f"documents/file_{n}", content)
        document: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"AgAD{n:06d}", "mime_type": mime_type}
        if file_name is not None:
            document["file_name"] = file_name
        if size_known:
            document["file_size"] = len(content) if file_size is None else file_size
        extra: dict[str, Any] = {"document": document}
        if caption is not None:
            extra["caption"] = caption
        return self.user_sends(user_id, **extra)

    def press(self, user_id: int, label: str, exact: bool = False) -> QueuedUpdate:
        """Tap the button whose text contains (or, with `exact`, equals) `label` on the newest keyboard."""
        keyboard = self.last_keyboard(user_id)
        if keyboard is None:
            raise AssertionError("no inline keyboard in this chat")
        for text, data in keyboard.buttons:
            if (text == label) if exact else (label.casefold() in text.casefold()):
                return self.user_presses(user_id, keyboard.message_id, data)
        raise AssertionError(f"no button {label!r} in {[t for t, _ in keyboard.buttons]}")

    def _user(self, user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": "Người", "last_name": f"Dùng {user_id}"}

    def _user_message(self, user_id: int, chat_id: int | None, chat_type: str, **content: Any) -> dict[str, Any]:
        chat_id = user_id if chat_id is None else chat_id
        if chat_type == "private":
            chat: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": "Người"}
        else:
            chat = {"id": chat_id, "type": chat_type, "title": "Nhóm"}
        message = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": chat,
            "from": self._user(user_id),
            **content,
        }
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _queue(self, payload: dict[str, Any]) -> QueuedUpdate:
        update = QueuedUpdate(next(self._update_ids), payload, self.now())
        self._pending.append(update)
        self.updates.append(update)
        self._mark = len(self.sent)
        self._new_update.set()
        return update

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    # --- what the bot did -------------------------------------------------------------------------------------
    @property
    def since_last_action(self) -> list[Sent]:
        """Messages sent or edited since the user's latest action. An answered prompt losing its buttons is not
        among them (see `buttons_removed`): it is not an answer."""
        return [s for s in self.sent[self._mark :] if s.method != "editMessageReplyMarkup"]

    def buttons_removed(self, chat_id: int) -> list[int]:
        """The messages of `chat_id` whose inline buttons the bot took away, in order."""
        return [s.message_id for s in self.sent if s.chat_id == chat_id and s.method == "editMessageReplyMarkup"]

    async def wait_for_sent(
        self,
        expect: int | Callable[[Sent], bool] = 1,
        timeout: float = 20.0,  # noqa: ASYNC109 - a safety net against a hung bot (a loaded CI machine), not a wait for time
    ) -> list[Sent]:
        """Wait until `expect` messages (or one matching `expect`) were sent since the user's latest action.

        Returns everything sent since that action. The timeout is a safety net against a hung bot.
        """

        def ready() -> bool:
            got = self.since_last_action
            return len(got) >= expect if isinstance(expect, int) else any(expect(s) for s in got)

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(ready), timeout)
            except TimeoutError:
                texts = [s.text[:60] for s in self.since_last_action]
                raise AssertionError(f"bot did not answer as expected within {timeout}s; got {texts}") from None
        return self.since_last_action

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 20.0,  # noqa: ASYNC109 - as in wait_for_sent
    ) -> Call:
        """Wait for the bot to call `method` (matching `predicate`), past or future."""

        def found() -> Call | None:
            return next(
                (c for c in self.calls if c.method.lower() == method.lower() and (predicate is None or predicate(c))),
                None,
            )

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: found() is not None), timeout)
            except TimeoutError:
                raise AssertionError(f"bot did not call {method} within {timeout}s") from None
        call = found()
        assert call is not None
        return call

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = 20.0,  # noqa: ASYNC109 - as in wait_for_sent
    ) -> None:
        """Wait until `condition()` holds; it is checked whenever the bot makes a call."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(condition), timeout)
            except TimeoutError:
                raise AssertionError(f"condition not met within {timeout}s") from None

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def received(self, chat_id: int) -> list[Sent]:
        """The new messages (not edits) that reached `chat_id`, in the order they arrived."""
        return [s for s in self.sent if s.chat_id == chat_id and not s.edited]

    def attempts(self, chat_id: int, method: str = "sendMessage") -> int:
        """How many times the bot called `method` for `chat_id`, failed calls included."""
        return sum(1 for c in self.calls_to(method) if _maybe_int(c.params.get("chat_id")) == chat_id)

    def last_keyboard(self, chat_id: int) -> Sent | None:
        """The newest message in the chat that carries inline buttons (as last sent or edited)."""
        for sent in reversed(self.sent):
            if sent.chat_id == chat_id and sent.buttons:
                current = self._messages.get((chat_id, sent.message_id), {})
                if current.get("reply_markup") == sent.reply_markup:
                    return sent
        return None

    def last_buttons(self, chat_id: int) -> list[tuple[str, str]]:
        keyboard = self.last_keyboard(chat_id)
        return keyboard.buttons if keyboard else []

    def commands(self, scope: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return self._commands.get(_scope_key(scope), [])

    # --- HTTP ----------------------------------------------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request, self.uploads, method)
        self.calls.append(Call(method, params, self.now()))
        async with self._changed:
            self._changed.notify_all()
        failure = self._take_failure(method)
        if failure is not None:
            return _error(failure.error_code, failure.description, failure.retry_after)
        if method.startswith("send") and self._over_rate():
            self.rate_limited += 1
            return _error(429, "Too Many Requests: retry after 1", 1)
        fault = self.faults.pick() if self.faults is not None and method.startswith(("send", "edit")) else None
        if fault == "429":
            return _error(429, "Too Many Requests: retry after 1", 1)
        if fault == "500":
            return _error(500, "Internal Server Error")
        if fault == "lost":
            return _dropped(request)
        handler = getattr(self, f"_api_{method.lower()}", None)
        if handler is None:
            self.unknown_methods.append(method)
            return _error(404, "Not Found: method not found")
        try:
            result = await handler(params)
        except _ApiError as exc:
            return _error(exc.code, exc.description, exc.retry_after)
        if fault == "late":
            assert self.faults is not None
            self.faults.late[str(params.get("chat_id"))] += 1
            return _dropped(request)
        return web.json_response({"ok": True, "result": result})

    def _over_rate(self) -> bool:
        """With `max_per_second`: whether this send would make more than that many in the last second."""
        if self.max_per_second is None:
            return False
        now = self.now()
        while self._send_times and self._send_times[0] <= now - 1.0:
            self._send_times.popleft()
        if len(self._send_times) >= self.max_per_second:
            return True
        self._send_times.append(now)
        return False

    def _take_failure(self, method: str) -> _Failure | None:
        failure = self._failures.get(method.lower())
        if failure is not None:
            failure.remaining -= 1
            if failure.remaining <= 0:
                del self._failures[method.lower()]
        return failure

    async def _download(self, request: web.Request) -> web.Response:
        """GET /file/bot{token}/{file_path}: the content of a document a user sent."""
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        path = request.match_info["path"]
        self.calls.append(Call("download", {"file_path": path}, self.now()))
        failure = self._take_failure("download")
        if failure is not None:
            return _error(failure.error_code, failure.description, failure.retry_after)
        content = next((c for p, c in self._files.values() if p == path), None)
        if content is None:
            return _error(404, "Not Found")
        return web.Response(body=content, content_type="application/octet-stream")

    async def _api_getfile(self, params: dict[str, Any]) -> Any:
        file_id = str(params.get("file_id") or "")
        if file_id not in self._files:
            raise _ApiError(400, "Bad Request: invalid file_id")
        path, content = self._files[file_id]
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(content), "file_path": path}

    async def _api_getme(self, params: dict[str, Any]) -> Any:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Sổ tay số",
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_deletewebhook(self, params: dict[str, Any]) -> Any:
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            self._pending.clear()
        return True

    async def _api_setwebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_getwebhookinfo(self, params: dict[str, Any]) -> Any:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._pending)}

    async def _api_getupdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        if offset:
            self._pending = [u for u in self._pending if u.update_id >= offset]  # confirmed ones are gone
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            ready = [u for u in self._pending if u.update_id >= offset]
            remaining = deadline - loop.time()
            if ready or remaining <= 0 or self._closing:
                return [{"update_id": u.update_id, **u.payload} for u in ready[:limit]]
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), remaining)
            except TimeoutError:
                return []

    async def _api_sendmessage(self, params: dict[str, Any]) -> Any:
        failures = self._chat_failures.get(_chat_id(params))
        if failures and failures[0].skip > 0:
            failures[0].skip -= 1
        elif failures:
            failure = failures[0]
            failure.remaining -= 1
            if failure.remaining <= 0:
                failures.pop(0)
            raise _ApiError(failure.error_code, failure.description, failure.retry_after)
        return await self._bot_message("sendMessage", params, text=str(params.get("text", "")))

    async def _api_sendphoto(self, params: dict[str, Any]) -> Any:
        photo = [{"file_id": "p1", "file_unique_id": "p1u", "width": 100, "height": 100}]
        return await self._bot_message("sendPhoto", params, caption=params.get("caption"), photo=photo)

    async def _api_senddocument(self, params: dict[str, Any]) -> Any:
        document = {"file_id": "d1", "file_unique_id": "d1u", "file_name": str(params.get("document", "file"))}
        return await self._bot_message("sendDocument", params, caption=params.get("caption"), document=document)

    async def _bot_message(self, method: str, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = _chat_id(params)
        content = {k: v for k, v in content.items() if v is not None}
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Người"},
            "from": await self._api_getme({}),
            **content,
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram echoes inline keyboards only
        self._messages[(chat_id, message["message_id"])] = message
        text = str(content.get("text") or content.get("caption") or "")
        await self._record(Sent(method, chat_id, message["message_id"], text, markup, self.now()))
        return message

    async def _api_editmessagetext(self, params: dict[str, Any]) -> Any:
        return await self._edit("editMessageText", params, str(params.get("text", "")))

    async def _api_editmessagereplymarkup(self, params: dict[str, Any]) -> Any:
        return await self._edit("editMessageReplyMarkup", params, None)

    async def _edit(self, method: str, params: dict[str, Any], text: str | None) -> Any:
        chat_id, message_id = _chat_id(params), int(params.get("message_id") or 0)
        message = self._messages.get((chat_id, message_id))
        if message is None or message.get("from", {}).get("id") != self.bot_id:
            raise _ApiError(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        new_text = message.get("text", "") if text is None else text
        if new_text == message.get("text") and markup == message.get("reply_markup"):
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message",
            )
        message["text"] = new_text
        message["edit_date"] = int(time.time())
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        await self._record(Sent(method, chat_id, message_id, new_text, markup, self.now()))
        return message

    async def _api_answercallbackquery(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_setmycommands(self, params: dict[str, Any]) -> Any:
        self._commands[_scope_key(params.get("scope"))] = list(params.get("commands") or [])
        return True

    async def _api_getmycommands(self, params: dict[str, Any]) -> Any:
        return self._commands.get(_scope_key(params.get("scope")), [])

    async def _api_deletemycommands(self, params: dict[str, Any]) -> Any:
        self._commands.pop(_scope_key(params.get("scope")), None)
        return True

    async def _api_sendchataction(self, params: dict[str, Any]) -> Any:
        return True

    async def _record(self, sent: Sent) -> None:
        self.sent.append(sent)
        async with self._changed:
            self._changed.notify_all()


class _ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def _dropped(request: web.Request) -> web.Response:
    """The connection drops without an answer (the client sees a network error, as after a timeout)."""
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=500)


def _error(code: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=code)


def _maybe_int(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _chat_id(params: dict[str, Any]) -> int:
    try:
        return int(params.get("chat_id") or 0)
    except ValueError:
        raise _ApiError(400, "Bad Request: chat not found") from None


def _scope_key(scope: Any) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


async def _params(request: web.Request, uploads: list[Upload], method: str) -> dict[str, Any]:
    """The request's parameters, whether sent as JSON, a URL-encoded form or multipart (with files, which are
    added to `uploads`)."""
    raw: dict[str, Any] = {}
    if request.content_type == "application/json":
        body = await request.read()
        raw = json.loads(body) if body else {}
    elif request.method == "POST":
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                raw[key] = value
                continue
            name = getattr(value, "filename", "")
            raw[key] = f"<file {name}>"
            uploads.append(Upload(method, key, name, value.file.read()))
    raw.update({k: v for k, v in request.query.items() if k not in raw})
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and key in _JSON_PARAMS:
            try:
                value = json.loads(value)
            except ValueError:
                pass
        elif isinstance(value, str) and key in _INT_PARAMS:
            try:
                value = int(value)
            except ValueError:
                pass  # e.g. "@channelusername"
        elif isinstance(value, str) and key in _FLOAT_PARAMS:
            value = float(value)
        params[key] = value
    return params
