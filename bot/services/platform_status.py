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

from sqlalchemy import ColumnElement, Select, and_, case, false, literal_column, or_
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config
from bot.services import audit
from bot.services.visits import OUTCOME_DONE, STATUS_ACTIVE
from bot.store.models import Household, HouseholdPlatform, Member, Visit, VisitSkill


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
    replaced is not known). Per household and platform the database looks up one correction row and probes the
    household's visits until the first guiding one (EXISTS): no scan of all visits.
    """

    def __init__(
        self,
        config: Config,
        platforms: Iterable[str],
        visited_by: date | None = None,
        corrected_before: datetime | None = None,
    ) -> None:
        self._joins: list[tuple[Any, ColumnElement[bool]]] = []
        self.status: dict[str, ColumnElement[str]] = {}
        for code in platforms:
            if not _CODE.match(code):
                raise ValueError(f"not a catalogue code: {code!r}")
            correction = aliased(HouseholdPlatform, name=f"correction_{code}")
            on = and_(correction.household_id == Household.id, correction.platform_code == code)
            if corrected_before is not None:
                on = and_(on, correction.set_at < corrected_before)
            self._joins.append((correction, on))
            guided = _guided_after(config, code, correction.set_at, visited_by)
            self.status[code] = _rule(guided, correction.status)

    def join(self, stmt: Select[Any]) -> Select[Any]:
        """`stmt` (selecting from `household`) with each platform's correction joined."""
        for correction, on in self._joins:
            stmt = stmt.outerjoin(correction, on)
        return stmt


def _guided_after(config: Config, platform: str, corrected_at: Any, visited_by: date | None) -> ColumnElement[bool]:
    """A completed, active visit of the household covered one of the platform's skills, logged after the
    correction when there is one."""
    skills = [s.code for s in config.skills if s.platform == platform]
    if not skills:
        return false()
    stmt = (
        select(Visit.id)
        .join(VisitSkill, col(VisitSkill.visit_id) == Visit.id)
        .where(
            Visit.household_id == Household.id,
            Visit.status == STATUS_ACTIVE,
            Visit.outcome == OUTCOME_DONE,
            col(VisitSkill.skill_code).in_(skills),
            or_(corrected_at.is_(None), Visit.created_at > corrected_at),
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
    rule = StatusSql(config, [p.code for p in config.platforms])
    for chunk in _chunks(ids):
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
