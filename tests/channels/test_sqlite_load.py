"""Load on one database: 50 Zalo chats talking at once while staff broadcast to all of them and the sender drains.

The real ZaloChannel (webhook mode) against the fake Zalo API, on SQLite (a file in WAL mode, as in production)
and on PostgreSQL (20 chats there). Each member joins with an invite code, logs a visit step by step (a household
picked from the list, its consent, a skill, save) and reads their progress; every fifth also logs a visit in one
line (/gn). Meanwhile staff read the commune overview and send a broadcast to all of them. Every message must be
answered (no apology), every outbox row sent exactly once, no log record may name a locked database (nor any be an
error), and every visit must be saved.

SQLite's busy timeout is scaled down (to 500 ms) with the work: this database is small, so a message reads for a
few ms where a commune's database reads for tens to hundreds (a staff overview: ~400 ms). Before the fix, when a
message held the write lock from its first statement (its dedup record) to its commit and the sender's mark could
fail, runs of this test saw 21-25 "database is locked" errors, 11-13 apologies, 2 messages sent twice and 4-8
chats left with no answer at all (the apology could not be queued either); at the production timeout, this small
database's waits stayed short enough to see none.

Time is the injected clock (it stands still, so every queued message is due at once); the concurrency is real
(asyncio tasks over real HTTP and real database connections). The test waits for the bot's answers, with a
generous timeout only as a safety net against a hung bot.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import pytest
from sqlmodel import func, select

from bot import texts as T
from bot.channels.outlet import with_reply_word
from bot.channels.zalo import ZaloChannel
from bot.core.messages import OutMessage
from bot.core.roles import Role
from bot.handlers.router import Router
from bot.services import households, outbox
from bot.services.deps import Deps
from bot.services.households import NewHousehold
from bot.store import db
from bot.store.models import Broadcast, BroadcastRecipient, OutboxItem, Visit
from tests.channels.test_zalo_e2e import SECRET, Zalo, settings_for
from tests.chat import new_code
from tests.fakes.zalo_api import DEFAULT_TOKEN, FakeZalo, Sent, text_update

MEMBERS = 50
# PostgreSQL has no database-wide write lock to contend for: fewer chats show the rest (every message answered,
# every row sent once while the sender and the router run side by side) in less time.
PG_MEMBERS = 20
TEAMS = ("T01", "T02", "T03", "T04", "T05")
SCALED_BUSY_TIMEOUT_MS = 500  # see the module docstring
STAFF = "5a5a5a5a5a5a5a5a5a5a"
NOTICE = "Chủ nhật này cả xã ra quân hỗ trợ người dân cài VNeID, mời các tổ tham gia."
NOTICE_HEAD = T.BROADCAST_MESSAGE.split("{", 1)[0]  # "📢 Thông báo của "
ANSWER_TIMEOUT = 20.0  # a safety net against a hung bot, not a wait for time
RETRIES = 3  # a member who gets the apology sends the same line again, as people do
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Giang")
CONSENT = "Hộ có đồng ý không?"
ONE_LINERS = 5  # every fifth member also logs a second visit in one line (/gn)


def is_notice(sent: Sent) -> bool:
    return sent.text.startswith(NOTICE_HEAD)


class LoadZalo(FakeZalo):
    """The fake API, indexing each chat's answers (broadcast notices apart) so a chat can wait for its next one."""

    def __init__(self) -> None:
        super().__init__()
        self._answers: dict[str, list[str]] = {}
        self._indexed = 0

    def answers(self, chat: str) -> list[str]:
        for sent in self.sent[self._indexed :]:
            if not is_notice(sent):
                self._answers.setdefault(sent.chat_id, []).append(sent.text)
        self._indexed = len(self.sent)
        return self._answers.get(chat, [])

    async def next_answer(self, chat: str, seen: int) -> str:
        """The chat's answer after the first `seen`, as soon as the bot has sent it."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.answers(chat)) > seen), ANSWER_TIMEOUT)
        return self.answers(chat)[seen]


@asynccontextmanager
async def running(deps: Deps, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Zalo, LoadZalo]]:
    """The channel by webhook against a LoadZalo, as test_zalo_e2e.running does against a FakeZalo."""
    api = LoadZalo()
    async with api, aiohttp.ClientSession() as http:
        settings = settings_for(deps, api)
        monkeypatch.setenv(settings.secret_env, SECRET)
        channel = ZaloChannel(Router(deps), deps, DEFAULT_TOKEN, settings)
        await channel.start()
        try:
            hook = settings.webhook
            yield Zalo(api, channel, http, f"http://{hook.listen}:{hook.port}{hook.path}"), api
        finally:
            await channel.stop()


@dataclass
class Tally:
    apologies: int = 0


@dataclass
class Phone:
    zalo: Zalo
    api: LoadZalo
    user: str
    tally: Tally

    async def say(self, text: str) -> str:
        """Send a line and return the bot's answer; on the apology, send it again (a few times)."""
        for _ in range(RETRIES + 1):
            seen = len(self.api.answers(self.user))
            assert await self.zalo.post(text_update(self.user, text)) == 200
            answer = await self.api.next_answer(self.user, seen)
            if answer != T.INTERNAL_ERROR:
                return answer
            self.tally.apologies += 1
        return answer


def household(index: int) -> tuple[str, str]:
    return f"{SURNAMES[index % 10]} Văn {GIVEN[index // 10]}", f"Xóm {index % 9 + 1}"


class Barrier:
    """Everyone has tried to join (a failed join fails the test instead of hanging it)."""

    def __init__(self, parties: int) -> None:
        self.left = parties
        self.open = asyncio.Event()

    def arrived(self) -> None:
        self.left -= 1
        if self.left == 0:
            self.open.set()


async def consented(phone: Phone, answer: str) -> str:
    """The household's consent, asked at its first visit (the list was imported), given when asked."""
    return await phone.say("dong y") if CONSENT in answer else answer


async def member_talks(phone: Phone, code: str, index: int, joined: Barrier) -> None:
    name, address = household(index)
    try:
        assert "Chào mừng" in await phone.say(f"/start {code}")
    finally:
        joined.arrived()
    await joined.open.wait()
    assert "\n1. " in await phone.say("ghi nhan")  # the thôn's households
    answer = await consented(phone, await phone.say("1"))  # the newest: several members may visit it at once
    assert "\n0. " in answer, answer  # the skills, ticked one by one, then 0
    await phone.say("1 0")
    assert "Đã lưu lượt" in await phone.say("1")
    assert "Tiến độ của bạn" in await phone.say("/tiendo")
    if index % ONE_LINERS == 0:
        answer = await phone.say(f"/gn {name.lower()}, {address.lower()}: vneid dvc 2 nguoi")
        answer = await consented(phone, answer)
        assert "Kiểm tra lại" in answer, answer
        assert "Đã lưu lượt" in await phone.say("luu")


async def staff_broadcasts(phone: Phone, code: str, joined: Barrier, members: int) -> None:
    try:
        assert "Chào mừng" in await phone.say(f"/start {code}")
    finally:
        joined.arrived()
    await joined.open.wait()
    await phone.say("/tiendo")
    await phone.say("/thongbao")
    await phone.say("1")  # cả xã
    preview = await phone.say(NOTICE)
    assert f"{members} người nhận" in preview, preview
    assert "Đã gửi thông báo" in await phone.say("1")


def lock_errors(caplog: pytest.LogCaptureFixture) -> int:
    formatter = logging.Formatter()
    found = 0
    for record in caplog.records:
        text = record.getMessage() + (formatter.formatException(record.exc_info) if record.exc_info else "")
        found += "database is locked" in text
    return found


async def test_fifty_chats_and_a_broadcast_at_once_lose_nothing_and_send_nothing_twice(
    deps: Deps, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", SCALED_BUSY_TIMEOUT_MS)  # read by each new connection
    await deps.store.engine.dispose()  # the fixture's connections were opened with the default
    tally = Tally()
    members = MEMBERS if db.is_sqlite(deps.store.url) else PG_MEMBERS
    users = [f"{index:04x}{'ab' * 8}" for index in range(members)]
    codes = [await new_code(deps, Role.MEMBER, TEAMS[i % len(TEAMS)], name=f"Tổ viên {i}") for i in range(members)]
    staff_code = await new_code(deps, Role.STAFF, None, name="Cán bộ Hoa")
    async with deps.store.session() as s:  # the thôn's household list, imported before
        for i in range(members):
            await households.create(s, TEAMS[i % len(TEAMS)], NewHousehold(*household(i)), None, deps.clock.now(), None)
    joined = Barrier(members + 1)
    async with running(deps, monkeypatch) as (zalo, api):
        phones = [Phone(zalo, api, user, tally) for user in users]
        talks = [member_talks(p, codes[i], i, joined) for i, p in enumerate(phones)]
        staff = staff_broadcasts(Phone(zalo, api, STAFF, tally), staff_code, joined, members)
        results = await asyncio.gather(staff, *talks, return_exceptions=True)
        await zalo.channel.settle()
        sent = list(api.sent)

    async with deps.store.session() as s:
        rows = list((await s.exec(select(OutboxItem))).all())
        visits = (await s.exec(select(func.count()).select_from(Visit))).one()
        broadcast = (await s.exec(select(Broadcast))).one_or_none()
        recipients = (await s.exec(select(func.count()).select_from(BroadcastRecipient))).one()
    by_row = Counter((r.chat_ref, with_reply_word(OutMessage(r.text, ack=r.payload.get(outbox.ACK)))) for r in rows)
    by_send = Counter((m.chat_id, m.text) for m in sent)
    twice, never = sum((by_send - by_row).values()), sum((by_row - by_send).values())
    failures = [r for r in results if isinstance(r, BaseException)]
    retries = sum("database was busy" in r.getMessage() for r in caplog.records)
    summary = (
        f"lock errors {lock_errors(caplog)}, apologies {tally.apologies}, sent twice {twice}, never sent {never}, "
        f"unsent rows {sum(r.status != outbox.SENT for r in rows)}, visits {visits}, failed chats {len(failures)}, "
        f"messages {len(sent)}, busy retries {retries}"
    )
    assert not failures, (summary, failures[:3])
    assert lock_errors(caplog) == 0, summary
    assert tally.apologies == 0 and T.INTERNAL_ERROR not in {m.text for m in sent}, summary
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], summary
    assert twice == 0 and never == 0, summary
    assert all(r.status == outbox.SENT for r in rows), summary
    assert visits == members + len(range(0, members, ONE_LINERS)), summary
    assert broadcast is not None and broadcast.recipient_count == members and recipients == members
    notices = Counter(m.chat_id for m in sent if is_notice(m))
    assert notices == dict.fromkeys(users, 1), summary  # each member got the notice exactly once
