"""Recording visits: one row per visit, its skills beside it, an audit entry for each.

Visits are append-only: a correction adds a row that replaces the old one (kept, marked "corrected"); an undo
marks the row "undone". Who may change what: a member their own visit for a while after logging it, a leader
any visit of the team; nobody another team's visit or a visit in a reported period.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config
from bot.core.roles import Role
from bot.services import audit, period_counts, period_locks, visit_summaries
from bot.services.period_locks import ClosedDay, DayProblem
from bot.store.models import (
    OUTCOME_DONE,
    OUTCOME_RETURN,
    STATUS_ACTIVE,
    STATUS_CORRECTED,
    STATUS_UNDONE,
    Household,
    Member,
    Visit,
    VisitFlag,
    VisitSkill,
)


@dataclass(frozen=True)
class VisitDraft:
    household_id: int
    skills: tuple[str, ...]
    visited_on: date
    people_count: int = 1
    outcome: str = OUTCOME_DONE
    note: str | None = None


async def record(
    session: AsyncSession, member: Member, household: Household, draft: VisitDraft, now: datetime
) -> Visit:
    """Save a visit by `member` to `household` (the caller has checked the household is in the team)."""
    if household.team_code != member.team_code:
        raise PermissionError("household outside the member's team")
    visit = await _insert(session, draft, member.id or 0, household.team_code, now)
    household.updated_at = now
    session.add(household)
    await audit.record(
        session,
        now,
        member.id,
        "visit.create",
        "visit",
        visit.id,
        household=household.id,
        skills=list(draft.skills),
    )
    return visit


async def _insert(
    session: AsyncSession,
    draft: VisitDraft,
    member_id: int,
    team_code: str,
    now: datetime,
    replaces_id: int | None = None,
) -> Visit:
    """One visit row and its skills."""
    visit = Visit(
        household_id=draft.household_id,
        member_id=member_id,
        team_code=team_code,
        visited_on=draft.visited_on,
        people_count=draft.people_count,
        outcome=draft.outcome,
        note=draft.note,
        replaces_id=replaces_id,
        created_at=now,
    )
    session.add(visit)
    await session.flush()
    skills = list(dict.fromkeys(draft.skills))
    session.add_all(VisitSkill(visit_id=visit.id, skill_code=code) for code in skills)  # type: ignore[arg-type]
    await visit_summaries.added(session, visit, skills)
    return visit


# --- corrections: undo, correct, flag -------------------------------------------------------------------------
class Refusal(StrEnum):
    OTHER_TEAM = "other_team"  # the visit belongs to another team (or the actor has none)
    NOT_OWN = "not_own"  # a member may only change their own visits
    WINDOW_PASSED = "window_passed"  # a member's own visit, but too long ago
    NOT_ACTIVE = "not_active"  # already corrected or undone
    LOCKED = "locked"  # the visit's day is in a reported period
    DAY_CLOSED = "day_closed"  # the new day cannot be used (future, too old, reported period)
    NO_CHANGE = "no_change"
    NOT_LEADER = "not_leader"  # only a leader flags


class Refused(Exception):
    """A correction, undo or flag that the rules do not allow; `closed` says why a day is closed."""

    def __init__(self, reason: Refusal, closed: ClosedDay | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.closed = closed


@dataclass(frozen=True)
class EditRules:
    member_edit_hours: int  # how long after logging a member may still change their own visit
    backdate_days: int  # how far back a visit may be dated
    tz: tzinfo  # the deployment's time zone, for "today"

    @classmethod
    def of(cls, config: Config) -> EditRules:
        return cls(config.visits.member_edit_hours, config.visits.backdate_days, config.tz)


@dataclass(frozen=True)
class Revision:
    """The editable facts of a visit. A correction is the visit's revision with some of these replaced."""

    skills: tuple[str, ...]
    people_count: int
    outcome: str
    visited_on: date
    note: str | None


@dataclass(frozen=True)
class LoadedVisit:
    visit: Visit
    skills: tuple[str, ...]

    @property
    def revision(self) -> Revision:
        v = self.visit
        return Revision(self.skills, v.people_count, v.outcome, v.visited_on, v.note)


@dataclass(frozen=True)
class Corrected:
    old: Visit
    new: Visit
    changed: tuple[str, ...]  # Revision field names, in declaration order


@dataclass(frozen=True)
class FlagRow:
    flag: VisitFlag
    visit: Visit


REVISION_FIELDS = tuple(f.name for f in fields(Revision))


async def skills_of(session: AsyncSession, visit_id: int) -> tuple[str, ...]:
    rows = await session.exec(select(VisitSkill.skill_code).where(VisitSkill.visit_id == visit_id))
    return tuple(sorted(rows.all()))


async def load(session: AsyncSession, visit_id: int) -> LoadedVisit | None:
    """A visit with its skills, whatever its team or status (callers check the scope)."""
    visit = await session.get(Visit, visit_id)
    return None if visit is None else LoadedVisit(visit, await skills_of(session, visit_id))


async def in_scope(session: AsyncSession, actor: Member, visit_id: int, now: datetime) -> LoadedVisit | None:
    """The visit when it is one of the actor's team; another team's visit is audited as denied and reported absent."""
    loaded = await load(session, visit_id)
    if loaded is None:
        return None
    if actor.team_code is None or loaded.visit.team_code != actor.team_code:
        await audit.denied(session, now, actor.id, "visit", visit_id, "other_team")
        return None
    return loaded


async def last_for_member(session: AsyncSession, member_id: int) -> Visit | None:
    """The member's most recently logged visit that still counts."""
    stmt = (
        select(Visit)
        .where(Visit.member_id == member_id, Visit.status == STATUS_ACTIVE)
        .order_by(col(Visit.created_at).desc(), col(Visit.id).desc())
        .limit(1)
    )
    return (await session.exec(stmt)).first()


async def recent_in_team(session: AsyncSession, team_code: str, limit: int) -> list[Visit]:
    """The team's most recently logged visits that still count, newest first."""
    stmt = (
        select(Visit)
        .where(Visit.team_code == team_code, Visit.status == STATUS_ACTIVE)
        .order_by(col(Visit.created_at).desc(), col(Visit.id).desc())
        .limit(limit)
    )
    return list((await session.exec(stmt)).all())


async def successor(session: AsyncSession, visit_id: int) -> Visit | None:
    """The row that replaced a corrected visit."""
    return (await session.exec(select(Visit).where(Visit.replaces_id == visit_id))).first()


async def first_logged_at(session: AsyncSession, visit: Visit) -> datetime:
    """When the visit was first logged: a correction does not restart a member's window."""
    current = visit
    while current.replaces_id is not None:
        previous = await session.get(Visit, current.replaces_id)
        if previous is None:
            break
        current = previous
    return current.created_at


async def check_editable(session: AsyncSession, actor: Member, visit: Visit, now: datetime, rules: EditRules) -> None:
    """Raise Refused unless the actor may correct or undo the visit now."""
    if actor.team_code is None or visit.team_code != actor.team_code:
        raise Refused(Refusal.OTHER_TEAM)
    if visit.status != STATUS_ACTIVE:
        raise Refused(Refusal.NOT_ACTIVE)
    if actor.role != Role.LEADER:
        if actor.role != Role.MEMBER or visit.member_id != actor.id:
            raise Refused(Refusal.NOT_OWN)
        if now - await first_logged_at(session, visit) > timedelta(hours=rules.member_edit_hours):
            raise Refused(Refusal.WINDOW_PASSED)
    lock = await period_locks.active_lock(session, visit.team_code, visit.visited_on)
    if lock is not None:
        raise Refused(Refusal.LOCKED, ClosedDay(DayProblem.LOCKED, period_key=lock.period_key))


async def _retire(session: AsyncSession, visit: Visit, status: str) -> None:
    """Mark the visit no longer active, only if it still is: two people correcting at once cannot both win."""
    flags = await visit_summaries.lock_household(session, visit.household_id)  # before its summaries' rows
    stmt = update(Visit).where(col(Visit.id) == visit.id, col(Visit.status) == STATUS_ACTIVE).values(status=status)
    result = await session.exec(stmt)
    if result.rowcount != 1:
        raise Refused(Refusal.NOT_ACTIVE)
    visit.status = status
    skills = await skills_of(session, visit.id or 0)
    await visit_summaries.count_skills(session, visit, skills, -1)
    await period_counts.visit_changed(session, visit, skills, flags, counts=False)


async def _resolve_flags(session: AsyncSession, visit_id: int, actor: Member, now: datetime) -> list[int]:
    stmt = select(VisitFlag).where(VisitFlag.visit_id == visit_id, col(VisitFlag.resolved_at).is_(None))
    resolved = []
    for row in (await session.exec(stmt)).all():
        row.resolved_at, row.resolved_by = now, actor.id
        session.add(row)
        resolved.append(row.id)
    return resolved


async def undo(session: AsyncSession, actor: Member, visit: Visit, now: datetime, rules: EditRules) -> None:
    """Take a visit back: it stops counting and stays on record (status "undone")."""
    await check_editable(session, actor, visit, now, rules)
    await _retire(session, visit, STATUS_UNDONE)
    await visit_summaries.refresh(session, visit.household_id)
    resolved = await _resolve_flags(session, visit.id or 0, actor, now)
    await audit.record(
        session, now, actor.id, "visit.undo", "visit", visit.id, member=visit.member_id, resolved_flags=resolved
    )


def _audit_value(name: str, value: object) -> object:
    """A field as the audit trail keeps it: the note only as present or not, days as ISO text."""
    if name == "note":
        return bool(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def changed_fields(before: Revision, after: Revision) -> tuple[str, ...]:
    return tuple(n for n in REVISION_FIELDS if getattr(before, n) != getattr(after, n))


async def correct(
    session: AsyncSession, actor: Member, visit: Visit, changes: Revision, now: datetime, rules: EditRules
) -> Corrected:
    """Replace the visit by a new row carrying `changes`; the old row is kept, marked "corrected"."""
    await check_editable(session, actor, visit, now, rules)
    before = LoadedVisit(visit, await skills_of(session, visit.id or 0)).revision
    after = replace(changes, skills=tuple(sorted(set(changes.skills))), note=changes.note or None)
    if not after.skills or after.people_count < 1 or after.outcome not in (OUTCOME_DONE, OUTCOME_RETURN):
        raise ValueError("a visit needs a skill, at least one person and a known outcome")
    changed = changed_fields(before, after)
    if not changed:
        raise Refused(Refusal.NO_CHANGE)
    if after.visited_on != before.visited_on:
        today = now.astimezone(rules.tz).date()
        closed = await period_locks.check_day(session, visit.team_code, after.visited_on, today, rules.backdate_days)
        if closed is not None:
            raise Refused(Refusal.DAY_CLOSED, closed)
    await _retire(session, visit, STATUS_CORRECTED)
    draft = VisitDraft(
        visit.household_id, after.skills, after.visited_on, after.people_count, after.outcome, after.note
    )
    # still the visit of the member who made it; the audit names the corrector
    new = await _insert(session, draft, visit.member_id, visit.team_code, now, replaces_id=visit.id)
    await visit_summaries.refresh(session, visit.household_id)
    resolved = await _resolve_flags(session, visit.id or 0, actor, now)
    await audit.record(
        session,
        now,
        actor.id,
        "visit.correct",
        "visit",
        visit.id,
        new=new.id,
        member=visit.member_id,
        changed=list(changed),
        before={n: _audit_value(n, getattr(before, n)) for n in changed},
        after={n: _audit_value(n, getattr(after, n)) for n in changed},
        resolved_flags=resolved,
    )
    return Corrected(visit, new, changed)


async def flag(session: AsyncSession, leader: Member, visit: Visit, reason: str, now: datetime) -> VisitFlag:
    """A leader marks a visit of the team "cần kiểm tra"; the caller tells the member."""
    if leader.role != Role.LEADER:
        raise Refused(Refusal.NOT_LEADER)
    if leader.team_code is None or visit.team_code != leader.team_code:
        raise Refused(Refusal.OTHER_TEAM)
    if visit.status != STATUS_ACTIVE:
        raise Refused(Refusal.NOT_ACTIVE)
    lock = await period_locks.active_lock(session, visit.team_code, visit.visited_on)
    if lock is not None:  # the member could not fix it anyway: staff must reopen the period first
        raise Refused(Refusal.LOCKED, ClosedDay(DayProblem.LOCKED, period_key=lock.period_key))
    row = VisitFlag(visit_id=visit.id, reason=reason[:300], flagged_by=leader.id, flagged_at=now)  # type: ignore[arg-type]
    session.add(row)
    await session.flush()
    await audit.record(session, now, leader.id, "visit.flag", "visit", visit.id, flag=row.id, member=visit.member_id)
    return row


async def open_flags(session: AsyncSession, team_code: str) -> list[FlagRow]:
    """The team's unresolved flags on visits that still count, oldest first."""
    stmt = (
        select(VisitFlag, Visit)
        .join(Visit, col(Visit.id) == VisitFlag.visit_id)
        .where(Visit.team_code == team_code, Visit.status == STATUS_ACTIVE, col(VisitFlag.resolved_at).is_(None))
        .order_by(col(VisitFlag.flagged_at), col(VisitFlag.id))
    )
    return [FlagRow(f, v) for f, v in (await session.exec(stmt)).all()]
