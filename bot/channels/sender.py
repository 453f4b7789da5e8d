"""The one outbox sender: drains the outbox for every channel's outlet (bot/channels/outlet.py) by one set of rules.

Other parts of the bot only write rows (services/outbox); this task, started by the channels (or by app.py for all
of them at once), sends them. The rules, the same for every channel:

- order: due rows oldest first; only the oldest pending row of each chat is due (`outbox.due(..., in_order=True)`),
  so a chat whose older message waits for a retry is held back and one chat's messages keep their order. Each row
  is claimed in its own transaction (FOR UPDATE SKIP LOCKED on PostgreSQL, so a second process never sends it too);
  up to `capabilities.parallel` rows go at once, to different chats;
- rate: at most `capabilities.rate` messages a second overall (a token bucket with `burst`), and
  `chat_interval` / `group_interval` seconds between two messages to one chat; every piece of a split message
  counts, and the pieces already delivered are recorded (`outbox.PIECES_SENT`), so a retry does not repeat them;
- quota: a channel with a `monthly_quota` sends answers within all of it and messages the bot starts within
  `monthly_quota - reply_reserve`; a message over its budget waits, pending, for the next month;
- failures (one vocabulary): `Throttled` → the row waits `seconds`, not counted, and the whole outlet pauses;
  `RetryLater` → retried after `seconds` or `outbox.backoff`, counted, failed after `outbox.MAX_ATTEMPTS`;
  `RecipientGone` → blocked, and that chat's later rows in the same pass are blocked without a call;
  `Rejected` → failed; anything else is a bug: logged with its traceback and retried like `RetryLater`;
- statuses: outbox.PENDING / SENT / FAILED / BLOCKED, and the outcome of each try is one of `Outcome`;
- time: due times come from the injected Clock (`deps.clock`); the rate rules use an injected monotonic time and
  sleep, so tests move time without waiting. The loop looks at the outbox every `check_every` wall-clock seconds
  and whenever `wake()` is called; `stop()` ends it promptly, leaving unsent rows pending.

A mark ("sent", "retry at …") whose commit fails after the message went out is written again or kept
(`outbox.Unrecorded`): the row is not sent twice. Logs carry row ids, counts and failure kinds only: never message
text, chat ids or names.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, exists, or_
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.outlet import Outlet, RecipientGone, Rejected, RetryLater, SendFailure, Throttled
from bot.config import Quota
from bot.services import outbox, quota
from bot.services.deps import Deps
from bot.store.models import OutboxItem

CHECK_EVERY = 1.0  # wall-clock seconds between two looks at the outbox when nobody calls wake()
STOP_TIMEOUT = 5.0
BATCH = 200  # chats looked at per pass (one due row per chat)
MAX_SENDS_PER_DRAIN = 1000
MAX_FAILURE_DELAY = 60.0  # the loop's own pause after repeated failures (database down), wall-clock seconds
_EPSILON = 1e-6  # waits shorter than this are none (float rounding must not make the sender spin)

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[Any]]


class Outcome(StrEnum):
    """What one try of one row came to."""

    SENT = "sent"
    RETRY = "retry"  # kept pending, tried again later
    PAUSE = "pause"  # the platform refuses every send for now: kept pending, the outlet waits
    QUOTA = "quota"  # over this month's budget: kept pending until the next month
    FAILED = "failed"
    BLOCKED = "blocked"
    STOPPED = "stopped"  # the sender was stopped mid-message: kept pending


class TokenBucket:
    """`rate` tokens per second, at most `burst` saved up. Pure: time comes from the `monotonic` function.

    A sleep always ends a little late (about a millisecond here). A bucket that stops filling at exactly `burst`
    would throw that lateness away on every send and run below its rate (27.9/s for 29/s); this one keeps up to
    `SLACK` of a token beyond `burst`, so the next wait is that much shorter. The count in any window of T seconds
    stays at most rate·T + burst + SLACK, which a channel's declared rate and burst allow for (see telegram.py)."""

    SLACK = 0.1  # of a token: absorbs a late wake-up of up to SLACK / rate seconds (3.4 ms at 29/s)

    def __init__(self, rate: float, burst: int, monotonic: Callable[[], float]) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs a positive rate and a burst of at least 1")
        self.rate = rate
        self.capacity = float(burst) + self.SLACK
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


@dataclass
class _Step:
    sent: int = 0
    progressed: bool = False
    pause: bool = False


@dataclass
class _Lane:
    """One outlet and what the sender keeps for it: its rate state, its pause, its month's count."""

    outlet: Outlet
    bucket: TokenBucket | None
    unrecorded: outbox.Unrecorded
    last_sent: dict[str, float] = field(default_factory=dict)  # chat -> monotonic time of its latest message
    paused_until: datetime | None = None
    month: datetime | None = None  # the month `used` counts
    used: int = 0  # messages sent this month (channels with a quota)
    in_hand: set[int] = field(default_factory=set)  # rows being sent now (by a drain or the direct path)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one drain of this outlet at a time
    slot_lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one send at a time waits for the rate

    @property
    def channel(self) -> str:
        return self.outlet.channel

    @property
    def budget(self) -> Quota | None:
        caps = self.outlet.capabilities
        return None if caps.monthly_quota is None else Quota(caps.monthly_quota, caps.reply_reserve)


class OutboxSender:
    """Sends the outbox's messages of every outlet added. `start()` runs it as a task; `drain_once()` is one drain."""

    def __init__(
        self,
        deps: Deps,
        outlets: Sequence[Outlet] = (),
        *,
        check_every: float = CHECK_EVERY,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        batch: int = BATCH,
    ) -> None:
        self.deps = deps
        self.check_every = check_every
        self.batch = batch
        self.stats: Counter[str] = Counter()  # outcome counts, for logs and tests
        self._monotonic = monotonic
        self._sleep = sleep
        self._lanes: dict[str, _Lane] = {}
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        for outlet in outlets:
            self.add(outlet)

    # --- outlets -----------------------------------------------------------------------------------------------
    def add(self, outlet: Outlet) -> None:
        """Send this outlet's rows from now on (replacing an outlet of the same channel)."""
        caps = outlet.capabilities
        bucket = TokenBucket(caps.rate, caps.burst, self._monotonic) if caps.rate else None
        self._lanes[outlet.channel] = _Lane(outlet, bucket, outbox.Unrecorded(outlet.channel))
        self.wake()

    def remove(self, channel: str) -> None:
        self._lanes.pop(channel, None)

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(self._lanes)

    # --- lifecycle ---------------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the sending task in the running loop (idempotent)."""
        if self.running:
            return
        self._stopping = False
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

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
                log.warning("outbox sender did not stop in time; it was cancelled")
        self._stopping = False  # a drain_once() called after stop() sends again (a last pass, a tool)
        self._stop.clear()

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
                log.exception("outbox sender pass failed; the outbox is tried again later")
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

    # --- the rate rules ----------------------------------------------------------------------------------------
    def chat_wait(self, lane: _Lane, chat: str) -> float:
        """Seconds until `chat` may get its next message (0: now)."""
        last = lane.last_sent.get(chat)
        if last is None:
            return 0.0
        wait = last + self.interval(lane, chat) - self._monotonic()
        return wait if wait > _EPSILON else 0.0

    @staticmethod
    def interval(lane: _Lane, chat: str) -> float:
        caps = lane.outlet.capabilities
        return caps.group_interval if lane.outlet.is_group(chat) else caps.chat_interval

    def paused(self, lane: _Lane) -> bool:
        return lane.paused_until is not None and self.deps.clock.now() < lane.paused_until

    async def _slot(self, lane: _Lane, chat: str, spaced: bool = True) -> bool:
        """Wait for the chat's next slot (unless not `spaced`) and a token of the bucket, then take it. False when
        stopping, or when the platform asked to slow down while this send waited (another send got it): the row
        stays pending."""
        async with lane.slot_lock:
            while not self._stopping and not self.paused(lane):
                wait = self.chat_wait(lane, chat) if spaced else 0.0
                if lane.bucket is not None:
                    wait = max(wait, lane.bucket.wait_time())
                if wait <= 0:
                    if lane.bucket is not None:
                        lane.bucket.take()
                    return True
                await self._nap(wait)
            return False

    def _sent_to(self, lane: _Lane, chat: str) -> None:
        now = self._monotonic()
        lane.last_sent[chat] = now
        if len(lane.last_sent) > 4 * self.batch:  # forget chats whose slot is free anyway
            caps = lane.outlet.capabilities
            horizon = now - max(caps.chat_interval, caps.group_interval)
            lane.last_sent = {c: t for c, t in lane.last_sent.items() if t > horizon}

    # --- draining ----------------------------------------------------------------------------------------------
    async def drain_once(self) -> int:
        """Send everything that is due now on every outlet, each outlet on its own (a long broadcast on one does not
        hold back answers on another); returns how many rows were sent."""
        lanes = list(self._lanes.values())
        if len(lanes) == 1:
            return await self._drain(lanes[0])
        counts = await asyncio.gather(*(self._drain(lane) for lane in lanes))
        return sum(counts)

    async def _drain(self, lane: _Lane) -> int:
        """Send what is due on one outlet, oldest first and within its limits.

        Waits (with the injected sleep) for per-chat slots and the bucket, so a chat with three due messages gets
        them one interval apart. Returns early while the platform asked to slow down, when stopping, or after
        MAX_SENDS_PER_DRAIN rows."""
        async with lane.lock:
            sent = 0
            blocked: set[str] = set()  # chats found unreachable in this drain
            parallel = max(1, lane.outlet.capabilities.parallel)
            lane.month = None  # counted afresh at each drain: another process may have sent some meanwhile
            while not self._stopping and not self.paused(lane) and lane.channel in self._lanes:
                lane.paused_until = None
                await lane.unrecorded.write(self.deps.store)
                async with self.deps.store.session() as session:
                    now = self.deps.clock.now()
                    exclude = lane.unrecorded.ids | lane.in_hand  # sent, or being sent by the direct path
                    due = await outbox.due(session, lane.channel, now, limit=self.batch, in_order=True, exclude=exclude)
                    heads = [(item.id, item.chat_ref) for item in due if item.id is not None]
                    if heads:  # an idle look at the outbox (every second) does not count the month
                        await self._count_month(session, lane, now)
                if not heads:
                    break
                waiting: list[str] = []
                progressed = False
                sending: set[asyncio.Task[Outcome | None]] = set()
                done_early = False
                try:
                    for item_id, chat in heads:
                        if self._stopping or self.paused(lane) or done_early:
                            break
                        if chat not in blocked and self.chat_wait(lane, chat) > 0:
                            waiting.append(chat)  # this chat's slot is not free yet: look again after the others
                            continue
                        sending.add(asyncio.create_task(self._process(lane, item_id, blocked)))
                        if len(sending) >= parallel:
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
                if done_early or self._stopping or self.paused(lane):
                    return sent
                if not progressed:
                    if not waiting:
                        break
                    await self._nap(min(self.chat_wait(lane, chat) for chat in waiting))
            return sent

    async def send_now(self, channel: str, item_ids: Sequence[int]) -> list[Outcome | None]:
        """The direct path for answers: send these rows now, in order, by the same rules as a drain (the chat's
        older pending messages first: a row that is not its chat's next is left to the drain), without the drain's
        look-ups. The outcome of each row tried (None: not its chat's turn, or taken by another sender), up to the
        first that was not sent; what is not sent stays pending for the next drain."""
        lane = self._lanes.get(channel)
        if lane is None or self._stopping or self.paused(lane):
            self.wake()
            return []
        outcomes: list[Outcome | None] = []
        blocked: set[str] = set()
        for item_id in item_ids:
            if item_id in lane.in_hand or item_id in lane.unrecorded.ids:
                break
            outcome = await self._process(lane, item_id, blocked, head_only=True)
            outcomes.append(outcome)
            if outcome is not None:
                self.stats[outcome.value] += 1
            if outcome is not Outcome.SENT:
                break  # a failure, a pause or not this chat's turn: the drain takes it from here
        if len(outcomes) < len(item_ids) or outcomes[-1] is not Outcome.SENT:
            self.wake()
        return outcomes

    async def _count_month(self, session: AsyncSession, lane: _Lane, now: datetime) -> None:
        """Count the month's sent messages at a drain's first pass and when the month changes; the sender adds its
        own as it sends them."""
        if lane.budget is None:
            return
        month = quota.month_start(now, self.deps.config.tz)
        if lane.month != month:
            lane.used = await quota.used_this_month(session, lane.channel, now, self.deps.config.tz)
            lane.month = month

    def _tally(self, finished: set[asyncio.Task[Outcome | None]]) -> _Step:
        """Count the outcomes of finished sends (re-raising a failure, as a sequential send would)."""
        step = _Step()
        for task in finished:
            outcome = task.result()
            if outcome is None or outcome is Outcome.STOPPED:
                continue
            step.progressed = True
            self.stats[outcome.value] += 1
            step.sent += outcome is Outcome.SENT
            step.pause = step.pause or outcome is Outcome.PAUSE
        return step

    async def _process(self, lane: _Lane, item_id: int, blocked: set[str], head_only: bool = False) -> Outcome | None:
        """Claim one row in its own transaction and send it; the outcome, or None when it is no longer due.

        On SQLite the claim takes no lock and the mark is written at commit, a short transaction after the HTTP
        calls; on PostgreSQL the row stays locked (SKIP LOCKED) until then, so a second process never sends it too.
        When that commit fails, the mark is written again or kept (outbox.Unrecorded): the row is not sent twice."""
        mark: outbox.Mark | None = None
        if item_id in lane.in_hand:
            return None
        lane.in_hand.add(item_id)
        try:
            async with self.deps.store.session() as session:
                now = self.deps.clock.now()
                if lane.month != quota.month_start(now, self.deps.config.tz):
                    await self._count_month(session, lane, now)
                item = await _claim(session, item_id, now, head_only)
                if item is None:
                    return None  # sent or taken by another sender meanwhile, or not its chat's turn
                if item.chat_ref in blocked:
                    outbox.mark_failed(item, "recipient unreachable", blocked=True)
                    outcome = Outcome.BLOCKED
                else:
                    outcome = await self._send(session, lane, item)
                    if outcome is Outcome.BLOCKED:
                        blocked.add(item.chat_ref)
                mark = outbox.mark_of(item)
        except Exception as exc:
            if mark is None:  # nothing was sent
                raise
            await lane.unrecorded.keep(self.deps.store, mark, exc)
        finally:
            lane.in_hand.discard(item_id)
        return outcome

    def _take_budget(self, lane: _Lane, item: OutboxItem, answer: bool) -> bool:
        """Reserve one message of the month for `item`; False (and the row waits for next month) when over."""
        budget = lane.budget
        if budget is None:
            return True
        if lane.used >= quota.limit_for(budget, answer):
            at = quota.next_month_start(self.deps.clock.now(), self.deps.config.tz)
            outbox.retry_later(item, at, "monthly quota used", count_attempt=False)
            return False
        lane.used += 1
        return True

    async def _send(self, session: AsyncSession, lane: _Lane, item: OutboxItem) -> Outcome:
        message = await outbox.message_of(session, item)
        pieces = lane.outlet.render(message)
        if not pieces:
            outbox.mark_failed(item, "empty message")
            log.warning("%s outbox row %s has nothing to send; marked failed", lane.channel, item.id)
            return Outcome.FAILED
        if not self._take_budget(lane, item, message.answer):
            return Outcome.QUOTA
        done = _pieces_sent(item)
        chat = item.chat_ref
        for index in range(done, len(pieces)):
            # An answer's messages follow the member's own at once, as a conversation does; the time between two
            # messages to one chat spaces the messages the bot starts (reminders, broadcasts).
            if not await self._slot(lane, chat, spaced=not message.answer):
                self._give_back(lane, index == done)
                return Outcome.STOPPED  # stays pending; the pieces already sent are recorded
            try:
                await lane.outlet.deliver(chat, pieces[index])
            except Exception as exc:
                self._give_back(lane, index == done)
                return self._failed(lane, item, exc)
            self._sent_to(lane, chat)
            if index + 1 < len(pieces):
                item.payload = {**item.payload, outbox.PIECES_SENT: index + 1}
        outbox.mark_sent(item, self.deps.clock.now())
        return Outcome.SENT

    @staticmethod
    def _give_back(lane: _Lane, nothing_sent: bool) -> None:
        """A message that did not go out does not count against the month (a split one counts once it began)."""
        if nothing_sent and lane.budget is not None:
            lane.used -= 1

    def _failed(self, lane: _Lane, item: OutboxItem, exc: Exception) -> Outcome:
        """Record why a send failed and what happens to the row next."""
        now = self.deps.clock.now()
        error = exc.detail if isinstance(exc, SendFailure) else type(exc).__name__
        channel = lane.channel
        if isinstance(exc, Throttled):
            until = now + timedelta(seconds=exc.seconds)
            outbox.retry_later(item, until, error, count_attempt=False)
            lane.paused_until = until
            level = logging.ERROR if exc.serious else logging.WARNING
            log.log(level, "%s refuses sends for now (%s): paused for %.0f s", channel, error, exc.seconds)
            return Outcome.PAUSE
        if isinstance(exc, RecipientGone):
            outbox.mark_failed(item, error, blocked=True)
            log.info("%s outbox row %s: recipient unreachable; marked blocked", channel, item.id)
            return Outcome.BLOCKED
        if isinstance(exc, Rejected):
            outbox.mark_failed(item, error)
            log.warning("%s refused outbox row %s for good: %s", channel, item.id, error)
            return Outcome.FAILED
        seconds = exc.seconds if isinstance(exc, RetryLater) else None
        if not isinstance(exc, SendFailure):  # a bug: logged with its traceback, retried a few times
            log.error("%s outbox row %s: unexpected %s", channel, item.id, type(exc).__name__, exc_info=exc)
        wait = timedelta(seconds=seconds) if seconds is not None else outbox.backoff(item.attempts + 1)
        outbox.retry_later(item, max(now + wait, now + timedelta(seconds=1)), error)
        if item.status == outbox.FAILED:
            log.warning("%s outbox row %s failed after %d attempts: %s", channel, item.id, item.attempts, error)
            return Outcome.FAILED
        log.warning("%s send of outbox row %s failed (%s); retrying later", channel, item.id, error)
        return Outcome.RETRY


def _claim_statement(head_only: bool) -> Any:
    """The claim's SELECT, built once (its parameters: the row's id and the time): building the statement, with its
    aliased look at older rows, cost more than running it."""
    now = bindparam("now")
    stmt = select(OutboxItem).where(
        OutboxItem.id == bindparam("item_id"), OutboxItem.status == outbox.PENDING, OutboxItem.next_attempt_at <= now
    )
    if head_only:
        older = aliased(OutboxItem)
        stmt = stmt.where(
            ~exists().where(
                older.channel == OutboxItem.channel,
                older.chat_ref == OutboxItem.chat_ref,
                older.status == outbox.PENDING,
                col(older.id) < col(OutboxItem.id),
                or_(older.next_attempt_at <= now, col(older.error).is_not(None)),
            )
        )
    return stmt.with_for_update(skip_locked=True)


_CLAIMS = {head_only: _claim_statement(head_only) for head_only in (False, True)}


async def _claim(session: AsyncSession, item_id: int, now: datetime, head_only: bool = False) -> OutboxItem | None:
    """The row, locked for this transaction, if it is still pending and due (and, with `head_only`, no older
    message of its chat is pending and due or tried: the chat's order comes first)."""
    found = await session.exec(_CLAIMS[head_only], params={"item_id": item_id, "now": now})
    return found.first()


def _pieces_sent(item: OutboxItem) -> int:
    value = item.payload.get(outbox.PIECES_SENT) if isinstance(item.payload, dict) else None
    return value if isinstance(value, int) and value >= 0 else 0
