"""/baocao: a leader's period report (preview, text parts, submission); staff's view of who has reported."""

from __future__ import annotations

from bot import texts as T
from bot.core.messages import Reply
from bot.core.roles import Role
from bot.flows import report as report_flow
from bot.flows.context import Ctx
from bot.flows.registry import ENGINE


async def report(ctx: Ctx, args: str) -> list[Reply]:
    """/baocao [mã tổ] [kỳ]: a leader's own report, or for staff the completeness board (of one period, one team)."""
    if ctx.role is Role.MEMBER:
        return [Reply(T.NOT_ALLOWED)]
    if ctx.role is Role.LEADER and ctx.config.team(ctx.member.team_code) is None:
        return [Reply(T.REPORT_NO_TEAM)]
    return await ENGINE.start(ctx, report_flow.flow_for(ctx.role), args)
