"""The Telegram outbox sender: drains the `outbox` rows of channel "telegram" within Telegram's limits.

Other parts of the bot (a flagged visit, later reminders and broadcasts) only write rows; this task, started and
stopped by TelegramChannel, sends them. The rules it follows:

- due rows oldest first, each row in its own transaction (claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so a
  second process never sends the same row); only the oldest pending row of each chat is due
  (`outbox.due(..., in_order=True)`), so a chat whose older message waits for a retry is held back and one chat's
  messages keep their order;
- at most `rate` messages per second overall (a token bucket, default 29/s with a burst of 1: at most 30 in any
  second, Telegram's limit; a 429 from requests that reached Telegram bunched together is handled below); up to
  `concurrency` rows are sent at once to different chats, each taking its token in turn; one message per second
  to one private chat and one per three seconds to a group; a long text is split into several messages, each
  counted;
- 429 RetryAfter: the row is retried after `retry_after` without counting a failed attempt, and the whole sender
  waits that long; network errors, timeouts and 5xx: retried with `outbox.backoff`, counted, failed after
  `outbox.MAX_ATTEMPTS`; Forbidden (the user blocked the bot) and BadRequest "chat not found": `blocked`, and that
  chat's later rows in the same pass are marked blocked without a call; any other BadRequest: `failed`;
- due times come from the injected Clock (`deps.clock`); the rate rules use an injected monotonic time and sleep,
  so tests move time without waiting. The loop looks at the outbox every `check_every` wall-clock seconds and
  whenever `wake()` is called; `stop()` ends it promptly, leaving unsent rows pending.

Logs carry row ids, counts and error types only: never message text, chat ids or names.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter, TelegramError

from bot import texts as T
from bot.channels.telegram import CHANNEL, SEND_RATE, retry_after_seconds, split_text
from bot.services import broadcasts, outbox
from bot.services.deps import Deps
from bot.store.models import OutboxItem

DEFAULT_BURST = 1  # messages that may go at once after a quiet moment: rate + burst = 30, Telegram's limit
PER_CHAT_INTERVAL = 1.0  # seconds between two messages to one private chat
GROUP_INTERVAL = 3.0  # seconds between two messages to one group or channel (Telegram: 20 a minute)
CHECK_EVERY = 1.0  # wall-clock seconds between two looks at the outbox when nobody calls wake()
AUTH_RETRY = timedelta(minutes=5)  # the token was refused while sending: nothing can go out until it is fixed
STOP_TIMEOUT = 5.0
BATCH = 200  # chats looked at per pass (one due row per chat)
MAX_SENDS_PER_DRAIN = 1000
CONCURRENCY = 4  # rows being sent at once (to different chats): one row's database and HTTP work overlaps the next
PIECES_SENT = "pieces_sent"  # payload key: how many pieces of a split text already reached the chat
MAX_FAILURE_DELAY = 60.0  # the loop's own pause after repeated failures (database down), wall-clock seconds
_EPSILON = 1e-6  # waits shorter than this are none (float rounding must not make the sender spin)

SENT, RETRY, PAUSE, FAILED, BLOCKED, STOPPED = "sent", "retry", "pause", "failed", "blocked", "stopped"

_UNREACHABLE = re.compile(r"chat not found|user not found|peer_id_invalid", re.I)

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[Any]]


@dataclass
class _Step:
    sent: int = 0
    progressed: bool = False
    pause: bool = False


class TokenBucket:
    """`rate` tokens per second, at most `burst` saved up. Pure: time comes from the `monotonic` function."""

    def __init__(self, rate: float, burst: int, monotonic: Callable[[], float]) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs a positive rate and a burst of at least 1")
        self.rate = rate
        self.capacity = float(burst)
        self._monotonic = monotonic
        self._tokens = float(burst)
        self._at = monotonic()

    def _refill(self) -> None:
        now = self._monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
        self._at = now

    def wait_time(self) -> float:
        """Seconds until a token is available (0 when one is available now)."""
        self._refill()
        wait = (1.0 - self._tokens) / self.rate
        return wait if wait > _EPSILON else 0.0

    def take(self) -> None:
        self._refill()
        self._tokens -= 1.0


def chat_id_of(chat_ref: str) -> int | str:
    """The Bot API chat id for an outbox chat reference (numeric ids as int, "@channel" names unchanged)."""
    return int(chat_ref) if re.fullmatch(r"-?\d+", chat_ref) else chat_ref


def _short(exc: BaseException) -> str:
    """An error for the outbox row: its type and Telegram's description (no message text, no token)."""
    message = exc.message if isinstance(exc, TelegramError) else ""
    return f"{type(exc).__name__}: {message}"[:200] if message else type(exc).__name__


class TelegramSender:
    """Sends the outbox's Telegram messages. `start(bot)` runs it as a task; `drain_once()` is one full drain."""

    def __init__(
        self,
        deps: Deps,
        bot: Any | None = None,
        *,
        rate: float = SEND_RATE,
        burst: int = DEFAULT_BURST,
        per_chat_interval: float = PER_CHAT_INTERVAL,
        group_interval: float = GROUP_INTERVAL,
        check_every: float = CHECK_EVERY,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        batch: int = BATCH,
        concurrency: int = CONCURRENCY,
    ) -> None:
        self.deps = deps
        self.concurrency = max(1, concurrency)
        self.bot = bot  # a telegram.Bot (the channel's ExtBot); None until started
        self.per_chat_interval = per_chat_interval
        self.group_interval = group_interval
        self.check_every = check_every
        self.batch = batch
        self.stats: Counter[str] = Counter()  # outcome counts, for logs and tests
        self._monotonic = monotonic
        self._sleep = sleep
        self._bucket = TokenBucket(rate, burst, monotonic)
        self._last_sent: dict[str, float] = {}  # chat -> monotonic time of its latest message
        self._paused_until: datetime | None = None  # Telegram said 429 (or refused the token): nothing goes out
        self._unrecorded = outbox.Unrecorded(CHANNEL)  # sent rows whose mark could not be written yet
        self._lock = asyncio.Lock()
        self._slot_lock = asyncio.Lock()  # one send at a time waits for the bucket: its sleeps are never stacked
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    # --- lifecycle -------------------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, bot: Any | None = None) -> None:
        """Start the sending task in the running loop (with `bot`, or the one given to the constructor)."""
        if bot is not None:
            self.bot = bot
        if self.bot is None:
            raise RuntimeError("the Telegram sender needs a bot to start")
        if self.running:
            return
        self._stopping = False
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="telegram-sender")

    async def stop(self) -> None:
        """Stop promptly: a message being sent is finished and recorded, everything else stays pending."""
        self._stopping = True
        self._stop.set()
        self._wake.set()
        task, self._task = self._task, None
        if task is not None:
            try:
                await asyncio.wait_for(task, STOP_TIMEOUT)
            except TimeoutError:  # wait_for cancelled it: the row in hand is rolled back and stays pending
                log.warning("telegram sender did not stop in time; it was cancelled")
        self.bot = None

    def wake(self) -> None:
        """Look at the outbox now instead of at the next periodic check."""
        self._wake.set()

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            try:
                await self.drain_once()
                failures = 0
            except Exception:
                failures += 1
                log.exception("telegram sender pass failed; the outbox is tried again later")
            if self._stopping:
                break
            delay = self.check_every if not failures else min(MAX_FAILURE_DELAY, self.check_every * 2**failures)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            self._wake.clear()

    async def _nap(self, seconds: float) -> None:
        """Sleep (the injected sleep) for `seconds`, or less when the sender is being stopped."""
        if seconds <= 0 or self._stopping:
            return
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        stopper = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, stopper):
                task.cancel()
            await asyncio.gather(sleeper, stopper, return_exceptions=True)

    # --- the rate rules --------------------------------------------------------------------------------------------
    def chat_wait(self, chat: str) -> float:
        """Seconds until `chat` may get its next message (0: now)."""
        last = self._last_sent.get(chat)
        if last is None:
            return 0.0
        wait = last + self.interval(chat) - self._monotonic()
        return wait if wait > _EPSILON else 0.0

    def interval(self, chat: str) -> float:
        """The least time between two messages to `chat`: groups (negative ids) and @channels get more."""
        chat_id = chat_id_of(chat)
        group = isinstance(chat_id, str) or chat_id < 0
        return self.group_interval if group else self.per_chat_interval

    def paused(self) -> bool:
        return self._paused_until is not None and self.deps.clock.now() < self._paused_until

    async def _slot(self, chat: str) -> bool:
        """Wait for the chat's next slot and a token of the bucket, then take it. False when stopping, or when
        Telegram asked to slow down while this send waited (another send got the 429): the row stays pending."""
        async with self._slot_lock:
            while not self._stopping and not self.paused():
                wait = max(self.chat_wait(chat), self._bucket.wait_time())
                if wait <= 0:
                    self._bucket.take()
                    return True
                await self._nap(wait)
            return False

    def _sent_to(self, chat: str) -> None:
        now = self._monotonic()
        self._last_sent[chat] = now
        if len(self._last_sent) > 4 * self.batch:  # forget chats whose slot is free anyway
            horizon = now - max(self.per_chat_interval, self.group_interval)
            self._last_sent = {c: t for c, t in self._last_sent.items() if t > horizon}

    # --- draining --------------------------------------------------------------------------------------------------
    async def drain_once(self) -> int:
        """Send everything that is due now, oldest first and within the limits; returns how many rows were sent.

        Waits (with the injected sleep) for per-chat slots and the bucket, so a chat with three due messages gets
        them one second apart. Returns early while Telegram asked to slow down, when stopping, or after
        MAX_SENDS_PER_DRAIN rows.
        """
        async with self._lock:
            sent = 0
            blocked: set[str] = set()  # chats found unreachable in this drain
            bot = self.bot
            while not self._stopping and bot is not None and not self.paused():
                self._paused_until = None
                await self._unrecorded.write(self.deps.store)
                async with self.deps.store.session() as session:
                    now = self.deps.clock.now()
                    exclude = self._unrecorded.ids  # sent already; their chats wait until the mark is written
                    due = await outbox.due(session, CHANNEL, now, limit=self.batch, in_order=True, exclude=exclude)
                    heads = [(item.id, item.chat_ref) for item in due if item.id is not None]
                if not heads:
                    break
                waiting: list[str] = []
                progressed = False
                sending: set[asyncio.Task[str | None]] = set()
                done_early = False
                try:
                    for item_id, chat in heads:
                        if self._stopping or self.paused() or done_early:
                            break
                        if chat not in blocked and self.chat_wait(chat) > 0:
                            waiting.append(chat)  # this chat's slot is not free yet: look again after the others
                            continue
                        sending.add(asyncio.create_task(self._process(bot, item_id, blocked)))
                        if len(sending) >= self.concurrency:
                            finished, sending = await asyncio.wait(sending, return_when=asyncio.FIRST_COMPLETED)
                            step = self._tally(finished)
                            sent, progressed = sent + step.sent, progressed or step.progressed
                            done_early = step.pause or sent >= MAX_SENDS_PER_DRAIN
                finally:
                    if sending:  # every row taken is finished and recorded, also when one of them raised
                        finished, _ = await asyncio.wait(sending)
                        step = self._tally(finished)
                        sent, progressed = sent + step.sent, progressed or step.progressed
                        done_early = done_early or step.pause or sent >= MAX_SENDS_PER_DRAIN
                if done_early or self._stopping or self.paused():
                    return sent
                if not progressed:
                    if not waiting:
                        break
                    await self._nap(min(self.chat_wait(chat) for chat in waiting))
            return sent

    def _tally(self, finished: set[asyncio.Task[str | None]]) -> _Step:
        """Count the outcomes of finished sends (re-raising a failure, as a sequential send would)."""
        step = _Step()
        for task in finished:
            outcome = task.result()
            if outcome is None or outcome == STOPPED:
                continue
            step.progressed = True
            self.stats[outcome] += 1
            step.sent += outcome == SENT
            step.pause = step.pause or outcome == PAUSE
        return step

    async def _process(self, bot: Any, item_id: int, blocked: set[str]) -> str | None:
        """Claim one row in its own transaction and send it; the outcome, or None when it is no longer due.

        On SQLite the claim takes no lock and the mark is written at commit, a short transaction after the HTTP
        calls; on PostgreSQL the row stays locked (SKIP LOCKED) until then, so a second process never sends it too.
        When that commit fails, the mark is written again or kept (outbox.Unrecorded): the row is not sent twice."""
        mark: outbox.Mark | None = None
        try:
            async with self.deps.store.session() as session:
                item = await _claim(session, item_id, self.deps.clock.now())
                if item is None:
                    return None  # sent or taken by another sender meanwhile
                if item.chat_ref in blocked:
                    outbox.mark_failed(item, "recipient unreachable", blocked=True)
                    outcome = BLOCKED
                else:
                    outcome = await self._send(bot, item)
                    if outcome == BLOCKED:
                        blocked.add(item.chat_ref)
                mark = outbox.mark_of(item)
        except Exception as exc:
            if mark is None:  # nothing was sent
                raise
            await self._unrecorded.keep(self.deps.store, mark, exc)
        return outcome

    async def _send(self, bot: Any, item: OutboxItem) -> str:
        if item.kind != "text":
            outbox.mark_failed(item, f"kind {item.kind!r} is not sent on Telegram yet")
            log.warning("telegram outbox row %s: kind %r is not supported; marked failed", item.id, item.kind)
            return FAILED
        pieces = split_text(item.text)
        if not pieces or not item.text.strip():
            outbox.mark_failed(item, "empty text")
            log.warning("telegram outbox row %s has no text; marked failed", item.id)
            return FAILED
        done = _pieces_sent(item)
        chat = item.chat_ref
        button = _ack_button(item)  # a broadcast's "Đã nhận", under its last piece
        for index in range(done, len(pieces)):
            if not await self._slot(chat):
                return STOPPED  # stays pending; the pieces already sent are recorded
            markup = button if index + 1 == len(pieces) else None
            try:
                await bot.send_message(chat_id_of(chat), pieces[index], reply_markup=markup)
            except Exception as exc:
                return self._failed(item, exc)
            self._sent_to(chat)
            if index + 1 < len(pieces):
                item.payload = {**item.payload, PIECES_SENT: index + 1}
        outbox.mark_sent(item, self.deps.clock.now())
        return SENT

    def _failed(self, item: OutboxItem, exc: Exception) -> str:
        """Record why a send failed and what happens to the row next."""
        now = self.deps.clock.now()
        error = _short(exc)
        if isinstance(exc, RetryAfter):
            until = now + timedelta(seconds=retry_after_seconds(exc))
            outbox.retry_later(item, until, error, count_attempt=False)
            self._paused_until = until
            log.warning("telegram asked to slow down: sending paused for %.0f s", (until - now).total_seconds())
            return PAUSE
        if isinstance(exc, InvalidToken):
            until = now + AUTH_RETRY
            outbox.retry_later(item, until, error, count_attempt=False)
            self._paused_until = until
            log.error("telegram refused the bot token while sending; sending paused for %s", AUTH_RETRY)
            return PAUSE
        if isinstance(exc, Forbidden) or (isinstance(exc, BadRequest) and _UNREACHABLE.search(exc.message)):
            outbox.mark_failed(item, error, blocked=True)
            log.info("telegram outbox row %s: recipient unreachable (%s); marked blocked", item.id, type(exc).__name__)
            return BLOCKED
        if isinstance(exc, BadRequest | ChatMigrated):  # BadRequest before NetworkError: it is a subclass
            outbox.mark_failed(item, error)
            log.warning("telegram refused outbox row %s for good: %s", item.id, error)
            return FAILED
        if not isinstance(exc, TelegramError):  # a bug: logged with its traceback, retried a few times
            log.error("telegram outbox row %s: unexpected %s", item.id, type(exc).__name__, exc_info=exc)
        at = max(now + outbox.backoff(item.attempts + 1), now + timedelta(seconds=1))
        outbox.retry_later(item, at, error)  # NetworkError, TimedOut, 5xx, anything unknown
        if item.status == outbox.FAILED:
            log.warning("telegram outbox row %s failed after %d attempts: %s", item.id, item.attempts, error)
            return FAILED
        log.warning("telegram send of outbox row %s failed (%s); retrying later", item.id, type(exc).__name__)
        return RETRY


async def _claim(session: AsyncSession, item_id: int, now: datetime) -> OutboxItem | None:
    """The row, locked for this transaction, if it is still pending and due."""
    stmt = (
        select(OutboxItem)
        .where(OutboxItem.id == item_id, OutboxItem.status == outbox.PENDING, OutboxItem.next_attempt_at <= now)
        .with_for_update(skip_locked=True)
    )
    return (await session.exec(stmt)).first()


def _ack_button(item: OutboxItem) -> InlineKeyboardMarkup | None:
    """The "✅ Đã nhận" button of a broadcast row (its payload carries the recipient's token), else None."""
    token = item.payload.get(broadcasts.ACK_PAYLOAD) if isinstance(item.payload, dict) else None
    data = f"{broadcasts.ACK_PREFIX}{token}"
    if not isinstance(token, str) or not token or len(data.encode()) > 64:  # Bot API: callback data ≤ 64 bytes
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(T.BROADCAST_ACK_BUTTON, callback_data=data)]])


def _pieces_sent(item: OutboxItem) -> int:
    value = item.payload.get(PIECES_SENT) if isinstance(item.payload, dict) else None
    return value if isinstance(value, int) and value >= 0 else 0
