"""The period's workbook: four sheets, Vietnamese headers, dd/mm/yyyy dates, statuses as of the period's end, and
the summary equal to progress's figures (what /tiendo and /bieudo show). Fixture: tests/export_commune.py."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from bot.render.chart import team_gauges
from bot.render.spreadsheet import CsvBook, XlsxBook
from bot.services import export, progress
from bot.services.export import Scope
from bot.services.progress import TeamFigures
from bot.services.visits import EditRules
from tests.export_commune import NOTE, build

SHEETS = ["Tổng hợp", "Hộ", "Lượt", "Thành viên"]


def _period(config, key="2026-Q4"):
    return config.reporting.windows.parse(key)


async def _workbook(deps, scope: Scope) -> tuple[openpyxl.Workbook, dict[str, int]]:
    buffer = io.BytesIO()
    async with deps.store.session() as s:
        book = XlsxBook(buffer)
        rows = await export.write(s, deps.config, scope, book)
        book.close()
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue())), rows


def _records(ws) -> list[dict[str, object]]:
    header, *rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


def assert_summary_equals(row: dict[str, object], f: TeamFigures, config) -> None:
    """Every number of a "Tổng hợp" row is the figure progress computed."""
    expected = {
        "Thành viên": f.member_count,
        "Thành viên có hoạt động": f.active_members,
        "Hộ trong sổ": f.households_registered,
        "Hộ được hướng dẫn trong kỳ": f.households_reached,
        "Hộ lần đầu được hướng dẫn": f.households_new,
        "Hộ được hướng dẫn (lũy kế)": f.households_cumulative,
        "Số lần đến hộ": f.visits,
        "Lượt người được hướng dẫn": f.luot,
        "Chỉ tiêu lượt": f.luot_target,
        "Hộ dùng ít nhất 1 nền tảng số": f.platform_households,
        "Hộ học Bình dân học vụ số": f.bdhvs_households,
        "Hộ có người cao tuổi được hướng dẫn": f.priority_reached["elderly"],
        "Hộ dân tộc thiểu số được hướng dẫn": f.priority_reached["ethnic_minority"],
        "Hộ chưa có thiết bị được hướng dẫn": f.priority_reached["no_device"],
        **{f"Nội dung: {s.label}": f.skills[s.code] for s in config.skills},
    }
    assert {k: row[k] for k in expected} == expected
    assert row["Tên tổ"] == f.team_name


async def test_a_teams_workbook_has_its_four_sheets_and_the_figures_of_progress(deps):
    config = deps.config
    await build(deps.store, EditRules.of(config))
    period = _period(config)
    book, rows = await _workbook(deps, Scope(period, "t01"))
    async with deps.store.session() as s:
        figures = await progress.team_figures(s, config, "T01", period)

    assert book.sheetnames == SHEETS
    assert rows == {"Tổng hợp": 1, "Hộ": 3, "Lượt": 3, "Thành viên": 3}
    (summary,) = _records(book["Tổng hợp"])
    assert summary["Kỳ"] == "quý IV/2026" and summary["Mã tổ"] == "T01"
    assert_summary_equals(summary, figures, config)
    assert summary["Lượt người được hướng dẫn"] == 5  # v1 (2 people) + v7 (2, corrected from 3) + v4 (1)
    assert summary["Đạt chỉ tiêu lượt (%)"] == 10  # 5 of 50
    assert book["Tổng hợp"]["A1"].font.b  # headers in bold


async def test_households_sheet_shows_the_register_with_platform_statuses(deps):
    config = deps.config
    await build(deps.store, EditRules.of(config))
    book, _ = await _workbook(deps, Scope(_period(config), "T01"))
    ws = book["Hộ"]
    homes = {r["Họ tên chủ hộ"]: r for r in _records(ws)}

    assert list(homes) == ["Nguyễn Văn Ánh", "Trần Thị Bình", "Lê Văn Cường"]  # archived Phạm Thị Dung left out
    anh, binh, cuong = homes.values()
    assert anh["Số điện thoại"] == "0912 345 678" and anh["Địa chỉ"] == "Xóm 3, số nhà 21"
    assert (anh["Người cao tuổi"], anh["Dân tộc thiểu số"], anh["Không có thiết bị"]) == ("x", None, None)
    assert (binh["Dân tộc thiểu số"], cuong["Không có thiết bị"]) == ("x", "x")
    assert (anh["Người phụ trách"], cuong["Người phụ trách"]) == ("Lan", None)
    assert anh["Ngày đồng ý"].date() == date(2026, 9, 1) and cuong["Ngày đồng ý"] is None
    assert ws["J2"].number_format == "DD/MM/YYYY"
    assert (anh["VNeID"], anh["Bình dân học vụ số"], anh["Dịch vụ công trực tuyến"]) == (
        "đã hướng dẫn",
        "đã hướng dẫn",
        "chưa",
    )
    assert (binh["VNeID"], binh["Dịch vụ công trực tuyến"]) == ("đang dùng", "đã hướng dẫn")
    assert cuong["Thanh toán không dùng tiền mặt"] == "chưa"  # the only cashless visit was undone
    assert anh["Tổ"] == "Thôn Đông Tạ"


async def test_statuses_are_as_of_the_periods_end(deps):
    config = deps.config
    await build(deps.store, EditRules.of(config))
    book, _ = await _workbook(deps, Scope(_period(config, "2026-Q3"), "T01"))
    homes = {r["Họ tên chủ hộ"]: r for r in _records(book["Hộ"])}
    assert homes["Trần Thị Bình"]["Dịch vụ công trực tuyến"] == "đã hướng dẫn"  # v6 on 20/09
    assert homes["Trần Thị Bình"]["VNeID"] == "chưa"  # corrected to "đang dùng" only in November
    assert homes["Nguyễn Văn Ánh"]["VNeID"] == "chưa"


async def test_visits_sheet_lists_the_visits_that_count_without_note_text(deps):
    config = deps.config
    built = await build(deps.store, EditRules.of(config))
    book, _ = await _workbook(deps, Scope(_period(config), "T01"))
    ws = book["Lượt"]
    visits = _records(ws)
    ids = built.visits

    # v2 (corrected), v3 (undone), v5 (T02) and v6 (September) are not there
    assert [v["Mã lượt"] for v in visits] == [ids["v1"], ids["v7"], ids["v4"]]
    first, corrected, back = visits
    assert first["Ngày"].date() == date(2026, 11, 5) and ws["B2"].number_format == "DD/MM/YYYY"
    assert first["Nội dung hướng dẫn"] == "Cài đặt VNeID; Bình dân học vụ số"  # catalogue order
    assert (first["Chủ hộ"], first["Tổ viên"], first["Số người"]) == ("Nguyễn Văn Ánh", "Lan", 2)
    assert (first["Kết quả"], first["Có ghi chú"]) == ("đã xong", "có")
    assert corrected["Số người"] == 2 and corrected["Có ghi chú"] is None
    assert (back["Kết quả"], back["Tổ viên"]) == ("cần quay lại", "Minh")
    everything = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert NOTE not in everything


async def test_members_sheet_is_progress_member_rows_with_roles(deps):
    config = deps.config
    await build(deps.store, EditRules.of(config))
    period = _period(config)
    book, _ = await _workbook(deps, Scope(period, "T01"))
    async with deps.store.session() as s:
        figures = await progress.team_figures(s, config, "T01", period)
    members = _records(book["Thành viên"])
    assert [m["Họ tên"] for m in members] == [m.name for m in figures.members]
    by_name = {m["Họ tên"]: m for m in members}
    assert by_name["Hùng"]["Vai trò"] == "tổ trưởng" and by_name["Lan"]["Vai trò"] == "tổ viên"
    lan = next(m for m in figures.members if m.name == "Lan")
    row = by_name["Lan"]
    assert (row["Hộ phụ trách"], row["Mục tiêu hộ"], row["Số lần đến hộ"], row["Lượt người được hướng dẫn"]) == (
        lan.households_assigned,
        lan.target,
        lan.visits,
        lan.luot,
    )
    assert (row["Số lần đến hộ"], row["Lượt người được hướng dẫn"]) == (2, 4)
    assert row["Ngày hoạt động gần nhất"].date() == lan.last_visit_on == date(2026, 11, 6)


async def test_the_communes_workbook_has_every_team_and_the_totals(deps):
    config = deps.config
    await build(deps.store, EditRules.of(config))
    period = _period(config, "2026-11")
    book, rows = await _workbook(deps, Scope(period))
    async with deps.store.session() as s:
        commune = await progress.commune_figures(s, config, period)
        counted = await export.count_visits(s, config, Scope(period))

    summary = _records(book["Tổng hợp"])
    assert [r["Mã tổ"] for r in summary] == ["T01", "T02", "T03", "T04", "T05", "Toàn xã"]
    for row, team in zip(summary, [*commune.teams, commune.totals], strict=True):
        assert_summary_equals(row, team, config)
    scores = {r.team_code: r.score for r in commune.ranking}
    assert [r["Điểm thi đua"] for r in summary[:5]] == [scores[c] for c in ("T01", "T02", "T03", "T04", "T05")]
    assert rows["Lượt"] == counted == 4 and rows["Hộ"] == 4
    assert {v["Tổ"] for v in _records(book["Lượt"])} == {"Thôn Đông Tạ", "Thôn Kiến Lao"}


async def test_csv_files_keep_diacritics_and_dates(deps, tmp_path: Path):
    config = deps.config
    await build(deps.store, EditRules.of(config))
    async with deps.store.session() as s:
        book = CsvBook(tmp_path, "so-tay")
        try:
            rows = await export.write(s, config, Scope(_period(config), "T01"), book)
        finally:
            book.close()
    names = [p.name for p in book.paths]
    assert names == ["so-tay-tong-hop.csv", "so-tay-ho.csv", "so-tay-luot.csv", "so-tay-thanh-vien.csv"]
    raw = (tmp_path / "so-tay-luot.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    with (tmp_path / "so-tay-luot.csv").open(encoding="utf-8-sig", newline="") as fh:
        header, *lines = list(csv.reader(fh, delimiter=";"))
    assert header[:3] == ["Mã lượt", "Ngày", "Tổ"] and len(lines) == rows["Lượt"] == 3
    assert lines[0][1] == "05/11/2026" and lines[0][4] == "Nguyễn Văn Ánh"
    with (tmp_path / "so-tay-ho.csv").open(encoding="utf-8-sig", newline="") as fh:
        homes = list(csv.DictReader(fh, delimiter=";"))
    assert homes[0]["Số điện thoại"] == "0912 345 678" and homes[0]["Ngày đồng ý"] == "01/09/2026"


@pytest.mark.parametrize(("team", "name"), [("T01", "so-tay-2026-Q4-T01.xlsx"), (None, "so-tay-2026-Q4-toan-xa.xlsx")])
def test_file_names_and_the_command_line_for_big_exports(config, team, name):
    scope = Scope(_period(config), team)
    assert export.file_name(scope, config) == name
    assert export.cli_command(scope, config).endswith(f"--out {name}")
    assert ("--team T01" in export.cli_command(scope, config)) is (team is not None)


async def test_the_chart_and_the_workbook_show_the_same_numbers(deps):
    config = deps.config
    await build(deps.store, EditRules.of(config))
    period = _period(config)
    book, _ = await _workbook(deps, Scope(period, "T01"))
    (row,) = _records(book["Tổng hợp"])
    async with deps.store.session() as s:
        gauges = team_gauges(await progress.team_figures(s, config, "T01", period), config)
    reached, luot, platform, bdhvs = (g.text for g in gauges)
    assert reached.startswith(f"{row['Hộ được hướng dẫn trong kỳ']}/{row['Hộ trong sổ']} hộ")
    assert luot.startswith(f"{row['Lượt người được hướng dẫn']}/{row['Chỉ tiêu lượt']} lượt")
    assert platform.startswith(f"{row['Tỷ lệ hộ dùng nền tảng số (%)']}% ({row['Hộ dùng ít nhất 1 nền tảng số']}/")
    assert bdhvs.startswith(f"{row['Tỷ lệ hộ học Bình dân học vụ số (%)']}% ({row['Hộ học Bình dân học vụ số']}/")


async def _cache_size(session) -> int:
    return int((await (await session.connection()).exec_driver_sql("PRAGMA cache_size")).scalar_one())


class _FailingBook(CsvBook):
    def sheet(self, title, headers, widths=()):
        if title == "Thành viên":
            raise OSError("disk full")
        return super().sheet(title, headers, widths)


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # a SQLite pragma
async def test_on_sqlite_the_export_reads_with_a_small_cache_and_gives_it_back(deps, tmp_path: Path, monkeypatch):
    """SQLite sizes its page cache and the sort of the visits by the connection's cache_size: the export lowers it
    while it reads (memory stays flat however many visits), then the connection has its own size again, also when
    the export fails."""
    config = deps.config
    await build(deps.store, EditRules.of(config))
    during: list[int] = []
    visits = export._visits

    async def spied(session, *args):
        during.append(await _cache_size(session))
        return await visits(session, *args)

    monkeypatch.setattr(export, "_visits", spied)
    async with deps.store.session() as s:
        own = await _cache_size(s)
        book = CsvBook(tmp_path, "ok")
        rows = await export.write(s, config, Scope(_period(config)), book)
        book.close()
        assert rows["Lượt"] == 4 and during == [-export.EXPORT_SQLITE_CACHE_KIB] and own != during[0]
        assert await _cache_size(s) == own
        failing = _FailingBook(tmp_path, "failed")
        with pytest.raises(OSError, match="disk full"):
            await export.write(s, config, Scope(_period(config)), failing)
        failing.close()
        assert await _cache_size(s) == own
