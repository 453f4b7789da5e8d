from datetime import timedelta

from bot.scheduler import prune_processed_messages
from bot.services import dedup


async def test_first_time_then_duplicate_then_forgotten_after_retention(deps, clock):
    async with deps.store.session() as s:
        assert await dedup.first_time(s, "telegram", "m1:5", clock.now())
        assert not await dedup.first_time(s, "telegram", "m1:5", clock.now())
        assert await dedup.first_time(s, "zalo", "m1:5", clock.now())  # ids are per channel
    clock.advance(dedup.RETENTION + timedelta(minutes=1))
    assert await prune_processed_messages(deps) == 2
    async with deps.store.session() as s:
        assert await dedup.first_time(s, "telegram", "m1:5", clock.now())
