"""How long the Zalo channel takes per webhook update, end to end, on a temporary database.

The real ZaloChannel in webhook mode (its aiohttp server on 127.0.0.1) answers through the outbox sender to the
fake Zalo Bot API from the tests. A simulated member joins and adds one household (not timed), then sends N
webhook POSTs of repeat visits, 4 updates each, typed as on Zalo: "ghi nhan" → "1" (household) → "1 0" (skill,
done) → "1" (save). Each update is timed from the start of its POST to the moment the fake API receives the
bot's reply on sendMessage, so the figure covers the webhook, the router, the database, the outbox and the send.
The "webhook 200" line is the time until Zalo's POST itself is answered.

    .venv/bin/python bench/zalo_webhook_latency.py --n 200
    .venv/bin/python bench/zalo_webhook_latency.py --pg postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

With --pg, a temporary database is created on that server (the URL names a database to connect to for
CREATE/DROP DATABASE) and dropped afterwards.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bench.common import database, latency_row, parse_args, print_table  # noqa: E402
from bot.channels.zalo import SECRET_HEADER, ZaloChannel  # noqa: E402
from bot.config import ZaloWebhook, load_config  # noqa: E402
from bot.core.clock import SystemClock  # noqa: E402
from bot.core.roles import Role  # noqa: E402
from bot.handlers.router import Router  # noqa: E402
from bot.services import invites  # noqa: E402
from bot.services.deps import Deps  # noqa: E402
from bot.store.db import Store  # noqa: E402
from tests.fakes.zalo_api import FakeZalo, Sent, text_update  # noqa: E402

STEPS = (("ghi nhan", "menu"), ("1", "household"), ("1 0", "skill+done"), ("1", "save"))
SECRET_ENV = "SOTAY_BENCH_ZALO_SECRET"


@dataclass
class Timings:
    per_step: dict[str, list[float]] = field(default_factory=lambda: {name: [] for _, name in STEPS})
    acks: list[float] = field(default_factory=list)
    wall: float = 0.0

    @property
    def all(self) -> list[float]:
        return [ms for values in self.per_step.values() for ms in values]


class Member:
    """One simulated Zalo user: every message is one webhook POST, timed until the bot's reply is sent."""

    def __init__(self, api: FakeZalo, http: aiohttp.ClientSession, url: str, secret: str) -> None:
        self.api = api
        self.http = http
        self.url = url
        self.headers = {SECRET_HEADER: secret, "Content-Type": "application/json"}
        self.user = secrets.token_hex(10)

    async def say(self, text_: str) -> tuple[float, float, Sent]:
        body = json.dumps(text_update(self.user, text_)).encode()
        started = time.perf_counter()
        async with self.http.post(self.url, data=body, headers=self.headers) as resp:
            await resp.read()
            acked = time.perf_counter()
            if resp.status != 200:
                raise RuntimeError(f"webhook answered HTTP {resp.status}")
        [sent] = await self.api.wait_for_sent(1, timeout=30.0)
        return (sent.at - started) * 1000.0, (acked - started) * 1000.0, sent


async def _setup_member(deps: Deps, member: Member) -> None:
    async with deps.store.session() as session:
        _, code = await invites.create(session, deps.clock.now(), timedelta(hours=1), Role.MEMBER, "T01", "Bench")
    *_, sent = await member.say(f"/start {code}")
    assert "Chào mừng" in sent.text, sent.text
    for typed in ("/ghinhan", "them ho moi", "Nguyen Van Bench", "Xom 3", "bo qua", "0", "dong y", "1 0", "1"):
        *_, sent = await member.say(typed)
    assert "Đã lưu lượt" in sent.text, sent.text


async def _repeat_visit(member: Member, timings: Timings, updates: int) -> int:
    done = 0
    for typed, step in STEPS:
        if done == updates:
            break
        ms, ack, sent = await member.say(typed)
        timings.per_step[step].append(ms)
        timings.acks.append(ack)
        done += 1
    if done == len(STEPS):
        assert "Đã lưu lượt" in sent.text, sent.text
    return done


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def run(url: str, n: int) -> Timings:
    config = load_config(ROOT / "config.yaml")
    deps = Deps(config=config, store=Store(url), clock=SystemClock())
    api = FakeZalo()
    await api.start()
    channel: ZaloChannel | None = None
    secret = secrets.token_urlsafe(24)
    os.environ[SECRET_ENV] = secret
    try:
        hook = ZaloWebhook(listen="127.0.0.1", port=_free_port())
        settings = config.channels.zalo.model_copy(
            update={
                "base_url": api.base_url,
                "mode": "webhook",
                "webhook": hook,
                "secret_env": SECRET_ENV,
                "public_base_url": f"http://{hook.listen}:{hook.port}",  # registered with the fake by setWebhook
            }
        )
        channel = ZaloChannel(Router(deps), deps, api.token, settings)
        await channel.start()
        async with aiohttp.ClientSession() as http:
            member = Member(api, http, f"http://{hook.listen}:{hook.port}{hook.path}", secret)
            await _setup_member(deps, member)
            timings = Timings()
            started = time.perf_counter()
            remaining = n
            while remaining:
                remaining -= await _repeat_visit(member, timings, remaining)
            timings.wall = time.perf_counter() - started
            await channel.settle()
            extra = api.take_new()
            assert not extra, f"{len(extra)} unexpected extra message(s)"
        return timings
    finally:
        if channel is not None:
            await channel.stop()
        await api.stop()
        await deps.store.close()
        os.environ.pop(SECRET_ENV, None)


def print_report(backend: str, n: int, timings: Timings) -> None:
    steps = [
        latency_row(f"{name} ({typed!r})", timings.per_step[name]) for typed, name in STEPS if timings.per_step[name]
    ]
    print_table(
        [
            f"Zalo webhook latency — backend {backend}, {n} webhook updates of repeat visits ({len(STEPS)} per visit)",
            "(from the start of the webhook POST to the fake Zalo API receiving the bot's reply on sendMessage)",
        ],
        [
            steps,
            [
                latency_row("all: POST → reply sent", timings.all, timings.wall),
                latency_row("webhook 200", timings.acks),
            ],
        ],
    )
    print(f"Outbound Zalo messages per repeat visit: {len(STEPS)} (one per member message).")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], "webhook updates to time (4 per repeat visit)", argv)
    with database(args.pg) as (backend, url):
        timings = asyncio.run(run(url, args.n))
    print_report(backend, args.n, timings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
