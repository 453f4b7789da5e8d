"""Throw-away PostgreSQL databases for tests and benchmarks: created, migrated, and dropped."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine.url import make_url

from bot.store.db import make_engine
from bot.store.migrate import upgrade


def in_thread(fn: Any, *args: Any) -> Any:
    """Run blocking or asyncio.run-based work, even from inside a running event loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()


async def _admin(admin_url: str, sql: str) -> None:
    engine = make_engine(admin_url)
    try:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


def create_scratch(admin_url: str, prefix: str = "sotay_test") -> str:
    """A new, migrated database on the server of `admin_url`; its URL. Raises OSError when no server answers."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    in_thread(asyncio.run, _admin(admin_url, f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    in_thread(upgrade, url)
    return url


def drop_scratch(admin_url: str, url: str) -> None:
    name = make_url(url).database
    in_thread(asyncio.run, _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def scratch_database(admin_url: str, prefix: str = "sotay_bench") -> Iterator[str]:
    url = create_scratch(admin_url, prefix)
    try:
        yield url
    finally:
        drop_scratch(admin_url, url)
