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
the difference between the share with and without the visit (upserts of small deltas; rows that fall to nothing
are deleted, as a rebuild would not write them). A change of a household's priority flags moves its share from the
old flags to the new ones the same way (`flags_changed`). `rebuild` recomputes everything from the visits, and
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
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config
from bot.core.periods import Kind, Windows
from bot.store.db import upsert_insert
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


async def _locked_flags(session: AsyncSession, household_id: int) -> dict[int, tuple[bool, ...]]:
    """The household's flags, its row locked: two transactions changing one household's visits take turns
    (PostgreSQL; SQLite has one writer anyway), so each sees the other's visit when it works out its share."""
    columns = [getattr(Household, f) for f in FLAGS]
    stmt = select(Household.id, *columns).where(Household.id == household_id).with_for_update()
    return {hid: tuple(bool(v) for v in values) for hid, *values in (await session.exec(stmt)).all()}  # type: ignore[call-overload]


async def visit_changed(session: AsyncSession, visit: Visit, skills: Iterable[str], counts: bool) -> None:
    """`visit` (with its `skills`) now counts (`counts`: it was just added) or no longer does (corrected, undone):
    its household's share moves by the difference, and its skills by one. Call it after the visit's row says so, in
    the same transaction."""
    cutoff = await kept_cutoff(session)
    if cutoff is None:
        return
    await session.flush()
    await _count_skills(session, visit, sorted(set(skills)), 1 if counts else -1, cutoff)
    flags = await _locked_flags(session, visit.household_id)
    now = await _visits(session, [visit.household_id])
    this = _Counted(visit.household_id, visit.team_code, visit.member_id, visit.visited_on, visit.people_count)
    other = list(now)
    if counts and this in other:  # it is there, now that it counts: the share without it leaves one copy out
        other.remove(this)
    with_, without = _share([*other, this], flags, cutoff), _share(other, flags, cutoff)
    after, before = (with_, without) if counts else (without, with_)
    await _apply(session, after, before, fresh_last=not counts)


async def _count_skills(session: AsyncSession, visit: Visit, codes: list[str], step: int, cutoff: int) -> None:
    if not codes:
        return
    keys = _periods(cutoff, visit.visited_on)
    rows = [  # in one order (keys and codes are sorted), as below
        {"period_key": k, "team_code": visit.team_code, "skill_code": c, "visits": step} for k in keys for c in codes
    ]
    stmt = upsert_insert(session)(TeamSkillPeriod)
    stmt = stmt.on_conflict_do_update(
        index_elements=["period_key", "team_code", "skill_code"],
        set_={"visits": TeamSkillPeriod.visits + stmt.excluded.visits},
    )
    await session.exec(stmt, params=rows)  # type: ignore[call-overload]
    if step < 0:  # a count back to nothing leaves no row, as rebuild would
        gone = delete(TeamSkillPeriod).where(
            col(TeamSkillPeriod.period_key).in_(keys),
            col(TeamSkillPeriod.team_code) == visit.team_code,
            col(TeamSkillPeriod.skill_code).in_(codes),
            col(TeamSkillPeriod.visits) <= 0,
        )
        await session.exec(gone)  # type: ignore[call-overload]


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
    await _apply(session, _share(visits, now, cutoff), _share(visits, old, cutoff), fresh_last=False)


async def _apply(session: AsyncSession, after: _Share, before: _Share, fresh_last: bool) -> None:
    """Add after − before to the kept rows. `fresh_last`: a visit left, so the last days it touched are read again
    (a maximum cannot be taken back by a difference)."""
    teams, members = _difference(after, before)
    insert_ = upsert_insert(session)
    firsts = _minus(after.firsts, before.firsts, 1)
    if firsts:
        stmt = insert_(FirstReach)
        stmt = stmt.on_conflict_do_update(
            index_elements=["team_code", "team_first_on", "commune_first_on"],
            set_={"households": FirstReach.households + stmt.excluded.households},
        )
        rows = [
            {"team_code": t, "team_first_on": d, "commune_first_on": c, "households": n}
            for (t, d, c), (n,) in sorted(firsts.items())
        ]
        await session.exec(stmt, params=rows)  # type: ignore[call-overload]
        if any(n < 0 for (n,) in firsts.values()):
            gone = delete(FirstReach).where(
                col(FirstReach.team_code).in_({t for t, _, _ in firsts}), FirstReach.households <= 0
            )
            await session.exec(gone)  # type: ignore[call-overload]
    if teams:
        stmt = insert_(TeamPeriod)
        stmt = stmt.on_conflict_do_update(
            index_elements=["period_key", "team_code"],
            set_={c: getattr(TeamPeriod, c) + stmt.excluded[c] for c in ("reached", *FLAGS)},
        )
        rows = [
            {"period_key": k, "team_code": t, "reached": d[0], **dict(zip(FLAGS, d[1:], strict=True))}
            for (k, t), d in sorted(teams.items())  # in one order: transactions lock shared rows in the same order
        ]
        await session.exec(stmt, params=rows)  # type: ignore[call-overload]
        if any(d[0] < 0 for d in teams.values()):
            gone = delete(TeamPeriod).where(
                col(TeamPeriod.period_key).in_({k for k, _ in teams}), TeamPeriod.reached <= 0
            )
            await session.exec(gone)  # type: ignore[call-overload]
    if members:
        stmt = insert_(MemberPeriod)
        last = stmt.excluded.last_visit_on
        stmt = stmt.on_conflict_do_update(
            index_elements=["period_key", "member_id", "team_code"],
            set_={
                "visits": MemberPeriod.visits + stmt.excluded.visits,
                "luot": MemberPeriod.luot + stmt.excluded.luot,
                "reached": MemberPeriod.reached + stmt.excluded.reached,
                "last_visit_on": _later(session, MemberPeriod.last_visit_on, last),
            },
        )
        rows = [
            {"period_key": k, "member_id": m, "team_code": t, "visits": d[0], "luot": d[1], "reached": d[2]}
            | {"last_visit_on": after.last.get((k, m, t))}
            for (k, m, t), d in sorted(members.items())
        ]
        await session.exec(stmt, params=rows)  # type: ignore[call-overload]
        if any(d[0] < 0 for d in members.values()):
            keys = {k for k, _, _ in members}
            gone = delete(MemberPeriod).where(col(MemberPeriod.period_key).in_(keys), MemberPeriod.visits <= 0)
            await session.exec(gone)  # type: ignore[call-overload]
        if fresh_last:
            await _fresh_last(session, list(members))


def _later(session: AsyncSession, kept: Any, new: Any) -> Any:
    """The later of two days, the kept one when the new is none (SQLite's two-argument max() would give NULL)."""
    if session.bind.dialect.name == "sqlite":
        return func.max(kept, func.coalesce(new, kept))
    return func.greatest(kept, new)  # PostgreSQL's ignores NULL


async def _fresh_last(session: AsyncSession, keys: list[_MemberKey]) -> None:
    """Set these member rows' last visit day from the visits that still count."""
    cutoff = await kept_cutoff(session)
    windows = Windows(cutoff or None)
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
        stmt = (
            MemberPeriod.__table__.update()  # type: ignore[attr-defined]
            .where(
                MemberPeriod.__table__.c.period_key == key,  # type: ignore[attr-defined]
                MemberPeriod.__table__.c.member_id == member_id,  # type: ignore[attr-defined]
                MemberPeriod.__table__.c.team_code == team,  # type: ignore[attr-defined]
            )
            .values(last_visit_on=last)
        )
        await session.exec(stmt)  # type: ignore[call-overload]


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
    await _apply(session, _share(visits, flags, cutoff), _Share(), fresh_last=False)
    per_day = select(TeamSkillDay.team_code, TeamSkillDay.visited_on, TeamSkillDay.skill_code, TeamSkillDay.visits)
    skills: Counter[tuple[str, str, str]] = Counter()
    for team, day, skill, n in (await session.exec(per_day)).all():  # type: ignore[call-overload]
        for key in _periods(cutoff, day):
            skills[(key, team, skill)] += n
    rows = [{"period_key": k, "team_code": t, "skill_code": c, "visits": n} for (k, t, c), n in skills.items() if n]
    if rows:
        await session.exec(insert(TeamSkillPeriod), params=rows)  # type: ignore[call-overload]
