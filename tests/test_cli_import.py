"""`sotay import households` as an administrator runs it: real processes, real files."""

from __future__ import annotations

import sqlite3

from tests.household_lists import ListRow, cp1258_bytes, csv_text, xlsx_bytes
from tests.test_cli import sotay

ROWS = [
    ListRow("Nguyễn Văn An", "Xóm 3, số nhà 21", "0912.345.678", elderly="x"),
    ListRow("Trần Thị Bình", "Xóm 1, số nhà 40", ""),
    ListRow("Bình Trần Thị", "Xóm 1, số nhà 40", ""),  # the row above, given name first
    ListRow("Lê Văn 3", "Xóm 2", ""),  # a name with a digit
]


def _count(db) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("select count(*) from household").fetchone()[0]


def test_dry_run_reports_and_writes_nothing_then_the_import_writes(tmp_path):
    db = tmp_path / "bot.db"
    env = {"SOTAY_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    sheet = tmp_path / "ds.xlsx"
    sheet.write_bytes(xlsx_bytes(ROWS, title_rows=2))

    result = sotay("import", "households", str(sheet), "--team", "t01", "--dry-run", env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Trang “Danh sách hộ”, dòng tiêu đề số 3." in out
    assert "Xem trước, chưa lưu gì — Thôn Đông Tạ, 4 dòng" in out
    assert "Dòng 6: Bình Trần Thị — Xóm 1, số nhà 40 — nghi trùng dòng 5" in out
    assert "Dòng 7: lỗi — họ tên chủ hộ có chữ số" in out
    assert "--include-similar" in out and "--dry-run" in out
    assert _count(db) == 0

    result = sotay("import", "households", str(sheet), "--team", "T01", env=env)
    assert result.returncode == 0, result.stderr
    assert "Kết quả — Thôn Đông Tạ" in result.stdout and "➕ Thêm mới: 2 hộ" in result.stdout
    assert _count(db) == 2

    result = sotay("import", "households", str(sheet), "--team", "T01", "--include-similar", env=env)
    assert "✔️ Đã có trong sổ, không đổi: 2 hộ" in result.stdout and "➕ Thêm mới: 1 hộ" in result.stdout
    assert _count(db) == 3


def test_a_windows_1258_csv_from_older_software(tmp_path):
    db = tmp_path / "bot.db"
    sheet = tmp_path / "ds.csv"
    sheet.write_bytes(cp1258_bytes(csv_text(ROWS[:2], delimiter=";")))
    result = sotay(
        "import", "households", str(sheet), "--team", "T02", env={"SOTAY_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    )
    assert result.returncode == 0, result.stderr
    assert "thêm Nguyễn Văn An — Xóm 3, số nhà 21" in result.stdout
    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute("select head_name from household order by id")]
    assert names == ["Nguyễn Văn An", "Trần Thị Bình"]


def test_unknown_team_and_unreadable_files_stop_with_a_reason(tmp_path):
    env = {"SOTAY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    sheet = tmp_path / "ds.csv"
    sheet.write_text("STT,Họ tên,Năm sinh\n1,An,1950\n", encoding="utf-8")

    result = sotay("import", "households", str(sheet), "--team", "T99", env=env)
    assert result.returncode == 2
    assert "T99" in result.stderr and "T01, T02" in result.stderr

    result = sotay("import", "households", str(tmp_path / "missing.xlsx"), "--team", "T01", env=env)
    assert result.returncode == 2 and "Không mở được tệp" in result.stderr and "không có tệp này" in result.stderr

    result = sotay("import", "households", str(sheet), "--team", "T01", env=env)
    assert result.returncode == 2
    assert "Không đọc được tệp" in result.stderr and "“Địa chỉ”" in result.stderr and "Năm sinh" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
