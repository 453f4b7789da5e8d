"""/tiendo: progress against the targets, for the period asked (default: the current one).

A member sees their own figures; a leader the team's with a line per member; staff every team, the commune's
totals and the thi đua ranking (or one team's view: /tiendo T01). One message in sections, since Zalo's outbound
messages are a monthly budget; a channel splits it at line ends only when it is too long.

Default period: the current month for members and leaders (monthly targets, results due by the 25th) and the
current quarter for staff (the leaders' periodic reports and the thi đua ranking are quarterly).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import texts as T
from bot.config import Team
from bot.core.messages import Reply
from bot.core.periods import Kind, Period
from bot.core.roles import Role
from bot.core.text import excerpt
from bot.flows import period_args
from bot.flows.context import Ctx
from bot.render import progress_text
from bot.services import progress


@dataclass(frozen=True)
class Request:
    period: Period | None = None
    team: Team | None = None


async def show(ctx: Ctx, args: str) -> list[Reply]:
    request = _parse(ctx, args)
    if isinstance(request, Reply):
        return [request]
    commune_wide = ctx.role.is_commune_wide
    team = request.team or (None if commune_wide else ctx.config.team(ctx.member.team_code))
    if not commune_wide and team is None:
        return [Reply(T.PROGRESS_NEEDS_TEAM)]
    default_kind = Kind.QUARTER if commune_wide and team is None else Kind.MONTH
    period = request.period or ctx.config.reporting.windows.containing(default_kind, ctx.today)
    if period.start > ctx.today:
        return [Reply(T.PROGRESS_NOT_STARTED.format(period=period.label(), start=f"{period.start:%d/%m/%Y}"))]
    due = progress.next_due(ctx.config, period, ctx.today)
    if team is None:
        figures = await progress.commune_figures(ctx.session, ctx.config, period)
        return [Reply(progress_text.commune_text(ctx.config, figures, period, due))]
    if ctx.role is Role.MEMBER:
        mine = await progress.member_figures(ctx.session, ctx.config, ctx.member, period)
        return [Reply(progress_text.member_text(ctx.config, mine, period, ctx.today, due))]
    figures = await progress.team_figures(ctx.session, ctx.config, team.code, period)
    return [Reply(progress_text.team_text(ctx.config, figures, period, ctx.today, due))]


def _parse(ctx: Ctx, args: str) -> Request | Reply:
    """ "2026-Q4", "T01 2026-11" (staff), "tháng này", "quý trước" → the request; a hint with examples for
    anything else."""
    asked = period_args.read(ctx, args)
    if asked.left:
        return Reply(_usage(ctx, asked.left[0]))
    own = ctx.config.team(ctx.member.team_code)
    if asked.team is not None and not ctx.role.is_commune_wide and asked.team is not own:
        return Reply(T.PROGRESS_OTHER_TEAM)
    return Request(asked.period, asked.team)


def _usage(ctx: Ctx, word: str) -> str:
    return T.PROGRESS_USAGE.format(arg=excerpt(word)) + (T.PROGRESS_USAGE_STAFF if ctx.role.is_commune_wide else "")
