"""/phancong: a leader gives households of the team to a member, who is told."""

from __future__ import annotations

import re

from bot import texts as T
from bot.core.messages import Option, Reply
from bot.core.text import excerpt, nfc
from bot.flows.context import Ctx
from bot.flows.engine import Answer, Finish, Flow, Go, Outcome, Stay, Step, selection
from bot.flows.log_visit import household_label, team_household
from bot.services import assignment, households, notify
from bot.store.models import Household, Member

NAME = "assign"
OFFER_LIMIT = 20
_BY_ID = re.compile(r"^#\s*(\d{1,9})$")


async def start(ctx: Ctx, args: str) -> Outcome:
    by_id = _BY_ID.match(nfc(args))
    if by_id:  # from a household's card: this one household
        household = await team_household(ctx, int(by_id.group(1)))
        if household is None:
            return Finish((Reply(T.HH_NOT_FOUND_ID.format(id=by_id.group(1))),))
        ctx.data["hids"] = [household.id]
    return Go("member")


async def _member(ctx: Ctx) -> Member | None:
    found = await ctx.session.get(Member, int(ctx.data["member_id"]))
    if found is None or found.team_code != ctx.member.team_code or not found.active:
        return None
    return found


async def member_prompt(ctx: Ctx) -> Reply:
    target = ctx.config.targets.member_households
    loads = await assignment.loads(ctx.session, ctx.member.team_code or "")
    options = tuple(
        Option(f"m{m.id}", T.ASSIGN_MEMBER_LABEL.format(name=m.display_name, n=n, target=target)) for m, n in loads
    )
    if "hids" in ctx.data:
        found = await households.in_team(ctx.session, ctx.member.team_code or "", ctx.data["hids"])
        return Reply(T.ASSIGN_WHO_ONE.format(household=household_label(found[0]) if found else ""), options)
    return Reply(T.ASSIGN_WHO, options)


async def member_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    ctx.data["member_id"] = int(answer.keys[0][1:])
    if "hids" in ctx.data:
        return await _assign(ctx, list(ctx.data["hids"]))
    return Go("households")


async def households_prompt(ctx: Ctx) -> Reply:
    team = ctx.member.team_code or ""
    member = await _member(ctx)
    name = member.display_name if member else ""
    if "found" in ctx.data:
        offered = await households.in_team(ctx.session, team, ctx.data["found"])
    else:
        offered = await assignment.unassigned_first(ctx.session, team, int(ctx.data["member_id"]), OFFER_LIMIT)
    keepers = {m.id: m.display_name for m in await assignment.team_members(ctx.session, team)}
    options = tuple(Option(f"h{h.id}", _offer_label(h, keepers)) for h in offered)
    shown = {o.key for o in options}
    elsewhere = len([k for k in selection(ctx, "households") if k not in shown])
    text = T.ASSIGN_PICK.format(name=name)
    if elsewhere:
        text += "\n" + T.ASSIGN_PICKED_ELSEWHERE.format(n=elsewhere)
    return Reply(text, options)


def _offer_label(h: Household, keepers: dict[int | None, str]) -> str:
    label = household_label(h)
    if h.assigned_member_id is None:
        return label
    return f"{label} · {keepers.get(h.assigned_member_id, '?')}"


async def households_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.text:  # a typed name: search the team, keeping what was already chosen
        query = nfc(answer.text)
        found = await households.search(ctx.session, ctx.member.team_code or "", query) if len(query) >= 2 else []
        if not found:
            return Stay(T.HH_NO_MATCH_FIND.format(query=excerpt(query)))
        ctx.data["found"] = [h.id for h in found]
        return Go("households")
    if not answer.keys:
        return Stay(T.ASSIGN_NONE_CHOSEN)
    return await _assign(ctx, [int(k[1:]) for k in answer.keys])


async def _assign(ctx: Ctx, ids: list[int]) -> Outcome:
    member = await _member(ctx)
    if member is None:
        return Finish((Reply(T.ASSIGN_MEMBER_GONE),))
    chosen = await households.in_team(ctx.session, ctx.member.team_code or "", ids)
    changed = await assignment.assign(ctx.session, ctx.member, chosen, member, ctx.now)
    total = len(await assignment.assigned_to(ctx.session, member.team_code or "", member.id or 0))
    target = ctx.config.targets.member_households
    if changed and member.id != ctx.member.id:
        names = "; ".join(household_label(h) for h in chosen[:10])
        text = T.ASSIGN_NOTICE.format(leader=ctx.member.display_name, n=changed, households=names, total=total)
        await notify.to_member(ctx.session, member.id or 0, text, ctx.now)
    return Finish((Reply(T.ASSIGN_DONE.format(n=changed, name=member.display_name, total=total, target=target)),))


FLOW = Flow(
    name=NAME,
    title=T.FLOW_TITLE_ASSIGN,
    start=start,
    steps={
        "member": Step(member_prompt, member_answer, stops_on_no=True),
        "households": Step(households_prompt, households_answer, multi=True, free_text=True),
    },
)
