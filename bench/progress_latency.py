"""How long /tiendo and the staff overview take on a commune-sized database.

Builds (bulk inserts) a commune of 20 teams, 300 members (a leader and 14 members per team), 20,000 households
(1% archived, 5% with a platform correction) and 200,000 visits dated 01/01–20/11/2026 with 1–3 skills each
(~4% corrected, ~2% undone, ~10% "cần quay lại"), then times whole messages through the Router with a fake Inbound
(dedup row, member look-up, figures, rendering, commit) for:
- a member's /tiendo (this month), a leader's /tiendo (this month) and a leader's /tiendo 2026 (the year);
- staff's /tiendo (every team, the commune's totals and the ranking, this quarter).

    .venv/bin/python bench/progress_latency.py
    .venv/bin/python bench/progress_latency.py --pg postgresql+asyncpg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/progress_latency.py --index "CREATE INDEX ix_try ON visit (team_code, status, visited_on)"

--index (repeatable) runs the statement after the first measurement, to try an index before writing its migration,
and times everything again. --visits N [N ...] builds the commune once per number of visits (the register and the
members stay the same) and ends with the growth of each figure's p95 from the first size:

    .venv/bin/python bench/progress_latency.py --visits 50000 200000 800000
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, text  # noqa: E402

from bench.common import database, latency_row, print_table  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.core.clock import VN_TZ, FixedClock  # noqa: E402
from bot.core.messages import Inbound  # noqa: E402
from bot.handlers.router import Router  # noqa: E402
from bot.services import period_counts, visit_summaries  # noqa: E402
from bot.services.deps import Deps  # noqa: E402
from bot.store.db import Store, is_sqlite  # noqa: E402
from bot.store.models import ChannelIdentity, Household, HouseholdPlatform, Member, Visit, VisitSkill  # noqa: E402

TEAMS, MEMBERS_PER_TEAM, HOUSEHOLDS, VISITS = 20, 15, 20_000, 200_000
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=VN_TZ)
FIRST_DAY = date(2026, 1, 1)
CHUNK = 5_000
CHANNEL = "bench"


def bench_config() -> Config:
    """config.yaml with 20 teams instead of 5."""
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["teams"] = [{"code": f"T{i:02d}", "name": f"Thôn số {i}"} for i in range(1, TEAMS + 1)]
    return Config.model_validate(raw)


class Builder:
    """Rows with explicit ids, so visits' skills can be written without reading ids back."""

    def __init__(self, config: Config, visits: int = VISITS, seed: int = 7) -> None:
        self.n_visits = visits
        self.rng = random.Random(seed)
        self.config = config
        self.codes = [t.code for t in config.teams]
        self.skills = [s.code for s in config.skills]
        self.platforms = [p.code for p in config.platforms]
        self.created = NOW.astimezone(UTC) - timedelta(days=400)

    def members(self) -> list[dict[str, Any]]:
        rows, ids = [], count(1)
        for code in self.codes:
            for i in range(MEMBERS_PER_TEAM):
                role = "leader" if i == 0 else "member"
                name = f"Tổ viên {code}-{i:02d}"
                rows.append(dict(id=next(ids), display_name=name, role=role, team_code=code, created_at=self.created))
        rows.append(dict(id=next(ids), display_name="Cán bộ xã", role="staff", team_code=None, created_at=self.created))
        return rows

    def households(self) -> list[dict[str, Any]]:
        rng, rows = self.rng, []
        per_team = HOUSEHOLDS // len(self.codes)
        for t, code in enumerate(self.codes):
            for i in range(per_team):
                hid = t * per_team + i + 1
                name = f"Chủ hộ {hid}"
                rows.append(
                    dict(
                        id=hid,
                        team_code=code,
                        head_name=name,
                        name_key=name.lower(),
                        address=f"Xóm {i % 12 + 1}",
                        address_key=f"xom {i % 12 + 1}",
                        elderly=rng.random() < 0.2,
                        ethnic_minority=rng.random() < 0.1,
                        no_device=rng.random() < 0.1,
                        assigned_member_id=t * MEMBERS_PER_TEAM + i % MEMBERS_PER_TEAM + 1,
                        created_at=self.created,
                        updated_at=self.created,
                        archived_at=self.created if rng.random() < 0.01 else None,
                    )
                )
        return rows

    def visits(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        rng, visits, skills = self.rng, [], []
        per_team = HOUSEHOLDS // len(self.codes)
        days = (NOW.date() - FIRST_DAY).days + 1
        for vid in range(1, self.n_visits + 1):
            t = rng.randrange(len(self.codes))
            day = FIRST_DAY + timedelta(days=rng.randrange(days))
            roll = rng.random()
            status = "corrected" if roll < 0.04 else "undone" if roll < 0.06 else "active"
            visits.append(
                dict(
                    id=vid,
                    household_id=t * per_team + rng.randrange(per_team) + 1,
                    member_id=t * MEMBERS_PER_TEAM + rng.randrange(MEMBERS_PER_TEAM) + 1,
                    team_code=self.codes[t],
                    visited_on=day,
                    people_count=rng.choice((1, 1, 1, 2, 2, 3, 4)),
                    outcome="return" if rng.random() < 0.1 else "done",
                    status=status,
                    created_at=datetime(day.year, day.month, day.day, 10, tzinfo=VN_TZ).astimezone(UTC),
                )
            )
            skills.extend(dict(visit_id=vid, skill_code=c) for c in rng.sample(self.skills, rng.choice((1, 1, 2, 3))))
        return visits, skills

    def corrections(self) -> list[dict[str, Any]]:
        rng = self.rng
        picked = rng.sample(range(1, HOUSEHOLDS + 1), HOUSEHOLDS // 20)
        return [
            dict(
                household_id=hid,
                platform_code=rng.choice(self.platforms),
                status=rng.choice(("none", "guided", "uses")),
                set_at=NOW.astimezone(UTC) - timedelta(days=rng.randrange(300)),
            )
            for hid in picked
        ]


async def load(store: Store, config: Config, visits: int = VISITS) -> float:
    started = time.perf_counter()
    builder = Builder(config, visits)
    members = builder.members()
    visits, skills = builder.visits()
    identities = [
        dict(id=m["id"], channel=CHANNEL, user_ref=f"u{m['id']}", chat_ref=f"u{m['id']}", member_id=m["id"])
        for m in members
    ]
    for row in identities:
        row["created_at"] = builder.created
    tables: list[tuple[Any, list[dict[str, Any]]]] = [
        (Member, members),
        (ChannelIdentity, identities),
        (Household, builder.households()),
        (Visit, visits),
        (VisitSkill, skills),
        (HouseholdPlatform, builder.corrections()),
    ]
    async with store.engine.begin() as conn:
        for model, rows in tables:
            for start in range(0, len(rows), CHUNK):
                await conn.execute(insert(model.__table__), rows[start : start + CHUNK])  # type: ignore[attr-defined]
        if not is_sqlite(store.url):
            for table in ("member", "channel_identity", "household", "visit"):
                await conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
                )
    async with store.session() as session:
        await visit_summaries.rebuild(session)  # the visits were bulk-inserted, not saved through services/visits
        await period_counts.sync(session, config)  # as the first read of the figures does, once
    await analyze(store)
    return time.perf_counter() - started


async def analyze(store: Store) -> None:
    """Planner statistics as in production: PostgreSQL's autovacuum gathers them; the bot never runs ANALYZE on
    SQLite, whose planner then works without (with them it prefers slower skip-scans of ix_visit_team_day)."""
    if is_sqlite(store.url):
        return
    async with store.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE"))


class Sender:
    def __init__(self, router: Router) -> None:
        self.router = router
        self.ids = count(1)

    async def ask(self, member_id: int, command: str) -> str:
        ref = f"u{member_id}"
        inbound = Inbound(CHANNEL, ref, ref, f"m{next(self.ids)}", text=command)
        handled = await self.router.handle(inbound)
        answer = "\n".join(r.text for r in handled.replies)
        if "📊" not in answer:
            raise RuntimeError(f"unexpected answer to {command}: {answer[:200]}")
        return answer


async def time_calls(sender: Sender, member_id: int, command: str, runs: int) -> list[float]:
    for _ in range(2):  # warm caches and the statement cache
        await sender.ask(member_id, command)
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        await sender.ask(member_id, command)
        values.append((time.perf_counter() - started) * 1000.0)
    return values


CASES = [
    ("/tiendo member (month)", 2, "/tiendo"),
    ("/tiendo leader (month)", 1, "/tiendo"),
    ("/tiendo leader (year 2026)", 1, "/tiendo 2026"),
    ("/tiendo staff: overview (quarter)", TEAMS * MEMBERS_PER_TEAM + 1, "/tiendo"),
]


async def measure(sender: Sender, runs: int) -> list[list[str]]:
    rows = []
    for name, member_id, command in CASES:
        rows.append(latency_row(name, await time_calls(sender, member_id, command, runs)))
    return rows


def with_cache(store: Store, megabytes: int | None) -> None:
    """A bigger page cache on every SQLite connection of this store (to try before changing bot/store/db.py)."""
    if not megabytes or not is_sqlite(store.url):
        return

    def pragma(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA cache_size=-{megabytes * 1024}")
        cur.close()

    event.listen(store.engine.sync_engine, "connect", pragma)


async def run(
    url: str, runs: int, indexes: list[str] | None, cache_mb: int | None, visits: int = VISITS
) -> tuple[list[list[list[str]]], float]:
    config = bench_config()
    store = Store(url)
    with_cache(store, cache_mb)
    try:
        load_seconds = await load(store, config, visits)
        sender = Sender(Router(Deps(config=config, store=store, clock=FixedClock(NOW))))
        groups = [await measure(sender, runs)]
        if indexes:
            async with store.engine.begin() as conn:
                for statement in indexes:
                    await conn.execute(text(statement))
            await analyze(store)
            groups.append([[f"{r[0]} +index", *r[1:]] for r in await measure(sender, runs)])
        return groups, load_seconds
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed messages per row (default 50)")
    parser.add_argument("--pg", metavar="URL", help="PostgreSQL server URL; a temporary database is used")
    parser.add_argument(
        "--sqlite-cache-mb",
        type=int,
        metavar="MB",
        help="SQLite only: PRAGMA cache_size for the timed connections (the bot uses SQLite's default, 2 MB)",
    )
    parser.add_argument(
        "--index", metavar="SQL", action="append", help="a CREATE INDEX to try after the first measurement (repeatable)"
    )
    parser.add_argument(
        "--visits",
        type=int,
        nargs="+",
        default=[VISITS],
        metavar="N",
        help=f"visits (default {VISITS:,}); several: a growth series",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    p95s: list[tuple[int, list[list[str]]]] = []
    for visits in args.visits:
        with database(args.pg) as (backend, url):
            groups, load_seconds = asyncio.run(run(url, args.runs, args.index, args.sqlite_cache_mb, visits))
        p95s.append((visits, groups[0]))
        print_table(
            [
                f"/tiendo latency — backend {backend}: {TEAMS} teams, {TEAMS * MEMBERS_PER_TEAM} members, "
                f"{HOUSEHOLDS:,} households, {visits:,} visits (bulk-loaded in {load_seconds:.1f} s)",
                f"whole messages through the Router (figures + rendering + commit), {args.runs} runs per row; "
                "'updates' counts messages"
                + (
                    f"; SQLite cache_size {args.sqlite_cache_mb} MB"
                    if args.sqlite_cache_mb and backend == "sqlite"
                    else ""
                ),
                *(f"+index: {statement}" for statement in args.index or ()),
            ],
            groups,
        )
    if len(p95s) > 1:
        print_growth(p95s)
    return 0


def print_growth(p95s: list[tuple[int, list[list[str]]]]) -> None:
    """Each case's p95 at each size, and its ratio to the first size's."""
    first = {row[0]: float(row[4]) for row in p95s[0][1]}
    header = ["step", *(f"p95 ms @{v:,}" for v, _ in p95s), f"× {p95s[-1][0]:,} / {p95s[0][0]:,}"]
    rows = []
    for name in first:
        values = [float(next(r[4] for r in rows_ if r[0] == name)) for _, rows_ in p95s]
        rows.append([name, *(f"{v:.2f}" for v in values), f"{values[-1] / first[name]:.2f}"])
    print_table(["growth with the number of visits (p95)"], [rows], header)


if __name__ == "__main__":
    raise SystemExit(main())
