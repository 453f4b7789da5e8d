"""What the progress figures need to know of the visits, kept beside them in the transaction that changes them:

- per household, the first day each team reached it (household_reach) and the first day a completed visit covered
  each skill there (household_skill);
- per team, day and skill, how many active visits covered it (team_skill_day);
- per household, the first day a completed visit guided it to any essential platform and to Bình dân học vụ số
  (household.first_platform_on, first_bdhvs_on): the coverage figures count a team's households from an index.
  Which skills count is config's, copied into coverage_skill (`sync_coverage`, at each read of the figures, which
  recomputes every household's first days when config changed), so that a visit's transaction keeps them in SQL
  without knowing the config.

A new visit (`added`) can only make first days earlier and add to its day's counts: atomic upserts, which two
transactions can make at once (on PostgreSQL the second waits for the first's row, then keeps the earlier day or
adds its count). A visit that stops counting (`count_skills` with -1, then `refresh`) may have been a household's
first: its rows are recomputed from the visits that still count, after locking the household's row, so two
corrections to one household refresh one after the other.

`rebuild` recomputes all of them from every visit, for rows written in bulk without services/visits (the demo
commune, benches, tests); tests check that the kept rows always equal what it computes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Date, Select, and_, bindparam, case, delete, func, insert, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config
from bot.services import counters, period_counts
from bot.services.counters import Table
from bot.store.db import upsert_insert
from bot.store.models import (
    OUTCOME_DONE,
    STATUS_ACTIVE,
    CoverageSkill,
    Household,
    HouseholdReach,
    HouseholdSkill,
    TeamSkillDay,
    Visit,
    VisitSkill,
)


def _reach(household_id: int | None) -> Select[Any]:
    stmt = select(Visit.household_id, Visit.team_code, func.min(Visit.visited_on)).where(Visit.status == STATUS_ACTIVE)
    if household_id is not None:
        stmt = stmt.where(Visit.household_id == household_id)
    return stmt.group_by(Visit.household_id, Visit.team_code)


def _skills(household_id: int | None) -> Select[Any]:
    stmt = (
        select(Visit.household_id, VisitSkill.skill_code, func.min(Visit.visited_on))
        .join(VisitSkill, col(VisitSkill.visit_id) == Visit.id)
        .where(Visit.status == STATUS_ACTIVE, Visit.outcome == OUTCOME_DONE)
    )
    if household_id is not None:
        stmt = stmt.where(Visit.household_id == household_id)
    return stmt.group_by(Visit.household_id, VisitSkill.skill_code)


async def _recompute(session: AsyncSession, household_id: int | None) -> None:
    reach, skills = delete(HouseholdReach), delete(HouseholdSkill)
    if household_id is not None:
        reach = reach.where(col(HouseholdReach.household_id) == household_id)
        skills = skills.where(col(HouseholdSkill.household_id) == household_id)
    await session.exec(reach)  # type: ignore[call-overload]
    await session.exec(skills)  # type: ignore[call-overload]
    columns = ["household_id", "team_code", "first_visit_on"]
    await session.exec(insert(HouseholdReach).from_select(columns, _reach(household_id)))  # type: ignore[call-overload]
    columns = ["household_id", "skill_code", "first_done_on"]
    await session.exec(insert(HouseholdSkill).from_select(columns, _skills(household_id)))  # type: ignore[call-overload]


async def refresh(session: AsyncSession, household_id: int) -> None:
    """Recompute one household's summaries from its visits (after a visit stopped counting: corrected, undone)."""
    await session.flush()
    await lock_household(session, household_id)
    await _recompute(session, household_id)
    await session.exec(_FIRST_DAYS.where(col(Household.id) == household_id))  # type: ignore[call-overload]


async def lock_household(session: AsyncSession, household_id: int) -> tuple[bool, ...]:
    """Changes to one household's visits take turns (PostgreSQL; SQLite has one writer anyway), the lock taken
    before its summaries' rows. FOR NO KEY UPDATE: a visit's own INSERT holds a key-share lock on its household,
    which FOR UPDATE would wait for, and two saves to one household would each wait for the other. Returns its
    priority flags (period_counts.FLAGS), which the period counters need, read by the same statement."""
    columns = [getattr(Household, f) for f in period_counts.FLAGS]
    lock = select(*columns).where(Household.id == household_id).with_for_update(key_share=True)
    return tuple(bool(v) for v in (await session.exec(lock)).one())  # type: ignore[call-overload]


async def added(session: AsyncSession, visit: Visit, skills: Iterable[str]) -> None:
    """A new active visit: its day can only make the household's first days earlier, and its skills count on its
    team's day. Upserts (no recompute): concurrent saves each keep the earlier day, and both are counted."""
    flags = await lock_household(session, visit.household_id)
    codes = sorted(set(skills))
    insert_ = upsert_insert(session)
    reach = insert_(HouseholdReach).values(
        household_id=visit.household_id, team_code=visit.team_code, first_visit_on=visit.visited_on
    )
    await session.exec(_keep_earlier(reach, ["household_id", "team_code"], HouseholdReach.first_visit_on))  # type: ignore[call-overload]
    if visit.outcome == OUTCOME_DONE and codes:
        rows = [dict(household_id=visit.household_id, skill_code=c, first_done_on=visit.visited_on) for c in codes]
        # The rows as parameters, not VALUES in the statement: compiled once and cached (as below).
        first = _keep_earlier(insert_(HouseholdSkill), ["household_id", "skill_code"], HouseholdSkill.first_done_on)
        await session.exec(first, params=rows)  # type: ignore[call-overload]
        params = {"b_household": visit.household_id, "b_day": visit.visited_on, "b_skills": codes}
        await session.exec(_EARLIER_FIRST_DAYS, params=params)  # type: ignore[call-overload]
    await count_skills(session, visit, codes, 1)
    await period_counts.visit_changed(session, visit, codes, flags, counts=True)


def _keep_earlier(stmt: Any, keys: list[str], day: Any) -> Any:
    """ON CONFLICT: keep the earlier of the stored day and the new one."""
    new = stmt.excluded[day.key]
    return stmt.on_conflict_do_update(index_elements=keys, set_={day.key: case((new < day, new), else_=day)})


TEAM_SKILL_DAY = Table(TeamSkillDay, ("team_code", "visited_on", "skill_code"), ("visits",))


async def count_skills(session: AsyncSession, visit: Visit, skills: Iterable[str], step: int) -> None:
    """The visit's skills counted on its team and day: `step` 1 when it starts counting, -1 when it stops (added
    when the transaction commits, services/counters; a count back to nothing leaves no row, as rebuild would)."""
    for code in sorted(set(skills)):
        await counters.add(session, TEAM_SKILL_DAY, (visit.team_code, visit.visited_on, code), [step])


async def rebuild(session: AsyncSession) -> None:
    """Recompute every summary (after visits were written in bulk, not through services/visits)."""
    counters.discard(session)  # what this transaction added is in the visits the rebuild reads
    await session.flush()
    await _recompute(session, None)
    await session.exec(_FIRST_DAYS)  # type: ignore[call-overload]
    await session.exec(delete(TeamSkillDay))  # type: ignore[call-overload]
    per_day = (
        select(Visit.team_code, Visit.visited_on, VisitSkill.skill_code, func.count())
        .join(VisitSkill, col(VisitSkill.visit_id) == Visit.id)
        .where(Visit.status == STATUS_ACTIVE)
        .group_by(Visit.team_code, Visit.visited_on, VisitSkill.skill_code)
    )
    columns = ["team_code", "visited_on", "skill_code", "visits"]
    await session.exec(insert(TeamSkillDay).from_select(columns, per_day))  # type: ignore[call-overload]
    await period_counts.rebuild(session)


# --- the coverage figures' first days -------------------------------------------------------------------------
ON_PLATFORM, ON_BDHVS = "platform", "bdhvs"  # coverage_skill.scope
BDHVS = "bdhvs"  # the Bình dân học vụ số platform's code in the catalogue
_FIRST_COLUMNS = {ON_PLATFORM: Household.first_platform_on, ON_BDHVS: Household.first_bdhvs_on}


def coverage_skills(config: Config) -> set[tuple[str, str]]:
    """(scope, skill code): the skills that guide a household to an essential platform, and to Bình dân học vụ số."""
    essential = {p.code for p in config.platforms if p.essential}
    rows = {(ON_PLATFORM, s.code) for s in config.skills if s.platform in essential}
    return rows | {(ON_BDHVS, s.code) for s in config.skills if s.platform == BDHVS}


async def sync_coverage(session: AsyncSession, config: Config) -> bool:
    """Make coverage_skill config's, recomputing every household's first days when it was not (a new database, a
    changed catalogue); True when it changed. One small read when nothing changed."""
    wanted = coverage_skills(config)
    found = (await session.exec(select(CoverageSkill.scope, CoverageSkill.skill_code))).all()
    if set(found) == wanted:
        return False
    await session.exec(delete(CoverageSkill))  # type: ignore[call-overload]
    if wanted:
        rows = [{"scope": scope, "skill_code": code} for scope, code in sorted(wanted)]
        # Another process syncing at the same moment writes the same rows: keep theirs.
        stmt = upsert_insert(session)(CoverageSkill).on_conflict_do_nothing(index_elements=["scope", "skill_code"])
        await session.exec(stmt, params=rows)  # type: ignore[call-overload]
    await session.exec(_FIRST_DAYS)  # type: ignore[call-overload]
    return True


def _first_day(scope: str) -> Any:
    """The household's first day of a completed visit covering one of the scope's skills (household_skill)."""
    return (
        select(func.min(HouseholdSkill.first_done_on))
        .join(
            CoverageSkill,
            and_(col(CoverageSkill.skill_code) == col(HouseholdSkill.skill_code), col(CoverageSkill.scope) == scope),
        )
        .where(col(HouseholdSkill.household_id) == col(Household.id))
        .scalar_subquery()
    )


def _earlier(scope: str) -> Any:
    """The new visit's day when one of its skills is in the scope and it is earlier than the kept first day."""
    column, day = _FIRST_COLUMNS[scope], bindparam("b_day", type_=Date)
    covers = (
        select(CoverageSkill.skill_code)
        .where(
            col(CoverageSkill.scope) == scope,
            col(CoverageSkill.skill_code).in_(bindparam("b_skills", expanding=True)),
        )
        .exists()
    )
    return case((and_(covers, or_(column.is_(None), column > day)), day), else_=column)


# Built once (every completed visit runs the second): recompute from household_skill / make a first day earlier.
_FIRST_DAYS = (
    update(Household)
    .values(first_platform_on=_first_day(ON_PLATFORM), first_bdhvs_on=_first_day(ON_BDHVS))
    .execution_options(synchronize_session=False)  # the derived days are never read from loaded households
)
_EARLIER_FIRST_DAYS = (
    update(Household)
    .where(
        col(Household.id) == bindparam("b_household"),
        # only when a day moves: on PostgreSQL every UPDATE writes a new row version, which would leave the
        # register's index-only counts probing the table for each household a visit touched
        or_(*(_earlier(scope).is_distinct_from(column) for scope, column in _FIRST_COLUMNS.items())),
    )
    .values(first_platform_on=_earlier(ON_PLATFORM), first_bdhvs_on=_earlier(ON_BDHVS))
    .execution_options(synchronize_session=False)
)
