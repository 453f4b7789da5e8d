"""How much of the corpus of phone-typed lines the bot understands, per category (tests/corpus/typed_lines.tsv).

    python bench/typed_lines.py [--pg postgresql+asyncpg://postgres@127.0.0.1:5432/test] [--failures]

Prints a table: lines, understood, not understood, wrong (a reply that reads the line wrongly), and wrong
readings that changed data, per category and in total.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections import Counter
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_config  # noqa: E402
from bot.core.clock import VN_TZ, FixedClock  # noqa: E402
from bot.services.deps import Deps  # noqa: E402
from bot.store.db import Store  # noqa: E402
from bot.store.migrate import upgrade  # noqa: E402
from tests.corpus.harness import CORPORA, NOT_UNDERSTOOD, UNDERSTOOD, WRONG, Tally, load_cases, run_corpus  # noqa: E402
from tests.scratch_db import in_thread, scratch_database  # noqa: E402


def _row(name: str, counts: Counter[str], changed: int | str) -> str:
    lines = sum(counts.values())
    share = f"{100 * counts[UNDERSTOOD] / lines:.1f}%" if lines else "-"
    return (
        f"| {name} | {lines} | {counts[UNDERSTOOD]} | {share} | {counts[NOT_UNDERSTOOD]} | {counts[WRONG]} "
        f"| {changed} |"
    )


def table(tally: Tally, backend: str) -> str:
    out = [
        f"### {backend}",
        "| category | lines | understood | share | not understood | wrong | wrong, changing data |",
        "|---|---|---|---|---|---|---|",
    ]
    for category in sorted(tally.by_category):
        out.append(_row(category, tally.by_category[category], ""))
    out.append(_row("**total**", tally.total(), tally.wrong_changing_data))
    return "\n".join(out)


async def _run(url: str, corpus: Path) -> Tally:
    store = Store(url)
    try:
        deps = Deps(load_config(ROOT / "config.yaml"), store, FixedClock(datetime(2026, 11, 20, 9, 0, tzinfo=VN_TZ)))
        return await run_corpus(deps, load_cases(corpus))
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="a PostgreSQL admin URL: run there too, in a scratch database")
    parser.add_argument("--failures", action="store_true", help="list every line not understood")
    args = parser.parse_args()
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        runs = {}
        for corpus in CORPORA:
            runs[f"SQLite, {corpus.name}"] = (f"sqlite+aiosqlite:///{folder}/{corpus.stem}.db", corpus)
            if args.pg:
                runs[f"PostgreSQL, {corpus.name}"] = (
                    stack.enter_context(scratch_database(args.pg, "sotay_typed")),
                    corpus,
                )
        for backend, (url, corpus) in runs.items():
            if backend.startswith("SQLite"):
                in_thread(upgrade, url)
            tally = asyncio.run(_run(url, corpus))
            print(table(tally, backend))
            if args.failures:
                for case, verdict in tally.failures:
                    where = f"[{case.context}] {case.typed!r}"
                    print(f"- {verdict.kind}: {where} → expected {case.expected}; {verdict.detail}")
            print()


if __name__ == "__main__":
    main()
