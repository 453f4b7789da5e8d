"""/tiendo through the router: a member's own figures, a leader's team, staff's overview and ranking, bad input."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot import texts as T
from bot.core.roles import Role
from bot.services import households, visits
from bot.services.households import NewHousehold
from bot.store.models import ChannelIdentity, Member
from tests.chat import Chat, joined

TODAY = date(2026, 11, 20)  # the clock fixture's day


async def _member(deps, user_ref: str) -> Member:
    async with deps.store.session() as s:
        link = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.user_ref == user_ref))).one()
        member = await s.get(Member, link.member_id)
        assert member is not None
        return member


async def _work(deps, user_ref: str, homes: list[tuple[str, int]], skills=("vneid_install",), keep=True) -> None:
    """The member adds these households (looking after them when `keep`) and logs one visit to each."""
    member, now = await _member(deps, user_ref), deps.clock.now()
    async with deps.store.session() as s:
        for name, people in homes:
            adder = member.id if keep else None  # a household added by nobody (an import) is nobody's
            home = await households.create(s, member.team_code, NewHousehold(name, "Xóm 1"), adder, now, "v1")
            await visits.record(s, member, home, visits.VisitDraft(home.id, skills, TODAY, people), now)


async def _team_of_three(router, deps) -> tuple[Chat, Chat, Chat]:
    lead = await joined(router, deps, "lead", Role.LEADER, "T01")
    m1 = await joined(router, deps, "m1", Role.MEMBER, "T01")
    staff = await joined(router, deps, "staff", Role.STAFF, None)
    await _work(deps, "m1", [("Nguyễn Văn An", 2), ("Lê Thị Hoa", 1)])  # 2 households, 3 lượt
    await _work(deps, "lead", [("Phạm Văn Nam", 1)], skills=("dvc", "bdhvs"), keep=False)
    return lead, m1, staff


async def test_a_member_sees_their_own_progress(router, deps):
    _, m1, _ = await _team_of_three(router, deps)
    await m1.say("/tiendo")
    text = m1.text
    assert "📊 Tiến độ của bạn — tháng 11/2026" in text
    assert "📅 01/11 – 30/11/2026" in text
    assert "🏠 Hộ bạn phụ trách: ▰▰▱▱▱▱▱▱▱▱ 2/10" in text
    assert "🚶 Trong kỳ: đến 2 hộ, 2 lần" in text and "👥 Lượt người dân: 3" in text
    assert "🕘 Lần ghi gần nhất: 20/11" in text
    assert "Tổ báo cáo tháng 11/2026 trước 25/11/2026 (còn 5 ngày)" in text
    assert "Phạm Văn Nam" not in text and "leader lead" not in text  # only their own


async def test_a_leader_sees_the_team_and_each_member(router, deps):
    lead, _, _ = await _team_of_three(router, deps)
    await lead.say("tien do")  # the keyword, typed without diacritics
    (reply,) = lead.replies  # one message: Zalo counts every message sent
    team, members = reply.text.split("\n\n")
    assert team.startswith("📊 Tiến độ tháng 11/2026 — Thôn Đông Tạ")
    assert "🏠 Hộ được hướng dẫn: 3 (mới 3)" in team
    assert "👥 Lượt: 4 (3 lần đến hộ)\n   ▱▱▱▱▱▱▱▱▱▱ 4/100" in team
    assert "📱 Dùng nền tảng số: 3/3 hộ (100%)\n   ▰▰▰▰▰▰▰▰▰▰ 100/80%" in team
    assert "📚 Học vụ số: 1/3 hộ (33%)\n   ▰▰▰▰▰▰▱▱▱▱ 33/60%" in team
    assert "   • Cài đặt VNeID: 2" in team  # the most used skill first
    assert "🙋 Tổ viên hoạt động: 2/2" in team
    assert "⏰ Hạn báo cáo tháng 11/2026: trước 25/11/2026, còn 5 ngày" in team
    assert members.splitlines()[1:] == [
        "• leader lead: 0/10 hộ · 1 lượt · 20/11",
        "• member m1: 2/10 hộ · 3 lượt · 20/11",
    ]
    assert all(len(line) <= 60 for r in lead.replies for line in r.text.splitlines())  # phone-sized lines


async def test_a_leader_may_ask_for_another_period_but_not_another_team(router, deps):
    lead, _, _ = await _team_of_three(router, deps)
    await lead.say("/tiendo 2026-q4")
    assert "Tiến độ quý IV/2026 — Thôn Đông Tạ" in lead.text and "4/50" in lead.text
    assert "Hạn báo cáo quý IV/2026: trước 21/12/2026, còn 31 ngày" in lead.text
    await lead.say("/tiendo 2026-10")
    assert "tháng 10/2026" in lead.text and "Lượt: 0" in lead.text
    assert "Hạn báo cáo tháng 11/2026" in lead.text  # October's deadline has passed: the next one is shown
    await lead.say("/tiendo T02")
    assert lead.text == T.PROGRESS_OTHER_TEAM
    await lead.say("/tiendo 2027-01")
    assert lead.text == T.PROGRESS_NOT_STARTED.format(period="tháng 1/2027", start="01/01/2027")


async def test_a_bad_period_key_gets_examples(router, deps):
    lead, _, staff = await _team_of_three(router, deps)
    await lead.say("/tiendo 2026-13")
    assert lead.text == T.PROGRESS_USAGE.format(arg="2026-13")
    assert "/tiendo 2026-11" in lead.text and "/tiendo 2026-Q4" in lead.text and "/tiendo 2026 " in lead.text
    await staff.say("/tiendo quyy bon")
    assert staff.text.startswith("Không hiểu “quyy”") and "/tiendo T01 2026-Q4" in staff.text
    await staff.say("/tiendo 2026-Q4")
    by_key = staff.text
    for words in ("quy 4", "quý IV", "quy nay", "q4"):  # a period in words is the same as its key
        await staff.say(f"/tiendo {words}")
        assert staff.text == by_key, words
    await lead.say("/tiendo thang 13")
    usage = lead.text
    assert usage.startswith("Không hiểu") and "/tiendo 2026-11" in usage
    await lead.say("xem tien do thang 13 nhe")  # in a sentence too: a month that is not one is not left out
    assert lead.text == usage


async def test_a_member_without_a_team_is_told_so(router, deps):
    loner = await joined(router, deps, "loner", Role.MEMBER, None)
    await loner.say("/tiendo")
    assert loner.text == T.PROGRESS_NEEDS_TEAM


async def test_staff_see_every_team_the_totals_and_the_ranking(router, deps):
    await _team_of_three(router, deps)
    await joined(router, deps, "hoa", Role.MEMBER, "T02")
    await _work(deps, "hoa", [("Đỗ Văn Hải", 5), ("Trần Thị Lan", 4)], skills=("cashless",))
    staff = await joined(router, deps, "staff2", Role.STAFF, None)
    await staff.say("/tiendo")
    (reply,) = staff.replies
    teams, totals, ranking = reply.text.split("\n\n")
    assert teams.startswith("📊 Tiến độ quý IV/2026 — Xã Kiến Minh")  # staff default: the quarter
    assert "⏰ Hạn báo cáo quý IV/2026: trước 21/12/2026, còn 31 ngày" in teams
    for code, name in [("T01", "Thôn Đông Tạ"), ("T02", "Thôn Kiến Lao"), ("T03", "Thôn Phù Liễn")]:
        assert f"{code} {name}" in teams
    assert "T01 Thôn Đông Tạ\n   4/50 lượt · 3 hộ (mới 3) · 📱100%" in teams
    assert "T02 Thôn Kiến Lao\n   9/50 lượt · 2 hộ (mới 2) · 📱100%" in teams
    assert "T05 Thôn Xuân Sơn\n   0/50 lượt · 0 hộ (mới 0) · 📱–" in teams
    assert "🏛 Toàn xã, 5 tổ" in totals
    assert "🏠 Hộ được hướng dẫn: 5 (mới 5)" in totals and "13/250" in totals
    lines = ranking.splitlines()
    assert lines[0] == "🏆 Xếp hạng thi đua quý IV/2026:"
    assert lines[2] == "lượt 40% · hộ 30% · độ phủ 20% · tham gia 10%"
    # T02: lượt 100, hộ 2/3 → 66.7, độ phủ 100, tham gia 100 → 90.0; T01: 4/9 → 44.4, 100, 100, 100 → 77.8
    assert lines[3:6] == [
        "1. T02 Thôn Kiến Lao — 90,0 điểm",
        "2. T01 Thôn Đông Tạ — 77,8 điểm",
        "3. T03 Thôn Phù Liễn — 0,0 điểm",
    ]


async def test_staff_can_open_one_teams_view(router, deps):
    _, _, staff = await _team_of_three(router, deps)
    await staff.say("/tiendo t01 2026-11")
    assert "📊 Tiến độ tháng 11/2026 — Thôn Đông Tạ" in staff.text and "• member m1: 2/10 hộ" in staff.text
