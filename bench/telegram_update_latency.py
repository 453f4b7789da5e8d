"""How long the Telegram channel takes per update, end to end, on a temporary database.

The real TelegramChannel (python-telegram-bot, long polling) talks to the fake Bot API server from the tests.
A simulated member joins, adds one household, then logs N repeat visits of 5 updates each (menu → household →
skill → Xong → Lưu). Each update is timed from the moment the fake server queues it to the moment it receives
the bot's answer, so the figure covers polling, the router, the database and the reply.

    .venv/bin/python bench/telegram_update_latency.py --n 200
    .venv/bin/python bench/telegram_update_latency.py --pg postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

With --pg, a temporary database is created on that server (the URL names a database to connect to for
CREATE/DROP DATABASE) and dropped afterwards.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bench.common import database, latency_row, parse_args, print_table  # noqa: E402
from bot import texts as T  # noqa: E402
from bot.channels.telegram import TelegramChannel  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.core.clock import SystemClock  # noqa: E402
from bot.core.roles import Role  # noqa: E402
from bot.handlers.router import Router  # noqa: E402
from bot.services import invites  # noqa: E402
from bot.services.deps import Deps  # noqa: E402
from bot.store.db import Store  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram, QueuedUpdate, Sent  # noqa: E402

STEPS = ("menu", "household", "skill", "done", "save")
HEAD_NAME = "Nguyen Van Bench"
SKILL = "Cài đặt VNeID"


@dataclass
class Timings:
    per_step: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})
    wall: float = 0.0

    @property
    def all(self) -> list[float]:
        return [ms for values in self.per_step.values() for ms in values]


class Member:
    """One simulated Telegram user; every action waits for the bot's single answer and is timed."""

    def __init__(self, tg: FakeTelegram, user_id: int) -> None:
        self.tg = tg
        self.user = user_id

    async def act(self, action: Callable[[], QueuedUpdate], expect: int = 1) -> tuple[float, list[Sent]]:
        update = action()
        sent = await self.tg.wait_for_sent(expect, timeout=30.0)
        return (sent[-1].at - update.queued_at) * 1000.0, sent

    async def say(self, text_: str, expect: int = 1) -> tuple[float, list[Sent]]:
        return await self.act(lambda: self.tg.user_sends_text(self.user, text_), expect)

    async def tap(self, label: str, exact: bool = False) -> tuple[float, list[Sent]]:
        return await self.act(lambda: self.tg.press(self.user, label, exact=exact))


async def _setup_member(deps: Deps, member: Member) -> None:
    async with deps.store.session() as session:
        _, code = await invites.create(session, deps.clock.now(), timedelta(hours=1), Role.MEMBER, "T01", "Bench")
    _, sent = await member.say(f"/start {code}")
    assert "Chào mừng" in sent[-1].text, sent[-1].text
    await member.say("/ghinhan")
    await member.tap("Thêm hộ mới")
    await member.say(HEAD_NAME)
    await member.say("Xom 3")
    await member.tap(T.SKIP_LABEL)
    await member.tap(T.DONE_LABEL, exact=True)
    await member.tap(T.CONSENT_YES, exact=True)
    await member.tap(SKILL)
    await member.tap(T.DONE_LABEL, exact=True)
    _, sent = await member.tap(T.BTN_SAVE, exact=True)
    assert "Đã lưu lượt" in sent[-1].text, sent[-1].text


async def _repeat_visit(member: Member, timings: Timings) -> None:
    actions: list[Callable[[], Awaitable[tuple[float, list[Sent]]]]] = [
        lambda: member.say(T.MENU_LOG),
        lambda: member.tap(HEAD_NAME),
        lambda: member.tap(SKILL),
        lambda: member.tap(T.DONE_LABEL, exact=True),
        lambda: member.tap(T.BTN_SAVE, exact=True),
    ]
    for step, action in zip(STEPS, actions, strict=True):
        ms, sent = await action()
        timings.per_step[step].append(ms)
    assert "Đã lưu lượt" in sent[-1].text, sent[-1].text


async def run(url: str, n: int) -> Timings:
    config = load_config(ROOT / "config.yaml")
    deps = Deps(config=config, store=Store(url), clock=SystemClock())
    tg = FakeTelegram()
    await tg.start()
    channel: TelegramChannel | None = None
    try:
        settings = config.channels.telegram.model_copy(update={"base_url": tg.base_url, "mode": "polling"})
        channel = TelegramChannel(Router(deps), deps, tg.token, settings, poll_interval=0.0)
        await channel.start()
        member = Member(tg, random.randint(10**8, 10**9))
        await _setup_member(deps, member)
        timings = Timings()
        started = time.perf_counter()
        for _ in range(n):
            await _repeat_visit(member, timings)
        timings.wall = time.perf_counter() - started
        return timings
    finally:
        if channel is not None:
            await channel.stop()
        await tg.stop()
        await deps.store.close()


def print_report(backend: str, n: int, timings: Timings) -> None:
    print_table(
        [
            f"Telegram update latency — backend {backend}, {n} repeat visits × {len(STEPS)} updates",
            "(from the fake Bot API queueing the update to it receiving the bot's reply)",
        ],
        [
            [latency_row(step, timings.per_step[step]) for step in STEPS],
            [latency_row("all", timings.all, timings.wall)],
        ],
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], "repeat visits to drive (5 updates each)", argv)
    with database(args.pg) as (backend, url):
        timings = asyncio.run(run(url, args.n))
    print_report(backend, args.n, timings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
