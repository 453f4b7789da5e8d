"""The household register over the real Zalo channel (fake Zalo API): one-line entry, my households, the card."""

from __future__ import annotations

from sqlmodel import select

from bot.services import households
from bot.services.households import NewHousehold
from bot.store.models import ChannelIdentity, Visit
from tests.channels.test_zalo_e2e import joined_phone, running


async def test_one_line_entry_takes_two_zalo_messages_and_my_households_read_as_a_numbered_list(deps, monkeypatch):
    async with running(deps, monkeypatch) as zalo:
        phone = await joined_phone(zalo, deps)
        async with deps.store.session() as s:
            member_id = (await s.exec(select(ChannelIdentity.member_id))).one()
            now = deps.clock.now()
            household = await households.create(s, "T01", NewHousehold("Nguyễn Văn An", "Xóm 3"), member_id, now, "v")
        sent = await phone.say("/gn nguyen van an, xom 3: vneid dvc 2 nguoi")
        assert len(sent) == 1 and "Kiểm tra lại" in sent[0].text and "\n1. " in sent[0].text
        sent = await phone.say("luu")
        assert "Đã lưu lượt" in sent[0].text
        sent = await phone.say("/hocuatoi")
        assert "1/10" in sent[0].text and "\n1. Nguyễn Văn An — Xóm 3 🟡🟡⬜⬜" in sent[0].text
        sent = await phone.say("1")
        assert f"(hộ #{household.id})" in sent[0].text and "Dịch vụ công trực tuyến — đã hướng dẫn" in sent[0].text
    async with deps.store.session() as s:
        visit = (await s.exec(select(Visit))).one()
    assert (visit.household_id, visit.people_count) == (household.id, 2)
