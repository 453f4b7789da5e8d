"""Spreadsheets written as a stream, one sheet at a time and row by row: .xlsx and .csv.

Memory does not grow with the number of rows: openpyxl's write-only worksheets serialise each row as it is appended
(to a temporary file per sheet, zipped at the end), and the CSV writer writes straight to its file.

- Dates are real dates shown as dd/mm/yyyy in .xlsx (so Excel can sort and filter them), dd/mm/yyyy text in .csv.
- A sheet longer than Excel's 1,048,576 rows continues on "Lượt (2)", "Lượt (3)", … with the header repeated.
- Text that a spreadsheet would run as a formula ("=…") is written as text (.xlsx) or with a leading
  apostrophe (.csv, also for "+", "-", "@"): residents' names and addresses are never executed.
- CSV: one file per sheet, UTF-8 with a BOM (Excel only recognises UTF-8 by it; Google Sheets ignores it) and ";"
  between cells. ";" is the list separator of Windows set to Vietnamese, so Excel-VN opens the file by a
  double-click in columns, and Google Sheets' import detects ";" by itself. A comma would leave Excel-VN with one
  column per row.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Protocol

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot import texts as T
from bot.core.clock import format_date
from bot.core.text import word_key

Cell = str | int | float | date | None
EXCEL_MAX_ROWS = 1_048_576
DATE_FORMAT = "DD/MM/YYYY"
CSV_DELIMITER = ";"
_CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def slug(title: str) -> str:
    """A file-name part from a sheet title: "Thành viên" → "thanh-vien"."""
    return word_key(title).replace(" ", "-")


class SheetWriter(Protocol):
    title: str
    rows: int  # data rows written (the header not counted)

    def append(self, row: Sequence[Cell]) -> None: ...


class Book(Protocol):
    def sheet(self, title: str, headers: Sequence[str], widths: Sequence[int] = ()) -> SheetWriter: ...

    def close(self) -> None: ...


# --- .xlsx ------------------------------------------------------------------------------------------------------
class XlsxBook:
    """A workbook saved to `target` (a path or a binary file object) on close()."""

    def __init__(self, target: str | Path | IO[bytes], max_rows: int = EXCEL_MAX_ROWS) -> None:
        self._book = Workbook(write_only=True)
        self._target = target
        self._max_rows = max_rows
        self.sheets: list[_XlsxSheet] = []

    def sheet(self, title: str, headers: Sequence[str], widths: Sequence[int] = ()) -> _XlsxSheet:
        sheet = _XlsxSheet(self, title, tuple(headers), tuple(widths))
        self.sheets.append(sheet)
        return sheet

    def _worksheet(self, title: str, headers: tuple[str, ...], widths: tuple[int, ...]) -> Any:
        ws = self._book.create_sheet(title)
        for index, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A2"
        bold = Font(bold=True)
        cells = []
        for header in headers:
            cell = WriteOnlyCell(ws, value=header)
            cell.font = bold
            cells.append(cell)
        ws.append(cells)
        return ws

    def close(self) -> None:
        self._book.save(self._target)


class _XlsxSheet:
    def __init__(self, book: XlsxBook, title: str, headers: tuple[str, ...], widths: tuple[int, ...]) -> None:
        self.title = title
        self.rows = 0
        self._book = book
        self._headers = headers
        self._widths = widths
        self._parts = 1
        self._in_part = 0
        self._start_part(title)

    def _start_part(self, title: str) -> None:
        self._ws = self._book._worksheet(title, self._headers, self._widths)
        self._dates: dict[int, Any] = {}  # column → its date cell, reused: a row is serialised as it is appended

    def append(self, row: Sequence[Cell]) -> None:
        if self._in_part >= self._book._max_rows - 1:  # the header takes one row of each part
            self._parts += 1
            self._in_part = 0
            self._start_part(T.SHEET_CONTINUED.format(title=self.title, n=self._parts))
        self._ws.append([self._cell(i, value) for i, value in enumerate(row)])
        self._in_part += 1
        self.rows += 1

    def _cell(self, column: int, value: Cell) -> Any:
        if isinstance(value, str):
            if not value.isprintable():  # control characters cannot be stored in .xlsx
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            if value.startswith("="):
                cell = WriteOnlyCell(self._ws, value=value)
                cell.data_type = "s"
                return cell
            return value
        if isinstance(value, date) and not isinstance(value, datetime):
            cell = self._dates.get(column)
            if cell is None:
                cell = self._dates[column] = WriteOnlyCell(self._ws)
                cell.number_format = DATE_FORMAT
            cell.value = value
            return cell
        return value


# --- .csv -------------------------------------------------------------------------------------------------------
class CsvBook:
    """One CSV file per sheet: `<directory>/<stem>-<sheet slug>.csv`; `paths` lists them in order."""

    def __init__(self, directory: Path, stem: str) -> None:
        self._directory = directory
        self._stem = stem
        self.sheets: list[_CsvSheet] = []

    @property
    def paths(self) -> list[Path]:
        return [s.path for s in self.sheets]

    def sheet(self, title: str, headers: Sequence[str], widths: Sequence[int] = ()) -> _CsvSheet:
        path = self._directory / f"{self._stem}-{slug(title)}.csv"
        sheet = _CsvSheet(title, path, headers)
        self.sheets.append(sheet)
        return sheet

    def close(self) -> None:
        for sheet in self.sheets:
            sheet.close()


class _CsvSheet:
    def __init__(self, title: str, path: Path, headers: Sequence[str]) -> None:
        self.title = title
        self.path = path
        self.rows = 0
        self._file = path.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._file, delimiter=CSV_DELIMITER)
        self._writer.writerow(headers)

    def append(self, row: Sequence[Cell]) -> None:
        self._writer.writerow([csv_text(value) for value in row])
        self.rows += 1

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


def csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date) and not isinstance(value, datetime):
        return format_date(value)
    if isinstance(value, str):
        return "'" + value if value.startswith(_CSV_FORMULA_START) else value
    return str(value)
