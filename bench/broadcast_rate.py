"""How close a broadcast gets to Telegram's sending limit without being refused.

A broadcast to N members (default 2,000), each with a Telegram chat, is queued in the outbox, then the real
TelegramSender drains it into the fake Bot API server from the tests, which enforces Telegram's limit as a
sliding window: more than --limit (default 30) sends in any one second are answered 429 "retry after 1".
The table gives the achieved rate (messages from the first send to the last) as a share of the limit, the
429s received, and the time to queue the broadcast.

    .venv/bin/python bench/broadcast_rate.py
    .venv/bin/python bench/broadcast_rate.py --pg postgresql+asyncpg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from sqlmodel import func, select  # noqa: E402
from telegram import Bot  # noqa: E402

from bench.common import database  # noqa: E402
from bot.channels.sender import OutboxSender  # noqa: E402
from bot.channels.telegram import TelegramOutlet  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.core.clock import VN_TZ, FixedClock  # noqa: E402
from bot.services import broadcasts, outbox  # noqa: E402
from bot.services.deps import Deps  # noqa: E402
from bot.store.db import Store  # noqa: E402
from bot.store.models import ChannelIdentity, Member, OutboxItem  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402

HEADER = ["backend", "recipients", "limit/s", "queue s", "send s", "msgs/s", "% of limit", "429s", "sent", "pending"]
FIRST_CHAT = 8_000_000
DAYTIME = datetime(2026, 11, 23, 9, 0, tzinfo=VN_TZ)  # outside quiet hours: the broadcast goes at once


async def add_members(store: Store, n: int) -> list[int]:
    now = datetime.now(UTC)
    people = [
        {"display_name": f"Tổ viên {i}", "role": "member", "team_code": "T01", "active": True, "created_at": now}
        for i in range(n)
    ]
    async with store.engine.begin() as conn:
        await conn.execute(insert(Member.__table__), people)  # type: ignore[attr-defined]
        ids = [row[0] for row in await conn.execute(select(Member.id).order_by(Member.id))]
        rows = [
            {"channel": "telegram", "user_ref": str(FIRST_CHAT + i), "chat_ref": str(FIRST_CHAT + i), "member_id": m}
            | {"created_at": now}
            for i, m in enumerate(ids)
        ]
        await conn.execute(insert(ChannelIdentity.__table__), rows)  # type: ignore[attr-defined]
    return ids


async def queue(deps: Deps) -> float:
    """Staff's broadcast to the whole commune (broadcasts.create: one outbox row per recipient's chat, with the
    "Đã nhận" button), sent in daytime so quiet hours do not hold it."""
    started = time.perf_counter()
    async with deps.store.session() as s:
        staff = Member(display_name="Cán bộ xã", role="staff", team_code=None, created_at=deps.clock.now())
        s.add(staff)
        await s.flush()
        target = broadcasts.Target(broadcasts.Audience.COMMUNE)
        await broadcasts.create(s, deps.config, staff, target, "Họp Tổ CNSCĐ lúc 8 giờ thứ Hai.", deps.clock.now())
    return time.perf_counter() - started


async def drain(deps: Deps, api: FakeTelegram) -> float:
    async with Bot(api.token, base_url=api.base_url) as bot:
        sender = OutboxSender(deps, [TelegramOutlet(bot)])
        started = time.perf_counter()
        while await sender.drain_once():
            pass
        return time.perf_counter() - started


async def count(store: Store, status: str) -> int:
    async with store.session() as s:
        stmt = select(func.count()).select_from(OutboxItem).where(OutboxItem.status == status)
        return int((await s.exec(stmt)).one())


async def run(backend: str, url: str, n: int, limit: int) -> list[str]:
    config = load_config(ROOT / "config.yaml")
    store = Store(url)
    try:
        deps = Deps(config=config, store=store, clock=FixedClock(DAYTIME))
        await add_members(store, n)
        queued = await queue(deps)
        async with FakeTelegram(max_per_second=limit) as api:
            seconds = await drain(deps, api)
            times = sorted(m.at for m in api.sent)
            rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
            refused = api.rate_limited
        return [
            backend,
            f"{n:,}",
            str(limit),
            f"{queued:.1f}",
            f"{seconds:.1f}",
            f"{rate:.1f}",
            f"{100 * rate / limit:.0f}%",
            str(refused),
            f"{await count(store, outbox.SENT):,}",
            f"{await count(store, outbox.PENDING):,}",
        ]
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="recipients (default 2000)")
    parser.add_argument("--limit", type=int, default=30, help="the fake server's sends per second (default 30)")
    parser.add_argument("--pg", metavar="URL", help="PostgreSQL server URL; a temporary database is used")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    with database(args.pg) as (backend, url):
        row = asyncio.run(run(backend, url, args.n, args.limit))
    widths = [max(len(h), len(c)) for h, c in zip(HEADER, row, strict=True)]
    print("Broadcast through the Telegram outbox sender to a fake Bot API enforcing the limit")
    print("  ".join(h.rjust(w) for h, w in zip(HEADER, widths, strict=True)))
    print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
