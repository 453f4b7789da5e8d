"""Undo, correct and flag visits: the rules, the append-only rows and the audit trail."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from bot.services import households, period_locks, visits
from bot.services.visits import EditRules, Refusal, Refused, VisitDraft
from bot.store.models import AuditEntry, Member, Visit, VisitFlag

TODAY = date(2026, 11, 20)  # the clock fixture's day
NOTE = "Bà Nguyễn Thị Hoa cần hướng dẫn lại"


async def _member(s, now, role="member", team="T01", name="Tổ viên") -> Member:
    member = Member(display_name=name, role=role, team_code=team, created_at=now)
    s.add(member)
    await s.flush()
    return member


async def _visit(s, now, member, day=TODAY, skills=("vneid_install",), note=None) -> Visit:
    home = await households.create(
        s, member.team_code, households.NewHousehold("Nguyễn Văn An", "Xóm 3"), member.id, now, "v1"
    )
    draft = VisitDraft(home.id, skills, day, people_count=1, note=note)
    return await visits.record(s, member, home, draft, now)


async def _count(s, model) -> int:
    return (await s.exec(select(func.count()).select_from(model))).one()


async def _audits(s, action) -> list[AuditEntry]:
    return list((await s.exec(select(AuditEntry).where(AuditEntry.action == action))).all())


@pytest.fixture
def rules(config) -> EditRules:
    return EditRules.of(config)


async def test_undo_marks_the_visit_and_keeps_the_row(store, clock, rules):
    now = clock.now()
    async with store.session() as s:
        member = await _member(s, now)
        visit = await _visit(s, now, member)
    async with store.session() as s:
        member, visit = await s.get(Member, member.id), await s.get(Visit, visit.id)
        assert (await visits.last_for_member(s, member.id)).id == visit.id
        await visits.undo(s, member, visit, now + timedelta(hours=1), rules)
    async with store.session() as s:
        assert (await s.get(Visit, visit.id)).status == "undone"
        assert await _count(s, Visit) == 1
        assert await visits.last_for_member(s, member.id) is None
        (entry,) = await _audits(s, "visit.undo")
        assert (entry.actor_member_id, entry.entity_id) == (member.id, str(visit.id))


async def test_correct_adds_a_row_and_audits_changed_fields_without_the_note(store, clock, rules):
    now = clock.now()
    async with store.session() as s:
        member = await _member(s, now)
        visit = await _visit(s, now, member, note=NOTE)
    async with store.session() as s:
        member = await s.get(Member, member.id)
        loaded = await visits.load(s, visit.id)
        changes = replace(
            loaded.revision,
            skills=("dvc", "vneid_install"),
            people_count=3,
            outcome=visits.OUTCOME_RETURN,
            visited_on=TODAY - timedelta(days=1),
            note=None,
        )
        done = await visits.correct(s, member, loaded.visit, changes, now, rules)
    async with store.session() as s:
        old, new = await visits.load(s, visit.id), await visits.load(s, done.new.id)
        assert old.visit.status == "corrected" and old.skills == ("vneid_install",)
        assert new.visit.replaces_id == visit.id and new.visit.status == "active"
        assert new.visit.member_id == member.id and new.visit.household_id == visit.household_id
        assert new.revision == replace(changes, skills=("dvc", "vneid_install"))
        assert await _count(s, Visit) == 2
        (entry,) = await _audits(s, "visit.correct")
    assert entry.entity_id == str(visit.id) and entry.detail["new"] == done.new.id
    assert entry.detail["changed"] == ["skills", "people_count", "outcome", "visited_on", "note"]
    assert entry.detail["before"] == {
        "skills": ["vneid_install"],
        "people_count": 1,
        "outcome": "done",
        "visited_on": "2026-11-20",
        "note": True,
    }
    assert entry.detail["after"]["note"] is False and entry.detail["after"]["visited_on"] == "2026-11-19"
    assert "Hoa" not in str(entry.detail) and "Nguyễn" not in str(entry.detail)


async def test_member_window_counts_from_first_logging(store, clock, rules):
    now = clock.now()
    hours = rules.member_edit_hours
    async with store.session() as s:
        member = await _member(s, now)
        leader = await _member(s, now, role="leader")
        visit = await _visit(s, now, member)
    async with store.session() as s:
        member, visit = await s.get(Member, member.id), await s.get(Visit, visit.id)
        later = now + timedelta(hours=hours - 1)
        first = await visits.correct(
            s, member, visit, replace((await visits.load(s, visit.id)).revision, people_count=2), later, rules
        )
    async with store.session() as s:
        member, leader = await s.get(Member, member.id), await s.get(Member, leader.id)
        new = await s.get(Visit, first.new.id)
        too_late = now + timedelta(hours=hours + 1)
        with pytest.raises(Refused) as refused:
            await visits.undo(s, member, new, too_late, rules)
        assert refused.value.reason is Refusal.WINDOW_PASSED
        await visits.undo(s, leader, new, too_late + timedelta(days=30), rules)  # a leader, any time
    async with store.session() as s:
        assert (await s.get(Visit, first.new.id)).status == "undone"


async def test_scope_own_visits_for_members_team_visits_for_leaders(store, clock, rules):
    now = clock.now()
    async with store.session() as s:
        member = await _member(s, now)
        teammate = await _member(s, now, name="Tổ viên 2")
        other_leader = await _member(s, now, role="leader", team="T02")
        visit = await _visit(s, now, member)
    async with store.session() as s:
        teammate, other_leader = await s.get(Member, teammate.id), await s.get(Member, other_leader.id)
        visit = await s.get(Visit, visit.id)
        with pytest.raises(Refused) as refused:
            await visits.undo(s, teammate, visit, now, rules)
        assert refused.value.reason is Refusal.NOT_OWN
        with pytest.raises(Refused) as refused:
            await visits.undo(s, other_leader, visit, now, rules)
        assert refused.value.reason is Refusal.OTHER_TEAM
        with pytest.raises(Refused) as refused:
            await visits.flag(s, other_leader, visit, "sai", now)
        assert refused.value.reason is Refusal.OTHER_TEAM
        assert await visits.in_scope(s, other_leader, visit.id, now) is None
        assert await visits.in_scope(s, other_leader, 999, now) is None
        assert (await visits.in_scope(s, teammate, visit.id, now)).visit.id == visit.id
    async with store.session() as s:
        (denied,) = await _audits(s, "access.denied")
        assert (denied.actor_member_id, denied.entity, denied.entity_id) == (other_leader.id, "visit", str(visit.id))
        assert (await s.get(Visit, visit.id)).status == "active"


async def test_locked_period_blocks_changes_and_moves_into_it(store, clock, rules):
    now = clock.now()
    async with store.session() as s:
        member = await _member(s, now)
        leader = await _member(s, now, role="leader")
        old = await _visit(s, now, member, day=date(2026, 11, 10))
        fresh = await _visit(s, now, member)
        await period_locks.lock(s, "T01", "2026-11a", date(2026, 11, 1), date(2026, 11, 15), leader.id, now)
    async with store.session() as s:
        leader = await s.get(Member, leader.id)
        old, fresh = await s.get(Visit, old.id), await s.get(Visit, fresh.id)
        with pytest.raises(Refused) as refused:
            await visits.undo(s, leader, old, now, rules)
        assert refused.value.reason is Refusal.LOCKED and refused.value.closed.period_key == "2026-11a"
        moved = replace((await visits.load(s, fresh.id)).revision, visited_on=date(2026, 11, 12))
        with pytest.raises(Refused) as refused:
            await visits.correct(s, leader, fresh, moved, now, rules)
        assert refused.value.reason is Refusal.DAY_CLOSED and refused.value.closed.period_key == "2026-11a"
        future = replace(moved, visited_on=TODAY + timedelta(days=1))
        with pytest.raises(Refused) as refused:
            await visits.correct(s, leader, fresh, future, now, rules)
        assert refused.value.reason is Refusal.DAY_CLOSED
    async with store.session() as s:
        assert [v.status for v in (await s.exec(select(Visit).order_by(Visit.id))).all()] == ["active", "active"]


async def test_flag_then_correction_resolves_it(store, clock, rules):
    now = clock.now()
    async with store.session() as s:
        member = await _member(s, now)
        leader = await _member(s, now, role="leader")
        visit = await _visit(s, now, member)
    async with store.session() as s:
        member, leader = await s.get(Member, member.id), await s.get(Member, leader.id)
        visit = await s.get(Visit, visit.id)
        with pytest.raises(Refused) as refused:
            await visits.flag(s, member, visit, "sai", now)
        assert refused.value.reason is Refusal.NOT_LEADER
        row = await visits.flag(s, leader, visit, "Số người chưa đúng", now)
    async with store.session() as s:
        (open_row,) = await visits.open_flags(s, "T01")
        assert (open_row.flag.id, open_row.visit.id, open_row.flag.reason) == (row.id, visit.id, "Số người chưa đúng")
        (entry,) = await _audits(s, "visit.flag")
        assert entry.detail == {"flag": row.id, "member": member.id}  # the reason stays in the flag row only
        member, visit = await s.get(Member, member.id), await s.get(Visit, visit.id)
        changes = replace((await visits.load(s, visit.id)).revision, people_count=4)
        await visits.correct(s, member, visit, changes, now + timedelta(hours=1), rules)
    async with store.session() as s:
        flag = await s.get(VisitFlag, row.id)
        assert (flag.resolved_by, flag.resolved_at) == (member.id, now + timedelta(hours=1))
        assert await visits.open_flags(s, "T01") == []
        (entry,) = await _audits(s, "visit.correct")
        assert entry.detail["resolved_flags"] == [row.id]


async def test_only_active_visits_change_and_a_no_op_is_refused(store, clock, rules):
    now = clock.now()
    async with store.session() as s:
        member = await _member(s, now)
        visit = await _visit(s, now, member)
    async with store.session() as s:
        member, visit = await s.get(Member, member.id), await s.get(Visit, visit.id)
        same = (await visits.load(s, visit.id)).revision
        with pytest.raises(Refused) as refused:
            await visits.correct(s, member, visit, same, now, rules)
        assert refused.value.reason is Refusal.NO_CHANGE
        done = await visits.correct(s, member, visit, replace(same, people_count=2), now, rules)
    async with store.session() as s:
        member, stale = await s.get(Member, member.id), await s.get(Visit, visit.id)
        with pytest.raises(Refused) as refused:
            await visits.correct(s, member, stale, replace(same, people_count=5), now, rules)
        assert refused.value.reason is Refusal.NOT_ACTIVE
        assert (await visits.successor(s, visit.id)).id == done.new.id
        assert [v.id for v in await visits.recent_in_team(s, "T01", 5)] == [done.new.id]
        assert await _count(s, Visit) == 2
