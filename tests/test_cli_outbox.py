"""`sotay outbox status`: the queue, failures and the Zalo quota per channel, never a message's text or chat id."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.clock import VN_TZ
from bot.services import outbox, outbox_status
from tests.test_cli import sotay

SECRET = "nội dung riêng tư không được in ra"
CHAT = "5566778899"


async def _queue(deps, now: datetime) -> None:
    """Telegram: 2 due, 1 held by quiet hours, sent 1 today and 1 earlier this month and 1 last month, 1 blocked,
    1 failed, 1 being retried. Zalo: 1 sent today."""
    async with deps.store.session() as s:

        async def row(channel: str, status: str = outbox.PENDING, **kw) -> None:
            item = await outbox.enqueue(
                s, channel, kw.pop("chat", CHAT), now, text=SECRET, not_before=kw.pop("at", None)
            )
            assert item is not None
            item.status = status
            for key, value in kw.items():
                setattr(item, key, value)
            s.add(item)

        await row("telegram")
        await row("telegram")
        await row("telegram", at=datetime(2026, 11, 21, 7, 0, tzinfo=VN_TZ))
        await row("telegram", outbox.SENT, sent_at=now - timedelta(hours=1))
        await row("telegram", outbox.SENT, sent_at=now - timedelta(days=10))
        await row("telegram", outbox.SENT, sent_at=now - timedelta(days=40))
        await row("telegram", outbox.BLOCKED, error="Forbidden: bot was blocked by the user")
        await row("telegram", outbox.FAILED, error="BadRequest: message is too long", chat="-100123456789")
        await row("telegram", at=now + timedelta(seconds=30), error="TimedOut", attempts=1)
        await row("zalo", outbox.SENT, sent_at=now - timedelta(minutes=5), chat="6ede9afa66b88fe6d6a9")


async def test_the_status_per_channel(deps, config, clock):
    now = clock.now()
    await _queue(deps, now)
    async with deps.store.session() as s:
        text = await outbox_status.report(s, config, now)
    assert text.splitlines() == [
        "Hàng đợi tin nhắn lúc 09:00 20/11/2026 (không hiện nội dung tin):",
        "Telegram:",
        "  Chờ gửi: 2 đến lượt · 2 giữ lại (sớm nhất gửi lúc 09:00 20/11/2026)",
        "  Đã gửi: 1 hôm nay · 2 tháng này",
        "  Không gửi được: 1 lỗi · 1 bị chặn",
        "  Lỗi gần đây:",
        "    09:00 20/11/2026 · chat …899 · đang thử lại: TimedOut",
        "    09:00 20/11/2026 · chat …789 · lỗi: BadRequest: message is too long",
        "    09:00 20/11/2026 · chat …899 · bị chặn: Forbidden: bot was blocked by the user",
        "Zalo:",
        "  Chờ gửi: 0 đến lượt · 0 giữ lại",
        "  Đã gửi: 1 hôm nay · 1 tháng này",
        "  Không gửi được: 0 lỗi · 0 bị chặn",
        "  Hạn mức Zalo tháng 11/2026: đã dùng 1/3000 (0%)",
        "  Giữ 300 tin để trả lời tổ viên: nhắc việc, thông báo chỉ gửi trong 2700 tin đầu",
    ]
    assert SECRET not in text and CHAT not in text


async def test_an_empty_outbox_and_a_used_up_quota(deps, config, clock):
    now = clock.now()
    small = config.model_copy(
        update={
            "channels": config.channels.model_copy(
                update={"zalo": config.channels.zalo.model_copy(update={"monthly_quota": 1})}
            )
        }
    )
    async with deps.store.session() as s:
        assert "Hạn mức Zalo tháng 11/2026: đã dùng 0/1 (0%)" in await outbox_status.report(s, small, now)
        await outbox.enqueue(s, "zalo", CHAT, now, text=SECRET)
        [item] = await outbox.due(s, "zalo", now)
        outbox.mark_sent(item, now)
        await s.flush()
        text = await outbox_status.report(s, small, now)
    assert "đã dùng 1/1 (100%)" in text and "Đã hết hạn mức tháng này" in text


async def test_the_share_kept_for_answers(deps, config, clock):
    """Once reminders and notices have used their share, the status says that only answers still go out."""
    now = clock.now()
    zalo = config.channels.zalo.model_copy(update={"monthly_quota": 3, "reply_reserve": 1})
    small = config.model_copy(update={"channels": config.channels.model_copy(update={"zalo": zalo})})
    async with deps.store.session() as s:
        for _ in range(2):
            item = await outbox.enqueue(s, "zalo", CHAT, now, text=SECRET)
            outbox.mark_sent(item, now)
        await s.flush()
        text = await outbox_status.report(s, small, now)
    assert "Giữ 1 tin để trả lời tổ viên: nhắc việc, thông báo chỉ gửi trong 2 tin đầu" in text
    assert "Nhắc việc và thông báo đã dùng hết phần của tháng" in text and "Đã hết hạn mức" not in text


async def test_the_command(deps, clock):
    await _queue(deps, clock.now())
    result = sotay("outbox", "status", env={"SOTAY_DATABASE_URL": deps.store.url})
    assert result.returncode == 0, result.stderr
    assert "Hàng đợi tin nhắn lúc" in result.stdout and "Telegram:" in result.stdout
    assert "Hạn mức Zalo tháng" in result.stdout and "bị chặn: Forbidden" in result.stdout
    assert SECRET not in result.stdout + result.stderr and CHAT not in result.stdout + result.stderr
