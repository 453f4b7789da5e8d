"""Counters kept beside the visits (services/visit_summaries, services/period_counts), added to at the end of the
transaction that changes them.

Many transactions add to the same counter rows: a team's month, the commune's. One that took such a row's lock and
then went on to lock another household's rows (a correction, several visits in one message) could deadlock with one
that did the same the other way round. So the additions are collected in the session and written just before it
commits, after everything else the transaction locks, table by table in one order and each table's rows sorted: two
transactions then take the counter rows they share in the same order, and a cycle cannot form. A read of the
counters in the same transaction calls `flush` first; a rollback drops what was collected.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, delete, event, func, or_
from sqlalchemy.orm import Session
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.db import dialect_insert

_KEY = "kept_counters"  # Session.info: the additions collected in this transaction


@dataclass(frozen=True)
class Table:
    """A counter table: rows found by `keys`, whose `sums` are added to; a row whose first sum falls to 0 or below
    is deleted (a rebuild would not write it). `latest`: a day column that keeps the latest day added."""

    model: type[SQLModel]
    keys: tuple[str, ...]
    sums: tuple[str, ...]
    latest: str | None = None

    @property
    def name(self) -> str:
        return str(self.model.__tablename__)


@dataclass
class _Collected:
    rows: dict[Table, dict[tuple[Any, ...], list[Any]]] = field(default_factory=dict)  # key → [*sums, latest]
    then: list[Callable[[Session], None]] = field(default_factory=list)


def _collected(info: dict[Any, Any]) -> _Collected:
    found = info.get(_KEY)
    if found is None:
        info[_KEY] = found = _Collected()
    return found  # type: ignore[no-any-return]


async def add(
    session: AsyncSession, table: Table, key: tuple[Any, ...], sums: Sequence[int], latest: date | None = None
) -> None:
    """Add `sums` (and a `latest` day) to the row `key` of `table` when the transaction commits."""
    await session.connection()  # the transaction begun, so that its rollback forgets this too
    rows = _collected(session.info).rows.setdefault(table, {})
    row = rows.get(key)
    if row is None:
        rows[key] = [*sums, latest]
        return
    for i, n in enumerate(sums):
        row[i] += n
    if latest is not None and (row[-1] is None or latest > row[-1]):
        row[-1] = latest


def then(session: AsyncSession, work: Callable[[Session], None]) -> None:
    """Run `work` (with the synchronous session) after the counters are written, before the commit."""
    _collected(session.info).then.append(work)


def discard(session: AsyncSession) -> None:
    """Forget what was collected (a rebuild recomputes it all from the visits)."""
    session.info.pop(_KEY, None)


async def flush(session: AsyncSession) -> None:
    """Write what was collected now (before reading the counters in the same transaction)."""
    await session.run_sync(_write)


def _write(session: Session) -> None:
    collected = session.info.pop(_KEY, None)
    if collected is None:
        return
    insert = dialect_insert(session.get_bind().dialect.name)
    for table in sorted(collected.rows, key=lambda t: t.name):
        rows = collected.rows[table]
        # a row whose sums came back to nothing (a visit added, then taken back) is left as it is: its latest day, if
        # any, is read again by the `then` of the one that took it back
        changed = {key: row for key, row in rows.items() if any(row[:-1])}
        if changed:
            _upsert(session, insert, table, changed)
    for work in collected.then:
        work(session)


def _upsert(session: Session, insert: Any, table: Table, rows: dict[tuple[Any, ...], list[Any]]) -> None:
    columns = table.model.__table__.c  # type: ignore[attr-defined]
    stmt = insert(table.model.__table__)  # type: ignore[attr-defined]
    update = {name: columns[name] + stmt.excluded[name] for name in table.sums}
    if table.latest is not None:
        update[table.latest] = _later(session, columns[table.latest], stmt.excluded[table.latest])
    stmt = stmt.on_conflict_do_update(index_elements=list(table.keys), set_=update)
    params = []
    for key, row in sorted(rows.items()):  # one order: shared rows are locked alike by every transaction
        values = dict(zip(table.keys, key, strict=True)) | dict(zip(table.sums, row[:-1], strict=True))
        if table.latest is not None:
            values[table.latest] = row[-1]
        params.append(values)
    session.execute(stmt, params)
    fell = [key for key, row in rows.items() if row[0] < 0]
    if fell:
        first = columns[table.sums[0]]
        match = or_(*(and_(*(columns[k] == v for k, v in zip(table.keys, key, strict=True))) for key in fell))
        session.execute(delete(table.model.__table__).where(match, first <= 0))  # type: ignore[attr-defined]


def _later(session: Session, kept: Any, new: Any) -> Any:
    """The later of two days, the kept one when the new is none (SQLite's two-argument max() would give NULL)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.max(kept, func.coalesce(new, kept))
    return func.greatest(kept, new)  # PostgreSQL's ignores NULL


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    _write(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_KEY, None)
