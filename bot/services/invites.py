"""Single-use, expiring invite codes. Only a hash of each code is stored."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.roles import Role
from bot.services import audit, members
from bot.store.models import Invite, Member, Setting

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed on phones
CODE_LENGTH = 8
_CODE_SHAPE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")
BOT_USERNAME_KEY = "telegram.username"


class JoinError(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    ALREADY_MEMBER = "already_member"
    MEMBER_GONE = "member_gone"


@dataclass(frozen=True)
class Joined:
    member: Member
    new_member: bool  # False: this channel identity was linked to an existing member


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What people type: "abcd-2345", "ABCD 2345" → "ABCD2345"."""
    return re.sub(r"[\s\-_.]", "", text).upper()


def looks_like_code(text: str) -> bool:
    return bool(_CODE_SHAPE.match(normalise_code(text)))


def _hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


async def create(
    session: AsyncSession,
    now: datetime,
    ttl: timedelta,
    role: Role,
    team_code: str | None,
    name: str | None = None,
    created_by: int | None = None,
) -> tuple[Invite, str]:
    """A new invite and its code (the code is shown once and not stored)."""
    code = new_code()
    invite = Invite(
        code_hash=_hash(code),
        team_code=team_code,
        role=role.value,
        name=name,
        created_by=created_by,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(invite)
    await session.flush()
    await audit.record(session, now, created_by, "invite.create", "invite", invite.id, role=role.value, team=team_code)
    return invite, code


async def create_link(session: AsyncSession, now: datetime, ttl: timedelta, member: Member) -> str:
    """A code that attaches another channel (Zalo, Telegram) to this same member."""
    code = new_code()
    session.add(
        Invite(
            code_hash=_hash(code),
            team_code=member.team_code,
            role=member.role,
            member_id=member.id,
            created_by=member.id,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    await audit.record(session, now, member.id, "identity.link_code", "member", member.id)
    return code


async def redeem(
    session: AsyncSession,
    code: str,
    channel: str,
    user_ref: str,
    chat_ref: str,
    display_name: str | None,
    now: datetime,
) -> Joined | JoinError:
    """Join with a code: creates the member and links this channel identity."""
    invite = (await session.exec(select(Invite).where(Invite.code_hash == _hash(code)))).first()
    if invite is None:
        await audit.record(session, now, None, "invite.unknown", "invite", None, channel=channel)
        return JoinError.UNKNOWN
    if invite.used_at is not None:
        return JoinError.USED
    if invite.expires_at <= now:
        return JoinError.EXPIRED
    if await members.by_identity(session, channel, user_ref) is not None:
        return JoinError.ALREADY_MEMBER
    if invite.member_id is not None:
        return await _link(session, invite, channel, user_ref, chat_ref, now)
    member = Member(
        display_name=(invite.name or display_name or "Thành viên")[:120],
        role=invite.role,
        team_code=invite.team_code,
        created_at=now,
    )
    session.add(member)
    await session.flush()
    await members.link_identity(session, member, channel, user_ref, chat_ref, now)
    invite.used_at = now
    invite.used_by = member.id
    session.add(invite)
    await audit.record(session, now, member.id, "member.join", "member", member.id, invite=invite.id, channel=channel)
    return Joined(member, new_member=True)


async def _link(
    session: AsyncSession, invite: Invite, channel: str, user_ref: str, chat_ref: str, now: datetime
) -> Joined | JoinError:
    member = await session.get(Member, invite.member_id)
    if member is None or not member.active:
        return JoinError.MEMBER_GONE
    await members.link_identity(session, member, channel, user_ref, chat_ref, now)
    invite.used_at, invite.used_by = now, member.id
    session.add(invite)
    await audit.record(session, now, member.id, "identity.link", "member", member.id, channel=channel)
    return Joined(member, new_member=False)


async def bot_username(session: AsyncSession) -> str | None:
    row = await session.get(Setting, BOT_USERNAME_KEY)
    return row.value if row else None


async def remember_bot_username(session: AsyncSession, username: str) -> None:
    row = await session.get(Setting, BOT_USERNAME_KEY)
    if row is None:
        session.add(Setting(key=BOT_USERNAME_KEY, value=username))
    elif row.value != username:
        row.value = username
        session.add(row)


def deep_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"
