"""Period reports of the teams: which report is due now, draft texts, submission with a snapshot of the figures,
reopening by staff, and the commune's view of who has reported.

Which period is current, for each kind of report (month, quarter, year): the one whose due date is nearest to
today — the next deadline, or the one just passed while it is nearer than the next (ties go to the next). With
calendar months and the default rules, on 20/11/2026: tháng 11/2026 (due before 25/11), quý IV/2026 (before
21/12) and năm 2026 (before 05/12); on 02/12/2026 the monthly one is still November (late, or submitted) until
mid-December, when December's deadline becomes the nearer. The same rule works for cut-off windows, whose
reports fall due after the window has closed. A leader is offered each kind's current report and, once its
period has started, the next one too (on 02/12: November and December). Staff see the current periods.

Submitting takes the figures from progress.team_figures at that moment and keeps them as the snapshot; the report
is on time when submitted before its due day starts, in the commune's time zone (periods.is_on_time). The team's
visits are then locked from the period's first day through the submission day, or the period's last day if that
is earlier: the snapshot counts exactly those days (no visit can be dated ahead of today), and members can go on
logging the rest of a period whose report falls due before the period ends (a month's report before the 25th).

Staff may reopen a submitted report: its lock is lifted and its texts can be edited again. Submitting it again
takes a new snapshot and a new lock; the report keeps the on-time verdict of its first submission, since the
change was asked for by staff and should not make the team late.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config
from bot.core.periods import Kind, Period, days_left, is_on_time
from bot.core.roles import Role
from bot.core.text import mask_citizen_ids, nfc
from bot.services import audit, members, outbox, period_locks, progress
from bot.services.progress import TeamFigures
from bot.services.reminder_keys import owed_report_pattern, owed_team_pattern
from bot.store.models import Member, PeriodLock, Report

TEXT_PARTS = ("good_practices", "difficulties", "proposals")  # mô hình hay; khó khăn; đề xuất (seed 004)
TEXT_LIMIT = 1000


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REOPENED = "reopened"


class Standing(StrEnum):
    """Where a team stands with one period's report."""

    ON_TIME = "on_time"  # submitted before the due day
    LATE = "late"  # submitted on or after the due day
    MISSING = "missing"  # due day passed, not submitted
    NOT_DUE = "not_due"  # not submitted, still on time
    REOPENED = "reopened"  # submitted, then reopened by staff: waiting to be submitted again


class Problem(StrEnum):
    SUBMITTED = "submitted"  # already submitted: nothing can change until staff reopen it
    NOT_SUBMITTED = "not_submitted"  # nothing to reopen
    NOT_STARTED = "not_started"  # the period has not begun


class ReportError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class TeamStanding:
    team_code: str
    period: Period
    due_on: date
    standing: Standing
    days: int  # NOT_DUE: on-time days left (periods.days_left); LATE, MISSING: days late (1 on the due day)
    report: Report | None


@dataclass(frozen=True)
class Submitted:
    report: Report
    locked_from: date
    locked_to: date
    late_days: int  # 0 when on time (judged on the first submission)
    again: bool  # a resubmission after staff reopened the report


# --- periods ---------------------------------------------------------------------------------------------------
def due_on(config: Config, period: Period) -> date:
    """The first day a report of `period` is late."""
    return config.reporting.due_rule(period.kind).due(period)


def local_day(config: Config, at: datetime) -> date:
    return at.astimezone(config.tz).date()


def late_days(due: date, day: date) -> int:
    """How late something done on `day` is: 1 on the due day itself, 0 before it."""
    return max(0, (day - due).days + 1)


def _following(config: Config, period: Period) -> Period:
    return config.reporting.windows.containing(period.kind, period.end + timedelta(days=1))


def upcoming(config: Config, kind: Kind, today: date) -> Period:
    """The period of this kind with the earliest due date that is still ahead (today is on time for it)."""
    windows = config.reporting.windows
    period = windows.containing(kind, today)
    while due_on(config, windows.previous(period)) > today:
        period = windows.previous(period)
    while due_on(config, period) <= today:
        period = _following(config, period)
    return period


def current(config: Config, kind: Kind, today: date) -> Period:
    """The period of this kind whose due date is nearest to today: the next one, or the one just passed."""
    ahead = upcoming(config, kind, today)
    behind = config.reporting.windows.previous(ahead)
    if (today - due_on(config, behind)).days < (due_on(config, ahead) - today).days:
        return behind
    return ahead


def current_periods(config: Config, today: date) -> list[Period]:
    """Each kind's current period: month, quarter, year."""
    return [current(config, kind, today) for kind in Kind]


def offered(config: Config, today: date) -> list[Period]:
    """The reports a leader is offered: each kind's current one, and the next one once its period has started."""
    periods: list[Period] = []
    for kind in Kind:
        now_due = current(config, kind, today)
        periods.append(now_due)
        ahead = upcoming(config, kind, today)
        if ahead != now_due and ahead.start <= today:
            periods.append(ahead)
    return periods


# --- reading ---------------------------------------------------------------------------------------------------
async def get(session: AsyncSession, team_code: str, period_key: str) -> Report | None:
    stmt = select(Report).where(Report.team_code == team_code, Report.period_key == period_key)
    return (await session.exec(stmt)).first()


async def for_periods(session: AsyncSession, period_keys: list[str]) -> dict[tuple[str, str], Report]:
    """Every team's report of these periods, by (team code, period key)."""
    rows = (await session.exec(select(Report).where(col(Report.period_key).in_(period_keys or [""])))).all()
    return {(r.team_code, r.period_key): r for r in rows}


async def submitted_texts(session: AsyncSession, period_key: str) -> dict[str, dict[str, str]]:
    """Team code → the text parts of the team's submitted report of the period (not drafts, not reopened ones)."""
    stmt = select(Report).where(Report.period_key == period_key, Report.status == Status.SUBMITTED.value)
    return {
        r.team_code: {k: v for k, v in r.texts.items() if k in TEXT_PARTS and v} for r in (await session.exec(stmt))
    }


def standing_of(config: Config, team_code: str, period: Period, report: Report | None, today: date) -> TeamStanding:
    due = due_on(config, period)
    status = Status(report.status) if report is not None else Status.DRAFT

    def make(standing: Standing, days: int = 0) -> TeamStanding:
        return TeamStanding(team_code, period, due, standing, days, report)

    if status is Status.REOPENED:
        return make(Standing.REOPENED)
    if status is Status.SUBMITTED and report is not None and report.first_submitted_at is not None:
        if report.on_time:
            return make(Standing.ON_TIME)
        return make(Standing.LATE, late_days(due, local_day(config, report.first_submitted_at)))
    if is_on_time(due, today):
        return make(Standing.NOT_DUE, days_left(due, today))
    return make(Standing.MISSING, late_days(due, today))


async def completeness(session: AsyncSession, config: Config, periods: list[Period], today: date) -> list[TeamStanding]:
    """For every team of the commune and each period: on time, late, missing, not yet due or reopened."""
    reports = await for_periods(session, [p.key for p in periods])
    return [
        standing_of(config, team.code, period, reports.get((team.code, period.key)), today)
        for team in config.teams
        for period in periods
    ]


async def team_leaders(session: AsyncSession, team_code: str) -> list[Member]:
    """The team's active leaders: who is told when its report is reopened."""
    stmt = select(Member).where(
        Member.team_code == team_code, Member.role == Role.LEADER.value, col(Member.active).is_(True)
    )
    return list((await session.exec(stmt.order_by(col(Member.id)))).all())


# --- the snapshot ----------------------------------------------------------------------------------------------
def _json_value(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def snapshot(figures: TeamFigures) -> dict[str, Any]:
    """The figures as stored with a submitted report: dataclasses.asdict, dates as ISO strings, lists for tuples."""
    result: dict[str, Any] = json.loads(json.dumps(asdict(figures), default=_json_value))
    return result


async def live_figures(session: AsyncSession, config: Config, team_code: str, period: Period) -> dict[str, Any]:
    """The figures a submission now would store: what a preview shows."""
    return snapshot(await progress.team_figures(session, config, team_code, period))


# --- writing ---------------------------------------------------------------------------------------------------
def clean_text(text: str) -> tuple[str, bool]:
    """NFC and trimmed, citizen ID numbers masked; whether any was masked."""
    cleaned, masked = mask_citizen_ids(nfc(text).strip())
    return cleaned, masked


async def _get_or_new(session: AsyncSession, config: Config, team_code: str, period: Period, now: datetime) -> Report:
    row = await get(session, team_code, period.key)
    if row is not None:
        return row
    return Report(
        team_code=team_code,
        period_key=period.key,
        kind=period.kind.value,
        status=Status.DRAFT.value,
        texts={},
        due_on=due_on(config, period),
        updated_at=now,
    )


async def save_text(
    session: AsyncSession,
    config: Config,
    team_code: str,
    period: Period,
    part: str,
    text: str,
    by_member_id: int | None,
    now: datetime,
) -> Report:
    """Keep one text part of the team's report (an empty text removes it). Refused once the report is submitted."""
    if part not in TEXT_PARTS:
        raise ValueError(f"unknown report part {part!r}")
    if len(text) > TEXT_LIMIT:
        raise ValueError("report text too long")
    row = await _get_or_new(session, config, team_code, period, now)
    if row.status == Status.SUBMITTED:
        raise ReportError(Problem.SUBMITTED)
    texts = {k: v for k, v in row.texts.items() if k != part}
    if text:
        texts[part] = text
    row.texts, row.updated_at = texts, now  # a new dict, so the JSON column is seen as changed
    session.add(row)
    await session.flush()
    await audit.record(session, now, by_member_id, "report.text", "report", row.id, part=part, filled=bool(text))
    return row


async def submit(
    session: AsyncSession, config: Config, team_code: str, period: Period, by_member_id: int | None, now: datetime
) -> Submitted:
    """Submit the team's report of `period`: snapshot the figures, judge the timing, lock the period's visits."""
    today = local_day(config, now)
    if period.start > today:
        raise ReportError(Problem.NOT_STARTED)
    row = await _get_or_new(session, config, team_code, period, now)
    if row.status == Status.SUBMITTED:
        raise ReportError(Problem.SUBMITTED)
    figures = await progress.team_figures(session, config, team_code, period)
    again = row.first_submitted_at is not None
    due = due_on(config, period)
    if not again:
        row.first_submitted_at, row.on_time = now, is_on_time(due, today)
    row.status, row.figures, row.due_on = Status.SUBMITTED.value, snapshot(figures), due
    row.submitted_at, row.submitted_by, row.updated_at = now, by_member_id, now
    session.add(row)
    await session.flush()
    locked_to = min(period.end, today)
    await period_locks.lock(session, team_code, period.key, period.start, locked_to, by_member_id, now)
    # Reminders still held (quiet hours) are no longer owed: the leaders', the team's members' and its group chat's.
    people = await members.of_team(session, team_code)
    patterns = [owed_report_pattern(period.key, m.id) for m in people if m.id is not None]
    await outbox.withdraw(session, [*patterns, owed_team_pattern(period.key, team_code)], now)
    await audit.record(
        session,
        now,
        by_member_id,
        "report.submit",
        "report",
        row.id,
        team=team_code,
        period=period.key,
        on_time=bool(row.on_time),
        again=again,
    )
    first_day = local_day(config, row.first_submitted_at or now)
    return Submitted(row, period.start, locked_to, 0 if row.on_time else late_days(due, first_day), again)


async def reopen(session: AsyncSession, report: Report, by_member_id: int | None, now: datetime) -> None:
    """Open a submitted report again (staff only; the caller checks the role): its period's visits are unlocked."""
    if report.status != Status.SUBMITTED:
        raise ReportError(Problem.NOT_SUBMITTED)
    report.status, report.reopened_at, report.reopened_by, report.updated_at = (
        Status.REOPENED.value,
        now,
        by_member_id,
        now,
    )
    session.add(report)
    locks = await session.exec(
        select(PeriodLock).where(
            PeriodLock.team_code == report.team_code,
            PeriodLock.period_key == report.period_key,
            col(PeriodLock.reopened_at).is_(None),
        )
    )
    for row in locks.all():
        await period_locks.reopen(session, row, by_member_id, now)
    await audit.record(
        session,
        now,
        by_member_id,
        "report.reopen",
        "report",
        report.id,
        team=report.team_code,
        period=report.period_key,
    )
