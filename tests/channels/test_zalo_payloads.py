"""Zalo payloads, text splitting, rendering and token redaction: pure functions, no database."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from bot import texts as T
from bot.channels.zalo import (
    MAX_TEXT,
    ZaloApiError,
    ZaloClient,
    ZaloNetworkError,
    ZaloPermanentError,
    ZaloQuotaExceeded,
    ZaloUnauthorized,
    classify_error,
    event_name,
    message_date,
    pack_texts,
    parse_update,
    redact,
    render,
    split_text,
    utf16_len,
)
from bot.core.messages import DONE_KEY, InboundKind, Option, Reply
from tests.fakes.zalo_api import DEFAULT_TOKEN, FakeZalo

# The webhook sample of the Zalo Bot Platform docs, verbatim in shape.
DOCS_WEBHOOK = {
    "ok": True,
    "result": {
        "message": {
            "from": {"id": "6ede9afa66b88fe6d6a9", "display_name": "Ted", "is_bot": False},
            "chat": {"id": "6ede9afa66b88fe6d6a9", "chat_type": "PRIVATE"},
            "text": "Xin chào",
            "message_id": "2d758cb5e222177a4e35",
            "date": 1750316131602,
        },
        "event_name": "message.text.received",
    },
}
# The getUpdates sample of the docs: no event_name, the sender's name as first_name.
DOCS_GET_UPDATES = {
    "ok": True,
    "result": {
        "message": {
            "chat": {"id": "e4ea2cd5189df1c3a88c", "chat_type": "PRIVATE"},
            "text": "Xin chào",
            "message_id": "16f6366b3f02645a3d15",
            "date": 1766619597466,
            "from": {"id": "e4ea2cd5189df1c3a88c", "first_name": "Nguyen Van A"},
        }
    },
}


def _msg(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "from": {"id": "u1", "display_name": "Lan", "is_bot": False},
        "chat": {"id": "c1", "chat_type": "PRIVATE"},
        "message_id": "m1",
        "date": 1750316131602,
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


TEXT = "message.text.received"


def _wrap(event: str | None, msg: Any, envelope: bool = True) -> dict[str, Any]:
    inner: dict[str, Any] = {"message": msg}
    if event is not None:
        inner["event_name"] = event
    return {"ok": True, "result": inner} if envelope else inner


DEFAULT = ("u1", "c1", "m1", "Lan")  # user_ref, chat_ref, message_id, display_name of _msg()
TED = ("6ede9afa66b88fe6d6a9", "6ede9afa66b88fe6d6a9", "2d758cb5e222177a4e35", "Ted")
NGUYEN = ("e4ea2cd5189df1c3a88c", "e4ea2cd5189df1c3a88c", "16f6366b3f02645a3d15", "Nguyen Van A")
NUMERIC = _msg(text="1", message_id=42, **{"from": {"id": 7}, "chat": {"id": 8}})
IMAGE = _msg(photo="https://x/y.jpg", caption="ảnh")

PARSED = [
    # (case, body, kind, text, (user_ref, chat_ref, message_id, display_name))
    ("docs webhook", DOCS_WEBHOOK, InboundKind.TEXT, "Xin chào", TED),
    ("docs getUpdates, no event_name", DOCS_GET_UPDATES, InboundKind.TEXT, "Xin chào", NGUYEN),
    ("top-level envelope", _wrap(TEXT, _msg(text="/start A"), envelope=False), InboundKind.TEXT, "/start A", DEFAULT),
    ("image with caption", _wrap("message.image.received", IMAGE), InboundKind.IMAGE, "ảnh", DEFAULT),
    ("image without caption", _wrap("message.image.received", _msg(photo="p")), InboundKind.IMAGE, "", DEFAULT),
    ("sticker", _wrap("message.sticker.received", _msg(sticker="0e07", url="u")), InboundKind.STICKER, "", DEFAULT),
    ("unsupported (withheld)", _wrap("message.unsupported.received", _msg()), InboundKind.UNSUPPORTED, "", DEFAULT),
    (
        "voice: a newer event",
        _wrap("message.voice.received", _msg(voice_url="v")),
        InboundKind.UNSUPPORTED,
        "",
        DEFAULT,
    ),
    ("inferred image", _wrap(None, _msg(photo="https://x/y.jpg")), InboundKind.IMAGE, "", DEFAULT),
    ("numeric ids become strings", _wrap(TEXT, NUMERIC), InboundKind.TEXT, "1", ("7", "8", "42", None)),
    ("no chat_type", _wrap(TEXT, _msg(text="hi", chat={"id": "c1"})), InboundKind.TEXT, "hi", DEFAULT),
]


@pytest.mark.parametrize(
    ("body", "kind", "text", "refs"),
    [case[1:] for case in PARSED],
    ids=[case[0] for case in PARSED],
)
def test_parse_update(body, kind, text, refs):
    inbound = parse_update(body)
    assert inbound is not None
    assert (inbound.channel, inbound.kind, inbound.text) == ("zalo", kind, text)
    assert (inbound.user_ref, inbound.chat_ref, inbound.message_id, inbound.display_name) == refs


IGNORED = [
    ("not an object", ["message.text.received"]),
    ("empty object", {}),
    ("ok=false answer", {"ok": False, "error_code": 408, "description": "Request timeout"}),
    ("result not an object", {"ok": True, "result": "x"}),
    ("no message", _wrap("message.text.received", None)),
    ("message not an object", _wrap("message.text.received", "hello")),
    ("unknown non-message event", _wrap("bot.added", _msg(text="x"))),
    ("event_name not a string", _wrap(5, _msg(text="x"))),  # type: ignore[arg-type]
    ("text event without text", _wrap("message.text.received", _msg())),
    ("text not a string", _wrap("message.text.received", _msg(text=12))),
    ("no sender", _wrap("message.text.received", _msg(text="x", **{"from": None}))),
    ("sender without id", _wrap("message.text.received", _msg(text="x", **{"from": {"display_name": "A"}}))),
    ("no chat", _wrap("message.text.received", _msg(text="x", chat=None))),
    ("chat id empty", _wrap("message.text.received", _msg(text="x", chat={"id": ""}))),
    ("no message_id", _wrap("message.text.received", _msg(text="x", message_id=None))),
    ("boolean id", _wrap("message.text.received", _msg(text="x", message_id=True))),
    ("over-long id", _wrap("message.text.received", _msg(text="x", chat={"id": "c" * 65}))),
    ("from a bot", _wrap("message.text.received", _msg(text="x", **{"from": {"id": "b", "is_bot": True}}))),
    ("group chat", _wrap("message.text.received", _msg(text="x", chat={"id": "g1", "chat_type": "GROUP"}))),
    ("another chat type", _wrap("message.text.received", _msg(text="x", chat={"id": "g1", "chat_type": "OA"}))),
    ("nothing to infer", _wrap(None, _msg())),
]


@pytest.mark.parametrize("body", [case[1] for case in IGNORED], ids=[case[0] for case in IGNORED])
def test_parse_update_ignores(body):
    assert parse_update(body) is None


GROUP_CHAT = {"id": "g1", "chat_type": "GROUP"}
GROUPS = [
    # (case, body, kind, text): with channels.zalo.groups, a group's message reaches the router marked as one
    ("group text", _wrap(TEXT, _msg(text="/nhom", chat=GROUP_CHAT)), InboundKind.TEXT, "/nhom"),
    ("group chatter", _wrap(TEXT, _msg(text="chào cả nhà", chat=GROUP_CHAT)), InboundKind.TEXT, "chào cả nhà"),
    ("group sticker", _wrap("message.sticker.received", _msg(sticker="s", chat=GROUP_CHAT)), InboundKind.STICKER, ""),
    ("group, lower case", _wrap(TEXT, _msg(text="x", chat={"id": "g1", "chat_type": "group"})), InboundKind.TEXT, "x"),
]


@pytest.mark.parametrize(("body", "kind", "text"), [case[1:] for case in GROUPS], ids=[case[0] for case in GROUPS])
def test_parse_update_of_a_group_when_the_bot_may_be_in_groups(body, kind, text):
    inbound = parse_update(body, groups=True)
    assert inbound is not None and inbound.group
    assert (inbound.kind, inbound.text, inbound.user_ref, inbound.chat_ref) == (kind, text, "u1", "g1")
    assert parse_update(body) is None  # groups off (the default): silence


def test_a_private_message_is_not_a_groups_even_when_groups_are_on():
    inbound = parse_update(DOCS_WEBHOOK, groups=True)
    assert inbound is not None and not inbound.group


def test_message_date_is_in_milliseconds():
    assert message_date(DOCS_WEBHOOK) == datetime(2025, 6, 19, 6, 55, 31, 602000, tzinfo=UTC)
    assert message_date({"ok": True, "result": {"message": {"date": "soon"}}}) is None
    assert message_date([]) is None


def test_event_name_for_logs_is_known_or_a_placeholder():
    assert event_name(DOCS_WEBHOOK) == "message.text.received"
    assert event_name(_wrap("x" * 50 + " Nguyễn Văn An 0912345678", _msg())) == "other"
    assert event_name({}) == "none"


# --- splitting and rendering -----------------------------------------------------------------------------------
SPLITS = [
    ("short", "xin chào", 2000, ["xin chào"]),
    ("blank", "  \n ", 2000, []),
    ("on line boundaries", "aaaa\nbbbb\ncccc", 10, ["aaaa\nbbbb", "cccc"]),
    ("one long line cut hard", "x" * 25, 10, ["x" * 10, "x" * 10, "x" * 5]),
    ("long line between short ones", "ab\n" + "y" * 12 + "\ncd", 10, ["ab", "y" * 10, "yy\ncd"]),
    ("emoji count two units", "😀" * 6, 10, ["😀" * 5, "😀"]),
]


@pytest.mark.parametrize(("text", "limit", "expected"), [c[1:] for c in SPLITS], ids=[c[0] for c in SPLITS])
def test_split_text(text, limit, expected):
    assert split_text(text, limit) == expected


def test_split_text_of_a_long_answer_keeps_every_line_and_the_limit():
    lines = [f"{i}. Hộ Nguyễn Văn {i}, xóm {i % 7}, đã hướng dẫn VNeID mức 2" for i in range(200)]
    text = "\n".join(lines)
    pieces = split_text(text)
    assert len(pieces) > 1
    assert all(utf16_len(p) <= MAX_TEXT for p in pieces)
    assert "\n".join(pieces).splitlines() == lines


def test_pack_texts_joins_the_replies_of_one_answer_while_they_fit():
    assert pack_texts(["a", "b", "", "c"], limit=10) == ["a\n\nb\n\nc"]
    assert pack_texts(["a" * 6, "b" * 6], limit=10) == ["a" * 6, "b" * 6]
    packed = pack_texts(["x" * 1500, "y" * 1500, "z" * 100])
    assert [len(p) for p in packed] == [1500, 1500 + 2 + 100]


def test_render_numbers_options_and_lists_the_menu():
    reply = Reply(
        "Kỹ năng đã hướng dẫn?",
        options=(Option("a", "Cài đặt VNeID"), Option("b", "Dịch vụ công"), Option(DONE_KEY, "✅ Xong")),
        multi_select=True,
    )
    text = render(reply)
    assert "1. ☐ Cài đặt VNeID" in text and "2. ☐ Dịch vụ công" in text and "0. ✅ Xong" in text
    assert T.NUMBERED_HINT_MULTI in text
    menu = render(Reply(T.MENU_HINT, menu=("Ghi nhận", "Trợ giúp")))
    assert T.MENU_HINT not in menu and T.ZALO_MENU_HINT in menu
    assert T.MENU_LINE.format(items="Ghi nhận · Trợ giúp") in menu


# --- errors and the token --------------------------------------------------------------------------------------
ERRORS = [
    (429, 429, "Quota exceeded", ZaloQuotaExceeded),
    (200, 429, "Quota exceeded", ZaloQuotaExceeded),
    (401, 401, "Unauthorized", ZaloUnauthorized),
    (403, 403, "Forbidden", ZaloPermanentError),
    (200, 403, "User blocked the bot", ZaloPermanentError),
    (400, 400, "chat not found", ZaloPermanentError),
    (404, 404, "Not found", ZaloApiError),  # a wrong base URL must not mark every recipient blocked
    (400, 400, "text too long", ZaloApiError),
    (500, 500, "Internal server error", ZaloApiError),
]


@pytest.mark.parametrize(("status", "code", "description", "cls"), ERRORS)
def test_classify_error(status, code, description, cls):
    assert type(classify_error(status, code, description)) is cls


def test_redact_removes_the_token_and_its_secret_half():
    secret = DEFAULT_TOKEN.partition(":")[2]
    text = f"GET /bot{DEFAULT_TOKEN}/getMe and {secret} again"
    assert DEFAULT_TOKEN not in redact(text, DEFAULT_TOKEN) and secret not in redact(text, DEFAULT_TOKEN)


async def test_the_token_appears_in_no_error_and_no_log_line(caplog):
    caplog.set_level(logging.DEBUG)
    secret = DEFAULT_TOKEN.partition(":")[2]
    async with FakeZalo() as api, aiohttp.ClientSession() as http:
        # 1. Zalo's description quotes the token back.
        wrong = ZaloClient(api.base_url, DEFAULT_TOKEN, http)
        api.token = "someone-else:token"
        with pytest.raises(ZaloUnauthorized) as refused:
            await wrong.get_me()
        api.token = DEFAULT_TOKEN
        client = ZaloClient(api.base_url, DEFAULT_TOKEN, http)
        api.fail_next_sends(1, 500)
        with pytest.raises(ZaloApiError) as failed:
            await client.send_message("c1", "x")
        port = api.base_url.rsplit(":", 1)[1]
    # 2. Nobody listens any more: a network error.
    async with aiohttp.ClientSession() as http:
        gone = ZaloClient(f"http://127.0.0.1:{port}", DEFAULT_TOKEN, http)
        with pytest.raises(ZaloNetworkError) as network:
            await gone.send_message("c1", "x")
        echoing = ZaloClient("http://127.0.0.1:1", DEFAULT_TOKEN, http)
        assert DEFAULT_TOKEN not in repr(echoing)
    errors = [refused.value, failed.value, network.value]
    assert network.value.__cause__ is None and network.value.__suppress_context__
    for err in errors:
        for shown in (str(err), repr(err), err.description, err.short):
            assert DEFAULT_TOKEN not in shown and secret not in shown
    assert DEFAULT_TOKEN not in caplog.text and secret not in caplog.text


async def test_an_echoed_token_in_a_description_is_redacted():
    async with FakeZalo() as api, aiohttp.ClientSession() as http:

        async def echo(params: dict[str, Any]) -> Any:
            from aiohttp import web

            return web.json_response(
                {"ok": False, "error_code": 400, "description": f"invalid token {DEFAULT_TOKEN}"}, status=400
            )

        api._m_getMe = echo  # type: ignore[method-assign]
        client = ZaloClient(api.base_url, DEFAULT_TOKEN, http)
        with pytest.raises(ZaloApiError) as caught:
            await client.get_me()
    assert DEFAULT_TOKEN not in str(caught.value) and "<token>" in caught.value.description


async def test_get_updates_returns_none_when_idle_and_the_update_otherwise():
    async with FakeZalo(idle_timeout=0.01) as api, aiohttp.ClientSession() as http:
        client = ZaloClient(api.base_url, DEFAULT_TOKEN, http)
        assert await client.get_updates(timeout=1) is None
        api.queue_update(DOCS_WEBHOOK)
        got = await client.get_updates(timeout=1)
        assert got is not None and parse_update(got) is not None
        assert api.calls[-1].params == {"timeout": "1"}
