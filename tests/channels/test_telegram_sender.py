"""The Telegram outbox sender and document uploads, against the fake Bot API server, on SQLite and PostgreSQL.

Two times are injected: the Clock (`deps.clock`, a FixedClock) decides when a row is due and is moved with
`clock.advance(...)`; the sender's rate rules (the token bucket, one message per second per chat) use a virtual
monotonic time whose `sleep` returns at once and moves that time on. The fake server records each message with the
same virtual time, so the gaps between two messages to one chat are the gaps the sender scheduled. Nothing waits on
the wall clock.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import delete, select
from telegram import Bot

from bot import texts as T
from bot.channels.sender import OutboxSender, TokenBucket
from bot.channels.telegram import MAX_TEXT, SEND_RATE, TelegramChannel, TelegramOutlet, chat_id_of, split_text
from bot.core.clock import FixedClock
from bot.core.messages import Attachment, Inbound, InboundKind
from bot.core.roles import Role
from bot.handlers.router import Deliver, Handled, Record, Router
from bot.services import notify, outbox
from bot.services.deps import Deps
from bot.services.outbox import PIECES_SENT
from bot.store.models import ChannelIdentity, Member, OutboxFile, OutboxItem
from tests.chat import new_code
from tests.fakes.telegram_api import FakeTelegram, Sent

A, B, C = 7_100_001, 7_100_002, 7_100_003
USER = 7_200_001


class VirtualTime:
    """A monotonic time that only moves when the code under test sleeps on it."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


async def rows(deps: Deps) -> list[OutboxItem]:
    async with deps.store.session() as s:
        return list((await s.exec(select(OutboxItem).order_by(OutboxItem.id))).all())


async def queue(deps: Deps, chat: int | str, *texts: str, payload: Any = None, attachment: Any = None) -> None:
    async with deps.store.session() as s:
        for text in texts:
            await outbox.enqueue(
                s, "telegram", str(chat), deps.clock.now(), text=text, payload=payload, attachment=attachment
            )


def texts(sent: list[Sent]) -> list[str]:
    return [s.text for s in sent]


def gaps(sent: list[Sent]) -> list[float]:
    return [b.at - a.at for a, b in itertools.pairwise(sent)]


@dataclass
class Rig:
    api: FakeTelegram
    sender: OutboxSender
    time: VirtualTime


@pytest.fixture
async def rig(deps: Deps) -> AsyncIterator[Rig]:
    """The fake server, a real PTB Bot pointed at it, and a sender on virtual time (its loop is not started:
    the tests call drain_once())."""
    vt = VirtualTime()
    async with FakeTelegram(now=vt.monotonic) as api:
        bot = Bot(api.token, base_url=api.base_url)
        await bot.initialize()
        try:
            yield Rig(api, OutboxSender(deps, [TelegramOutlet(bot)], monotonic=vt.monotonic, sleep=vt.sleep), vt)
        finally:
            await bot.shutdown()


# --- sending ----------------------------------------------------------------------------------------------------
async def test_rows_queued_by_notify_and_enqueue_are_sent_exactly_once(rig: Rig, deps: Deps, clock: FixedClock) -> None:
    async with deps.store.session() as s:
        member = Member(display_name="Lan", role=Role.MEMBER.value, team_code="T01", created_at=clock.now())
        s.add(member)
        await s.flush()
        assert member.id is not None
        for channel, ref in (("telegram", str(A)), ("zalo", "z1")):
            s.add(
                ChannelIdentity(
                    channel=channel, user_ref=ref, chat_ref=ref, member_id=member.id, created_at=clock.now()
                )
            )
        await s.flush()
        assert await notify.to_member(s, member.id, "Lượt ngày 12/11 cần kiểm tra lại.", deps.clock.now()) == 2
    await queue(deps, B, "Nhắc: nộp báo cáo trước ngày 25.")

    assert await rig.sender.drain_once() == 2
    assert texts(rig.api.received(A)) == ["Lượt ngày 12/11 cần kiểm tra lại."]
    assert texts(rig.api.received(B)) == ["Nhắc: nộp báo cáo trước ngày 25."]
    rig.time.now += 3600
    clock.advance(timedelta(hours=1))
    assert await rig.sender.drain_once() == 0
    assert (rig.api.attempts(A), rig.api.attempts(B)) == (1, 1)
    by_channel = {(r.channel, r.chat_ref): r for r in await rows(deps)}
    assert (by_channel["telegram", str(A)].status, by_channel["telegram", str(A)].attempts) == (outbox.SENT, 1)
    assert by_channel["telegram", str(A)].sent_at is not None
    assert by_channel["zalo", "z1"].status == outbox.PENDING  # another channel's row is not ours to send


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # raised inside RetryAfter()
async def test_a_429_pauses_the_sender_and_the_row_is_sent_once_without_a_failed_attempt(
    rig: Rig, deps: Deps, clock: FixedClock
) -> None:
    rig.api.fail_chat(A, 429, retry_after=3)
    await queue(deps, A, "một")
    await queue(deps, B, "hai")
    assert await rig.sender.drain_once() == 0
    first, second = await rows(deps)
    assert (first.status, first.attempts) == (outbox.PENDING, 0)
    assert "RetryAfter" in (first.error or "")
    assert first.next_attempt_at == clock.now() + timedelta(seconds=3)
    assert rig.api.attempts(B) == 0  # the whole sender waits, not only that chat

    clock.advance(timedelta(seconds=2))
    assert await rig.sender.drain_once() == 0
    assert rig.api.attempts(A) + rig.api.attempts(B) == 1

    clock.advance(timedelta(seconds=1))
    assert await rig.sender.drain_once() == 2
    first, second = await rows(deps)
    assert (first.status, first.attempts, first.error) == (outbox.SENT, 1, None)
    assert second.status == outbox.SENT
    assert (texts(rig.api.received(A)), rig.api.attempts(A)) == (["một"], 2)
    assert rig.sender.stats["pause"] == 1


async def test_server_errors_are_retried_with_backoff_and_the_chat_waits_its_turn(
    rig: Rig, deps: Deps, clock: FixedClock
) -> None:
    rig.api.fail_chat(A, 500)
    rig.api.fail_chat(A, 502, "Bad Gateway")
    await queue(deps, A, "một", "hai")
    await queue(deps, B, "khác")

    assert await rig.sender.drain_once() == 1  # chat B is not held up by chat A
    assert texts(rig.api.received(B)) == ["khác"]
    one, two, _ = await rows(deps)
    assert (one.status, one.attempts, one.next_attempt_at) == (outbox.PENDING, 1, clock.now() + outbox.backoff(1))
    assert (two.status, two.attempts) == (outbox.PENDING, 0)  # held back: never tried before "một"

    clock.advance(outbox.backoff(1))
    assert await rig.sender.drain_once() == 0  # the 502: a second counted attempt, a longer wait
    one, two, _ = await rows(deps)
    assert (one.attempts, one.next_attempt_at) == (2, clock.now() + outbox.backoff(2))
    assert await rig.sender.drain_once() == 0  # nothing is due: nothing is tried
    assert rig.api.attempts(A) == 2

    clock.advance(outbox.backoff(2))
    assert await rig.sender.drain_once() == 2
    assert texts(rig.api.received(A)) == ["một", "hai"]
    one, two, _ = await rows(deps)
    assert (one.status, one.attempts, one.error) == (outbox.SENT, 3, None)
    assert (two.status, two.attempts) == (outbox.SENT, 1)


async def test_a_user_who_blocked_the_bot_is_marked_blocked_and_not_tried_again(
    rig: Rig, deps: Deps, clock: FixedClock
) -> None:
    rig.api.block(A)
    rig.api.fail_chat(B, 400, "Bad Request: chat not found")
    rig.api.fail_chat(C, 400, "Bad Request: message text is empty")
    await queue(deps, A, "một", "hai")
    await queue(deps, B, "ba")
    await queue(deps, C, "bốn")

    assert await rig.sender.drain_once() == 0
    statuses = [(r.chat_ref, r.status) for r in await rows(deps)]
    assert statuses == [
        (str(A), outbox.BLOCKED),
        (str(A), outbox.BLOCKED),  # the chat's later message: marked without another call
        (str(B), outbox.BLOCKED),
        (str(C), outbox.FAILED),
    ]
    assert (rig.api.attempts(A), rig.api.attempts(B), rig.api.attempts(C)) == (1, 1, 1)
    assert "Forbidden" in ((await rows(deps))[0].error or "")

    clock.advance(timedelta(hours=1))
    rig.time.now += 3600
    assert await rig.sender.drain_once() == 0
    assert (rig.api.attempts(A), rig.api.attempts(B), rig.api.attempts(C)) == (1, 1, 1)
    assert rig.api.sent == []


async def test_one_chat_gets_its_messages_in_order_at_most_one_per_second(rig: Rig, deps: Deps) -> None:
    await queue(deps, A, "a1", "a2")
    await queue(deps, B, "b1")
    await queue(deps, A, "a3")
    await queue(deps, B, "b2")

    assert await rig.sender.drain_once() == 5
    assert texts(rig.api.received(A)) == ["a1", "a2", "a3"]
    assert texts(rig.api.received(B)) == ["b1", "b2"]
    assert all(gap >= 1.0 for gap in gaps(rig.api.received(A)))  # as scheduled on the sender's time
    assert all(gap >= 1.0 for gap in gaps(rig.api.received(B)))
    order = texts(rig.api.sent)
    assert order.index("b1") < order.index("a2")  # another chat does not wait for chat A's second


async def test_a_group_gets_one_message_per_three_seconds(rig: Rig, deps: Deps) -> None:
    group = -1_001_234_567
    await queue(deps, group, "g1", "g2")
    await queue(deps, A, "a1", "a2")
    assert await rig.sender.drain_once() == 4
    assert texts(rig.api.received(group)) == ["g1", "g2"]
    assert gaps(rig.api.received(group))[0] >= 3.0
    assert 1.0 <= gaps(rig.api.received(A))[0] < 3.0


async def test_a_message_queued_for_later_does_not_hold_back_newer_ones(
    rig: Rig, deps: Deps, clock: FixedClock
) -> None:
    async with deps.store.session() as s:
        await outbox.enqueue(s, "telegram", str(A), clock.now() + timedelta(hours=1), text="nhắc lúc 10 giờ")
        await outbox.enqueue(s, "telegram", str(A), clock.now(), text="ngay bây giờ")
        await outbox.enqueue(s, "telegram", str(B), clock.now(), text="b1")
        await outbox.enqueue(s, "telegram", str(B), clock.now(), text="b2")
        due = await outbox.due(s, "telegram", clock.now(), in_order=True)
        assert [i.text for i in due] == ["ngay bây giờ", "b1"]  # one per chat; b2 waits for b1
        assert [i.text for i in await outbox.due(s, "telegram", clock.now())] == ["ngay bây giờ", "b1", "b2"]
    assert await rig.sender.drain_once() == 3
    assert texts(rig.api.received(A)) == ["ngay bây giờ"]
    clock.advance(timedelta(hours=1))
    assert await rig.sender.drain_once() == 1
    assert texts(rig.api.received(A)) == ["ngay bây giờ", "nhắc lúc 10 giờ"]


async def test_the_overall_rate_stays_under_telegrams_limit(deps: Deps, clock: FixedClock) -> None:
    vt = VirtualTime()
    async with FakeTelegram(now=vt.monotonic) as api:
        async with Bot(api.token, base_url=api.base_url) as bot:
            sender = OutboxSender(
                deps, [TelegramOutlet(bot, rate=25.0, burst=5)], monotonic=vt.monotonic, sleep=vt.sleep
            )
            chats = [8_000_000 + i for i in range(60)]
            async with deps.store.session() as s:
                for chat in chats:
                    await outbox.enqueue(s, "telegram", str(chat), clock.now(), text=f"tin {chat}")
            assert await sender.drain_once() == 60
            times = sorted(s.at for s in api.sent)
    assert sorted(s.chat_id for s in api.sent) == chats
    for start in times:  # in any one-second window: the burst plus one second of the rate
        assert sum(1 for t in times if start <= t < start + 1.0) <= 5 + 25
    assert times[-1] - times[0] >= (60 - 5) / 25 - 1e-9


async def test_a_broadcast_at_the_default_rate_is_never_refused_by_a_30_per_second_limit(
    deps: Deps, clock: FixedClock
) -> None:
    vt = VirtualTime()
    async with FakeTelegram(now=vt.monotonic, max_per_second=30) as api:
        async with Bot(api.token, base_url=api.base_url) as bot:
            # the default rate and burst; one send at a time, as virtual time only moves when the sender sleeps
            sender = OutboxSender(deps, [TelegramOutlet(bot, parallel=1)], monotonic=vt.monotonic, sleep=vt.sleep)
            chats = [8_100_000 + i for i in range(150)]
            async with deps.store.session() as s:
                for chat in chats:
                    await outbox.enqueue(s, "telegram", str(chat), clock.now(), text="Thông báo họp tổ")
            assert await sender.drain_once() == 150
            times = sorted(s.at for s in api.sent)
    assert api.rate_limited == 0 and sorted(s.chat_id for s in api.sent) == chats
    assert (len(times) - 1) / (times[-1] - times[0]) >= 0.9 * 30  # at least 90% of the limit


async def test_a_long_text_goes_in_pieces_and_a_retry_resends_only_what_is_missing(
    rig: Rig, deps: Deps, clock: FixedClock
) -> None:
    text = "\n".join(f"Dòng {i}: " + "x" * 80 for i in range(80))
    pieces = split_text(text)
    assert len(pieces) == 2
    rig.api.fail_chat(A, 503, "Service Unavailable", after=1)
    await queue(deps, A, text)

    assert await rig.sender.drain_once() == 0
    [row] = await rows(deps)
    assert (row.status, row.payload[PIECES_SENT], row.attempts) == (outbox.PENDING, 1, 1)
    clock.advance(outbox.backoff(1))
    assert await rig.sender.drain_once() == 1
    received = rig.api.received(A)
    assert texts(received) == pieces and all(len(p) <= MAX_TEXT for p in pieces)
    assert gaps(received)[0] >= 1.0  # two messages to one chat: one second apart
    assert rig.api.attempts(A) == 3


PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


async def test_pictures_and_files_go_out_with_their_caption_and_an_empty_row_is_failed(rig: Rig, deps: Deps) -> None:
    await queue(deps, A, "Biểu đồ tiến độ tháng 11", attachment=Attachment(PNG, picture=True))
    await queue(deps, A, "Báo cáo tháng", attachment=Attachment(b"PK\x03\x04", name="bao-cao.xlsx"))
    await queue(deps, A, "   ")
    await queue(deps, A, "sau đó")
    assert await rig.sender.drain_once() == 3
    photo, document, empty, after = await rows(deps)
    assert [photo.status, document.status, after.status] == [outbox.SENT] * 3
    assert empty.status == outbox.FAILED and "empty" in (empty.error or "")
    received = rig.api.received(A)
    assert [(m.method, m.text) for m in received] == [
        ("sendPhoto", "Biểu đồ tiến độ tháng 11"),
        ("sendDocument", "Báo cáo tháng"),
        ("sendMessage", "sau đó"),
    ]
    assert [(u.method, u.file_name, u.content) for u in rig.api.uploads][1][1:] == ("bao-cao.xlsx", b"PK\x03\x04")
    assert rig.api.uploads[0].content == PNG


async def test_a_picture_no_longer_kept_is_sent_as_its_caption_with_a_note(rig: Rig, deps: Deps) -> None:
    await queue(deps, A, "Biểu đồ", attachment=Attachment(PNG, picture=True))
    async with deps.store.session() as s:
        await s.exec(delete(OutboxFile))  # type: ignore[call-overload]
    assert await rig.sender.drain_once() == 1
    [message] = rig.api.received(A)
    assert message.method == "sendMessage" and message.text == f"Biểu đồ\n{T.ATTACHMENT_EXPIRED}"


async def test_an_unreachable_server_is_a_network_error_retried_later(deps: Deps, clock: FixedClock) -> None:
    with socket.socket() as sock:  # a port nobody listens on: connection refused at once
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    vt = VirtualTime()
    bot = Bot("1:x", base_url=f"http://127.0.0.1:{port}/bot")
    sender = OutboxSender(deps, [TelegramOutlet(bot)], monotonic=vt.monotonic, sleep=vt.sleep)
    await queue(deps, A, "một")
    try:
        assert await sender.drain_once() == 0
    finally:
        await bot.shutdown()
    [row] = await rows(deps)
    assert (row.status, row.attempts) == (outbox.PENDING, 1)
    assert "NetworkError" in (row.error or "") and row.next_attempt_at > clock.now()


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=25.0, burst=5, monotonic=lambda: now[0])
    for _ in range(5):
        assert bucket.wait_time() == 0.0
        bucket.take()
    assert bucket.wait_time() == pytest.approx(1 / 25)
    now[0] += 1 / 25
    assert bucket.wait_time() == 0.0
    now[0] += 100.0
    for _ in range(5):
        bucket.take()
    assert bucket.wait_time() == pytest.approx((1 - TokenBucket.SLACK) / 25)  # saved up to the burst and its slack
    with pytest.raises(ValueError):
        TokenBucket(rate=0.0, burst=1, monotonic=lambda: 0.0)


def test_token_bucket_keeps_the_rate_through_late_wake_ups_and_never_exceeds_telegrams_limit() -> None:
    """A sender that always wakes late (0-3 ms, as sleeps do) still sends at the declared rate, and no window of
    one second ever holds more than Telegram's 30 (the fake API's sliding window: a send within 1 s of the send
    30 earlier is refused)."""
    rng = random.Random(7)
    now = [0.0]
    bucket = TokenBucket(rate=SEND_RATE, burst=1, monotonic=lambda: now[0])
    times: list[float] = []
    for _ in range(3000):
        wait = bucket.wait_time()
        if wait:
            now[0] += wait + rng.uniform(0.0, 0.003)
            assert bucket.wait_time() == 0.0
        bucket.take()
        times.append(now[0])
        now[0] += rng.uniform(0.0, 0.002)  # the send's own work before the next wait
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert rate >= 0.97 * 30
    assert min(later - earlier for earlier, later in zip(times, times[30:], strict=False)) > 1.0


def test_chat_ids() -> None:
    assert chat_id_of("7000001") == 7000001
    assert chat_id_of("-1001234") == -1001234
    assert chat_id_of("@kenh_xa") == "@kenh_xa"


# --- with the channel running ------------------------------------------------------------------------------------
class RecordingRouter(Router):
    """The real router, remembering every Inbound the channel built."""

    def __init__(self, deps: Deps) -> None:
        super().__init__(deps)
        self.seen: list[Inbound] = []

    async def handle(self, inbound: Inbound, deliver: Deliver | None = None, record: Record | None = None) -> Handled:
        self.seen.append(inbound)
        return await super().handle(inbound, deliver, record)


@asynccontextmanager
async def channel_running(deps: Deps, **kwargs: Any) -> AsyncIterator[tuple[FakeTelegram, TelegramChannel]]:
    async with FakeTelegram() as api:
        settings = deps.config.channels.telegram.model_copy(update={"base_url": api.base_url, "mode": "polling"})
        router = kwargs.pop("router", None) or RecordingRouter(deps)
        channel = TelegramChannel(router, deps, api.token, settings, poll_timeout=2.0, **kwargs)
        await channel.start()
        try:
            yield api, channel
            assert not api.unknown_methods, api.unknown_methods
        finally:
            await channel.stop()


async def join(api: FakeTelegram, deps: Deps, user: int = USER) -> int:
    """The user joins with an invite; their member id."""
    code = await new_code(deps, Role.MEMBER, "T01", name="Lan")
    api.user_sends_text(user, f"/start {code}")
    [welcome] = await api.wait_for_sent(1)
    assert "Chào mừng" in welcome.text
    async with deps.store.session() as s:
        identity = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.user_ref == str(user)))).one()
    return identity.member_id


async def test_the_running_channel_sends_a_notice_queued_for_a_member(deps: Deps) -> None:
    async with channel_running(deps) as (api, channel):
        assert channel.sender.running
        member_id = await join(api, deps)
        async with deps.store.session() as s:
            await notify.to_member(s, member_id, "Tổ trưởng đánh dấu một lượt cần kiểm tra.", deps.clock.now())
        channel.wake()
        await api.wait_until(lambda: len(api.received(USER)) == 2)
        assert api.received(USER)[-1].text == "Tổ trưởng đánh dấu một lượt cần kiểm tra."
        assert await channel.drain_once() == 0
        answer, notice = await rows(deps)  # the join's answer goes through the outbox too
        assert answer.payload.get(outbox.ANSWER) and not notice.payload.get(outbox.ANSWER)
        assert (answer.status, notice.status) == (outbox.SENT, outbox.SENT)
    assert not channel.sender.running
    assert len(api.received(USER)) == 2


async def test_stopping_the_channel_leaves_unsent_rows_pending(deps: Deps, caplog: pytest.LogCaptureFixture) -> None:
    never = asyncio.Event()

    async def sleep_until_stopped(seconds: float) -> None:
        await never.wait()  # the sender's one-second wait for the chat's next slot ends only with stop()

    async with channel_running(deps, monotonic=lambda: 0.0, sleep=sleep_until_stopped) as (api, channel):
        await queue(deps, USER, "một", "hai", "ba")
        channel.wake()
        await api.wait_until(lambda: len(api.received(USER)) == 1)
    assert texts(api.received(USER)) == ["một"]
    assert [r.status for r in await rows(deps)] == [outbox.SENT, outbox.PENDING, outbox.PENDING]
    assert [r.attempts for r in await rows(deps)] == [1, 0, 0]
    assert "did not stop in time" not in caplog.text  # stop() ended the wait, it did not time out


# --- documents ------------------------------------------------------------------------------------------------------
CSV = "Chủ hộ,Thôn,Điện thoại\nNguyễn Văn An,Xóm 3,0912345678\n".encode()


async def test_a_document_reaches_the_router_with_its_bytes_and_caption(deps: Deps) -> None:
    async with channel_running(deps) as (api, channel):
        router = channel.router
        assert isinstance(router, RecordingRouter)
        await join(api, deps)
        api.user_sends_document(USER, CSV, "ds_ho_xom3.csv", caption="Danh sách xóm 3")
        await api.wait_for_sent(1)  # the handler answered (whatever it says)
        api.user_sends_document(USER, b"abc", None)
        await api.wait_for_sent(1)
    first, second = [i for i in router.seen if i.kind is InboundKind.FILE]
    assert (first.file, first.text, first.chat_ref) == (("ds_ho_xom3.csv", CSV), "Danh sách xóm 3", str(USER))
    assert second.file == ("tep", b"abc") and second.text == ""
    assert len(api.calls_to("getFile")) == 2 and len(api.calls_to("download")) == 2


async def test_too_big_or_failed_documents_arrive_without_content(deps: Deps, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    config = deps.config.model_copy(update={"imports": deps.config.imports.model_copy(update={"max_file_mb": 1})})
    small = Deps(config=config, store=deps.store, clock=deps.clock)
    too_big = b"x" * (1024 * 1024 + 1)
    async with channel_running(small) as (api, channel):
        router = channel.router
        assert isinstance(router, RecordingRouter)
        api.user_sends_document(USER, CSV, "nguoi_la.csv")
        [answer] = await api.wait_for_sent(1)
        assert answer.text == T.WELCOME_STRANGER  # a stranger is told how to join; their file is not fetched
        assert api.calls_to("getFile") == []
        await join(api, deps)
        api.user_sends_document(USER, b"a", "lon.xlsx", file_size=50 * 1024 * 1024)  # announced as 50 MB
        await api.wait_for_sent(1)
        assert api.calls_to("getFile") == []  # not even asked for
        api.user_sends_document(USER, too_big, "khong_ro_co.csv", size_known=False)  # getFile tells the size
        await api.wait_for_sent(1)
        assert api.calls_to("download") == []
        api.fail_next("download", 500)
        api.user_sends_document(USER, CSV, "loi_mang.csv")
        await api.wait_for_sent(1)
        api.fail_next("getFile", 400, "Bad Request: file is too big")
        api.user_sends_document(USER, CSV, "qua_lon.csv")
        await api.wait_for_sent(1)
        assert len(api.calls_to("getFile")) == 3 and len(api.calls_to("download")) == 1
    files = [i for i in router.seen if i.kind is InboundKind.FILE]
    assert [i.file for i in files] == [None] * 5
    assert "Danh sách" not in caplog.text and "loi_mang" not in caplog.text
