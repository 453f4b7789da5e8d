"""/baocao in chat: a leader writes, keeps and submits the period's report; staff see completeness and reopen."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import select

from bot import texts as T
from bot.core.clock import VN_TZ
from bot.core.roles import Role
from bot.services import households, period_locks, reports, visits
from bot.services.households import NewHousehold
from bot.store.models import AuditEntry, ChannelIdentity, Member, OutboxItem, Visit
from tests.chat import Chat, joined


async def _member(deps, user_ref: str) -> Member:
    async with deps.store.session() as s:
        identity = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.user_ref == user_ref))).one()
        member = await s.get(Member, identity.member_id)
        assert member is not None
        return member


async def _household(deps, name: str, team: str = "T01", elderly: bool = False) -> int:
    """A household the team's member added (and asked for consent)."""
    now, member = deps.clock.now(), await _member(deps, f"mem-{team}")
    async with deps.store.session() as s:
        new = NewHousehold(name, "Xóm 3", elderly=elderly)
        h = await households.create(s, team, new, member.id, now, deps.config.privacy.consent_version)
        return h.id or 0


async def _visit(deps, user_ref: str, hid: int, day: date, people: int = 1, skills=("dvc",)) -> None:
    member = await _member(deps, user_ref)
    async with deps.store.session() as s:
        household = await s.get(visits.Household, hid)
        assert household is not None
        await visits.record(s, member, household, visits.VisitDraft(hid, skills, day, people), deps.clock.now())


def _figures(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("• ")]


async def _team(router, deps, team: str = "T01") -> tuple[Chat, Chat]:
    leader = await joined(router, deps, f"lead-{team}", Role.LEADER, team)
    member = await joined(router, deps, f"mem-{team}", Role.MEMBER, team)
    return leader, member


async def _write(leader: Chat, part_label: str, text: str) -> None:
    await leader.press(part_label)
    assert "Gõ nội dung" in leader.text
    await leader.say(text)


# --- a leader's report ----------------------------------------------------------------------------------------
async def test_the_leader_chooses_a_report_and_the_draft_is_kept_between_sessions(router, deps):
    leader, _ = await _team(router, deps)
    await leader.say("/baocao")
    assert leader.labels() == [
        "Tháng 11/2026 — hạn trước 25/11/2026, còn 5 ngày",
        "Quý IV/2026 — hạn trước 21/12/2026, còn 31 ngày",
        "Năm 2026 — hạn trước 05/12/2026, còn 15 ngày",
    ]
    await leader.press("Tháng 11/2026")
    assert "📋 Báo cáo tháng 11/2026 — Thôn Đông Tạ" in leader.text
    assert "Hạn nộp: trước 25/11/2026, còn 5 ngày." in leader.text
    assert leader.text.count("(chưa viết)") == 3
    assert [label for label in leader.labels() if label.startswith("✏️")] == [
        "✏️ Mô hình hay, cách làm sáng tạo",
        "✏️ Khó khăn, vướng mắc",
        "✏️ Đề xuất, kiến nghị",
    ]
    await _write(leader, "Mô hình hay", "Tổ chức “Chủ nhật số” tại nhà văn hoá thôn")
    assert "Đã lưu “Mô hình hay, cách làm sáng tạo” vào bản nháp." in leader.text
    assert "▪️ Mô hình hay, cách làm sáng tạo: Tổ chức “Chủ nhật số” tại nhà văn hoá thôn" in leader.text
    await leader.press("Để sau")
    assert "Đã giữ bản nháp báo cáo tháng 11/2026" in leader.text

    await leader.say("/baocao")
    assert "Tháng 11/2026 — hạn trước 25/11/2026, còn 5 ngày (có bản nháp)" in leader.labels()
    await leader.say("1")
    assert "Chủ nhật số" in leader.text and leader.text.count("(chưa viết)") == 2
    await _write(leader, "Mô hình hay", "Lập nhóm Zalo hỏi đáp của thôn")  # replaces the earlier text
    assert "Chủ nhật số" not in leader.text and "Lập nhóm Zalo hỏi đáp của thôn" in leader.text
    await leader.press("Mô hình hay")
    await leader.press("Xoá phần này")
    assert "Đã xoá" in leader.text and leader.text.count("(chưa viết)") == 3


async def test_a_text_part_is_chosen_by_typing_a_short_name_without_diacritics(router, deps):
    leader, _ = await _team(router, deps)
    await leader.say("/baocao 2026-11")
    for typed, label in [("mo hinh hay", "Mô hình hay"), ("kho khan", "Khó khăn"), ("kien nghi", "Đề xuất")]:
        await leader.say(typed)
        assert "Gõ nội dung" in leader.text and label in leader.text, typed
        await leader.say(f"Viết cho phần {label}")
        assert f"Đã lưu “{label}" in leader.text
    assert "(chưa viết)" not in leader.text


async def test_a_text_part_is_masked_and_limited(router, deps):
    leader, _ = await _team(router, deps)
    await leader.say("/baocao 2026-11")
    await _write(leader, "Khó khăn", "x" * 1001)
    assert "dài 1001 ký tự, quá 1000" in leader.text and "Gõ nội dung" in leader.text
    await leader.say("Hộ số CCCD 001234567890 chưa kích hoạt được")
    assert T.CITIZEN_ID_MASKED in leader.text and "001234567890" not in leader.text
    async with deps.store.session() as s:
        row = await reports.get(s, "T01", "2026-11")
    assert row is not None and "001234567890" not in row.texts["difficulties"]


async def test_submit_on_time_locks_the_periods_visits_and_the_snapshot_matches_the_preview(router, deps):
    leader, member = await _team(router, deps)
    an = await _household(deps, "Nguyễn Văn An", elderly=True)
    binh = await _household(deps, "Trần Thị Bình")
    await _visit(deps, "mem-T01", an, date(2026, 11, 5), 3, ("vneid_install", "dvc"))
    await _visit(deps, "mem-T01", binh, date(2026, 11, 18), 2, ("cashless",))
    await leader.say("/baocao 2026-11")
    preview = _figures(leader.text)
    assert "• Lượt người dân được hướng dẫn: 5/100 (chỉ tiêu kỳ), qua 2 lần đến hộ" in preview
    assert any("Hộ ưu tiên được hướng dẫn: người cao tuổi 1" in line for line in preview)
    await _write(leader, "Khó khăn", "Nhiều hộ chưa có điện thoại thông minh")
    await leader.press("Nộp báo cáo")
    assert "các lượt từ 01/11/2026 đến 20/11/2026 được khoá" in leader.text
    assert "còn phần chưa viết: Mô hình hay, cách làm sáng tạo; Đề xuất, kiến nghị" in leader.text
    await leader.press("✅ Nộp")
    assert leader.text == (
        "Đã nộp báo cáo tháng 11/2026 của Thôn Đông Tạ lúc 09:00 20/11/2026 — đúng hạn. Các lượt trong kỳ "
        "(từ 01/11/2026 đến 20/11/2026) đã được khoá; cần sửa thì báo cán bộ xã mở lại."
    )

    await member.say(f"/ghinhan #{an}")  # today is in the reported period
    await member.say("1 0")
    await member.say("luu")
    assert "kỳ 2026-11" in member.text and "Đã lưu lượt" not in member.text

    await leader.say("/baocao")
    assert "Tháng 11/2026 — đã nộp đúng hạn 20/11" in leader.labels()
    await leader.press("Tháng 11/2026")
    assert "Số liệu lúc nộp:" in leader.text and "Đã nộp lúc 09:00 20/11/2026 — đúng hạn" in leader.text
    assert _figures(leader.text) == preview
    assert not any(label.startswith("✏️") for label in leader.labels())
    async with deps.store.session() as s:
        row = await reports.get(s, "T01", "2026-11")
        assert row is not None and row.figures is not None and row.figures["luot"] == 5
        assert row.texts == {"difficulties": "Nhiều hộ chưa có điện thoại thông minh"}
        assert len((await s.exec(select(Visit))).all()) == 2


async def test_submitting_after_the_due_day_is_late(router, deps, clock):
    leader, _ = await _team(router, deps)
    clock.set(datetime(2026, 11, 26, 15, 30, tzinfo=VN_TZ))
    await leader.say("/baocao")
    assert "Tháng 11/2026 — quá hạn 2 ngày" in leader.labels()
    await leader.press("Tháng 11/2026")
    assert "Hạn nộp: trước 25/11/2026 — đã quá hạn 2 ngày." in leader.text
    await leader.press("Nộp báo cáo")
    assert "Hôm nay đã quá hạn 2 ngày" in leader.text
    await leader.press("✅ Nộp")
    assert "lúc 15:30 26/11/2026 — trễ hạn 2 ngày" in leader.text
    await leader.say("/baocao")
    assert "Tháng 11/2026 — đã nộp, trễ 2 ngày" in leader.labels()


async def test_a_period_not_begun_or_a_wrong_word_is_explained(router, deps):
    leader, _ = await _team(router, deps)
    await leader.say("/baocao 2027")
    assert leader.text == T.REPORT_NOT_STARTED.format(period="năm 2027", start="01/01/2027")
    await leader.say("/baocao 2026-11")
    current = leader.text
    await leader.say("/huy")
    await leader.say("/baocao thang nay")  # a period in words is the same as its key
    assert leader.text == current
    await leader.say("/huy")
    await leader.say("/baocao hom kia")
    assert leader.text == T.REPORT_USAGE


# --- who may see what ------------------------------------------------------------------------------------------
async def test_members_cannot_use_baocao(router, deps):
    _, member = await _team(router, deps)
    await member.say("/baocao")
    assert member.text == T.NOT_ALLOWED


async def test_a_leader_cannot_open_or_submit_another_teams_report(router, deps):
    leader_one, _ = await _team(router, deps, "T01")
    leader_two, _ = await _team(router, deps, "T02")
    await leader_one.say("/baocao 2026-11")
    await _write(leader_one, "Đề xuất", "Đề xuất riêng của Đông Tạ")
    await leader_two.say("/baocao T01 2026-11")
    assert leader_two.text == T.REPORT_OTHER_TEAM
    await leader_two.say("/baocao 2026-11")
    assert "Thôn Kiến Lao" in leader_two.text and "Đông Tạ" not in leader_two.text
    await leader_two.press("Nộp báo cáo")
    await leader_two.press("✅ Nộp")
    async with deps.store.session() as s:
        one = await reports.get(s, "T01", "2026-11")
        two = await reports.get(s, "T02", "2026-11")
        denied = (await s.exec(select(AuditEntry).where(AuditEntry.action == "access.denied"))).one()
    assert one is not None and one.status == "draft"
    assert two is not None and two.status == "submitted" and two.texts == {}
    assert (denied.entity, denied.entity_id, denied.detail) == ("report", "T01:2026-11", {"reason": "other_team"})


# --- staff -----------------------------------------------------------------------------------------------------
async def test_staff_see_on_time_late_missing_and_not_yet_due(router, deps, clock):
    leader_one, _ = await _team(router, deps, "T01")
    leader_two, _ = await _team(router, deps, "T02")
    staff = await joined(router, deps, "staff", Role.STAFF, None)
    await leader_one.say("/baocao 2026-11")
    await leader_one.press("Nộp báo cáo")
    await leader_one.press("✅ Nộp")
    clock.set(datetime(2026, 11, 26, 10, 0, tzinfo=VN_TZ))
    await leader_two.say("/baocao 2026-11")
    await leader_two.press("Nộp báo cáo")
    await leader_two.press("✅ Nộp")

    await staff.say("/baocao")
    board = staff.text
    assert "📋 Tình hình nộp báo cáo — hôm nay 26/11/2026" in board
    assert "Tháng 11/2026 (hạn trước 25/11/2026): đã nộp 2/5 — 1 đúng hạn, 1 trễ; quá hạn chưa nộp 3" in board
    assert "Thứ tự ký hiệu mỗi tổ: tháng · quý · năm." in board
    assert "T01 Thôn Đông Tạ: ✅ · ⏳ · ⏳" in board
    assert "T02 Thôn Kiến Lao: ⚠️ · ⏳ · ⏳" in board
    assert "T03 Thôn Phù Liễn: ❌ · ⏳ · ⏳" in board

    await staff.say("/baocao 2026-11")
    assert "T01 Thôn Đông Tạ: ✅ đúng hạn (20/11)" in staff.text
    assert "T02 Thôn Kiến Lao: ⚠️ trễ 2 ngày" in staff.text  # due before 25/11: the 25th is one day late
    assert "T03 Thôn Phù Liễn: ❌ chưa nộp, quá hạn 2 ngày" in staff.text
    await staff.say("/baocao 2026-Q4")
    assert "T01 Thôn Đông Tạ: ⏳ chưa đến hạn" in staff.text


async def test_staff_open_a_report_and_reopen_it_the_leader_is_told_and_resubmits(router, deps, clock):
    leader, member = await _team(router, deps)
    staff = await joined(router, deps, "staff", Role.STAFF, None)
    an = await _household(deps, "Nguyễn Văn An")
    await _visit(deps, "mem-T01", an, date(2026, 11, 10), 2)
    await leader.say("/baocao 2026-11")
    await _write(leader, "Mô hình hay", "Chủ nhật số")
    await leader.press("Nộp báo cáo")
    await leader.press("✅ Nộp")
    async with deps.store.session() as s:
        row = await reports.get(s, "T01", "2026-11")
        assert row is not None
        snapshot = row.figures

    clock.set(datetime(2026, 11, 23, 8, 0, tzinfo=VN_TZ))
    await staff.say("/baocao")
    await staff.press("T01 Thôn Đông Tạ")
    await staff.press("Tháng 11/2026")
    assert "Số liệu lúc nộp:" in staff.text and "▪️ Mô hình hay, cách làm sáng tạo: Chủ nhật số" in staff.text
    assert "• Lượt người dân được hướng dẫn: 2/100" in staff.text
    await staff.press("Mở lại báo cáo")
    assert "Mở lại báo cáo tháng 11/2026 của Thôn Đông Tạ?" in staff.text
    await staff.press("🔓 Mở lại")
    assert "Đã mở lại báo cáo tháng 11/2026 của Thôn Đông Tạ." in staff.text
    assert "Đã báo cho leader lead-T01." in staff.text

    async with deps.store.session() as s:
        identity = (await s.exec(select(ChannelIdentity).where(ChannelIdentity.user_ref == "lead-T01"))).one()
        notice = (await s.exec(select(OutboxItem).where(OutboxItem.chat_ref == identity.chat_ref))).one()
        actions = [a.action for a in (await s.exec(select(AuditEntry).order_by(AuditEntry.id))).all()]
    assert "đã mở lại báo cáo tháng 11/2026" in notice.text and "/baocao 2026-11" in notice.text
    assert actions[-2:] == ["period.reopen", "report.reopen"]

    await member.say(f"/ghinhan #{an}")  # the period is open again
    await member.say("1 0")
    await member.say("luu")
    assert "Đã lưu lượt" in member.text
    async with deps.store.session() as s:
        row = await reports.get(s, "T01", "2026-11")
    assert row is not None and row.figures == snapshot  # the snapshot is what was submitted

    await leader.say("/baocao")
    assert "Tháng 11/2026 — được mở lại, cần nộp lại" in leader.labels()
    await leader.press("Tháng 11/2026")
    assert "Cán bộ xã đã mở lại lúc 08:00 23/11/2026" in leader.text
    assert "• Lượt người dân được hướng dẫn: 3/100 (chỉ tiêu kỳ), qua 2 lần đến hộ" in leader.text
    await leader.press("Nộp lại báo cáo")
    assert T.REPORT_CONFIRM_AGAIN in leader.text
    await leader.press("✅ Nộp")
    assert "lúc 08:00 23/11/2026 — đúng hạn" in leader.text
    async with deps.store.session() as s:
        row = await reports.get(s, "T01", "2026-11")
    assert row is not None and row.status == "submitted" and row.on_time is True
    assert row.figures is not None and row.figures["luot"] == 3 and snapshot is not None and snapshot["luot"] == 2


async def test_reopening_a_month_says_which_days_a_submitted_quarter_still_locks(router, deps, clock):
    leader, member = await _team(router, deps)
    staff = await joined(router, deps, "staff", Role.STAFF, None)
    an = await _household(deps, "Nguyễn Văn An")
    for key in ("2026-11", "2026-Q4"):
        await leader.say(f"/baocao {key}")
        await leader.press("Nộp báo cáo")
        await leader.press("✅ Nộp")
    clock.set(datetime(2026, 11, 23, 8, 0, tzinfo=VN_TZ))
    await staff.say("/baocao T01 2026-11")
    await staff.press("Mở lại báo cáo")
    note = "Lưu ý: các ngày 01/11/2026–20/11/2026 thuộc quý IV/2026 vẫn khoá vì báo cáo đó đã nộp."
    assert note in staff.text
    await staff.press("🔓 Mở lại")
    assert "Đã mở lại báo cáo tháng 11/2026 của Thôn Đông Tạ." in staff.text and note in staff.text

    await member.say(f"/ghinhan #{an}")  # the 23rd: after both submissions, so open
    await member.say("1 0")
    await member.say("luu")
    assert "Đã lưu lượt" in member.text
    async with deps.store.session() as s:
        closed = await period_locks.check_day(s, "T01", date(2026, 11, 10), date(2026, 11, 23), 62)
    assert closed is not None and closed.period_key == "2026-Q4"  # the quarter still locks the month's days


async def test_only_a_submitted_report_can_be_reopened(router, deps):
    await _team(router, deps)
    staff = await joined(router, deps, "staff", Role.STAFF, None)
    await staff.say("/baocao T01 2026-11")
    assert "Chưa nộp." in staff.text
    assert "Mở lại báo cáo" not in " ".join(staff.labels())
    await staff.say("/baocao T09")
    assert "Không có tổ mã T09" in staff.text
