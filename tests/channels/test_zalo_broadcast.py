"""A broadcast over the real Zalo channel (fake Zalo API): no buttons, so the member types "đã nhận"."""

from __future__ import annotations

from sqlmodel import select

from bot import texts as T
from bot.channels.outlet import with_reply_word
from bot.channels.zalo import ZaloOutlet
from bot.core.messages import OutMessage
from bot.core.roles import Role
from bot.render.split import utf16_len
from bot.services import broadcasts
from bot.store.models import BroadcastRecipient, Member
from tests.channels.test_zalo_e2e import USER, Phone, joined_phone, running
from tests.chat import new_code
from tests.fakes.zalo_api import MAX_TEXT

STAFF = "a1b2c3d4e5f6a7b8c9d0"
MESSAGE = "Thứ Bảy này cả xã ra quân hỗ trợ người dân cài VNeID, mời các tổ tham gia."


async def test_the_member_reads_the_reply_word_and_types_it(deps, monkeypatch):
    async with running(deps, monkeypatch) as zalo:
        member = await joined_phone(zalo, deps)
        staff = Phone(zalo, STAFF)
        await staff.say(f"/start {await new_code(deps, Role.STAFF, None, name='Cán bộ Hoa')}")

        [nothing] = await member.say("đã nhận")
        assert nothing.text == T.BROADCAST_ACK_NOTHING

        await staff.say("/thongbao")
        await staff.say("1")  # cả xã
        [preview] = await staff.say(MESSAGE)
        assert "Gửi tới: cả xã — 1 người nhận." in preview.text and "\n1. ✅ Gửi" in preview.text
        sent = await staff.say("1")
        [confirmation] = [s for s in sent if s.chat_id == STAFF]
        assert "✅ Đã gửi thông báo tới cả xã: 1 người nhận (1 tin nhắn)." in confirmation.text
        [notice] = [s for s in sent if s.chat_id == USER]
        assert notice.text == (
            f"📢 Thông báo của Cán bộ Hoa, cán bộ Xã Kiến Minh:\n{MESSAGE}\n\n{T.BROADCAST_REPLY_WORD}"
        )

        [done] = await member.say("Đã nhận")
        assert done.text == "✅ Đã ghi nhận: bạn đã nhận thông báo của Cán bộ Hoa. Cảm ơn bạn!"
        [again] = await member.say("da nhan")
        assert again.text == T.BROADCAST_ACK_NOTHING

    async with deps.store.session() as s:
        [recipient] = (await s.exec(select(BroadcastRecipient))).all()
    assert recipient.acknowledged_via == "zalo"


def test_the_longest_broadcast_fits_one_zalo_message(config):
    """The longest text (emoji count two), from a leader with the longest name the store keeps."""
    zalo_settings = config.channels.zalo
    leader = Member(display_name="Ngô" * 40, role="leader", team_code=config.teams[0].code)
    for text in ("ữ" * broadcasts.TEXT_LIMIT, "📢" * (broadcasts.TEXT_LIMIT // 2)):
        assert broadcasts.length(text) <= broadcasts.TEXT_LIMIT
        message = OutMessage(broadcasts.message_text(config, leader, text), ack="t" * 22)
        assert [utf16_len(piece.text) for piece in ZaloOutlet(None, zalo_settings, None).render(message)] == [
            utf16_len(with_reply_word(message))  # one message, with the reply word
        ]
        assert utf16_len(with_reply_word(message)) <= MAX_TEXT
