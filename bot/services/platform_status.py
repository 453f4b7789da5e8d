"""Each household's status on each platform of the catalogue: not yet / guided / uses it.

Completed visits imply "guided" for the platforms of the skills they covered; a member's correction
(HouseholdPlatform) says what is really so. The newer of the two wins, except that a visit after a
correction can only raise the status, never lower it (a household that uses VNeID and is shown DVC
still uses VNeID).

The rule is written once, as SQL (`StatusSql`), so that a household's card and the progress figures
(which count statuses of thousands of households "as of" a period's end) can never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, case, false, func, literal_column, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config
from bot.services import audit
from bot.services.visits import OUTCOME_DONE, STATUS_ACTIVE
from bot.store.models import Household, HouseholdPlatform, HouseholdSkill, Member, Visit, VisitSkill


class Status(StrEnum):
    NONE = "none"
    GUIDED = "guided"
    USES = "uses"


Statuses = dict[int, dict[str, Status]]  # household id → platform code → status
_CHUNK = 500  # ids per IN (...) query
_CODE = re.compile(r"^[a-z0-9_]{1,30}$")


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _sql_text(code: str) -> ColumnElement[str]:
    """A code as an inline SQL string (a constant of the rule: no bind parameter to type in CASE results)."""
    if not _CODE.match(code):  # config validates codes with the same pattern; never quote anything else
        raise ValueError(f"not a catalogue code: {code!r}")
    return literal_column(f"'{code}'")


class StatusSql:
    """THE rule, as SQL, for queries over `household` rows: the status ("none" | "guided" | "uses") of the row's
    household on each of `platforms`.

    A completed, active visit that covered one of the platform's skills implies "guided"; the household's
    correction (household_platform) says what is really so, unless such a visit was logged after it, which
    raises it to at least "guided". Equivalently to "the newer wins, a later visit only raises": no correction →
    "guided" iff a guiding visit exists; a correction no guiding visit was logged after → the correction; a
    correction with a later guiding visit → "uses" stays "uses", anything else becomes "guided".

    "As of" a day: only visits dated up to `visited_by` and corrections made before `corrected_before` count
    (household_platform keeps the latest correction only: one made after that moment is ignored, and the one it
    replaced is not known). Per household and platform the database looks up one correction row and then either
    the household's first day per skill (no correction; household_skill, kept by services/visit_summaries) or its
    visits until the first guiding one logged after the correction (EXISTS): no scan of all visits.
    """

    def __init__(
        self,
        config: Config,
        platforms: Iterable[str],
        visited_by: date | None = None,
        corrected_before: datetime | None = None,
        households: Any = None,
    ) -> None:
        """`households`: the ids (a list, or a SELECT of household.id) whose corrections are read; None: every
        household's, read in one grouped pass before being joined. Give it for a few households (a card); for a
        whole register, None is cheaper (the planner probes the corrections per id of a long list)."""
        codes = list(platforms)
        for code in codes:
            if not _CODE.match(code):
                raise ValueError(f"not a catalogue code: {code!r}")
        self._config, self._visited_by = config, visited_by
        self._corrections = _corrections(codes, corrected_before, households)
        found = self._corrections.c
        self.status: dict[str, ColumnElement[str]] = {
            code: _rule(self._guided_after(code, found[f"set_at_{code}"]), found[f"status_{code}"]) for code in codes
        }

    def join(self, stmt: Select[Any], corrected_only: bool = False) -> Select[Any]:
        """`stmt` (selecting from `household`) with the household's corrections joined; `corrected_only`: only the
        households with a correction (on the rule's platforms, made in time)."""
        on = self._corrections.c.household_id == Household.id
        return stmt.join(self._corrections, on) if corrected_only else stmt.outerjoin(self._corrections, on)

    def on_any(self, codes: Iterable[str]) -> ColumnElement[bool]:
        """The household is guided to or uses at least one of these platforms (of the rule's). For a household with
        no correction on the rule's platforms that is a completed visit covering any of their skills: one look-up of
        household_skill, not one per platform."""
        codes = list(codes)
        if not codes:
            return false()
        uncorrected = self._corrections.c.household_id.is_(None)
        guided = self._first_done(self._skills(codes))
        statuses = or_(*(self.status[code] != Status.NONE.value for code in codes))
        return case((uncorrected, guided), else_=statuses)

    def _skills(self, codes: list[str]) -> list[str]:
        return [s.code for s in self._config.skills if s.platform in codes]

    def _first_done(self, skills: list[str]) -> ColumnElement[bool]:
        """A completed, active visit covered one of `skills` at the household (household_skill)."""
        if not skills:
            return false()
        first = select(HouseholdSkill.household_id).where(
            HouseholdSkill.household_id == Household.id, col(HouseholdSkill.skill_code).in_(skills)
        )
        if self._visited_by is not None:
            first = first.where(HouseholdSkill.first_done_on <= self._visited_by)
        return first.correlate_except(HouseholdSkill).exists()

    def _guided_after(self, platform: str, corrected_at: Any) -> ColumnElement[bool]:
        """A completed, active visit of the household covered one of the platform's skills, logged after the
        correction when there is one. Without a correction, the household's first days per skill (household_skill)
        answer it in one look-up; with one, the household's visits are probed for one logged after it."""
        skills = self._skills([platform])
        if not skills:
            return false()
        after = _visit_after(skills, corrected_at, self._visited_by)
        return case((corrected_at.is_(None), self._first_done(skills)), else_=after)


def _corrections(codes: list[str], corrected_before: datetime | None, households: Any) -> Any:
    """One row per corrected household: status_<code> and set_at_<code> of each platform (NULL: no correction).
    One join for every platform, where one join each cost a look-up per household and platform."""
    table = HouseholdPlatform.__table__  # type: ignore[attr-defined]
    columns = []
    for code in codes:
        mine = table.c.platform_code == code
        columns.append(func.max(case((mine, table.c.status))).label(f"status_{code}"))
        columns.append(func.max(case((mine, table.c.set_at))).label(f"set_at_{code}"))
    stmt = select(table.c.household_id, *columns).where(table.c.platform_code.in_(codes))
    if corrected_before is not None:
        stmt = stmt.where(table.c.set_at < corrected_before)
    if households is not None:
        stmt = stmt.where(table.c.household_id.in_(households))
    return stmt.group_by(table.c.household_id).subquery("correction")


def _visit_after(skills: list[str], corrected_at: Any, visited_by: date | None) -> ColumnElement[bool]:
    stmt = (
        select(Visit.id)
        .join(VisitSkill, col(VisitSkill.visit_id) == Visit.id)
        .where(
            Visit.household_id == Household.id,
            Visit.status == STATUS_ACTIVE,
            Visit.outcome == OUTCOME_DONE,
            col(VisitSkill.skill_code).in_(skills),
            Visit.created_at > corrected_at,
        )
    )
    if visited_by is not None:
        stmt = stmt.where(Visit.visited_on <= visited_by)
    return stmt.correlate_except(Visit, VisitSkill).exists()  # household and correction: the enclosing query's


def _rule(guided_after_correction: ColumnElement[bool], corrected: Any) -> ColumnElement[str]:
    none, guided, uses = (_sql_text(s.value) for s in Status)
    return case(
        (guided_after_correction, case((corrected == Status.USES.value, uses), else_=guided)),
        (corrected.is_(None), none),
        else_=corrected,
    )


async def for_households(session: AsyncSession, config: Config, household_ids: Iterable[int]) -> Statuses:
    """The status of every catalogue platform for each of these households."""
    ids = sorted(set(household_ids))
    result: Statuses = {hid: {p.code: Status.NONE for p in config.platforms} for hid in ids}
    for chunk in _chunks(ids):
        rule = StatusSql(config, [p.code for p in config.platforms], households=chunk)
        stmt = rule.join(select(Household.id, *rule.status.values()).where(col(Household.id).in_(chunk)))
        for hid, *statuses in (await session.exec(stmt)).all():  # type: ignore[call-overload]
            result[hid] = {code: Status(value) for code, value in zip(rule.status, statuses, strict=True)}
    return result


async def correct(
    session: AsyncSession, member: Member, household: Household, platform_code: str, status: Status, now: datetime
) -> None:
    """A member says what the household's status on the platform really is (the caller checked the team)."""
    if household.team_code != member.team_code:
        raise PermissionError("household outside the member's team")
    row = await session.get(HouseholdPlatform, (household.id, platform_code))
    before = row.status if row is not None else None
    if row is None:
        row = HouseholdPlatform(household_id=household.id, platform_code=platform_code, status=status.value)  # type: ignore[arg-type]
    row.status, row.set_by, row.set_at = status.value, member.id, now
    session.add(row)
    await audit.record(
        session,
        now,
        member.id,
        "household.platform",
        "household",
        household.id,
        platform=platform_code,
        before=before,
        after=status.value,
    )
