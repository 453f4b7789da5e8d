"""A team's group chat: linking it (a leader's confirmed request), unlinking it, and where a team-level message goes.

A team has at most one active group per bot; linking another replaces it, and a group belongs to one team at a
time (linking it for another team moves it). Which message kinds go there is config `group_chat` ("each", "group",
"both"); a team without an active group always gets "each", so nothing is lost.

A group the bot can no longer reach (removed from it, the group deleted) shows as a message to it marked blocked by
the outbox sender: such a link counts as gone from then on (`active` skips it, so the next message falls back to
each member) and `drop_gone` records it as unlinked. The link's own rows are those queued after it was made: an old
blocked row does not undo a group linked again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Delivery
from bot.services import audit, outbox
from bot.store.models import OutboxItem, TeamChat

EACH, GROUP, BOTH = "each", "group", "both"


@dataclass(frozen=True)
class Route:
    """Where one team-level message goes: the group (channel and chat) if any, and whether members get it too."""

    group: TeamChat | None
    each: bool

    @property
    def chat(self) -> tuple[str, str] | None:
        return (self.group.channel, self.group.chat_ref) if self.group is not None else None


async def link(
    session: AsyncSession, team_code: str, channel: str, chat_ref: str, member_id: int | None, now: datetime
) -> TeamChat:
    """Link the group to the team, replacing the team's group on this bot and the group's link to any team."""
    await _deactivate(
        session,
        (col(TeamChat.channel) == channel)
        & ((col(TeamChat.team_code) == team_code) | (col(TeamChat.chat_ref) == chat_ref)),
        member_id,
        now,
    )
    row = TeamChat(team_code=team_code, channel=channel, chat_ref=chat_ref, linked_by=member_id, linked_at=now)
    session.add(row)
    await session.flush()
    await audit.record(session, now, member_id, "team_chat.linked", "team_chat", row.id, team=team_code)
    return row


async def unlink(
    session: AsyncSession,
    team_code: str,
    member_id: int | None,
    now: datetime,
    channel: str | None = None,
    chat_ref: str | None = None,
) -> int:
    """Unlink the team's active groups (only this one, when `channel` and `chat_ref` are given); how many."""
    where = (col(TeamChat.team_code) == team_code) & col(TeamChat.active).is_(True)
    if channel is not None and chat_ref is not None:
        where = where & (col(TeamChat.channel) == channel) & (col(TeamChat.chat_ref) == chat_ref)
    count = await _deactivate(session, where, member_id, now)
    if count:
        await audit.record(session, now, member_id, "team_chat.unlinked", "team_chat", None, team=team_code)
    return count


async def _deactivate(session: AsyncSession, where: object, member_id: int | None, now: datetime) -> int:
    stmt = (
        update(TeamChat)
        .where(where, col(TeamChat.active).is_(True))  # type: ignore[arg-type]
        .values(active=False, unlinked_at=now, unlinked_by=member_id)
    )
    result = await session.exec(stmt)  # type: ignore[call-overload]
    return int(result.rowcount or 0)


async def linked(session: AsyncSession, team_code: str) -> list[TeamChat]:
    """The team's active links, newest first (one per bot at most)."""
    stmt = (
        select(TeamChat)
        .where(TeamChat.team_code == team_code, col(TeamChat.active).is_(True))
        .order_by(col(TeamChat.linked_at).desc(), col(TeamChat.id).desc())
    )
    return list((await session.exec(stmt)).all())


async def of_chat(session: AsyncSession, channel: str, chat_ref: str) -> TeamChat | None:
    """The active link of this group, if it is linked to a team."""
    stmt = select(TeamChat).where(
        TeamChat.channel == channel, TeamChat.chat_ref == chat_ref, col(TeamChat.active).is_(True)
    )
    return (await session.exec(stmt)).first()


async def _gone(session: AsyncSession, row: TeamChat) -> bool:
    """The newest message queued to the group since it was linked was refused as unreachable."""
    stmt = (
        select(OutboxItem.status)
        .where(
            OutboxItem.channel == row.channel,
            OutboxItem.chat_ref == row.chat_ref,
            col(OutboxItem.created_at) >= row.linked_at,
            col(OutboxItem.status).in_([outbox.SENT, outbox.BLOCKED]),
        )
        .order_by(col(OutboxItem.id).desc())
        .limit(1)
    )
    return (await session.exec(stmt)).first() == outbox.BLOCKED


async def active(session: AsyncSession, team_code: str) -> TeamChat | None:
    """The team's group to send to: the newest active link whose group is still reachable. Reads only."""
    for row in await linked(session, team_code):
        if not await _gone(session, row):
            return row
    return None


async def drop_gone(session: AsyncSession, now: datetime) -> int:
    """Record as unlinked every active link whose group the bot can no longer reach; how many."""
    rows = (await session.exec(select(TeamChat).where(col(TeamChat.active).is_(True)))).all()
    dropped = 0
    for row in rows:
        if await _gone(session, row):
            row.active, row.unlinked_at, row.unlinked_by = False, now, None
            session.add(row)
            await audit.record(session, now, None, "team_chat.gone", "team_chat", row.id, team=row.team_code)
            dropped += 1
    return dropped


async def route(session: AsyncSession, team_code: str, delivery: Delivery) -> Route:
    """Where a team-level message of this delivery setting goes for this team."""
    if delivery == EACH:
        return Route(None, each=True)
    group = await active(session, team_code)
    if group is None:
        return Route(None, each=True)  # no group linked (or it is gone): every member, as without one
    return Route(group, each=delivery == BOTH)
