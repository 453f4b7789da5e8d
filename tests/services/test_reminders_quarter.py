"""A simulated quarter with the injected clock stepped every three hours: exactly the expected reminders, escalations,
nudges and summaries; a restart in the middle loses none and repeats none; on PostgreSQL two schedulers at once
queue each message once. The job function is called directly; nothing waits on the wall clock.

The commune is tests/services/test_reminders.py's. Thôn Đông Tạ (T01) submits every report before its first
reminder; Thôn Kiến Lao (T02) never does; T03–T05 have no members and never report. Nobody logs a visit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from bot.config import Config
from bot.core.clock import VN_TZ
from bot.services import outbox, reminders
from bot.store.db import Store
from tests.services.test_reminders import People, commune, queued, submit, tick, vn

START, END = vn(10, 1, 0), vn(1, 1, 0, year=2027)
STEP = timedelta(hours=3)  # ticks at 00:00, 03:00 … 21:00: the 07:30–08:30 moments go out at the 09:00 tick
SUBMISSIONS = {  # T01's reports, each before its first reminder
    vn(10, 20, 10): "2026-10",
    vn(11, 20, 10): "2026-11",
    vn(11, 20, 11): "2026",
    vn(12, 12, 10): "2026-Q4",
    vn(12, 20, 10): "2026-12",
}
BEFORE = [  # (rule, period) of the reminders before a due date: only Thôn Kiến Lao's leader still owes them
    *[(f"month-d{n}", m) for m in ("2026-10", "2026-11", "2026-12") for n in (3, 1)],
    ("quarter-d7", "2026-Q4"), ("quarter-d3", "2026-Q4"), ("quarter-d1", "2026-Q4"),
    ("year-d14", "2026"), ("year-d7", "2026"), ("year-d3", "2026"),
]  # fmt: skip
LATE = [  # escalations: the late leader and staff
    *[(f"month-late{n}", m) for m in ("2026-10", "2026-11", "2026-12") for n in (1, 3)],
    ("quarter-late1", "2026-Q4"), ("quarter-late3", "2026-Q4"),
    ("year-late1", "2026"), ("year-late3", "2026"),
]  # fmt: skip
NUDGE_DAYS = ["2026-10-22", "2026-10-24", "2026-11-22", "2026-11-24", "2026-12-22", "2026-12-24"]  # monthly d3, d1
MONDAYS = [date(2026, 10, 5) + timedelta(weeks=k) for k in range(13)]  # 05/10 … 28/12


def expected(p: People) -> set[str]:
    keys = {f"rem:{rule}:{period}:{p.binh.id}:zalo" for rule, period in BEFORE + LATE}
    keys |= {f"rem:{rule}:{period}:{p.staff.id}:{ch}" for rule, period in LATE for ch in ("telegram", "zalo")}
    keys |= {f"rem:inactive:{day}:{p.binh.id}:zalo" for day in NUDGE_DAYS}
    keys |= {f"rem:inactive:{day}:{p.em.id}:telegram" for day in NUDGE_DAYS}
    for monday in MONDAYS:
        start = (monday - timedelta(days=7)).isoformat()
        keys |= {f"rem:weekly:{start}:{p.an.id}:telegram", f"rem:weekly:{start}:{p.binh.id}:zalo"}
    return keys


async def simulate(store: Store, config: Config, start: datetime, end: datetime) -> int:
    """Tick every STEP in [start, end), submitting T01's reports on their days (before the tick that follows);
    returns the number of messages queued."""
    total, at = 0, start
    pending = sorted(SUBMISSIONS)
    while at < end:
        while pending and pending[0] <= at:
            moment = pending.pop(0)
            if moment >= start:
                await submit(store, config, "T01", SUBMISSIONS[moment], moment)
        total += await tick(store, config, at)
        at += STEP
    return total


async def test_a_quarter_sends_exactly_what_is_owed(store, config):
    people = await commune(store)
    total = await simulate(store, config, START, END)
    rows = await queued(store)
    assert {r.dedup_key for r in rows} == expected(people)
    assert total == len(rows) == 80
    for row in rows:
        local = row.next_attempt_at.astimezone(VN_TZ)
        assert 7 <= local.hour < 21 and row.status == outbox.PENDING
    staff_oct = next(r.text for r in rows if r.dedup_key == f"rem:month-late1:2026-10:{people.staff.id}:zalo")
    assert "còn 4 tổ chưa nộp: Thôn Kiến Lao, Thôn Phù Liễn, Thôn Trà Phương, Thôn Xuân Sơn" in staff_oct
    first_weekly = next(r for r in rows if r.dedup_key == f"rem:weekly:2026-09-28:{people.an.id}:telegram")
    assert first_weekly.next_attempt_at == vn(10, 5, 9)  # 07:30, picked up by the 09:00 tick


async def test_a_restart_in_the_middle_repeats_nothing_and_loses_nothing(store, config):
    people = await commune(store)
    down, up = vn(11, 22, 6), vn(11, 22, 10)  # 22/11 08:00 (Nov's d3 and two nudges) passes while the bot is down
    first = await simulate(store, config, START, down)
    await store.close()
    again = Store(store.url)  # a new process on the same database
    try:
        assert await tick(again, config, down - STEP) == 0  # the last tick before the stop, repeated
        second = await simulate(again, config, up, vn(11, 24, 13))  # ticks at 10:00, 13:00 … as the new process runs
        assert await tick(again, config, vn(11, 24, 10)) == 0  # another restart, just after the tick that queued d1
        third = await simulate(again, config, vn(11, 24, 13), END)
        rows = await queued(again)
    finally:
        await again.close()
    assert {r.dedup_key for r in rows} == expected(people)
    assert first + second + third == len(rows) == 80
    late = {r.dedup_key: r.next_attempt_at for r in rows if "2026-11-22" in (r.dedup_key or "")}
    assert late == {
        f"rem:inactive:2026-11-22:{people.binh.id}:zalo": vn(11, 22, 10),
        f"rem:inactive:2026-11-22:{people.em.id}:telegram": vn(11, 22, 10),
    }
    d3 = next(r for r in rows if r.dedup_key == f"rem:month-d3:2026-11:{people.binh.id}:zalo")
    assert d3.next_attempt_at == vn(11, 22, 10)


# --- PostgreSQL: several bot processes on one database ----------------------------------------------------------
@pytest.fixture
async def pg_stores(pg_url: str) -> AsyncIterator[tuple[Store, Store]]:
    """Two processes' stores on one empty PostgreSQL database."""
    first, second = Store(pg_url), Store(pg_url)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    async with first.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield first, second
    await first.close()
    await second.close()


async def _both(stores: tuple[Store, Store], config: Config, start: datetime, end: datetime) -> int:
    total, at = 0, start
    while at < end:
        counts = await asyncio.gather(*(tick(s, config, at) for s in stores))
        total += sum(counts)
        at += timedelta(hours=1)  # hourly here: every moment is raced by both
    return total


async def test_two_schedulers_at_once_queue_each_message_once(pg_stores, config, caplog):
    first, _ = pg_stores
    await commune(first)
    with caplog.at_level(logging.INFO, logger="bot.services.reminders"):
        total = await _both(pg_stores, config, vn(11, 20, 0), vn(11, 28, 0))
    rows = await queued(first)
    assert total == len(rows) == len({r.dedup_key for r in rows}) == 24  # as one scheduler alone (21–27/11)
    assert "another process is planning; tick skipped" in caplog.text  # the advisory lock turned one away


async def test_without_the_lock_a_race_is_still_harmless(pg_stores, config, monkeypatch):
    async def always(session):  # type: ignore[no-untyped-def]
        return True

    real_plan, planned = reminders.plan, []

    async def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = await real_plan(*args, **kwargs)
        planned.append(len(found))
        return found

    monkeypatch.setattr(reminders, "_claim", always)
    monkeypatch.setattr(reminders, "plan", counted)
    first, _ = pg_stores
    await commune(first)
    total = await _both(pg_stores, config, vn(11, 22, 7), vn(11, 22, 9))
    rows = await queued(first)
    assert planned.count(6) == 2  # both processes planned the 08:00 messages (read the marker before either wrote)
    assert total == len(rows) == 6  # An and Bình, four nudges; the second process's inserts did nothing


async def test_a_concurrent_duplicate_enqueue_does_not_raise(pg_stores):
    first, second = pg_stores
    now = datetime(2026, 11, 22, 1, tzinfo=UTC)
    async with first.session() as a:
        mine = await outbox.enqueue(a, "zalo", "c1", now, text="x", dedup_key="race:1")
        other = asyncio.create_task(_enqueue_in(second, now))
        await _until_blocked(first)  # the other insert waits for this transaction
    assert mine is not None and await other is None
    async with first.session() as s:
        assert [r.dedup_key for r in await outbox.due(s, "zalo", now)] == ["race:1"]


async def _enqueue_in(store: Store, now: datetime) -> object:
    async with store.session() as s:
        return await outbox.enqueue(s, "zalo", "c1", now, text="x", dedup_key="race:1")


async def _until_blocked(store: Store, tries: int = 500) -> None:
    """Until another session waits on a row lock (a condition, not a duration)."""
    async with store.engine.connect() as conn:
        for _ in range(tries):
            waiting = await conn.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
            if waiting:
                return
            await asyncio.sleep(0.01)
    raise AssertionError("the second insert never waited")
