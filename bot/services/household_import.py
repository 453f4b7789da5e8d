"""Import a thôn's existing household list: plan what each row would do, then apply it in one transaction.

Every row is classified: create; unchanged (the household is already there: same folded name and address, or same
phone and name — so importing a file twice changes nothing); update (the file adds a phone, a priority flag or an
assigned member the register lacks; existing data is never blanked out); probable duplicate (close to a household
already there or to an earlier row of the file); or bad (with the reason). Duplicates are only created when asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import chain
from typing import Any

from sqlalchemy import or_, text, update
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.gc_pause import without_gc_pauses
from bot.core.phone import normalise_phone
from bot.core.tabular import FLAG_FIELDS, Field, Row, Table, parse_flag
from bot.core.text import CITIZEN_ID_MASK, has_citizen_id, mask_citizen_ids, nfc, word_key
from bot.services import audit, household_words, period_counts
from bot.services.household_match import MatchIndex, Reason
from bot.services.households import NewHousehold, new_values
from bot.services.period_counts import FLAGS
from bot.store.db import bulk_insert
from bot.store.models import Conversation, Household, Member, Upload

NAME_MAX, ADDRESS_MAX = 120, 200
UPLOAD_TTL = timedelta(days=1)
FLOW_NAME = "import_households"  # the chat flow that holds an upload while it runs
_PHONE_SEPARATORS = ("/", ";", ",", " - ", "hoặc", "hoac", "\n")
_FLAG_COLUMNS = {f.value: f for f in FLAG_FIELDS}
_HOUSEHOLD_TABLE = Household.__table__  # type: ignore[attr-defined]
_ANALYZE_AFTER = 1000  # households created by one import from which the planner's statistics are refreshed


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    BAD = "bad"


class Problem(StrEnum):
    """Why a row cannot be imported."""

    NO_NAME = "no_name"
    NO_ADDRESS = "no_address"
    NAME_DIGITS = "name_digits"
    NAME_INVALID = "name_invalid"
    NAME_TOO_LONG = "name_too_long"


class Note(StrEnum):
    """Something to know about a row that is imported anyway."""

    PHONE_UNREADABLE = "phone_unreadable"  # imported without the phone
    PHONE_UNUSUAL = "phone_unusual"
    PHONE_DIFFERS = "phone_differs"  # the register keeps its own number
    CITIZEN_ID = "citizen_id"  # a 12-digit number was masked and not kept
    FLAG_UNREADABLE = "flag_unreadable"
    MEMBER_UNKNOWN = "member_unknown"
    MEMBER_AMBIGUOUS = "member_ambiguous"
    SIMILAR_CREATED = "similar_created"  # created although it resembles another household (include_similar)


@dataclass(frozen=True)
class Remark:
    note: Note
    value: str = ""  # what was in the cell (masked), the member's name, or the column


@dataclass(frozen=True)
class Like:
    """The household (or earlier row of the file) that a row is, or resembles."""

    name: str
    address: str
    household_id: int | None = None
    row: int | None = None
    reason: Reason | None = None


@dataclass(frozen=True)
class RowResult:
    row: int
    action: Action
    name: str
    address: str
    problem: Problem | None = None
    remarks: tuple[Remark, ...] = ()
    like: Like | None = None
    changes: tuple[str, ...] = ()  # columns an update fills: phone, elderly, ethnic_minority, no_device, assigned


@dataclass
class ImportReport:
    team_code: str
    header_row: int
    sheet: str | None
    columns: dict[Field, str]
    ignored: tuple[str, ...]
    include_similar: bool
    results: list[RowResult] = field(default_factory=list)
    applied: bool = False
    _creates: list[dict[str, Any]] = field(default_factory=list, repr=False)
    _updates: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)

    def count(self, action: Action) -> int:
        return sum(1 for r in self.results if r.action is action)

    def rows(self, action: Action) -> list[RowResult]:
        return [r for r in self.results if r.action is action]

    @property
    def with_remarks(self) -> list[RowResult]:
        return [r for r in self.results if r.remarks and r.action is not Action.BAD]

    @property
    def has_changes(self) -> bool:
        return bool(self._creates or self._updates)


# --- reading one row -------------------------------------------------------------------------------------------
@dataclass(slots=True)  # not frozen: a frozen dataclass is slower to build, and there is one per row
class _Parsed:
    name: str
    address: str
    name_key: str
    address_key: str
    phone: str | None
    flags: dict[str, bool]
    assigned: int | None


def _masked(cells: Iterable[str]) -> bool:
    # One search over the cells joined by line breaks, not one per cell: a citizen id never spans a line break.
    return has_citizen_id("\n".join(cells))


def _clean(text: str, limit: int | None = None) -> str:
    cleaned = " ".join(mask_citizen_ids(nfc(text))[0].replace(CITIZEN_ID_MASK, " ").split())
    return cleaned[:limit] if limit else cleaned


def _name_problem(name: str) -> Problem | None:
    if not name:
        return Problem.NO_NAME
    if any(map(str.isdigit, name)):
        return Problem.NAME_DIGITS
    if sum(map(str.isalpha, name)) < 2:
        return Problem.NAME_INVALID
    if len(name) > NAME_MAX:
        return Problem.NAME_TOO_LONG
    return None


def _phone(cell: str, remarks: list[Remark]) -> str | None:
    """The first readable number in the cell ("0912 345 678 / 0987…"); unreadable → a remark, no phone."""
    text = mask_citizen_ids(cell)[0]
    if not text:
        return None
    parts = [text]
    for sep in _PHONE_SEPARATORS:
        if sep in text:  # most cells hold one number: nothing to split
            parts = [p for part in parts for p in part.split(sep)]
    for part in (p.strip() for p in parts):
        result = normalise_phone(part) if part else None
        if result is not None and result.e164:
            if not result.known_range:
                remarks.append(Remark(Note.PHONE_UNUSUAL, text))
            return result.e164
    remarks.append(Remark(Note.PHONE_UNREADABLE, text))
    return None


def _flags(row: Row, columns: dict[Field, str], remarks: list[Remark]) -> dict[str, bool]:
    flags: dict[str, bool] = {}
    for name, flag_field in _FLAG_COLUMNS.items():
        sources = [flag_field] + ([Field.ETHNICITY] if flag_field is Field.ETHNIC_MINORITY else [])
        for source in sources:
            cell = row.cells.get(source)
            if cell is None:
                continue
            value = parse_flag(cell, source)
            if value is None:
                remarks.append(Remark(Note.FLAG_UNREADABLE, columns.get(source, source.value)))
            flags[name] = flags.get(name, False) or bool(value)
    return flags


def _assigned(cell: str | None, members: dict[str, list[int]], remarks: list[Remark]) -> int | None:
    if not cell:
        return None
    ids = members.get(word_key(cell), [])
    if len(ids) == 1:
        return ids[0]
    remarks.append(Remark(Note.MEMBER_AMBIGUOUS if ids else Note.MEMBER_UNKNOWN, _clean(cell)))
    return None


def _parse(
    row: Row, columns: dict[Field, str], members: dict[str, list[int]]
) -> tuple[_Parsed, Problem | None, list[Remark]]:
    remarks: list[Remark] = []
    if _masked(chain(row.cells.values(), row.other)):
        remarks.append(Remark(Note.CITIZEN_ID))
    name = _clean(row.cells.get(Field.NAME, ""))
    address = _clean(row.cells.get(Field.ADDRESS, ""), ADDRESS_MAX)
    problem = _name_problem(name) or (None if address else Problem.NO_ADDRESS)
    if problem is not None:
        return _Parsed(name[:NAME_MAX], address, "", "", None, {}, None), problem, remarks
    phone = _phone(row.cells.get(Field.PHONE, ""), remarks)
    flags = _flags(row, columns, remarks)
    assigned = _assigned(row.cells.get(Field.ASSIGNED), members, remarks)
    return _Parsed(name, address, word_key(name), word_key(address), phone, flags, assigned), None, remarks


# --- the register as it is -------------------------------------------------------------------------------------
@dataclass
class _Known:
    """A household already in the register (or created earlier in this file), as far as matching needs."""

    like: Like
    name_key: str
    address_key: str
    phone: str | None
    flags: dict[str, bool]
    assigned: int | None
    household_id: int | None = None  # None: a row of this file, not yet in the register


_COLUMNS = (
    Household.id,
    Household.head_name,
    Household.address,
    Household.name_key,
    Household.address_key,
    Household.phone,
    Household.elderly,
    Household.ethnic_minority,
    Household.no_device,
    Household.assigned_member_id,
)


async def _register(session: AsyncSession, team_code: str) -> list[_Known]:
    stmt = select(*_COLUMNS).where(Household.team_code == team_code, col(Household.archived_at).is_(None))  # type: ignore[call-overload]
    rows = (await session.exec(stmt)).all()
    known = []
    with without_gc_pauses():
        for hid, name, address, name_key, address_key, phone, elderly, ethnic, no_device, assigned in rows:
            flags = {"elderly": elderly, "ethnic_minority": ethnic, "no_device": no_device}
            like = Like(name, address, household_id=hid)
            known.append(_Known(like, name_key, address_key, phone, flags, assigned, hid))
    return known


async def _members(session: AsyncSession, team_code: str) -> dict[str, list[int]]:
    """The team's active members by folded name (a name may belong to two people)."""
    stmt = select(Member.id, Member.display_name).where(Member.team_code == team_code, Member.active)  # type: ignore[call-overload]
    by_name: dict[str, list[int]] = {}
    for mid, name in await session.exec(stmt):
        by_name.setdefault(word_key(name), []).append(mid)
    return by_name


class _Planner:
    def __init__(self, report: ImportReport, known: list[_Known], members: dict[str, list[int]]) -> None:
        self.report = report
        self.members = members
        self.index: MatchIndex[int] = MatchIndex()  # refs are positions in self.known
        self.known: list[_Known] = []
        self.exact: dict[tuple[str, str], int] = {}
        self.by_phone_name: dict[tuple[str, str], int] = {}
        for entry in known:
            self._file(entry)

    def _file(self, entry: _Known) -> None:
        position = len(self.known)
        self.known.append(entry)
        self.index.add(position, entry.name_key, entry.address_key, entry.phone)
        self.exact.setdefault((entry.name_key, entry.address_key), position)
        if entry.phone:
            self.by_phone_name.setdefault((entry.phone, entry.name_key), position)

    def _same(self, p: _Parsed) -> _Known | None:
        position = self.exact.get((p.name_key, p.address_key))
        if position is None and p.phone:
            position = self.by_phone_name.get((p.phone, p.name_key))
        return None if position is None else self.known[position]

    def add(self, row: Row) -> None:
        parsed, problem, remarks = _parse(row, self.report.columns, self.members)
        if problem is not None:
            self._result(row, Action.BAD, parsed, remarks, problem=problem)
            return
        same = self._same(parsed)
        if same is not None:
            self._same_household(row, parsed, same, remarks)
            return
        matches = self.index.find(parsed.name_key, parsed.address_key, parsed.phone, limit=1)
        if matches:
            other = self.known[matches[0].ref]
            like = replace(other.like, reason=matches[0].reason)
            if not self.report.include_similar:
                self._result(row, Action.DUPLICATE, parsed, remarks, like=like)
                return
            remarks.append(Remark(Note.SIMILAR_CREATED))
            self._create(row, parsed, remarks, like)
            return
        self._create(row, parsed, remarks, None)

    def _same_household(self, row: Row, parsed: _Parsed, same: _Known, remarks: list[Remark]) -> None:
        if same.household_id is None:  # the file lists this household twice: keep the first row
            self._result(row, Action.DUPLICATE, parsed, remarks, like=same.like)
            return
        changes: dict[str, Any] = {}
        if parsed.phone and not same.phone:
            changes["phone"] = same.phone = parsed.phone
        elif parsed.phone and parsed.phone != same.phone:
            remarks.append(Remark(Note.PHONE_DIFFERS))
        for flag, value in parsed.flags.items():
            if value and not same.flags.get(flag):
                changes[flag] = same.flags[flag] = True
        if parsed.assigned is not None and same.assigned is None:
            changes["assigned_member_id"] = same.assigned = parsed.assigned
        if changes:
            self.report._updates.setdefault(same.household_id, {}).update(changes)
        action = Action.UPDATE if changes else Action.UNCHANGED
        names = tuple("assigned" if c == "assigned_member_id" else c for c in changes)
        self._result(row, action, parsed, remarks, like=same.like, changes=names)

    def _create(self, row: Row, parsed: _Parsed, remarks: list[Remark], like: Like | None) -> None:
        self.report._creates.append(
            {
                "new": NewHousehold(parsed.name, parsed.address, parsed.phone, **parsed.flags),
                "assigned": parsed.assigned,
                "keys": (parsed.name_key, parsed.address_key),  # word_key of that name and address
            }
        )
        here = Like(parsed.name, parsed.address, row=row.number)
        self._file(_Known(here, parsed.name_key, parsed.address_key, parsed.phone, dict(parsed.flags), parsed.assigned))
        self._result(row, Action.CREATE, parsed, remarks, like=like)

    def _result(
        self,
        row: Row,
        action: Action,
        parsed: _Parsed,
        remarks: list[Remark],
        problem: Problem | None = None,
        like: Like | None = None,
        changes: tuple[str, ...] = (),
    ) -> None:
        self.report.results.append(
            RowResult(row.number, action, parsed.name, parsed.address, problem, tuple(remarks), like, changes)
        )


async def plan(session: AsyncSession, team_code: str, table: Table, include_similar: bool = False) -> ImportReport:
    """What importing `table` into the team's register would do, row by row. Writes nothing."""
    report = ImportReport(team_code, table.header_row, table.sheet, table.columns, table.ignored, include_similar)
    known, members = await _register(session, team_code), await _members(session, team_code)
    with without_gc_pauses():
        planner = _Planner(report, known, members)
        for row in table.rows:
            planner.add(row)
    return report


async def _insert_households(session: AsyncSession, values: list[dict[str, Any]]) -> list[int]:
    """Insert the new households (store.bulk_insert); their ids, in order."""
    if not values:
        return []
    connection = await session.connection()
    if connection.dialect.name == "postgresql":  # ids drawn from the sequence first: COPY returns none
        drawn = text("SELECT nextval(pg_get_serial_sequence('household', 'id')) FROM generate_series(1, :n)")
        ids = [int(i) for i in (await connection.execute(drawn, {"n": len(values)})).scalars()]
        with without_gc_pauses():
            await bulk_insert(session, _HOUSEHOLD_TABLE, [{"id": i, **row} for i, row in zip(ids, values, strict=True)])
        return ids
    with without_gc_pauses():
        await bulk_insert(session, _HOUSEHOLD_TABLE, values)
    # SQLite: this transaction holds the only write lock since the insert, and each row took the next rowid
    last = select(Household.id).order_by(col(Household.id).desc()).limit(len(values))
    return sorted(int(i) for i in (await connection.execute(last)).scalars())


async def apply(
    session: AsyncSession, report: ImportReport, now: datetime, actor_member_id: int | None, source: str
) -> ImportReport:
    """Write the planned creates and updates (bulk, in the session's transaction) and audit counts, not names."""
    if report.applied:
        return report
    if report._creates:
        with without_gc_pauses():
            values = [
                new_values(report.team_code, c["new"], now, None, None, c["assigned"], c["keys"])
                | {"created_by": actor_member_id}
                for c in report._creates
            ]
        ids = await _insert_households(session, values)
        filed = [(hid, v["team_code"], v["name_key"], v["address_key"]) for hid, v in zip(ids, values, strict=True)]
        await household_words.add(session, filed)
        if len(values) >= _ANALYZE_AFTER and session.bind is not None and session.bind.dialect.name == "postgresql":
            # Statistics from before a large import make PostgreSQL plan the register's look-ups as if it were
            # small (a scan of every household for a few ids) until autovacuum comes by; ANALYZE may run in the
            # import's transaction, and sees its rows.
            await session.exec(text("ANALYZE household, household_word"))  # type: ignore[call-overload]
    if report._updates:
        rows = [{"id": hid, **changes, "updated_at": now} for hid, changes in report._updates.items()]
        await session.exec(update(Household), params=rows)
        raised = {
            hid: dict.fromkeys(FLAGS, False) for hid, changes in report._updates.items() if FLAGS & changes.keys()
        }
        await period_counts.flags_changed(session, raised)  # an import only raises flags: each was False before
    await audit.record(
        session,
        now,
        actor_member_id,
        "household.import",
        "household",
        None,
        team=report.team_code,
        source=source,
        rows=len(report.results),
        created=report.count(Action.CREATE),
        updated=report.count(Action.UPDATE),
        unchanged=report.count(Action.UNCHANGED),
        duplicates=report.count(Action.DUPLICATE),
        bad=report.count(Action.BAD),
    )
    report.applied = True
    return report


# --- files sent in chat ----------------------------------------------------------------------------------------
async def save_upload(session: AsyncSession, member_id: int, name: str, content: bytes, now: datetime) -> Upload:
    """Keep a file a member sent until its import finishes; their earlier unfinished uploads go."""
    await session.exec(delete(Upload).where(col(Upload.member_id) == member_id))  # type: ignore[call-overload]
    await prune_uploads(session, now)
    upload = Upload(member_id=member_id, name=name[:200], content=content, created_at=now)
    session.add(upload)
    await session.flush()
    return upload


async def load_upload(session: AsyncSession, upload_id: int, member_id: int) -> Upload | None:
    upload = await session.get(Upload, upload_id)
    return upload if upload is not None and upload.member_id == member_id else None


async def drop_upload(session: AsyncSession, upload_id: int, now: datetime) -> None:
    """Forget a file once its flow has finished or been cancelled; also any left over for more than a day."""
    await session.exec(delete(Upload).where(col(Upload.id) == upload_id))  # type: ignore[call-overload]
    await prune_uploads(session, now)


async def prune_uploads(session: AsyncSession, now: datetime) -> int:
    """Delete uploads older than a day, and those whose import was left with /huy (no import flow holds them)."""
    in_flow = select(Conversation.member_id).where(Conversation.flow == FLOW_NAME)
    stale = or_(col(Upload.created_at) < now - UPLOAD_TTL, col(Upload.member_id).not_in(in_flow))
    result = await session.exec(delete(Upload).where(stale))  # type: ignore[call-overload]
    return result.rowcount or 0
