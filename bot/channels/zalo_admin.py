"""`sotay zalo …`: register or remove the webhook, and show the bot, its webhook and this month's quota use."""

from __future__ import annotations

import os
import secrets

import aiohttp
from sqlmodel import func, select

from bot import texts as T
from bot.channels.zalo import CHANNEL, ZaloApiError, ZaloClient
from bot.config import Config, ConfigError
from bot.services import outbox, quota
from bot.services.deps import Deps
from bot.store.models import OutboxItem


def _token(config: Config) -> str:
    token = config.zalo_token()
    if not token:
        raise ConfigError(T.ZALO_CLI_NO_TOKEN.format(env=config.channels.zalo.token_env))
    return token


async def set_webhook(config: Config, url: str) -> str:
    if not url.startswith("https://"):
        raise ConfigError(T.ZALO_CLI_HTTPS)
    secret = os.environ.get(config.channels.zalo.secret_env)
    if not secret or not 8 <= len(secret) <= 256:  # the platform's bounds
        suggestion = secrets.token_urlsafe(24)
        raise ConfigError(T.ZALO_CLI_NO_SECRET.format(env=config.channels.zalo.secret_env, suggestion=suggestion))
    async with aiohttp.ClientSession() as http:
        client = ZaloClient(config.channels.zalo.base_url, _token(config), http)
        try:
            await client.set_webhook(url, secret)
            info = await client.get_webhook_info()
        except ZaloApiError as err:
            raise ConfigError(T.ZALO_CLI_API_ERROR.format(error=err.description or err.status)) from None
    return T.ZALO_CLI_WEBHOOK_SET.format(url=info.get("url") or url)


async def delete_webhook(config: Config) -> str:
    async with aiohttp.ClientSession() as http:
        client = ZaloClient(config.channels.zalo.base_url, _token(config), http)
        try:
            await client.delete_webhook()
        except ZaloApiError as err:
            raise ConfigError(T.ZALO_CLI_API_ERROR.format(error=err.description or err.status)) from None
    return T.ZALO_CLI_WEBHOOK_DELETED


async def usage_lines(deps: Deps) -> list[str]:
    """This month's Zalo messages: sent against the quota, and still waiting in the outbox."""
    now = deps.clock.now()
    limit = deps.config.channels.zalo.monthly_quota
    async with deps.store.session() as session:
        used = await quota.used_this_month(session, CHANNEL, now, deps.config.tz)
        pending = (
            await session.exec(
                select(func.count())
                .select_from(OutboxItem)
                .where(OutboxItem.channel == CHANNEL, OutboxItem.status == outbox.PENDING)
            )
        ).one()
    month = now.astimezone(deps.config.tz).strftime("%m/%Y")
    share = f"{100 * used / limit:.0f}%" if limit else "—"
    return [T.ZALO_CLI_QUOTA.format(month=month, used=used, limit=limit, share=share, pending=pending)]


async def status(config: Config, deps: Deps) -> str:
    lines = await usage_lines(deps)
    token = config.zalo_token()
    if not token:
        return "\n".join([T.ZALO_CLI_NO_TOKEN.format(env=config.channels.zalo.token_env), *lines])
    async with aiohttp.ClientSession() as http:
        client = ZaloClient(config.channels.zalo.base_url, token, http)
        try:
            me = await client.get_me()
            hook = await client.get_webhook_info()
        except ZaloApiError as err:
            return "\n".join([T.ZALO_CLI_API_ERROR.format(error=err.description or err.status), *lines])
    name = me.get("account_name") or me.get("display_name") or me.get("id") or "?"
    webhook = hook.get("url") or T.ZALO_CLI_POLLING
    return "\n".join([T.ZALO_CLI_BOT.format(name=name, webhook=webhook), *lines])
