"""household_reach, household_skill and team_skill_day follow the visits: after every save, correction and undo
they hold exactly what recomputing them from all visits gives, on SQLite and PostgreSQL, also when two visits to one
household, or two of one team on one day, are saved at once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.services import counters, households, period_counts, visit_summaries, visits
from bot.services.visits import EditRules, VisitDraft
from bot.store.models import (
    FirstReach,
    Household,
    HouseholdReach,
    HouseholdSkill,
    Member,
    MemberPeriod,
    TeamPeriod,
    TeamSkillDay,
    TeamSkillPeriod,
    Visit,
)

TODAY = date(2026, 11, 20)  # the clock fixture's day


async def _skill_days(s) -> set[tuple]:
    await counters.flush(s)  # as the commit would
    stmt = select(TeamSkillDay.team_code, TeamSkillDay.visited_on, TeamSkillDay.skill_code, TeamSkillDay.visits)
    return set((await s.exec(stmt)).all())


async def _rows(s) -> tuple[set[tuple], set[tuple]]:
    await counters.flush(s)  # as the commit would
    reach = (
        await s.exec(select(HouseholdReach.household_id, HouseholdReach.team_code, HouseholdReach.first_visit_on))
    ).all()
    skills = (
        await s.exec(select(HouseholdSkill.household_id, HouseholdSkill.skill_code, HouseholdSkill.first_done_on))
    ).all()
    return set(reach), set(skills)


async def _periods(s) -> tuple[set[tuple], ...]:
    """The period counters (services/period_counts), kept once the figures were first read."""
    tables = (TeamPeriod, MemberPeriod, TeamSkillPeriod, FirstReach)
    found = [set((await s.exec(select(*t.__table__.c))).all()) for t in tables]
    assert all(found)
    return tuple(found)


async def _assert_as_rebuilt(s) -> tuple[set[tuple], set[tuple]]:
    kept, days, periods = await _rows(s), await _skill_days(s), await _periods(s)
    await visit_summaries.rebuild(s)
    assert await _rows(s) == kept and await _skill_days(s) == days and await _periods(s) == periods
    return kept


async def _read_once(store, config) -> None:
    async with store.session() as s:  # as the first read of the figures does: from here the counters are kept
        await period_counts.sync(s, config)


async def _member(s, now, name: str, role: str = "member") -> Member:
    member = Member(display_name=name, role=role, team_code="T01", created_at=now)
    s.add(member)
    await s.flush()
    return member


async def test_saves_corrections_and_undos_keep_the_summaries_exact(store, clock, config):
    now, rules = clock.now(), EditRules.of(config)
    await _read_once(store, config)
    async with store.session() as s:
        lan, hung = await _member(s, now, "Lan"), await _member(s, now, "Hùng", "leader")
        home = await households.create(s, "T01", households.NewHousehold("Nguyễn Văn An", "Xóm 3"), lan.id, now, "v1")
        other = await households.create(s, "T01", households.NewHousehold("Trần Thị Bình", "Xóm 4"), lan.id, now, "v1")
        hid, oid = home.id, other.id
        first = await visits.record(s, lan, home, VisitDraft(hid, ("vneid_install",), TODAY), now)
        await visits.record(s, lan, home, VisitDraft(hid, ("dvc",), TODAY - timedelta(days=3), outcome="return"), now)
        await visits.record(s, hung, other, VisitDraft(oid, ("bdhvs", "cashless"), TODAY - timedelta(days=1)), now)
        reach, skills = await _assert_as_rebuilt(s)
        days = await _skill_days(s)
    # a visit asking for a return reaches the household but guides no platform yet (its skill is still counted)
    assert reach == {(hid, "T01", TODAY - timedelta(days=3)), (oid, "T01", TODAY - timedelta(days=1))}
    assert skills == {
        (hid, "vneid_install", TODAY),
        (oid, "bdhvs", TODAY - timedelta(days=1)),
        (oid, "cashless", TODAY - timedelta(days=1)),
    }
    assert days == {
        ("T01", TODAY, "vneid_install", 1),
        ("T01", TODAY - timedelta(days=3), "dvc", 1),
        ("T01", TODAY - timedelta(days=1), "bdhvs", 1),
        ("T01", TODAY - timedelta(days=1), "cashless", 1),
    }

    later = now + timedelta(hours=1)
    async with store.session() as s:  # dated back and given another skill: the first days move
        lan, visit = await s.get(Member, lan.id), await s.get(Visit, first.id)
        loaded = await visits.load(s, visit.id)
        changes = replace(
            loaded.revision, skills=("vneid_install", "vneid_level2"), visited_on=TODAY - timedelta(days=5)
        )
        corrected = await visits.correct(s, lan, visit, changes, later, rules)
        reach, skills = await _assert_as_rebuilt(s)
        days = {(d, code, n) for _, d, code, n in await _skill_days(s)}
    assert (hid, "T01", TODAY - timedelta(days=5)) in reach
    assert (TODAY, "vneid_install", 1) not in days  # moved to its corrected day, with the added skill
    assert {(TODAY - timedelta(days=5), "vneid_install", 1), (TODAY - timedelta(days=5), "vneid_level2", 1)} <= days
    assert {(h, c, d) for h, c, d in skills if h == hid} == {
        (hid, "vneid_install", TODAY - timedelta(days=5)),
        (hid, "vneid_level2", TODAY - timedelta(days=5)),
    }

    async with store.session() as s:  # undone: only the return visit still reaches the household
        lan, visit = await s.get(Member, lan.id), await s.get(Visit, corrected.new.id)
        await visits.undo(s, lan, visit, later, rules)
        reach, skills = await _assert_as_rebuilt(s)
    assert (hid, "T01", TODAY - timedelta(days=3)) in reach
    assert not any(h == hid for h, _, _ in skills)

    async with store.session() as s:  # and the other visit too: the household is reached by nobody
        hung = await s.get(Member, hung.id)
        (visit,) = (await s.exec(select(Visit).where(Visit.household_id == oid))).all()
        await visits.undo(s, hung, visit, later, rules)
        reach, skills = await _assert_as_rebuilt(s)
    assert not any(h == oid for h, _, _ in reach) and not any(h == oid for h, _, _ in skills)


async def _waits_for_a_lock(store, task: asyncio.Task[None]) -> bool:
    """True once one session of this database waits for a lock while `task` has not finished (polled, up to 5 s)."""
    query = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
    for _ in range(500):
        async with store.engine.connect() as conn:
            waiting = (await conn.execute(text(query))).scalar_one()
        if waiting:
            return waiting == 1 and not task.done()
        await asyncio.sleep(0.01)
    return False


@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
async def test_two_visits_to_one_household_saved_at_once_both_count(store, clock, config):
    """The second save waits for the first to commit, then recomputes with both visits: none is lost."""
    now = clock.now()
    await _read_once(store, config)
    async with store.session() as s:
        lan, minh = await _member(s, now, "Lan"), await _member(s, now, "Minh")
        home = await households.create(s, "T01", households.NewHousehold("Nguyễn Văn An", "Xóm 3"), lan.id, now, "v1")
    hid = home.id

    async def save(member: Member, skill: str, day: date) -> None:
        async with store.session() as s:
            household = await s.get(Household, hid)
            await visits.record(s, member, household, VisitDraft(hid, (skill,), day), now)

    async with store.session() as first:
        household = await first.get(Household, hid)
        await visits.record(first, lan, household, VisitDraft(hid, ("vneid_install",), TODAY), now)
        second = asyncio.create_task(save(minh, "dvc", TODAY - timedelta(days=2)))
        assert await _waits_for_a_lock(store, second)
    await second

    async with store.session() as s:
        reach, skills = await _assert_as_rebuilt(s)
    assert reach == {(hid, "T01", TODAY - timedelta(days=2))}
    assert skills == {(hid, "vneid_install", TODAY), (hid, "dvc", TODAY - timedelta(days=2))}


@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
async def test_two_visits_of_one_team_on_one_day_saved_at_once_are_both_counted(store, clock, config):
    """Two households, one team, one day, one skill: the team's counters are added to at commit, so the second
    save does not wait for the first to end (it holds no counter row until its commit), and both are counted."""
    now = clock.now()
    await _read_once(store, config)
    async with store.session() as s:
        lan, minh = await _member(s, now, "Lan"), await _member(s, now, "Minh")
        homes = [
            await households.create(s, "T01", households.NewHousehold(name, "Xóm 3"), lan.id, now, "v1")
            for name in ("Nguyễn Văn An", "Trần Văn Bình")
        ]

    async def save(member: Member, hid: int) -> None:
        async with store.session() as s:
            household = await s.get(Household, hid)
            await visits.record(s, member, household, VisitDraft(hid, ("dvc",), TODAY), now)

    async with store.session() as first:
        household = await first.get(Household, homes[0].id)
        await visits.record(first, lan, household, VisitDraft(household.id, ("dvc",), TODAY), now)
        await asyncio.wait_for(save(minh, homes[1].id), timeout=10)

    async with store.session() as s:
        await _assert_as_rebuilt(s)
        assert await _skill_days(s) == {("T01", TODAY, "dvc", 2)}
