"""Wiring only: build the store, services and channels; start them; stop them cleanly."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path
from typing import Protocol

from bot import texts as T
from bot.channels.console import ConsoleChannel
from bot.channels.console_outbox import ConsoleOutbox, own_chats
from bot.config import Config
from bot.core.clock import Clock, SystemClock
from bot.core.roles import Role
from bot.demo import DEMO_CHANNEL, DEMO_DB, demo_config, demo_user_ref, seed
from bot.handlers.router import Router
from bot.scheduler import build_scheduler, send_reminders
from bot.services.deps import Deps
from bot.store.db import Store
from bot.store.migrate import upgrade_async

log = logging.getLogger(__name__)


class Channel(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("httpx", "httpcore", "apscheduler", "aiosqlite", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # At DEBUG, python-telegram-bot logs whole updates (residents' names, phones): never below INFO.
    logging.getLogger("telegram").setLevel(max(level, logging.INFO))


async def open_deps(config: Config, clock: Clock | None = None) -> Deps:
    """Migrate the database and build what every part of the bot shares."""
    await upgrade_async(config.database.url)
    return Deps(config=config, store=Store(config.database.url), clock=clock or SystemClock())


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def run_channels(config: Config) -> None:
    """Run the configured channels, and the one outbox sender for all of them, until SIGINT or SIGTERM. A channel's
    library is imported only when that channel has a token (a Zalo-only deployment never loads Telegram's)."""
    from bot.channels.redaction import install_token_redaction
    from bot.channels.sender import OutboxSender

    deps = await open_deps(config)
    router = Router(deps)
    sender = OutboxSender(deps)
    channels: list[Channel] = []
    for key, _, settings in config.channels.telegram.each_bot():
        token = config.bot_token(settings)
        if token:
            from bot.channels.telegram import TelegramChannel

            install_token_redaction(token)
            channels.append(TelegramChannel(router, deps, token, settings, sender=sender, key=key))
    for key, _, zalo_settings in config.channels.zalo.each_bot():
        token = config.bot_token(zalo_settings)
        if token:
            from bot.channels.zalo import ZaloChannel

            install_token_redaction(token)
            channels.append(ZaloChannel(router, deps, token, zalo_settings, sender=sender, key=key))
    scheduler = build_scheduler(deps)
    try:
        scheduler.start()
        for channel in channels:
            await channel.start()
        sender.start()
        log.info("bot running with %d channel(s)", len(channels))
        await _wait_for_signal()
    finally:
        await sender.stop()  # what is not sent stays pending, for the next start
        for channel in reversed(channels):
            await channel.stop()
        scheduler.shutdown(wait=False)
        await deps.store.close()


async def run_demo(config: Config, role: Role, clock: Clock | None = None, db_path: Path = DEMO_DB) -> None:
    """The terminal chat on the demo commune, already joined as `role`."""
    deps = await open_deps(demo_config(config, db_path), clock)
    try:
        await seed(deps)
        console = ConsoleChannel(Router(deps), demo_user_ref(role))
        if console.interactive:
            console.write(T.DEMO_BANNER.format(commune=config.commune.name, role=T.ROLE_NAMES[role.value]))
        await _run_console(deps, console)
    finally:
        await deps.store.close()


async def _run_console(deps: Deps, console: ConsoleChannel) -> None:
    """The chat, with the scheduler on the demo's clock and what the bot would send printed in the terminal."""
    printer = ConsoleOutbox(deps, console.write)
    await own_chats(deps, DEMO_CHANNEL)
    if deps.config.reminders.enabled:
        await send_reminders(deps)  # what is due now prints before the first prompt
    await printer.drain()
    scheduler = build_scheduler(deps, catch_up=False)
    scheduler.start()
    printer.start()
    try:
        await console.run()
    finally:
        scheduler.shutdown(wait=False)
        await printer.stop()
