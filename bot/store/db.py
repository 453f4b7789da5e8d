"""Engine and sessions: SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

log = logging.getLogger(__name__)
T = TypeVar("T")

# How long an SQLite statement waits for another connection's write lock before it fails with "database is
# locked". SQLite has one write lock for the whole file, so this bounds the longest write transaction others can
# wait behind; units of work keep their writes short and are retried when it is reached anyway (Store.transact).
BUSY_TIMEOUT_MS = 5000
BUSY_RETRIES = 8  # a unit of work rolled back only because SQLite was busy runs again this many times
BUSY_PAUSE = 0.05  # seconds before the first such retry, doubled for each next, and cut by up to half at random
# so that the units that lost the same race do not all come back at the same moment
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def upsert_insert(session: AsyncSession) -> Any:
    """The session's dialect's INSERT construct, which has ON CONFLICT (on_conflict_do_nothing / _do_update)."""
    return dialect_insert(session.bind.dialect.name if session.bind else "sqlite")


async def bulk_insert(session: AsyncSession, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows (dicts with the same keys) of a Core table in the session's transaction, no ORM objects,
    each value bound through its column's own type (bulk_insert_records)."""
    if rows:
        columns = list(rows[0])
        await bulk_insert_records(session, table, columns, [tuple(row.values()) for row in rows])


async def bulk_insert_records(
    session: AsyncSession, table: Any, columns: list[str], records: list[tuple[Any, ...]]
) -> None:
    """Insert many rows given as tuples in `columns`' order: on PostgreSQL by COPY (one stream instead of an INSERT
    per row), elsewhere by the driver's executemany of the statement compiled once (SQLAlchemy's own executemany
    rebuilds the parameters row by row, most of an import's time). Values go through their columns' own types."""
    if not records:
        return
    connection = await session.connection()
    dialect = connection.dialect
    binds = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    if any(binds):
        records = [
            tuple(value if bind is None else bind(value) for bind, value in zip(binds, record, strict=True))
            for record in records
        ]
    if dialect.name == "postgresql":
        driver = (await connection.get_raw_connection()).driver_connection
        if not driver.is_in_transaction():  # the dialect opens its transaction at the first statement it runs
            await connection.exec_driver_sql("SELECT 1")
        await driver.copy_records_to_table(table.name, records=records, columns=columns)
        return
    compiled = table.insert().compile(dialect=dialect, column_keys=columns)
    order = [columns.index(name) for name in compiled.positiontup]  # the driver's parameters are positional
    if order != list(range(len(columns))):
        records = [tuple(record[i] for i in order) for record in records]
    await connection.exec_driver_sql(str(compiled), records)


def dialect_insert(dialect: str) -> Any:
    """The INSERT construct with ON CONFLICT of a dialect ("postgresql" or "sqlite")."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def _retrying_busy(once: Callable[[], Awaitable[T]], what: str, retries: int = BUSY_RETRIES) -> T:
    """Run `once` again after a short random pause while SQLite was too busy, up to `retries` times."""
    attempt = 0
    while True:
        try:
            return await once()
        except Exception as exc:
            if attempt >= retries or not is_busy(exc):
                raise
        attempt += 1
        log.info("the database was busy (%s); trying again (%d of %d)", what, attempt, retries)
        await asyncio.sleep(BUSY_PAUSE * 2 ** (attempt - 1) * random.uniform(0.5, 1.0))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
    cur.execute("PRAGMA cache_size=-65536")  # 64 MB: a commune's figures stay in memory (bench/progress_latency)
    cur.close()


def is_busy(exc: BaseException) -> bool:
    """SQLite gave up waiting for a lock ("database is locked"): the statement changed nothing, and once the
    transaction is rolled back the whole unit of work may safely run again."""
    orig = getattr(exc, "orig", exc)  # SQLAlchemy wraps the driver's exception
    if not isinstance(orig, sqlite3.OperationalError):
        return False
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)  # extended codes (BUSY_SNAPSHOT…) keep the primary
    return "locked" in str(orig) or "busy" in str(orig)


def make_engine(url: str) -> AsyncEngine:
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # JIT compiling costs PostgreSQL about a second on the coverage query, for a few ms of work saved.
    return create_async_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args={"server_settings": {"jit": "off"}},
    )


class Store:
    """The one database handle: hands out sessions, one transaction per unit of work."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed on success and rolled back on any error."""
        async with self._sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def transact(self, work: Callable[[AsyncSession], Awaitable[T]], what: str = "unit of work") -> T:
        """`work(session)` in one transaction, committed on success. When SQLite was too busy (another writer held
        the lock past the busy timeout) the transaction was rolled back, so `work` runs again in a fresh one after
        a short random pause, up to BUSY_RETRIES times; any other error, or the last busy one, is raised.

        `work` may run more than once: everything it changes must be in the session (or be safe to redo)."""

        async def once() -> T:
            async with self.session() as session:
                return await work(session)

        return await _retrying_busy(once, what)

    async def returning(
        self, statement: Any, what: str = "a statement", rows: Sequence[dict[str, Any]] = ()
    ) -> list[Any]:
        """One statement with a RETURNING clause in a transaction of its own, on a bare connection (no ORM session:
        the inbox's write on every update), retried like `transact` while SQLite is busy; the rows it returned.
        `rows`: its parameters, one set per row (an INSERT of several rows, compiled once and cached)."""

        async def once() -> list[Any]:
            async with self.engine.begin() as conn:
                return list((await conn.execute(statement, list(rows) or None)).all())

        return await _retrying_busy(once, what)

    async def close(self) -> None:
        await self.engine.dispose()
