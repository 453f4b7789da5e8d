"""A broadcast over the real Telegram channel (fake Bot API): staff send it, the outbox sender delivers it with a
"✅ Đã nhận" button, the member presses it, and staff see who acknowledged."""

from __future__ import annotations

from sqlmodel import select

from bot import texts as T
from bot.core.roles import Role
from bot.store.models import AuditEntry, BroadcastRecipient
from tests.chat import new_code
from tests.test_telegram_e2e import Phone, telegram_bot

MEMBER = 7_000_003
MESSAGE = "Chiều nay 14 giờ tập huấn VNeID mức 2 tại nhà văn hoá thôn."


async def test_the_button_is_sent_and_pressing_it_acknowledges(deps) -> None:
    async with telegram_bot(deps) as staff:
        member = Phone(staff.tg, deps, user=MEMBER)
        await staff.say(f"/start {await new_code(deps, Role.STAFF, None, name='Cán bộ Hoa')}")
        await member.say(f"/start {await new_code(deps, Role.MEMBER, 'T01', name='Tổ viên Lan')}")

        await staff.say("/thongbao")
        await staff.tap("Cả xã")
        [preview] = await staff.say(MESSAGE)
        assert "Gửi tới: cả xã — 1 người nhận." in preview.text
        staff.tg.press(staff.user, "✅ Gửi", exact=True)
        sent = await staff.tg.wait_for_sent(lambda m: m.chat_id == MEMBER and bool(m.buttons))
        [notice] = [m for m in sent if m.chat_id == MEMBER]
        assert notice.text == f"📢 Thông báo của Cán bộ Hoa, cán bộ Xã Kiến Minh:\n{MESSAGE}"
        [(label, data)] = notice.buttons
        assert label == T.BROADCAST_ACK_BUTTON and data.startswith("ack:") and len(data.encode()) <= 64
        assert T.BROADCAST_REPLY_WORD not in notice.text

        [forged] = await member.press_data(notice.message_id, "ack:not-a-real-token")
        assert forged.text == T.BUTTON_OUTDATED
        [done] = await member.press_data(notice.message_id, data)
        assert done.text == "✅ Đã ghi nhận: bạn đã nhận thông báo của Cán bộ Hoa. Cảm ơn bạn!"
        [again] = await member.press_data(notice.message_id, data)
        assert again.text.startswith("Bạn đã báo nhận thông báo của Cán bộ Hoa lúc")

        await staff.say("/thongbao")
        await staff.tap("Xem thông báo đã gửi")
        [status] = await staff.tap("cả xã")
        assert "1 người nhận: ✅ 1 đã nhận" in status.text and "• Thôn Đông Tạ: Tổ viên Lan" in status.text

    async with deps.store.session() as s:
        [recipient] = (await s.exec(select(BroadcastRecipient))).all()
        denied = (await s.exec(select(AuditEntry).where(AuditEntry.action == "access.denied"))).all()
    assert recipient.acknowledged_via == "telegram" and recipient.acknowledged_at is not None
    assert [d.detail["reason"] for d in denied] == ["unknown_token"]
