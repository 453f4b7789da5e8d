"""Progress, the chart, the workbook and the period report over the real Telegram channel (fake Bot API):
what a leader and staff see on their phones, and that every form shows the same figures."""

from __future__ import annotations

import io
from datetime import date

import docx
import openpyxl
from sqlmodel import select

from bot import texts as T
from bot.core.roles import Role
from bot.services import households, visits
from bot.services.households import NewHousehold
from bot.store.models import ChannelIdentity, Member
from tests.chat import new_code
from tests.test_telegram_e2e import USER, Phone, telegram_bot

LEADER, STAFF = 7_000_002, 7_000_003
PNG = b"\x89PNG\r\n\x1a\n"


async def _member(deps, user: int) -> Member:
    async with deps.store.session() as s:
        link = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.user_ref == str(user)))).one()
        member = await s.get(Member, link.member_id)
        assert member is not None
        return member


async def _work(deps, user: int) -> None:
    """Two households helped this month: 3 + 2 people, VNeID and cashless payment."""
    member, now = await _member(deps, user), deps.clock.now()
    async with deps.store.session() as s:
        for name, people, skills in [("Nguyễn Văn An", 3, ("vneid_install",)), ("Lê Thị Hoa", 2, ("cashless",))]:
            home = await households.create(s, "T01", NewHousehold(name, "Xóm 1"), member.id, now, "v1")
            draft = visits.VisitDraft(home.id, skills, date(2026, 11, 18), people)
            await visits.record(s, member, home, draft, now)


async def _people(deps, tg) -> tuple[Phone, Phone, Phone]:
    member = Phone(tg, deps)
    leader = Phone(tg, deps, user=LEADER)
    staff = Phone(tg, deps, user=STAFF)
    await member.join()
    await leader.say(f"/start {await new_code(deps, Role.LEADER, 'T01', name='Tổ trưởng Hà')}")
    await staff.say(f"/start {await new_code(deps, Role.STAFF, None, name='Cán bộ xã')}")
    await _work(deps, USER)
    return member, leader, staff


def _sheet_value(content: bytes, sheet: str, header: str) -> list[object]:
    rows = list(openpyxl.load_workbook(io.BytesIO(content))[sheet].iter_rows(values_only=True))
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


async def test_a_leader_sees_progress_a_chart_and_a_workbook_with_the_same_figures(deps) -> None:
    async with telegram_bot(deps) as tg_phone:
        _, leader, _ = await _people(deps, tg_phone.tg)
        sent = await leader.say("/tiendo")
        assert "📊 Tiến độ tháng 11/2026 — Thôn Đông Tạ" in sent[-1].text
        assert "👥 Lượt: 5 (2 lần đến hộ)" in sent[-1].text

        sent = await leader.say("/bieudo 2026-11")
        assert sent[-1].method == "sendPhoto" and "Thôn Đông Tạ" in sent[-1].text
        photo = tg_phone.tg.uploads[-1]
        assert photo.field == "photo" and photo.content.startswith(PNG)

        sent = await leader.say("/xuat 2026-11")
        assert sent[-1].method == "sendDocument" and "Thôn Đông Tạ, tháng 11/2026: 2 hộ" in sent[-1].text
        workbook = tg_phone.tg.uploads[-1]
        assert workbook.file_name == "so-tay-2026-11-T01.xlsx"
        assert _sheet_value(workbook.content, "Tổng hợp", "Lượt người được hướng dẫn") == [5]
        assert sorted(_sheet_value(workbook.content, "Hộ", "Họ tên chủ hộ")) == ["Lê Thị Hoa", "Nguyễn Văn An"]


async def test_a_leader_submits_the_report_by_taps_and_staff_see_it_on_time(deps) -> None:
    async with telegram_bot(deps) as tg_phone:
        member, leader, staff = await _people(deps, tg_phone.tg)
        await leader.say("/baocao")
        sent = await leader.tap("Tháng 11/2026")
        assert "• Lượt người dân được hướng dẫn: 5/100" in sent[-1].text
        await leader.tap("Khó khăn")
        sent = await leader.say("Nhiều hộ chưa có điện thoại thông minh", expect=2)
        assert "Đã lưu “Khó khăn, vướng mắc” vào bản nháp." in sent[0].text
        assert "▪️ Khó khăn, vướng mắc: Nhiều hộ chưa có điện thoại thông minh" in sent[-1].text
        await leader.tap("Nộp báo cáo")
        sent = await leader.tap("✅ Nộp", exact=True)
        assert "Đã nộp báo cáo tháng 11/2026 của Thôn Đông Tạ" in sent[-1].text and "đúng hạn" in sent[-1].text

        sent = await staff.say("/baocao 2026-11")
        assert "T01 Thôn Đông Tạ: ✅ đúng hạn (20/11)" in sent[-1].text

        sent = await member.say("/baocao")
        assert sent[-1].text == T.NOT_ALLOWED


async def test_staff_get_the_commune_workbook_and_the_report_draft_as_docx(deps) -> None:
    async with telegram_bot(deps) as tg_phone:
        _, _, staff = await _people(deps, tg_phone.tg)
        await staff.say("/xuat 2026-11", expect=3)
        files = {u.file_name: u.content for u in tg_phone.tg.uploads if u.field == "document"}
        assert set(files) == {"so-tay-2026-11-toan-xa.xlsx", "bao-cao-2026-11.docx"}
        codes = _sheet_value(files["so-tay-2026-11-toan-xa.xlsx"], "Tổng hợp", "Mã tổ")
        assert codes[0] == "T01" and codes[-1] == "Toàn xã"
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(files["bao-cao-2026-11.docx"])).paragraphs)
        assert "5" in text and "lượt" in text
