"""Team-level messages and the team's group chat: the weekly summary and the team's deadline reminder go to the
group, to each recipient, or both, as config `group_chat` says; never twice; and a group text holds no resident's
or member's name or phone. The commune is tests/services/test_reminders.py's (T01: An leads, Cường; T02: Bình
leads, Em)."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlmodel import select

from bot.config import Config, DeadlineReminder
from bot.services import outbox, team_chats
from bot.store.db import Store
from bot.store.models import Household, OutboxItem, Setting, TeamChat, Visit
from tests.services.test_reminders import commune, queued, submit, tick, visit, vn, with_reminders

GROUP = "-100900"
WEEKLY_AT = vn(11, 23, 7, 30)  # Monday: the weekly summary of 16–22/11


def grouped(config: Config, **delivery: str) -> Config:
    return config.model_copy(update={"group_chat": config.group_chat.model_copy(update=delivery)})


async def link(store: Store, team: str = "T01", at: datetime | None = None) -> TeamChat:
    async with store.session() as s:
        return await team_chats.link(s, team, "telegram", GROUP, None, at or vn(11, 1))


def to_group(rows: list[OutboxItem]) -> list[OutboxItem]:
    return [r for r in rows if r.chat_ref == GROUP]


async def test_the_weekly_summary_goes_to_the_group_only_once(deps, config):
    people = await commune(deps.store)
    await visit(deps.store, people.an, date(2026, 11, 16), people=3)
    await visit(deps.store, people.cuong, date(2026, 11, 18))
    await link(deps.store)
    settings = grouped(config, weekly_summary="group")
    await tick(deps.store, settings, WEEKLY_AT)
    rows = await queued(deps.store)
    assert [(r.channel, r.chat_ref, r.dedup_key) for r in to_group(rows)] == [
        ("telegram", GROUP, "rem:weekly:2026-11-16:team-T01:telegram")
    ]
    assert to_group(rows)[0].text == (
        "📊 Tổng kết tuần 16/11–22/11/2026 — Thôn Đông Tạ\n"
        "Cả tổ: 4 lượt người, 2 hộ; 2/2 thành viên có ghi nhận.\n"
        "Báo cáo sắp đến hạn:\n"
        "• tháng 11/2026: trước ngày 25/11/2026 (còn 2 ngày)\n"
        "• năm 2026: trước ngày 05/12/2026 (còn 12 ngày)\n"
        "• quý IV/2026: trước ngày 21/12/2026 (còn 28 ngày)"
    )
    # T01's leader gets nothing privately; T02 has no group, so its leader still does
    assert {r.dedup_key for r in rows if r.chat_ref != GROUP} == {f"rem:weekly:2026-11-16:{people.binh.id}:zalo"}
    async with deps.store.session() as s:  # a restart that lost the marker queues nothing twice
        await s.delete(await s.get(Setting, "reminders.last_run"))
    assert await tick(deps.store, settings, WEEKLY_AT) == 0
    assert len(await queued(deps.store)) == 2


async def test_both_sends_to_the_group_and_to_each_recipient(deps, config):
    people = await commune(deps.store)
    await link(deps.store)
    await tick(deps.store, grouped(config, weekly_summary="both"), WEEKLY_AT)
    keys = {r.dedup_key for r in await queued(deps.store)}
    assert keys == {
        "rem:weekly:2026-11-16:team-T01:telegram",
        f"rem:weekly:2026-11-16:{people.an.id}:telegram",
        f"rem:weekly:2026-11-16:{people.binh.id}:zalo",
    }


async def test_group_without_a_linked_group_falls_back_to_each(deps, config):
    people = await commune(deps.store)
    await tick(deps.store, grouped(config, weekly_summary="group"), WEEKLY_AT)
    assert {r.dedup_key for r in await queued(deps.store)} == {
        f"rem:weekly:2026-11-16:{people.an.id}:telegram",
        f"rem:weekly:2026-11-16:{people.binh.id}:zalo",
    }


async def test_the_default_keeps_every_message_private_even_with_a_group(deps, config):
    await commune(deps.store)
    await link(deps.store)
    await tick(deps.store, config, WEEKLY_AT)
    assert to_group(await queued(deps.store)) == []


async def test_a_group_the_bot_was_removed_from_is_dropped_and_the_team_reached_privately(deps, config):
    people = await commune(deps.store)
    row = await link(deps.store)
    settings = grouped(config, weekly_summary="group")
    async with deps.store.session() as s:  # the outbox sender found the group gone
        blocked = await outbox.enqueue(s, "telegram", GROUP, vn(11, 10), text="…")
        assert blocked is not None
        outbox.mark_failed(blocked, "Forbidden: bot was kicked", blocked=True)
        s.add(blocked)
    await tick(deps.store, settings, WEEKLY_AT)
    assert f"rem:weekly:2026-11-16:{people.an.id}:telegram" in {r.dedup_key for r in await queued(deps.store)}
    async with deps.store.session() as s:
        gone = await s.get(TeamChat, row.id)
        assert gone is not None and not gone.active and gone.unlinked_by is None
    again = await link(deps.store, at=vn(11, 24))  # linked again later: the old blocked row does not count against it
    async with deps.store.session() as s:
        assert (await team_chats.active(s, "T01")) is not None
        assert again.id != row.id


TEAM_RULE = DeadlineReminder(days_before=(3,), at=time(8, 0), to=("leaders", "team"))


async def test_the_teams_deadline_reminder_goes_to_its_group_or_to_each_member(deps, config):
    people = await commune(deps.store)
    await link(deps.store)
    settings = grouped(with_reminders(config, monthly=TEAM_RULE), reminders="group")
    await tick(deps.store, settings, vn(11, 22, 8))
    rows = await queued(deps.store)
    assert {r.dedup_key for r in rows} == {
        f"rem:month-d3:2026-11:{people.an.id}:telegram",  # the leaders' own reminders, as before
        f"rem:month-d3:2026-11:{people.binh.id}:zalo",
        "rem:month-d3-team:2026-11:team-T01:telegram",  # T01's group
        f"rem:month-d3-team:2026-11:{people.em.id}:telegram",  # T02 has no group: its member, privately
    }
    assert to_group(rows)[0].text.startswith("⏰ Thôn Đông Tạ: báo cáo tháng 11/2026 chốt trước ngày 25/11/2026")
    assert await tick(deps.store, settings, vn(11, 22, 8)) == 0


async def test_the_teams_reminders_held_overnight_are_withdrawn_when_it_submits(deps, config):
    people = await commune(deps.store)
    await link(deps.store)
    evening = DeadlineReminder(days_before=(3,), at=time(22, 0), to=("team",))
    settings = grouped(with_reminders(config, monthly=evening), reminders="both")
    await tick(deps.store, settings, vn(11, 22, 22))
    await submit(deps.store, config, "T01", "2026-11", vn(11, 23, 6, 30))
    rows = {r.dedup_key: r.status for r in await queued(deps.store)}
    assert rows == {
        "rem:month-d3-team:2026-11:team-T01:telegram": outbox.WITHDRAWN,
        f"rem:month-d3-team:2026-11:{people.an.id}:telegram": outbox.WITHDRAWN,
        f"rem:month-d3-team:2026-11:{people.cuong.id}:zalo": outbox.WITHDRAWN,
        f"rem:month-d3-team:2026-11:{people.binh.id}:zalo": outbox.PENDING,
        f"rem:month-d3-team:2026-11:{people.em.id}:telegram": outbox.PENDING,
    }


RESIDENTS = [("Hoàng Thị Mận", "0912345678"), ("Đinh Công Tráng", "0987654321"), ("Lò Văn Páo", "0355111222")]


async def test_group_texts_hold_no_residents_or_members_names_or_phones(deps, config):
    """A commune with households and visits: every message to the group is free of their names and phones, and of
    the members' names (the private summary names them; the group's does not)."""
    people = await commune(deps.store)
    async with deps.store.session() as s:
        for i, (name, phone) in enumerate(RESIDENTS):
            home = Household(
                team_code="T01",
                head_name=name,
                name_key=name.lower(),
                address=f"Xóm {i + 1}",
                address_key=f"xom {i + 1}",
                phone=phone,
                assigned_member_id=people.cuong.id,
                created_at=vn(8, 1),
                updated_at=vn(8, 1),
            )
            s.add(home)
            await s.flush()
            s.add(
                Visit(
                    household_id=home.id or 0,
                    member_id=people.cuong.id or 0,
                    team_code="T01",
                    visited_on=date(2026, 11, 17),
                    people_count=2,
                    outcome="return" if i == 0 else "done",
                    note=f"Gọi {phone} trước khi đến",
                    created_at=vn(11, 17),
                )
            )
    await link(deps.store)
    settings = grouped(
        with_reminders(config, monthly=DeadlineReminder(days_before=(3,), to=("leaders", "team", "overdue_returns"))),
        weekly_summary="both",
        reminders="both",
    )
    await tick(deps.store, settings, vn(11, 22, 8))
    await tick(deps.store, settings, WEEKLY_AT)
    async with deps.store.session() as s:
        group_texts = (await s.exec(select(OutboxItem.text).where(OutboxItem.chat_ref == GROUP))).all()
        private = (await s.exec(select(OutboxItem.text).where(OutboxItem.chat_ref != GROUP))).all()
    assert len(group_texts) == 2  # the team's reminder and its weekly summary
    secrets = [w for name, phone in RESIDENTS for w in (name, phone, phone[-6:])]
    secrets += [m.display_name for m in (people.an, people.cuong, people.binh, people.em, people.staff)]
    for text in group_texts:
        for secret in secrets:
            assert secret not in text, (secret, text)
    assert any(people.cuong.display_name in t for t in private)  # the private summary still names members
