"""Team members and the channel identities (Telegram, Zalo, terminal) that belong to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.roles import Role
from bot.store.models import ChannelIdentity, Conversation, Member


async def by_identity(session: AsyncSession, channel: str, user_ref: str) -> Member | None:
    stmt = (
        select(Member)
        .join(ChannelIdentity, ChannelIdentity.member_id == Member.id)  # type: ignore[arg-type]
        .where(ChannelIdentity.channel == channel, ChannelIdentity.user_ref == user_ref, Member.active)
    )
    return (await session.exec(stmt)).first()


# Built once (every message asks it; its parameters: the channel and the user): building it cost as much as
# running it.
_WITH_FLOW = (
    select(Member, Conversation)
    .join(ChannelIdentity, ChannelIdentity.member_id == Member.id)  # type: ignore[arg-type]
    .outerjoin(
        Conversation,
        and_(Conversation.channel == ChannelIdentity.channel, Conversation.user_ref == ChannelIdentity.user_ref),
    )
    .where(
        ChannelIdentity.channel == bindparam("channel"),
        ChannelIdentity.user_ref == bindparam("user_ref"),
        Member.active,
    )
)


async def by_identity_with_flow(
    session: AsyncSession, channel: str, user_ref: str
) -> tuple[Member | None, Conversation | None]:
    """The active member behind a channel identity and the chat's unfinished flow state, in one query: every
    message asks for both. The state is then in the session (a later `session.get` costs no query)."""
    row = (await session.exec(_WITH_FLOW, params={"channel": channel, "user_ref": user_ref})).first()
    return (None, None) if row is None else (row[0], row[1])


async def link_identity(
    session: AsyncSession, member: Member, channel: str, user_ref: str, chat_ref: str, now: datetime
) -> None:
    existing = (
        await session.exec(
            select(ChannelIdentity).where(ChannelIdentity.channel == channel, ChannelIdentity.user_ref == user_ref)
        )
    ).first()
    if existing is None:
        session.add(
            ChannelIdentity(channel=channel, user_ref=user_ref, chat_ref=chat_ref, member_id=member.id, created_at=now)
        )
    else:
        existing.member_id = member.id  # type: ignore[assignment]
        existing.chat_ref = chat_ref
        session.add(existing)


async def private_chat(session: AsyncSession, channel: str, user_ref: str) -> str | None:
    """Where this user's private chat with the bot is (their identity's chat), for an answer to a group message."""
    stmt = select(ChannelIdentity.chat_ref).where(
        ChannelIdentity.channel == channel, ChannelIdentity.user_ref == user_ref
    )
    return (await session.exec(stmt)).first()


async def of_team(session: AsyncSession, team_code: str) -> list[Member]:
    """The team's active leaders and members (not staff), by id."""
    stmt = select(Member).where(
        Member.team_code == team_code,
        col(Member.active).is_(True),
        col(Member.role).in_([Role.MEMBER.value, Role.LEADER.value]),
    )
    return list((await session.exec(stmt.order_by(col(Member.id)))).all())
