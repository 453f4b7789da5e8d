"""The figures the plans count, for one period: per member, per team, and for the commune.

Only visits that still count (status "active") are counted; corrected and undone rows never are. A household is
counted once however many members, skills or visits it had. Lượt are person-visits: the sum of `people_count`.

THIS MODULE'S DATACLASSES ARE THE SHARED INTERFACE of /tiendo, /bieudo, /baocao (snapshots) and the exports:
keep their field names; add fields rather than rename.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, bindparam, case, distinct, func, text
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config
from bot.core.periods import Kind, Period, days_left
from bot.core.roles import Role
from bot.core.rounding import half_up
from bot.core.text import vi_sort_key
from bot.services import counters, period_counts, platform_status, visit_summaries
from bot.store.models import (
    STATUS_ACTIVE,
    FirstReach,
    Household,
    HouseholdPlatform,
    HouseholdReach,
    Member,
    MemberPeriod,
    TeamPeriod,
    TeamSkillPeriod,
    Visit,
)


@dataclass(frozen=True)
class MemberFigures:
    member_id: int
    name: str
    households_assigned: int  # households they look after (at the time of asking)
    target: int  # config targets.member_households
    households_reached: int  # distinct households they visited in the period
    visits: int  # their active visits in the period
    luot: int  # sum of people_count of those visits
    last_visit_on: date | None  # their latest visit day up to the period's end


@dataclass(frozen=True)
class TeamFigures:
    team_code: str  # "" for the commune's totals
    team_name: str
    period_key: str
    households_registered: int  # the team's households in the register (not archived)
    households_reached: int  # distinct households with a visit in the period
    households_new: int  # of those, households whose first visit ever falls in the period
    households_cumulative: int  # distinct households with a visit from the start up to the period's end
    visits: int
    luot: int
    skills: dict[str, int]  # skill code → visits in the period that covered it (every catalogue skill, 0 included)
    platform_households: int  # households guided to or using ≥ 1 essential platform, as of the period's end
    bdhvs_households: int  # households guided to or using Bình dân học vụ số ("bdhvs"), as of the period's end
    priority_reached: dict[
        str, int
    ]  # elderly / ethnic_minority / no_device → distinct households reached in the period
    luot_target: int  # the period's lượt target from config (month: team_luot_per_month, quarter: per_quarter, …)
    members: tuple[MemberFigures, ...] = ()
    active_members: int = 0  # members with at least one visit in the period
    member_count: int = 0  # members and leader of the team


@dataclass(frozen=True)
class RankRow:
    team_code: str
    team_name: str
    score: float  # 0–100, weighted by config reporting.ranking
    parts: dict[str, float] = field(default_factory=dict)  # criterion → its 0–100 score before weighting


@dataclass(frozen=True)
class CommuneFigures:
    period_key: str
    teams: tuple[TeamFigures, ...]
    totals: TeamFigures  # team_code ""; households counted once across teams
    ranking: tuple[RankRow, ...]  # best first


# --- how the figures are computed ------------------------------------------------------------------------------
# Every figure about visits is one aggregate query over all the teams asked for, grouped by team (group=True), or
# not grouped for the commune's totals, where a household reached by two teams is one household. A visit counts
# when it is active and dated in the period; a visit that asked for a return ("cần quay lại") still counts as a
# visit, its lượt and its household reached, but only completed visits imply a platform status (platform_status's
# rule). Figures about the register (registered, platform, Bình dân học vụ số) are per team; the commune's are
# their sums, as a household is in one team's register. Nothing loads visits into Python. Households reached
# for the first time and up to a day, skill counts, and platform statuses of households with no correction are
# read from the summaries services/visit_summaries keeps beside the visits, not from the visits themselves.
BDHVS = visit_summaries.BDHVS  # the Bình dân học vụ số platform's code in the catalogue
PRIORITY_FLAGS = period_counts.FLAGS  # the household flags counted among those reached
TOTAL = ""  # the key of the commune's totals in the grouped results


def luot_target(config: Config, period: Period) -> int:
    """One team's lượt target for the period: month → team_luot_per_month, quarter → team_luot_per_quarter,
    year → 4 × team_luot_per_quarter (the plans state quarterly and monthly targets, never a yearly one)."""
    targets = config.targets
    if period.kind is Kind.MONTH:
        return targets.team_luot_per_month
    if period.kind is Kind.QUARTER:
        return targets.team_luot_per_quarter
    return 4 * targets.team_luot_per_quarter


@dataclass(frozen=True)
class Due:
    """The next report due: of which period, its first late day, on-time days left (today included)."""

    period: Period
    day: date
    days_left: int


def next_due(config: Config, period: Period, today: date) -> Due:
    """The report of this period, or of the first later period of its kind still ahead of its deadline."""
    windows = config.reporting.windows
    rule = config.reporting.due_rule(period.kind)
    while rule.due(period) <= today:
        period = windows.containing(period.kind, period.end + timedelta(days=1))
    due = rule.due(period)
    return Due(period, due, days_left(due, today))


def corrections_before(config: Config, period: Period) -> datetime:
    """The end of the period's last day in the commune's time zone: corrections made before it count."""
    return datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=config.tz).astimezone(UTC)


def _team_code(config: Config, code: str) -> str:
    team = config.team(code)
    return team.code if team is not None else code


def _in_period(teams: list[str], period: Period) -> ColumnElement[bool]:
    return and_(
        col(Visit.team_code).in_(teams),
        Visit.status == STATUS_ACTIVE,
        col(Visit.visited_on) >= period.start,
        col(Visit.visited_on) <= period.end,
    )


@dataclass(frozen=True)
class _Work:
    visits: int = 0
    luot: int = 0
    reached: int = 0


class _Union(Enum):
    """How the union of the teams asked for (TOTAL) is counted."""

    ONE = "one"  # a single team: the union is the team
    COMMUNE = "commune"  # every team that ever visited: the commune's, kept (team "" of team_period, first_reach)
    SOME = "some"  # some of them only (a team taken out of config has visits): counted from the visits


async def _union(session: AsyncSession, teams: list[str]) -> _Union:
    if len(teams) == 1:
        return _Union.ONE
    visiting = select(TeamPeriod.team_code).where(TeamPeriod.team_code != period_counts.COMMUNE).distinct()
    found = set((await session.exec(visiting)).all())
    return _Union.COMMUNE if found <= set(teams) else _Union.SOME


async def _reached(
    session: AsyncSession, teams: list[str], period: Period, union: _Union
) -> tuple[dict[str, int], _Flags]:
    """Team (and TOTAL) → distinct households reached in the period, and of them those with each priority flag, as
    kept per period (services/period_counts)."""
    kept = select(TeamPeriod.team_code, TeamPeriod.reached, *(getattr(TeamPeriod, f) for f in PRIORITY_FLAGS)).where(
        TeamPeriod.period_key == period.key
    )
    rows = {
        team: (int(n), dict(zip(PRIORITY_FLAGS, map(int, flags), strict=True)))
        for team, n, *flags in await session.exec(kept)
    }  # type: ignore[call-overload]
    reached = {team: n for team, (n, _) in rows.items() if team in teams}
    priority: _Flags = {team: flags for team, (_, flags) in rows.items() if team in teams}
    if union is _Union.SOME:
        total = await _union_from_visits(session, teams, period)
    else:
        total = rows.get(teams[0] if union is _Union.ONE else period_counts.COMMUNE)
    n, flags = total or (0, dict.fromkeys(PRIORITY_FLAGS, 0))
    reached[TOTAL], priority[TOTAL] = n, flags
    return reached, priority


async def _union_from_visits(session: AsyncSession, teams: list[str], period: Period) -> tuple[int, dict[str, int]]:
    """The distinct households some teams reached in the period, and of them those with each priority flag."""
    households = select(Visit.household_id).where(_in_period(teams, period)).distinct().subquery()
    flags = [getattr(Household, f) for f in PRIORITY_FLAGS]
    stmt = select(func.count(), *(_count_if(flag) for flag in flags)).select_from(households)
    stmt = stmt.join(Household, col(Household.id) == households.c.household_id)
    n, *values = (await session.exec(stmt)).one()  # type: ignore[call-overload]
    return int(n), dict(zip(PRIORITY_FLAGS, map(int, values), strict=True))


async def _count_first(
    session: AsyncSession, teams: list[str], union: _Union, condition: ColumnElement[bool]
) -> dict[str, int]:
    """Team (and TOTAL) → households counted in first_reach rows meeting `condition` (services/period_counts)."""
    kept = [*teams, period_counts.COMMUNE] if union is _Union.COMMUNE else teams
    stmt = (
        select(FirstReach.team_code, func.sum(FirstReach.households))
        .where(col(FirstReach.team_code).in_(kept), condition)
        .group_by(FirstReach.team_code)
    )
    found = {team: int(n) for team, n in (await session.exec(stmt)).all()}  # type: ignore[call-overload]
    total = found.pop(period_counts.COMMUNE, 0)
    found[TOTAL] = found.get(teams[0], 0) if union is _Union.ONE else total
    return found


async def _union_count(session: AsyncSession, teams: list[str], condition: ColumnElement[bool]) -> int:
    """Distinct households of some teams' household_reach rows meeting `condition` (a team taken out of config)."""
    stmt = select(func.count(distinct(HouseholdReach.household_id))).where(
        col(HouseholdReach.team_code).in_(teams), condition
    )
    return int((await session.exec(stmt)).one())


async def _new(session: AsyncSession, teams: list[str], period: Period, union: _Union) -> dict[str, int]:
    """Households reached in the period that no active visit (by any team) reached before it: those the team first
    reached in the period, that no team had reached before it."""
    team_first, commune_first = col(FirstReach.team_first_on), col(FirstReach.commune_first_on)
    in_period = and_(team_first >= period.start, team_first <= period.end, commune_first >= period.start)
    found = await _count_first(session, teams, union, in_period)
    if union is _Union.SOME:
        earlier = aliased(HouseholdReach)
        reached_before = (
            select(earlier.household_id)
            .where(earlier.household_id == HouseholdReach.household_id, col(earlier.first_visit_on) < period.start)
            .exists()
        )
        first = col(HouseholdReach.first_visit_on)
        found[TOTAL] = await _union_count(
            session, teams, and_(first >= period.start, first <= period.end, ~reached_before)
        )
    return found


async def _cumulative(session: AsyncSession, teams: list[str], period: Period, union: _Union) -> dict[str, int]:
    """Distinct households with an active visit up to the period's end (by the team; by any of `teams`)."""
    found = await _count_first(session, teams, union, col(FirstReach.team_first_on) <= period.end)
    if union is _Union.SOME:
        found[TOTAL] = await _union_count(session, teams, col(HouseholdReach.first_visit_on) <= period.end)
    return found


async def _skills(session: AsyncSession, teams: list[str], period: Period) -> dict[str, dict[str, int]]:
    """Team → skill code → visits that covered it (a visit belongs to one team: the commune's is the sum), as kept
    per period (team_skill_period, services/period_counts)."""
    stmt = select(TeamSkillPeriod.team_code, TeamSkillPeriod.skill_code, TeamSkillPeriod.visits).where(
        TeamSkillPeriod.period_key == period.key, col(TeamSkillPeriod.team_code).in_(teams)
    )
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for team, skill, n in (await session.exec(stmt)).all():  # type: ignore[call-overload]
        found[team][skill] = int(n)
    return found


async def _register(
    session: AsyncSession, config: Config, teams: list[str], period: Period
) -> tuple[dict[str, _Register], dict[int, int]]:
    """Team → its registered (not archived) households, and of them those on ≥ 1 essential platform and on Bình
    dân học vụ số by platform_status's rule as of the period's end (a household is one team's: totals are sums);
    and member → the households of these registers assigned to them, counted in the same pass.

    Households without a correction are counted from the index of their kept first days (one read of the team's
    index entries, no probe per household); the few with a correction made before the period's end are then
    judged by the whole rule (StatusSql) and the difference added."""
    await visit_summaries.sync_coverage(session, config)
    naive, corrected = _register_statements(config)
    params = {"r_teams": teams, "r_day": period.end, "r_before": corrections_before(config, period)}
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    assigned: dict[int, int] = {}
    for k, member, n, p, b in (await session.exec(naive, params=params)).all():  # type: ignore[call-overload]
        row = found[k]
        row[0], row[1], row[2] = row[0] + int(n), row[1] + int(p), row[2] + int(b)
        if member is not None:
            assigned[member] = assigned.get(member, 0) + int(n)
    for k, platform, bdhvs_n in (await session.exec(corrected, params=params)).all():  # type: ignore[call-overload]
        found[k][1] += int(platform)
        found[k][2] += int(bdhvs_n)
    return {k: _Register(*values) for k, values in found.items()}, assigned


_STATEMENTS: dict[int, tuple[Config, Any, Any]] = {}  # id(config) → the register's statements, built once


def _register_statements(config: Config) -> tuple[Any, Any]:
    """The register's two statements for this config, with the teams, the day and the corrections' end as bound
    parameters: building the rule's SQL anew took longer than running it."""
    kept = _STATEMENTS.get(id(config))
    if kept is not None and kept[0] is config:
        return kept[1], kept[2]
    day = bindparam("r_day", type_=Date)
    in_teams = col(Household.team_code).in_(bindparam("r_teams", expanding=True))
    naive_platform = col(Household.first_platform_on) <= day
    naive_bdhvs = col(Household.first_bdhvs_on) <= day
    naive = (
        select(
            Household.team_code,
            Household.assigned_member_id,
            func.count(),
            _count_if(naive_platform),
            _count_if(naive_bdhvs),
        )
        .where(in_teams, col(Household.archived_at).is_(None))
        .group_by(Household.team_code, Household.assigned_member_id)
    )
    # Bình dân học vụ số last: a corrected household with another platform stops the OR before probing it again
    essential = sorted((p.code for p in config.platforms if p.essential), key=lambda code: code == BDHVS)
    bdhvs = [BDHVS] if any(p.code == BDHVS for p in config.platforms) else []
    rule = platform_status.StatusSql(
        config,
        dict.fromkeys([*essential, *bdhvs]),
        day,  # type: ignore[arg-type]
        bindparam("r_before", type_=HouseholdPlatform.__table__.c.set_at.type),  # type: ignore[attr-defined]
        households=None,  # the commune's corrections read once: an IN list of the register probed them per id
    )
    corrected = rule.join(
        select(
            Household.team_code,
            _count_if(rule.on_any(essential)) - _count_if(naive_platform),
            _count_if(rule.on_any(bdhvs)) - _count_if(naive_bdhvs),
        )
        .where(in_teams, col(Household.archived_at).is_(None))
        .group_by(Household.team_code),
        corrected_only=True,
    )
    if len(_STATEMENTS) >= 16:  # configs are few and long-lived; tests make many
        _STATEMENTS.clear()
    _STATEMENTS[id(config)] = (config, naive, corrected)
    return naive, corrected


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# --- members ----------------------------------------------------------------------------------------------------
async def _members(session: AsyncSession, teams: list[str]) -> list[Member]:
    stmt = select(Member).where(
        col(Member.team_code).in_(teams),
        col(Member.active).is_(True),
        col(Member.role).in_([Role.MEMBER.value, Role.LEADER.value]),
    )
    return sorted((await session.exec(stmt)).all(), key=lambda m: vi_sort_key(m.display_name))


_MemberKey = tuple[int, str]  # (member id, team code): a member's visits count for the team they were made for


async def _member_work(
    session: AsyncSession, teams: list[str], period: Period, only: list[int] | None
) -> dict[_MemberKey, tuple[_Work, date | None]]:
    """Each member's work in the period and their last visit day in it, as kept per period (services/period_counts).
    `only`: these members (else everyone's)."""
    stmt = select(
        MemberPeriod.member_id,
        MemberPeriod.team_code,
        MemberPeriod.visits,
        MemberPeriod.luot,
        MemberPeriod.reached,
        MemberPeriod.last_visit_on,
    ).where(MemberPeriod.period_key == period.key, col(MemberPeriod.team_code).in_(teams))
    if only is not None:
        stmt = stmt.where(col(MemberPeriod.member_id).in_(only))
    rows = (await session.exec(stmt)).all()  # type: ignore[call-overload]
    return {(m, t): (_Work(v, lu, r), last) for m, t, v, lu, r, last in rows}


async def _last_before(
    session: AsyncSession, teams: list[str], period: Period, ids: list[int]
) -> dict[_MemberKey, date]:
    """The last visit day before the period of members who have none in it."""
    if not ids:
        return {}
    stmt = (
        select(Visit.member_id, Visit.team_code, func.max(Visit.visited_on))
        .where(
            col(Visit.member_id).in_(ids),
            col(Visit.team_code).in_(teams),
            Visit.status == STATUS_ACTIVE,
            col(Visit.visited_on) < period.start,
        )
        .group_by(Visit.member_id, Visit.team_code)
    )
    return {(m, t): _as_date(day) for m, t, day in (await session.exec(stmt)).all()}  # type: ignore[call-overload, misc]


async def _member_figures(
    session: AsyncSession,
    config: Config,
    members: list[Member],
    period: Period,
    work: dict[_MemberKey, tuple[_Work, date | None]] | None = None,
    assigned: dict[int, int] | None = None,
) -> list[MemberFigures]:
    """Each member's figures for the period, in the order given; only their visits for their own team count.
    `work`: every member's work in their teams (_member_work of whole teams), and `assigned`: the households
    assigned to each in their teams' registers (_register), when already read."""
    if not members:
        return []
    ids = [m.id or 0 for m in members]
    teams = sorted({m.team_code for m in members if m.team_code})
    if assigned is None:
        assigned_stmt = (
            select(Household.assigned_member_id, func.count())
            .where(col(Household.assigned_member_id).in_(ids), col(Household.archived_at).is_(None))
            .group_by(Household.assigned_member_id)
        )
        assigned = dict((await session.exec(assigned_stmt)).all())  # type: ignore[call-overload]
    if work is None:
        work = await _member_work(session, teams, period, ids)
    idle = [m.id or 0 for m in members if (m.id, m.team_code) not in work]
    earlier = await _last_before(session, teams, period, idle)
    rows = []
    for m in members:
        key = (m.id or 0, m.team_code or "")
        done, last = work.get(key, (_Work(), None))
        rows.append(
            MemberFigures(
                member_id=m.id or 0,
                name=m.display_name,
                households_assigned=int(assigned.get(m.id, 0)),
                target=config.targets.member_households,
                households_reached=done.reached,
                visits=done.visits,
                luot=done.luot,
                last_visit_on=last or earlier.get(key),
            )
        )
    return rows


def _as_date(value: date | str | None) -> date | None:
    """SQLite hands MAX() of a date column back as text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


async def member_figures(session: AsyncSession, config: Config, member: Member, period: Period) -> MemberFigures:
    """One member's own figures (their team's visits only)."""
    await _kept(session, config, period)
    return (await _member_figures(session, config, [member], period))[0]


# --- putting it together -----------------------------------------------------------------------------------------
_Flags = dict[str, dict[str, int]]  # team (or TOTAL) → priority flag → households


@dataclass(frozen=True)
class _Reach:
    """The figures about visits, per team and for the union of the teams (key TOTAL)."""

    work: dict[str, _Work]
    new: dict[str, int]
    cumulative: dict[str, int]
    priority: _Flags


async def _reach(
    session: AsyncSession, teams: list[str], period: Period, members: dict[_MemberKey, tuple[_Work, date | None]]
) -> _Reach:
    """`members`: every member's work in `teams` (_member_work), whose sums are the teams' visits and lượt."""
    union = await _union(session, teams)
    reached, priority = await _reached(session, teams, period, union)
    visits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (_, team), (done, _) in members.items():
        for key in (team, TOTAL):
            visits[key][0] += done.visits
            visits[key][1] += done.luot
    work = {key: _Work(v, luot, reached.get(key, 0)) for key, (v, luot) in visits.items()}
    new, cumulative = await _new(session, teams, period, union), await _cumulative(session, teams, period, union)
    return _Reach(work, new, cumulative, priority)


@dataclass(frozen=True)
class _Register:
    """The figures about households in the register: registered, on ≥ 1 platform, on Bình dân học vụ số."""

    registered: int = 0
    platform: int = 0
    bdhvs: int = 0


def _figures(
    config: Config,
    code: str,
    name: str,
    period: Period,
    reach: _Reach,
    register: _Register,
    skills: dict[str, int],
    members: tuple[MemberFigures, ...],
    member_count: int,
    active_members: int,
    target: int,
) -> TeamFigures:
    work = reach.work.get(code, _Work())
    return TeamFigures(
        team_code=code,
        team_name=name,
        period_key=period.key,
        households_registered=register.registered,
        households_reached=work.reached,
        households_new=int(reach.new.get(code, 0)),
        households_cumulative=int(reach.cumulative.get(code, 0)),
        visits=work.visits,
        luot=work.luot,
        skills={s.code: skills.get(s.code, 0) for s in config.skills},
        platform_households=register.platform,
        bdhvs_households=register.bdhvs,
        priority_reached=reach.priority.get(code, dict.fromkeys(PRIORITY_FLAGS, 0)),
        luot_target=target,
        members=members,
        active_members=active_members,
        member_count=member_count,
    )


async def _kept(session: AsyncSession, config: Config, period: Period) -> None:
    """The kept period counters are config's windows' (rebuilt when config changed them), and so is `period`."""
    windows = config.reporting.windows
    if windows.period(period.kind, period.year, period.number) != period:
        raise ValueError(f"{period.key} is not cut by config's windows")
    await period_counts.sync(session, config)
    await counters.flush(session)  # this transaction's own visits count too


async def _no_jit(session: AsyncSession) -> None:
    """PostgreSQL: no JIT compilation in this transaction. The planner prices the per-household probes of the
    coverage query far above jit_above_cost, and compiling them takes ~1 s for a query that runs in ~10 ms."""
    if session.bind.dialect.name == "postgresql":
        await session.exec(text("SET LOCAL jit = off"))  # type: ignore[call-overload]


async def _teams(
    session: AsyncSession, config: Config, codes: list[str], period: Period
) -> tuple[list[TeamFigures], _Reach]:
    """The teams' figures, and the figures about visits of their union (for the commune's totals)."""
    await _no_jit(session)
    await _kept(session, config, period)
    work = await _member_work(session, codes, period, None)
    reach = await _reach(session, codes, period, work)
    registers, assigned = await _register(session, config, codes, period)
    skills = await _skills(session, codes, period)
    members = await _members(session, codes)
    by_team: dict[str, list[MemberFigures]] = defaultdict(list)
    figures = await _member_figures(session, config, members, period, work, assigned)
    for member, row in zip(members, figures, strict=True):
        by_team[member.team_code or ""].append(row)
    result = []
    for code in codes:
        team = config.team(code)
        rows = tuple(by_team.get(code, []))
        register = registers.get(code, _Register())
        result.append(
            _figures(
                config,
                code,
                team.name if team is not None else code,
                period,
                reach,
                register,
                skills.get(code, {}),
                rows,
                member_count=len(rows),
                active_members=sum(1 for m in rows if m.visits > 0),
                target=luot_target(config, period),
            )
        )
    return result, reach


async def team_figures(session: AsyncSession, config: Config, team_code: str, period: Period) -> TeamFigures:
    """One team's figures for the period, with a row per member (members and leader, in name order)."""
    teams, _ = await _teams(session, config, [_team_code(config, team_code)], period)
    return teams[0]


async def commune_figures(session: AsyncSession, config: Config, period: Period) -> CommuneFigures:
    """Every team of config.yaml, the commune's totals (households counted once) and the thi đua ranking.

    The totals' lượt target is the team target times the number of teams; they carry no member rows. Register
    figures (registered, platform, Bình dân học vụ số) are sums: a household is in one team's register.
    """
    codes = [t.code for t in config.teams]
    teams, reach = await _teams(session, config, codes, period)
    register = _Register(
        sum(t.households_registered for t in teams),
        sum(t.platform_households for t in teams),
        sum(t.bdhvs_households for t in teams),
    )
    skills = {s.code: sum(t.skills[s.code] for t in teams) for s in config.skills}
    totals = _figures(
        config,
        TOTAL,
        config.commune.name,
        period,
        reach,
        register,
        skills,
        (),
        member_count=sum(t.member_count for t in teams),
        active_members=sum(t.active_members for t in teams),
        target=luot_target(config, period) * len(teams),
    )
    return CommuneFigures(period.key, tuple(teams), totals, rank(config, teams))


# --- thi đua ranking ---------------------------------------------------------------------------------------------
def criterion(name: str, team: TeamFigures) -> float:
    """A team's raw value on one ranking criterion (config reporting.ranking names them)."""
    if name == "luot":
        return float(team.luot)
    if name == "households":
        return float(team.households_reached)
    if name == "coverage":
        return team.platform_households / team.households_registered if team.households_registered else 0.0
    if name == "participation":
        return team.active_members / team.member_count if team.member_count else 0.0
    raise KeyError(name)


def rank(config: Config, teams: Iterable[TeamFigures]) -> tuple[RankRow, ...]:
    """Thi đua: each criterion scored 0–100 against the commune's best team on it (the best gets 100, a team with
    half its value 50; nobody scores when no team has any), then the weighted mean with config's weights.
    Best first; ties keep config order. No weights (or all 0): no ranking."""
    teams = list(teams)
    weights = {name: w for name, w in config.reporting.ranking.items() if w > 0}
    total_weight = sum(weights.values())
    if not teams or not total_weight:
        return ()
    best = {name: max(criterion(name, t) for t in teams) for name in weights}
    rows = []
    for team in teams:
        parts = {name: 100.0 * criterion(name, team) / best[name] if best[name] > 0 else 0.0 for name in weights}
        score = sum(parts[n] * w for n, w in weights.items()) / total_weight
        rows.append(
            RankRow(team.team_code, team.team_name, half_up(score, 1), {n: half_up(v, 1) for n, v in parts.items()})
        )
    return tuple(sorted(rows, key=lambda r: -r.score))
