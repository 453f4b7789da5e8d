"""Several Zalo bots on one deployment: a commune of 114 members on free-plan bots of about 50 users each.

Three fake Zalo Bot API servers, three running ZaloChannels (webhook mode, each its own token, port, path and
secret) sharing one router and the one outbox sender, on SQLite and PostgreSQL. Members join with invites naming
their bot, are answered by the bot they wrote to, and a broadcast goes to each member through their own bot,
each bot within its own monthly quota.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
import pytest
from sqlmodel import select

from bot import texts as T
from bot.channels.sender import OutboxSender
from bot.channels.zalo import ZaloChannel
from bot.config import Channels, ZaloBot, ZaloWebhook
from bot.config import ZaloChannel as ZaloSettings
from bot.core.roles import Role
from bot.handlers.router import Router
from bot.services import broadcasts, invites, outbox, outbox_status, quota
from bot.services.deps import Deps
from bot.store.models import ChannelIdentity, Member, OutboxItem
from tests.channels.test_zalo_e2e import free_port
from tests.fakes.zalo_api import FakeZalo, text_update

SECRETS = {"zalo": "first-bot-secret-123", "zalo2": "second-bot-secret-45", "zalo3": "third-bot-secret-678"}
PEOPLE = {"zalo": 50, "zalo2": 50, "zalo3": 14}  # 114 members, as Kiến Minh has
SMALL_QUOTA, SMALL_RESERVE = 20, 5  # the third bot's budget: 15 messages the bot starts, 20 in all


@dataclass
class Bot:
    key: str
    api: FakeZalo
    channel: ZaloChannel
    url: str


def three_bots(deps: Deps, apis: dict[str, FakeZalo]) -> Deps:
    first = deps.config.channels.zalo
    settings = ZaloSettings(
        mode="webhook",
        base_url=apis["zalo"].base_url,
        token_env="ZALO_T1",
        secret_env="ZALO_S1",
        webhook=ZaloWebhook(port=free_port(), path="/zalo/webhook"),
        monthly_quota=first.monthly_quota,
        bots=(
            ZaloBot(key="zalo2", name="Zalo Thôn Đông", token_env="ZALO_T2", secret_env="ZALO_S2",
                    webhook=ZaloWebhook(port=free_port(), path="/zalo/hai")),
            ZaloBot(key="zalo3", token_env="ZALO_T3", secret_env="ZALO_S3",
                    webhook=ZaloWebhook(port=free_port(), path="/zalo/ba"),
                    monthly_quota=SMALL_QUOTA, reply_reserve=SMALL_RESERVE),
        ),
    )  # fmt: skip
    channels = Channels(telegram=deps.config.channels.telegram.model_copy(update={"enabled": False}), zalo=settings)
    return Deps(config=deps.config.model_copy(update={"channels": channels}), store=deps.store, clock=deps.clock)


@asynccontextmanager
async def running(deps: Deps, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Deps, dict[str, Bot]]]:
    async with AsyncExitStack() as stack:
        apis = {key: await stack.enter_async_context(FakeZalo(token=f"{n}:tok-{key}")) for n, key in
                enumerate(PEOPLE, start=1)}  # fmt: skip
        deps = three_bots(deps, apis)
        router, sender = Router(deps), OutboxSender(deps)
        bots: dict[str, Bot] = {}
        for key, _, settings in deps.config.channels.zalo.each_bot():
            monkeypatch.setenv(settings.token_env, apis[key].token)
            monkeypatch.setenv(settings.secret_env, SECRETS[key])
            settings = settings.model_copy(update={"base_url": apis[key].base_url})
            channel = ZaloChannel(router, deps, apis[key].token, settings, sender=sender, key=key)
            await channel.start()
            stack.push_async_callback(channel.stop)
            hook = settings.webhook
            bots[key] = Bot(key, apis[key], channel, f"http://{hook.listen}:{hook.port}{hook.path}")
        yield deps, bots


async def post(http: aiohttp.ClientSession, bot: Bot, user: str, text: str) -> int:
    headers = {"X-Bot-Api-Secret-Token": SECRETS[bot.key], "Content-Type": "application/json"}
    async with http.post(bot.url, data=json.dumps(text_update(user, text)), headers=headers) as resp:
        return resp.status


async def settle(bots: dict[str, Bot]) -> None:
    for bot in bots.values():
        await bot.channel.settle()


def texts_to(bot: Bot, user: str) -> list[str]:
    return [s.text for s in bot.api.sent if s.chat_id == user]


async def test_114_members_on_three_bots_are_each_answered_and_reached_by_their_own_bot(deps, monkeypatch):
    async with running(deps, monkeypatch) as (deps, bots), aiohttp.ClientSession() as http:
        async with deps.store.session() as s:
            codes = {
                key: [
                    (await invites.create(s, deps.clock.now(), timedelta(days=1), Role.MEMBER, "T01",
                                          f"Tổ viên {key} {i}", bot=key))[1]
                    for i in range(n)
                ]
                for key, n in PEOPLE.items()
            }  # fmt: skip
            _, staff_code = await invites.create(s, deps.clock.now(), timedelta(days=1), Role.STAFF, None, "Hoa")
        # A code taken to the wrong bot is refused, names the right bot, and still works there.
        assert await post(http, bots["zalo"], "lost", f"/start {codes['zalo2'][0]}") == 200
        await settle(bots)
        assert texts_to(bots["zalo"], "lost") == [T.JOIN_OTHER_BOT.format(bot="Zalo Thôn Đông")]

        people = {key: [f"{key}-u{i}" for i in range(n)] for key, n in PEOPLE.items()}
        await asyncio.gather(
            *(post(http, bots[key], user, f"/start {codes[key][i]}") for key in PEOPLE for i, user in
              enumerate(people[key])),
            post(http, bots["zalo"], "staff", f"/start {staff_code}"),
        )  # fmt: skip
        await settle(bots)
        for key, users in people.items():
            others = [b for k, b in bots.items() if k != key]
            assert all("Chào mừng" in texts_to(bots[key], user)[0] for user in users), key
            assert not any(texts_to(b, user) for b in others for user in users), key  # no other bot wrote to them

        async with deps.store.session() as s:
            identities = (await s.exec(select(ChannelIdentity.channel, ChannelIdentity.user_ref))).all()
            assert {key: sum(ch == key for ch, _ in identities) for key in PEOPLE} == {**PEOPLE, "zalo": 51}
            staff = (await s.exec(select(Member).where(Member.role == Role.STAFF.value))).one()
            target = broadcasts.Target(broadcasts.Audience.COMMUNE, None)
            await broadcasts.create(s, deps.config, staff, target, "Họp tổ CNSCĐ tối thứ Sáu", deps.clock.now())
        for bot in bots.values():
            bot.api.take_new()
        for bot in bots.values():
            bot.channel.wake()
        await settle(bots)

        got = {key: {s.chat_id for s in bots[key].api.take_new() if "Họp tổ CNSCĐ" in s.text} for key in PEOPLE}
        assert got["zalo"] == set(people["zalo"]) and got["zalo2"] == set(people["zalo2"])
        # The third bot answered 14 welcomes; of the 15 messages it may start this month, one is left for the
        # broadcast: the other 13 wait for next month, pending, while the two other bots are not held back.
        assert len(got["zalo3"]) == SMALL_QUOTA - SMALL_RESERVE - PEOPLE["zalo3"]
        async with deps.store.session() as s:
            rows = (await s.exec(select(OutboxItem).where(OutboxItem.channel == "zalo3"))).all()
            waiting = [r for r in rows if r.status == outbox.PENDING]
            assert len(waiting) == PEOPLE["zalo3"] - len(got["zalo3"])
            assert {r.next_attempt_at for r in waiting} == {quota.next_month_start(deps.clock.now(), deps.config.tz)}
            report = await outbox_status.report(s, deps.config, deps.clock.now())
        for label in ("Zalo", "Zalo Thôn Đông", "Zalo (zalo3)"):
            assert T.CLI_OUTBOX_CHANNEL.format(channel=label) in report
        assert report.count(T.CLI_OUTBOX_QUOTA.split(":")[0].split("{")[0].strip()) == 3  # each bot's own quota


def test_two_bots_may_not_share_a_key_a_token_or_a_webhook() -> None:
    hook = ZaloWebhook(port=9001, path="/zalo/x")
    with pytest.raises(ValueError, match="token_env"):
        Channels(zalo=ZaloSettings(bots=(ZaloBot(key="zalo2", token_env="ZALO_BOT_TOKEN"),)))
    with pytest.raises(ValueError, match="key"):
        Channels(zalo=ZaloSettings(bots=(ZaloBot(key="zalo2", token_env="A"), ZaloBot(key="zalo2", token_env="B"))))
    with pytest.raises(ValueError, match="webhook"):
        Channels(
            zalo=ZaloSettings(
                bots=(
                    ZaloBot(key="zalo2", token_env="A", webhook=hook),
                    ZaloBot(key="zalo3", token_env="B", webhook=hook),
                )
            )
        )
