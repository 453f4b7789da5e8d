"""Households as a member sees them: /hocuatoi (mine), /ho (find one), /canquaylai (waiting for a return visit).

Each list opens a household's card: who, where, consent, the status on each platform (correctable), recent
visits; from the card the member logs a visit, and a leader gives the household to a member.
"""

from __future__ import annotations

import re

from bot import texts as T
from bot.core.clock import format_date
from bot.core.messages import Option, Reply
from bot.core.phone import display_phone
from bot.core.roles import Role
from bot.core.text import excerpt, nfc
from bot.flows import assign, log_visit
from bot.flows.context import Ctx
from bot.flows.engine import Answer, Finish, Flow, Go, Outcome, Stay, Step, Switch
from bot.flows.log_visit import household_label, team_household
from bot.render.progress import bar
from bot.services import assignment, followups, household_history, households, platform_status
from bot.services.platform_status import Status, Statuses
from bot.store.models import Household, Member

MINE, FIND, RETURNS = "my_households", "household", "return_visits"
LIST_LIMIT = 30
_BY_ID = re.compile(r"^#\s*(\d{1,9})$")
_MARK = {Status.USES: "✅", Status.GUIDED: "🟡", Status.NONE: "⬜"}
_STATUS_LABEL = {Status.USES: T.PLATFORM_USES, Status.GUIDED: T.PLATFORM_GUIDED, Status.NONE: T.PLATFORM_NONE}
_LOG, _PLATFORM, _ASSIGN, _BACK, _CLOSE = "log", "platform", "assign", "back", "close"


# --- lists ----------------------------------------------------------------------------------------------------
def _marks(ctx: Ctx, statuses: dict[str, Status]) -> str:
    return "".join(_MARK[statuses.get(p.code, Status.NONE)] for p in ctx.config.platforms if p.essential)


def _legend(ctx: Ctx) -> str:
    names = " · ".join(p.short_label for p in ctx.config.platforms if p.essential)
    return T.PLATFORM_LEGEND.format(platforms=names)


async def _options(ctx: Ctx, found: list[Household], suffix: dict[int, str] | None = None) -> tuple[Option, ...]:
    statuses: Statuses = await platform_status.for_households(ctx.session, ctx.config, [h.id or 0 for h in found])
    return tuple(
        Option(
            f"h{h.id}", f"{household_label(h)} {_marks(ctx, statuses[h.id or 0])}{(suffix or {}).get(h.id or 0, '')}"
        )
        for h in found
    )


async def _mine(ctx: Ctx) -> Reply:
    team, member_id = ctx.member.team_code or "", ctx.member.id or 0
    mine = await assignment.assigned_to(ctx.session, team, member_id)
    target = ctx.config.targets.member_households
    header = T.MINE_HEADER.format(progress=bar(len(mine), target), target=target)
    if not mine:
        visited = await assignment.visited_by(ctx.session, team, member_id)
        if not visited:
            return Reply(f"{header}\n{T.MINE_EMPTY}")
        mine, header = visited, T.MINE_VISITED.format(target=target, n=len(visited))
    more = T.LIST_MORE.format(n=len(mine) - LIST_LIMIT) if len(mine) > LIST_LIMIT else ""
    text = f"{header}\n{_legend(ctx)}\n{T.LIST_PICK}{more}"
    return Reply(text, await _options(ctx, mine[:LIST_LIMIT]))


async def _returns(ctx: Ctx) -> Reply:
    waiting = await _open_returns(ctx)
    if not waiting:
        return Reply(T.RETURNS_NONE)
    since = {f.household.id or 0: T.RETURNS_SINCE.format(day=f.visited_on.strftime("%d/%m")) for f in waiting}
    text = f"{T.RETURNS_HEADER.format(n=len(waiting))}\n{_legend(ctx)}\n{T.LIST_PICK}"
    return Reply(text, await _options(ctx, [f.household for f in waiting], since))


async def _open_returns(ctx: Ctx) -> list[followups.FollowUp]:
    """A leader sees the team's households waiting for a return visit; a member those they visited or look after."""
    scope = None if ctx.role is Role.LEADER else ctx.member.id
    return await followups.open_returns(ctx.session, ctx.member.team_code or "", scope, LIST_LIMIT)


async def list_prompt(ctx: Ctx) -> Reply:
    mode = ctx.data.get("mode")
    if mode == MINE:
        return await _mine(ctx)
    if mode == RETURNS:
        return await _returns(ctx)
    team = ctx.member.team_code or ""
    if "search" in ctx.data:
        found = await households.in_team(ctx.session, team, ctx.data.get("found", []))
        text = T.HH_SEARCH_RESULTS.format(query=excerpt(ctx.data["search"]))
    else:
        found = await households.recent_for_member(
            ctx.session, team, ctx.member.id or 0, ctx.config.flows.recent_households
        )
        text = T.FIND_PROMPT
    return Reply(f"{text}\n{_legend(ctx)}", await _options(ctx, found))


async def list_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.keys:
        ctx.data["hid"] = int(answer.keys[0][1:])
        return Go("card")
    query = nfc(answer.text)
    if len(query) < 2:
        return Stay(T.HH_TYPE_MORE)
    found = await households.search(ctx.session, ctx.member.team_code or "", query)
    if not found:
        return Stay(T.HH_NO_MATCH_FIND.format(query=excerpt(query)))
    ctx.data.update(mode=FIND, search=query, found=[h.id for h in found])
    return Go("list")


# --- the card -------------------------------------------------------------------------------------------------
_FLAG_LABELS = (("elderly", T.FLAG_ELDERLY), ("ethnic_minority", T.FLAG_ETHNIC), ("no_device", T.FLAG_NO_DEVICE))


def _details(h: Household) -> str:
    flags = [label for flag, label in _FLAG_LABELS if getattr(h, flag)]
    return " · ".join([display_phone(h.phone) if h.phone else T.CARD_NO_PHONE, *flags])


async def _card_text(ctx: Ctx, h: Household) -> str:
    statuses = (await platform_status.for_households(ctx.session, ctx.config, [h.id or 0]))[h.id or 0]
    platforms = "\n".join(
        f"{_MARK[statuses[p.code]]} {p.label} — {_STATUS_LABEL[statuses[p.code]]}" for p in ctx.config.platforms
    )
    keeper = await ctx.session.get(Member, h.assigned_member_id) if h.assigned_member_id else None
    consent = (
        T.CARD_CONSENT.format(day=format_date(h.consent_at.astimezone(ctx.config.tz).date()), version=h.consent_version)
        if h.consent_at
        else T.CARD_NO_CONSENT
    )
    lines = [
        T.CARD_HEAD.format(name=h.head_name, address=h.address, id=h.id),
        _details(h),
        T.CARD_KEEPER.format(name=keeper.display_name if keeper else T.CARD_NOBODY),
        consent,
        T.CARD_PLATFORMS,
        platforms,
    ]
    past = await household_history.recent(ctx.session, h.id or 0)
    if past:
        lines.append(T.CARD_VISITS)
        for v in past:
            skills = ", ".join(ctx.config.skill_by_code[c].label for c in v.skills if c in ctx.config.skill_by_code)
            mark = T.CARD_RETURN_MARK if v.outcome == "return" else ""
            lines.append(
                T.CARD_VISIT_LINE.format(
                    day=v.visited_on.strftime("%d/%m"), skills=skills, name=v.member_name, mark=mark
                )
            )
    return "\n".join(lines)


async def card_prompt(ctx: Ctx) -> Reply:
    household = await team_household(ctx, int(ctx.data["hid"]))
    if household is None:
        return Reply(T.HH_NOT_FOUND, (Option(_CLOSE, T.CARD_CLOSE, ("xong", "dong")),))
    options = [
        Option(_LOG, T.CARD_LOG, ("ghi nhan", "ghi luot")),
        Option(_PLATFORM, T.CARD_EDIT_PLATFORM, ("sua trang thai", "trang thai")),
    ]
    if ctx.role is Role.LEADER:
        options.append(Option(_ASSIGN, T.CARD_ASSIGN, ("giao", "phan cong")))
    if ctx.data.get("mode"):
        options.append(Option(_BACK, T.CARD_BACK, ("quay lai danh sach", "danh sach")))
    options.append(Option(_CLOSE, T.CARD_CLOSE, ("xong", "dong")))
    return Reply(await _card_text(ctx, household), tuple(options))


async def card_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    key, hid = answer.keys[0], ctx.data["hid"]
    if key == _LOG:
        return Switch(log_visit.NAME, f"#{hid}")
    if key == _ASSIGN:
        return Switch(assign.NAME, f"#{hid}")
    if key == _PLATFORM:
        return Go("platform")
    if key == _BACK:
        return Go("list")
    return Finish((Reply(T.CARD_CLOSED),))


# --- correcting a platform status ------------------------------------------------------------------------------
async def platform_prompt(ctx: Ctx) -> Reply:
    statuses = (await platform_status.for_households(ctx.session, ctx.config, [int(ctx.data["hid"])]))[
        int(ctx.data["hid"])
    ]
    options = tuple(
        Option(p.code, f"{_MARK[statuses[p.code]]} {p.label}", (p.code, p.short_label)) for p in ctx.config.platforms
    )
    return Reply(T.PLATFORM_ASK, options)


async def platform_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    ctx.data["platform"] = answer.keys[0]
    return Go("platform_status")


async def platform_status_prompt(ctx: Ctx) -> Reply:
    platform = next(p for p in ctx.config.platforms if p.code == ctx.data["platform"])
    return Reply(
        T.PLATFORM_STATUS_ASK.format(platform=platform.label),
        (
            Option(Status.USES.value, f"✅ {T.PLATFORM_USES}", ("dang dung", "dung roi", "co")),
            Option(Status.GUIDED.value, f"🟡 {T.PLATFORM_GUIDED}", ("da huong dan", "huong dan")),
            Option(Status.NONE.value, f"⬜ {T.PLATFORM_NONE}", ("chua", "chua dung", "khong")),
        ),
    )


async def platform_status_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    household = await team_household(ctx, int(ctx.data["hid"]))
    if household is None:
        return Finish((Reply(T.HH_NOT_FOUND),))
    code = ctx.data.pop("platform")
    status = Status(answer.keys[0])
    await platform_status.correct(ctx.session, ctx.member, household, code, status, ctx.now)
    label = next(p.label for p in ctx.config.platforms if p.code == code)
    return Go("card", (Reply(T.PLATFORM_UPDATED.format(platform=label, status=_STATUS_LABEL[status])),))


# --- starts ---------------------------------------------------------------------------------------------------
async def start_mine(ctx: Ctx, args: str) -> Outcome:
    ctx.data["mode"] = MINE
    return Go("list")


async def start_returns(ctx: Ctx, args: str) -> Outcome:
    if not await _open_returns(ctx):
        return Finish((Reply(T.RETURNS_NONE),))
    ctx.data["mode"] = RETURNS
    return Go("list")


async def start_find(ctx: Ctx, args: str) -> Outcome:
    query = nfc(args)
    by_id = _BY_ID.match(query)
    if by_id:
        if await team_household(ctx, int(by_id.group(1))) is None:
            return Finish((Reply(T.HH_NOT_FOUND_ID.format(id=by_id.group(1))),))
        ctx.data["hid"] = int(by_id.group(1))
        return Go("card")
    if len(query) >= 2:
        found = await households.search(ctx.session, ctx.member.team_code or "", query)
        if not found:
            return Go("list", (Reply(T.HH_NO_MATCH_FIND.format(query=excerpt(query))),))
        ctx.data.update(mode=FIND, search=query, found=[h.id for h in found])
    return Go("list")


_STEPS = {
    "list": Step(list_prompt, list_answer, stops_on_no=True),
    "card": Step(card_prompt, card_answer),
    "platform": Step(platform_prompt, platform_answer),
    "platform_status": Step(platform_status_prompt, platform_status_answer),
}
MINE_FLOW = Flow(name=MINE, title=T.FLOW_TITLE_MINE, start=start_mine, steps=_STEPS)
FIND_FLOW = Flow(name=FIND, title=T.FLOW_TITLE_FIND, start=start_find, steps=_STEPS)
RETURNS_FLOW = Flow(name=RETURNS, title=T.FLOW_TITLE_RETURNS, start=start_returns, steps=_STEPS)
FLOWS = (MINE_FLOW, FIND_FLOW, RETURNS_FLOW)
