"""Shared fixtures: a migrated store on SQLite and on PostgreSQL, a fixed clock, a router."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine.url import make_url
from sqlmodel import SQLModel

from bot.config import Config, load_config
from bot.core.clock import VN_TZ, FixedClock
from bot.handlers.router import Router
from bot.services.deps import Deps
from bot.store.db import Store
from bot.store.migrate import upgrade
from tests.scratch_db import create_scratch, drop_scratch, in_thread

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("SOTAY_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True)
def _logging_levels_restored() -> Iterator[None]:
    """A test that runs the CLI in-process calls configure_logging, which raises some loggers' levels for the whole
    process; put them back so later tests that read debug records (token redaction) still see them."""
    names = ("", "telegram", "httpx", "httpcore", "apscheduler", "aiosqlite", "alembic")
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session (dropped afterwards)."""
    try:
        url = create_scratch(PG_ADMIN_URL)
    except OSError as exc:  # no server here
        reason = f"PostgreSQL not reachable at {make_url(PG_ADMIN_URL).render_as_string(hide_password=True)}: {exc}"
        if IN_CI:
            pytest.fail(f"CI=true requires PostgreSQL. {reason}")
        pytest.skip(reason)
    yield url
    drop_scratch(PG_ADMIN_URL, url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    in_thread(upgrade, f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> AsyncIterator[Store]:
    """A migrated, empty store: every store test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "sotay.db"
        shutil.copy(sqlite_template, path)
        db = Store(f"sqlite+aiosqlite:///{path}")
    else:
        db = Store(request.getfixturevalue("pg_url"))
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        async with db.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield db
    await db.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 20, 9, 0, tzinfo=VN_TZ))


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(ROOT / "config.yaml")


@pytest.fixture
def deps(config: Config, store: Store, clock: FixedClock) -> Deps:
    return Deps(config=config, store=store, clock=clock)


@pytest.fixture
def router(deps: Deps) -> Router:
    return Router(deps)
