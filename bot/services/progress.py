"""The figures the plans count, for one period: per member, per team, and for the commune.

Only visits that still count (status "active") are counted; corrected and undone rows never are. A household is
counted once however many members, skills or visits it had. Lượt are person-visits: the sum of `people_count`.

THIS MODULE'S DATACLASSES ARE THE SHARED INTERFACE of /tiendo, /bieudo, /baocao (snapshots) and the exports:
keep their field names; add fields rather than rename.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config
from bot.core.periods import Period


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


async def team_figures(session: AsyncSession, config: Config, team_code: str, period: Period) -> TeamFigures:
    raise NotImplementedError  # being written (issue 5)


async def commune_figures(session: AsyncSession, config: Config, period: Period) -> CommuneFigures:
    raise NotImplementedError  # being written (issue 5)
