"""The period figures that cost a pass over the period's visits, kept per period beside the visits:

- team_period: per period and team, the distinct households its active visits reached, and of them those with each
  priority flag; the team "" (COMMUNE) holds the same for the households any team reached (the union, counted once);
- member_period: per period, member and team, the member's active visits, their lượt, the distinct households
  they reached and their last visit day;
- team_skill_period: per period, team and skill, the active visits that covered it;
- first_reach: per team, the households its visits first reached on each day, by the day any team first did (for
  households reached by a day, and reached for the first time in a period). It does not depend on the windows, and
  is kept and rebuilt with the rest.

A period is a month, a quarter and a year as config's windows cut them (reporting.cutoff_day), so every visit counts
in three periods. The cutoff the rows were kept with is stored in period_window; `sync` (at each read of the
figures) rebuilds every row when config's differs, and until a first read there is none and the visits' own
transactions keep nothing.

A visit that starts or stops counting changes only its household's share, and the household's share is computed
from its own active visits (a handful): the visit's transaction locks the household's row, reads its visits, and adds
the difference between the share with and without the visit, written when it commits (services/counters: rows many
transactions share are taken in one order; rows that fall to nothing are deleted, as a rebuild would not write
them). A change of a household's priority flags moves its share from the old flags to the new ones the same way
(`flags_changed`). `rebuild` recomputes everything from the visits, and
tests check that the kept rows always equal it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import delete, func, insert
from sqlalchemy.orm import Session
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config
from bot.core.periods import Kind, Windows
from bot.services import counters
from bot.services.counters import Table
from bot.store.models import (
    STATUS_ACTIVE,
    FirstReach,
    Household,
    MemberPeriod,
    PeriodWindow,
    TeamPeriod,
    TeamSkillDay,
    TeamSkillPeriod,
    Visit,
)

COMMUNE = ""  # team_period.team_code of the union of every team
FLAGS = ("elderly", "ethnic_minority", "no_device")  # the household's priority flags, counted among those reached
CALENDAR = 0  # period_window.cutoff_day for calendar months
_KINDS = (Kind.MONTH, Kind.QUARTER, Kind.YEAR)
_CHUNK = 500  # households per IN list
TEAM_PERIOD = Table(TeamPeriod, ("period_key", "team_code"), ("reached", *FLAGS))
MEMBER_PERIOD = Table(
    MemberPeriod, ("period_key", "member_id", "team_code"), ("visits", "luot", "reached"), "last_visit_on"
)
TEAM_SKILL_PERIOD = Table(TeamSkillPeriod, ("period_key", "team_code", "skill_code"), ("visits",))
FIRST_REACH = Table(FirstReach, ("team_code", "team_first_on", "commune_first_on"), ("households",))


class _Counted(NamedTuple):
    """One active visit as the counters see it (a tuple: a rebuild makes one per visit)."""

    household_id: int
    team_code: str
    member_id: int
    day: date
    people: int


_TeamKey = tuple[str, str]  # (period key, team code or COMMUNE)
_MemberKey = tuple[str, int, str]  # (period key, member id, team code)
_FirstKey = tuple[str, date, date]  # (team code or COMMUNE, the team's first day, any team's first day)
_NO_FLAGS = (False,) * len(FLAGS)


@dataclass
class _Share:
    """What some households' visits add to the counters: team rows [reached, *FLAGS] and member rows [visits, lượt,
    reached], with each member row's last visit day."""

    teams: dict[_TeamKey, list[int]] = field(default_factory=dict)
    members: dict[_MemberKey, list[int]] = field(default_factory=dict)
    last: dict[_MemberKey, date] = field(default_factory=dict)
    firsts: dict[_FirstKey, list[int]] = field(default_factory=dict)  # [households]


@lru_cache(maxsize=4096)
def _periods(cutoff: int, day: date) -> tuple[str, ...]:
    windows = Windows(cutoff or None)
    return tuple(windows.containing(kind, day).key for kind in _KINDS)


def _share(visits: Iterable[_Counted], flags: Mapping[int, tuple[bool, ...]], cutoff: int) -> _Share:
    """The counters' rows that these visits make (all of each household's active visits, or the share is wrong)."""
    share = _Share()
    reached: dict[_TeamKey, set[int]] = defaultdict(set)  # a household counts once per team row
    helped: dict[_MemberKey, set[int]] = defaultdict(set)
    first: dict[tuple[int, str], date] = {}  # (household, team or COMMUNE) → its first day
    counts, last = share.members, share.last
    for v in visits:
        for team in (v.team_code, COMMUNE):
            if v.day < first.get((v.household_id, team), date.max):
                first[(v.household_id, team)] = v.day
        for key in _periods(cutoff, v.day):
            reached[(key, v.team_code)].add(v.household_id)
            reached[(key, COMMUNE)].add(v.household_id)
            member = (key, v.member_id, v.team_code)
            helped[member].add(v.household_id)
            row = counts.get(member)
            if row is None:
                counts[member] = row = [0, 0, 0]
            row[0] += 1
            row[1] += v.people
            if v.day > last.get(member, date.min):
                last[member] = v.day
    for member, households in helped.items():
        counts[member][2] = len(households)
    for team, households in reached.items():
        flagged = [flags.get(h, _NO_FLAGS) for h in households]
        share.teams[team] = [len(households), *(sum(column) for column in zip(*flagged, strict=True))]
    for (household, team), day in first.items():
        row = share.firsts.setdefault((team, day, first[(household, COMMUNE)]), [0])
        row[0] += 1
    return share


def _minus(after: dict[Any, list[int]], before: dict[Any, list[int]], width: int) -> dict[Any, list[int]]:
    """Row by row, after − before, leaving out rows that did not change."""
    out = {}
    for key in after.keys() | before.keys():
        a, b = after.get(key, [0] * width), before.get(key, [0] * width)
        if a != b:
            out[key] = [x - y for x, y in zip(a, b, strict=True)]
    return out


def _difference(after: _Share, before: _Share) -> tuple[dict[_TeamKey, list[int]], dict[_MemberKey, list[int]]]:
    """Team and member rows of after − before (the first days: `_minus` of `firsts`)."""
    teams = _minus(after.teams, before.teams, 1 + len(FLAGS))
    members = _minus(after.members, before.members, 3)
    for key in after.last.keys() | before.last.keys():  # a changed last day is a change even when no count moved
        if after.last.get(key) != before.last.get(key):
            members.setdefault(key, [0, 0, 0])
    return teams, members


async def kept_cutoff(session: AsyncSession) -> int | None:
    """The cutoff the counters are kept with; None before the first read of the figures (nothing is kept yet)."""
    return (await session.exec(select(PeriodWindow.cutoff_day))).first()


async def _visits(session: AsyncSession, households: list[int]) -> list[_Counted]:
    found: list[_Counted] = []
    for start in range(0, len(households), _CHUNK):
        stmt = select(Visit.household_id, Visit.team_code, Visit.member_id, Visit.visited_on, Visit.people_count).where(
            col(Visit.household_id).in_(households[start : start + _CHUNK]), Visit.status == STATUS_ACTIVE
        )
        found += [_Counted(*row) for row in (await session.exec(stmt)).all()]
    return found


async def _flags(session: AsyncSession, households: list[int]) -> dict[int, tuple[bool, ...]]:
    found: dict[int, tuple[bool, ...]] = {}
    columns = [getattr(Household, f) for f in FLAGS]
    for start in range(0, len(households), _CHUNK):
        stmt = select(Household.id, *columns).where(col(Household.id).in_(households[start : start + _CHUNK]))
        found |= {hid: tuple(bool(v) for v in values) for hid, *values in (await session.exec(stmt)).all()}  # type: ignore[call-overload]
    return found


async def visit_changed(
    session: AsyncSession, visit: Visit, skills: Iterable[str], flags: tuple[bool, ...], counts: bool
) -> None:
    """`visit` (with its `skills`, at a household with these priority `flags`, in FLAGS' order) now counts
    (`counts`: it was just added) or no longer does (corrected, undone): its household's share moves by the
    difference, and its skills by one. Call it after the visit's row says so, in the same transaction, holding the
    household's lock (visit_summaries.lock_household, which reads the flags): two transactions changing one
    household's visits then take turns, and each sees the other's visit when it works out its share."""
    cutoff = await kept_cutoff(session)
    if cutoff is None:
        return
    await session.flush()
    await _count_skills(session, visit, sorted(set(skills)), 1 if counts else -1, cutoff)
    now = await _visits(session, [visit.household_id])
    this = _Counted(visit.household_id, visit.team_code, visit.member_id, visit.visited_on, visit.people_count)
    other = list(now)
    if counts and this in other:  # it is there, now that it counts: the share without it leaves one copy out
        other.remove(this)
    flagged = {visit.household_id: flags}
    with_, without = _share([*other, this], flagged, cutoff), _share(other, flagged, cutoff)
    after, before = (with_, without) if counts else (without, with_)
    await _add(session, after, before, cutoff, fresh_last=not counts)


async def _count_skills(session: AsyncSession, visit: Visit, codes: list[str], step: int, cutoff: int) -> None:
    for key in _periods(cutoff, visit.visited_on):
        for code in codes:
            await counters.add(session, TEAM_SKILL_PERIOD, (key, visit.team_code, code), [step])


async def flags_changed(session: AsyncSession, before: Mapping[int, Mapping[str, bool]]) -> None:
    """Households whose priority flags were just changed (`before`: each one's changed flags as they were, the
    others are as now): their shares move from the old flags to the new."""
    cutoff = await kept_cutoff(session)
    if cutoff is None or not before:
        return
    await session.flush()
    ids = sorted(before)
    visits = await _visits(session, ids)
    if not visits:
        return
    now = await _flags(session, ids)
    old = {
        hid: tuple(bool(before[hid].get(f, on)) for f, on in zip(FLAGS, now.get(hid, ()), strict=False)) for hid in ids
    }
    await _add(session, _share(visits, now, cutoff), _share(visits, old, cutoff), cutoff, fresh_last=False)


async def _add(session: AsyncSession, after: _Share, before: _Share, cutoff: int, fresh_last: bool) -> None:
    """Add after − before to the kept rows, when the transaction commits (services/counters). `fresh_last`: a visit
    left, so the last days it touched are read again then (a maximum cannot be taken back by a difference)."""
    teams, members = _difference(after, before)
    for key, (n,) in _minus(after.firsts, before.firsts, 1).items():
        await counters.add(session, FIRST_REACH, key, [n])
    for key, sums in teams.items():
        await counters.add(session, TEAM_PERIOD, key, sums)
    for key, sums in members.items():
        await counters.add(session, MEMBER_PERIOD, key, sums, after.last.get(key))
    if fresh_last and members:
        keys = sorted(members)
        counters.then(session, lambda sync_session: _fresh_last(sync_session, cutoff, keys))


def _fresh_last(session: Session, cutoff: int, keys: list[_MemberKey]) -> None:
    """Set these member rows' last visit day from the visits that still count."""
    windows = Windows(cutoff or None)
    table = MemberPeriod.__table__  # type: ignore[attr-defined]
    for key, member_id, team in keys:
        period = windows.parse(key)
        if period is None:
            continue
        last = (
            select(func.max(Visit.visited_on))
            .where(
                col(Visit.member_id) == member_id,
                col(Visit.team_code) == team,
                Visit.status == STATUS_ACTIVE,
                col(Visit.visited_on) >= period.start,
                col(Visit.visited_on) <= period.end,
            )
            .scalar_subquery()
        )
        where = (table.c.period_key == key, table.c.member_id == member_id, table.c.team_code == team)
        session.execute(table.update().where(*where).values(last_visit_on=last))


async def sync(session: AsyncSession, config: Config) -> bool:
    """Keep the counters with config's windows, rebuilding them when they were kept with others (or never): True
    when it rebuilt. One small read when nothing changed."""
    wanted = config.reporting.cutoff_day or CALENDAR
    if await kept_cutoff(session) == wanted:
        return False
    await rebuild(session, wanted)
    return True


async def rebuild(session: AsyncSession, cutoff: int | None = None) -> None:
    """Recompute every counter from the visits (with `cutoff`, or the one kept; nothing when none is kept yet). The
    skills are summed from team_skill_day, which must be whole already (visit_summaries.rebuild does it first)."""
    await counters.flush(session)  # team_skill_day whole (read below); the period rows are recomputed anyway
    await session.flush()
    if cutoff is None:
        cutoff = await kept_cutoff(session)
        if cutoff is None:
            return
    await session.exec(delete(TeamPeriod))  # type: ignore[call-overload]
    await session.exec(delete(MemberPeriod))  # type: ignore[call-overload]
    await session.exec(delete(TeamSkillPeriod))  # type: ignore[call-overload]
    await session.exec(delete(FirstReach))  # type: ignore[call-overload]
    await session.exec(delete(PeriodWindow))  # type: ignore[call-overload]
    await session.exec(insert(PeriodWindow).values(id=1, cutoff_day=cutoff))  # type: ignore[call-overload]
    stmt = select(Visit.household_id, Visit.team_code, Visit.member_id, Visit.visited_on, Visit.people_count).where(
        Visit.status == STATUS_ACTIVE
    )
    visits = [_Counted(*row) for row in (await session.exec(stmt)).all()]
    columns = [getattr(Household, f) for f in FLAGS]
    flag_rows = (await session.exec(select(Household.id, *columns))).all()  # type: ignore[call-overload]
    flags = {hid: tuple(bool(v) for v in values) for hid, *values in flag_rows}
    await _insert(session, _share(visits, flags, cutoff))
    per_day = select(TeamSkillDay.team_code, TeamSkillDay.visited_on, TeamSkillDay.skill_code, TeamSkillDay.visits)
    skills: Counter[tuple[str, str, str]] = Counter()
    for team, day, skill, n in (await session.exec(per_day)).all():  # type: ignore[call-overload]
        for key in _periods(cutoff, day):
            skills[(key, team, skill)] += n
    rows = [{"period_key": k, "team_code": t, "skill_code": c, "visits": n} for (k, t, c), n in skills.items() if n]
    if rows:
        await session.exec(insert(TeamSkillPeriod), params=rows)  # type: ignore[call-overload]


async def _insert(session: AsyncSession, share: _Share) -> None:
    """A rebuild's rows, into emptied tables."""
    rows: list[tuple[Table, list[dict[str, Any]]]] = [
        (FIRST_REACH, [_values(FIRST_REACH, k, v) for k, v in share.firsts.items()]),
        (TEAM_PERIOD, [_values(TEAM_PERIOD, k, v) for k, v in share.teams.items()]),
        (MEMBER_PERIOD, [_values(MEMBER_PERIOD, k, v, share.last.get(k)) for k, v in share.members.items()]),
    ]
    for table, values in rows:
        if values:
            await session.exec(insert(table.model), params=values)  # type: ignore[call-overload]


def _values(table: Table, key: tuple[Any, ...], sums: list[int], latest: date | None = None) -> dict[str, Any]:
    values = dict(zip(table.keys, key, strict=True)) | dict(zip(table.sums, sums, strict=True))
    if table.latest is not None:
        values[table.latest] = latest
    return values
