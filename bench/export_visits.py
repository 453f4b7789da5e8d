"""How long the period's workbook takes to export, and how much memory, for a commune with many visits.

A synthetic commune (config.yaml's teams, 10 members each, 10,000 households) is bulk-inserted with N/10 visits,
exported for its quarter as .xlsx and as .csv (the four sheets, as `sotay export` writes them), then grown to N
visits and exported again. The register stays the same size, so what changes between the two runs is the number
of visits alone. 2% of the visits were corrected (their old rows must not be exported). Each export
runs in a fresh process, so that its resident set size is its own: "RSS before" is the process with the bot
imported and connected, "max RSS" its peak during the export; "py peak" is the Python heap's peak (tracemalloc)
in one more, traced, run. Memory that does not grow from N/10 to N visits is the point: rows are streamed.

--writers: the .xlsx writers side by side instead, on the same rows: the four sheets' rows at N visits are read
once (export.write into a book that keeps them), then written by bot/render/spreadsheet's XlsxBook and by each
candidate library that is installed (openpyxl write-only as the bot used it, XlsxWriter constant_memory,
rustpy-xlsxwriter, pyexcelerate), with the same sheets, bold headers, date format and widths.

    .venv/bin/python bench/export_visits.py --n 1000000
    .venv/bin/python bench/export_visits.py --n 200000 --writers
    .venv/bin/python bench/export_visits.py --n 1000000 --pg postgresql+asyncpg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import queue
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from multiprocessing import forkserver
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bench.common import database  # noqa: E402
from bot.config import Config, load_config  # noqa: E402
from bot.core.text import fold  # noqa: E402
from bot.render.spreadsheet import DATE_FORMAT, CsvBook, XlsxBook  # noqa: E402
from bot.services import export, visit_summaries  # noqa: E402
from bot.services.export import Scope  # noqa: E402
from bot.store.db import Store  # noqa: E402
from bot.store.models import Household, Member, Visit, VisitSkill  # noqa: E402

HEADER = ["step", "visits", "rows out", "seconds", "rows/s", "file MB", "RSS before MB", "max RSS MB", "py peak MB"]
PERIOD = "2026-Q4"
QUARTER_START, QUARTER_DAYS = date(2026, 10, 1), 92
HOUSEHOLDS = 10_000
MEMBERS_PER_TEAM = 10
BATCH = 20_000  # rows per bulk insert
CORRECTED_SHARE = 0.02
SKILLS = ["vneid_install", "vneid_level2", "vneid_docs", "dvc", "cashless", "bdhvs", "antifraud", "signature"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
GIVEN = ["Văn An", "Thị Bình", "Văn Cường", "Thị Dung", "Đức Em", "Thị Giang", "Văn Hải", "Thị Lan", "Ngọc Minh"]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="visits at full size (default 100000; also N/10)")
    parser.add_argument("--pg", metavar="URL", help="PostgreSQL server URL; a temporary database is used")
    parser.add_argument("--no-trace", action="store_true", help="skip the traced runs (tracemalloc is slow)")
    parser.add_argument("--writers", action="store_true", help="compare .xlsx writers on the same rows instead")
    args = parser.parse_args(argv)
    if args.n < 10:
        parser.error("--n must be at least 10")
    logging.basicConfig(level=logging.WARNING)
    return args


# --- the synthetic commune ---------------------------------------------------------------------------------------
@dataclass
class Commune:
    config: Config
    members: dict[str, list[int]]  # team → member ids
    households: dict[str, list[int]]  # team → household ids
    next_household: int = 1
    next_visit: int = 1


async def _insert(store: Store, model: Any, rows: list[dict[str, Any]]) -> None:
    async with store.engine.begin() as conn:
        for start in range(0, len(rows), BATCH):
            await conn.execute(insert(model.__table__), rows[start : start + BATCH])


async def _add_members(store: Store, config: Config) -> dict[str, list[int]]:
    now = datetime(2026, 9, 1, tzinfo=UTC)
    members: dict[str, list[int]] = {}
    rows, next_id = [], 1
    for team in config.teams:
        members[team.code] = list(range(next_id, next_id + MEMBERS_PER_TEAM))
        for i, mid in enumerate(members[team.code]):
            role = "leader" if i == 0 else "member"
            name = f"{SURNAMES[mid % 10]} {GIVEN[mid % 9]} {mid}"
            rows.append({"id": mid, "display_name": name, "role": role, "team_code": team.code, "created_at": now})
        next_id += MEMBERS_PER_TEAM
    await _insert(store, Member, rows)
    return members


async def _add_households(store: Store, commune: Commune, count: int) -> None:
    now = datetime(2026, 9, 1, tzinfo=UTC)
    teams = [t.code for t in commune.config.teams]
    rows = []
    for hid in range(commune.next_household, commune.next_household + count):
        team = teams[hid % len(teams)]
        name, address = f"{SURNAMES[hid % 10]} {GIVEN[hid % 9]}", f"Xóm {hid % 12 + 1}, số nhà {hid}"
        rows.append(
            {
                "id": hid,
                "team_code": team,
                "head_name": name,
                "name_key": fold(name),
                "address": address,
                "address_key": fold(address),
                "phone": f"+8491{hid % 10_000_000:07d}" if hid % 3 else None,
                "elderly": hid % 5 == 0,
                "ethnic_minority": hid % 17 == 0,
                "no_device": hid % 11 == 0,
                "assigned_member_id": commune.members[team][hid % MEMBERS_PER_TEAM],
                "consent_at": now,
                "consent_version": "2026-01",
                "created_at": now,
                "updated_at": now,
            }
        )
        commune.households[team].append(hid)
    commune.next_household += count
    await _insert(store, Household, rows)


async def _add_visits(store: Store, commune: Commune, count: int, rng: random.Random) -> None:
    """`count` visits in batches (memory stays flat), spread over the quarter; 2% of them corrected."""
    teams = [t.code for t in commune.config.teams]
    remaining = count
    while remaining:
        size = min(BATCH, remaining)
        visits, skills = [], []
        for vid in range(commune.next_visit, commune.next_visit + size):
            team = teams[vid % len(teams)]
            day = QUARTER_START + timedelta(days=rng.randrange(QUARTER_DAYS))
            created = datetime(day.year, day.month, day.day, 3, tzinfo=UTC) + timedelta(seconds=vid % 3600)
            corrected = rng.random() < CORRECTED_SHARE
            visits.append(
                {
                    "id": vid,
                    "household_id": rng.choice(commune.households[team]),
                    "member_id": rng.choice(commune.members[team]),
                    "team_code": team,
                    "visited_on": day,
                    "people_count": rng.randint(1, 4),
                    "outcome": "return" if vid % 9 == 0 else "done",
                    "note": "ghi chú" if vid % 13 == 0 else None,
                    "status": "corrected" if corrected else "active",
                    "created_at": created,
                }
            )
            skills.extend({"visit_id": vid, "skill_code": code} for code in rng.sample(SKILLS, rng.randint(1, 2)))
        await _insert(store, Visit, visits)
        await _insert(store, VisitSkill, skills)
        commune.next_visit += size
        remaining -= size


async def grow(url: str, commune: Commune | None, visits: int, rng: random.Random) -> tuple[Commune, float]:
    """Add visits until the commune has `visits` (the members and households first, when there is no commune)."""
    store = Store(url)
    started = time.perf_counter()
    try:
        if commune is None:
            config = load_config(ROOT / "config.yaml")
            members = await _add_members(store, config)
            commune = Commune(config, members, {t.code: [] for t in config.teams})
            await _add_households(store, commune, HOUSEHOLDS)
        have = commune.next_visit - 1
        await _add_visits(store, commune, visits - have, rng)
        async with store.session() as session:
            await visit_summaries.rebuild(session)  # the visits were bulk-inserted, not saved through services/visits
    finally:
        await store.close()
    return commune, time.perf_counter() - started


# --- one export, in its own process ------------------------------------------------------------------------------
def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


async def _export(url: str, kind: str, out: Path) -> dict[str, int]:
    config = load_config(ROOT / "config.yaml")
    store = Store(url)
    try:
        async with store.session() as session:
            scope = Scope(config.reporting.windows.parse(PERIOD))  # type: ignore[arg-type]
            book: CsvBook | XlsxBook = CsvBook(out.parent, out.stem) if kind == "csv" else XlsxBook(out)
            try:
                return await export.write(session, config, scope, book)
            finally:
                book.close()
    finally:
        await store.close()


def _child(url: str, kind: str, out: str, traced: bool, results: Any) -> None:
    logging.basicConfig(level=logging.WARNING)
    path = Path(out)
    before = _rss_mb()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    rows = asyncio.run(_export(url, kind, path))
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
    size = sum(p.stat().st_size for p in path.parent.glob(f"{path.stem}*"))
    results.put({"rows": rows, "seconds": seconds, "before": before, "rss": _rss_mb(), "peak": peak, "bytes": size})


def _processes() -> Any:
    """Processes forked from a small server started before the data is generated: a child's peak RSS is its own
    (Linux keeps the peak of the process a child was forked from, across exec too)."""
    ctx = multiprocessing.get_context("forkserver")
    forkserver.ensure_running()
    return ctx


def run_export(url: str, kind: str, directory: Path, traced: bool) -> dict[str, Any]:
    ctx = _processes()
    results = ctx.Queue()
    out = directory / f"export-{kind}-{'traced' if traced else 'plain'}.{kind}"
    process = ctx.Process(target=_child, args=(url, kind, str(out), traced, results))
    process.start()
    while True:
        try:
            result = results.get(timeout=1.0)
            break
        except queue.Empty:
            if not process.is_alive():
                raise RuntimeError(f"the {kind} export failed (exit code {process.exitcode})") from None
    process.join()
    for file in directory.glob("export-*"):
        file.unlink()
    return result


@dataclass
class Step:
    name: str
    visits: int
    result: dict[str, Any]
    peak_mb: float = 0.0

    def cells(self) -> list[str]:
        r = self.result
        out = sum(r["rows"].values())
        return [
            self.name,
            str(self.visits),
            str(out),
            f"{r['seconds']:.1f}",
            f"{r['rows']['Lượt'] / r['seconds']:.0f}",
            f"{r['bytes'] / 2**20:.1f}",
            f"{r['before']:.0f}",
            f"{r['rss']:.0f}",
            f"{self.peak_mb:.1f}" if self.peak_mb else "",
        ]


def print_report(backend: str, n: int, loads: list[tuple[int, float]], steps: list[Step]) -> None:
    print(f"Period export ({PERIOD}, whole commune, four sheets) — backend {backend}, up to {n} visits")
    print("bulk insert: " + ", ".join(f"{v} visits in {s:.1f} s" for v, s in loads))
    print("(rows/s: visits written per second; RSS of a fresh process per export; py peak: traced run)")
    table = [HEADER, *(s.cells() for s in steps)]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
    for k, row in enumerate(table):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))
        if k == 0:
            print("  ".join("-" * w for w in widths))


# --- the writers side by side ------------------------------------------------------------------------------------
@dataclass
class KeptSheet:
    title: str
    headers: Sequence[str]
    widths: Sequence[int]
    data: list[Sequence[Any]]
    rows: int = 0

    def append(self, row: Sequence[Any]) -> None:
        self.data.append(row)
        self.rows += 1

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.append(row)


class KeptBook:
    """A Book that keeps the rows, to write them again with each writer."""

    def __init__(self) -> None:
        self.sheets: list[KeptSheet] = []

    def sheet(self, title: str, headers: Sequence[str], widths: Sequence[int] = ()) -> KeptSheet:
        self.sheets.append(KeptSheet(title, headers, widths, []))
        return self.sheets[-1]

    def close(self) -> None:
        pass


async def _kept(url: str) -> KeptBook:
    config = load_config(ROOT / "config.yaml")
    store = Store(url)
    book = KeptBook()
    try:
        async with store.session() as session:
            await export.write(session, config, Scope(config.reporting.windows.parse(PERIOD)), book)  # type: ignore[arg-type]
    finally:
        await store.close()
    return book


def _with_sotay(sheets: list[KeptSheet], out: Path) -> None:
    book = XlsxBook(out)
    for s in sheets:
        book.sheet(s.title, s.headers, s.widths).extend(s.data)
    book.close()


def _with_openpyxl(sheets: list[KeptSheet], out: Path) -> None:
    """openpyxl's write-only mode as the bot used it: a cell object for each date and header."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    for s in sheets:
        ws = wb.create_sheet(s.title)
        for i, width in enumerate(s.widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        header = []
        for h in s.headers:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        for row in s.data:
            cells = []
            for v in row:
                if isinstance(v, date):
                    cell = WriteOnlyCell(ws, value=v)
                    cell.number_format = DATE_FORMAT
                    v = cell
                cells.append(v)
            ws.append(cells)
    wb.save(out)


def _with_xlsxwriter(sheets: list[KeptSheet], out: Path) -> None:
    import xlsxwriter  # type: ignore[import-not-found]

    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_formulas": False})
    bold, day = wb.add_format({"bold": True}), wb.add_format({"num_format": DATE_FORMAT})
    for s in sheets:
        ws = wb.add_worksheet(s.title)
        for i, width in enumerate(s.widths):
            ws.set_column(i, i, width)
        ws.freeze_panes(1, 0)
        ws.write_row(0, 0, s.headers, bold)
        for r, row in enumerate(s.data, 1):
            for c, v in enumerate(row):
                if isinstance(v, date):
                    ws.write_datetime(r, c, v, day)
                elif v is not None:
                    ws.write(r, c, v)
    wb.close()


def _with_rustpy(sheets: list[KeptSheet], out: Path) -> None:
    """Rows as dicts by header (its API); every sheet is only written at save()."""
    from rustpy_xlsxwriter import FastExcel, Format  # type: ignore[import-not-found]

    book = FastExcel(str(out)).freeze(row=1)
    for s in sheets:
        first = s.data[0] if s.data else ()
        formats = [Format().set_num_format(DATE_FORMAT) if isinstance(v, date) else None for v in first]
        rows = (dict(zip(s.headers, row, strict=False)) for row in s.data)
        book.sheet(
            s.title, rows, column_widths=list(s.widths), column_formats=formats, header_format=Format().set_bold()
        )
    book.save()


def _with_pyexcelerate(sheets: list[KeptSheet], out: Path) -> None:
    """The whole workbook in memory (pyexcelerate does not stream)."""
    from pyexcelerate import Style, Workbook  # type: ignore[import-not-found]

    wb = Workbook()
    for s in sheets:
        ws = wb.new_sheet(s.title, data=[list(s.headers), *s.data])
        for i, width in enumerate(s.widths, 1):
            ws.set_col_style(i, Style(size=width))
    wb.save(str(out))


WRITERS = {
    "sotay XlsxBook": (_with_sotay, None),
    "openpyxl write-only": (_with_openpyxl, "openpyxl"),
    "XlsxWriter constant_memory": (_with_xlsxwriter, "xlsxwriter"),
    "rustpy-xlsxwriter": (_with_rustpy, "rustpy_xlsxwriter"),
    "pyexcelerate": (_with_pyexcelerate, "pyexcelerate"),
}


def _writer_child(url: str, name: str, out: str, results: Any) -> None:
    sheets = asyncio.run(_kept(url)).sheets
    before = _rss_mb()
    started = time.perf_counter()
    WRITERS[name][0](sheets, Path(out))
    results.put({"seconds": time.perf_counter() - started, "before": before, "rss": _rss_mb(), "bytes": 0})


def compare_writers(url: str, directory: Path, visits: int) -> None:
    import importlib.util

    print(f".xlsx writers on the same rows (the four sheets at {visits} visits; RSS: rows kept in memory + writer)")
    table = [["writer", "seconds", "file MB", "RSS before MB", "max RSS MB"]]
    for name, (_, module) in WRITERS.items():
        if module is not None and importlib.util.find_spec(module) is None:
            table.append([name, "not installed", "", "", ""])
            continue
        ctx = _processes()
        results = ctx.Queue()
        out = directory / "writer.xlsx"
        process = ctx.Process(target=_writer_child, args=(url, name, str(out), results))
        process.start()
        process.join()
        if process.exitcode != 0:
            table.append([name, f"failed ({process.exitcode})", "", "", ""])
            continue
        r = results.get()
        size = out.stat().st_size / 2**20
        out.unlink()
        table.append([name, f"{r['seconds']:.1f}", f"{size:.1f}", f"{r['before']:.0f}", f"{r['rss']:.0f}"])
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for k, row in enumerate(table):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))
        if k == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    _processes()  # before the parent grows
    rng = random.Random(20261120)
    steps: list[Step] = []
    loads: list[tuple[int, float]] = []
    with database(args.pg) as (backend, url), tempfile.TemporaryDirectory(prefix="sotay-export-") as tmp:
        if args.writers:
            asyncio.run(grow(url, None, args.n, rng))
            compare_writers(url, Path(tmp), args.n)
            return 0
        commune = None
        for visits in (args.n // 10, args.n):
            commune, seconds = asyncio.run(grow(url, commune, visits, rng))
            loads.append((visits, seconds))
            for kind in ("xlsx", "csv"):
                step = Step(f"{kind} {visits}", visits, run_export(url, kind, Path(tmp), traced=False))
                if not args.no_trace:
                    step.peak_mb = run_export(url, kind, Path(tmp), traced=True)["peak"]
                steps.append(step)
    print_report(backend, args.n, loads, steps)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
