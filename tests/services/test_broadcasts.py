"""The broadcast service on SQLite and PostgreSQL: audiences, queueing, delivery states, acknowledgements."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.services import broadcasts, outbox
from bot.services.broadcasts import AckOutcome, Audience, State, Target
from bot.store.models import AuditEntry, BroadcastRecipient, ChannelIdentity, Member, OutboxItem

COMMUNE, LEADERS = Target(Audience.COMMUNE), Target(Audience.LEADERS)


def _team(code: str) -> Target:
    return Target(Audience.TEAM, code)


async def _people(session, now) -> dict[str, Member]:
    """Staff, a leader and two members in T01 (one on two channels, one with none), a leader in T02, a former
    member."""
    rows = {
        "staff": Member(display_name="Cán bộ", role="staff", created_at=now),
        "staff2": Member(display_name="Cán bộ hai", role="staff", created_at=now),
        "lead1": Member(display_name="Tổ trưởng một", role="leader", team_code="T01", created_at=now),
        "an": Member(display_name="An", role="member", team_code="T01", created_at=now),
        "binh": Member(display_name="Bình", role="member", team_code="T01", created_at=now),
        "lead2": Member(display_name="Tổ trưởng hai", role="leader", team_code="T02", created_at=now),
        "gone": Member(display_name="Đã nghỉ", role="member", team_code="T01", active=False, created_at=now),
    }
    for member in rows.values():
        session.add(member)
    await session.flush()
    links = [("staff", "telegram"), ("lead1", "zalo"), ("an", "telegram"), ("an", "zalo"), ("lead2", "telegram")]
    links += [("gone", "zalo"), ("staff2", "zalo")]
    for n, (who, channel) in enumerate(links):
        ref = f"{channel}-{n}"
        session.add(
            ChannelIdentity(channel=channel, user_ref=ref, chat_ref=ref, member_id=rows[who].id, created_at=now)
        )
    await session.flush()
    return rows


def test_who_may_send_to_whom():
    staff = Member(id=1, display_name="s", role="staff")
    admin = Member(id=2, display_name="a", role="admin")
    leader = Member(id=3, display_name="l", role="leader", team_code="T01")
    member = Member(id=4, display_name="m", role="member", team_code="T01")
    lost = Member(id=5, display_name="x", role="leader")
    for sender in (staff, admin):
        assert all(broadcasts.allowed(sender, t) for t in (COMMUNE, LEADERS, _team("T01"), _team("T02")))
        assert not broadcasts.allowed(sender, Target(Audience.TEAM))
    assert broadcasts.allowed(leader, _team("T01"))
    assert not any(broadcasts.allowed(leader, t) for t in (COMMUNE, LEADERS, _team("T02")))
    assert not any(broadcasts.allowed(member, t) for t in (COMMUNE, _team("T01")))
    assert not broadcasts.allowed(lost, Target(Audience.TEAM, None))


def test_clean_text_keeps_lines_and_masks_citizen_ids():
    text, masked = broadcasts.clean_text("  Kính gửi các tổ,  \n\n\n\nHọp lúc 8h.\nCCCD 001234567890  ")
    assert text == "Kính gửi các tổ,\n\nHọp lúc 8h.\nCCCD ************" and masked
    assert broadcasts.clean_text(" \n \n") == ("", False)


async def test_audiences(store, clock):
    async with store.session() as s:
        p = await _people(s, clock.now())
        names = {
            key: [m.display_name for m in await broadcasts.audience(s, p["staff"], t)]
            for key, t in (("commune", COMMUNE), ("leaders", LEADERS), ("t01", _team("T01")))
        }
        own = await broadcasts.audience(s, p["lead1"], _team("T01"))
        reach = await broadcasts.reach(s, p["staff"], COMMUNE)
    assert names["commune"] == ["An", "Bình", "Tổ trưởng một", "Tổ trưởng hai"]
    assert names["leaders"] == ["Tổ trưởng một", "Tổ trưởng hai"]
    assert names["t01"] == ["An", "Bình", "Tổ trưởng một"]
    assert [m.display_name for m in own] == ["An", "Bình"]  # not the sender
    assert [m.display_name for m in reach.unreachable] == ["Bình"]
    assert len(reach.reachable) == 3


async def test_create_queues_one_row_per_identity_and_refuses_another_team(store, clock, config):
    async with store.session() as s:
        p = await _people(s, clock.now())
        sent = await broadcasts.create(s, config, p["staff"], COMMUNE, "Họp", clock.now())
        with pytest.raises(PermissionError):
            await broadcasts.create(s, config, p["lead1"], _team("T02"), "Họp", clock.now())
        rows = (await s.exec(select(OutboxItem))).all()
    assert (sent.recipient_count, sent.message_count) == (3, 4)
    assert sorted(r.channel for r in rows) == ["telegram", "telegram", "zalo", "zalo"]
    assert all(r.dedup_key and r.dedup_key.startswith(f"bc:{sent.id}:") for r in rows)


async def test_delivery_states_come_from_the_outbox_rows(store, clock, config):
    async with store.session() as s:
        p = await _people(s, clock.now())
        sent = await broadcasts.create(s, config, p["staff"], COMMUNE, "Họp", clock.now())
        rows = {(r.channel, r.chat_ref): r for r in (await s.exec(select(OutboxItem))).all()}
        by_member = {i.member_id: i for i in (await s.exec(select(ChannelIdentity))).all()}
        an_rows = [r for (ch, ref), r in rows.items() if ref in ("telegram-2", "zalo-3")]
        outbox.mark_failed(an_rows[0], "Forbidden", blocked=True)
        outbox.mark_sent(an_rows[1], clock.now())  # An: blocked on one app, delivered on the other
        lead2 = rows[("telegram", by_member[p["lead2"].id].chat_ref)]
        outbox.mark_failed(lead2, "Forbidden", blocked=True)
        await s.flush()
        found = await broadcasts.status(s, sent)
        states = {r.name: r.state for r in found.recipients}
        assert states == {"An": State.DELIVERED, "Tổ trưởng một": State.PENDING, "Tổ trưởng hai": State.FAILED}

        assert (await broadcasts.acknowledge_latest(s, p["lead1"].id, "zalo", clock.now())).outcome is (
            AckOutcome.NOTHING
        )  # not delivered yet
        done = await broadcasts.acknowledge_latest(s, p["an"].id, "zalo", clock.now())
        assert (done.outcome, done.sender_name, done.remaining) == (AckOutcome.DONE, "Cán bộ", 0)
        found = await broadcasts.status(s, sent)
        assert found.count(State.ACKNOWLEDGED) == 1 and found.count(State.FAILED) == 1
        [summary] = await broadcasts.recent(s, p["staff2"])  # staff see every broadcast; leaders their own
        assert summary.acknowledged == 1
        assert await broadcasts.recent(s, p["lead1"]) == []


async def test_a_token_acknowledges_for_its_member_only(store, clock, config):
    async with store.session() as s:
        p = await _people(s, clock.now())
        await broadcasts.create(s, config, p["lead1"], _team("T01"), "Họp tổ", clock.now())
        [token] = [r.token for r in (await s.exec(select(BroadcastRecipient))).all()]
        refused = await broadcasts.acknowledge_token(s, token, p["lead2"].id, "telegram", clock.now())
        assert refused == broadcasts.Ack(AckOutcome.REFUSED)
        assert (await broadcasts.acknowledge_token(s, "x" * 65, p["an"].id, "telegram", clock.now())).outcome is (
            AckOutcome.REFUSED
        )
        assert (await broadcasts.acknowledge_token(s, token, p["an"].id, "telegram", clock.now())).outcome is (
            AckOutcome.DONE
        )
        again = await broadcasts.acknowledge_token(s, token, p["an"].id, "zalo", clock.now())
        assert again.outcome is AckOutcome.ALREADY and again.acknowledged_at == clock.now()
        await s.flush()
        denied = (await s.exec(select(AuditEntry).where(AuditEntry.action == "access.denied"))).all()
    assert [(d.actor_member_id, d.detail["reason"]) for d in denied] == [
        (p["lead2"].id, "other_member"),
        (p["an"].id, "unknown_token"),
    ]
