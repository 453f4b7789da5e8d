"""Broadcasts (/thongbao): who receives one, queueing it through the outbox, "Đã nhận", and who has read it.

Staff (and admins) write to the whole commune, to the leaders only, or to one team; a leader to their own team.
Recipients are active members (role member or leader as the audience says) other than the sender; a member gets
the message once on every channel identity they have, as one outbox row each, held until the end of quiet hours
when it is written during them. Each recipient has an unguessable token, kept in each of their outbox rows: a
channel with buttons shows it as the payload of a "✅ Đã nhận" button; one without asks for the reply word
"đã nhận", which acknowledges the member's latest delivered, unacknowledged broadcast.

A leader's notice to their own team may go to the team's linked group chat instead, or as well (config
`group_chat.broadcasts`): one outbox row to the group, with no "Đã nhận" (acknowledgements are per member). Sent
only to the group, the broadcast has no recipients; its status is the group row's (`group_outbox_id`).

A recipient's delivery state is read from their outbox rows (ids kept on the recipient row): sent on at least
one channel, still pending, or failed or blocked on all of them. The broadcast text is staff's own; like
residents' data it is never logged, and the audit trail holds ids and counts only.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts as T
from bot.config import Config
from bot.core.quiet_hours import send_at
from bot.core.roles import Role
from bot.core.text import mask_citizen_ids
from bot.render.split import utf16_len
from bot.services import audit, outbox, team_chats
from bot.services.team_chats import Route
from bot.store.models import Broadcast, BroadcastRecipient, ChannelIdentity, Member, OutboxItem

TEXT_LIMIT = 1600  # UTF-16 units (an emoji counts two): with its heading and reply word, one Zalo message (2,000)
ACK_PREFIX = "ack:"  # Telegram callback data of the "Đã nhận" button: ack:<recipient token>
ACK_PAYLOAD = outbox.ACK  # outbox payload key: each channel shows a button for this token, or its reply word
HISTORY_LIMIT = 8  # broadcasts offered by "📋 Xem thông báo đã gửi"
UNACKNOWLEDGED_LOOKBACK = 50  # a typed "đã nhận" looks at this many of the member's newest unacknowledged ones


class Audience(StrEnum):
    COMMUNE = "commune"  # every team's members and leaders
    LEADERS = "leaders"  # every team's leader
    TEAM = "team"  # one team's members and leader


class State(StrEnum):
    """Where one recipient stands, in the order a status list shows them."""

    ACKNOWLEDGED = "acknowledged"
    DELIVERED = "delivered"  # sent on at least one channel, not yet acknowledged
    PENDING = "pending"  # nothing sent yet (quiet hours, quota, retrying)
    FAILED = "failed"  # failed or blocked on every channel


class AckOutcome(StrEnum):
    DONE = "done"
    ALREADY = "already"
    REFUSED = "refused"  # unknown token, or another member's: nothing is revealed
    NOTHING = "nothing"  # a typed "đã nhận" with no delivered, unacknowledged broadcast


@dataclass(frozen=True)
class Target:
    audience: Audience
    team_code: str | None = None  # for Audience.TEAM


@dataclass(frozen=True)
class Reach:
    """The audience of a broadcast: who will get it, and who cannot (no Telegram or Zalo linked)."""

    reachable: list[Member]
    unreachable: list[Member]
    messages: dict[str, int] = field(default_factory=dict)  # channel → messages it will take (one per app linked)


@dataclass(frozen=True)
class Ack:
    outcome: AckOutcome
    broadcast: Broadcast | None = None
    sender_name: str = ""
    acknowledged_at: datetime | None = None
    remaining: int = 0  # other delivered broadcasts the member has not acknowledged yet


@dataclass(frozen=True)
class RecipientState:
    name: str
    team_code: str | None
    state: State


@dataclass(frozen=True)
class Status:
    broadcast: Broadcast
    recipients: list[RecipientState]
    group: State | None = None  # the team's group chat's message, when it went there (never ACKNOWLEDGED)

    def count(self, state: State) -> int:
        return sum(1 for r in self.recipients if r.state is state)


@dataclass(frozen=True)
class Summary:
    """One line of a list of broadcasts: the broadcast and how many of its recipients acknowledged it."""

    broadcast: Broadcast
    acknowledged: int


# --- who may send what, and to whom -----------------------------------------------------------------------------
def allowed(sender: Member, target: Target) -> bool:
    """Staff and admins: any audience; a leader: their own team only; members: nothing."""
    role = Role(sender.role)
    if role.is_commune_wide:
        return target.audience is not Audience.TEAM or bool(target.team_code)
    if role is Role.LEADER:
        return target.audience is Audience.TEAM and bool(sender.team_code) and target.team_code == sender.team_code
    return False


async def audience(session: AsyncSession, sender: Member, target: Target) -> list[Member]:
    """The active members the target names, the sender left out, by team and name."""
    roles = [Role.LEADER.value] if target.audience is Audience.LEADERS else [Role.MEMBER.value, Role.LEADER.value]
    stmt = select(Member).where(col(Member.active).is_(True), col(Member.role).in_(roles), Member.id != sender.id)
    if target.audience is Audience.TEAM:
        stmt = stmt.where(Member.team_code == target.team_code)
    stmt = stmt.order_by(col(Member.team_code), col(Member.display_name), col(Member.id))
    return list((await session.exec(stmt)).all())


async def _identities(session: AsyncSession, member_ids: list[int]) -> dict[int, list[ChannelIdentity]]:
    if not member_ids:
        return {}
    stmt = (
        select(ChannelIdentity).where(col(ChannelIdentity.member_id).in_(member_ids)).order_by(col(ChannelIdentity.id))
    )
    found: dict[int, list[ChannelIdentity]] = {}
    for identity in (await session.exec(stmt)).all():
        found.setdefault(identity.member_id, []).append(identity)
    return found


async def reach(session: AsyncSession, sender: Member, target: Target) -> Reach:
    members = await audience(session, sender, target)
    linked = await _identities(session, [m.id for m in members if m.id is not None])
    messages = Counter(identity.channel for found in linked.values() for identity in found)
    return Reach(
        reachable=[m for m in members if linked.get(m.id or 0)],
        unreachable=[m for m in members if not linked.get(m.id or 0)],
        messages=dict(messages),
    )


async def group_route(session: AsyncSession, config: Config, sender: Member, target: Target) -> Route:
    """Whether a broadcast goes to the team's group chat and to each member: only a leader's notice to their own
    team may go to the group; everything else goes to each member, as without one."""
    if target.audience is not Audience.TEAM or Role(sender.role) is not Role.LEADER or not target.team_code:
        return Route(None, each=True)
    return await team_chats.route(session, target.team_code, config.group_chat.broadcasts)


def going_out_at(config: Config, now: datetime) -> datetime:
    """When a broadcast written `now` goes out: now, or the end of quiet hours."""
    quiet = config.quiet_hours
    return send_at(now, quiet.start, quiet.end, config.tz)


# --- the message ------------------------------------------------------------------------------------------------
def clean_text(text: str) -> tuple[str, bool]:
    """The text as it will be sent: trimmed lines, at most one blank line in a row, citizen ID numbers masked."""
    lines = [line.strip() for line in text.strip().splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return mask_citizen_ids("\n".join(kept).strip())


def length(text: str) -> int:
    """A text's length as TEXT_LIMIT counts it (as Telegram and Zalo count it)."""
    return utf16_len(text)


def signature(config: Config, sender: Member) -> str:
    """Who a broadcast is from, as its recipients read it: "Nguyễn Văn A, tổ trưởng Thôn Đông Tạ"."""
    role = Role(sender.role)
    if role.is_commune_wide:
        return T.BROADCAST_FROM_STAFF.format(name=sender.display_name, commune=config.commune.name)
    team = config.team(sender.team_code)
    return T.BROADCAST_FROM_LEADER.format(name=sender.display_name, team=team.name if team else "")


def message_text(config: Config, sender: Member, text: str) -> str:
    """What every recipient reads: the heading and the text. A channel adds its "Đã nhận" button or reply word."""
    return T.BROADCAST_MESSAGE.format(sender=signature(config, sender), text=text)


# --- sending ------------------------------------------------------------------------------------------------------
async def create(
    session: AsyncSession, config: Config, sender: Member, target: Target, text: str, now: datetime
) -> Broadcast:
    """Store the broadcast and queue it for every channel of every reachable recipient (one transaction)."""
    if not allowed(sender, target):
        raise PermissionError("this member may not send to this audience")
    route = await group_route(session, config, sender, target)
    found = await reach(session, sender, target) if route.each else Reach([], [])
    linked = await _identities(session, [m.id for m in found.reachable if m.id is not None])
    at = going_out_at(config, now)
    broadcast = Broadcast(
        sender_member_id=sender.id,  # type: ignore[arg-type]
        audience=target.audience.value,
        team_code=target.team_code if target.audience is Audience.TEAM else None,
        text=text,
        send_at=at,
        created_at=now,
    )
    session.add(broadcast)
    await session.flush()
    tokens = {member.id or 0: secrets.token_urlsafe(16) for member in found.reachable}
    wanted: list[outbox.Message] = []
    body = message_text(config, sender, text)
    owners: list[int] = []  # the recipient of each message in `wanted`
    for member in found.reachable:
        for identity in linked[member.id or 0]:
            owners.append(member.id or 0)
            wanted.append(
                outbox.Message(
                    identity.channel,
                    identity.chat_ref,
                    body,
                    dedup_key=f"bc:{broadcast.id}:{member.id}:{identity.channel}:{identity.id}",
                    payload={ACK_PAYLOAD: tokens[member.id or 0]},
                )
            )
    group_key = None
    if route.chat is not None:  # one message to the group, without a "Đã nhận": that is each member's own
        channel, chat_ref = route.chat
        group_key = f"bc:{broadcast.id}:group:{channel}"
        wanted.append(outbox.Message(channel, chat_ref, body, dedup_key=group_key))
    queued = await outbox.enqueue_many(session, wanted, now, not_before=at if at > now else None)
    broadcast.group_outbox_id = queued.get(group_key) if group_key else None
    ids_by_member: dict[int, list[int]] = {}
    for member_id, message in zip(owners, wanted, strict=False):  # the group's message, last, has no owner
        if message.dedup_key in queued:
            ids_by_member.setdefault(member_id, []).append(queued[message.dedup_key])
    session.add_all(
        BroadcastRecipient(
            broadcast_id=broadcast.id,  # type: ignore[arg-type]
            member_id=member.id,  # type: ignore[arg-type]
            token=tokens[member.id or 0],
            outbox_ids=ids_by_member.get(member.id or 0, []),
        )
        for member in found.reachable
    )
    messages = len(queued)
    broadcast.recipient_count, broadcast.message_count = len(found.reachable), messages
    session.add(broadcast)
    await audit.record(
        session,
        now,
        sender.id,
        "broadcast.sent",
        "broadcast",
        broadcast.id,
        audience=broadcast.audience,
        team=broadcast.team_code,
        recipients=broadcast.recipient_count,
        messages=messages,
        group=broadcast.group_outbox_id is not None,
        unreachable=len(found.unreachable),
    )
    return broadcast


# --- acknowledging ------------------------------------------------------------------------------------------------
async def _sender_name(session: AsyncSession, broadcast: Broadcast) -> str:
    sender = await session.get(Member, broadcast.sender_member_id)
    return sender.display_name if sender else ""


async def _unacknowledged(session: AsyncSession, member_id: int) -> list[tuple[BroadcastRecipient, Broadcast]]:
    """The member's delivered broadcasts not yet acknowledged, newest first."""
    stmt = (
        select(BroadcastRecipient, Broadcast)
        .join(Broadcast, col(Broadcast.id) == BroadcastRecipient.broadcast_id)
        .where(BroadcastRecipient.member_id == member_id, col(BroadcastRecipient.acknowledged_at).is_(None))
        .order_by(col(Broadcast.created_at).desc(), col(Broadcast.id).desc())
    )
    rows = list((await session.exec(stmt.limit(UNACKNOWLEDGED_LOOKBACK))).all())
    ids = [i for recipient, _ in rows for i in recipient.outbox_ids]
    if not ids:
        return []
    delivered = select(OutboxItem.id).where(col(OutboxItem.id).in_(ids), OutboxItem.status == outbox.SENT)
    sent = set((await session.exec(delivered)).all())
    return [(r, b) for r, b in rows if sent.intersection(r.outbox_ids)]


async def _mark(
    session: AsyncSession, recipient: BroadcastRecipient, broadcast: Broadcast, channel: str, now: datetime
) -> Ack:
    recipient.acknowledged_at, recipient.acknowledged_via = now, channel[:20]
    session.add(recipient)
    await session.flush()
    remaining = len(await _unacknowledged(session, recipient.member_id))
    return Ack(AckOutcome.DONE, broadcast, await _sender_name(session, broadcast), now, remaining)


async def acknowledge_token(session: AsyncSession, token: str, member_id: int, channel: str, now: datetime) -> Ack:
    """The button: only the member the token was made for may acknowledge with it; anyone else is refused and
    the attempt is audited, with nothing said about the broadcast."""
    recipient = None
    if 0 < len(token) <= 64:
        stmt = select(BroadcastRecipient).where(BroadcastRecipient.token == token)
        recipient = (await session.exec(stmt)).first()
    if recipient is None or recipient.member_id != member_id:
        reason = "unknown_token" if recipient is None else "other_member"
        entity_id = None if recipient is None else recipient.broadcast_id
        await audit.denied(session, now, member_id, "broadcast", entity_id, reason)
        return Ack(AckOutcome.REFUSED)
    broadcast = await session.get(Broadcast, recipient.broadcast_id)
    assert broadcast is not None
    if recipient.acknowledged_at is not None:
        name = await _sender_name(session, broadcast)
        return Ack(AckOutcome.ALREADY, broadcast, name, recipient.acknowledged_at)
    return await _mark(session, recipient, broadcast, channel, now)


async def acknowledge_latest(session: AsyncSession, member_id: int, channel: str, now: datetime) -> Ack:
    """The typed "đã nhận": the member's newest delivered broadcast not yet acknowledged."""
    waiting = await _unacknowledged(session, member_id)
    if not waiting:
        return Ack(AckOutcome.NOTHING)
    recipient, broadcast = waiting[0]
    return await _mark(session, recipient, broadcast, channel, now)


# --- who has read it ----------------------------------------------------------------------------------------------
def may_see(viewer: Member, broadcast: Broadcast) -> bool:
    """Staff and admins see every broadcast; a leader the ones they sent."""
    return Role(viewer.role).is_commune_wide or broadcast.sender_member_id == viewer.id


async def recent(session: AsyncSession, viewer: Member, limit: int = HISTORY_LIMIT) -> list[Summary]:
    """The newest broadcasts the viewer may see, with how many recipients acknowledged each."""
    stmt = select(Broadcast).order_by(col(Broadcast.created_at).desc(), col(Broadcast.id).desc()).limit(limit)
    if not Role(viewer.role).is_commune_wide:
        stmt = stmt.where(Broadcast.sender_member_id == viewer.id)
    found = list((await session.exec(stmt)).all())
    if not found:
        return []
    counts = select(BroadcastRecipient.broadcast_id, func.count()).where(
        col(BroadcastRecipient.broadcast_id).in_([b.id for b in found]),
        col(BroadcastRecipient.acknowledged_at).is_not(None),
    )
    acknowledged = dict((await session.exec(counts.group_by(BroadcastRecipient.broadcast_id))).all())
    return [Summary(b, int(acknowledged.get(b.id, 0))) for b in found]


def _state(acknowledged: bool, statuses: list[str]) -> State:
    if acknowledged:
        return State.ACKNOWLEDGED
    if outbox.SENT in statuses:
        return State.DELIVERED
    if outbox.PENDING in statuses:
        return State.PENDING
    return State.FAILED


async def status(session: AsyncSession, broadcast: Broadcast) -> Status:
    """Every recipient of the broadcast by name, with where their message stands."""
    stmt = (
        select(BroadcastRecipient, Member)
        .join(Member, col(Member.id) == BroadcastRecipient.member_id)
        .where(BroadcastRecipient.broadcast_id == broadcast.id)
        .order_by(col(Member.team_code), col(Member.display_name), col(Member.id))
    )
    rows = list((await session.exec(stmt)).all())
    ids = [i for recipient, _ in rows for i in recipient.outbox_ids]
    by_id: dict[int, str] = {}
    if ids:
        found = await session.exec(select(OutboxItem.id, OutboxItem.status).where(col(OutboxItem.id).in_(ids)))
        by_id = {item_id: state for item_id, state in found.all() if item_id is not None}
    group = None
    if broadcast.group_outbox_id is not None:
        row = await session.get(OutboxItem, broadcast.group_outbox_id)
        group = _state(False, [row.status if row is not None else outbox.FAILED])
    recipients = [
        RecipientState(
            member.display_name,
            member.team_code,
            _state(recipient.acknowledged_at is not None, [by_id.get(i, outbox.FAILED) for i in recipient.outbox_ids]),
        )
        for recipient, member in rows
    ]
    return Status(broadcast, recipients, group)
