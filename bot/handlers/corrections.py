"""/sua and /kiemtra: correcting, undoing and flagging visits (issue 4 item 5)."""

from __future__ import annotations

import re

from bot import texts as T
from bot.core.clock import format_date
from bot.core.messages import Reply
from bot.core.text import mask_citizen_ids, nfc
from bot.flows import correct_visit, log_visit
from bot.flows.context import Ctx
from bot.flows.registry import ENGINE
from bot.services import visits
from bot.services.visits import Refused

REASON_LIMIT = 300
_FLAG_ARGS = re.compile(r"^#?(\d{1,9})(?:\s+(.+))?$", re.DOTALL)


async def edit(ctx: Ctx, args: str) -> list[Reply]:
    """/sua [N]: open the member's last visit, the leader's pick of the team's visits, or visit #N."""
    if not ctx.member.team_code or ctx.config.team(ctx.member.team_code) is None:
        return [Reply(T.NEEDS_TEAM)]
    return await ENGINE.start(ctx, correct_visit.NAME, args)


async def flag(ctx: Ctx, args: str) -> list[Reply]:
    """/kiemtra N lý do: a leader flags a visit of the team and the member is told; /kiemtra alone lists open flags."""
    if not ctx.member.team_code:
        return [Reply(T.NEEDS_TEAM)]
    text = nfc(args)
    if not text:
        return [await _open_flags(ctx)]
    match = _FLAG_ARGS.match(text)
    if match is None or not match.group(2):
        return [Reply(T.FLAG_USAGE)]
    reason, masked = mask_citizen_ids(match.group(2).strip())
    if len(reason) > REASON_LIMIT:
        return [Reply(T.FLAG_REASON_TOO_LONG.format(length=len(reason), limit=REASON_LIMIT))]
    answer = await _flag(ctx, int(match.group(1)), reason)
    return [Reply(f"{answer}\n{T.CITIZEN_ID_MASKED}" if masked else answer)]


async def _flag(ctx: Ctx, number: int, reason: str) -> str:
    loaded = await visits.in_scope(ctx.session, ctx.member, number, ctx.now)
    if loaded is None:
        return T.CORRECT_NOT_FOUND.format(id=number)
    visit = loaded.visit
    try:
        row = await visits.flag(ctx.session, ctx.member, visit, reason, ctx.now)
    except Refused as refused:
        return await correct_visit.refusal_text(ctx, refused, visit)
    household = await correct_visit.visit_household(ctx, visit)
    notice = T.FLAG_NOTICE.format(
        leader=ctx.member.display_name,
        id=visit.id,
        household=household,
        day=format_date(visit.visited_on),
        reason=reason,
    )
    told = await correct_visit.tell_member(ctx, visit, notice, f"visit-flag:{row.id}")
    return T.FLAG_SAVED.format(id=visit.id, household=household) + told


async def _open_flags(ctx: Ctx) -> Reply:
    rows = await visits.open_flags(ctx.session, ctx.member.team_code or "")
    if not rows:
        return Reply(T.FLAG_NONE_OPEN)
    homes = await correct_visit.households_by_id(ctx, [r.visit.household_id for r in rows])
    names = await correct_visit.member_names(ctx, [r.visit.member_id for r in rows])
    items = []
    for row in rows:
        home = homes.get(row.visit.household_id)
        items.append(
            T.FLAG_OPEN_ITEM.format(
                id=row.visit.id,
                day=format_date(row.visit.visited_on),
                household=log_visit.household_label(home) if home else "?",
                member=names.get(row.visit.member_id, "?"),
                reason=row.flag.reason,
            )
        )
    return Reply(T.FLAG_OPEN_LIST.format(items="\n".join(items)))
