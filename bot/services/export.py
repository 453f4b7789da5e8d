"""One period's figures and records as a workbook: "Tổng hợp", "Hộ", "Lượt", "Thành viên", for a team or the commune.

- "Tổng hợp" and "Thành viên" are the figures of bot/services/progress, the same numbers /tiendo, /bieudo and the
  report snapshots show: one row per team (and the commune's totals row), one row per member.
- "Hộ": the register (households not archived), with each platform's status as of the period's end by
  platform_status's rule (its SQL, in the same query), read in pages of HOUSEHOLD_PAGE households.
- "Lượt": every visit that still counts (active) dated in the period, read through a server-side cursor
  (`stream_results` with `yield_per`), never loaded whole: memory does not grow with the number of visits.
  Corrected and undone rows are not there (their corrections are). A visit's free-text note is NOT exported, only
  whether it has one: notes may hold personal remarks about residents, and a spreadsheet is copied and forwarded
  beyond the bot's control (data minimisation, Law 91/2025); the note stays readable in the bot.

On SQLite the database's memory is bounded too, not only Python's: the export reads every page of the period's
visits once and has SQLite sort them by day (a temporary B-tree), and both the page cache and the sorter's
in-memory run are sized by the connection's `PRAGMA cache_size` (64 MB in bot/store/db.py, for the figures). An
export lowers it to EXPORT_SQLITE_CACHE_KIB for its duration (restored after): the sort then spills sorted runs to
a temporary file, and the process's resident size stays flat however many visits there are (bench/export_visits,
.xlsx and .csv alike: 157 MB at 100,000 visits and 235 MB at 1,000,000 with the 64 MB cache, 108 MB at both with
this one, 114-119 MB with today's writers; the Python heap stays under 10 MB either way). PostgreSQL sorts on the
server, and asyncpg reads the visits through a server-side cursor (`stream_results`), a batch at a time.

Who may export what is the caller's decision (a leader their own team, staff the commune); the export is audited.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import String, func, type_coerce
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts as T
from bot.config import Config
from bot.core.periods import Period
from bot.core.phone import display_phone
from bot.core.rounding import percent
from bot.render.spreadsheet import Book, Cell, SheetWriter
from bot.services import audit, platform_status, progress
from bot.services.platform_status import Status
from bot.services.progress import CommuneFigures, TeamFigures
from bot.services.visits import OUTCOME_RETURN, STATUS_ACTIVE
from bot.store.models import Household, Member, Visit, VisitSkill

CHAT_MAX_VISITS = 50_000  # larger exports are for the command line, not a chat attachment
STREAM_BATCH = 2_000  # rows fetched per round trip of the visits cursor
HOUSEHOLD_PAGE = 500  # households per page, each with its platform statuses
EXPORT_SQLITE_CACHE_KIB = 2_000  # SQLite's page cache and in-memory sort while exporting (its default size)

Batch = TypeVar("Batch")
STATUS_LABELS = {Status.NONE: T.PLATFORM_NONE, Status.GUIDED: T.PLATFORM_GUIDED, Status.USES: T.PLATFORM_USES}
Figures = CommuneFigures | TeamFigures


@dataclass(frozen=True)
class Scope:
    period: Period
    team_code: str | None = None  # None: every team of the commune

    def teams(self, config: Config) -> list[str]:
        if self.team_code is None:
            return [t.code for t in config.teams]
        team = config.team(self.team_code)
        return [team.code if team is not None else self.team_code]


def file_name(scope: Scope, config: Config) -> str:
    """so-tay-2026-Q4-T01.xlsx, so-tay-2026-Q4-toan-xa.xlsx"""
    where = scope.teams(config)[0] if scope.team_code else T.EXPORT_FILE_COMMUNE
    return T.EXPORT_FILE.format(period=scope.period.key, scope=where)


async def figures_for(session: AsyncSession, config: Config, scope: Scope) -> Figures:
    if scope.team_code is None:
        return await progress.commune_figures(session, config, scope.period)
    return await progress.team_figures(session, config, scope.teams(config)[0], scope.period)


async def count_visits(session: AsyncSession, config: Config, scope: Scope) -> int:
    """The rows the "Lượt" sheet will have."""
    stmt = select(func.count()).select_from(Visit).where(_visit_filter(config, scope))
    return int((await session.exec(stmt)).one())


async def write(
    session: AsyncSession, config: Config, scope: Scope, book: Book, figures: Figures | None = None
) -> dict[str, int]:
    """Write the four sheets into `book` (not closed here); data rows per sheet title."""
    async with _bounded_sqlite_memory(session):
        if figures is None:
            figures = await figures_for(session, config, scope)
        teams = figures.teams if isinstance(figures, CommuneFigures) else (figures,)
        sheets = [
            _summary(book, config, scope.period, figures),
            await _households(session, config, scope, book),
            await _visits(session, config, scope, book),
            await _members(session, config, teams, book),
        ]
    return {s.title: s.rows for s in sheets}


@asynccontextmanager
async def _bounded_sqlite_memory(session: AsyncSession) -> AsyncIterator[None]:
    """On SQLite, the session's connection with a small page cache (which also caps the memory a sort holds before
    it spills to a temporary file) until the block ends, then its own size again. Nothing on other databases."""
    conn = await session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    size = int((await conn.exec_driver_sql("PRAGMA cache_size")).scalar_one())
    await conn.exec_driver_sql(f"PRAGMA cache_size=-{EXPORT_SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        await conn.exec_driver_sql(f"PRAGMA cache_size={size}")


async def record_export(
    session: AsyncSession, now: datetime, actor_id: int | None, scope: Scope, kind: str, rows: dict[str, int]
) -> None:
    """Who took residents' data out of the bot, and how much (no names or values)."""
    await audit.record(
        session, now, actor_id, "export", "period", scope.period.key, team=scope.team_code, kind=kind, rows=rows
    )


class _Pipe:
    """A sheet's rows serialised in a worker thread while the next batch is read from the database: a big export
    does not hold up the bot's other chats, and the database's work (its own thread) overlaps the writer's. One batch
    is written at a time (the next waits for it), so the sheet is never written by two threads at once, and at most
    two batches are held."""

    def __init__(self, sheet: SheetWriter) -> None:
        self._sheet = sheet
        self._pending: asyncio.Future[None] | None = None

    async def append(self, rows: list[list[Cell]]) -> None:
        await self.flush()
        if rows:
            self._pending = asyncio.ensure_future(asyncio.to_thread(self._sheet.extend, rows))

    async def flush(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            await pending


@asynccontextmanager
async def _piped(sheet: SheetWriter) -> AsyncIterator[_Pipe]:
    """A pipe into `sheet`, its last batch written when the block ends; if the block fails, the batch being written
    is waited for (the book is closed after this) and the block's error is the one raised."""
    pipe = _Pipe(sheet)
    try:
        yield pipe
    except BaseException:
        with contextlib.suppress(Exception):
            await pipe.flush()
        raise
    await pipe.flush()


async def _read_ahead(batches: AsyncIterator[Batch]) -> AsyncIterator[Batch]:
    """`batches`, the next one already being read (by the database driver's thread) while the caller works on the
    one it was given: reading and building rows overlap. One batch ahead, no more."""
    upcoming = asyncio.ensure_future(anext(batches))
    try:
        while True:
            try:
                batch = await upcoming
            except StopAsyncIteration:
                return
            upcoming = asyncio.ensure_future(anext(batches))
            yield batch
    finally:
        if not upcoming.done():
            upcoming.cancel()
            with contextlib.suppress(BaseException):
                await upcoming


# --- Tổng hợp -----------------------------------------------------------------------------------------------------
def _summary(book: Book, config: Config, period: Period, figures: Figures) -> SheetWriter:
    headers = [*T.SUMMARY_HEADERS, *(T.SUMMARY_SKILL_HEADER.format(skill=s.label) for s in config.skills)]
    if isinstance(figures, CommuneFigures):
        headers.append(T.SUMMARY_SCORE_HEADER)
    sheet = book.sheet(T.SHEET_SUMMARY, headers, widths=[12, 8, 22, *[14] * (len(headers) - 3)])
    if isinstance(figures, CommuneFigures):
        scores = {r.team_code: r.score for r in figures.ranking}
        for team in figures.teams:
            sheet.append([*summary_cells(config, period, team), scores.get(team.team_code)])
        sheet.append([*summary_cells(config, period, figures.totals), None])
    else:
        sheet.append(summary_cells(config, period, figures))
    return sheet


def summary_cells(config: Config, period: Period, f: TeamFigures) -> list[Cell]:
    """One "Tổng hợp" row: a team's figures, or the commune's totals (team code "")."""
    return [
        period.label(),
        f.team_code or T.SUMMARY_TOTAL,
        f.team_name,
        f.member_count,
        f.active_members,
        f.households_registered,
        f.households_reached,
        f.households_new,
        f.households_cumulative,
        f.visits,
        f.luot,
        f.luot_target,
        percent(f.luot, f.luot_target),
        f.platform_households,
        percent(f.platform_households, f.households_registered),
        f.bdhvs_households,
        percent(f.bdhvs_households, f.households_registered),
        *(f.priority_reached.get(flag, 0) for flag in progress.PRIORITY_FLAGS),
        *(f.skills.get(s.code, 0) for s in config.skills),
    ]


# --- Hộ -------------------------------------------------------------------------------------------------------------
async def _households(session: AsyncSession, config: Config, scope: Scope, book: Book) -> SheetWriter:
    headers = [*T.HOUSEHOLD_HEADERS, *(p.label for p in config.platforms)]
    widths = [8, 16, 24, 30, 14, 10, 10, 10, 20, 12, *[14] * len(config.platforms)]
    sheet = book.sheet(T.SHEET_HOUSEHOLDS, headers, widths)
    period = scope.period
    for team in scope.teams(config):
        rule = platform_status.StatusSql(
            config,
            [p.code for p in config.platforms],
            period.end,
            progress.corrections_before(config, period),
            households=select(Household.id).where(Household.team_code == team),
        )
        async with _piped(sheet) as pipe:
            async for page in _household_pages(session, rule, team):
                await pipe.append([_household_cells(config, row) for row in page])
    return sheet


async def _household_pages(
    session: AsyncSession, rule: platform_status.StatusSql, team: str
) -> AsyncIterator[Sequence[Any]]:
    """The team's households with their platform statuses, in pages by id (keyset: a page starts after the last id
    of the one before)."""
    after = 0
    while True:
        stmt = (
            select(
                Household.id,
                Household.team_code,
                Household.head_name,
                Household.address,
                Household.phone,
                Household.elderly,
                Household.ethnic_minority,
                Household.no_device,
                Member.display_name,
                Household.consent_at,
                *rule.status.values(),
            )
            .outerjoin(Member, col(Member.id) == Household.assigned_member_id)
            .where(Household.team_code == team, col(Household.archived_at).is_(None), col(Household.id) > after)
            .order_by(col(Household.id))
            .limit(HOUSEHOLD_PAGE)
        )
        page = (await session.exec(rule.join(stmt))).all()  # type: ignore[call-overload]
        if not page:
            return
        yield page
        after = page[-1].id


def _household_cells(config: Config, row: Any) -> list[Cell]:
    statuses = row[len(row) - len(config.platforms) :]  # the platforms' statuses close the row, in catalogue order
    return [
        row.id,
        _team_name(config, row.team_code),
        row.head_name,
        row.address,
        display_phone(row.phone) if row.phone else None,
        _flag(row.elderly),
        _flag(row.ethnic_minority),
        _flag(row.no_device),
        row.display_name,
        row.consent_at.astimezone(config.tz).date() if row.consent_at else None,
        *(STATUS_LABELS[Status(status)] for status in statuses),
    ]


def _flag(value: bool) -> str | None:
    return T.CELL_YES if value else None  # "x", as household lists mark it (and the import reads it back)


# --- Lượt -----------------------------------------------------------------------------------------------------------
def _visit_filter(config: Config, scope: Scope) -> Any:
    period = scope.period
    return (
        (Visit.status == STATUS_ACTIVE)
        & (col(Visit.visited_on) >= period.start)
        & (col(Visit.visited_on) <= period.end)
        & col(Visit.team_code).in_(scope.teams(config))
    )


async def _visits(session: AsyncSession, config: Config, scope: Scope, book: Book) -> SheetWriter:
    """The visits as plain rows of a Core result (no ORM row processing), one row per visit: its skills come
    aggregated by the database. Whatever repeats (a day, a team, a set of skills) is converted once, not per row."""
    sheet = book.sheet(T.SHEET_VISITS, T.VISIT_HEADERS, widths=[9, 12, 16, 8, 24, 20, 40, 9, 14, 10])
    has_note = func.coalesce(func.length(Visit.note), 0) > 0
    skills = (
        select(func.aggregate_strings(VisitSkill.skill_code, ","))
        .where(col(VisitSkill.visit_id) == Visit.id)
        .scalar_subquery()
    )
    stmt = (
        select(
            Visit.id,
            type_coerce(Visit.visited_on, String),  # SQLite's text, parsed once per day below (PG: a date already)
            Visit.team_code,
            Visit.household_id,
            Household.head_name,
            Member.display_name,
            Visit.people_count,
            Visit.outcome,
            has_note,
            skills,
        )
        .join(Household, col(Household.id) == Visit.household_id)
        .join(Member, col(Member.id) == Visit.member_id)
        .where(_visit_filter(config, scope))
        .order_by(col(Visit.visited_on), col(Visit.id))
        .execution_options(stream_results=True, yield_per=STREAM_BATCH)
    )
    days: dict[Any, date] = {}
    teams: dict[str, str] = {}
    labels: dict[str | None, str] = {}
    conn = await session.connection()
    result = await conn.stream(stmt)
    async with _piped(sheet) as pipe:
        async for partition in _read_ahead(result.partitions()):
            ready: list[list[Cell]] = []
            for vid, day, team, household, head, member, people, outcome, note, codes in partition:
                if (visited_on := days.get(day)) is None:
                    visited_on = days[day] = day if isinstance(day, date) else date.fromisoformat(day)
                if (team_name := teams.get(team)) is None:
                    team_name = teams[team] = _team_name(config, team)
                if (skill_labels := labels.get(codes)) is None:
                    skill_labels = labels[codes] = _skill_labels(config, codes)
                ready.append(
                    [
                        vid,
                        visited_on,
                        team_name,
                        household,
                        head,
                        member,
                        skill_labels,
                        people,
                        T.OUTCOME_RETURN if outcome == OUTCOME_RETURN else T.OUTCOME_DONE,
                        T.NOTE_PRESENT if note else None,
                    ]
                )
            await pipe.append(ready)
    return sheet


def _skill_labels(config: Config, codes: str | None) -> str:
    """Codes such as "vneid_install,dvc" (in any order) → the skills' labels in the catalogue's order, "; " between."""
    order = {s.code: i for i, s in enumerate(config.skills)}
    found = sorted(codes.split(",") if codes else (), key=lambda c: (order.get(c, len(order)), c))
    return "; ".join(_skill_label(config, code) for code in found)


def _skill_label(config: Config, code: str) -> str:
    skill = config.skill_by_code.get(code)
    return skill.label if skill is not None else code


def _team_name(config: Config, code: str) -> str:
    team = config.team(code)
    return team.name if team is not None else code


# --- Thành viên -----------------------------------------------------------------------------------------------------
async def _members(session: AsyncSession, config: Config, teams: Sequence[TeamFigures], book: Book) -> SheetWriter:
    """progress's member rows (members and leader of each team, in name order), with each one's role."""
    sheet = book.sheet(T.SHEET_MEMBERS, T.MEMBER_HEADERS, widths=[24, 16, 12, 12, 12, 14, 12, 14, 14])
    ids = [m.member_id for team in teams for m in team.members]
    roles: dict[int, str] = {}
    for start in range(0, len(ids), HOUSEHOLD_PAGE):
        stmt = select(Member.id, Member.role).where(col(Member.id).in_(ids[start : start + HOUSEHOLD_PAGE]))
        roles.update((await session.exec(stmt)).all())  # type: ignore[call-overload]
    for team in teams:
        for m in team.members:
            role = roles.get(m.member_id, "")
            sheet.append(
                [
                    m.name,
                    team.team_name,
                    T.ROLE_NAMES.get(role, role),
                    m.households_assigned,
                    m.target,
                    m.households_reached,
                    m.visits,
                    m.luot,
                    m.last_visit_on,
                ]
            )
    return sheet


def cli_command(scope: Scope, config: Config) -> str:
    """The command that writes the same workbook on the server (for exports too big for a chat)."""
    team = f" --team {scope.teams(config)[0]}" if scope.team_code else ""
    return f"sotay export --period {scope.period.key}{team} --out {file_name(scope, config)}"
