"""Joining cannot be raced or guessed: one code lets exactly one person in, and wrong codes slow the sender down."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import col, func, select

from bot import texts as T
from bot.core.roles import Role
from bot.scheduler import prune_join_attempts
from bot.services import invites
from bot.store.models import AuditEntry, ChannelIdentity, Invite, JoinAttempt, Member
from tests.chat import Chat, joined, new_code

WRONG = "/start ABCD2345"  # the shape of a code, but none was made


async def _count(deps, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with deps.store.session() as s:
        return int((await s.exec(select(func.count()).select_from(model).where(*where))).one())


async def test_one_staff_code_sent_by_eight_at_once_lets_exactly_one_in(router, deps):
    """Posted in a group, a staff invite must not make eight staff: the invite is claimed by one transaction."""
    code = await new_code(deps, Role.STAFF, None, name="Cán bộ xã")
    chats = [Chat(router, f"g{i}") for i in range(8)]
    await asyncio.gather(*(chat.say(f"/start {code}") for chat in chats))
    answers = sorted(chat.text for chat in chats)
    welcomed = [a for a in answers if a.startswith("Chào mừng")]
    assert len(welcomed) == 1, answers
    assert answers.count(T.JOIN_USED) == 7
    assert await _count(deps, Member) == 1
    assert await _count(deps, ChannelIdentity) == 1
    async with deps.store.session() as s:
        invite = (await s.exec(select(Invite))).one()
        member = (await s.exec(select(Member))).one()
    assert invite.used_by == member.id and member.role == Role.STAFF.value


async def test_a_link_code_sent_from_two_accounts_at_once_links_one(router, deps):
    member = await joined(router, deps, "tg-1")
    await member.say("/lienket")
    code = member.text.split("/start ")[1].split()[0].strip(".,)")
    others = [Chat(router, f"zalo-{i}", channel="zalo") for i in range(2)]
    await asyncio.gather(*(chat.say(f"/start {code}") for chat in others))
    assert sorted(chat.text == T.JOIN_USED for chat in others) == [False, True]
    assert await _count(deps, ChannelIdentity) == 2  # the first account and one of the two


async def test_wrong_codes_cool_the_sender_down_without_locking_out_the_invitee(router, deps, clock):
    policy = deps.config.invites
    code = await new_code(deps, Role.MEMBER, "T01", name="Lê Thị Hoa")
    guesser = Chat(router, "guess")
    for _ in range(policy.max_attempts):
        await guesser.say(WRONG)
        assert guesser.text == T.JOIN_UNKNOWN
        clock.advance(timedelta(seconds=10))
    await guesser.say(f"/start {code}")  # even the right code is not looked at during the cool-down
    assert guesser.text == T.JOIN_THROTTLED.format(
        tries=policy.max_attempts, minutes=policy.attempt_window_minutes
    )  # 9 min 10 s, rounded up
    assert await _count(deps, Member) == 0

    invitee = Chat(router, "invitee")  # someone else's guessing does not touch the real invitee
    await invitee.say(f"/start {code}")
    assert invitee.text.startswith("Chào mừng Lê Thị Hoa")


async def test_the_cool_down_ends_when_the_oldest_failure_leaves_the_window(router, deps, clock):
    policy = deps.config.invites
    window = timedelta(minutes=policy.attempt_window_minutes)
    chat = Chat(router, "typo")
    first = clock.now()
    for _ in range(policy.max_attempts):
        await chat.say(WRONG)
        clock.advance(timedelta(minutes=1))
    await chat.say(WRONG)
    assert chat.text.startswith(T.JOIN_THROTTLED.split("{")[0])
    clock.set(first + window + timedelta(seconds=1))  # the first failure has left the window: one more try
    code = await new_code(deps, Role.MEMBER, "T02", name="Phạm Văn Tú")
    await chat.say(f"/start {code}")
    assert chat.text.startswith("Chào mừng Phạm Văn Tú")


async def test_a_cool_down_is_audited_once_and_refusals_do_not_extend_it(router, deps, clock):
    policy = deps.config.invites
    chat = Chat(router, "bot-farm", channel="zalo")
    for _ in range(policy.max_attempts):
        await chat.say(WRONG)
    for _ in range(20):  # a script keeps sending while refused
        await chat.say(WRONG)
        assert chat.text.startswith(T.JOIN_THROTTLED.split("{")[0])
        clock.advance(timedelta(seconds=5))
    throttled = AuditEntry.action == "invite.throttled"
    assert await _count(deps, AuditEntry, throttled) == 1
    async with deps.store.session() as s:
        entry = (await s.exec(select(AuditEntry).where(throttled))).one()
    assert entry.detail == {"channel": "zalo", "failures": policy.max_attempts}  # no code, no sender id
    failures = await _count(deps, JoinAttempt, col(JoinAttempt.throttled).is_(False))
    assert failures == policy.max_attempts  # refusals are kept apart: they do not push the window on
    clock.advance(timedelta(minutes=policy.attempt_window_minutes))
    await chat.say(WRONG)
    assert chat.text == T.JOIN_UNKNOWN  # tried again once the window passed


async def test_old_attempts_are_pruned(router, deps, clock):
    for i in range(3):
        await Chat(router, f"p{i}").say(WRONG)
    clock.advance(invites.ATTEMPT_RETENTION + timedelta(minutes=1))
    await Chat(router, "fresh").say(WRONG)
    assert await prune_join_attempts(deps) == 3  # the nightly job
    assert await _count(deps, JoinAttempt) == 1
