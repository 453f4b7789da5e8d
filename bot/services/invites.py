"""Single-use, expiring invite codes. Only a hash of each code is stored.

A code lets exactly one person in, also when several send it at the same moment: the invite is claimed by a
conditional UPDATE, so one transaction wins and the others find it used. Someone not yet a member who types wrong
codes is slowed down: after `max_attempts` failures within `attempt_window_minutes` their next tries are refused,
without looking at the code, until the oldest failure leaves the window (others are not affected, so guessing
from one account cannot lock the real invitee out).
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Invites as InvitePolicy
from bot.core.roles import Role
from bot.services import audit, members
from bot.store.models import Invite, JoinAttempt, Member, Setting

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed on phones
CODE_LENGTH = 8
_CODE_SHAPE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")
BOT_USERNAME_KEY = "telegram.username"  # the first Telegram bot's; another bot's is "<its key>.username"
ATTEMPT_RETENTION = timedelta(days=1)  # longer than the longest window config allows


class JoinError(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    ALREADY_MEMBER = "already_member"
    MEMBER_GONE = "member_gone"
    THROTTLED = "throttled"  # too many wrong codes from this sender lately: not even looked at
    OTHER_BOT = "other_bot"  # the code names another bot (of several): it is kept for that one


_COUNTED = frozenset({JoinError.UNKNOWN, JoinError.USED, JoinError.EXPIRED})  # what guessing produces


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
    bot: str | None = None,
) -> tuple[Invite, str]:
    """A new invite and its code (the code is shown once and not stored); with `bot`, only that bot takes it."""
    code = new_code()
    invite = Invite(
        code_hash=_hash(code),
        team_code=team_code,
        role=role.value,
        name=name,
        created_by=created_by,
        created_at=now,
        expires_at=now + ttl,
        bot=bot,
    )
    session.add(invite)
    await session.flush()
    await audit.record(session, now, created_by, "invite.create", "invite", invite.id, role=role.value, team=team_code)
    return invite, code


async def named_bot(session: AsyncSession, code: str) -> str | None:
    """The bot an invite code is kept for, if it names one."""
    return (await session.exec(select(Invite.bot).where(Invite.code_hash == _hash(code)))).first()


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


@dataclass(frozen=True)
class Newcomer:
    """Who sends a code: their identity on the channel they wrote from."""

    channel: str
    user_ref: str
    chat_ref: str
    display_name: str | None = None


async def redeem(
    session: AsyncSession, code: str, newcomer: Newcomer, now: datetime, policy: InvitePolicy
) -> Joined | JoinError:
    """Join with a code: creates the member and links this channel identity. A failure is counted against the
    sender (see the module's docstring)."""
    channel, user_ref = newcomer.channel, newcomer.user_ref
    failures = await _failures(session, channel, user_ref, now, policy)
    if _wait(failures, now, policy) is not None:
        await _refuse_throttled(session, channel, user_ref, now, policy, since=failures[-1])
        return JoinError.THROTTLED
    result = await _redeem(session, code, newcomer, now)
    if isinstance(result, JoinError) and result in _COUNTED:
        session.add(JoinAttempt(channel=channel, user_ref=user_ref[:64], at=now))
    return result


async def _redeem(session: AsyncSession, code: str, newcomer: Newcomer, now: datetime) -> Joined | JoinError:
    channel, user_ref, chat_ref, display_name = (
        newcomer.channel,
        newcomer.user_ref,
        newcomer.chat_ref,
        newcomer.display_name,
    )
    invite = (await session.exec(select(Invite).where(Invite.code_hash == _hash(code)))).first()
    if invite is None:
        await audit.record(session, now, None, "invite.unknown", "invite", None, channel=channel)
        return JoinError.UNKNOWN
    if invite.used_at is not None:
        return JoinError.USED
    if invite.expires_at <= now:
        return JoinError.EXPIRED
    if invite.bot is not None and invite.bot != channel:
        return JoinError.OTHER_BOT
    if await members.by_identity(session, channel, user_ref) is not None:
        return JoinError.ALREADY_MEMBER
    if invite.member_id is not None:
        return await _link(session, invite, channel, user_ref, chat_ref, now)
    if not await _claim(session, invite, now):
        return JoinError.USED
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
    if not await _claim(session, invite, now):
        return JoinError.USED
    await members.link_identity(session, member, channel, user_ref, chat_ref, now)
    invite.used_at, invite.used_by = now, member.id
    session.add(invite)
    await audit.record(session, now, member.id, "identity.link", "member", member.id, channel=channel)
    return Joined(member, new_member=False)


async def _claim(session: AsyncSession, invite: Invite, now: datetime) -> bool:
    """Mark the invite used if nobody has yet; False when another redemption got there first.

    A conditional UPDATE, not the row read earlier: on PostgreSQL a second transaction waits for the first's row
    lock, then finds `used_at` set and updates nothing; on SQLite writers take turns the same way."""
    stmt = (
        update(Invite)
        .where(col(Invite.id) == invite.id, col(Invite.used_at).is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    claimed = (await session.exec(stmt)).rowcount == 1  # type: ignore[call-overload]
    if claimed:
        invite.used_at = now  # the object read before the UPDATE, so that later flushes agree with it
    return claimed


async def _failures(
    session: AsyncSession, channel: str, user_ref: str, now: datetime, policy: InvitePolicy
) -> list[datetime]:
    since = now - timedelta(minutes=policy.attempt_window_minutes)
    stmt = (
        select(JoinAttempt.at)
        .where(
            JoinAttempt.channel == channel,
            JoinAttempt.user_ref == user_ref[:64],
            JoinAttempt.at > since,
            col(JoinAttempt.throttled).is_(False),
        )
        .order_by(col(JoinAttempt.at))
    )
    return list((await session.exec(stmt)).all())


async def retry_in(
    session: AsyncSession, channel: str, user_ref: str, now: datetime, policy: InvitePolicy
) -> timedelta | None:
    """How long this sender must wait before a code is looked at again; None when they may try now."""
    return _wait(await _failures(session, channel, user_ref, now, policy), now, policy)


def _wait(failures: list[datetime], now: datetime, policy: InvitePolicy) -> timedelta | None:
    if len(failures) < policy.max_attempts:
        return None
    # They may try again once so many failures have left the window that fewer than the limit remain.
    freed_at = failures[len(failures) - policy.max_attempts] + timedelta(minutes=policy.attempt_window_minutes)
    return max(freed_at - now, timedelta(seconds=1))


def minutes_to_wait(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds() / 60))


async def _refuse_throttled(
    session: AsyncSession, channel: str, user_ref: str, now: datetime, policy: InvitePolicy, since: datetime
) -> None:
    """Keep the refusal; the audit gets one entry per cool-down (its first refusal, after the latest failure
    `since`), not one per message."""
    earlier = await session.exec(
        select(func.count())
        .select_from(JoinAttempt)
        .where(
            JoinAttempt.channel == channel,
            JoinAttempt.user_ref == user_ref[:64],
            JoinAttempt.at >= since,
            col(JoinAttempt.throttled).is_(True),
        )
    )
    if not earlier.one():
        await audit.record(
            session, now, None, "invite.throttled", "invite", None, channel=channel, failures=policy.max_attempts
        )
    session.add(JoinAttempt(channel=channel, user_ref=user_ref[:64], at=now, throttled=True))


async def prune_attempts(session: AsyncSession, older_than: datetime) -> int:
    """Forget attempts older than any window needs (they are kept only to count recent ones)."""
    result = await session.exec(delete(JoinAttempt).where(col(JoinAttempt.at) < older_than))  # type: ignore[call-overload]
    return int(result.rowcount or 0)


def _username_key(bot: str | None) -> str:
    return BOT_USERNAME_KEY if bot is None else f"{bot}.username"  # the first bot's key gives BOT_USERNAME_KEY


async def bot_username(session: AsyncSession, bot: str | None = None) -> str | None:
    """The username of a Telegram bot (the first one by default), for invite links; None when not known."""
    row = await session.get(Setting, _username_key(bot))
    return row.value if row else None


async def remember_bot_username(session: AsyncSession, username: str, bot: str | None = None) -> None:
    key = _username_key(bot)
    row = await session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=username))
    elif row.value != username:
        row.value = username
        session.add(row)


def deep_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"
