"""Reports: which period is current, drafts, submission on time or late, locks, reopening, completeness."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from bot.config import Config, Reporting
from bot.core.clock import VN_TZ
from bot.core.periods import Kind
from bot.services import households, period_locks, progress, reports, visits
from bot.services.households import NewHousehold
from bot.services.reports import Problem, ReportError, Standing, Status
from bot.store.models import AuditEntry, Member, PeriodLock

NOV = date(2026, 11, 20)


def _keys(periods) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.key for p in periods]


def _period(config: Config, key: str):  # type: ignore[no-untyped-def]
    period = config.reporting.windows.parse(key)
    assert period is not None
    return period


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VN_TZ)


# --- which period is current (no store) ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("today", "month", "quarter", "year"),
    [
        (date(2026, 11, 20), "2026-11", "2026-Q4", "2026"),  # all three ahead
        (date(2026, 11, 25), "2026-11", "2026-Q4", "2026"),  # the month's due day: November is late, still current
        (date(2026, 12, 2), "2026-11", "2026-Q4", "2026"),  # nearer the passed 25/11 than the coming 25/12
        (date(2026, 12, 11), "2026-12", "2026-Q4", "2026"),  # now nearer 25/12
        (date(2026, 12, 28), "2026-12", "2026-Q4", "2026"),  # Q4 and the year just passed; still the nearest
        (date(2027, 1, 3), "2026-12", "2026-Q4", "2026"),
        (date(2027, 2, 10), "2027-02", "2027-Q1", "2026"),  # the year's next deadline is 05/12/2027: far
    ],
)
def test_the_current_period_is_the_one_whose_deadline_is_nearest(config, today, month, quarter, year):
    assert _keys(reports.current_periods(config, today)) == [month, quarter, year]


def test_a_leader_is_also_offered_the_next_report_once_its_period_has_started(config):
    assert _keys(reports.offered(config, date(2026, 11, 20))) == ["2026-11", "2026-Q4", "2026"]
    assert _keys(reports.offered(config, date(2026, 11, 28))) == ["2026-11", "2026-Q4", "2026"]  # December not begun
    assert _keys(reports.offered(config, date(2026, 12, 2))) == ["2026-11", "2026-12", "2026-Q4", "2026"]
    assert _keys(reports.offered(config, date(2026, 12, 28))) == ["2026-12", "2026-Q4", "2026"]


def test_cutoff_windows_owe_the_window_that_closed_before_its_deadline(config):
    windowed = config.model_copy(update={"reporting": Reporting(cutoff_day=15)})
    # November's window is 15/10–14/11, due before 25/11; on 20/11 today already lies in December's window.
    assert _keys(reports.current_periods(windowed, date(2026, 11, 20))) == ["2026-11", "2026-Q4", "2026"]
    assert reports.upcoming(windowed, Kind.MONTH, date(2026, 11, 26)).key == "2026-12"
    assert reports.current(windowed, Kind.MONTH, date(2026, 11, 26)).key == "2026-11"


def test_standing_days_left_and_days_late(config):
    november = _period(config, "2026-11")
    ahead = reports.standing_of(config, "T01", november, None, date(2026, 11, 22))
    assert (ahead.standing, ahead.days, ahead.due_on) == (Standing.NOT_DUE, 3, date(2026, 11, 25))
    due_day = reports.standing_of(config, "T01", november, None, date(2026, 11, 25))
    assert (due_day.standing, due_day.days) == (Standing.MISSING, 1)
    assert reports.standing_of(config, "T01", november, None, date(2026, 11, 26)).days == 2


# --- the store -------------------------------------------------------------------------------------------------
async def _people(s, now: datetime) -> dict[str, Member]:  # type: ignore[no-untyped-def]
    people = {
        "lead": Member(display_name="Tổ trưởng Hùng", role="leader", team_code="T01", created_at=now),
        "lan": Member(display_name="Lan", role="member", team_code="T01", created_at=now),
        "staff": Member(display_name="Cán bộ Hà", role="staff", created_at=now),
    }
    s.add_all(people.values())
    await s.flush()
    return people


async def _visit(s, member: Member, day: date, people: int, now: datetime) -> None:  # type: ignore[no-untyped-def]
    household = await households.create(s, "T01", NewHousehold(f"Hộ {day}", "Xóm 1"), member.id, now, "2026-01")
    draft = visits.VisitDraft(household.id or 0, ("dvc", "vneid_install"), day, people)
    await visits.record(s, member, household, draft, now)


async def _actions(s) -> list[str]:  # type: ignore[no-untyped-def]
    return [a.action for a in (await s.exec(select(AuditEntry).order_by(AuditEntry.id))).all()]


async def test_draft_texts_are_kept_and_refused_once_submitted(store, config, clock):
    november, now = _period(config, "2026-11"), clock.now()
    async with store.session() as s:
        p = await _people(s, now)
        await reports.save_text(s, config, "T01", november, "difficulties", "Người già ngại dùng", p["lead"].id, now)
        await reports.save_text(s, config, "T01", november, "proposals", "Thêm điện thoại mẫu", p["lead"].id, now)
        await reports.save_text(s, config, "T01", november, "proposals", "", p["lead"].id, now)  # removed again
    async with store.session() as s:
        row = await reports.get(s, "T01", "2026-11")
        assert row is not None
        assert (row.status, row.kind, row.due_on) == (Status.DRAFT, "month", date(2026, 11, 25))
        assert row.texts == {"difficulties": "Người già ngại dùng"}
        await reports.submit(s, config, "T01", november, p["lead"].id, now)
    async with store.session() as s:
        with pytest.raises(ReportError) as refused:
            await reports.save_text(s, config, "T01", november, "proposals", "Muộn", p["lead"].id, now)
        assert refused.value.problem is Problem.SUBMITTED
        with pytest.raises(ValueError):
            await reports.save_text(s, config, "T01", november, "proposals", "x" * 1001, p["lead"].id, now)


async def test_submit_on_time_snapshots_the_figures_and_locks_the_days_counted(store, config, clock):
    november, now = _period(config, "2026-11"), clock.now()
    async with store.session() as s:
        p = await _people(s, now)
        await _visit(s, p["lan"], date(2026, 11, 3), 3, now)
        await _visit(s, p["lan"], date(2026, 11, 19), 2, now)
        await _visit(s, p["lan"], date(2026, 10, 30), 4, now)  # October: not this period
    async with store.session() as s:
        done = await reports.submit(s, config, "T01", november, p["lead"].id, now)
        expected = reports.snapshot(await progress.team_figures(s, config, "T01", november))
    assert (done.late_days, done.again, done.locked_from, done.locked_to) == (0, False, date(2026, 11, 1), NOV)
    async with store.session() as s:
        row = await reports.get(s, "T01", "2026-11")
        assert row is not None and row.status == Status.SUBMITTED and row.on_time is True
        assert row.submitted_by == p["lead"].id and row.submitted_at == now == row.first_submitted_at
        assert row.figures == expected
        assert (row.figures["luot"], row.figures["households_reached"], row.figures["skills"]["dvc"]) == (5, 2, 2)
        lock = await period_locks.active_lock(s, "T01", date(2026, 11, 1))
        assert lock is not None and (lock.period_key, lock.ends_on) == ("2026-11", NOV)
        assert await period_locks.active_lock(s, "T01", date(2026, 11, 21)) is None  # the rest of November is open
        closed = await period_locks.check_day(s, "T01", date(2026, 11, 19), NOV, 62)
        assert closed is not None and closed.period_key == "2026-11"
        assert (await _actions(s))[-2:] == ["period.lock", "report.submit"]
        with pytest.raises(ReportError) as twice:
            await reports.submit(s, config, "T01", november, p["lead"].id, now)
        assert twice.value.problem is Problem.SUBMITTED


async def test_submit_after_the_due_day_is_late_and_a_period_not_begun_is_refused(store, config, clock):
    clock.set(_at(date(2026, 11, 26), 23))
    november, now = _period(config, "2026-11"), clock.now()
    async with store.session() as s:
        p = await _people(s, now)
        done = await reports.submit(s, config, "T01", november, p["lead"].id, now)
        with pytest.raises(ReportError) as early:
            await reports.submit(s, config, "T01", _period(config, "2026-12"), p["lead"].id, now)
    assert early.value.problem is Problem.NOT_STARTED
    assert done.late_days == 2 and done.report.on_time is False and done.locked_to == date(2026, 11, 26)
    async with store.session() as s:
        standing = (await reports.completeness(s, config, [november], date(2026, 11, 27)))[0]
    assert (standing.team_code, standing.standing, standing.days) == ("T01", Standing.LATE, 2)


async def test_the_due_day_is_judged_in_the_communes_time_zone(store, config, clock):
    clock.set(datetime(2026, 11, 24, 23, 30, tzinfo=VN_TZ))  # 16:30 UTC on the 24th: still on time
    async with store.session() as s:
        p = await _people(s, clock.now())
        done = await reports.submit(s, config, "T01", _period(config, "2026-11"), p["lead"].id, clock.now())
    assert done.report.on_time is True
    clock.advance(timedelta(hours=1))  # 00:30 on the 25th in Hà Nội, 17:30 UTC on the 24th
    async with store.session() as s:
        done = await reports.submit(s, config, "T02", _period(config, "2026-11"), None, clock.now())
    assert done.report.on_time is False and done.late_days == 1


async def test_reopen_unlocks_and_resubmission_keeps_the_first_verdict_with_a_new_snapshot(store, config, clock):
    november, now = _period(config, "2026-11"), clock.now()
    async with store.session() as s:
        p = await _people(s, now)
        await _visit(s, p["lan"], date(2026, 11, 10), 2, now)
        await reports.submit(s, config, "T01", november, p["lead"].id, now)
    clock.set(_at(date(2026, 11, 27)))
    later = clock.now()
    async with store.session() as s:
        row = await reports.get(s, "T01", "2026-11")
        assert row is not None
        await reports.reopen(s, row, p["staff"].id, later)
        with pytest.raises(ReportError) as again:
            await reports.reopen(s, row, p["staff"].id, later)
        assert again.value.problem is Problem.NOT_SUBMITTED
    async with store.session() as s:
        row = await reports.get(s, "T01", "2026-11")
        assert row is not None and row.status == Status.REOPENED
        assert (row.reopened_at, row.reopened_by) == (later, p["staff"].id)
        assert row.figures is not None and row.figures["luot"] == 2  # the snapshot stays as submitted
        assert await period_locks.active_lock(s, "T01", date(2026, 11, 10)) is None
        assert (await _actions(s))[-2:] == ["period.reopen", "report.reopen"]
        standing = (await reports.completeness(s, config, [november], date(2026, 11, 27)))[0]
        assert standing.standing is Standing.REOPENED
        await _visit(s, p["lan"], date(2026, 11, 12), 3, later)
    async with store.session() as s:
        row = await reports.get(s, "T01", "2026-11")
        assert row is not None and row.figures is not None and row.figures["luot"] == 2
        done = await reports.submit(s, config, "T01", november, p["lead"].id, later)
    assert done.again and done.late_days == 0 and done.locked_to == date(2026, 11, 27)
    async with store.session() as s:
        row = await reports.get(s, "T01", "2026-11")
        assert row is not None and row.on_time is True and row.first_submitted_at == now
        assert row.submitted_at == later and row.figures is not None and row.figures["luot"] == 5
        locks = (await s.exec(select(PeriodLock).order_by(PeriodLock.id))).all()
        assert [(lk.ends_on, lk.reopened_at is None) for lk in locks] == [(NOV, False), (date(2026, 11, 27), True)]
        submits = (await s.exec(select(AuditEntry).where(AuditEntry.action == "report.submit"))).all()
        assert [a.detail["again"] for a in submits] == [False, True]
        assert all(set(a.detail) == {"team", "period", "on_time", "again"} for a in submits)


async def test_completeness_shows_every_team_and_the_four_states(store, config, clock):
    november, quarter = _period(config, "2026-11"), _period(config, "2026-Q4")
    async with store.session() as s:
        p = await _people(s, clock.now())
        await reports.submit(s, config, "T01", november, p["lead"].id, clock.now())
        await reports.save_text(s, config, "T03", november, "difficulties", "Thiếu máy", None, clock.now())
    clock.set(_at(date(2026, 11, 26)))
    async with store.session() as s:
        await reports.submit(s, config, "T02", november, None, clock.now())
        rows = await reports.completeness(s, config, [november, quarter], date(2026, 11, 26))
    found = {(r.team_code, r.period.key): (r.standing, r.days) for r in rows}
    assert len(rows) == 2 * len(config.teams)
    assert found[("T01", "2026-11")] == (Standing.ON_TIME, 0)
    assert found[("T02", "2026-11")] == (Standing.LATE, 2)
    assert found[("T03", "2026-11")] == (Standing.MISSING, 2)  # a draft is not a report
    assert found[("T05", "2026-11")] == (Standing.MISSING, 2)
    assert found[("T01", "2026-Q4")] == (Standing.NOT_DUE, 25)


async def test_team_leaders_are_the_active_leaders_of_the_team(store, clock):
    now = clock.now()
    async with store.session() as s:
        p = await _people(s, now)
        s.add(Member(display_name="Cựu tổ trưởng", role="leader", team_code="T01", active=False, created_at=now))
        s.add(Member(display_name="Tổ trưởng T02", role="leader", team_code="T02", created_at=now))
        await s.flush()
        assert [m.id for m in await reports.team_leaders(s, "T01")] == [p["lead"].id]
