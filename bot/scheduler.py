"""APScheduler jobs in the bot's event loop: reminders (every few minutes) and nightly housekeeping.

Jobs are thin: they take the time from the injected clock and call a service. The reminders job runs every
`reminders.tick_minutes` and once at start-up, so what fell due while the bot was down goes out at once (within
`reminders.grace_hours`; bot/services/reminders.py explains the marker, the dedup keys and the lock that keep a
reminder from being sent twice, by a restart or by a second process).
"""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.services import dedup, household_import, inbox, invites, outbox, reminders
from bot.services.deps import Deps

log = logging.getLogger(__name__)


async def prune_processed_messages(deps: Deps) -> int:
    """Forget message ids and answered updates older than the retention window (channels redeliver within
    minutes, not days), and the outbox's pictures and files no pending message carries."""
    now = deps.clock.now()
    async with deps.store.session() as session:
        removed = await dedup.prune(session, now - dedup.RETENTION)
        updates = await inbox.prune(session, now - inbox.RETENTION)
        files = await outbox.prune_files(session, now)
    log.info("pruned %d processed message ids, %d answered updates, %d outbox files", removed, updates, files)
    return removed + updates


async def prune_join_attempts(deps: Deps) -> int:
    """Forget wrong invite codes older than any cool-down window (they are kept only to count recent ones)."""
    async with deps.store.session() as session:
        removed = await invites.prune_attempts(session, deps.clock.now() - invites.ATTEMPT_RETENTION)
    log.info("pruned %d join attempts", removed)
    return removed


async def prune_uploads(deps: Deps) -> int:
    """Delete household lists sent in chat whose import was finished, cancelled or abandoned."""
    async with deps.store.session() as session:
        removed = await household_import.prune_uploads(session, deps.clock.now())
    log.info("pruned %d uploaded files", removed)
    return removed


async def send_reminders(deps: Deps) -> int:
    """Queue the reminders, escalations and summaries that fell due since the last tick."""
    async with deps.store.session() as session:
        return await reminders.run(session, deps.config, deps.clock.now())


def build_scheduler(deps: Deps, catch_up: bool = True) -> AsyncIOScheduler:
    """The bot's jobs. `catch_up`: run the reminders job once as soon as the scheduler starts (else after one tick,
    for a caller that has just run it itself)."""
    scheduler = AsyncIOScheduler(timezone=deps.config.tz)
    settings = deps.config.reminders
    if settings.enabled:
        first = {"next_run_time": datetime.now(deps.config.tz)} if catch_up else {}  # None would pause the job
        scheduler.add_job(
            send_reminders,
            "interval",
            minutes=settings.tick_minutes,
            args=[deps],
            id="reminders",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,  # a late run is still right: the job itself works out what fell due since
            **first,
        )
    scheduler.add_job(
        prune_processed_messages, "cron", hour=3, minute=17, args=[deps], id="prune_processed", coalesce=True
    )
    scheduler.add_job(prune_uploads, "cron", hour=3, minute=27, args=[deps], id="prune_uploads", coalesce=True)
    scheduler.add_job(
        prune_join_attempts, "cron", hour=3, minute=37, args=[deps], id="prune_join_attempts", coalesce=True
    )
    return scheduler
