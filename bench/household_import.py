"""How long importing a thôn's household list takes, and how much memory, on a temporary database.

N synthetic households (3% of them near-duplicates of earlier rows) are written as .xlsx and as .csv; each file is
imported into an empty team register (plan + apply in one transaction), then imported again (every row is found
already there: nothing changes). Reported per step: wall time and rows per second (untraced), the process's peak
resident set size (ru_maxrss) after it, and for a first import the Python heap peak (tracemalloc) measured by
one more, traced, import of the same file into another empty team.

    .venv/bin/python bench/household_import.py --n 20000
    .venv/bin/python bench/household_import.py --n 20000 --pg postgresql+asyncpg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import asyncio
import resource
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import database, parse_args  # noqa: E402
from bot.core.clock import SystemClock  # noqa: E402
from bot.core.tabular import read_table  # noqa: E402
from bot.services import household_import  # noqa: E402
from bot.services.household_import import Action, ImportReport  # noqa: E402
from bot.store.db import Store  # noqa: E402
from tests.household_lists import csv_text, with_near_duplicates, xlsx_bytes  # noqa: E402

HEADER = ["step", "rows", "seconds", "rows/s", "created", "unchanged", "dupl.", "py peak MB", "max RSS MB"]


@dataclass
class Step:
    name: str
    rows: int
    seconds: float
    report: ImportReport
    peak_mb: float
    rss_mb: float

    def cells(self) -> list[str]:
        return [
            self.name,
            str(self.rows),
            f"{self.seconds:.2f}",
            f"{self.rows / self.seconds:.0f}",
            str(self.report.count(Action.CREATE)),
            str(self.report.count(Action.UNCHANGED)),
            str(self.report.count(Action.DUPLICATE)),
            f"{self.peak_mb:.1f}" if self.peak_mb else "",
            f"{self.rss_mb:.0f}",
        ]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


async def _import(
    store: Store, team: str, name: str, content: bytes, traced: bool = False
) -> tuple[float, ImportReport, float]:
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    async with store.session() as session:
        table = read_table(name, content)
        report = await household_import.plan(session, team, table)
        await household_import.apply(session, report, SystemClock().now(), None, source="bench")
    seconds = time.perf_counter() - started
    peak = 0.0
    if traced:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return seconds, report, peak


def list_files(n: int) -> tuple[int, dict[str, tuple[str, bytes]]]:
    """(rows, files): the same list of `n` households as .xlsx and as .csv (UTF-8 with BOM, as Excel saves it)."""
    rows = with_near_duplicates(n, 0.03)
    return len(rows), {"xlsx": ("ho.xlsx", xlsx_bytes(rows)), "csv": ("ho.csv", csv_text(rows).encode("utf-8-sig"))}


async def run(url: str, n: int, files: dict[str, tuple[str, bytes]]) -> list[Step]:
    store = Store(url)
    steps: list[Step] = []
    try:
        for team, (kind, (name, content)) in zip(("T01", "T02"), files.items(), strict=True):
            seconds, report, _ = await _import(store, team, name, content)
            steps.append(Step(f"{kind} first", n, seconds, report, 0.0, _rss_mb()))
            seconds, report, _ = await _import(store, team, name, content)
            steps.append(Step(f"{kind} again", n, seconds, report, 0.0, _rss_mb()))
        # traced last: tracemalloc's own bookkeeping would inflate the resident size of the untraced steps
        for team, first, (name, content) in zip(("T03", "T04"), steps[::2], files.values(), strict=True):
            first.peak_mb = (await _import(store, team, name, content, traced=True))[2]
    finally:
        await store.close()
    return steps


def print_report(backend: str, n: int, sizes: dict[str, int], steps: list[Step], baseline: float) -> None:
    print(f"Household list import — backend {backend}, {n} rows (3% near-duplicates)")
    print("files: " + ", ".join(f"{k} {v / 2**20:.2f} MB" for k, v in sizes.items()))
    print(f"max RSS before importing (interpreter, libraries, the generated files): {baseline:.0f} MB")
    print("(first: into an empty register; again: the same file once more, nothing changes)")
    table = [HEADER, *(s.cells() for s in steps)]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
    for k, row in enumerate(table):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))
        if k == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], "households in the list (default 200; the issue asks 20000)", argv)
    n, files = list_files(args.n)
    sizes = {kind: len(content) for kind, (_, content) in files.items()}
    with database(args.pg) as (backend, url):
        baseline = _rss_mb()
        steps = asyncio.run(run(url, n, files))
    print_report(backend, args.n, sizes, steps, baseline)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
