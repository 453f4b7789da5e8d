"""Reminders: their moments (pure), who gets what and when, grace after downtime, quiet hours, the config rules.

The small commune here is shared with the other reminder tests (tests/services/test_reminders_quarter.py,
tests/test_scheduler.py, tests/test_cli_reminders.py, tests/channels/test_console_outbox.py):

T01 Thôn Đông Tạ    Nguyễn Văn An (leader, Telegram), Phạm Văn Cường (member, Zalo)
T02 Thôn Kiến Lao   Lê Thị Bình (leader, Zalo), Võ Văn Em (member, Telegram)
staff               Trần Thị Lan (Telegram and Zalo)
T03–T05 have nobody; everyone joined on 01/08/2026.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
import yaml
from sqlmodel import col, select

from bot.config import Config, ConfigError, DeadlineReminder, ReminderTexts, load_config
from bot.core.clock import VN_TZ
from bot.core.periods import Kind
from bot.core.roles import Role
from bot.services import outbox, reminders, reports, weekly_summary
from bot.store.db import Store
from bot.store.models import ChannelIdentity, Household, Member, OutboxItem, Setting, Visit
from tests.test_config import _write


def vn(month: int, day: int, hour: int = 8, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


@dataclass
class People:
    staff: Member
    an: Member  # T01 leader
    cuong: Member  # T01 member
    binh: Member  # T02 leader
    em: Member  # T02 member

    def __getitem__(self, name: str) -> Member:
        return getattr(self, name)


JOINED = vn(8, 1)
PEOPLE = [
    ("staff", "Trần Thị Lan", Role.STAFF, None, ("telegram", "zalo")),
    ("an", "Nguyễn Văn An", Role.LEADER, "T01", ("telegram",)),
    ("cuong", "Phạm Văn Cường", Role.MEMBER, "T01", ("zalo",)),
    ("binh", "Lê Thị Bình", Role.LEADER, "T02", ("zalo",)),
    ("em", "Võ Văn Em", Role.MEMBER, "T02", ("telegram",)),
]


async def commune(store: Store) -> People:
    found: dict[str, Member] = {}
    async with store.session() as s:
        for key, name, role, team, channels in PEOPLE:
            member = Member(display_name=name, role=role.value, team_code=team, created_at=JOINED)
            s.add(member)
            await s.flush()
            for channel in channels:
                ref = f"{channel}-{key}"
                s.add(
                    ChannelIdentity(channel=channel, user_ref=ref, chat_ref=ref, member_id=member.id, created_at=JOINED)
                )
            found[key] = member
    return People(**found)


async def visit(store: Store, member: Member, day: date, outcome: str = "done", people: int = 1) -> Visit:
    """A visit by `member` to a new household of the member's team (assigned to them)."""
    async with store.session() as s:
        home = Household(
            team_code=member.team_code or "",
            head_name="Hộ thử",
            name_key="ho thu",
            address="Xóm 1",
            address_key="xom 1",
            assigned_member_id=member.id,
            created_at=JOINED,
            updated_at=JOINED,
        )
        s.add(home)
        await s.flush()
        row = Visit(
            household_id=home.id or 0,
            member_id=member.id or 0,
            team_code=member.team_code or "",
            visited_on=day,
            people_count=people,
            outcome=outcome,
            created_at=JOINED,
        )
        s.add(row)
    return row


async def submit(store: Store, config: Config, team: str, key: str, at: datetime) -> None:
    period = config.reporting.windows.parse(key)
    assert period is not None
    async with store.session() as s:
        await reports.submit(s, config, team, period, None, at)


async def tick(store: Store, config: Config, at: datetime) -> int:
    async with store.session() as s:
        return await reminders.run(s, config, at.astimezone(UTC))


async def queued(store: Store) -> list[OutboxItem]:
    async with store.session() as s:
        return list((await s.exec(select(OutboxItem).order_by(col(OutboxItem.id)))).all())


async def keys(store: Store) -> set[str]:
    return {row.dedup_key or "" for row in await queued(store)}


def with_reminders(config: Config, **changes: object) -> Config:
    return config.model_copy(update={"reminders": config.reminders.model_copy(update=changes)})


def leaders_only(config: Config) -> Config:
    """The shipped rules, but no member nudges before the monthly deadline."""
    return with_reminders(config, monthly=DeadlineReminder(days_before=(3, 1)))


# --- moments (no store) ------------------------------------------------------------------------------------------
def _rules(config: Config, since: datetime, until: datetime) -> list[tuple[str, str, str]]:
    return [
        (m.rule, m.period.key if m.period else "", f"{m.at.astimezone(VN_TZ):%d/%m %H:%M}")
        for m in reminders.moments(config, since.astimezone(UTC), until.astimezone(UTC))
    ]


def test_the_shipped_rules_follow_the_seeds_deadlines(config):
    # November: the month before the 25th, the year before 05/12; Mondays' summaries
    assert _rules(config, vn(11, 20, 0), vn(11, 29, 0)) == [
        ("year-d14", "2026", "21/11 08:00"),
        ("month-d3", "2026-11", "22/11 08:00"),
        ("weekly", "", "23/11 07:30"),
        ("month-d1", "2026-11", "24/11 08:00"),
        ("month-late1", "2026-11", "25/11 08:30"),
        ("month-late3", "2026-11", "27/11 08:30"),
        ("year-d7", "2026", "28/11 08:00"),
    ]
    # the quarter before the 21st of its last month
    december = _rules(config, vn(12, 13, 0), vn(12, 24, 0))
    assert [r for r in december if r[0].startswith("quarter")] == [
        ("quarter-d7", "2026-Q4", "14/12 08:00"),
        ("quarter-d3", "2026-Q4", "18/12 08:00"),
        ("quarter-d1", "2026-Q4", "20/12 08:00"),
        ("quarter-late1", "2026-Q4", "21/12 08:30"),
        ("quarter-late3", "2026-Q4", "23/12 08:30"),
    ]
    # March is a quarter's last month too; February is not
    assert ("quarter-d7", "2027-Q1", "14/03 08:00") in _rules(config, vn(3, 14, 0, year=2027), vn(3, 15, 0, year=2027))
    assert not [r for r in _rules(config, vn(2, 1, 0, year=2027), vn(2, 28, 0, year=2027)) if "quarter" in r[0]]


def test_the_window_is_half_open(config):
    assert _rules(config, vn(11, 22, 7, 59), vn(11, 22, 8)) == [("month-d3", "2026-11", "22/11 08:00")]
    assert _rules(config, vn(11, 22, 8), vn(11, 22, 9)) == []


def test_cutoff_windows_take_their_due_dates_from_reporting(config):
    windowed = config.model_copy(update={"reporting": config.reporting.model_copy(update={"cutoff_day": 15})})
    found = _rules(windowed, vn(11, 21, 0), vn(11, 23, 0))
    assert ("month-d3", "2026-11", "22/11 08:00") in found  # 15/10–14/11, still due before the 25th


def test_period_due_on(config):
    assert reminders.period_due_on(config, Kind.QUARTER, date(2026, 12, 21)).key == "2026-Q4"
    assert reminders.period_due_on(config, Kind.QUARTER, date(2026, 11, 21)) is None
    assert reminders.period_due_on(config, Kind.YEAR, date(2026, 12, 5)).key == "2026"


# --- config ------------------------------------------------------------------------------------------------------
def test_the_default_texts_pass_their_own_check():
    defaults = {name: getattr(ReminderTexts(), name) for name in ReminderTexts.PLACEHOLDERS}
    assert ReminderTexts.model_validate(defaults) == ReminderTexts()
    assert set(ReminderTexts.PLACEHOLDERS) == set(ReminderTexts.model_fields)


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (
            lambda r: r.update(texts={"leader_due": "Hạn {due}, còn {ngay} ngày"}),
            "reminders.texts.leader_due",
            "{ngay}",
        ),
        (lambda r: r.update(texts={"staff_overdue": "Tổ {team} trễ"}), "reminders.texts.staff_overdue", "{team}"),
        (lambda r: r.update(texts={"weekly_summary": "Tuần {week"}), "reminders.texts.weekly_summary", "ngoặc nhọn"),
        (lambda r: r.update(texts={"leader_late": "x"}), "reminders.texts.leader_late", "gõ sai"),
        (lambda r: r["monthly"].update(at=480), "reminders.monthly.at", "ngoặc kép"),
        (lambda r: r["quarterly"].update(days_before=[3, 3]), "reminders.quarterly.days_before", "một lần"),
        (lambda r: r["yearly"].update(days_late=[0]), "reminders.yearly.days_late.0", "khoảng"),
        (lambda r: r["monthly"].update(to=["everyone"]), "reminders.monthly.to.0", "leaders"),
        (lambda r: r["weekly_summary"].update(weekday=8), "reminders.weekly_summary.weekday", "khoảng"),
    ],
)
def test_a_wrong_reminder_setting_names_the_key(tmp_path, change, key, words):
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, lambda c: change(c["reminders"])))
    message = str(err.value)
    assert f"`{key}`" in message and words in message, message


def test_a_commune_may_rewrite_a_text(tmp_path):
    path = _write(tmp_path, lambda c: c["reminders"].update(texts={"leader_due": "Nhắc {name}: {period}, {due}."}))
    config = load_config(path)
    assert config.reminders.texts.leader_due == "Nhắc {name}: {period}, {due}."
    assert config.reminders.texts.leader_overdue == ReminderTexts().leader_overdue


def test_the_shipped_yaml_states_the_defaults():
    raw = yaml.safe_load(open("config.yaml", encoding="utf-8"))["reminders"]
    assert raw["monthly"]["days_before"] == [3, 1] and raw["quarterly"]["days_before"] == [7, 3, 1]
    assert DeadlineReminder().at == time(8, 0)


# --- who gets what -----------------------------------------------------------------------------------------------
async def test_leaders_whose_team_has_not_submitted_are_reminded(deps, config):
    people = await commune(deps.store)
    await submit(deps.store, config, "T01", "2026-11", vn(11, 21, 10))
    assert await tick(deps.store, leaders_only(config), vn(11, 22, 8)) == 1
    (row,) = await queued(deps.store)
    assert row.dedup_key == f"rem:month-d3:2026-11:{people.binh.id}:zalo" and row.chat_ref == "zalo-binh"
    assert row.text == (
        "⏰ Chào Lê Thị Bình, báo cáo tháng 11/2026 của Thôn Kiến Lao cần nộp trước ngày 25/11/2026 (còn 3 ngày). "
        "Gõ /baocao để xem số liệu và nộp."
    )
    assert row.next_attempt_at == vn(11, 22, 8)


async def test_a_reopened_report_is_owed_again(deps, config):
    people = await commune(deps.store)
    await submit(deps.store, config, "T01", "2026-11", vn(11, 21, 10))
    await submit(deps.store, config, "T02", "2026-11", vn(11, 21, 10))
    assert await tick(deps.store, config, vn(11, 22, 8)) == 0
    async with deps.store.session() as s:
        report = await reports.get(s, "T01", "2026-11")
        await reports.reopen(s, report, people.staff.id, vn(11, 23, 9))
    assert await tick(deps.store, leaders_only(config), vn(11, 24, 8)) == 1
    assert await keys(deps.store) == {f"rem:month-d1:2026-11:{people.an.id}:telegram"}


async def test_members_are_nudged_only_when_they_owe_something(deps, config):
    people = await commune(deps.store)
    await visit(deps.store, people.cuong, date(2026, 11, 20))  # Cường visited two days ago
    await visit(deps.store, people.an, date(2026, 11, 10), outcome="return")  # An owes a return visit
    await visit(deps.store, people.binh, date(2026, 11, 21), outcome="return")  # too recent to be overdue
    await submit(deps.store, config, "T02", "2026-11", vn(11, 21, 10))  # T02 owes no monthly report
    await tick(deps.store, config, vn(11, 22, 8))
    rows = {row.dedup_key: row.text for row in await queued(deps.store)}
    assert set(rows) == {
        f"rem:month-d3:2026-11:{people.an.id}:telegram",
        f"rem:inactive:2026-11-22:{people.an.id}:telegram",  # his only visit was 12 days ago
        f"rem:returns:2026-11-22:{people.an.id}:telegram",
    }
    assert rows[f"rem:returns:2026-11-22:{people.an.id}:telegram"] == (
        "🔁 Chào Nguyễn Văn An, bạn có 1 hộ đang chờ quay lại hỗ trợ (hộ chờ lâu nhất từ ngày 10/11/2026). "
        "Gõ /canquaylai để xem danh sách."
    )
    assert "đã 7 ngày bạn chưa ghi nhận" in rows[f"rem:inactive:2026-11-22:{people.an.id}:telegram"]


async def test_nudges_come_once_a_day_whichever_deadline_asks(deps, config):
    people = await commune(deps.store)
    everyone = ("leaders", "inactive_members")
    busy = with_reminders(
        config,
        monthly=DeadlineReminder(days_before=(3,), to=everyone),
        quarterly=DeadlineReminder(days_before=(29,), at=time(10, 0), to=everyone),  # 21/12 − 29 = 22/11 10:00
    )
    await tick(deps.store, busy, vn(11, 22, 8))
    await tick(deps.store, busy, vn(11, 22, 10))
    nudges = sorted(k for k in await keys(deps.store) if ":inactive:" in k)
    assert nudges == sorted(
        f"rem:inactive:2026-11-22:{m.id}:{ch}"
        for m, ch in [(people.an, "telegram"), (people.cuong, "zalo"), (people.binh, "zalo"), (people.em, "telegram")]
    )
    assert f"rem:quarter-d29:2026-Q4:{people.an.id}:telegram" in await keys(deps.store)


async def test_after_the_due_date_staff_get_the_missing_teams_and_late_leaders_a_warning(deps, config):
    people = await commune(deps.store)
    for team in ("T01", "T03", "T04"):
        await submit(deps.store, config, team, "2026-11", vn(11, 24, 10))
    await tick(deps.store, config, vn(11, 25, 8, 30))
    rows = {row.dedup_key: row.text for row in await queued(deps.store)}
    staff_text = (
        "📋 Báo cáo tháng 11/2026 (hạn trước ngày 25/11/2026): còn 2 tổ chưa nộp: Thôn Kiến Lao, Thôn Xuân Sơn. "
        "Gõ /baocao để xem chi tiết."
    )
    assert rows == {
        f"rem:month-late1:2026-11:{people.binh.id}:zalo": (
            "⚠️ Chào Lê Thị Bình, báo cáo tháng 11/2026 của Thôn Kiến Lao đã quá hạn 1 ngày "
            "(hạn: trước ngày 25/11/2026). Gõ /baocao để nộp ngay."
        ),
        f"rem:month-late1:2026-11:{people.staff.id}:telegram": staff_text,
        f"rem:month-late1:2026-11:{people.staff.id}:zalo": staff_text,
    }


async def test_nobody_is_told_when_every_team_has_reported(deps, config):
    await commune(deps.store)
    for team in config.teams:
        await submit(deps.store, config, team.code, "2026-11", vn(11, 24, 10))
    assert await tick(deps.store, config, vn(11, 25, 8, 30)) == 0
    assert await tick(deps.store, config, vn(11, 27, 8, 30)) == 0


async def test_the_weekly_summary(deps, config):
    people = await commune(deps.store)
    await visit(deps.store, people.an, date(2026, 11, 16), people=3)
    await visit(deps.store, people.an, date(2026, 11, 22))
    await visit(deps.store, people.an, date(2026, 11, 15))  # the week before
    await visit(deps.store, people.an, date(2026, 11, 23))  # today: next week's
    await submit(deps.store, config, "T01", "2026", vn(11, 20, 9))
    await tick(deps.store, config, vn(11, 23, 7, 30))
    rows = {row.dedup_key: row.text for row in await queued(deps.store)}
    assert set(rows) == {
        f"rem:weekly:2026-11-16:{people.an.id}:telegram",
        f"rem:weekly:2026-11-16:{people.binh.id}:zalo",
    }
    assert rows[f"rem:weekly:2026-11-16:{people.an.id}:telegram"] == (
        "📊 Tổng kết tuần 16/11–22/11/2026 — Thôn Đông Tạ\n"
        "• Nguyễn Văn An: 4 lượt người, 2 hộ\n"
        "• Phạm Văn Cường: 0 lượt người, 0 hộ\n"
        "Chưa ghi nhận lượt nào trong tuần: Phạm Văn Cường.\n"
        "Báo cáo sắp đến hạn:\n"
        "• tháng 11/2026: trước ngày 25/11/2026 (còn 2 ngày)\n"
        "• quý IV/2026: trước ngày 21/12/2026 (còn 28 ngày)"
    )  # the year's report is in; December's is more than a month away


async def test_the_weekly_summary_lists_a_late_report_and_may_be_turned_off(deps, config):
    people = await commune(deps.store)
    async with deps.store.session() as s:
        week = await weekly_summary.team_week(s, config, config.team("T02"), date(2026, 11, 30))
    assert "• tháng 11/2026: đã quá hạn 6 ngày (hạn trước ngày 25/11/2026)" in week.due
    assert week.inactive == "Chưa ghi nhận lượt nào trong tuần: Lê Thị Bình, Võ Văn Em."
    off = with_reminders(config, weekly_summary=config.reminders.weekly_summary.model_copy(update={"enabled": False}))
    assert "weekly" in [r[0] for r in _rules(config, vn(11, 29), vn(12, 1))]
    assert "weekly" not in [r[0] for r in _rules(off, vn(11, 29), vn(12, 1))]
    assert people.binh.team_code == "T02"


# --- when: grace, quiet hours, never twice -----------------------------------------------------------------------
async def test_a_second_tick_and_a_second_run_queue_nothing(deps, config):
    await commune(deps.store)
    assert await tick(deps.store, config, vn(11, 22, 8)) == 6  # An and Bình; four nudges, as nobody has visited
    assert await tick(deps.store, config, vn(11, 22, 8)) == 0
    assert await tick(deps.store, config, vn(11, 22, 8, 5)) == 0
    async with deps.store.session() as s:  # even without the marker, the outbox keys hold
        await s.delete(await s.get(Setting, reminders.LAST_RUN_KEY))
    assert await tick(deps.store, config, vn(11, 22, 8, 10)) == 0
    assert len(await queued(deps.store)) == 6  # none twice


async def test_a_moment_missed_while_down_goes_out_late_within_grace(deps, config, caplog):
    people = await commune(deps.store)
    await submit(deps.store, config, "T01", "2026-11", vn(11, 21, 10))
    await submit(deps.store, config, "T01", "2026", vn(11, 20, 10))
    config = leaders_only(config)
    await tick(deps.store, config, vn(11, 22, 6))
    assert await tick(deps.store, config, vn(11, 22, 19, 30)) == 1  # 08:00 passed while down; 11½ h < 12 h
    rows = await queued(deps.store)
    assert {r.next_attempt_at for r in rows} == {vn(11, 22, 19, 30)}
    assert f"rem:month-d3:2026-11:{people.binh.id}:zalo" in await keys(deps.store)
    # down for longer than grace_hours: 23/11 07:30 and 24/11 08:00 are skipped; the log gives counts, nothing else
    with caplog.at_level(logging.INFO, logger="bot.services.reminders"):
        assert await tick(deps.store, config, vn(11, 24, 21)) == 0
    assert "2 moment(s) older than grace_hours were skipped" in caplog.text
    assert "Bình" not in caplog.text and "Chào" not in caplog.text


async def test_a_before_reminder_caught_up_on_the_due_day_is_left_to_the_escalation(deps, config):
    people = await commune(deps.store)
    late = with_reminders(config, grace_hours=30)
    await tick(deps.store, late, vn(11, 24, 7))
    await tick(deps.store, late, vn(11, 25, 9))  # 24/11 08:00 (d1) and 25/11 08:30 (late1) both missed
    monthly = {k for k in await keys(deps.store) if k.split(":")[1].startswith("month")}
    assert {k for k in monthly if k.split(":")[3] == str(people.binh.id)} == {
        f"rem:month-late1:2026-11:{people.binh.id}:zalo"
    }


async def test_quiet_hours_hold_messages_until_morning(deps, config):
    await commune(deps.store)
    evening = with_reminders(config, monthly=DeadlineReminder(days_before=(3,), at=time(22, 0)))
    assert await tick(deps.store, evening, vn(11, 22, 22)) == 2
    morning = vn(11, 23, 7)
    assert {r.next_attempt_at for r in await queued(deps.store)} == {morning}
    async with deps.store.session() as s:
        assert await outbox.due(s, "zalo", vn(11, 22, 23, 59)) == []
        assert await outbox.due(s, "telegram", vn(11, 23, 6, 59)) == []
        assert len(await outbox.due(s, "zalo", morning)) == 1
        assert len(await outbox.due(s, "telegram", morning)) == 1


async def test_a_reminder_held_overnight_is_withdrawn_when_the_team_submits_before_morning(deps, config):
    people = await commune(deps.store)
    evening = with_reminders(config, monthly=DeadlineReminder(days_before=(3,), at=time(22, 0)))
    assert await tick(deps.store, evening, vn(11, 22, 22)) == 2  # T01's and T02's leaders, held until 07:00
    await submit(deps.store, config, "T01", "2026-11", vn(11, 23, 6, 30))
    rows = {r.dedup_key: r.status for r in await queued(deps.store)}
    assert rows == {
        f"rem:month-d3:2026-11:{people.an.id}:telegram": outbox.WITHDRAWN,
        f"rem:month-d3:2026-11:{people.binh.id}:zalo": outbox.PENDING,
    }
    async with deps.store.session() as s:
        assert await outbox.due(s, "telegram", vn(11, 23, 7)) == []
        assert len(await outbox.due(s, "zalo", vn(11, 23, 7))) == 1


async def test_a_catch_up_at_night_waits_for_the_morning_too(deps, config):
    await commune(deps.store)
    wide = with_reminders(config, grace_hours=16)
    assert await tick(deps.store, wide, vn(11, 22, 7)) == 0
    assert await tick(deps.store, wide, vn(11, 22, 23, 30)) == 6  # 08:00 reminders and nudges, caught up at night
    assert {r.next_attempt_at for r in await queued(deps.store)} == {vn(11, 23, 7)}


async def test_a_failed_run_leaves_nothing_behind_and_the_next_tick_sends_it(deps, config, monkeypatch):
    await commune(deps.store)
    real = outbox.enqueue
    calls = 0

    async def flaky(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 3:
            raise ConnectionError("database went away")
        return await real(*args, **kwargs)

    monkeypatch.setattr(outbox, "enqueue", flaky)
    with pytest.raises(ConnectionError):
        await tick(deps.store, config, vn(11, 22, 8))
    assert await queued(deps.store) == []  # rolled back with the marker
    assert await tick(deps.store, config, vn(11, 22, 8, 5)) == 6


async def test_a_member_without_an_app_is_skipped_and_the_preview_says_so(deps, config):
    people = await commune(deps.store)
    async with deps.store.session() as s:
        for identity in (
            await s.exec(select(ChannelIdentity).where(ChannelIdentity.member_id == people.binh.id))
        ).all():
            await s.delete(identity)
    assert await tick(deps.store, config, vn(11, 22, 8)) == 4  # An's reminder, three nudges; nothing for Bình
    async with deps.store.session() as s:
        rows = await reminders.preview(s, config, vn(11, 22, 7, 55), vn(11, 22, 8))
    shown = {(r.planned.name, r.channel, r.queued) for r in rows}
    assert ("Lê Thị Bình", None, False) in shown and ("Nguyễn Văn An", "telegram", True) in shown


async def test_preview_writes_nothing(deps, config):
    people = await commune(deps.store)
    async with deps.store.session() as s:
        rows = await reminders.preview(s, config, vn(12, 18, 0), vn(12, 18, 23, 59))
    assert [(r.planned.rule, r.planned.member_id, r.channel) for r in rows] == [
        ("quarter-d3", people.an.id, "telegram"),
        ("quarter-d3", people.binh.id, "zalo"),
    ]
    assert await queued(deps.store) == []
    async with deps.store.session() as s:
        assert await reminders.last_run(s) is None
    text = reminders.preview_text(config, rows, vn(12, 18, 23, 59), whole_day=True)
    assert text.splitlines()[0] == "Trong ngày 18/12/2026 sẽ gửi 2 tin nhắc việc:"
    assert "📨 Gửi tới Lê Thị Bình (Zalo): ⏰ Chào Lê Thị Bình, báo cáo quý IV/2026" in text
