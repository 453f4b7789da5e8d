"""services/counters: additions are written at commit (or at `flush`), summed per row, rows that fall to nothing
deleted, and a rolled-back transaction's additions forgotten (both backends)."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot.services import counters
from bot.services.visit_summaries import TEAM_SKILL_DAY
from bot.store.models import TeamSkillDay

DAY = date(2026, 11, 20)


async def _rows(store) -> set[tuple]:
    async with store.session() as s:
        stmt = select(TeamSkillDay.team_code, TeamSkillDay.visited_on, TeamSkillDay.skill_code, TeamSkillDay.visits)
        return set((await s.exec(stmt)).all())


async def test_additions_are_summed_and_written_at_commit(store):
    async with store.session() as s:
        await counters.add(s, TEAM_SKILL_DAY, ("T01", DAY, "dvc"), [1])
        await counters.add(s, TEAM_SKILL_DAY, ("T01", DAY, "dvc"), [1])
        await counters.add(s, TEAM_SKILL_DAY, ("T02", DAY, "dvc"), [1])
        assert not (await s.exec(select(TeamSkillDay))).all()  # nothing before the commit
    assert await _rows(store) == {("T01", DAY, "dvc", 2), ("T02", DAY, "dvc", 1)}
    async with store.session() as s:
        await counters.add(s, TEAM_SKILL_DAY, ("T01", DAY, "dvc"), [-1])
        await counters.add(s, TEAM_SKILL_DAY, ("T02", DAY, "dvc"), [-1])
        await counters.flush(s)  # a read in the same transaction sees them after a flush
        found = (await s.exec(select(TeamSkillDay.team_code, TeamSkillDay.visits))).all()
        assert set(found) == {("T01", 1)}  # the row back to nothing is gone
    assert await _rows(store) == {("T01", DAY, "dvc", 1)}


async def test_a_rolled_back_transaction_adds_nothing(store):
    """The same session, rolled back and used again (as the router does with a redelivered message)."""
    async with store.session() as s:
        await counters.add(s, TEAM_SKILL_DAY, ("T01", DAY, "dvc"), [5])
        await s.rollback()
        await counters.add(s, TEAM_SKILL_DAY, ("T01", DAY, "cashless"), [1])
    assert await _rows(store) == {("T01", DAY, "cashless", 1)}
