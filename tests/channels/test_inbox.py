"""Nothing a user sent is dropped: an update is stored (the inbox) before the platform is told it arrived, and a bot
killed before answering answers it at its next start, once. On SQLite and PostgreSQL, against the fake APIs.

A kill is played by a first bot that stops at the worst moment: on Zalo the webhook has answered 200 and the
router is still working when the process goes (its task is cancelled, its transaction rolled back); on Telegram
the update was fetched and confirmed to Telegram (the next getUpdates) and never handled.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlmodel import col, func, select

from bot import texts as T
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.core.clock import FixedClock
from bot.handlers.router import Deliver, Handled, Router
from bot.scheduler import prune_processed_messages
from bot.services import inbox, outbox
from bot.services.deps import Deps
from bot.store.models import InboxItem, OutboxItem
from tests.channels.test_zalo_e2e import SECRET, USER, Zalo, free_port, settings_for
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import DEFAULT_TOKEN, FakeZalo, text_update


class StuckRouter(Router):
    """A router that never finishes a message: the process is killed while it works."""

    def __init__(self, deps: Deps) -> None:
        super().__init__(deps)
        self.entered = asyncio.Event()

    async def handle(self, inbound: Any, deliver: Deliver | None = None, record: Any = None) -> Handled:
        self.entered.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def stored(deps: Deps) -> int:
    async with deps.store.session() as s:
        unanswered = col(InboxItem.answered_at).is_(None)
        return int((await s.exec(select(func.count()).select_from(InboxItem).where(unanswered))).one())


async def test_a_zalo_message_acknowledged_before_a_kill_is_answered_after_the_restart(deps, monkeypatch):
    monkeypatch.setenv(deps.config.channels.zalo.secret_env, SECRET)
    async with FakeZalo() as api, aiohttp.ClientSession() as http:
        settings = settings_for(deps, api)
        hook = settings.webhook
        url = f"http://{hook.listen}:{hook.port}{hook.path}"
        stuck = StuckRouter(deps)
        first = ZaloChannel(stuck, deps, DEFAULT_TOKEN, settings)
        await first.start()
        zalo = Zalo(api, first, http, url)
        assert await zalo.post(text_update(USER, "xin chào")) == 200
        assert await stored(deps) == 1  # stored before the 200
        await asyncio.wait_for(stuck.entered.wait(), 20)
        for task in list(first._tasks):  # the kill: the work in hand is gone, its transaction rolled back
            task.cancel()
        await first.stop()
        assert api.sent == [] and await stored(deps) == 1

        second = ZaloChannel(Router(deps), deps, DEFAULT_TOKEN, settings)
        await second.start()
        try:
            await second.settle()
            assert [s.text for s in api.sent] == [T.WELCOME_STRANGER]
            assert second.stats["replayed"] == 1
            assert await zalo.post(text_update(USER, "xin chào")) == 200  # a new message is answered as usual
            await second.settle()
        finally:
            await second.stop()
    assert [s.text for s in api.sent] == [T.WELCOME_STRANGER] * 2
    assert await stored(deps) == 0  # every answered update is forgotten


async def test_a_zalo_webhook_that_cannot_be_stored_is_not_acknowledged(deps, monkeypatch):
    monkeypatch.setenv(deps.config.channels.zalo.secret_env, SECRET)

    async def refuse(*_: Any, **__: Any) -> bool:
        raise OSError("the database is gone")

    async with FakeZalo() as api, aiohttp.ClientSession() as http:
        settings = settings_for(deps, api)
        channel = ZaloChannel(Router(deps), deps, DEFAULT_TOKEN, settings)
        await channel.start()
        hook = settings.webhook
        zalo = Zalo(api, channel, http, f"http://{hook.listen}:{hook.port}{hook.path}")
        try:
            monkeypatch.setattr(inbox, "keep_all", refuse)
            assert await zalo.post(text_update(USER, "xin chào")) == 503  # Zalo may send it again
            await channel.settle()
            assert api.sent == []
        finally:
            await channel.stop()


class DroppingChannel(TelegramChannel):
    """Fetches and confirms updates, then is killed before handling any."""

    async def _on_update(self, update: Any, context: Any) -> None:
        return None


async def test_a_telegram_update_confirmed_before_a_kill_is_answered_after_the_restart(deps: Deps) -> None:
    async with FakeTelegram() as api:
        settings = deps.config.channels.telegram.model_copy(update={"base_url": api.base_url, "mode": "polling"})
        first = DroppingChannel(Router(deps), deps, api.token, settings, poll_timeout=0.5)
        await first.start()
        api.user_sends_text(7_300_001, "xin chào")
        await api.wait_until(lambda: len(api.calls_to("getUpdates")) >= 2)  # the second confirms the first batch
        await first.stop()
        assert api.received(7_300_001) == []
        assert await stored(deps) == 1

        second = TelegramChannel(Router(deps), deps, api.token, settings, poll_timeout=0.5)
        await second.start()
        try:
            [answer] = await api.wait_for_sent(1)
            assert answer.text == T.WELCOME_STRANGER
        finally:
            await second.stop()
    assert await stored(deps) == 0
    async with deps.store.session() as s:  # the answer went through the outbox, once
        assert [row.status for row in (await s.exec(select(OutboxItem))).all()] == [outbox.SENT]


async def test_an_update_that_fails_at_every_start_is_dropped_after_three(deps: Deps, caplog: Any) -> None:
    body = {"text": "Nguyễn Thị Bí Mật 0912345678"}
    assert await inbox.keep_all(deps.store, "zalo", [("m1", body), ("m2", body)], deps.clock.now()) == {"m1", "m2"}
    assert await inbox.keep_all(deps.store, "zalo", [("m1", body)], deps.clock.now()) == set()  # a redelivery
    async with deps.store.session() as s:
        assert await inbox.answered(s, "zalo", "m2", deps.clock.now())  # answered: not replayed
    for _ in range(inbox.MAX_REPLAYS):
        async with deps.store.session() as s:
            assert [r.update_ref for r in await inbox.waiting(s, "zalo")] == ["m1"]
    async with deps.store.session() as s:
        assert await inbox.waiting(s, "zalo") == []
    assert "never answered" in caplog.text and "Bí Mật" not in caplog.text and "0912345678" not in caplog.text


async def test_an_answered_update_is_kept_without_its_body_as_the_record_that_it_was_handled(
    deps: Deps, clock: FixedClock
) -> None:
    body = {"text": "Nguyễn Thị Bí Mật 0912345678"}
    assert await inbox.keep_all(deps.store, "zalo", [("m1", body)], clock.now()) == {"m1"}
    async with deps.store.session() as s:
        assert await inbox.answered(s, "zalo", "m1", clock.now())
        assert not await inbox.answered(s, "zalo", "m1", clock.now())  # a second handling is a duplicate
    assert await inbox.keep_all(deps.store, "zalo", [("m1", body)], clock.now()) == set()  # a late redelivery
    async with deps.store.session() as s:
        [row] = (await s.exec(select(InboxItem))).all()
        assert row.body == {} and row.answered_at is not None
        assert await inbox.waiting(s, "zalo") == []
    clock.advance(inbox.RETENTION + timedelta(minutes=1))
    assert await inbox.keep_all(deps.store, "zalo", [("m2", body)], clock.now()) == {"m2"}
    assert await prune_processed_messages(deps) == 1  # the answered one; the waiting one stays
    async with deps.store.session() as s:
        assert [r.update_ref for r in (await s.exec(select(InboxItem))).all()] == ["m2"]


async def test_a_telegram_webhook_update_is_stored_before_its_200_and_answered_once(
    deps: Deps, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    base = deps.config.channels.telegram
    monkeypatch.setenv(base.secret_env, SECRET)
    hook = base.webhook.model_copy(update={"port": port, "url": "https://bot.example.vn/tg/hook"})
    async with FakeTelegram() as api, aiohttp.ClientSession() as http:
        settings = base.model_copy(update={"base_url": api.base_url, "mode": "webhook", "webhook": hook})
        channel = TelegramChannel(Router(deps), deps, api.token, settings)
        await channel.start()
        try:
            [registered] = api.calls_to("setWebhook")
            assert registered.params["url"] == hook.url and registered.params["secret_token"] == SECRET
            update = api.user_sends_text(7_300_002, "xin chào")
            body = {"update_id": update.update_id, **update.payload}

            async def post(secret: str) -> int:
                headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
                async with http.post(f"http://127.0.0.1:{port}/tg/hook", json=body, headers=headers) as resp:
                    return resp.status

            assert await post("not-the-secret") == 403
            assert await stored(deps) == 0
            assert await post(SECRET) == 200
            [answer] = await api.wait_for_sent(1)
            assert answer.text == T.WELCOME_STRANGER
            assert await post(SECRET) == 200  # Telegram sends it again (it missed our 200): not answered twice
            async with deps.store.session() as s:
                assert [row.status for row in (await s.exec(select(OutboxItem))).all()] == [outbox.SENT]
        finally:
            await channel.stop()
    assert len(api.received(7_300_002)) == 1
    assert await stored(deps) == 0
