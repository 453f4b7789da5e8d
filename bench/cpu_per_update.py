"""CPU per update next to bare baselines on the same fake APIs, and SQL statements per update.

Six rigs, each in this one process and event loop together with the fake API server it talks to (the fake's own
CPU is therefore in every figure, baseline and bot alike):

- telegram baseline: a bare python-telegram-bot echo bot (one MessageHandler, one CallbackQueryHandler: answer the
  tap, send one text with one button), long polling the fake Bot API (tests/fakes/telegram_api.py);
- telegram bot: the real TelegramChannel on the log-visit path, a member's repeat visits of 5 updates each
  (menu → household → skill → Xong → Lưu, as bench/telegram_update_latency.py);
- zalo baseline: a bare aiohttp webhook server that checks the secret header, parses the JSON and answers with one
  sendMessage to the fake Zalo API (tests/fakes/zalo_api.py) before returning 200;
- zalo bot: the real ZaloChannel in webhook mode on the log-visit path, 4 updates per visit ("ghi nhan" → "1" →
  "1 0" → "1", as bench/zalo_webhook_latency.py); its answers go through the outbox to the fake API;
- telegram floor and zalo floor: each baseline plus only the four writes that keep every update and every answer
  across a kill (the inbox row before the platform is told, the answer queued and the update marked answered in one
  transaction, the answer marked sent: class Durable), through the bot's own store and services. It is what a bot
  that does nothing but echo costs once it may not drop a message or lose an answer: the ratio targets are to be
  read against it.

Each rig is set up and warmed up (the member joins and logs a few visits, not measured), then drives N updates,
one at a time: an update goes in (getUpdates answer / webhook POST) and the next one waits until the fake API has
received the answer. After the last answer the window stays open until nothing has happened (no API call, no SQL
statement) for a moment, so the tail of the work (the outbox marking a message sent, removing a keyboard) is
counted too. CPU is time.process_time() of the whole process over that window: all threads, so SQLite's work in
aiosqlite's threads counts, but not the PostgreSQL server's own processes. SQL statements are counted on the
store's engine with a `before_cursor_execute` event (what reaches the driver's cursor: not BEGIN/COMMIT, which the
drivers issue themselves, nor pool_pre_ping's pings on PostgreSQL; commits and connection checkouts are shown
separately); they include the outbox sender's and any idle polling of the outbox during the window.

The ratio targets of the issue are Telegram ≤ 2×, Zalo ≤ 8×, and ≤ 5 SQL statements per update on either channel.

The machine may be shared and noisy, so the rigs run in interleaved rounds (baseline and bot alternate which goes
first) and each round's ratio pairs the two measured in that round; the table shows the median over rounds and
the min–max.

    .venv/bin/python bench/cpu_per_update.py --n 200 --rounds 5
    .venv/bin/python bench/cpu_per_update.py --pg postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/cpu_per_update.py --only zalo --profile /tmp/profile_zalo.txt

With --pg, a temporary database is created on that server (the URL names a database to connect to for
CREATE/DROP DATABASE) and dropped afterwards. With --profile, one warmed-up window of the bot on the one channel
given by --only runs under cProfile (the event loop's thread only); its summary is written to the file and the raw
statistics next to it (FILE.pstats).

The script measures the tree it lives in (ROOT below): copy it into another checkout's bench/ to measure that one.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import hmac
import io
import itertools
import json
import logging
import os
import pstats
import secrets
import socket
import statistics
import sys
import sysconfig
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from sqlalchemy import event  # noqa: E402
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update  # noqa: E402
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters  # noqa: E402

from bench.common import database  # noqa: E402
from bot import texts as T  # noqa: E402
from bot.channels.telegram import TelegramChannel  # noqa: E402
from bot.channels.zalo import SECRET_HEADER, ZaloChannel  # noqa: E402
from bot.config import Config, ZaloWebhook, load_config  # noqa: E402
from bot.core.clock import SystemClock  # noqa: E402
from bot.core.messages import OutMessage  # noqa: E402
from bot.core.roles import Role  # noqa: E402
from bot.handlers.router import Router  # noqa: E402
from bot.services import inbox, invites, outbox, period_counts  # noqa: E402
from bot.services.deps import Deps  # noqa: E402
from bot.store.db import Store  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram, QueuedUpdate  # noqa: E402
from tests.fakes.zalo_api import FakeZalo, text_update  # noqa: E402

CHANNELS = ("telegram", "zalo")
TARGET_RATIO = {"telegram": 2.0, "zalo": 8.0}
TARGET_SQL = 5.0
TIMEOUT = 30.0  # seconds: a safety net for every wait on an answer
QUIET = 0.15  # seconds without an API call or SQL statement that end a window
SAVED = "Đã lưu lượt"  # in the answer to a visit's last step
HEAD_NAME = "Nguyen Van Bench"  # each rig's household gets a suffix of its own (the database is shared)
TG_SKILL = "Cài đặt VNeID"
ZALO_VISIT = ("ghi nhan", "1", "1 0", "1")
SECRET_ENV = "SOTAY_BENCH_ZALO_SECRET"
ECHO_KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])

Step = Callable[[], Awaitable[str]]  # one update in, its answer's text out
_households = itertools.count()


def _head_name() -> str:
    """A household head's name no earlier rig used: "Nguyen Van Bench Ba", "… Bb"… (letters only)."""
    k = next(_households)
    letters = "abcdefghiklmnopqrstuvxy"
    return f"{HEAD_NAME} {letters[k // len(letters) % len(letters)].upper()}{letters[k % len(letters)]}"


# --- the internal hooks (everything else drives the bot from outside, through the fake APIs) -------------------
class SqlCounter:
    """SQL statements that reached the driver's cursor, by shape ("SELECT outbox", "UPDATE members"), commits, and
    connection checkouts from the pool (each one a ping round trip on PostgreSQL, where pool_pre_ping is on)."""

    def __init__(self) -> None:
        self.raw: Counter[str] = Counter()  # by statement text: counting stays cheap, shapes are made afterwards
        self.total = 0
        self.commits = 0
        self.checkouts = 0

    def snapshot(self) -> tuple[Counter[str], int, int]:
        return Counter(self.raw), self.commits, self.checkouts

    def shapes_since(self, before: Counter[str]) -> Counter[str]:
        shapes: Counter[str] = Counter()
        for statement, count in (self.raw - before).items():
            shapes[statement_shape(statement)] += count
        return shapes


def watch_sql(store: Store) -> SqlCounter:
    """INTERNAL HOOK: listen on the store's engine (Store.engine, an AsyncEngine) for every statement and commit.
    If the store's attribute changes, this is the one place to adapt."""
    counter = SqlCounter()
    engine = store.engine.sync_engine

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        counter.total += 1
        counter.raw[statement] += 1

    def commit(conn: Any) -> None:
        counter.commits += 1

    def checkout(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        counter.checkouts += 1

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "commit", commit)
    event.listen(engine.pool, "checkout", checkout)
    return counter


async def invite_code(deps: Deps) -> str:
    """INTERNAL HOOK: a member invite's code, written straight to the store (as the latency benches do)."""
    async with deps.store.session() as session:
        _, code = await invites.create(session, deps.clock.now(), timedelta(hours=1), Role.MEMBER, "T01", "Bench")
    return code


def zalo_settings(config: Config, api: FakeZalo, hook: ZaloWebhook) -> Any:
    """The Zalo settings for webhook mode on the fake API, with a quota no run of this bench can use up."""
    settings = config.channels.zalo
    update: dict[str, Any] = {
        "base_url": api.base_url,
        "mode": "webhook",
        "webhook": hook,
        "secret_env": SECRET_ENV,
        "public_base_url": f"http://{hook.listen}:{hook.port}",  # registered with the fake by setWebhook
    }
    if "monthly_quota" in type(settings).model_fields:
        update["monthly_quota"] = 10**9
    return settings.model_copy(update=update)


def statement_shape(sql: str) -> str:
    """A statement's verb and main table: "SELECT members", "INSERT visits", "UPDATE outbox … FOR UPDATE"."""
    words = sql.split()
    if not words:
        return "?"
    verb = words[0].upper()
    upper = [w.upper() for w in words]
    target = ""
    if verb in ("INSERT", "DELETE") and len(words) > 2:
        target = words[2]
    elif verb == "UPDATE" and len(words) > 1:
        target = words[1]
    elif "FROM" in upper:
        at = upper.index("FROM")
        target = words[at + 1] if at + 1 < len(words) else ""
    shape = f"{verb} {target.strip('(),').strip(chr(34))}".strip()
    if "FOR UPDATE" in " ".join(upper):
        shape += " … FOR UPDATE"
    return shape


# --- rigs ---------------------------------------------------------------------------------------------------------
@dataclass
class Rig:
    """A running baseline or bot, warmed up: `steps` are driven in a cycle (one update each), `calls` is the fake
    API's call log and `sent` the number of messages it received."""

    steps: Sequence[Step]
    calls: Callable[[], Sequence[Any]]
    sent: Callable[[], int]
    sql: SqlCounter | None = None
    check_every: int = 0  # after this many steps (a whole visit) the last answer must contain SAVED; 0: no check


class Durable:
    """The writes every answered update needs, whatever the bot does with it (the inbox row before the platform is
    told, the answer queued and the update marked answered in one transaction, the answer marked sent), through the
    bot's own store and services: what a bare baseline costs once it must not lose a message or an answer."""

    def __init__(self, url: str, key: str) -> None:
        self.store = Store(url)
        self.sql = watch_sql(self.store)
        self.key = key
        self.clock = SystemClock()

    async def keep(self, ref: str, body: dict[str, Any]) -> None:
        await inbox.keep_all(self.store, self.key, [(ref, body)], self.clock.now())

    async def queue(self, ref: str, chat: str, text: str) -> int:
        async def work(session: Any) -> int:
            now = self.clock.now()
            await inbox.answered(session, self.key, ref, now)
            [item_id] = await outbox.enqueue_answer(session, self.key, chat, now, [OutMessage(text, answer=True)])
            return item_id

        return await self.store.transact(work, "an answer")

    async def sent(self, item_id: int) -> None:
        now = self.clock.now()
        mark = outbox.Mark(item_id, outbox.SENT, 1, now, now, None, {})
        await self.store.transact(lambda session: outbox.write_mark(session, mark), "a mark")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _telegram_actor(tg: FakeTelegram) -> Callable[[Callable[[], QueuedUpdate]], Step]:
    def step(make: Callable[[], QueuedUpdate]) -> Step:
        async def run() -> str:
            make()
            sent = await tg.wait_for_sent(1, timeout=TIMEOUT)
            return sent[-1].text

        return run

    return step


async def _run_steps(steps: Sequence[Step], count: int, check_every: int = 0) -> None:
    done = 0
    for step in itertools.cycle(steps):
        if done == count:
            return
        text = await step()
        done += 1
        if check_every and done % check_every == 0 and SAVED not in text:
            raise AssertionError(f"the visit was not saved; the bot answered {text[:120]!r}")


@asynccontextmanager
async def telegram_baseline(url: str, config: Config, warmup: int, durable: bool = False) -> AsyncIterator[Rig]:
    """A bare python-telegram-bot echo bot, polling as the real channel does (no job queue, same poll settings);
    with `durable`, the echo bot plus the writes of Durable around each answer (the floor)."""
    floor = Durable(url, "telegram") if durable else None

    async def answering(update: Update, chat: int, text: str) -> int | None:
        if floor is None:
            return None
        ref = str(update.update_id)
        await floor.keep(ref, update.to_dict())
        return await floor.queue(ref, str(chat), text)

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        item = await answering(update, message.chat.id, message.text)
        await message.reply_text(message.text, reply_markup=ECHO_KEYBOARD)
        if floor is not None and item is not None:
            await floor.sent(item)

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        text = f"pressed {query.data}"
        item = await answering(update, query.message.chat.id, text)
        await query.answer()
        await context.bot.send_message(query.message.chat.id, text, reply_markup=ECHO_KEYBOARD)
        if floor is not None and item is not None:
            await floor.sent(item)

    tg = FakeTelegram()
    await tg.start()
    app = Application.builder().token(tg.token).base_url(tg.base_url).job_queue(None).build()
    app.add_handler(MessageHandler(filters.TEXT, on_text))
    app.add_handler(CallbackQueryHandler(on_press))
    try:
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=timedelta(seconds=10))
        user = secrets.randbelow(9 * 10**8) + 10**8
        act = _telegram_actor(tg)
        steps = [act(lambda: tg.user_sends_text(user, "xin chào"))]
        steps += [act(lambda: tg.press(user, "OK", exact=True)) for _ in range(4)]
        await _run_steps(steps, warmup * len(steps))
        yield Rig(steps, lambda: tg.calls, lambda: len(tg.sent), floor.sql if floor is not None else None)
    finally:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        await tg.stop()
        if floor is not None:
            await floor.store.close()


@asynccontextmanager
async def telegram_floor(url: str, config: Config, warmup: int) -> AsyncIterator[Rig]:
    async with telegram_baseline(url, config, warmup, durable=True) as rig:
        yield rig


@asynccontextmanager
async def telegram_bot(url: str, config: Config, warmup: int) -> AsyncIterator[Rig]:
    """The real TelegramChannel (long polling) with a member who joined and logged one visit, then `warmup` more."""
    deps = Deps(config=config, store=Store(url), clock=SystemClock())
    sql = watch_sql(deps.store)
    tg = FakeTelegram(first_update_id=secrets.randbelow(10**9) + 1)  # each round's fake: ids the bot has not seen
    await tg.start()
    channel: TelegramChannel | None = None
    try:
        settings = config.channels.telegram.model_copy(update={"base_url": tg.base_url, "mode": "polling"})
        channel = TelegramChannel(Router(deps), deps, tg.token, settings, poll_interval=0.0)
        await channel.start()
        user = secrets.randbelow(9 * 10**8) + 10**8
        act = _telegram_actor(tg)
        say: Callable[[str], Step] = lambda text: act(lambda: tg.user_sends_text(user, text))  # noqa: E731
        tap: Callable[..., Step] = lambda label, exact=False: act(lambda: tg.press(user, label, exact=exact))  # noqa: E731
        head = _head_name()
        setup = [
            say(f"/start {await invite_code(deps)}"),
            say("/ghinhan"),
            tap("Thêm hộ mới"),
            say(head),
            say("Xom 3"),
            tap(T.SKIP_LABEL),
            tap(T.DONE_LABEL, True),
            tap(T.CONSENT_YES, True),
            tap(TG_SKILL),
            tap(T.DONE_LABEL, True),
            tap(T.BTN_SAVE, True),
        ]
        await _run_steps(setup, len(setup), check_every=len(setup))
        visit = [say(T.MENU_LOG), tap(head), tap(TG_SKILL), tap(T.DONE_LABEL, True), tap(T.BTN_SAVE, True)]
        await _run_steps(visit, warmup * len(visit), check_every=len(visit))
        yield Rig(visit, lambda: tg.calls, lambda: len(tg.sent), sql, check_every=len(visit))
    finally:
        if channel is not None:
            await channel.stop()
        await tg.stop()
        await deps.store.close()


def _zalo_actor(api: FakeZalo, http: aiohttp.ClientSession, url: str, secret: str) -> Callable[[str], Step]:
    headers = {SECRET_HEADER: secret, "Content-Type": "application/json"}
    user = secrets.token_hex(10)

    def step(text: str) -> Step:
        async def run() -> str:
            body = json.dumps(text_update(user, text)).encode()
            async with http.post(url, data=body, headers=headers) as resp:
                await resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"webhook answered HTTP {resp.status}")
            [sent] = await api.wait_for_sent(1, timeout=TIMEOUT)
            return sent.text

        return run

    return step


@asynccontextmanager
async def zalo_baseline(url: str, config: Config, warmup: int, durable: bool = False) -> AsyncIterator[Rig]:
    """A bare aiohttp webhook: check the secret, parse the update, send one text to the chat, answer 200; with
    `durable`, the same plus the writes of Durable around the answer (the floor)."""
    floor = Durable(url, "zalo") if durable else None
    api = FakeZalo()
    await api.start()
    secret = secrets.token_urlsafe(24)
    send_url = f"{api.base_url}/bot{api.token}/sendMessage"
    out = aiohttp.ClientSession()

    async def on_webhook(request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), secret.encode()):
            return web.json_response({"message": "Unauthorized"}, status=403)
        body = json.loads(await request.read())
        message = body["result"]["message"] if "result" in body else body["message"]
        payload = {"chat_id": message["chat"]["id"], "text": message.get("text") or "?"}
        item = None
        if floor is not None:
            ref = str(message["message_id"])
            await floor.keep(ref, body)
            item = await floor.queue(ref, payload["chat_id"], payload["text"])
        async with out.post(send_url, json=payload) as resp:
            answer = json.loads(await resp.read())
            if not answer.get("ok"):
                raise RuntimeError(f"sendMessage failed: {answer}")
        if floor is not None and item is not None:
            await floor.sent(item)
        return web.json_response({"message": "Success"})

    app = web.Application()
    app.router.add_post("/zalo/webhook", on_webhook)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    http = aiohttp.ClientSession()
    try:
        say = _zalo_actor(api, http, f"http://127.0.0.1:{port}/zalo/webhook", secret)
        steps = [say(text) for text in ZALO_VISIT]
        await _run_steps(steps, warmup * len(steps))
        yield Rig(steps, lambda: api.calls, lambda: len(api.sent), floor.sql if floor is not None else None)
    finally:
        await http.close()
        await runner.cleanup()
        await out.close()
        await api.stop()
        if floor is not None:
            await floor.store.close()


@asynccontextmanager
async def zalo_floor(url: str, config: Config, warmup: int) -> AsyncIterator[Rig]:
    async with zalo_baseline(url, config, warmup, durable=True) as rig:
        yield rig


@asynccontextmanager
async def zalo_bot(url: str, config: Config, warmup: int) -> AsyncIterator[Rig]:
    """The real ZaloChannel in webhook mode with a member who joined and logged one visit, then `warmup` more."""
    deps = Deps(config=config, store=Store(url), clock=SystemClock())
    sql = watch_sql(deps.store)
    api = FakeZalo()
    await api.start()
    secret = secrets.token_urlsafe(24)
    os.environ[SECRET_ENV] = secret
    channel: ZaloChannel | None = None
    http = aiohttp.ClientSession()
    try:
        hook = ZaloWebhook(listen="127.0.0.1", port=_free_port())
        channel = ZaloChannel(Router(deps), deps, api.token, zalo_settings(config, api, hook))
        await channel.start()
        say = _zalo_actor(api, http, f"http://{hook.listen}:{hook.port}{hook.path}", secret)
        typed = ("/ghinhan", "them ho moi", _head_name(), "Xom 3", "bo qua", "0", "dong y", "1 0", "1")
        setup = [say(f"/start {await invite_code(deps)}"), *(say(text) for text in typed)]
        await _run_steps(setup, len(setup), check_every=len(setup))
        visit = [say(text) for text in ZALO_VISIT]
        await _run_steps(visit, warmup * len(visit), check_every=len(visit))
        yield Rig(visit, lambda: api.calls, lambda: len(api.sent), sql, check_every=len(visit))
    finally:
        await http.close()
        if channel is not None:
            await channel.stop()
        await api.stop()
        await deps.store.close()
        os.environ.pop(SECRET_ENV, None)


RIGS = {
    ("telegram", "baseline"): telegram_baseline,
    ("telegram", "bot"): telegram_bot,
    ("zalo", "baseline"): zalo_baseline,
    ("zalo", "bot"): zalo_bot,
    ("telegram", "floor"): telegram_floor,
    ("zalo", "floor"): zalo_floor,
}


# --- measuring ----------------------------------------------------------------------------------------------------
@dataclass
class Sample:
    """One measured window."""

    updates: int
    cpu: float  # process CPU seconds
    loop_cpu: float  # CPU seconds of the event loop's thread alone (the rest: aiosqlite's and other threads)
    wall: float  # seconds
    calls: Counter[str]  # fake API calls by method
    sent: int  # messages the fake API received (sends and edits)
    statements: Counter[str] | None = None  # SQL statements by shape (bots only)
    commits: int = 0
    checkouts: int = 0

    @property
    def cpu_ms(self) -> float:
        return self.cpu * 1000.0 / self.updates

    @property
    def sql_per_update(self) -> float | None:
        return None if self.statements is None else sum(self.statements.values()) / self.updates


def _activity(rig: Rig) -> int:
    return len(rig.calls()) + (rig.sql.total if rig.sql is not None else 0)


async def _until_quiet(rig: Rig) -> None:
    """Wait until neither an API call nor an SQL statement has happened for QUIET seconds."""
    last, since = _activity(rig), time.perf_counter()
    deadline = since + TIMEOUT
    while time.perf_counter() - since < QUIET:
        await asyncio.sleep(0.02)
        now = _activity(rig)
        if now != last:
            last, since = now, time.perf_counter()
        if time.perf_counter() > deadline:
            raise AssertionError("the rig never went quiet")


async def measure(rig: Rig, n: int, profile: cProfile.Profile | None = None) -> Sample:
    """Drive `n` updates through a warmed-up rig and measure them, tail work included."""
    await _until_quiet(rig)
    gc.collect()
    calls_before, sent_before = len(rig.calls()), rig.sent()
    sql_before = rig.sql.snapshot() if rig.sql is not None else None
    if profile is not None:
        profile.enable()
    cpu, loop_cpu, wall = time.process_time(), time.thread_time(), time.perf_counter()
    await _run_steps(rig.steps, n, rig.check_every)
    await _until_quiet(rig)
    cpu, loop_cpu, wall = time.process_time() - cpu, time.thread_time() - loop_cpu, time.perf_counter() - wall
    if profile is not None:
        profile.disable()
    statements, commits, checkouts = None, 0, 0
    if rig.sql is not None and sql_before is not None:
        statements = rig.sql.shapes_since(sql_before[0])
        commits = rig.sql.commits - sql_before[1]
        checkouts = rig.sql.checkouts - sql_before[2]
    calls = Counter(c.method for c in rig.calls()[calls_before:])
    return Sample(n, cpu, loop_cpu, wall, calls, rig.sent() - sent_before, statements, commits, checkouts)


async def figures_read(url: str, config: Config) -> None:
    """As in a commune where someone has asked for the figures once: from then on every saved visit keeps the
    period counters (services/period_counts) in its transaction, which is part of what an update costs."""
    store = Store(url)
    try:
        async with store.session() as session:
            await period_counts.sync(session, config)
    finally:
        await store.close()


async def run_rounds(
    url: str, channels: Sequence[str], n: int, rounds: int, warmup: int
) -> dict[tuple[str, str], list[Sample]]:
    config = load_config(ROOT / "config.yaml")
    await figures_read(url, config)
    samples: dict[tuple[str, str], list[Sample]] = {key: [] for key in RIGS if key[0] in channels}
    for r in range(rounds):
        for channel in channels:
            order = ("baseline", "floor", "bot") if r % 2 == 0 else ("bot", "floor", "baseline")
            for variant in order:
                async with RIGS[(channel, variant)](url, config, warmup) as rig:
                    sample = await measure(rig, n)
                samples[(channel, variant)].append(sample)
                print(
                    f"  round {r + 1}/{rounds} {channel:8} {variant:8} {sample.cpu_ms:6.2f} ms CPU/update"
                    f"  ({sample.wall * 1000 / n:.2f} ms wall)",
                    file=sys.stderr,
                    flush=True,
                )
    return samples


# --- reporting ----------------------------------------------------------------------------------------------------
def _print_rows(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        cells_widths = enumerate(zip(cells, widths, strict=True))
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in cells_widths).rstrip()

    print(line(header))
    print(line(["-" * w for w in widths]))
    for row in rows:
        print(line(row))


def _per_update(counts: Counter[str], samples: Sequence[Sample]) -> dict[str, float]:
    updates = sum(s.updates for s in samples)
    return {key: value / updates for key, value in counts.most_common()}


def _ratios(over: Sequence[Sample], under: Sequence[Sample]) -> list[float]:
    return [b.cpu_ms / a.cpu_ms for a, b in zip(under, over, strict=True)]


def _spread(values: Sequence[float], unit: str = "") -> str:
    return f"{statistics.median(values):.2f}{unit}" + (
        f" ({min(values):.2f}–{max(values):.2f})" if max(values) > min(values) else ""
    )


def report(backend: str, n: int, rounds: int, samples: dict[tuple[str, str], list[Sample]]) -> None:
    print(f"CPU per update, bot vs bare baseline — backend {backend}, {n} updates × {rounds} rounds per rig")
    print("(process CPU incl. the fake API server; ratio = bot / baseline of the same round: median, min–max;")
    print(" floor = the baseline plus only the writes that keep every update and answer across a kill)")
    header = [
        "channel", "baseline ms", "floor ms", "bot ms", "floor/base", "bot/base", "bot/floor",
        "SQL floor", "SQL bot", "commits bot", "target",
    ]  # fmt: skip
    rows = []
    for channel in CHANNELS:
        base, floor, bot = (samples.get((channel, variant)) for variant in ("baseline", "floor", "bot"))
        if not base or not bot or not floor:
            continue
        ratios = _ratios(bot, base)
        sql = [s.sql_per_update or 0.0 for s in bot]
        target = f"≤ {TARGET_RATIO[channel]:g}×, ≤ {TARGET_SQL:g} SQL"
        met = statistics.median(ratios) <= TARGET_RATIO[channel] and statistics.median(sql) <= TARGET_SQL
        rows.append(
            [
                channel,
                f"{statistics.median(s.cpu_ms for s in base):.3f}",
                f"{statistics.median(s.cpu_ms for s in floor):.3f}",
                f"{statistics.median(s.cpu_ms for s in bot):.3f}",
                _spread(_ratios(floor, base), "×"),
                _spread(ratios, "×"),
                _spread(_ratios(bot, floor), "×"),
                _spread([s.sql_per_update or 0.0 for s in floor]),
                _spread(sql),
                f"{statistics.median(s.commits / s.updates for s in bot):.2f}",
                target + ("  met" if met else "  not met"),
            ]
        )
    _print_rows(header, rows)
    for channel in CHANNELS:
        base, bot = samples.get((channel, "baseline")), samples.get((channel, "bot"))
        if not base or not bot:
            continue
        print(f"\n{channel}: per update, over all rounds")
        groups = [("baseline", base), ("floor", samples.get((channel, "floor")) or []), ("bot", bot)]
        for name, group in (g for g in groups if g[1]):
            calls = sum((s.calls for s in group), Counter())
            sent = sum(s.sent for s in group) / sum(s.updates for s in group)
            wall = statistics.median(s.wall * 1000 / s.updates for s in group)
            loop = statistics.median(s.loop_cpu * 1000 / s.updates for s in group)
            text = ", ".join(f"{m} {v:.2f}" for m, v in _per_update(calls, group).items())
            print(
                f"  {name:8} API calls: {text}; messages received {sent:.2f}; wall {wall:.2f} ms;"
                f" CPU of the loop's thread {loop:.3f} ms"
            )
        statements = sum((s.statements or Counter() for s in bot), Counter())
        text = ", ".join(f"{shape} {v:.2f}" for shape, v in _per_update(statements, bot).items())
        commits = sum(s.commits for s in bot) / sum(s.updates for s in bot)
        checkouts = sum(s.checkouts for s in bot) / sum(s.updates for s in bot)
        print(f"  bot SQL: {text}")
        print(f"  bot transactions: {commits:.2f} commits, {checkouts:.2f} connection checkouts")


# --- profiling ----------------------------------------------------------------------------------------------------
def _short_path(filename: str) -> str:
    for prefix in (str(ROOT), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"]):
        if filename.startswith(prefix + os.sep):
            return filename[len(prefix) + 1 :]
    return filename


def _package(filename: str, function: str) -> str:
    """Where a profiled function belongs: bot.<subpackage>, a library's top-level package, or a builtin."""
    if filename == "~":
        return f"builtin {function}"[:70]
    short = _short_path(filename)
    if short == filename:  # not under ROOT, site-packages or the standard library
        return short
    parts = Path(short).with_suffix("").parts
    if parts[0] in ("bot", "tests", "bench") and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def profile_summary(profile: cProfile.Profile, title: str, sample: Sample, timer: str, top: int = 40) -> str:
    out = io.StringIO()
    out.write(f"{title}\n{sample.updates} updates, {sample.cpu_ms:.3f} ms process CPU/update, of which the event")
    out.write(f" loop's thread {sample.loop_cpu * 1000 / sample.updates:.3f} ms (profiler overhead included)\n")
    out.write(f"Timer: {timer}. Only the event loop's thread is profiled (not aiosqlite's threads).\n")
    stats = pstats.Stats(profile, stream=out)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    by_package: Counter[str] = Counter()
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        by_package[_package(filename, function)] += tottime
    total = sum(by_package.values())
    out.write(f"\n== own time (tottime) by package, ms per update (total {total * 1000 / sample.updates:.3f}) ==\n")
    for package, seconds in by_package.most_common(top):
        out.write(f"{seconds * 1000 / sample.updates:9.4f}  {seconds / total:6.1%}  {package}\n")
    for key in ("tottime", "cumulative"):
        out.write(f"\n== top {top} by {key} (seconds over the whole window) ==\n")
        text = io.StringIO()
        stats.stream = text  # type: ignore[attr-defined]
        stats.sort_stats(key).print_stats(top)
        lines = text.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
        for line in lines[start:]:
            for prefix in (sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"], str(ROOT)):
                line = line.replace(prefix + os.sep, "")
            out.write(line + "\n")
    return out.getvalue()


async def run_profile(url: str, channel: str, n: int, warmup: int, cpu_timer: bool) -> tuple[cProfile.Profile, Sample]:
    """One warmed-up window of the bot under cProfile. The default timer is the profiler's own (wall clock, cheap):
    then select.epoll.poll is the loop idling and SimpleQueue.put_nowait is mostly the loop thread waiting for the
    GIL while aiosqlite's thread runs the statement it was handed. `cpu_timer` counts the loop thread's CPU instead
    (time.thread_time), which is exact about waiting but costs a system call per event, so small, often-called
    functions look heavier than they are."""
    config = load_config(ROOT / "config.yaml")
    await figures_read(url, config)
    profile = cProfile.Profile(time.thread_time) if cpu_timer else cProfile.Profile()
    async with RIGS[(channel, "bot")](url, config, warmup) as rig:
        sample = await measure(rig, n, profile)
    return profile, sample


# --- main ---------------------------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="measured updates per rig and round (default 200)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured visits before each window (default 5)")
    parser.add_argument(
        "--pg", metavar="URL", help="PostgreSQL server URL (postgresql+asyncpg://…); a temporary database is used"
    )
    parser.add_argument("--only", choices=CHANNELS, help="measure one channel")
    parser.add_argument("--profile", metavar="FILE", type=Path, help="profile the bot of --only once, into FILE")
    parser.add_argument(
        "--profile-cpu", action="store_true", help="with --profile: time the loop thread's CPU, not the wall clock"
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.rounds < 1 or args.warmup < 0:
        parser.error("--n and --rounds must be at least 1, --warmup at least 0")
    if args.profile and not args.only:
        parser.error("--profile needs --only telegram|zalo")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    channels = [args.only] if args.only else list(CHANNELS)
    with database(args.pg) as (backend, url):
        if args.profile:
            profile, sample = asyncio.run(run_profile(url, args.only, args.n, args.warmup, args.profile_cpu))
            title = f"cProfile of the {args.only} bot on the log-visit path, {backend} ({ROOT})"
            timer = (
                "the loop thread's CPU (time.thread_time; high overhead on small calls)"
                if args.profile_cpu
                else "wall clock (cProfile's default; epoll.poll is idling, SimpleQueue.put_nowait mostly waiting"
                " for the GIL while aiosqlite's thread works)"
            )
            args.profile.write_text(profile_summary(profile, title, sample, timer))
            profile.dump_stats(f"{args.profile}.pstats")  # the raw statistics, for pstats or snakeviz
            print(f"{args.only} bot under cProfile ({backend}): {sample.cpu_ms:.3f} ms CPU/update; see {args.profile}")
            return 0
        samples = asyncio.run(run_rounds(url, channels, args.n, args.rounds, args.warmup))
    report(backend, args.n, args.rounds, samples)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
