from datetime import UTC, datetime, timedelta

from bot.core.clock import VN_TZ
from bot.services import outbox, quota


async def test_pending_until_sent_and_counted_in_the_local_month(deps, clock):
    now = clock.now()
    async with deps.store.session() as s:
        first = await outbox.enqueue(s, "zalo", "c1", now, text="a")
        await outbox.enqueue(s, "zalo", "c2", now, text="b")
        await outbox.enqueue(s, "telegram", "c3", now, text="c")
    async with deps.store.session() as s:
        items = await outbox.due(s, "zalo", now)
        assert [i.text for i in items] == ["a", "b"]
        outbox.mark_sent(items[0], now)
        outbox.retry_later(items[1], now + outbox.backoff(1), "HTTP 503")
    async with deps.store.session() as s:
        assert [i.id for i in await outbox.due(s, "zalo", now)] == []
        later = await outbox.due(s, "zalo", now + timedelta(seconds=3))
        assert [i.text for i in later] == ["b"]
        assert await quota.used_this_month(s, "zalo", now, VN_TZ) == 1
        assert first is not None


async def test_dedup_key_queues_once(deps, clock):
    async with deps.store.session() as s:
        assert await outbox.enqueue(s, "zalo", "c1", clock.now(), text="x", dedup_key="r:2026-11:1")
        assert await outbox.enqueue(s, "zalo", "c1", clock.now(), text="x", dedup_key="r:2026-11:1") is None


async def test_failures_stop_after_max_attempts(deps, clock):
    async with deps.store.session() as s:
        item = await outbox.enqueue(s, "zalo", "c1", clock.now(), text="x")
        for _ in range(outbox.MAX_ATTEMPTS):
            outbox.retry_later(item, clock.now(), "timeout")
        assert item.status == outbox.FAILED


def test_month_boundaries_are_local_time():
    now = datetime(2026, 10, 31, 17, 30, tzinfo=UTC)  # still October in UTC, already 1 Nov 00:30 in Vietnam
    assert quota.month_start(now, VN_TZ) == datetime(2026, 11, 1, tzinfo=VN_TZ)
    assert quota.next_month_start(datetime(2026, 12, 15, tzinfo=VN_TZ), VN_TZ) == datetime(2027, 1, 1, tzinfo=VN_TZ)


async def test_enqueue_many_queues_each_key_once_with_its_payload(deps, clock):
    now = clock.now()
    later = now + timedelta(hours=9)
    messages = [
        outbox.Message("telegram", f"{700 + i}", f"tin {i}", f"bc:1:{i}", payload={"ack": f"t{i}"})
        for i in range(1203)  # more than two chunks
    ]
    async with deps.store.session() as s:
        ids = await outbox.enqueue_many(s, messages, now, not_before=later)
        assert s.info.get(outbox.QUEUED) is True
    assert len(ids) == 1203 and len(set(ids.values())) == 1203
    async with deps.store.session() as s:
        again = await outbox.enqueue_many(s, [*messages[:3], outbox.Message("zalo", "z", "mới", "bc:2:1")], now)
        row = await s.get(outbox.OutboxItem, ids["bc:1:7"])
        assert row is not None
        assert (row.chat_ref, row.text, row.payload, row.status) == ("707", "tin 7", {"ack": "t7"}, outbox.PENDING)
        assert row.next_attempt_at == later
        assert await outbox.due(s, "telegram", now) == []  # held until `later`
    assert list(again) == ["bc:2:1"]
