"""What every bench shares: arguments, a database to run on, and the latency table."""

from __future__ import annotations

import argparse
import logging
import statistics
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bot.store.migrate import upgrade
from tests.scratch_db import scratch_database

HEADER = ["step", "updates", "mean ms", "p50 ms", "p95 ms", "max ms", "updates/s"]


def parse_args(description: str, n_help: str, argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--n", type=int, default=200, help=n_help)
    parser.add_argument(
        "--pg", metavar="URL", help="PostgreSQL server URL (postgresql+asyncpg://…); a temporary database is used"
    )
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    logging.basicConfig(level=logging.WARNING)
    return args


@contextmanager
def database(pg_admin_url: str | None) -> Iterator[tuple[str, str]]:
    """(backend name, migrated database URL): a scratch PostgreSQL database, or a temporary SQLite file."""
    if pg_admin_url:
        with scratch_database(pg_admin_url) as url:
            yield "postgresql", url
        return
    with tempfile.TemporaryDirectory(prefix="sotay-bench-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        yield "sqlite", url


def latency_row(name: str, values: list[float], wall: float | None = None) -> list[str]:
    """A table row: count, mean, p50, p95 and max of `values` (ms), and the rate over `wall` seconds."""
    ordered = sorted(values)
    p95 = statistics.quantiles(ordered, n=100, method="inclusive")[94] if len(ordered) > 1 else ordered[0]
    rate = f"{len(values) / wall:.1f}" if wall else ""
    return [
        name,
        str(len(values)),
        *(f"{v:.2f}" for v in (statistics.fmean(ordered), statistics.median(ordered), p95, ordered[-1])),
        rate,
    ]


def print_table(title: Sequence[str], groups: Sequence[Sequence[list[str]]], header: Sequence[str] = HEADER) -> None:
    """Print the title lines, then the rows in groups separated by rules, columns aligned (latency_row's columns
    unless `header` says others)."""
    header = list(header)
    rows = [row for group in groups for row in group]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    for text in title:
        print(text)
    print(line(header))
    for group in groups:
        print(line(["-" * w for w in widths]))
        for row in group:
            print(line(row))
