"""/thongbao: staff or a leader write a notice to many members, see who will get it, send it; and see who has read
the ones sent before.

Staff: audience (cả xã · chỉ tổ trưởng · một tổ → team) → text → preview ⇄ edit → sent.
Leader: text (to their own team) → preview ⇄ edit → sent.
Both: "📋 Xem thông báo đã gửi" → history → status by name (refreshable).
ctx.data: "audience" and "team" (the target), "text" (the draft, as it will be sent), "bid" (the broadcast whose
status is shown). Words after /thongbao are the draft's text.
"""

from __future__ import annotations

from datetime import datetime

from bot import texts as T
from bot.core import vocabulary
from bot.core.messages import Option, Reply
from bot.core.roles import Role
from bot.flows.context import Ctx
from bot.flows.engine import Answer, Finish, Flow, Go, Outcome, Stay, Step
from bot.services import audit, broadcasts, quota
from bot.services.broadcasts import Audience, State, Status, Target
from bot.store.models import Broadcast, Member

NAME = "broadcast"
_HISTORY, _BACK, _SEND, _EDIT, _RETARGET, _CANCEL, _KEEP, _REFRESH, _CLOSE = (
    "history",
    "back",
    "send",
    "edit",
    "retarget",
    "cancel",
    "keep",
    "refresh",
    "close",
)
_TEAM_PREFIX, _BROADCAST_PREFIX = "t:", "b:"
_SNIPPET = 40  # characters of a broadcast's text shown in a list
_NAMED_UNREACHABLE = 10  # members without a chat named in the preview, the rest counted
_STATE_ORDER = (State.ACKNOWLEDGED, State.DELIVERED, State.PENDING, State.FAILED)


# --- display --------------------------------------------------------------------------------------------------
def _at(ctx: Ctx, at: datetime) -> str:
    return at.astimezone(ctx.config.tz).strftime("%H:%M %d/%m/%Y")


def _short_at(ctx: Ctx, at: datetime) -> str:
    return at.astimezone(ctx.config.tz).strftime("%d/%m %H:%M")


def _team_name(ctx: Ctx, code: str | None) -> str:
    team = ctx.config.team(code)
    return team.name if team is not None else (code or T.BROADCAST_NO_TEAM_NAME)


def audience_name(ctx: Ctx, audience: Audience, team_code: str | None) -> str:
    if audience is Audience.COMMUNE:
        return T.BROADCAST_TO_COMMUNE
    if audience is Audience.LEADERS:
        return T.BROADCAST_TO_LEADERS
    return _team_name(ctx, team_code)


def _snippet(text: str) -> str:
    """The start of a text on one line, cut at a word when it is long."""
    flat = " ".join(text.split())
    if len(flat) <= _SNIPPET:
        return flat
    cut = flat[:_SNIPPET].rsplit(" ", 1)[0] if " " in flat[:_SNIPPET] else flat[: _SNIPPET - 1]
    return cut.rstrip(" ,.;:") + "…"


def _target(ctx: Ctx) -> Target:
    return Target(Audience(ctx.data["audience"]), ctx.data.get("team"))


def _to(ctx: Ctx) -> str:
    target = _target(ctx)
    return audience_name(ctx, target.audience, target.team_code)


def _first_step(ctx: Ctx) -> str:
    return "audience" if ctx.role.is_commune_wide else "text"


# --- start ----------------------------------------------------------------------------------------------------
def _set_draft(ctx: Ctx, typed: str) -> tuple[bool, tuple[Reply, ...]]:
    """Keep `typed` as the draft. Whether it was kept, and what to say: why not (empty, too long), or that a
    citizen ID number was masked."""
    text, masked = broadcasts.clean_text(typed)
    if not text:
        return False, (Reply(T.BROADCAST_TEXT_EMPTY),)
    if broadcasts.length(text) > broadcasts.TEXT_LIMIT:
        too_long = T.BROADCAST_TEXT_TOO_LONG.format(length=broadcasts.length(text), limit=broadcasts.TEXT_LIMIT)
        return False, (Reply(too_long),)
    ctx.data["text"] = text
    return True, (Reply(T.CITIZEN_ID_MASKED),) if masked else ()


async def start(ctx: Ctx, args: str) -> Outcome:
    if ctx.role is Role.LEADER:
        team = ctx.config.team(ctx.member.team_code)
        if team is None:
            return Finish((Reply(T.BROADCAST_NO_TEAM),))
        ctx.data.update(audience=Audience.TEAM.value, team=team.code)
    elif not ctx.role.is_commune_wide:
        return Finish((Reply(T.NOT_ALLOWED),))
    _, notes = _set_draft(ctx, args) if args.strip() else (False, ())
    if ctx.role.is_commune_wide:
        return Go("audience", notes)
    return Go("preview" if "text" in ctx.data else "text", notes)


# --- staff: whom to --------------------------------------------------------------------------------------------
async def audience_prompt(ctx: Ctx) -> Reply:
    options = (
        Option(Audience.COMMUNE.value, T.BROADCAST_BTN_COMMUNE, ("ca xa",)),
        Option(Audience.LEADERS.value, T.BROADCAST_BTN_LEADERS, ("to truong", "chi to truong")),
        Option(Audience.TEAM.value, T.BROADCAST_BTN_TEAM, ("mot to",)),
        Option(_HISTORY, T.BROADCAST_BTN_HISTORY, ("xem thong bao", "da gui")),
    )
    return Reply(T.BROADCAST_ASK_AUDIENCE, options)


def _after_target(ctx: Ctx) -> Outcome:
    return Go("preview" if "text" in ctx.data else "text")


async def audience_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    key = answer.keys[0]
    if key == _HISTORY:
        return await _to_history(ctx)
    if key == Audience.TEAM.value:
        return Go("team")
    ctx.data.update(audience=key, team=None)
    return _after_target(ctx)


async def team_prompt(ctx: Ctx) -> Reply:
    teams = tuple(Option(f"{_TEAM_PREFIX}{t.code}", f"{t.code} {t.name}", (t.code,)) for t in ctx.config.teams)
    return Reply(T.BROADCAST_ASK_TEAM, (*teams, Option(_BACK, T.BROADCAST_BTN_BACK, ("quay lai",))))


async def team_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.BROADCAST_PICK_TEAM)
    key = answer.keys[0]
    if key == _BACK:
        return Go("audience")
    ctx.data.update(audience=Audience.TEAM.value, team=key.removeprefix(_TEAM_PREFIX))
    return _after_target(ctx)


# --- the text ----------------------------------------------------------------------------------------------------
async def text_prompt(ctx: Ctx) -> Reply:
    lines = [T.BROADCAST_ASK_TEXT.format(to=_to(ctx), limit=broadcasts.TEXT_LIMIT)]
    options: list[Option] = []
    if "text" in ctx.data:
        lines.append(T.BROADCAST_ASK_TEXT_AGAIN)
        options.append(Option(_KEEP, T.BROADCAST_BTN_KEEP, ("giu nguyen",)))
    if ctx.role.is_commune_wide:
        options.append(Option(_RETARGET, T.BROADCAST_BTN_RETARGET, ("doi nguoi nhan",)))
    elif "text" not in ctx.data:
        options.append(Option(_HISTORY, T.BROADCAST_BTN_HISTORY, ("xem thong bao", "da gui")))
    return Reply("\n".join(lines), tuple(options))


async def text_answer(ctx: Ctx, answer: Answer) -> Outcome:
    key = answer.keys[0] if answer.keys else None
    if key == _KEEP and "text" in ctx.data:
        return Go("preview")
    if key == _RETARGET:
        return Go("audience")
    if key == _HISTORY:
        return await _to_history(ctx)
    kept, notes = _set_draft(ctx, answer.text)
    if not kept:
        return Stay(notes[0].text)
    return Go("preview", notes)


# --- preview and sending ---------------------------------------------------------------------------------------
def _unreachable_line(members: list[Member]) -> str:
    names = ", ".join(m.display_name for m in members[:_NAMED_UNREACHABLE])
    more = len(members) - _NAMED_UNREACHABLE
    if more > 0:
        names += T.BROADCAST_AND_MORE.format(n=more)
    return T.BROADCAST_UNREACHABLE.format(n=len(members), names=names)


def _when_line(ctx: Ctx, at: datetime) -> str:
    if at <= ctx.now:
        return T.BROADCAST_GOES_NOW
    quiet = ctx.config.quiet_hours
    return T.BROADCAST_GOES_LATER.format(
        start=quiet.start.strftime("%H:%M"), end=quiet.end.strftime("%H:%M"), at=_at(ctx, at)
    )


async def _quota_lines(ctx: Ctx, messages: dict[str, int]) -> list[str]:
    """What the broadcast takes of the month's budget of each channel that has one, and what must wait for next
    month."""
    lines: list[str] = []
    for channel, left in (await quota.left_for_started(ctx.session, ctx.config, ctx.now)).items():
        n = messages.get(channel, 0)
        if not n:
            continue
        name = ctx.config.channels.label(channel)
        lines.append(T.BROADCAST_QUOTA_BUDGET.format(channel=name, n=n, left=left))
        if n > left:
            at = _at(ctx, quota.next_month_start(ctx.now, ctx.config.tz))
            lines.append(T.BROADCAST_QUOTA_OVER.format(channel=name, over=n - left, at=at))
    return lines


async def preview_prompt(ctx: Ctx) -> Reply:
    target = _target(ctx)
    route = await broadcasts.group_route(ctx.session, ctx.config, ctx.member, target)
    found = await broadcasts.reach(ctx.session, ctx.member, target)
    lines = [T.BROADCAST_PREVIEW_TITLE]
    if route.each:
        lines.append(T.BROADCAST_PREVIEW_TO.format(to=_to(ctx), n=len(found.reachable)))
        if found.unreachable:
            lines.append(_unreachable_line(found.unreachable))
    messages = dict(found.messages) if route.each else {}
    if route.chat is not None:
        lines.append(T.BROADCAST_PREVIEW_GROUP)
        messages[route.chat[0]] = messages.get(route.chat[0], 0) + 1
    sendable = bool(found.reachable and route.each) or route.chat is not None
    if sendable:
        lines.append(_when_line(ctx, broadcasts.going_out_at(ctx.config, ctx.now)))
        if route.each:
            lines.append(T.BROADCAST_PREVIEW_ACK)
        lines += await _quota_lines(ctx, messages)
    else:
        lines.append(T.BROADCAST_NOBODY)
    signature = broadcasts.signature(ctx.config, ctx.member)
    lines += ["", T.BROADCAST_MESSAGE.format(sender=signature, text=ctx.data["text"])]
    send = (Option(_SEND, T.BROADCAST_BTN_SEND, ("gui", "gui di", "dong y"), means=vocabulary.YES),) if sendable else ()
    retarget = (Option(_RETARGET, T.BROADCAST_BTN_RETARGET, ("doi nguoi nhan",)),) if ctx.role.is_commune_wide else ()
    options = (
        *send,
        Option(_EDIT, T.BROADCAST_BTN_EDIT, ("sua",)),
        *retarget,
        Option(_CANCEL, T.BROADCAST_BTN_CANCEL, ("bo", "xoa", "xoa di", "khong gui"), means=vocabulary.NO),
    )
    return Reply("\n".join(lines), options)


async def preview_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.BROADCAST_PREVIEW_CHOOSE)
    key = answer.keys[0]
    if key == _EDIT:
        return Go("text")
    if key == _RETARGET:
        return Go("audience")
    if key == _CANCEL:
        return Finish((Reply(T.BROADCAST_CANCELLED),))
    return await _send(ctx)


async def _send(ctx: Ctx) -> Outcome:
    target = _target(ctx)
    if not broadcasts.allowed(ctx.member, target):
        await audit.denied(ctx.session, ctx.now, ctx.member.id, "broadcast", None, "audience_not_allowed")
        return Finish((Reply(T.NOT_ALLOWED),))
    route = await broadcasts.group_route(ctx.session, ctx.config, ctx.member, target)
    found = await broadcasts.reach(ctx.session, ctx.member, target)
    if not (found.reachable and route.each) and route.chat is None:
        return Stay(T.BROADCAST_NOBODY)
    sent = await broadcasts.create(ctx.session, ctx.config, ctx.member, target, ctx.data["text"], ctx.now)
    lines = []
    if sent.recipient_count or sent.group_outbox_id is None:
        lines.append(T.BROADCAST_SENT.format(to=_to(ctx), n=sent.recipient_count, messages=sent.message_count))
    if sent.group_outbox_id is not None:
        lines.append(T.BROADCAST_SENT_GROUP)
    if sent.send_at > ctx.now:
        lines.append(T.BROADCAST_SENT_HELD.format(at=_at(ctx, sent.send_at)))
    lines.append(T.BROADCAST_SENT_HINT)
    return Finish((Reply("\n".join(lines)),))


# --- what was sent, and who has read it --------------------------------------------------------------------------
async def _to_history(ctx: Ctx) -> Outcome:
    if not await broadcasts.recent(ctx.session, ctx.member, limit=1):
        return Stay(T.BROADCAST_HISTORY_EMPTY)
    return Go("history")


def _history_label(ctx: Ctx, summary: broadcasts.Summary) -> str:
    b = summary.broadcast
    if b.group_outbox_id is not None and not b.recipient_count:  # to the group only: nobody acknowledges
        return T.BROADCAST_HISTORY_ITEM_GROUP.format(
            at=_short_at(ctx, b.created_at),
            to=audience_name(ctx, Audience(b.audience), b.team_code),
            text=_snippet(b.text),
        )
    return T.BROADCAST_HISTORY_ITEM.format(
        at=_short_at(ctx, b.created_at),
        to=audience_name(ctx, Audience(b.audience), b.team_code),
        text=_snippet(b.text),
        acknowledged=summary.acknowledged,
        n=b.recipient_count,
    )


async def history_prompt(ctx: Ctx) -> Reply:
    found = await broadcasts.recent(ctx.session, ctx.member)
    items = tuple(Option(f"{_BROADCAST_PREFIX}{s.broadcast.id}", _history_label(ctx, s)) for s in found)
    back = Option(_BACK, T.BROADCAST_BTN_BACK, ("quay lai",))
    close = Option(_CLOSE, T.BROADCAST_BTN_CLOSE, ("dong", "xong"))
    heading = T.BROADCAST_HISTORY_ALL if ctx.role.is_commune_wide else T.BROADCAST_HISTORY_OWN
    return Reply(heading, (*items, back, close))


async def history_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    key = answer.keys[0]
    if key == _BACK:
        return Go(_first_step(ctx))
    if key == _CLOSE:
        return Finish((Reply(T.BROADCAST_CLOSED),))
    broadcast_id = int(key.removeprefix(_BROADCAST_PREFIX))
    found = await ctx.session.get(Broadcast, broadcast_id)
    if found is None or not broadcasts.may_see(ctx.member, found):
        await audit.denied(ctx.session, ctx.now, ctx.member.id, "broadcast", broadcast_id, "not_visible")
        return Finish((Reply(T.NOT_ALLOWED),))
    ctx.data["bid"] = broadcast_id
    return Go("status")


def _names_by_team(ctx: Ctx, status: Status, state: State) -> list[str]:
    """One line per team: "• Thôn Đông Tạ: An, Bình"; a broadcast to one team lists the names alone."""
    one_team = status.broadcast.audience == Audience.TEAM.value
    groups: dict[str | None, list[str]] = {}
    for r in status.recipients:
        if r.state is state:
            groups.setdefault(r.team_code, []).append(r.name)
    if one_team:
        return [T.BROADCAST_STATUS_NAMES.format(names=", ".join(n for names in groups.values() for n in names))]
    return [
        T.BROADCAST_STATUS_TEAM.format(team=_team_name(ctx, code), names=", ".join(names))
        for code, names in groups.items()
    ]


def status_text(ctx: Ctx, status: Status, sender_name: str) -> str:
    """A broadcast's recipients by state, names grouped by team: short enough to read on a phone."""
    b = status.broadcast
    to = audience_name(ctx, Audience(b.audience), b.team_code)
    parts = [
        T.BROADCAST_STATUS_COUNT_PARTS[state.value].format(n=status.count(state))
        for state in _STATE_ORDER
        if status.count(state)
    ]
    lines = [
        T.BROADCAST_STATUS_TITLE.format(at=_at(ctx, b.created_at), sender=sender_name, to=to),
        T.BROADCAST_STATUS_TEXT.format(text=_snippet(b.text)),
    ]
    if status.group is not None:  # the group's one message: sent or not, never "received" by anyone in particular
        lines.append(T.BROADCAST_STATUS_GROUP.format(state=T.BROADCAST_GROUP_STATES[status.group.value]))
    if status.recipients or status.group is None:
        lines.append(T.BROADCAST_STATUS_COUNTS.format(n=len(status.recipients), parts=" · ".join(parts)))
    if b.send_at > ctx.now and (status.count(State.PENDING) or status.group is State.PENDING):
        lines.append(T.BROADCAST_STATUS_HELD.format(at=_at(ctx, b.send_at)))
    for state in _STATE_ORDER:
        if status.count(state):
            lines += ["", T.BROADCAST_STATE_HEADINGS[state.value].format(n=status.count(state))]
            lines += _names_by_team(ctx, status, state)
    return "\n".join(lines)


async def status_prompt(ctx: Ctx) -> Reply:
    broadcast = await ctx.session.get(Broadcast, int(ctx.data["bid"]))
    assert broadcast is not None, "a broadcast is never deleted"
    sender = await ctx.session.get(Member, broadcast.sender_member_id)
    found = await broadcasts.status(ctx.session, broadcast)
    options = (
        Option(_REFRESH, T.BROADCAST_BTN_REFRESH, ("cap nhat", "xem lai")),
        Option(_HISTORY, T.BROADCAST_BTN_OTHER, ("thong bao khac",)),
        Option(_CLOSE, T.BROADCAST_BTN_CLOSE, ("dong", "xong")),
    )
    return Reply(status_text(ctx, found, sender.display_name if sender else ""), options)


async def status_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    key = answer.keys[0]
    if key == _REFRESH:
        return Go("status")
    if key == _HISTORY:
        return Go("history")
    return Finish((Reply(T.BROADCAST_CLOSED),))


FLOW = Flow(
    name=NAME,
    title=T.FLOW_TITLE_BROADCAST,
    start=start,
    steps={
        "audience": Step(audience_prompt, audience_answer, stops_on_no=True),
        "team": Step(team_prompt, team_answer),
        "text": Step(text_prompt, text_answer, numeric_answer=True, keeps_text=True),
        "preview": Step(preview_prompt, preview_answer),
        "history": Step(history_prompt, history_answer),
        "status": Step(status_prompt, status_answer),
    },
)
