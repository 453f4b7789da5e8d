"""Progress, the chart, the workbook and the period report over the real Zalo channel (fake Zalo API): numbered
replies instead of buttons, the chart and the workbook by expiring links."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
from sqlmodel import select

from bot import texts as T
from bot.config import ZaloWebhook
from bot.core.roles import Role
from bot.services import households, visits
from bot.services.households import NewHousehold
from bot.store.models import ChannelIdentity, Member
from tests.channels.test_zalo_e2e import Phone, free_port, joined_phone, running
from tests.chat import new_code

LEADER, STAFF = "leader-zalo-1", "staff-zalo-1"
PNG = b"\x89PNG\r\n\x1a\n"


async def _work(deps, user: str) -> None:
    """Two households helped this month: 3 + 2 people."""
    async with deps.store.session() as s:
        link = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.user_ref == user))).one()
        member = await s.get(Member, link.member_id)
        assert member is not None
        now = deps.clock.now()
        for name, people in [("Nguyễn Văn An", 3), ("Lê Thị Hoa", 2)]:
            home = await households.create(s, "T01", NewHousehold(name, "Xóm 1"), member.id, now, "v1")
            draft = visits.VisitDraft(home.id, ("vneid_install",), date(2026, 11, 18), people)
            await visits.record(s, member, home, draft, now)


async def _join(zalo, deps, user: str, role: Role, team: str | None) -> Phone:
    phone = Phone(zalo, user)
    sent = await phone.say(f"/start {await new_code(deps, role, team, name='Người ' + user)}")
    assert "Chào mừng" in sent[0].text
    return phone


def number_of(text: str, label: str) -> str:
    """The number a numbered list gives the option containing `label`."""
    match = re.search(rf"^(\d+)\. [^\n]*{re.escape(label)}", text, re.MULTILINE)
    assert match is not None, (label, text)
    return match.group(1)


async def test_a_leader_reads_progress_and_gets_the_chart_and_the_workbook_by_link(deps, monkeypatch) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with running(deps, monkeypatch, public_base_url=base, webhook=ZaloWebhook(port=port)) as zalo:
        member = await joined_phone(zalo, deps)
        await _work(deps, member.user)
        leader = await _join(zalo, deps, LEADER, Role.LEADER, "T01")

        sent = await leader.say("tien do")
        assert len(sent) == 1 and "👥 Lượt: 5 (2 lần đến hộ)" in sent[0].text

        sent = await leader.say("/bieudo 2026-11")
        (photo,) = [m for m in sent if m.method == "sendPhoto"]
        assert photo.photo is not None and photo.photo.startswith(base + "/media/")
        async with zalo.http.get(photo.photo) as resp:
            assert resp.status == 200 and (await resp.read()).startswith(PNG)

        sent = await leader.say("/xuat 2026-11")
        text = sent[-1].text
        assert "so-tay-2026-11-T01.xlsx" in text
        link = next(word for word in text.split() if word.startswith(base + "/media/"))
        async with zalo.http.get(link) as resp:
            assert resp.status == 200
            book = openpyxl.load_workbook(io.BytesIO(await resp.read()))
        rows = list(book["Tổng hợp"].iter_rows(values_only=True))
        assert rows[1][rows[0].index("Lượt người được hướng dẫn")] == 5


async def test_a_leader_submits_by_numbers_and_staff_see_the_board(deps, monkeypatch) -> None:
    async with running(deps, monkeypatch) as zalo:
        member = await joined_phone(zalo, deps)
        await _work(deps, member.user)
        leader = await _join(zalo, deps, LEADER, Role.LEADER, "T01")
        staff = await _join(zalo, deps, STAFF, Role.STAFF, None)

        sent = await leader.say("bao cao")
        sent = await leader.say(number_of(sent[-1].text, "Tháng 11/2026"))
        preview = sent[-1].text
        assert "• Lượt người dân được hướng dẫn: 5/100" in preview
        await leader.say(number_of(preview, "Khó khăn"))
        sent = await leader.say("Nhieu ho chua co dien thoai thong minh")
        preview = sent[-1].text
        assert "▪️ Khó khăn, vướng mắc: Nhieu ho chua co dien thoai thong minh" in preview
        sent = await leader.say(number_of(preview, "Nộp báo cáo"))
        sent = await leader.say(number_of(sent[-1].text, "✅ Nộp"))
        assert "Đã nộp báo cáo tháng 11/2026 của Thôn Đông Tạ" in sent[-1].text

        sent = await staff.say("/baocao 2026-11")
        assert "T01 Thôn Đông Tạ: ✅ đúng hạn (20/11)" in sent[-1].text
        sent = await member.say("/xuat")
        assert sent[-1].text == T.NOT_ALLOWED
