"""Deadline reminders, nudges, escalations and the weekly summary: what falls due when, to whom, saying what.

Moments. The rules in config `reminders` name moments in local time; due dates come from config `reporting`
(reports.due_on), never from here:
- before a report's due date (`days_before`, 1 = the last on-time day) at `at`, to whom `to` names: the leaders
  of teams that have not submitted that report ("leaders"); the members of those teams with no visit in
  `inactive_days` days ("inactive_members"); members whose return visits have waited `return_after_days` days or
  more, whatever their team's report ("overdue_returns"). A member is nudged at most once a day for each reason;
- after it (`days_late`, 1 = the due day itself, the first late day) at `late_at`: each late team's leaders get an
  "overdue" message, and staff the list of teams still missing;
- the weekly summary on `weekly_summary.weekday` at its `at`, to every leader (bot/services/weekly_summary.py).
Team-level messages (the weekly summary; "team", before the due date: the whole of a team that has not submitted)
go, as config `group_chat` says, to each recipient privately, to the team's linked group chat as one message (with
team-level figures only), or both; a team without a linked group gets them privately (bot/services/team_chats.py).
"Submitted" means the report's status is "submitted": a draft or a report staff reopened is still owed.

Running. The scheduler calls `run` every `tick_minutes`. It handles the moments since its last run (a marker in
the `setting` table, written in the same transaction) but never further back than `grace_hours`: a moment missed
while the bot was down is sent late within that window; an older one is skipped (counted in the log). Every
message goes to the outbox with a unique key "rem:<rule>:<period>:<member id>:<channel>" (the period of a nudge is
its day, of the weekly summary its first day; a group chat's "rem:<rule>:<period>:team-<code>:<channel>"), so a
second tick, a restart or a second process never queues it twice. On PostgreSQL one process plans at a time (a
transaction-scoped advisory lock; the others skip the tick), and anywhere a duplicate insert is ignored by the
outbox. In quiet hours messages are queued to go out when they
end: deferred, never dropped. Recipients and texts are worked out when the moment is handled, so a team that has
submitted in the meantime is not reminded, and a late "before" reminder that would arrive on or after the due day
is left to the escalation. Logs carry counts only, never names or texts.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts as T
from bot.config import Config, Team
from bot.core.clock import format_date
from bot.core.periods import Kind, Period, days_left
from bot.core.quiet_hours import send_at
from bot.core.roles import Role
from bot.services import followups, outbox, reports, team_chats, weekly_summary
from bot.services.reminder_keys import reminder_key, team_key
from bot.services.reports import Status
from bot.services.visits import STATUS_ACTIVE
from bot.store.models import ChannelIdentity, Member, OutboxItem, Report, Setting, Visit

log = logging.getLogger(__name__)

LAST_RUN_KEY = "reminders.last_run"  # the `setting` row: the moment up to which everything has been handled
LOCK_ID = 0x736F7461790006  # PostgreSQL advisory lock: "sotay", issue 6
BEFORE, LATE, WEEKLY = "before", "late", "weekly"
_RETURNS_LIMIT = 10_000
_MISSED_HORIZON = timedelta(days=62)  # how far back skipped moments are counted for the log


@dataclass(frozen=True)
class Moment:
    """One rule's moment: when it falls and, for a deadline rule, which report."""

    rule: str  # month-d3, quarter-late1, weekly
    phase: str  # before | late | weekly
    at: datetime  # aware, UTC
    day: date  # the local day of `at`
    period: Period | None = None
    due: date | None = None
    to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Planned:
    """One message to one member (on every app they use)."""

    key: str  # the outbox dedup key, without the channel suffix
    rule: str
    member_id: int
    name: str
    text: str
    moment: datetime
    chat: tuple[str, str] | None = None  # (channel, chat_ref) of a team's group chat: sent there, not to a member


@dataclass(frozen=True)
class Preview:
    planned: Planned
    channel: str | None  # None: the member has no app to reach them on
    send_at: datetime  # the moment, or the end of quiet hours
    queued: bool  # already in the outbox: would not be sent again


# --- moments (pure) ----------------------------------------------------------------------------------------------
def period_due_on(config: Config, kind: Kind, due: date) -> Period | None:
    """The period of this kind whose report is due on `due` (its first late day), if any."""
    period = reports.upcoming(config, kind, due - timedelta(days=1))
    return period if reports.due_on(config, period) == due else None


def _local(config: Config, day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=config.tz).astimezone(UTC)


def _day_moments(config: Config, day: date) -> list[Moment]:
    found: list[Moment] = []
    for kind in Kind:
        rule = config.reminders.rule(kind)
        for n in rule.days_before:
            due = day + timedelta(days=n)
            period = period_due_on(config, kind, due)
            if period is not None:
                at = _local(config, day, rule.at)
                found.append(Moment(f"{kind.value}-d{n}", BEFORE, at, day, period, due, rule.to))
        for n in rule.days_late:
            due = day - timedelta(days=n - 1)
            period = period_due_on(config, kind, due)
            if period is not None:
                found.append(Moment(f"{kind.value}-late{n}", LATE, _local(config, day, rule.late_at), day, period, due))
    weekly = config.reminders.weekly_summary
    if weekly.enabled and day.isoweekday() == weekly.weekday:
        found.append(Moment(WEEKLY, WEEKLY, _local(config, day, weekly.at), day))
    return found


def moments(config: Config, since: datetime, until: datetime) -> list[Moment]:
    """Every rule's moment in (since, until], in time order (month, quarter, year, weekly at the same time)."""
    day, last = since.astimezone(config.tz).date(), until.astimezone(config.tz).date()
    found: list[Moment] = []
    while day <= last:
        found += _day_moments(config, day)
        day += timedelta(days=1)
    return sorted((m for m in found if since < m.at <= until), key=lambda m: m.at)


def send_time(config: Config, now: datetime) -> datetime:
    """`now`, or the end of quiet hours when `now` falls in them."""
    quiet = config.quiet_hours
    return send_at(now, quiet.start, quiet.end, config.tz)


# --- who, and what to say ----------------------------------------------------------------------------------------
class _Lookups:
    """What one plan needs from the database, each read once."""

    def __init__(self, session: AsyncSession, config: Config, today: date) -> None:
        self.session, self.config, self.today = session, config, today
        self._people: list[Member] | None = None
        self._staff: list[Member] | None = None
        self._reports: dict[str, dict[tuple[str, str], Report]] = {}
        self._active: set[int] | None = None
        self._waiting: dict[int, tuple[int, date]] | None = None

    async def people(self) -> list[Member]:
        """Active members and leaders of the configured teams, in id order."""
        if self._people is None:
            stmt = select(Member).where(
                col(Member.active).is_(True),
                col(Member.role).in_([Role.MEMBER.value, Role.LEADER.value]),
                col(Member.team_code).in_([t.code for t in self.config.teams]),
            )
            self._people = list((await self.session.exec(stmt.order_by(col(Member.id)))).all())
        return self._people

    async def leaders(self, team_code: str) -> list[Member]:
        return [m for m in await self.people() if m.team_code == team_code and m.role == Role.LEADER.value]

    async def staff(self) -> list[Member]:
        if self._staff is None:
            stmt = select(Member).where(col(Member.active).is_(True), Member.role == Role.STAFF.value)
            self._staff = list((await self.session.exec(stmt.order_by(col(Member.id)))).all())
        return self._staff

    async def owing(self, period: Period) -> list[Team]:
        """The teams, in config order, that have not submitted the report of `period`."""
        if period.key not in self._reports:
            self._reports[period.key] = await reports.for_periods(self.session, [period.key])
        found = self._reports[period.key]
        submitted = {code for (code, _), r in found.items() if r.status == Status.SUBMITTED.value}
        return [t for t in self.config.teams if t.code not in submitted]

    async def inactive(self, team_codes: set[str]) -> list[Member]:
        """Members of these teams with no active visit in the last `inactive_days` days (today included), who
        joined before that."""
        days = self.config.reminders.inactive_days
        since = self.today - timedelta(days=days - 1)
        if self._active is None:
            stmt = select(Visit.member_id).where(Visit.status == STATUS_ACTIVE, col(Visit.visited_on) >= since)
            stmt = stmt.distinct()
            self._active = {int(m) for m in (await self.session.exec(stmt)).all()}
        return [
            m
            for m in await self.people()
            if m.team_code in team_codes
            and m.id not in self._active
            and m.created_at.astimezone(self.config.tz).date() < since
        ]

    async def waiting(self) -> dict[int, tuple[int, date]]:
        """Member id → (households waiting, the oldest such visit's day) for return visits waiting at least
        `return_after_days`: the member who made the visit and the one who looks after the household."""
        if self._waiting is None:
            limit = self.today - timedelta(days=self.config.reminders.return_after_days)
            counts: dict[int, list[date]] = defaultdict(list)
            for team in self.config.teams:
                for f in await followups.open_returns(self.session, team.code, limit=_RETURNS_LIMIT):
                    if f.visited_on <= limit:
                        for member_id in {f.member_id, f.household.assigned_member_id} - {None}:
                            counts[member_id].append(f.visited_on)  # type: ignore[index]
            self._waiting = {m: (len(days), min(days)) for m, days in counts.items()}
        return self._waiting


def _key(rule: str, period: str, member_id: int | None) -> str:
    return reminder_key(rule, period, member_id)


async def _before(look: _Lookups, moment: Moment) -> list[Planned]:
    assert moment.period is not None and moment.due is not None
    left = days_left(moment.due, look.today)
    if left < 1:  # sent late, on or after the due day: the escalation speaks now
        return []
    texts, period, due = look.config.reminders.texts, moment.period.label(), format_date(moment.due)
    owing = await look.owing(moment.period)
    found: list[Planned] = []
    if "leaders" in moment.to:
        for team in owing:
            for leader in await look.leaders(team.code):
                message = texts.leader_due.format(
                    name=leader.display_name, team=team.name, period=period, due=due, days_left=left
                )
                found.append(_planned(moment, moment.period.key, leader, message))
    if "team" in moment.to:
        found += await _team_due(look, moment, owing, left)
    if "inactive_members" in moment.to:
        for member in await look.inactive({t.code for t in owing}):
            team = look.config.team(member.team_code)
            message = texts.member_inactive.format(
                name=member.display_name,
                team=team.name if team else "",
                days=look.config.reminders.inactive_days,
                period=period,
                due=due,
                days_left=left,
            )
            found.append(_planned(moment, moment.day.isoformat(), member, message, rule="inactive"))
    if "overdue_returns" in moment.to:
        waiting = await look.waiting()
        for member in await look.people():
            if member.id in waiting:
                count, oldest = waiting[member.id]
                team = look.config.team(member.team_code)
                message = texts.member_returns.format(
                    name=member.display_name,
                    team=team.name if team else "",
                    count=count,
                    oldest=format_date(oldest),
                    period=period,
                    due=due,
                    days_left=left,
                )
                found.append(_planned(moment, moment.day.isoformat(), member, message, rule="returns"))
    return found


async def _team_due(look: _Lookups, moment: Moment, owing: list[Team], left: int) -> list[Planned]:
    """The whole team's note that its report is due: in its group chat, or to each member (leaders already reminded
    by the "leaders" rule are not told twice)."""
    assert moment.period is not None and moment.due is not None
    rule, found = f"{moment.rule}-team", []
    for team in owing:
        message = look.config.reminders.texts.team_due.format(
            team=team.name, period=moment.period.label(), due=format_date(moment.due), days_left=left
        )
        route = await team_chats.route(look.session, team.code, look.config.group_chat.reminders)
        if route.chat is not None:
            found.append(_to_group(moment, rule, moment.period.key, team, message, route.chat))
        if route.each:
            for member in await look.people():
                if member.team_code != team.code or ("leaders" in moment.to and member.role == Role.LEADER.value):
                    continue
                found.append(_planned(moment, moment.period.key, member, message, rule=rule))
    return found


async def _late(look: _Lookups, moment: Moment) -> list[Planned]:
    assert moment.period is not None and moment.due is not None
    owing = await look.owing(moment.period)
    if not owing:
        return []
    texts, period, due = look.config.reminders.texts, moment.period.label(), format_date(moment.due)
    late = reports.late_days(moment.due, look.today)
    found: list[Planned] = []
    for team in owing:
        for leader in await look.leaders(team.code):
            message = texts.leader_overdue.format(
                name=leader.display_name, team=team.name, period=period, due=due, days_late=late
            )
            found.append(_planned(moment, moment.period.key, leader, message))
    names = ", ".join(t.name for t in owing)
    for member in await look.staff():
        message = texts.staff_overdue.format(
            name=member.display_name, period=period, due=due, days_late=late, count=len(owing), teams=names
        )
        found.append(_planned(moment, moment.period.key, member, message))
    return found


async def _weekly(look: _Lookups, moment: Moment) -> list[Planned]:
    found: list[Planned] = []
    for team in look.config.teams:
        leaders = await look.leaders(team.code)
        route = await team_chats.route(look.session, team.code, look.config.group_chat.weekly_summary)
        if not leaders and route.chat is None:
            continue
        week = await weekly_summary.team_week(look.session, look.config, team, moment.day)
        if route.chat is not None:
            found.append(
                _to_group(moment, moment.rule, week.start.isoformat(), team, week.group_text(look.config), route.chat)
            )
        if route.each:
            for leader in leaders:
                text = week.text(look.config, leader.display_name)
                found.append(_planned(moment, week.start.isoformat(), leader, text))
    return found


def _planned(moment: Moment, key_period: str, member: Member, message: str, rule: str | None = None) -> Planned:
    """A message of `moment`'s rule (or of `rule`, for nudges keyed by day whichever deadline asked for them)."""
    name = rule or moment.rule
    return Planned(_key(name, key_period, member.id), name, member.id or 0, member.display_name, message, moment.at)


def _to_group(moment: Moment, rule: str, key_period: str, team: Team, message: str, chat: tuple[str, str]) -> Planned:
    """A team-level message to the team's group chat: one for the team, whoever is in the group."""
    name = T.GROUP_RECIPIENT.format(team=team.name)
    return Planned(team_key(rule, key_period, team.code), rule, 0, name, message, moment.at, chat)


_PHASES = {BEFORE: _before, LATE: _late, WEEKLY: _weekly}


async def plan(session: AsyncSession, config: Config, now: datetime, since: datetime | None = None) -> list[Planned]:
    """Every message whose moment is in (since, now] (default: `grace_hours` back), worked out as if sent at `now`
    (or when quiet hours end); one per key, the earliest moment's. Writes nothing."""
    start = since if since is not None else now - timedelta(hours=config.reminders.grace_hours)
    found = moments(config, start, now)
    if not found:
        return []
    look = _Lookups(session, config, send_time(config, now).astimezone(config.tz).date())
    planned: dict[str, Planned] = {}
    for moment in found:
        for item in await _PHASES[moment.phase](look, moment):
            planned.setdefault(item.key, item)
    return list(planned.values())


# --- queueing ----------------------------------------------------------------------------------------------------
async def _identities(session: AsyncSession, member_ids: set[int]) -> dict[int, list[ChannelIdentity]]:
    stmt = (
        select(ChannelIdentity)
        .where(col(ChannelIdentity.member_id).in_(sorted(member_ids) or [0]))
        .order_by(col(ChannelIdentity.member_id), col(ChannelIdentity.channel))
    )
    found: dict[int, list[ChannelIdentity]] = defaultdict(list)
    for identity in (await session.exec(stmt)).all():
        found[identity.member_id].append(identity)
    return found


async def queue(session: AsyncSession, config: Config, planned: list[Planned], now: datetime) -> int:
    """Put each planned message in the outbox for every app its member uses; returns how many were new."""
    if not planned:
        return 0
    when = send_time(config, now)
    identities = await _identities(session, {p.member_id for p in planned if p.chat is None})
    queued = 0
    for item in planned:
        if item.chat is not None:  # a team's group chat: one message, on the bot the group was linked on
            channel, chat_ref = item.chat
            row = await outbox.enqueue(
                session, channel, chat_ref, now, text=item.text, dedup_key=f"{item.key}:{channel}", not_before=when
            )
            queued += row is not None
            continue
        for identity in identities.get(item.member_id, []):
            row = await outbox.enqueue(
                session,
                identity.channel,
                identity.chat_ref,
                now,
                text=item.text,
                dedup_key=f"{item.key}:{identity.channel}",
                not_before=when,
            )
            queued += row is not None
    return queued


async def _claim(session: AsyncSession) -> bool:
    """On PostgreSQL, whether this transaction may plan (no other process is planning); elsewhere always."""
    if session.bind is None or session.bind.dialect.name != "postgresql":
        return True
    result = await session.exec(text("SELECT pg_try_advisory_xact_lock(:id)").bindparams(id=LOCK_ID))  # type: ignore[call-overload]
    return bool(result.scalar_one())


async def last_run(session: AsyncSession) -> datetime | None:
    row = await session.get(Setting, LAST_RUN_KEY)
    return datetime.fromisoformat(row.value) if row is not None else None


async def _set_last_run(session: AsyncSession, now: datetime) -> None:
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    value = now.astimezone(UTC).isoformat()
    stmt = insert(Setting).values(key=LAST_RUN_KEY, value=value)
    await session.exec(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))  # type: ignore[call-overload]


async def run(session: AsyncSession, config: Config, now: datetime) -> int:
    """Queue everything that fell due since the last run (at most `grace_hours` back); returns messages queued.
    Commit the session afterwards: the marker and the messages go together."""
    if not await _claim(session):
        log.info("reminders: another process is planning; tick skipped")
        return 0
    floor = now - timedelta(hours=config.reminders.grace_hours)
    last = await last_run(session)
    since = floor if last is None else max(last, floor)
    if since >= now:
        return 0
    if last is not None and last < floor:
        skipped = len(moments(config, max(last, floor - _MISSED_HORIZON), floor))
        if skipped:
            log.warning("reminders: %d moment(s) older than grace_hours were skipped", skipped)
    await team_chats.drop_gone(session, now)  # a group the bot was removed from: its team is reached privately
    planned = await plan(session, config, now, since)
    queued = await queue(session, config, planned, now)
    await _set_last_run(session, now)
    if planned:
        log.info("reminders: %d message(s) planned, %d queued", len(planned), queued)
    return queued


# --- preview -----------------------------------------------------------------------------------------------------
async def preview(session: AsyncSession, config: Config, since: datetime, until: datetime) -> list[Preview]:
    """What would be queued for the moments in (since, until], each as if a tick ran right at it; writes nothing.
    Each row says whether that message is already in the outbox (then it would not go out again)."""
    planned: dict[str, Planned] = {}
    for at in sorted({m.at for m in moments(config, since, until)}):
        for item in await plan(session, config, at, since=at - timedelta(microseconds=1)):
            planned.setdefault(item.key, item)
    identities = await _identities(session, {p.member_id for p in planned.values() if p.chat is None})

    def channels(item: Planned) -> list[str | None]:
        if item.chat is not None:
            return [item.chat[0]]
        return [i.channel for i in identities.get(item.member_id, [])] or [None]

    keys = [f"{p.key}:{c}" for p in planned.values() for c in channels(p) if c]
    stmt = select(OutboxItem.dedup_key).where(col(OutboxItem.dedup_key).in_(keys or [""]))
    queued = set((await session.exec(stmt)).all())
    rows: list[Preview] = []
    for item in planned.values():
        when = send_time(config, item.moment)
        for channel in channels(item):
            rows.append(Preview(item, channel, when, f"{item.key}:{channel}" in queued))
    return rows


def preview_text(config: Config, rows: list[Preview], until: datetime, whole_day: bool) -> str:
    """`sotay reminders preview`: one block per message (recipient, app, text), then any note on when it goes."""
    local = until.astimezone(config.tz)
    at, day = f"{local:%H:%M} {format_date(local.date())}", format_date(local.date())
    if rows:
        header = T.CLI_REMINDERS_HEADER_DAY if whole_day else T.CLI_REMINDERS_HEADER
    else:
        header = T.CLI_REMINDERS_NONE_DAY if whole_day else T.CLI_REMINDERS_NONE
    lines = [header.format(at=at, day=day, count=len(rows))]
    for row in rows:
        channel = config.channels.label(row.channel) if row.channel else "—"
        lines.append(T.OUTBOX_CONSOLE_SENT.format(name=row.planned.name, channel=channel, text=row.planned.text))
        if row.channel is None:
            lines.append(T.CLI_REMINDERS_NO_CHANNEL)
        elif row.queued:
            lines.append(T.CLI_REMINDERS_QUEUED)
        elif row.send_at > row.planned.moment:
            held = row.send_at.astimezone(config.tz)
            lines.append(T.CLI_REMINDERS_HELD.format(at=f"{held:%H:%M} {format_date(held.date())}"))
    if not config.reminders.enabled:
        lines.append(T.CLI_REMINDERS_DISABLED)
    return "\n".join(lines)
