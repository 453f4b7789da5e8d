"""`sotay export` as an administrator runs it: real processes, real files, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv

import docx
import openpyxl

from bot import cli
from bot.services import progress
from bot.services.visits import EditRules
from tests.export_commune import build
from tests.test_cli import ROOT, sotay


async def _commune(deps) -> dict[str, str]:
    await build(deps.store, EditRules.of(deps.config))
    return {"SOTAY_DATABASE_URL": deps.store.url}


async def test_a_teams_workbook_for_a_quarter(deps, tmp_path):
    env = await _commune(deps)
    out = tmp_path / "t01.xlsx"
    result = sotay("export", "--period", "2026-q4", "--team", "t01", "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert f"Đã ghi {out}" in result.stdout
    assert "  Hộ: 3 dòng" in result.stdout and "  Lượt: 3 dòng" in result.stdout
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Tổng hợp", "Hộ", "Lượt", "Thành viên"]
    assert not list(tmp_path.glob(".*.part"))
    period = deps.config.reporting.windows.parse("2026-Q4")
    async with deps.store.session() as s:
        figures = await progress.team_figures(s, deps.config, "T01", period)
    header, row = list(book["Tổng hợp"].iter_rows(values_only=True))
    assert dict(zip(header, row, strict=True))["Lượt người được hướng dẫn"] == figures.luot == 5


async def test_the_commune_by_month_and_by_year_and_as_csv(deps, tmp_path):
    env = await _commune(deps)
    result = sotay("export", "--period", "2026-11", "--out", str(tmp_path / "xa.xlsx"), env=env)
    assert result.returncode == 0, result.stderr
    assert "  Tổng hợp: 6 dòng" in result.stdout and "  Lượt: 4 dòng" in result.stdout

    result = sotay("export", "--period", "2026", "--csv", "--out", str(tmp_path / "nam.csv"), env=env)
    assert result.returncode == 0, result.stderr
    assert "  Lượt: 5 dòng" in result.stdout  # September's visit too
    files = sorted(p.name for p in tmp_path.glob("nam-*.csv"))
    assert files == ["nam-ho.csv", "nam-luot.csv", "nam-thanh-vien.csv", "nam-tong-hop.csv"]
    with (tmp_path / "nam-tong-hop.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert rows[0]["Kỳ"] == "năm 2026" and rows[-1]["Tên tổ"] == "Xã Kiến Minh"


async def test_the_report_draft(deps, tmp_path):
    env = await _commune(deps)
    out = tmp_path / "bao-cao.docx"
    result = sotay("export", "--period", "2026-Q4", "--report", "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert f"Đã ghi dự thảo báo cáo quý IV/2026: {out}" in result.stdout
    text = "\n".join(p.text for p in docx.Document(out).paragraphs)
    assert "hướng dẫn 6 lượt người dân tại 3 hộ" in text


def test_wrong_arguments_stop_with_a_reason(tmp_path, monkeypatch, capsys):
    """In-process (the checks come before any database work); the subprocess tests above cover the real runs."""
    monkeypatch.setattr(cli, "configure_logging", lambda level: None)  # keep this process's loggers as they are
    monkeypatch.setenv("SOTAY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    out = str(tmp_path / "x.xlsx")
    cases = [
        (["--period", "2026-13", "--out", out], "Không hiểu kỳ “2026-13”"),
        (["--period", "quy 4", "--out", out], "2026-Q4 (quý)"),
        (["--period", "2026-Q4", "--team", "T99", "--out", out], "T01, T02"),
        (["--period", "2026-Q4", "--team", "T01", "--report", "--out", out], "bỏ --team"),
        (["--period", "2026-Q4", "--report", "--csv", "--out", out], "không dùng cùng --csv"),
        (["--period", "2026-Q4", "--out", str(tmp_path / "nowhere" / "x.xlsx")], "Không có thư mục"),
    ]
    for args, message in cases:
        assert cli.main(["--config", str(ROOT / "config.yaml"), "export", *args]) == 2, args
        captured = capsys.readouterr()
        assert message in captured.err and "Traceback" not in captured.err + captured.out
    assert not list(tmp_path.iterdir())  # nothing written, not even the database
