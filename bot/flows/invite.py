"""/moi: staff choose the team and role of a new invite; a leader's invite is for a member of their team."""

from __future__ import annotations

from datetime import timedelta

from bot import texts as T
from bot.core.messages import Option, Reply
from bot.core.roles import Role, invitable_roles
from bot.flows.context import Ctx
from bot.flows.engine import Answer, Finish, Flow, Go, Outcome, Stay, Step
from bot.services import invites

NAME = "invite"
_COMMUNE = "commune"
ROLE_LABELS = {Role.MEMBER: T.ROLE_MEMBER, Role.LEADER: T.ROLE_LEADER, Role.STAFF: T.ROLE_STAFF}


async def issue(ctx: Ctx, role: Role, team_code: str | None, name: str | None) -> Reply:
    """Create the invite and the message that hands it over."""
    ttl = timedelta(hours=ctx.config.invites.ttl_hours)
    _, code = await invites.create(ctx.session, ctx.now, ttl, role, team_code, name, ctx.member.id)
    team = ctx.config.team(team_code)
    username = await invites.bot_username(ctx.session)
    link = T.INVITE_LINK.format(link=invites.deep_link(username, code)) if username else ""
    return Reply(
        T.INVITE_CREATED.format(
            code=code,
            role=ROLE_LABELS[role],
            team=team.name if team else ctx.config.commune.name,
            hours=ctx.config.invites.ttl_hours,
            link=link,
        )
    )


async def start(ctx: Ctx, args: str) -> Outcome:
    name = args.strip()[:120] or None
    ctx.data["name"] = name
    if ctx.role is Role.LEADER:
        return Finish((await issue(ctx, Role.MEMBER, ctx.member.team_code, name),))
    return Go("team")


async def team_prompt(ctx: Ctx) -> Reply:
    options = tuple(Option(t.code, t.name, (t.code,)) for t in ctx.config.teams)
    return Reply(T.INVITE_ASK_TEAM, (*options, Option(_COMMUNE, T.INVITE_COMMUNE_LEVEL, ("xa", "can bo xa"))))


async def team_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    if answer.keys[0] == _COMMUNE:
        return Finish((await issue(ctx, Role.STAFF, None, ctx.data.get("name")),))
    ctx.data["team"] = answer.keys[0]
    return Go("role")


async def role_prompt(ctx: Ctx) -> Reply:
    team = ctx.config.team(ctx.data["team"])
    roles = [r for r in invitable_roles(ctx.role) if r is not Role.STAFF]
    options = tuple(Option(r.value, ROLE_LABELS[r], (r.value,)) for r in roles)
    return Reply(T.INVITE_ASK_ROLE.format(team=team.name if team else ""), options)


async def role_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    return Finish((await issue(ctx, Role(answer.keys[0]), ctx.data["team"], ctx.data.get("name")),))


FLOW = Flow(
    name=NAME,
    title=T.FLOW_TITLE_INVITE,
    start=start,
    steps={"team": Step(team_prompt, team_answer, stops_on_no=True), "role": Step(role_prompt, role_answer)},
)
