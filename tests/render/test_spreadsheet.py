"""The streaming spreadsheet writers: dates, formulas kept as text, sheets continued past Excel's row limit."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest

from bot.core.rounding import percent
from bot.render.spreadsheet import CsvBook, XlsxBook, csv_text


def test_a_sheet_longer_than_the_limit_continues_on_another_with_the_header():
    buffer = io.BytesIO()
    book = XlsxBook(buffer, max_rows=3)  # a header and two rows per sheet
    sheet = book.sheet("Lượt", ["Mã lượt", "Ngày"])
    for n in range(5):
        sheet.append([n, date(2026, 11, n + 1)])
    book.close()
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert wb.sheetnames == ["Lượt", "Lượt (2)", "Lượt (3)"]
    assert [r[0] for r in wb["Lượt (2)"].iter_rows(values_only=True)] == ["Mã lượt", 2, 3]
    assert sheet.rows == 5
    assert wb["Lượt (3)"]["B2"].number_format == "DD/MM/YYYY"


def test_text_that_looks_like_a_formula_stays_text():
    buffer = io.BytesIO()
    book = XlsxBook(buffer)
    book.sheet("Hộ", ["Họ tên chủ hộ"]).append(['=HYPERLINK("http://x","Bấm")'])
    book.close()
    cell = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["Hộ"]["A2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert csv_text("=1+2") == "'=1+2" and csv_text("@SUM") == "'@SUM" and csv_text("Xóm 3") == "Xóm 3"


def test_csv_cells(tmp_path):
    book = CsvBook(tmp_path, "x")
    book.sheet("Thành viên", ["Họ tên", "Ngày", "Số"]).append(["Lê Thị Ữ", date(2026, 1, 5), 7])
    book.sheet("Hộ", ["Chủ hộ"]).append([None])
    book.close()
    assert [p.name for p in book.paths] == ["x-thanh-vien.csv", "x-ho.csv"]
    with book.paths[0].open(encoding="utf-8-sig", newline="") as fh:
        assert list(csv.reader(fh, delimiter=";")) == [["Họ tên", "Ngày", "Số"], ["Lê Thị Ữ", "05/01/2026", "7"]]


def test_percentages_are_whole_and_rounded_half_up():
    assert [percent(1, 8), percent(1, 3), percent(2, 3), percent(5, 0), percent(64, 50)] == [13, 33, 67, 0, 128]


def test_control_characters_are_dropped_not_fatal():
    buffer = io.BytesIO()
    book = XlsxBook(buffer)
    book.sheet("Hộ", ["Họ tên chủ hộ"]).append(["Nguyễn\x0bVăn\x00 Ánh"])
    book.close()
    assert openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["Hộ"]["A2"].value == "NguyễnVăn Ánh"


def test_the_workbook_reads_back_as_written_bold_headers_widths_dates_and_text():
    buffer = io.BytesIO()
    book = XlsxBook(buffer)
    sheet = book.sheet("Hộ & tổ", ["Mã", "Ngày", "Tên", "Điểm"], widths=[8, 12, 24])
    sheet.extend([[1, date(2026, 1, 5), " Lê & <Bình> ", 99.5], [2, None, "", None]])
    book.close()
    ws = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["Hộ & tổ"]
    assert all(cell.font.b for cell in ws[1]) and not ws["A2"].font.b
    assert [ws.column_dimensions[c].width for c in "ABC"] == [8, 12, 24] and ws.freeze_panes == "A2"
    assert ws["B2"].is_date and ws["B2"].value.date() == date(2026, 1, 5) and ws["B2"].number_format == "DD/MM/YYYY"
    assert [c.value for c in ws[2]] == [1, ws["B2"].value, " Lê & <Bình> ", 99.5]
    assert [c.value for c in ws[3]] == [2, None, None, None]


def test_sheets_are_written_one_after_the_other():
    book = XlsxBook(io.BytesIO())
    first = book.sheet("Hộ", ["Mã"])
    book.sheet("Lượt", ["Mã"])
    with pytest.raises(RuntimeError, match="finished"):
        first.append([1])
    book.close()
