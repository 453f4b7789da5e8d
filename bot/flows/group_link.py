"""Linking a team's group chat: the leader typed /nhom in the group; the bot asks them privately to confirm.

The flow runs in the leader's own private conversation (its state is keyed by their user, as every flow's), started
from the group message: ctx.data holds the group ("channel", "chat") and the team. Only "yes" links; "no" leaves
everything as it was. The leader is checked again when answering: a role or team changed meanwhile refuses.
"""

from __future__ import annotations

from bot import texts as T
from bot.core import vocabulary
from bot.core.messages import Option, Reply
from bot.core.roles import Role
from bot.flows.context import Ctx
from bot.flows.engine import Answer, Finish, Flow, Go, Outcome, Stay, Step
from bot.services import audit, outbox, team_chats

NAME = "group_link"
_YES, _NO = "yes", "no"


def _team_name(ctx: Ctx) -> str:
    team = ctx.config.team(ctx.data.get("team"))
    return team.name if team is not None else ""


async def start(ctx: Ctx, args: str) -> Outcome:
    """Started by the group message: its chat is the group to link."""
    ctx.data.update(channel=ctx.inbound.channel, chat=ctx.inbound.chat_ref, team=ctx.member.team_code)
    return Go("confirm")


async def confirm_prompt(ctx: Ctx) -> Reply:
    options = (
        Option(_YES, T.GROUP_LINK_BTN_YES, ("lien ket", "dong y", "co"), means=vocabulary.YES),
        Option(_NO, T.GROUP_LINK_BTN_NO, ("khong lien ket", "khong", "thoi"), means=vocabulary.NO),
    )
    return Reply(T.GROUP_LINK_ASK.format(team=_team_name(ctx)), options)


def delivery_lines(ctx: Ctx) -> str:
    """What config sends to the group, one line per kind of message."""
    chosen = ctx.config.group_chat
    settings = (
        (T.GROUP_KIND_WEEKLY, chosen.weekly_summary),
        (T.GROUP_KIND_REMINDERS, chosen.reminders),
        (T.GROUP_KIND_BROADCASTS, chosen.broadcasts),
    )
    return "\n".join(T.GROUP_KIND_LINE.format(kind=kind, where=T.GROUP_DELIVERY[value]) for kind, value in settings)


async def confirm_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.GROUP_LINK_CHOOSE)
    if answer.keys[0] == _NO:
        return Finish((Reply(T.GROUP_LINK_REFUSED),))
    team_code = ctx.data.get("team")
    if ctx.role is not Role.LEADER or not team_code or ctx.member.team_code != team_code:
        await audit.denied(ctx.session, ctx.now, ctx.member.id, "team_chat", None, "not_team_leader")
        return Finish((Reply(T.GROUP_LEADER_ONLY),))
    channel, chat = str(ctx.data["channel"]), str(ctx.data["chat"])
    row = await team_chats.link(ctx.session, team_code, channel, chat, ctx.member.id, ctx.now)
    await outbox.enqueue(
        ctx.session,
        channel,
        chat,
        ctx.now,
        text=T.GROUP_LINKED_NOTICE.format(team=_team_name(ctx)),
        dedup_key=f"grp:linked:{row.id}:{channel}",
    )
    text = T.GROUP_LINKED.format(team=_team_name(ctx), kinds=delivery_lines(ctx))
    return Finish((Reply(text),))


FLOW = Flow(
    name=NAME,
    title=T.FLOW_TITLE_GROUP_LINK,
    start=start,
    steps={"confirm": Step(confirm_prompt, confirm_answer)},
)
