"""The real Zalo channel against a fake Zalo Bot API server, on SQLite and PostgreSQL.

A simulated Zalo user posts webhook updates (or is served by long polling); the assertions look at what reached
the fake API's sendMessage/sendPhoto and at the database. Time is the injected clock: retries and quota months are
reached with `clock.advance(...)` and `channel.wake()`, never by waiting.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlmodel import col, func, select

from bot import texts as T
from bot.channels import zalo as zalo_module
from bot.channels.zalo import MAX_TEXT, QUOTA_RETRY, ZaloChannel, utf16_len
from bot.config import ConfigError, ZaloWebhook
from bot.core.clock import FixedClock
from bot.core.messages import Reply
from bot.core.roles import Role
from bot.handlers.router import Router
from bot.services import outbox, quota
from bot.services.deps import Deps
from bot.store.models import (
    ChannelIdentity,
    Household,
    InboxItem,
    Member,
    OutboxItem,
    TeamChat,
    Visit,
    VisitSkill,
)
from tests.chat import new_code
from tests.fakes.zalo_api import (
    DEFAULT_TOKEN,
    FakeZalo,
    Sent,
    image_update,
    sticker_update,
    text_update,
    unsupported_update,
)

SECRET = "s3cret-webhook-token-for-tests"
USER = "6ede9afa66b88fe6d6a9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def count(deps: Deps, model: Any) -> int:
    async with deps.store.session() as s:
        return int((await s.exec(select(func.count()).select_from(model))).one())


async def answered_updates(deps: Deps) -> int:
    async with deps.store.session() as s:
        stmt = select(func.count()).select_from(InboxItem).where(col(InboxItem.answered_at).is_not(None))
        return int((await s.exec(stmt)).one())


async def outbox_items(deps: Deps) -> list[OutboxItem]:
    async with deps.store.session() as s:
        return list((await s.exec(select(OutboxItem).order_by(OutboxItem.id))).all())


@dataclass
class Zalo:
    """The fake API, the running channel, and an HTTP client to post webhooks as Zalo does."""

    api: FakeZalo
    channel: ZaloChannel
    http: aiohttp.ClientSession
    webhook_url: str

    async def post(self, body: Any, secret: str | None = SECRET, raw: bytes | None = None) -> int:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Bot-Api-Secret-Token"] = secret
        data = raw if raw is not None else json.dumps(body).encode()
        async with self.http.post(self.webhook_url, data=data, headers=headers) as resp:
            await resp.read()
            return resp.status


@dataclass
class Phone:
    """One Zalo user typing into the bot's chat; every say() is one webhook POST."""

    zalo: Zalo
    user: str = USER

    async def send(self, body: dict[str, Any]) -> list[Sent]:
        assert await self.zalo.post(body) == 200
        first = await self.zalo.api.wait_for_sent(1)  # wakes as soon as the answer reached sendMessage
        await self.zalo.channel.settle()
        return first + self.zalo.api.take_new()

    async def say(self, text: str) -> list[Sent]:
        return await self.send(text_update(self.user, text))


def settings_for(deps: Deps, api: FakeZalo, **update: Any) -> Any:
    base = deps.config.channels.zalo
    changes: dict[str, Any] = {
        "mode": "webhook",
        "base_url": api.base_url,
        "webhook": ZaloWebhook(listen="127.0.0.1", port=free_port()),
    }
    changes.update(update)
    return base.model_copy(update=changes)


@asynccontextmanager
async def running(deps: Deps, monkeypatch: pytest.MonkeyPatch, **update: Any) -> AsyncIterator[Zalo]:
    async with FakeZalo() as api, aiohttp.ClientSession() as http:
        settings = settings_for(deps, api, **update)
        monkeypatch.setenv(settings.secret_env, SECRET)
        channel = ZaloChannel(Router(deps), deps, DEFAULT_TOKEN, settings)
        await channel.start()
        try:
            hook = settings.webhook
            yield Zalo(api, channel, http, f"http://{hook.listen}:{hook.port}{hook.path}")
        finally:
            await channel.stop()


async def joined_phone(zalo: Zalo, deps: Deps, user: str = USER) -> Phone:
    phone = Phone(zalo, user)
    code = await new_code(deps, Role.MEMBER, "T01", name="Lan")
    sent = await phone.say(f"/start {code}")
    assert "Chào mừng" in sent[0].text
    return phone


# --- (a) the whole path by webhook -----------------------------------------------------------------------------
async def test_a_stranger_joins_and_logs_a_new_and_a_repeat_visit_by_typing(deps, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    async with running(deps, monkeypatch) as zalo:
        phone = Phone(zalo)
        answers: list[list[Sent]] = []
        answers.append(await phone.say("xin chào"))
        assert answers[-1][0].text == T.WELCOME_STRANGER
        code = await new_code(deps, Role.MEMBER, "T01", name="Lan")
        answers.append(await phone.say(f"/start {code}"))
        assert "Chào mừng Lan" in answers[-1][0].text and "Menu:" in answers[-1][0].text
        for text in ("/ghinhan", "them ho moi", "Nguyen Van An", "Xom 3", "bo qua", "0", "dong y", "1 0", "1"):
            answers.append(await phone.say(text))
        assert "Đã lưu lượt" in answers[-1][0].text
        # A repeat visit to the same household with one skill: four messages from the member.
        repeat = [await phone.say(text) for text in ("ghi nhan", "1", "1 0", "1")]
        assert "Đã lưu lượt" in repeat[-1][0].text
        answers.extend(repeat)

    sent = [s for answer in answers for s in answer]
    assert len(sent) == len(answers)  # every message is answered with exactly one Zalo message
    assert all(s.method == "sendMessage" and s.chat_id == USER for s in sent)
    assert all(1 <= utf16_len(s.text) <= MAX_TEXT for s in sent)
    numbered = [s for s in sent if "\n1. " in s.text]
    assert numbered and any("\n0. " in s.text for s in numbered)  # multi-select skills finish with 0
    assert not any(T.MENU_HINT in s.text for s in sent)  # no "keyboard below" on Zalo
    async with deps.store.session() as s:
        household = (await s.exec(select(Household))).one()
        visits = list((await s.exec(select(Visit).order_by(Visit.id))).all())
        skills = list((await s.exec(select(VisitSkill.skill_code))).all())
        identity = (await s.exec(select(ChannelIdentity))).one()
    assert (household.head_name, household.address, household.team_code) == ("Nguyen Van An", "Xom 3", "T01")
    assert [v.household_id for v in visits] == [household.id, household.id]
    assert skills == ["vneid_install", "vneid_install"]
    assert (identity.channel, identity.user_ref, identity.chat_ref) == ("zalo", USER, USER)
    items = await outbox_items(deps)
    assert len(items) == len(sent) and all(i.status == outbox.SENT for i in items)
    # The bot's own log lines carry kinds and counts only: no resident's data, message text, token or secret.
    # (aiosqlite's DEBUG lines do echo SQL parameters; bot.app.configure_logging keeps that logger at WARNING.)
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    assert "zalo" in logged
    for private in ("Nguyen Van An", "Xom 3", "xin chào", code, DEFAULT_TOKEN, SECRET, USER):
        assert private not in logged, private


# --- (b) the secret --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("secret", [None, "", "wrong-secret-value", SECRET + "x", SECRET[:-1]])
async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_stored(deps, monkeypatch, secret):
    async with running(deps, monkeypatch) as zalo:
        code = await new_code(deps, Role.MEMBER, "T01")
        assert await zalo.post(text_update(USER, f"/start {code}"), secret=secret) == 403
        await zalo.channel.settle()
        assert zalo.api.sent == []
    assert await count(deps, InboxItem) == 0
    assert await count(deps, Member) == 0
    assert await count(deps, OutboxItem) == 0


async def test_webhook_mode_refuses_to_start_without_a_usable_secret(deps, monkeypatch):
    async with FakeZalo() as api:
        settings = settings_for(deps, api)
        for value in (None, "short"):
            if value is None:
                monkeypatch.delenv(settings.secret_env, raising=False)
            else:
                monkeypatch.setenv(settings.secret_env, value)
            channel = ZaloChannel(Router(deps), deps, DEFAULT_TOKEN, settings)
            with pytest.raises(ConfigError) as err:
                await channel.start()
            assert settings.secret_env in str(err.value)
            await channel.stop()
        assert api.calls == []  # refused before any call to Zalo


# --- (c) bad bodies --------------------------------------------------------------------------------------------
async def test_oversized_and_malformed_bodies_are_refused_and_the_server_keeps_serving(deps, monkeypatch):
    async with running(deps, monkeypatch) as zalo:
        limit = zalo.channel.settings.webhook.max_body_bytes
        padded = text_update(USER, "x")
        padded["result"]["message"]["padding"] = "y" * (limit + 10)
        assert await zalo.post(padded) == 413

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the limit is enforced while reading
            yield json.dumps(padded).encode()

        headers = {"X-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        async with zalo.http.post(zalo.webhook_url, data=chunks(), headers=headers) as resp:
            assert resp.status == 413
        for raw in (b"{not json", b"", b"[1, 2]", b"\xff\xfe", b'"text"'):
            assert await zalo.post(None, raw=raw) == 400, raw
        # Well-formed but not a message we answer: acknowledged, ignored.
        assert await zalo.post({"ok": True, "result": {"event_name": "message.text.received"}}) == 200
        await zalo.channel.settle()
        assert zalo.api.sent == []
        sent = await Phone(zalo).say("xin chào")
        assert sent[0].text == T.WELCOME_STRANGER
    assert await answered_updates(deps) == 1  # the record that a message was handled


# --- (d) the same delivery twice -------------------------------------------------------------------------------
async def test_the_same_webhook_delivered_twice_is_handled_once(deps, monkeypatch):
    async with running(deps, monkeypatch) as zalo:
        body = text_update(USER, "xin chào")
        assert await zalo.post(body) == 200
        assert await zalo.post(body) == 200
        twice = text_update(USER, "chào lần nữa", envelope=False)
        statuses = await asyncio.gather(zalo.post(twice), zalo.post(twice))  # concurrently, other envelope
        assert statuses == [200, 200]
        await zalo.channel.settle()
        assert [s.text for s in zalo.api.sent] == [T.WELCOME_STRANGER, T.WELCOME_STRANGER]
        assert zalo.channel.stats["duplicates"] == 2
    assert await answered_updates(deps) == 2
    assert await count(deps, OutboxItem) == 2


# --- (e) polling -----------------------------------------------------------------------------------------------
async def test_polling_answers_an_update_between_idle_polls_and_stops_promptly(deps):
    delays: list[float] = []

    async def no_wait(seconds: float) -> None:
        delays.append(seconds)
        await asyncio.sleep(0)

    async with FakeZalo(idle_timeout=0.02) as api:
        api.webhook_url = "https://old.example/hook"
        settings = settings_for(deps, api, mode="polling")
        channel = ZaloChannel(Router(deps), deps, DEFAULT_TOKEN, settings, sleep=no_wait, poll_timeout=1)
        await channel.start()
        try:
            assert api.methods()[:2] == ["getMe", "deleteWebhook"] and api.webhook_url == ""
            await api.wait_for_idle_polls(2)  # HTTP 408: nothing new, poll again
            api.queue_update(text_update(USER, "xin chào"))
            sent = await api.wait_for_sent(1)
            assert (sent[0].chat_id, sent[0].text) == (USER, T.WELCOME_STRANGER)
            # Errors back off exponentially through the injected sleep, then polling resumes.
            api.fail_next_polls(3, 500)
            api.queue_update(text_update(USER, "/start SAI-MA"))
            await api.wait_for_sent(1)
            assert delays == [1.0, 2.0, 4.0]
            idle = api.idle_polls
            await api.wait_for_idle_polls(idle + 1)
        finally:
            await asyncio.wait_for(channel.stop(), timeout=3)  # safety net only: stop cancels the long poll
        polls = len([m for m in api.methods() if m == "getUpdates"])
        for _ in range(20):  # let any stray task run: none may poll again
            await asyncio.sleep(0)
        assert len([m for m in api.methods() if m == "getUpdates"]) == polls  # nothing polls after stop()
    assert channel.stats["received_text"] == 2


# --- (f) Zalo says the quota is used up, or fails ----------------------------------------------------------------
async def test_a_429_keeps_the_message_pending_and_it_is_sent_later_exactly_once(deps, monkeypatch, clock):
    async with running(deps, monkeypatch) as zalo:
        zalo.api.fail_next_sends(1, 429)
        assert await zalo.post(text_update(USER, "xin chào")) == 200
        await zalo.channel.settle()
        assert zalo.api.sent == []
        [item] = await outbox_items(deps)
        assert (item.status, item.attempts) == (outbox.PENDING, 0) and "429" in (item.error or "")
        zalo.channel.wake()
        assert await zalo.channel.settle() == 0  # still paused: the clock has not moved
        clock.advance(QUOTA_RETRY)
        zalo.channel.wake()
        sent = await zalo.api.wait_for_sent(1)
        await zalo.channel.settle()
        assert [s.text for s in sent] == [T.WELCOME_STRANGER]
        assert zalo.api.take_new() == []
        clock.advance(timedelta(hours=1))
        zalo.channel.wake()
        await zalo.channel.settle()
        assert zalo.api.take_new() == []
    [item] = await outbox_items(deps)
    assert (item.status, item.attempts) == (outbox.SENT, 1)


async def test_a_failed_send_is_retried_with_backoff_and_one_chats_order_is_kept(deps, monkeypatch, clock):
    async with running(deps, monkeypatch) as zalo:
        async with deps.store.session() as s:
            for text in ("một", "hai", "ba"):
                await outbox.enqueue(s, "zalo", "chat-a", clock.now(), text=text)
            await outbox.enqueue(s, "zalo", "chat-b", clock.now(), text="khác")
        zalo.api.fail_next_sends(1, 500)
        await zalo.channel.settle()
        assert [(s.chat_id, s.text) for s in zalo.api.take_new()] == [("chat-b", "khác")]
        clock.advance(outbox.backoff(1))
        zalo.channel.wake()
        await zalo.channel.settle()
        assert [s.text for s in zalo.api.take_new()] == ["một", "hai", "ba"]
        # A user who blocked the bot: marked blocked, their other messages not even tried.
        zalo.api.block("chat-c")
        async with deps.store.session() as s:
            for text in ("x", "y"):
                await outbox.enqueue(s, "zalo", "chat-c", clock.now(), text=text)
        await zalo.channel.settle()
    items = await outbox_items(deps)
    assert [i.status for i in items] == ["sent"] * 4 + ["blocked"] * 2
    assert items[0].attempts == 2
    assert zalo.api.methods().count("sendMessage") == 1 + 1 + 3 + 1


# --- (g) stickers, pictures and withheld content -------------------------------------------------------------------
async def test_a_sticker_or_a_picture_gets_the_menu_outside_a_flow_and_the_prompt_inside(deps, monkeypatch):
    async with running(deps, monkeypatch) as zalo:
        phone = await joined_phone(zalo, deps)
        for body in (sticker_update(USER), image_update(USER, caption="ảnh hộ"), unsupported_update(USER)):
            sent = await phone.send(body)
            assert len(sent) == 1 and sent[0].text.startswith(T.NOT_TEXT_MENU) and "Menu:" in sent[0].text
        await phone.say("/ghinhan")
        sent = await phone.send(sticker_update(USER, envelope=False))  # inside a flow: hint and the same prompt
        assert sent[0].text.startswith(T.TEXT_ONLY) and "\n1. " in sent[0].text


# --- (h) the monthly budget ------------------------------------------------------------------------------------
async def test_with_the_monthly_quota_used_nothing_is_sent_and_messages_wait_for_next_month(
    deps, monkeypatch, clock: FixedClock
):
    async with deps.store.session() as s:  # one message already went out this month
        item = await outbox.enqueue(s, "zalo", "someone", clock.now(), text="nhắc việc")
        assert item is not None
        outbox.mark_sent(item, clock.now())
    async with running(deps, monkeypatch, monthly_quota=1) as zalo:
        for user in ("u-1", "u-2"):
            assert await zalo.post(text_update(user, "xin chào")) == 200
        await zalo.channel.settle()
        assert zalo.api.sent == []
        pending = [i for i in await outbox_items(deps) if i.status == outbox.PENDING]
        next_month = quota.next_month_start(clock.now(), deps.config.tz)
        assert len(pending) == 2 and all(i.next_attempt_at == next_month and i.attempts == 0 for i in pending)
        clock.set(next_month)
        zalo.channel.wake()
        await zalo.channel.settle()
        [first] = zalo.api.take_new()  # next month's budget is one message too
        assert first.chat_id in ("u-1", "u-2")
    statuses = sorted(i.status for i in await outbox_items(deps))
    assert statuses == ["pending", "sent", "sent"]


async def test_reminders_and_notices_leave_the_share_kept_for_answers(deps, monkeypatch, clock: FixedClock):
    """Quota 3 with 1 kept for answers: messages the bot starts stop at 2 a month, answers may use the third."""
    now = clock.now()
    async with deps.store.session() as s:  # a reminder already went out this month
        item = await outbox.enqueue(s, "zalo", "u-1", now, text="nhắc việc")
        outbox.mark_sent(item, now)
    async with running(deps, monkeypatch, monthly_quota=3, reply_reserve=1) as zalo:
        async with deps.store.session() as s:
            for text in ("thông báo 1", "thông báo 2"):
                await outbox.enqueue(s, "zalo", "u-2", now, text=text)
        zalo.channel.wake()
        await zalo.channel.settle()
        assert [m.text for m in zalo.api.take_new()] == ["thông báo 1"]  # the second waits for next month
        assert await zalo.post(text_update("u-3", "xin chào")) == 200
        await zalo.channel.settle()
        [answer] = zalo.api.take_new()
        assert answer.chat_id == "u-3" and answer.text == T.WELCOME_STRANGER
    waiting = [i for i in await outbox_items(deps) if i.status == outbox.PENDING]
    assert [(i.text, i.next_attempt_at) for i in waiting] == [
        ("thông báo 2", quota.next_month_start(now, deps.config.tz))
    ]


# --- pictures and files by link --------------------------------------------------------------------------------
async def test_pictures_go_by_an_expiring_link_and_files_as_a_link_in_text(deps, monkeypatch, clock):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    webhook = ZaloWebhook(listen="127.0.0.1", port=port)
    async with running(deps, monkeypatch, public_base_url=base, webhook=webhook) as zalo:
        assert zalo.api.webhook_url == base + webhook.path and zalo.api.webhook_secret == SECRET
        replies = [
            Reply("Biểu đồ tiến độ", image=PNG),
            Reply("Báo cáo tháng", document=("bao-cao.xlsx", b"PK\x03\x04data")),
        ]
        messages = zalo.channel.outgoing(replies)
        assert [outbox.kind_of(m.attachment) for m in messages] == ["photo", "text"]
        async with deps.store.session() as s:
            for m in messages:
                await outbox.enqueue(s, "zalo", USER, clock.now(), text=m.text, attachment=m.attachment)
        await zalo.channel.settle()
        photo, text = zalo.api.take_new()
        assert (photo.method, photo.text) == ("sendPhoto", "Biểu đồ tiến độ")
        assert photo.photo is not None and photo.photo.startswith(base + "/media/")
        async with zalo.http.get(photo.photo) as resp:
            assert resp.status == 200 and resp.content_type == "image/png" and await resp.read() == PNG
        link = next(word for word in text.text.split() if word.startswith(base + "/media/"))
        assert "bao-cao.xlsx" in text.text
        async with zalo.http.get(link) as resp:
            assert resp.status == 200 and "attachment" in resp.headers["Content-Disposition"]
        async with zalo.http.get(base + "/media/not-a-token") as resp:
            assert resp.status == 404
        clock.advance(timedelta(minutes=zalo.channel.settings.link_ttl_minutes))
        async with zalo.http.get(photo.photo) as resp:
            assert resp.status == 404


async def test_without_a_public_address_pictures_and_files_become_a_short_note(deps, monkeypatch):
    async with running(deps, monkeypatch) as zalo:
        messages = zalo.channel.outgoing([Reply("Biểu đồ", image=PNG), Reply("", document=("a.csv", b"x"))])
    assert [outbox.kind_of(m.attachment) for m in messages] == ["text"]
    assert T.ZALO_PICTURE_NO_PUBLIC_URL in messages[0].text
    assert T.ZALO_FILE_NO_PUBLIC_URL.format(name="a.csv") in messages[0].text


async def test_the_webhook_app_runs_under_aiohttp_test_utilities_and_queues_answers(deps, monkeypatch):
    from aiohttp.test_utils import TestClient, TestServer

    settings = deps.config.channels.zalo.model_copy(update={"mode": "webhook"})
    monkeypatch.setenv(settings.secret_env, SECRET)
    channel = ZaloChannel(Router(deps), deps, DEFAULT_TOKEN, settings)  # not started: nothing is sent
    async with TestClient(TestServer(channel.build_webhook_app())) as client:
        path = settings.webhook.path
        resp = await client.post(path, json=text_update(USER, "xin chào"), headers={"X-Bot-Api-Secret-Token": SECRET})
        assert resp.status == 200
        assert (await client.post(path, json=text_update(USER, "x"))).status == 403
        assert (await client.get(path)).status == 405
        await channel.settle()
    [item] = await outbox_items(deps)
    assert (item.status, item.chat_ref, item.text) == (outbox.PENDING, USER, T.WELCOME_STRANGER)


async def test_polling_tells_the_administrator_once_that_production_should_use_the_webhook(deps, monkeypatch, caplog):
    """Zalo's documentation calls getUpdates a development tool: started that way, the bot says so once."""
    monkeypatch.setattr(zalo_module, "_polling_warned", False)
    caplog.set_level(logging.WARNING)
    async with running(deps, monkeypatch):  # webhook: nothing to say
        pass
    for _ in range(2):
        async with running(deps, monkeypatch, mode="polling"):
            pass
    notices = [r for r in caplog.records if r.getMessage() == T.ZALO_POLLING_IS_FOR_TESTING]
    assert len(notices) == 1 and notices[0].levelno == logging.WARNING


# --- the team's group chat (channels.zalo.groups) ---------------------------------------------------------------
ZALO_GROUP = "9f0c1a2b3c4d5e6f7a8b"


async def _joined_leader(zalo: Zalo, deps: Deps) -> Phone:
    phone = Phone(zalo, USER)
    code = await new_code(deps, Role.LEADER, "T01", name="Tổ trưởng Hà")
    sent = await phone.say(f"/start {code}")
    assert "Chào mừng" in sent[0].text
    return phone


async def test_a_leader_links_the_zalo_group_and_confirms_with_a_typed_yes(deps, monkeypatch):
    async with running(deps, monkeypatch, groups=True) as zalo:
        leader = await _joined_leader(zalo, deps)
        sent = await leader.send(text_update(USER, "/nhom", chat_id=ZALO_GROUP, chat_type="GROUP"))
        by_chat = {s.chat_id: s.text for s in sent}
        assert by_chat[ZALO_GROUP] == T.GROUP_ASKED_LEADER.format(name="Tổ trưởng Hà")
        assert by_chat[USER].startswith(T.GROUP_LINK_ASK.split("{")[0])
        assert f"1. {T.GROUP_LINK_BTN_YES}" in by_chat[USER]  # no buttons on Zalo: a numbered list
        sent = await leader.say("oke")
        assert {s.chat_id for s in sent} == {USER, ZALO_GROUP}
        assert [s.text for s in sent if s.chat_id == ZALO_GROUP] == [T.GROUP_LINKED_NOTICE.format(team="Thôn Đông Tạ")]
        async with deps.store.session() as s:
            link = (await s.exec(select(TeamChat))).one()
        assert (link.channel, link.chat_ref, link.active) == ("zalo", ZALO_GROUP, True)
        # chatter in the group: stored and answered with silence
        assert await zalo.post(text_update(USER, "2", chat_id=ZALO_GROUP, chat_type="GROUP")) == 200
        assert await zalo.post(sticker_update("someone", chat_id=ZALO_GROUP, chat_type="GROUP")) == 200
        await zalo.channel.settle()
        assert zalo.api.take_new() == []


async def test_zalo_group_messages_are_ignored_while_groups_are_off(deps, monkeypatch):
    async with running(deps, monkeypatch) as zalo:
        await _joined_leader(zalo, deps)
        assert await zalo.post(text_update(USER, "/nhom", chat_id=ZALO_GROUP, chat_type="GROUP")) == 200
        await zalo.channel.settle()
        assert zalo.api.take_new() == []
        assert zalo.channel.stats["ignored"] == 1
