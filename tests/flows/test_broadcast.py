"""/thongbao and "Đã nhận" in chat: staff and leaders send notices, members acknowledge, senders see who read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select

from bot import texts as T
from bot.core.clock import VN_TZ
from bot.core.roles import Role
from bot.services import broadcasts, outbox
from bot.store.models import (
    AuditEntry,
    Broadcast,
    BroadcastRecipient,
    ChannelIdentity,
    Conversation,
    Member,
    OutboxItem,
)
from tests.chat import Chat, joined, new_code

MESSAGE = "Họp giao ban các tổ lúc 8 giờ sáng thứ Hai tại hội trường xã."


@dataclass
class Commune:
    staff: Chat
    lead_one: Chat  # T01
    mem_one: Chat  # T01, also on Telegram
    mem_two: Chat  # T01
    lead_two: Chat  # T02
    mem_three: Chat  # T02


async def _member_id(deps, user_ref: str, channel: str = "test") -> int:
    async with deps.store.session() as s:
        stmt = select(ChannelIdentity.member_id).where(
            ChannelIdentity.user_ref == user_ref, ChannelIdentity.channel == channel
        )
        return (await s.exec(stmt)).one()


async def _commune(router, deps) -> Commune:
    """Staff, two teams, and around them: a member with no chat, an inactive member, a second staff member."""
    c = Commune(
        staff=await joined(router, deps, "staff", Role.STAFF, None),
        lead_one=await joined(router, deps, "lead1", Role.LEADER, "T01"),
        mem_one=await joined(router, deps, "mem1", Role.MEMBER, "T01"),
        mem_two=await joined(router, deps, "mem2", Role.MEMBER, "T01"),
        lead_two=await joined(router, deps, "lead2", Role.LEADER, "T02"),
        mem_three=await joined(router, deps, "mem3", Role.MEMBER, "T02"),
    )
    await joined(router, deps, "staff2", Role.STAFF, None)
    gone = await joined(router, deps, "gone", Role.MEMBER, "T01")
    mem_one = await _member_id(deps, "mem1")
    async with deps.store.session() as s:
        now = deps.clock.now()
        s.add(Member(display_name="Đỗ Văn Không Chat", role="member", team_code="T01", created_at=now))
        s.add(ChannelIdentity(channel="telegram", user_ref="701", chat_ref="701", member_id=mem_one, created_at=now))
        left = await s.get(Member, await _member_id(deps, gone.user_ref))
        assert left is not None
        left.active = False
        s.add(left)
    return c


async def _outbox(deps) -> list[OutboxItem]:
    async with deps.store.session() as s:
        return list((await s.exec(select(OutboxItem).order_by(col(OutboxItem.id)))).all())


async def _recipients(deps) -> list[BroadcastRecipient]:
    async with deps.store.session() as s:
        return list((await s.exec(select(BroadcastRecipient).order_by(col(BroadcastRecipient.id)))).all())


async def _names(deps, member_ids: list[int]) -> list[str]:
    async with deps.store.session() as s:
        found = (await s.exec(select(Member.display_name).where(col(Member.id).in_(member_ids)))).all()
    return sorted(found)


async def _send(chat: Chat, audience: str | None, text: str = MESSAGE, team: str | None = None) -> None:
    await chat.say("/thongbao")
    if audience is not None:
        await chat.press(audience)
    if team is not None:
        await chat.press(team)
    await chat.say(text)
    assert T.BROADCAST_PREVIEW_TITLE in chat.text, chat.text
    await chat.press("✅ Gửi")
    assert "✅ Đã gửi thông báo" in chat.text, chat.text


async def _mark_sent(deps, member_ids: list[int] | None = None, status: str = outbox.SENT) -> None:
    """What a channel's sender does: the rows of these recipients (all when None) reached them, or not."""
    async with deps.store.session() as s:
        for r in (await s.exec(select(BroadcastRecipient))).all():
            if member_ids is not None and r.member_id not in member_ids:
                continue
            for item_id in r.outbox_ids:
                item = await s.get(OutboxItem, item_id)
                assert item is not None
                item.status = status
                item.sent_at = deps.clock.now() if status == outbox.SENT else None
                s.add(item)


# --- composing and sending --------------------------------------------------------------------------------------
async def test_staff_send_to_the_whole_commune_one_outbox_row_per_chat(router, deps):
    c = await _commune(router, deps)
    await c.staff.say("/thongbao")
    assert c.staff.labels() == [
        T.BROADCAST_BTN_COMMUNE,
        T.BROADCAST_BTN_LEADERS,
        T.BROADCAST_BTN_TEAM,
        T.BROADCAST_BTN_HISTORY,
    ]
    await c.staff.press("Cả xã")
    assert "Gõ nội dung thông báo gửi tới cả xã (tối đa 1600 ký tự)" in c.staff.text
    await c.staff.say(MESSAGE)
    preview = c.staff.text
    assert "Gửi tới: cả xã — 5 người nhận." in preview
    assert "1 người chưa liên kết Telegram hay Zalo nên sẽ không nhận được: Đỗ Văn Không Chat." in preview
    assert T.BROADCAST_GOES_NOW in preview
    assert f"📢 Thông báo của staff staff, cán bộ Xã Kiến Minh:\n{MESSAGE}" in preview
    assert c.staff.labels() == ["✅ Gửi", "✏️ Sửa", "👥 Đổi người nhận", "❌ Huỷ"]
    await c.staff.press("✅ Gửi")
    assert "✅ Đã gửi thông báo tới cả xã: 5 người nhận (6 tin nhắn)." in c.staff.text

    rows = await _outbox(deps)
    recipients = await _recipients(deps)
    assert len(rows) == 6 and len(recipients) == 5
    assert await _names(deps, [r.member_id for r in recipients]) == [
        "leader lead1",
        "leader lead2",
        "member mem1",
        "member mem2",
        "member mem3",
    ]
    mem_one = await _member_id(deps, "mem1")
    [mine] = [r for r in recipients if r.member_id == mem_one]
    assert len(mine.outbox_ids) == 2  # on the terminal and on Telegram
    by_channel = {item.channel: item for item in rows if item.id in mine.outbox_ids}
    assert by_channel["telegram"].payload == {broadcasts.ACK_PAYLOAD: mine.token}
    assert T.BROADCAST_REPLY_WORD not in by_channel["telegram"].text
    # A channel without buttons gets the same row: it adds the reply word itself when it sends (with_reply_word).
    assert by_channel["test"].payload == {broadcasts.ACK_PAYLOAD: mine.token}
    assert by_channel["test"].text == by_channel["telegram"].text
    assert all(MESSAGE in item.text and item.status == outbox.PENDING for item in rows)
    assert len({r.token for r in recipients}) == 5 and all(len(r.token) >= 20 for r in recipients)
    assert len({item.dedup_key for item in rows}) == 6
    async with deps.store.session() as s:
        [sent] = (await s.exec(select(Broadcast))).all()
        [entry] = (await s.exec(select(AuditEntry).where(AuditEntry.action == "broadcast.sent"))).all()
        assert await s.get(Conversation, ("test", "staff")) is None
    assert (sent.audience, sent.team_code, sent.recipient_count, sent.message_count) == ("commune", None, 5, 6)
    assert entry.detail["recipients"] == 5 and entry.detail["unreachable"] == 1
    assert MESSAGE not in str(entry.detail)


async def test_staff_send_to_the_leaders_only(router, deps):
    c = await _commune(router, deps)
    await c.staff.say("/thongbao")
    await c.staff.press("Chỉ các tổ trưởng")
    await c.staff.say("Nộp báo cáo tháng trước ngày 25.")
    assert "Gửi tới: các tổ trưởng — 2 người nhận." in c.staff.text
    assert "chưa liên kết" not in c.staff.text
    await c.staff.press("✅ Gửi")
    recipients = await _recipients(deps)
    assert await _names(deps, [r.member_id for r in recipients]) == ["leader lead1", "leader lead2"]
    assert len(await _outbox(deps)) == 2


async def test_the_preview_says_what_the_broadcast_takes_of_the_months_zalo_messages(router, deps):
    """Two leaders on Zalo: 2 Zalo messages. With 2,699 of the 2,700 the bot may start this month used, one must
    wait for next month, and the preview says so before anything is sent."""
    c = await _commune(router, deps)
    now = deps.clock.now()
    leaders = {ref: await _member_id(deps, ref) for ref in ("lead1", "lead2")}
    async with deps.store.session() as s:
        for ref, member_id in leaders.items():
            s.add(ChannelIdentity(channel="zalo", user_ref=ref, chat_ref=ref, member_id=member_id, created_at=now))
        earlier = [outbox.Message("zalo", "z-x", "nhắc việc", f"earlier-{i}") for i in range(2699)]
        await outbox.enqueue_many(s, earlier, now)
        for item in (await s.exec(select(OutboxItem).where(OutboxItem.channel == "zalo"))).all():
            outbox.mark_sent(item, now)
            s.add(item)
    await c.staff.say("/thongbao")
    await c.staff.press("Chỉ các tổ trưởng")
    await c.staff.say("Nộp báo cáo tháng trước ngày 25.")
    assert "💬 Qua Zalo: 2 tin; tháng này còn 1 tin cho thông báo và nhắc việc." in c.staff.text
    assert "⚠️ 1 tin Zalo vượt phần còn lại của tháng: sẽ chờ tới 00:00 01/12/2026 mới gửi." in c.staff.text


async def test_staff_send_to_one_team_and_a_wrong_team_is_explained(router, deps):
    c = await _commune(router, deps)
    await c.staff.say("/thongbao")
    await c.staff.press("Một tổ")
    assert c.staff.labels()[:2] == ["T01 Thôn Đông Tạ", "T02 Thôn Kiến Lao"]
    await c.staff.say("T09")
    assert c.staff.replies[0].text == T.BROADCAST_PICK_TEAM and "Gửi tới tổ nào?" in c.staff.text
    await c.staff.say("t02")
    assert "gửi tới Thôn Kiến Lao" in c.staff.text
    await c.staff.say(MESSAGE)
    assert "Gửi tới: Thôn Kiến Lao — 2 người nhận." in c.staff.text
    await c.staff.press("✅ Gửi")
    recipients = await _recipients(deps)
    assert await _names(deps, [r.member_id for r in recipients]) == ["leader lead2", "member mem3"]


async def test_a_leader_writes_to_their_own_team_only(router, deps):
    c = await _commune(router, deps)
    await c.lead_one.say("/thongbao")
    assert "gửi tới Thôn Đông Tạ" in c.lead_one.text
    assert c.lead_one.labels() == [T.BROADCAST_BTN_HISTORY]
    await c.lead_one.say("Tối nay 19 giờ họp tổ ở nhà văn hoá.")
    assert "Gửi tới: Thôn Đông Tạ — 2 người nhận." in c.lead_one.text
    assert "leader lead1, tổ trưởng Thôn Đông Tạ" in c.lead_one.text
    assert "Đổi người nhận" not in " ".join(c.lead_one.labels())
    await c.lead_one.press("✅ Gửi")
    recipients = await _recipients(deps)
    assert await _names(deps, [r.member_id for r in recipients]) == ["member mem1", "member mem2"]
    assert len(await _outbox(deps)) == 3

    await c.lead_two.say("/thongbao Mai nghỉ họp")  # the words after the command are the text
    assert "Gửi tới: Thôn Kiến Lao — 1 người nhận." in c.lead_two.text and "Mai nghỉ họp" in c.lead_two.text
    await c.lead_two.press("❌ Huỷ")
    assert c.lead_two.text == T.BROADCAST_CANCELLED
    assert len(await _recipients(deps)) == 2


async def test_members_cannot_broadcast(router, deps):
    c = await _commune(router, deps)
    await c.mem_one.say("/thongbao")
    assert c.mem_one.text == T.NOT_ALLOWED
    await c.mem_one.say("thong bao")
    assert c.mem_one.text == T.NOT_ALLOWED
    async with deps.store.session() as s:
        assert await s.get(Conversation, ("test", "mem1")) is None


async def test_empty_too_long_and_edited_text_keep_the_draft(router, deps):
    c = await _commune(router, deps)
    await c.lead_one.say("/thongbao")
    await c.lead_one.say("   ")
    assert c.lead_one.replies[0].text == T.BROADCAST_TEXT_EMPTY and "Gõ nội dung" in c.lead_one.text
    await c.lead_one.say(MESSAGE)
    await c.lead_one.press("✏️ Sửa")
    assert "Nội dung mới sẽ thay nội dung cũ." in c.lead_one.text
    await c.lead_one.say("x" * 1601)
    assert c.lead_one.replies[0].text == "Nội dung dài 1601 ký tự, quá 1600. Hãy rút gọn rồi gửi lại."
    await c.lead_one.press("Giữ nội dung cũ")
    assert MESSAGE in c.lead_one.text
    await c.lead_one.say("gui luc nao?")  # neither an option nor a text here ("gửi nhé" would be ✅ Gửi)
    assert c.lead_one.replies[0].text == T.BROADCAST_PREVIEW_CHOOSE and MESSAGE in c.lead_one.text
    await c.lead_one.press("✏️ Sửa")
    await c.lead_one.say("Hộ CCCD 001234567890 cần hỗ trợ")
    assert T.CITIZEN_ID_MASKED in c.lead_one.text and "001234567890" not in c.lead_one.text
    await c.lead_one.press("✅ Gửi")
    assert all("001234567890" not in item.text for item in await _outbox(deps))


async def test_nobody_to_reach_offers_no_send(router, deps):
    leader = await joined(router, deps, "lonely", Role.LEADER, "T03")
    await leader.say("/thongbao Họp tổ")
    assert T.BROADCAST_NOBODY in leader.text
    assert "✅ Gửi" not in leader.labels()


async def test_quiet_hours_hold_the_broadcast_until_morning(router, deps, clock):
    c = await _commune(router, deps)
    clock.set(datetime(2026, 11, 20, 22, 30, tzinfo=VN_TZ))
    await c.staff.say("/thongbao")
    await c.staff.press("Chỉ các tổ trưởng")
    await c.staff.say(MESSAGE)
    assert "giờ yên lặng (21:00–07:00): thông báo sẽ được giữ lại và gửi lúc 07:00 21/11/2026" in c.staff.text
    await c.staff.press("✅ Gửi")
    assert "tin sẽ đi lúc 07:00 21/11/2026" in c.staff.text
    morning = datetime(2026, 11, 21, 7, 0, tzinfo=VN_TZ)
    assert all(item.next_attempt_at == morning for item in await _outbox(deps))
    async with deps.store.session() as s:
        assert not await outbox.due(s, "test", clock.now())
        assert len(await outbox.due(s, "test", morning)) == 2


# --- acknowledging ------------------------------------------------------------------------------------------------
async def test_the_button_acknowledges_once_and_only_for_its_recipient(router, deps):
    c = await _commune(router, deps)
    await _send(c.staff, "Cả xã")
    mem_one = await _member_id(deps, "mem1")
    [mine] = [r for r in await _recipients(deps) if r.member_id == mem_one]

    await c.mem_two.press_data(f"ack:{mine.token}")  # someone else's button
    assert c.mem_two.text == T.BUTTON_OUTDATED
    await c.mem_two.press_data("ack:forged-token-that-was-never-made")
    assert c.mem_two.text == T.BUTTON_OUTDATED
    await c.mem_two.press_data("ack:")
    assert c.mem_two.text == T.BUTTON_OUTDATED
    async with deps.store.session() as s:
        denied = (await s.exec(select(AuditEntry).where(AuditEntry.action == "access.denied"))).all()
    assert [(d.entity, d.detail["reason"]) for d in denied] == [
        ("broadcast", "other_member"),
        ("broadcast", "unknown_token"),
        ("broadcast", "unknown_token"),
    ]
    assert all(r.acknowledged_at is None for r in await _recipients(deps))

    await c.mem_one.press_data(f"ack:{mine.token}")
    assert c.mem_one.text == "✅ Đã ghi nhận: bạn đã nhận thông báo của staff staff. Cảm ơn bạn!"
    await c.mem_one.press_data(f"ack:{mine.token}")
    assert c.mem_one.text == "Bạn đã báo nhận thông báo của staff staff lúc 09:00 20/11/2026 rồi."
    [mine] = [r for r in await _recipients(deps) if r.member_id == mem_one]
    assert mine.acknowledged_via == "test" and mine.acknowledged_at == deps.clock.now()


async def test_a_typed_da_nhan_acknowledges_the_latest_delivered_broadcast(router, deps, clock):
    c = await _commune(router, deps)
    await c.mem_one.say("đã nhận")
    assert c.mem_one.text == T.BROADCAST_ACK_NOTHING
    await _send(c.staff, "Cả xã", "Thông báo thứ nhất")
    await c.mem_one.say("Đã nhận")
    assert c.mem_one.text == T.BROADCAST_ACK_NOTHING  # not delivered yet: nothing on the phone to acknowledge
    await _mark_sent(deps)
    clock.advance(timedelta(minutes=5))
    await _send(c.lead_one, None, "Thông báo thứ hai")
    await _mark_sent(deps)

    await c.mem_one.say("da nhan")
    assert "thông báo của leader lead1" in c.mem_one.text
    assert "Bạn còn 1 thông báo khác chưa báo đã nhận" in c.mem_one.text
    await c.mem_one.say("/danhan")
    assert c.mem_one.text == "✅ Đã ghi nhận: bạn đã nhận thông báo của staff staff. Cảm ơn bạn!"
    await c.mem_one.say("Đã nhận!")
    assert c.mem_one.text == T.BROADCAST_ACK_NOTHING
    mem_one = await _member_id(deps, "mem1")
    mine = [r for r in await _recipients(deps) if r.member_id == mem_one]
    assert [r.acknowledged_via for r in mine] == ["test", "test"]


async def test_acknowledging_in_the_middle_of_a_flow_keeps_the_flow(router, deps):
    c = await _commune(router, deps)
    await _send(c.staff, "Cả xã")
    await _mark_sent(deps)
    await c.lead_one.say("/thongbao")
    await c.lead_one.say("da nhan")
    assert "Đã ghi nhận" in c.lead_one.text
    await c.lead_one.say("Họp tổ tối nay")
    assert T.BROADCAST_PREVIEW_TITLE in c.lead_one.text


# --- who has read it -----------------------------------------------------------------------------------------------
async def test_staff_see_who_received_and_acknowledged_by_name(router, deps):
    c = await _commune(router, deps)
    await _send(c.staff, "Cả xã")
    ids = {ref: await _member_id(deps, ref) for ref in ("mem1", "mem2", "mem3", "lead1", "lead2")}
    await _mark_sent(deps, [ids["mem1"], ids["mem2"], ids["mem3"]])
    await _mark_sent(deps, [ids["lead2"]], status=outbox.BLOCKED)
    await c.mem_one.say("da nhan")

    await c.staff.say("/thongbao")
    await c.staff.press("Xem thông báo đã gửi")
    assert "Thông báo gần đây của xã" in c.staff.text
    [item, *_] = c.staff.labels()
    assert item == "20/11 09:00 · cả xã · “Họp giao ban các tổ lúc 8 giờ sáng thứ…” · ✅ 1/5"
    await c.staff.press("cả xã")
    text = c.staff.text
    assert "📋 Thông báo lúc 09:00 20/11/2026 của staff staff tới cả xã" in text
    assert "5 người nhận: ✅ 1 đã nhận · 📬 2 đã gửi, chưa xác nhận · ⏳ 1 chưa gửi · ⚠️ 1 không gửi được" in text
    assert "✅ Đã nhận (1):\n• Thôn Đông Tạ: member mem1" in text
    assert "📬 Đã gửi, chưa xác nhận (2):\n• Thôn Đông Tạ: member mem2\n• Thôn Kiến Lao: member mem3" in text
    assert "⏳ Chưa gửi (1):\n• Thôn Đông Tạ: leader lead1" in text
    assert "⚠️ Không gửi được (1)" in text and "• Thôn Kiến Lao: leader lead2" in text
    assert c.staff.labels() == [T.BROADCAST_BTN_REFRESH, T.BROADCAST_BTN_OTHER, T.BROADCAST_BTN_CLOSE]

    await c.mem_two.say("da nhan")
    await c.staff.press("Cập nhật")
    assert "✅ Đã nhận (2):\n• Thôn Đông Tạ: member mem1, member mem2" in c.staff.text
    await c.staff.press("Đóng")
    assert c.staff.text == T.BROADCAST_CLOSED


async def test_a_leader_sees_only_their_own_broadcasts(router, deps):
    c = await _commune(router, deps)
    await c.lead_one.say("/thongbao")
    await c.lead_one.press("Xem thông báo đã gửi")
    assert c.lead_one.replies[0].text == T.BROADCAST_HISTORY_EMPTY  # and the text prompt again
    await _send(c.staff, "Cả xã", "Của cán bộ xã")
    await _send(c.lead_one, None, "Của tổ trưởng")
    await c.lead_one.say("/thongbao")
    await c.lead_one.press("Xem thông báo đã gửi")
    labels = c.lead_one.labels()
    assert len(labels) == 3 and "Của tổ trưởng" in labels[0] and "Thôn Đông Tạ" in labels[0]
    await c.lead_one.say("1")
    assert "tới Thôn Đông Tạ" in c.lead_one.text and "\n• member mem1, member mem2" in c.lead_one.text
    await c.staff.say("/thongbao")
    await c.staff.press("Xem thông báo đã gửi")
    assert len(c.staff.labels()) == 4  # both broadcasts, back, close


async def test_a_long_list_reads_per_team(router, deps):
    staff = await joined(router, deps, "staff", Role.STAFF, None)
    for team in ("T01", "T02", "T03", "T04", "T05"):
        for n in range(12):
            chat = Chat(router, f"{team}-{n}")
            await chat.say(f"/start {await new_code(deps, Role.MEMBER, team, name=f'Tổ viên {team}-{n:02d}')}")
    await _send(staff, "Cả xã")
    await staff.say("/thongbao")
    await staff.press("Xem thông báo đã gửi")
    await staff.say("1")
    text = staff.text
    assert "60 người nhận" in text and "⏳ Chưa gửi (60):" in text
    lines = [line for line in text.splitlines() if line.startswith("• ")]
    assert len(lines) == 5 and all(len(line) < 300 for line in lines)


async def test_a_message_written_on_several_lines_keeps_its_lines(router, deps):
    c = await _commune(router, deps)
    await c.lead_one.say("/thongbao Lịch tuần tới:\n- Thứ Hai: họp tổ\n\n\n- Thứ Tư:   đi xóm 3")
    assert "Lịch tuần tới:\n- Thứ Hai: họp tổ\n\n- Thứ Tư: đi xóm 3" in c.lead_one.text
    await c.lead_one.press("✅ Gửi")
    items = await _outbox(deps)
    assert items and all("Lịch tuần tới:\n- Thứ Hai: họp tổ\n\n- Thứ Tư: đi xóm 3" in i.text for i in items)
