"""/start, /trogiup, /huy: joining, help and cancelling."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts as T
from bot.core.messages import Inbound, Reply
from bot.core.roles import Role
from bot.flows.context import Ctx
from bot.flows.registry import ENGINE
from bot.services import invites
from bot.services.deps import Deps
from bot.store.models import Member

_JOIN_ERRORS = {
    invites.JoinError.UNKNOWN: T.JOIN_UNKNOWN,
    invites.JoinError.USED: T.JOIN_USED,
    invites.JoinError.EXPIRED: T.JOIN_EXPIRED,
    invites.JoinError.ALREADY_MEMBER: T.JOIN_ALREADY,
    invites.JoinError.MEMBER_GONE: T.JOIN_UNKNOWN,
}


def where(deps: Deps, member: Member) -> str:
    team = deps.config.team(member.team_code)
    return team.name if team else deps.config.commune.name


def role_label(role: Role) -> str:
    return {Role.MEMBER: T.ROLE_MEMBER, Role.LEADER: T.ROLE_LEADER}.get(role, T.ROLE_STAFF)


async def join(deps: Deps, session: AsyncSession, inbound: Inbound, code: str) -> tuple[Reply, Member | None]:
    """Redeem an invite or link code for an unknown user: the answer, and the member when it worked."""
    now = deps.clock.now()
    policy = deps.config.invites
    newcomer = invites.Newcomer(inbound.channel, inbound.user_ref, inbound.chat_ref, inbound.display_name)
    result = await invites.redeem(session, code, newcomer, now, policy)
    if result is invites.JoinError.THROTTLED:
        wait = await invites.retry_in(session, inbound.channel, inbound.user_ref, now, policy)
        minutes = invites.minutes_to_wait(wait) if wait else 1
        return Reply(T.JOIN_THROTTLED.format(tries=policy.max_attempts, minutes=minutes)), None
    if result is invites.JoinError.OTHER_BOT:
        bot = await invites.named_bot(session, code)
        return Reply(T.JOIN_OTHER_BOT.format(bot=deps.config.channels.label(bot or ""))), None
    if isinstance(result, invites.JoinError):
        return Reply(_JOIN_ERRORS[result]), None
    member = result.member
    role = Role(member.role)
    template = T.JOIN_OK if result.new_member else T.LINK_OK
    text = template.format(name=member.display_name, role=role_label(role), where=where(deps, member), next=_next(role))
    return Reply(text), member


def _next(role: Role) -> str:
    """The first thing a newcomer in this role does (staff log no visits; leaders also invite and report)."""
    if role is Role.LEADER:
        return T.JOIN_NEXT_LEADER
    return T.JOIN_NEXT_TEAM if role is Role.MEMBER else T.JOIN_NEXT_STAFF


def help_text(ctx: Ctx, lines: list[str]) -> Reply:
    return Reply(
        T.HELP.format(
            name=ctx.member.display_name,
            role=role_label(ctx.role),
            where=where(ctx.deps, ctx.member),
            commands="\n".join(lines),
        )
    )


async def link_code(ctx: Ctx, args: str) -> list[Reply]:
    """/lienket: a code to use this same account from the other app."""
    minutes = ctx.config.channels.zalo.link_ttl_minutes
    code = await invites.create_link(ctx.session, ctx.now, timedelta(minutes=minutes), ctx.member)
    return [Reply(T.LINK_CODE.format(code=code, minutes=minutes))]


async def cancel(ctx: Ctx, args: str) -> list[Reply]:
    cancelled = await ENGINE.cancel(ctx.session, ctx.inbound)
    return [Reply(T.CANCELLED if cancelled else T.NOTHING_TO_CANCEL)]


def team_required(ctx: Ctx) -> list[Reply] | None:
    """The answer for someone who is in no team (e.g. commune staff) using a team command; None when in one."""
    if not ctx.member.team_code or ctx.config.team(ctx.member.team_code) is None:
        return [Reply(T.NEEDS_TEAM)]
    return None
