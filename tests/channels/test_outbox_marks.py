"""A sender's mark that cannot be committed after the message went out: the message is not sent twice, and the
failure is logged (row id only), never silent. The Zalo sender and the Telegram sender, on SQLite and PostgreSQL.

Two faults, both at the moment the sender writes its mark (the UPDATE of the outbox row): another connection
takes SQLite's write lock and holds it past the busy timeout (as a long writer would; the timeout is shortened so
that the test does not wait seconds), or the write fails as when the connection drops (both backends).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine.url import make_url
from sqlmodel import select
from telegram import Bot

from bot.channels.sender import OutboxSender
from bot.channels.telegram import TelegramOutlet
from bot.services import outbox
from bot.services.deps import Deps
from bot.store import db
from bot.store.models import OutboxItem
from tests.channels.test_telegram_sender import VirtualTime
from tests.channels.test_zalo_e2e import USER, running
from tests.fakes.telegram_api import FakeTelegram

TEXT = "Nhắc: tổ nộp báo cáo tháng trước ngày 25."
TELEGRAM_CHAT = 7_300_001
BUSY_TIMEOUT_MS = 20  # how long the sender's write waits for the lock here (production: 5 s)
BUSY_PAUSE = 0.002  # and the first pause before it tries again (production: 50 ms, doubled at each retry)


class Fault:
    """Makes the next writes of outbox rows fail: `lock` takes SQLite's write lock from another connection just
    before the first one and holds it until `release()`; `error` raises in place of the statement, `times` times
    (None: until `release()`)."""

    def __init__(self, deps: Deps, kind: str, times: int | None = None) -> None:
        self.url = deps.store.url
        self.engine = deps.store.engine.sync_engine
        self.kind, self.times = kind, times
        self.hits = 0
        self.active = True
        self._holder: sqlite3.Connection | None = None

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not self.active or not statement.lstrip().upper().startswith("UPDATE OUTBOX"):
            return
        self.hits += 1
        if self.kind == "lock":
            if self._holder is None:
                self._holder = sqlite3.connect(make_url(self.url).database or "", isolation_level=None)
                self._holder.execute("BEGIN IMMEDIATE")  # the write lock of the whole database file
            return
        if self.times is None or self.hits <= self.times:
            raise ConnectionResetError("the connection to the database was lost")

    def release(self) -> None:
        self.active = False
        if self._holder is not None:
            self._holder.rollback()
            self._holder.close()
            self._holder = None

    @contextmanager
    def installed(self) -> Iterator[Fault]:
        event.listen(self.engine, "before_cursor_execute", self._before)
        try:
            yield self
        finally:
            event.remove(self.engine, "before_cursor_execute", self._before)
            self.release()


@pytest.fixture(params=["lock", "error"])
async def fault(request: pytest.FixtureRequest, deps: Deps, monkeypatch: pytest.MonkeyPatch) -> Fault:
    if request.param == "lock":
        if not db.is_sqlite(deps.store.url):
            pytest.skip("PostgreSQL has no database-wide write lock; the injected error covers it")
        monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)
        monkeypatch.setattr(db, "BUSY_PAUSE", BUSY_PAUSE)
        await deps.store.engine.dispose()  # new connections take the short timeout
    return Fault(deps, request.param)


async def rows(deps: Deps) -> list[OutboxItem]:
    async with deps.store.session() as s:
        return list((await s.exec(select(OutboxItem).order_by(OutboxItem.id))).all())


async def queue(deps: Deps, channel: str, chat: str) -> int:
    async with deps.store.session() as s:
        item = await outbox.enqueue(s, channel, chat, deps.clock.now(), text=TEXT)
    assert item is not None and item.id is not None
    return item.id


async def drain(drain_once: Any) -> BaseException | None:
    """One pass, as the sender's loop runs it: an error that escapes is logged there and the pass tried again."""
    try:
        await drain_once()
    except Exception as exc:
        return exc
    return None


def bot_logs(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("bot") and r.levelno >= level]


@dataclass
class Case:
    """One sender under test: how to run a pass, and how many messages reached its chat."""

    channel: str
    chat: str
    drain_once: Any
    sends: Any


@asynccontextmanager
async def zalo_sender(deps: Deps, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Case]:
    async with running(deps, monkeypatch) as zalo:
        yield Case("zalo", USER, zalo.channel.drain_once, lambda: [s.text for s in zalo.api.sent])


@asynccontextmanager
async def telegram_sender(deps: Deps, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Case]:
    vt = VirtualTime()
    async with FakeTelegram(now=vt.monotonic) as api:
        bot = Bot(api.token, base_url=api.base_url)
        await bot.initialize()
        try:
            sender = OutboxSender(deps, [TelegramOutlet(bot)], monotonic=vt.monotonic, sleep=vt.sleep)
            yield Case("telegram", str(TELEGRAM_CHAT), sender.drain_once, lambda: api.received(TELEGRAM_CHAT))
        finally:
            await bot.shutdown()


SENDERS = {"zalo": zalo_sender, "telegram": telegram_sender}


@pytest.mark.parametrize("sender", list(SENDERS))
async def test_a_sent_mark_that_cannot_be_written_is_kept_and_the_message_is_not_sent_again(
    sender: str, fault: Fault, deps: Deps, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with SENDERS[sender](deps, monkeypatch) as case:
        row_id = await queue(deps, case.channel, case.chat)
        with fault.installed():
            first = await drain(case.drain_once)  # sent; the mark's commit fails, then its rewrite too
            [row] = await rows(deps)
            assert row.status == outbox.PENDING  # not recorded yet ...
            again = await drain(case.drain_once)  # ... and the database still refuses it
            assert len(case.sends()) == 1  # ... yet not sent again
            errors = bot_logs(caplog, logging.ERROR)
            assert any(f"outbox row {row_id}:" in e and "could not be written" in e for e in errors), errors
            fault.release()  # the long writer is done / the connection is back
            last = await drain(case.drain_once)
        [row] = await rows(deps)
        assert len(case.sends()) == 1
    assert (row.status, row.attempts) == (outbox.SENT, 1) and row.sent_at is not None
    assert (first, again, last) == (None, None, None)  # no pass failed: the sender carried on
    for line in bot_logs(caplog, logging.INFO):  # the row id only: no text, no chat
        assert TEXT not in line and case.chat not in line, line


@pytest.mark.parametrize("sender", list(SENDERS))
async def test_a_sent_mark_whose_commit_failed_once_is_written_again_at_once(
    sender: str, deps: Deps, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with SENDERS[sender](deps, monkeypatch) as case:
        row_id = await queue(deps, case.channel, case.chat)
        with Fault(deps, "error", times=1).installed():
            assert await drain(case.drain_once) is None
            [row] = await rows(deps)
            assert await drain(case.drain_once) is None
        assert len(case.sends()) == 1
    assert (row.status, row.attempts) == (outbox.SENT, 1)
    warnings = bot_logs(caplog, logging.WARNING)
    assert any(f"outbox row {row_id}:" in w and "not committed" in w for w in warnings), warnings
    assert not bot_logs(caplog, logging.ERROR)
