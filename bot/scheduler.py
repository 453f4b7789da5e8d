"""APScheduler jobs in the bot's event loop. Today: housekeeping; reminders come with their own issue."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.services import dedup, household_import
from bot.services.deps import Deps

log = logging.getLogger(__name__)


async def prune_processed_messages(deps: Deps) -> int:
    """Forget message ids older than the retention window (channels redeliver within minutes, not days)."""
    async with deps.store.session() as session:
        removed = await dedup.prune(session, deps.clock.now() - dedup.RETENTION)
    log.info("pruned %d processed message ids", removed)
    return removed


async def prune_uploads(deps: Deps) -> int:
    """Delete household lists sent in chat whose import was finished, cancelled or abandoned."""
    async with deps.store.session() as session:
        removed = await household_import.prune_uploads(session, deps.clock.now())
    log.info("pruned %d uploaded files", removed)
    return removed


def build_scheduler(deps: Deps) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=deps.config.tz)
    scheduler.add_job(
        prune_processed_messages, "cron", hour=3, minute=17, args=[deps], id="prune_processed", coalesce=True
    )
    scheduler.add_job(prune_uploads, "cron", hour=3, minute=27, args=[deps], id="prune_uploads", coalesce=True)
    return scheduler
