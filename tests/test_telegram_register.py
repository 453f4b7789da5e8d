"""The household register over the real Telegram channel (fake Bot API): one-line entry by taps, and a leader's
flag reaching the member through the outbox sender."""

from __future__ import annotations

from sqlmodel import select

from bot import texts as T
from bot.core.roles import Role
from bot.services import households
from bot.services.households import NewHousehold
from bot.store.models import ChannelIdentity, Household, Visit
from tests.chat import new_code
from tests.household_lists import ListRow, xlsx_bytes
from tests.test_telegram_e2e import USER, Phone, telegram_bot

LEADER = 7_000_002


async def test_one_line_entry_then_a_leaders_flag_reaches_the_member(deps) -> None:
    async with telegram_bot(deps) as member:
        leader = Phone(member.tg, deps, user=LEADER)
        await member.join()
        await leader.say(f"/start {await new_code(deps, Role.LEADER, 'T01', name='Tổ trưởng Hà')}")
        async with deps.store.session() as s:
            member_id = (
                await s.exec(select(ChannelIdentity.member_id).where(ChannelIdentity.user_ref == str(USER)))
            ).one()
            now = deps.clock.now()
            await households.create(s, "T01", NewHousehold("Nguyễn Văn An", "Xóm 3"), member_id, now, "v")

        member.actions = 0
        sent = await member.say("/gn nguyen van an, xom 3: vneid 2 nguoi")
        assert "Kiểm tra lại" in sent[-1].text
        sent = await member.tap("✅ Lưu", exact=True)
        assert "Đã lưu lượt" in sent[-1].text
        assert member.actions == 2  # one typed line and one tap
        async with deps.store.session() as s:
            visit = (await s.exec(select(Visit))).one()

        await leader.say(f"/kiemtra {visit.id} thiếu số điện thoại của hộ")
        notice = await member.tg.wait_for_sent(lambda m: m.chat_id == USER and "cần kiểm tra" in m.text)
        received = [m for m in notice if m.chat_id == USER]
        assert f"/sua {visit.id}" in received[-1].text and "thiếu số điện thoại" in received[-1].text


async def test_staff_import_a_household_list_sent_as_a_telegram_document(deps) -> None:
    rows = [ListRow("Nguyễn Văn An", "Xóm 3", "0912.345.678"), ListRow("Trần Thị Bình", "Xóm 1", "")]
    async with telegram_bot(deps) as staff:
        await staff.say(f"/start {await new_code(deps, Role.STAFF, None, name='Cán bộ xã')}")
        staff.tg.user_sends_document(USER, xlsx_bytes(rows), "ds thon kien lao.xlsx")
        sent = await staff.tg.wait_for_sent(1)
        assert "vào sổ hộ của tổ nào?" in sent[-1].text
        await staff.tap("Thôn Kiến Lao")
        sent = await staff.tap(T.IMPORT_BTN_APPLY, exact=True)
        assert "Đã nhập xong" in sent[-1].text
    async with deps.store.session() as s:
        names = sorted((await s.exec(select(Household.head_name).where(Household.team_code == "T02"))).all())
    assert names == ["Nguyễn Văn An", "Trần Thị Bình"]
