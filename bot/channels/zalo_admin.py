"""`sotay zalo …`: register or remove a bot's webhook; show every Zalo bot, its webhook and its quota use."""

from __future__ import annotations

import os
import secrets

import aiohttp
from sqlmodel import func, select

from bot import texts as T
from bot.channels.zalo import CHANNEL, ZaloApiError, ZaloClient
from bot.config import Config, ConfigError
from bot.config import ZaloChannel as ZaloSettings
from bot.services import outbox, quota
from bot.services.deps import Deps
from bot.store.models import OutboxItem


def _bot(config: Config, bot: str | None) -> ZaloSettings:
    """The settings of one Zalo bot: the first by default, or the one whose key is `bot`."""
    bots = {key: settings for key, _, settings in config.channels.zalo.each_bot()}
    if bot is None:
        return bots[CHANNEL]
    if bot not in bots:
        raise ConfigError(T.CLI_UNKNOWN_BOT.format(bot=bot, keys=", ".join(bots)))
    return bots[bot]


def _token(config: Config, settings: ZaloSettings) -> str:
    token = config.bot_token(settings)
    if not token:
        raise ConfigError(T.ZALO_CLI_NO_TOKEN.format(env=settings.token_env))
    return token


async def set_webhook(config: Config, url: str, bot: str | None = None) -> str:
    settings = _bot(config, bot)
    if not url.startswith("https://"):
        raise ConfigError(T.ZALO_CLI_HTTPS)
    secret = os.environ.get(settings.secret_env)
    if not secret or not 8 <= len(secret) <= 256:  # the platform's bounds
        suggestion = secrets.token_urlsafe(24)
        raise ConfigError(T.ZALO_CLI_NO_SECRET.format(env=settings.secret_env, suggestion=suggestion))
    async with aiohttp.ClientSession() as http:
        client = ZaloClient(settings.base_url, _token(config, settings), http)
        try:
            await client.set_webhook(url, secret)
            info = await client.get_webhook_info()
        except ZaloApiError as err:
            raise ConfigError(T.ZALO_CLI_API_ERROR.format(error=err.description or err.status)) from None
    return T.ZALO_CLI_WEBHOOK_SET.format(url=info.get("url") or url)


async def delete_webhook(config: Config, bot: str | None = None) -> str:
    settings = _bot(config, bot)
    async with aiohttp.ClientSession() as http:
        client = ZaloClient(settings.base_url, _token(config, settings), http)
        try:
            await client.delete_webhook()
        except ZaloApiError as err:
            raise ConfigError(T.ZALO_CLI_API_ERROR.format(error=err.description or err.status)) from None
    return T.ZALO_CLI_WEBHOOK_DELETED


async def usage_lines(deps: Deps, key: str = CHANNEL, settings: ZaloSettings | None = None) -> list[str]:
    """This month's messages of one Zalo bot: sent against its quota, and still waiting in the outbox."""
    now = deps.clock.now()
    limit = (settings or deps.config.channels.zalo).monthly_quota
    async with deps.store.session() as session:
        used = await quota.used_this_month(session, key, now, deps.config.tz)
        pending = (
            await session.exec(
                select(func.count())
                .select_from(OutboxItem)
                .where(OutboxItem.channel == key, OutboxItem.status == outbox.PENDING)
            )
        ).one()
    month = now.astimezone(deps.config.tz).strftime("%m/%Y")
    share = f"{100 * used / limit:.0f}%" if limit else "—"
    return [T.ZALO_CLI_QUOTA.format(month=month, used=used, limit=limit, share=share, pending=pending)]


async def status(config: Config, deps: Deps) -> str:
    """Every Zalo bot of the deployment: its name on Zalo, its webhook, and this month's use of its quota."""
    bots = config.channels.zalo.each_bot()
    blocks = []
    for key, _, settings in bots:
        lines = await _bot_status(config, deps, key, settings)
        if len(bots) > 1:
            lines.insert(0, T.ZALO_CLI_WHICH_BOT.format(bot=config.channels.label(key), key=key))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


async def _bot_status(config: Config, deps: Deps, key: str, settings: ZaloSettings) -> list[str]:
    lines = await usage_lines(deps, key, settings)
    token = config.bot_token(settings)
    if not token:
        return [T.ZALO_CLI_NO_TOKEN.format(env=settings.token_env), *lines]
    async with aiohttp.ClientSession() as http:
        client = ZaloClient(settings.base_url, token, http)
        try:
            me = await client.get_me()
            hook = await client.get_webhook_info()
        except ZaloApiError as err:
            return [T.ZALO_CLI_API_ERROR.format(error=err.description or err.status), *lines]
    name = me.get("account_name") or me.get("display_name") or me.get("id") or "?"
    webhook = hook.get("url") or T.ZALO_CLI_POLLING
    return [T.ZALO_CLI_BOT.format(name=name, webhook=webhook), *lines]
