"""/nhom: a leader links the team's group chat (typed in the group, confirmed privately) or unlinks it ("/nhom huy");
typed privately it shows the team's link (staff: every team's)."""

from __future__ import annotations

from dataclasses import replace

from bot import texts as T
from bot.core.messages import Reply
from bot.core.reader import words
from bot.core.roles import Role
from bot.flows import group_link
from bot.flows.context import Ctx
from bot.flows.registry import ENGINE
from bot.services import team_chats

NAME = "nhom"
_OFF_KEYS = frozenset(w.key for phrase in T.GROUP_OFF_WORDS for w in words(phrase))


def is_off(args: str) -> bool:
    """ "/nhom huy", "/nhom bỏ", "/nhom go": the words after the command ask to unlink."""
    found = words(args)
    return bool(found) and found[0].key in _OFF_KEYS


def _leads_a_team(ctx: Ctx) -> bool:
    return ctx.role is Role.LEADER and ctx.config.team(ctx.member.team_code) is not None


async def in_group(ctx: Ctx, args: str) -> list[Reply]:
    """/nhom typed in a group: the team's leader asks to link it (confirmed privately), or unlinks it."""
    if not _leads_a_team(ctx):
        return [Reply(T.GROUP_LEADER_ONLY)]
    team = ctx.config.team(ctx.member.team_code)
    assert team is not None
    inbound = ctx.inbound
    if is_off(args):
        count = await team_chats.unlink(
            ctx.session, team.code, ctx.member.id, ctx.now, inbound.channel, inbound.chat_ref
        )
        return [Reply((T.GROUP_UNLINKED if count else T.GROUP_NOT_LINKED_HERE).format(team=team.name))]
    current = await team_chats.of_chat(ctx.session, inbound.channel, inbound.chat_ref)
    if current is not None and current.team_code == team.code:
        return [Reply(T.GROUP_ALREADY_LINKED.format(team=team.name))]
    # The confirmation replaces an unfinished private flow of the leader's, as any command they type would: they
    # asked for it themselves, and it is answered in their private chat.
    prompt = await ENGINE.start(ctx, group_link.NAME)
    asked = Reply(T.GROUP_ASKED_LEADER.format(name=ctx.member.display_name))
    return [asked, *(replace(r, private=True) for r in prompt)]


async def command(ctx: Ctx, args: str) -> list[Reply]:
    """/nhom typed privately: how the team's group is linked, how to link it; "/nhom huy" unlinks it."""
    if ctx.role.is_commune_wide:
        return [await _every_team(ctx)]
    if not _leads_a_team(ctx):
        return [Reply(T.GROUP_LEADER_ONLY)]
    team = ctx.config.team(ctx.member.team_code)
    assert team is not None
    if is_off(args):
        count = await team_chats.unlink(ctx.session, team.code, ctx.member.id, ctx.now)
        return [Reply((T.GROUP_UNLINKED if count else T.GROUP_NONE).format(team=team.name))]
    found = await team_chats.active(ctx.session, team.code)
    if found is None:
        return [Reply(T.GROUP_NONE.format(team=team.name) + "\n" + T.GROUP_HOW_TO)]
    since = found.linked_at.astimezone(ctx.config.tz).strftime("%d/%m/%Y")
    lines = [
        T.GROUP_STATUS.format(team=team.name, channel=ctx.config.channels.label(found.channel), since=since),
        group_link.delivery_lines(ctx),
        T.GROUP_HOW_TO_OFF,
    ]
    return [Reply("\n".join(lines))]


async def _every_team(ctx: Ctx) -> Reply:
    lines = [T.GROUP_STATUS_ALL]
    for team in ctx.config.teams:
        found = await team_chats.active(ctx.session, team.code)
        where = ctx.config.channels.label(found.channel) if found is not None else T.GROUP_STATUS_NONE
        lines.append(T.GROUP_STATUS_TEAM.format(team=team.name, where=where))
    return Reply("\n".join(lines))
