"""How long finding a household takes in a large register, on a temporary database.

One team gets N synthetic households (imported in bulk). Then, through the same service functions the chat uses:
- `households.search` for head names typed the way members type them: without diacritics, in full, given name
  with family name, only a given name, and with a typo;
- `households.similar`, the "is this household already there?" check before a new one is added: the same household
  written differently, and a new household.

    .venv/bin/python bench/household_search.py --n 20000
    .venv/bin/python bench/household_search.py --n 20000 --pg postgresql+asyncpg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import database, latency_row, parse_args, print_table  # noqa: E402
from bot.core.clock import SystemClock  # noqa: E402
from bot.core.tabular import read_table  # noqa: E402
from bot.services import household_import, households  # noqa: E402
from bot.services.households import NewHousehold  # noqa: E402
from bot.store.db import Store  # noqa: E402
from tests.household_lists import ListRow, base_rows, csv_text, no_diacritics  # noqa: E402

QUERIES = 200  # timed calls per kind of query
TEAM = "T01"


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word))
    return word[:i] + word[i + 1 :] if len(word) > 3 else word + word[-1]


def search_queries(rows: list[ListRow], rng: random.Random) -> dict[str, list[str]]:
    picked = rng.sample(rows, QUERIES)
    plain = [no_diacritics(r.name).lower() for r in picked]
    return {
        "search full name": plain,
        "search family+given": [f"{q.split()[0]} {q.split()[-1]}" for q in plain],
        "search given name": [q.split()[-1] for q in plain],
        "search with a typo": [" ".join([*q.split()[:-1], _typo(q.split()[-1], rng)]) for q in plain],
    }


def similar_queries(rows: list[ListRow], rng: random.Random) -> dict[str, list[NewHousehold]]:
    picked = rng.sample(rows, QUERIES)
    again = [NewHousehold(no_diacritics(r.name), no_diacritics(r.address)) for r in picked]
    fresh = [NewHousehold(f"{r.name.split()[0]} Văn Bench", f"Xóm {rng.randint(1, 12)}, số nhà 9999") for r in picked]
    return {"similar: already there": again, "similar: a new household": fresh}


async def _time(calls: list[Callable[[], Awaitable[object]]]) -> tuple[list[float], float]:
    values = []
    started = time.perf_counter()
    for call in calls:
        t = time.perf_counter()
        await call()
        values.append((time.perf_counter() - t) * 1000.0)
    return values, time.perf_counter() - started


async def run(url: str, n: int) -> tuple[list[list[str]], float]:
    rows = base_rows(n, seed=11)
    rng = random.Random(5)
    store = Store(url)
    try:
        started = time.perf_counter()
        async with store.session() as session:
            report = await household_import.plan(session, TEAM, read_table("ho.csv", csv_text(rows).encode()))
            await household_import.apply(session, report, SystemClock().now(), None, source="bench")
        load_seconds = time.perf_counter() - started
        results = []
        for name, queries in search_queries(rows, rng).items():
            async with store.session() as session:
                calls = [lambda q=q: households.search(session, TEAM, q) for q in queries]
                values, wall = await _time(calls)
            results.append(latency_row(name, values, wall))
        for name, news in similar_queries(rows, rng).items():
            async with store.session() as session:
                calls = [lambda h=h: households.similar(session, TEAM, h) for h in news]
                values, wall = await _time(calls)
            results.append(latency_row(name, values, wall))
        return results, load_seconds
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], "households in the team (default 200; the issue asks 20000)", argv)
    with database(args.pg) as (backend, url):
        rows, load_seconds = asyncio.run(run(url, args.n))
    print_table(
        [
            f"Household look-up — backend {backend}, one team of {args.n} households "
            f"(bulk-imported in {load_seconds:.1f} s), {QUERIES} calls per row",
            "(names typed without diacritics; the 'updates' column counts calls)",
        ],
        [rows],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
