"""The weekly summary a leader gets: the team's last seven days per member, who logged nothing, reports due.

The week is the seven days before the day it is sent (Monday to Sunday when it goes out on a Monday). Lượt are
person-visits (the sum of `people_count`); only visits that still count (status "active") are counted.

The team's group chat gets another rendering (`group_text`): the team's totals and its reports due, and nothing
about any one person: no member's figures or name (who logged nothing is the leader's to raise, not the group's),
and never a household's name or phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import distinct, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts as T
from bot.config import Config, Team
from bot.core.clock import format_date
from bot.core.periods import Kind, Period
from bot.core.text import vi_sort_key
from bot.services import members, reports
from bot.services.reports import Standing
from bot.services.visits import STATUS_ACTIVE
from bot.store.models import Member, Visit

DUE_HORIZON_DAYS = 31  # a report still on time is listed once its deadline is this near


@dataclass(frozen=True)
class TeamWeek:
    """One team's week, ready to be put into the `weekly_summary` template with the leader's name."""

    team: Team
    start: date
    end: date  # inclusive
    members: str
    inactive: str
    due: str
    luot: int = 0  # the team's totals: lượt, distinct households, members who logged something, members
    households: int = 0
    active: int = 0
    member_count: int = 0

    @property
    def week(self) -> str:
        return T.WEEKLY_WEEK.format(start=f"{self.start:%d/%m}", end=format_date(self.end))

    def text(self, config: Config, name: str) -> str:
        return config.reminders.texts.weekly_summary.format(
            name=name, team=self.team.name, week=self.week, members=self.members, inactive=self.inactive, due=self.due
        )

    def group_text(self, config: Config) -> str:
        """For the team's group chat: team-level figures only."""
        return config.reminders.texts.weekly_group.format(
            team=self.team.name,
            week=self.week,
            luot=self.luot,
            households=self.households,
            active=self.active,
            members=self.member_count,
            due=self.due,
        )


def week_before(today: date) -> tuple[date, date]:
    """The seven days before `today`: first and last day."""
    return today - timedelta(days=7), today - timedelta(days=1)


async def team_week(session: AsyncSession, config: Config, team: Team, today: date) -> TeamWeek:
    start, end = week_before(today)
    people = await _members(session, team.code)
    work = await _work(session, team.code, start, end)
    lines = []
    for member in people:
        luot, households = work.get(member.id or 0, (0, 0))
        lines.append(T.WEEKLY_MEMBER_LINE.format(name=member.display_name, luot=luot, households=households))
    idle = [m.display_name for m in people if (m.id or 0) not in work]
    inactive = T.WEEKLY_INACTIVE.format(names=", ".join(idle)) if idle else T.WEEKLY_ALL_ACTIVE
    due = await _due_text(session, config, team.code, today)
    return TeamWeek(
        team,
        start,
        end,
        "\n".join(lines) or T.WEEKLY_NO_MEMBERS,
        inactive,
        due,
        luot=sum(luot for luot, _ in work.values()),
        households=await _households(session, team.code, start, end),
        active=sum(1 for m in people if (m.id or 0) in work),
        member_count=len(people),
    )


async def _members(session: AsyncSession, team_code: str) -> list[Member]:
    return sorted(await members.of_team(session, team_code), key=lambda m: vi_sort_key(m.display_name))


async def _work(session: AsyncSession, team_code: str, start: date, end: date) -> dict[int, tuple[int, int]]:
    """Member id → (lượt, distinct households) of their visits for the team in [start, end]."""
    stmt = (
        select(
            Visit.member_id, func.coalesce(func.sum(Visit.people_count), 0), func.count(distinct(Visit.household_id))
        )
        .where(
            Visit.team_code == team_code,
            Visit.status == STATUS_ACTIVE,
            col(Visit.visited_on) >= start,
            col(Visit.visited_on) <= end,
        )
        .group_by(Visit.member_id)
    )
    rows = (await session.exec(stmt)).all()  # type: ignore[call-overload]
    return {int(m): (int(luot), int(homes)) for m, luot, homes in rows}


async def _households(session: AsyncSession, team_code: str, start: date, end: date) -> int:
    """Distinct households the team's visits reached in [start, end] (two members at one house count once)."""
    stmt = select(func.count(distinct(Visit.household_id))).where(
        Visit.team_code == team_code,
        Visit.status == STATUS_ACTIVE,
        col(Visit.visited_on) >= start,
        col(Visit.visited_on) <= end,
    )
    return int((await session.exec(stmt)).one())


def _candidates(config: Config, today: date) -> list[Period]:
    """Each kind's current report and the next one ahead, once each."""
    periods: list[Period] = []
    for kind in Kind:
        for period in (reports.current(config, kind, today), reports.upcoming(config, kind, today)):
            if period not in periods:
                periods.append(period)
    return periods


async def _due_text(session: AsyncSession, config: Config, team_code: str, today: date) -> str:
    periods = _candidates(config, today)
    found = await reports.for_periods(session, [p.key for p in periods])
    standings = [reports.standing_of(config, team_code, p, found.get((team_code, p.key)), today) for p in periods]
    lines = [line for s in sorted(standings, key=lambda s: s.due_on) if (line := _due_line(s))]
    return "\n".join([T.WEEKLY_DUE_HEADING, *lines]) if lines else T.WEEKLY_DUE_NONE


def _due_line(s: reports.TeamStanding) -> str | None:
    label, due = s.period.label(), format_date(s.due_on)
    if s.standing is Standing.MISSING:
        return T.WEEKLY_DUE_LATE.format(period=label, days=s.days, due=due)
    if s.standing is Standing.REOPENED:
        return T.WEEKLY_DUE_REOPENED.format(period=label)
    if s.standing is Standing.NOT_DUE and s.days <= DUE_HORIZON_DAYS:
        return T.WEEKLY_DUE_AHEAD.format(period=label, days=s.days, due=due)
    return None
