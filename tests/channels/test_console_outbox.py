"""The demo's console outbox: prints due messages of any channel with the recipient's name, and marks them sent."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from bot import app
from bot.channels.console import ConsoleChannel
from bot.channels.console_outbox import ConsoleOutbox, own_chats
from bot.core.clock import FixedClock
from bot.core.messages import Attachment
from bot.core.roles import Role
from bot.services import outbox
from bot.store.models import ChannelIdentity
from tests.services.test_reminders import JOINED, commune, queued, vn


async def test_due_messages_are_printed_once_and_marked_sent(deps, clock):
    await commune(deps.store)
    clock.set(vn(11, 22, 8))
    now = clock.now()
    async with deps.store.session() as s:
        await outbox.enqueue(s, "zalo", "zalo-binh", now, text="Nhắc nộp báo cáo")
        await outbox.enqueue(
            s, "telegram", "telegram-an", now, text="Ảnh tiến độ", attachment=Attachment(b"png", picture=True)
        )
        await outbox.enqueue(s, "zalo", "zalo-binh", now, text="Sáng mai", not_before=now + timedelta(hours=1))
    printed: list[str] = []
    printer = ConsoleOutbox(deps, printed.append)
    assert await printer.drain() == 2
    assert sorted(printed) == [
        "📨 Gửi tới Lê Thị Bình (Zalo): Nhắc nộp báo cáo",
        "📨 Gửi tới Nguyễn Văn An (Telegram): [hình ảnh] Ảnh tiến độ",
    ]
    assert await printer.drain() == 0
    assert [r.status for r in await queued(deps.store)] == [outbox.SENT, outbox.SENT, outbox.PENDING]
    clock.advance(timedelta(hours=1))
    await printer.stop()  # never started: prints what is due now
    assert printed[-1] == "📨 Gửi tới Lê Thị Bình (Zalo): Sáng mai"


async def test_demo_identities_get_their_own_chats(deps):
    people = await commune(deps.store)
    async with deps.store.session() as s:
        for ref in ("demo-member", "demo-leader"):
            s.add(
                ChannelIdentity(
                    channel="console", user_ref=ref, chat_ref="demo", member_id=people.an.id, created_at=JOINED
                )
            )
    assert await own_chats(deps, "console") == 2
    assert await own_chats(deps, "console") == 0
    async with deps.store.session() as s:
        rows = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.channel == "console"))).all()
    assert sorted(r.chat_ref for r in rows) == ["demo-leader", "demo-member"]


async def test_the_demo_prints_what_the_bot_would_send(config, tmp_path: Path, monkeypatch):
    """The terminal demo on 22/11/2026 08:00: the monthly reminder to the demo leader prints before the prompt."""
    out = io.StringIO()

    def console(router, user_ref):  # type: ignore[no-untyped-def]
        return ConsoleChannel(router, user_ref, stdin=io.StringIO("/trogiup\n"), stdout=out, interactive=False)

    monkeypatch.setattr(app, "ConsoleChannel", console)
    await app.run_demo(config, Role.LEADER, FixedClock(vn(11, 22, 8)), db_path=tmp_path / "demo.db")
    text = out.getvalue()
    reminder = text.index("báo cáo tháng 11/2026 của Thôn Đông Tạ cần nộp trước ngày 25/11/2026 (còn 3 ngày)")
    assert text.rindex("📨 Gửi tới ", 0, reminder) < text.index("› /trogiup")
    assert "(dòng lệnh)" in text
