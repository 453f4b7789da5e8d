"""/sua and /kiemtra through the router: what members and leaders see, and what is stored."""

from datetime import date, timedelta

from sqlmodel import func, select

from bot import texts as T
from bot.core.roles import Role
from bot.services import households, members, period_locks, visits
from bot.services.visits import VisitDraft
from bot.store.models import AuditEntry, Member, OutboxItem, Visit, VisitFlag
from tests.chat import Chat, joined

TODAY = date(2026, 11, 20)  # the clock fixture's day


async def _member_id(deps, chat: Chat) -> int:
    async with deps.store.session() as s:
        member = await members.by_identity(s, chat.channel, chat.user_ref)
    return member.id


async def _log(deps, chat: Chat, day=TODAY, skills=("vneid_install",), note=None, name="Nguyễn Văn An") -> int:
    """A visit logged by the chat's member (through the service: the /ghinhan flow has its own tests)."""
    now = deps.clock.now()
    async with deps.store.session() as s:
        member = await s.get(Member, await _member_id(deps, chat))
        home = await households.create(
            s, member.team_code, households.NewHousehold(name, "Xóm 3"), member.id, now, "v1"
        )
        visit = await visits.record(s, member, home, VisitDraft(home.id, skills, day, 1, note=note), now)
    return visit.id


async def _count(deps, model) -> int:
    async with deps.store.session() as s:
        return (await s.exec(select(func.count()).select_from(model))).one()


async def _visits(deps) -> list[Visit]:
    async with deps.store.session() as s:
        return list((await s.exec(select(Visit).order_by(Visit.id))).all())


async def _audits(deps, action: str) -> list[AuditEntry]:
    async with deps.store.session() as s:
        return list((await s.exec(select(AuditEntry).where(AuditEntry.action == action))).all())


async def _outbox(deps) -> list[OutboxItem]:
    async with deps.store.session() as s:
        return list((await s.exec(select(OutboxItem).order_by(OutboxItem.id))).all())


async def test_member_undoes_their_last_visit_after_confirming(router, deps):
    chat = await joined(router, deps, "m1")
    first = await _log(deps, chat, name="Trần Thị Bình")
    last = await _log(deps, chat)
    await chat.say("/sua")
    assert f"Lượt #{last}" in chat.text and "Nguyễn Văn An" in chat.text
    assert chat.labels()[0] == T.BTN_UNDO_VISIT and T.BTN_KEEP in chat.labels()
    await chat.press("Huỷ lượt này")
    assert T.UNDO_ASK.format(id=last, household="Nguyễn Văn An — Xóm 3") in chat.text
    await chat.press(T.UNDO_NO)  # back to the menu, nothing done
    assert T.CORRECT_CHOOSE in chat.text
    await chat.press("Huỷ lượt này")
    await chat.press(T.UNDO_YES)
    assert chat.text == T.UNDONE.format(id=last)
    assert [(v.id, v.status) for v in await _visits(deps)] == [(first, "active"), (last, "undone")]
    (entry,) = await _audits(deps, "visit.undo")
    assert entry.entity_id == str(last) and entry.actor_member_id == await _member_id(deps, chat)
    assert await _outbox(deps) == []  # the member undid their own visit: nobody to tell


async def test_member_edits_every_field_and_a_new_row_replaces_the_old(router, deps):
    chat = await joined(router, deps, "m1")
    vid = await _log(deps, chat, note="Bà Hoa cần học lại")
    await chat.say("sua luot")
    await chat.press("Sửa kỹ năng")
    assert "Cài đặt VNeID" in chat.text and "Đã chọn: Cài đặt VNeID" in chat.text  # the logged skills are ticked
    await chat.say("dvc 0")
    assert "Sẽ đổi" in chat.text and "Cài đặt VNeID, Dịch vụ công trực tuyến" in chat.text
    await chat.press("Sửa số người")
    await chat.say("3")
    await chat.press("Đổi kết quả")
    await chat.press("Sửa ghi chú")
    await chat.press(T.NOTE_CLEAR)
    await chat.press("Đổi ngày")
    await chat.say("hom qua")
    assert "📅 Ngày: 20/11/2026 → 19/11/2026" in chat.text
    await chat.press("Lưu thay đổi")
    old, new = await _visits(deps)
    assert chat.replies[0].text.startswith(T.CORRECTED.split("\n")[0].format(old=vid, new=new.id))
    for line in ("👥 Số người: 1 → 3", "✔️ Kết quả: đã xong → cần quay lại", T.CHANGE_NOTE_REMOVED):
        assert line in chat.text
    assert (old.id, old.status, new.status, new.replaces_id) == (vid, "corrected", "active", vid)
    assert (new.people_count, new.outcome, new.visited_on, new.note) == (3, "return", date(2026, 11, 19), None)
    async with deps.store.session() as s:
        assert (await visits.load(s, new.id)).skills == ("dvc", "vneid_install")
    (entry,) = await _audits(deps, "visit.correct")
    assert entry.detail["changed"] == ["skills", "people_count", "outcome", "visited_on", "note"]
    assert entry.detail["before"]["note"] is True and entry.detail["after"]["note"] is False
    assert "Hoa" not in str(entry.detail)


async def test_keep_changes_nothing(router, deps):
    chat = await joined(router, deps, "m1")
    vid = await _log(deps, chat)
    await chat.say("/sua")
    await chat.say("2 nguoi")  # typed shortcut on the menu
    assert "👥 Số người: 1 → 2" in chat.text
    await chat.press("Giữ nguyên")
    assert chat.text == T.CORRECT_KEPT.format(id=vid)
    assert [(v.status, v.people_count) for v in await _visits(deps)] == [("active", 1)]


async def test_member_outside_the_window_is_refused(router, deps, clock):
    chat = await joined(router, deps, "m1")
    vid = await _log(deps, chat)
    clock.advance(timedelta(hours=deps.config.visits.member_edit_hours, minutes=1))
    await chat.say("/sua")
    assert chat.text == T.CORRECT_WINDOW_PASSED.format(id=vid, hours=deps.config.visits.member_edit_hours)
    await chat.say(f"/sua {vid}")
    assert "báo tổ trưởng" in chat.text
    assert [v.status for v in await _visits(deps)] == ["active"]


async def test_window_closing_while_the_menu_is_open_refuses_the_save(router, deps, clock):
    chat = await joined(router, deps, "m1")
    vid = await _log(deps, chat)
    clock.advance(timedelta(hours=deps.config.visits.member_edit_hours, minutes=-5))
    await chat.say("/sua")
    await chat.say("4 nguoi")
    clock.advance(timedelta(minutes=10))  # the flow is still open, the member's window is not
    await chat.press("Lưu thay đổi")
    assert chat.text == T.CORRECT_WINDOW_PASSED.format(id=vid, hours=deps.config.visits.member_edit_hours)
    assert [v.status for v in await _visits(deps)] == ["active"]


async def test_member_cannot_touch_a_teammates_visit_but_the_leader_can(router, deps):
    author = await joined(router, deps, "m1")
    other = await joined(router, deps, "m2")
    leader = await joined(router, deps, "l1", Role.LEADER)
    vid = await _log(deps, author)
    await other.say(f"/sua {vid}")
    assert other.text == T.CORRECT_NOT_OWN.format(id=vid)
    await other.say("/sua")
    assert other.text == T.CORRECT_NO_LAST
    await leader.say("/sua")
    assert T.CORRECT_PICK in leader.text and leader.labels()[0].startswith(f"#{vid} · 20/11 · Nguyễn Văn An")
    await leader.press(f"#{vid}")
    await leader.press("Sửa số người")
    await leader.press("5")
    await leader.press("Lưu thay đổi")
    old, new = await _visits(deps)
    assert (old.status, new.people_count, new.member_id) == ("corrected", 5, await _member_id(deps, author))
    assert T.TOLD_MEMBER.format(member="member m1") in leader.text
    (item,) = await _outbox(deps)
    assert (item.channel, item.chat_ref) == ("test", "m1")
    assert f"lượt #{vid}" in item.text and f"#{new.id}" in item.text and "👥 Số người: 1 → 5" in item.text
    (entry,) = await _audits(deps, "visit.correct")
    assert entry.actor_member_id == await _member_id(deps, leader)


async def test_leader_types_a_visit_number_and_undoes_it(router, deps):
    author = await joined(router, deps, "m1")
    leader = await joined(router, deps, "l1", Role.LEADER)
    vid = await _log(deps, author)
    await leader.say("/sua")
    await leader.say("abc")
    assert T.CORRECT_PICK_INVALID in leader.text and T.CORRECT_PICK in leader.text
    await leader.say("#999")
    assert T.CORRECT_NOT_FOUND.format(id=999) in leader.text and T.CORRECT_PICK in leader.text
    await leader.say(f"#{vid}")
    await leader.press("Huỷ lượt này")
    await leader.say("1")
    assert T.UNDONE.format(id=vid) in leader.text
    (item,) = await _outbox(deps)
    told = T.MEMBER_TOLD_UNDONE.format(leader="leader l1", id=vid, household="Nguyễn Văn An — Xóm 3")
    assert (item.chat_ref, item.text) == ("m1", told)


async def test_leader_flags_the_member_is_told_and_a_correction_resolves_it(router, deps, clock):
    author = await joined(router, deps, "m1")
    leader = await joined(router, deps, "l1", Role.LEADER)
    vid = await _log(deps, author)
    await leader.say("/kiemtra")
    assert leader.text == T.FLAG_NONE_OPEN
    await leader.say(f"/kiemtra {vid} số người chưa đúng, CCCD 001234567890")
    assert T.CITIZEN_ID_MASKED in leader.text and T.FLAG_SAVED.format(id=vid, household="Nguyễn Văn An — Xóm 3") in (
        leader.text
    )
    async with deps.store.session() as s:
        (flag,) = (await s.exec(select(VisitFlag))).all()
    assert (flag.visit_id, flag.reason) == (vid, "số người chưa đúng, CCCD ************")
    assert flag.flagged_by == await _member_id(deps, leader) and flag.resolved_at is None
    (entry,) = await _audits(deps, "visit.flag")
    assert entry.entity_id == str(vid) and "CCCD" not in str(entry.detail)
    (item,) = await _outbox(deps)
    assert (item.channel, item.chat_ref) == ("test", "m1")
    assert f"#{vid}" in item.text and "Nguyễn Văn An" in item.text and "số người chưa đúng" in item.text
    assert f"Gõ /sua {vid} để sửa" in item.text
    await leader.say("kiem tra")
    assert f"#{vid} · 20/11/2026 · Nguyễn Văn An" in leader.text and "số người chưa đúng" in leader.text
    clock.advance(timedelta(hours=1))
    await author.say(f"/sua {vid}")
    await author.say("2 nguoi")
    await author.say("luu")
    assert "Đã sửa lượt" in author.text
    async with deps.store.session() as s:
        flag = await s.get(VisitFlag, flag.id)
    assert flag.resolved_by == await _member_id(deps, author) and flag.resolved_at == clock.now()
    await leader.say("/kiemtra")
    assert leader.text == T.FLAG_NONE_OPEN


async def test_flag_format_hints(router, deps):
    author = await joined(router, deps, "m1")
    leader = await joined(router, deps, "l1", Role.LEADER)
    vid = await _log(deps, author)
    for wrong in (f"/kiemtra {vid}", "/kiemtra sai rồi", "/kiemtra #x lý do"):
        await leader.say(wrong)
        assert leader.text == T.FLAG_USAGE, wrong
    await leader.say(f"/kiemtra {vid} " + "a" * 301)
    assert leader.text == T.FLAG_REASON_TOO_LONG.format(length=301, limit=300)
    await author.say(f"/kiemtra {vid} sai")
    assert author.text == T.NOT_ALLOWED
    assert await _count(deps, VisitFlag) == 0


async def test_another_teams_visit_is_not_found_and_audited(router, deps):
    outsider = await joined(router, deps, "x1", Role.LEADER, team="T02")
    author = await joined(router, deps, "m1")
    vid = await _log(deps, author)
    await outsider.say(f"/sua {vid}")
    assert outsider.text == T.CORRECT_NOT_FOUND.format(id=vid)
    await outsider.say(f"/kiemtra {vid} xem lại")
    assert outsider.text == T.CORRECT_NOT_FOUND.format(id=vid)
    await outsider.say("/sua 999")  # does not exist: the same answer, nothing to audit
    assert outsider.text == T.CORRECT_NOT_FOUND.format(id=999)
    denied = await _audits(deps, "access.denied")
    assert [(d.entity, d.entity_id, d.actor_member_id) for d in denied] == [
        ("visit", str(vid), await _member_id(deps, outsider))
    ] * 2
    assert await _count(deps, VisitFlag) == 0 and [v.status for v in await _visits(deps)] == ["active"]


async def test_locked_period_refuses_changes_and_moves_into_it(router, deps):
    chat = await joined(router, deps, "m1")
    leader = await joined(router, deps, "l1", Role.LEADER)
    reported = await _log(deps, chat, day=date(2026, 11, 10))
    fresh = await _log(deps, chat)
    async with deps.store.session() as s:
        lid = await _member_id(deps, leader)
        await period_locks.lock(s, "T01", "2026-11", date(2026, 11, 1), date(2026, 11, 15), lid, deps.clock.now())
    await leader.say(f"/sua {reported}")
    assert leader.text == T.CORRECT_LOCKED.format(id=reported, day="10/11/2026", period="2026-11")
    await leader.say(f"/kiemtra {reported} xem lại")
    assert leader.text == T.CORRECT_LOCKED.format(id=reported, day="10/11/2026", period="2026-11")
    await chat.say("/sua")
    await chat.say("3 nguoi")
    await chat.press("Đổi ngày")
    await chat.say("12/11")
    assert T.DAY_LOCKED.format(day="12/11/2026", period="2026-11") in chat.text and "Ngày đi hỗ trợ" in chat.text
    await chat.say("xyz")
    assert T.DAY_INVALID in chat.text
    await chat.say("hom qua")
    assert "👥 Số người: 1 → 3" in chat.text and "📅 Ngày: 20/11/2026 → 19/11/2026" in chat.text  # data kept
    await chat.press("Lưu thay đổi")
    assert [(v.id, v.status) for v in await _visits(deps)][:2] == [(reported, "active"), (fresh, "corrected")]


async def test_typos_reprompt_and_keep_what_was_entered(router, deps):
    chat = await joined(router, deps, "m1")
    await _log(deps, chat)
    await chat.say("/sua abc")
    assert chat.text == T.CORRECT_USAGE
    await chat.say("/sua")
    await chat.say("5 nguoi")
    await chat.say("lung tung")
    assert T.CORRECT_HINT in chat.text and "👥 Số người: 1 → 5" in chat.text
    await chat.say("9")
    assert "Không có mục số 9" in chat.text
    await chat.press("Sửa số người")
    await chat.say("abc")
    assert T.PEOPLE_INVALID in chat.text
    await chat.say("6")
    await chat.press("Sửa kỹ năng")
    await chat.say("1 0")  # untick the only skill, then finish: nothing chosen
    assert T.SKILLS_NONE in chat.text
    await chat.say("bdhvs 0")
    assert "👥 Số người: 1 → 6" in chat.text and "Bình dân học vụ số" in chat.text
    await chat.say("luu")
    assert "Đã sửa lượt" in chat.text


async def test_corrections_never_delete(router, deps):
    chat = await joined(router, deps, "m1")
    first = await _log(deps, chat)
    for people in ("2", "3"):
        await chat.say("/sua")
        await chat.say(f"{people} nguoi")
        await chat.say("luu")
    await chat.say(f"/sua {first}")
    second = (await _visits(deps))[1].id
    assert chat.text == T.CORRECT_WAS_CORRECTED.format(id=first, new=second)
    await chat.say("/sua")
    await chat.press("Huỷ lượt này")
    await chat.press(T.UNDO_YES)
    assert [v.status for v in await _visits(deps)] == ["corrected", "corrected", "undone"]
    assert [v.replaces_id for v in await _visits(deps)] == [None, first, second]
    await chat.say("/sua")
    assert chat.text == T.CORRECT_NO_LAST
    assert await _count(deps, Visit) == 3
