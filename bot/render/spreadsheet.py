"""Spreadsheets written as a stream, one sheet at a time and row by row: .xlsx and .csv.

Memory does not grow with the number of rows: the .xlsx writer serialises each row as it is appended, straight into
the sheet's compressed part of the zip (so sheets are written one after the other: starting a sheet finishes the one
before), and the CSV writer writes straight to its file.

The .xlsx writer is our own, not openpyxl's write-only mode: a period's visits are a million rows, and building a
cell object per value made openpyxl most of an export's time (bench/export_visits). It writes the little a
workbook needs (inline strings, two styles, widths, a frozen header row); openpyxl still reads workbooks (imports)
and the tests read ours back with it.

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

import contextlib
import csv
import time
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from numbers import Number
from pathlib import Path
from types import NoneType
from typing import IO, Protocol
from xml.sax.saxutils import escape, quoteattr

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
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

    def extend(self, rows: Iterable[Sequence[Cell]]) -> None: ...


class Book(Protocol):
    def sheet(self, title: str, headers: Sequence[str], widths: Sequence[int] = ()) -> SheetWriter: ...

    def close(self) -> None: ...


# --- .xlsx ------------------------------------------------------------------------------------------------------
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 in Excel's calendar (which has a 29 Feb 1900)
# Cell styles (cellXfs, by index): 0 plain, 1 a date, 2 a bold header, 3 a date and time.
_DATE_STYLE, _HEADER_STYLE, _DATETIME_STYLE = 1, 2, 3
_STYLES = (
    f'{_XML_HEAD}<styleSheet xmlns="{_MAIN_NS}">'
    f'<numFmts count="2"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd h:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_WRITE_BATCH = 1_000  # rows serialised per write to the zip (one encode and one compress call each)


class XlsxBook:
    """A workbook written to `target` (a path or a seekable binary file object) as its rows come; complete on
    close(). One sheet is open at a time: starting a sheet (or a sheet's next part) finishes the one before."""

    def __init__(self, target: str | Path | IO[bytes], max_rows: int = EXCEL_MAX_ROWS) -> None:
        self._zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED)
        self._max_rows = max_rows
        self._titles: list[str] = []  # every part's title, in order (sheetN.xml is the Nth)
        self._open: _XlsxSheet | None = None
        self.sheets: list[_XlsxSheet] = []

    def sheet(self, title: str, headers: Sequence[str], widths: Sequence[int] = ()) -> _XlsxSheet:
        sheet = _XlsxSheet(self, title, tuple(headers), tuple(widths))
        self.sheets.append(sheet)
        return sheet

    def _part(self, sheet: _XlsxSheet, title: str) -> IO[bytes]:
        """A new worksheet part for `sheet`, its header row written; the part open before is finished."""
        if self._open is not None:
            self._open._finish()
        self._open = sheet
        self._titles.append(title)
        part = zipfile.ZipInfo(f"xl/worksheets/sheet{len(self._titles)}.xml", time.localtime()[:6])
        part.compress_type = zipfile.ZIP_DEFLATED  # a ZipInfo's own default is stored, uncompressed
        stream = self._zip.open(part, "w")
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>' for i, width in enumerate(sheet.widths, 1)
        )
        header = "".join(
            f'<c r="{get_column_letter(i)}1" t="inlineStr" s="{_HEADER_STYLE}"><is>{_text(h)}</is></c>'
            for i, h in enumerate(sheet.headers, 1)
        )
        stream.write(
            (
                f'{_XML_HEAD}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
                '<sheetViews><sheetView workbookViewId="0">'
                '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
                '<sheetFormatPr defaultRowHeight="15"/>'
                f"{f'<cols>{cols}</cols>' if cols else ''}<sheetData>"
                f'<row r="1">{header}</row>'
            ).encode()
        )
        return stream

    def __del__(self) -> None:
        # A failed export drops its book unclosed (its file is discarded): let it go quietly, without the zip's
        # "open writing handle" error, also when the interpreter has already closed the file at exit.
        if self._open is not None and self._open._stream is not None:
            with contextlib.suppress(ValueError, OSError):
                self._open._stream.close()
        with contextlib.suppress(ValueError, OSError):
            self._zip.close()

    def close(self) -> None:
        if self._open is not None:
            self._open._finish()
            self._open = None
        if not self._titles:  # a workbook needs a sheet
            _XlsxSheet(self, "Sheet", (), ())._finish()
        sheets = "".join(
            f'<sheet name={quoteattr(title)} sheetId="{n}" r:id="rId{n}"/>' for n, title in enumerate(self._titles, 1)
        )
        count = len(self._titles)
        rels = "".join(
            f'<Relationship Id="rId{n}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, count + 1)
        )
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in range(1, count + 1)
        )
        parts = {
            "xl/workbook.xml": f'{_XML_HEAD}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{sheets}</sheets></workbook>',
            "xl/_rels/workbook.xml.rels": f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL_NS}">{rels}'
            f'<Relationship Id="rId{count + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/></Relationships>',
            "xl/styles.xml": _STYLES,
            "_rels/.rels": f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            "[Content_Types].xml": f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        }
        for name, xml in parts.items():
            self._zip.writestr(name, xml)
        self._zip.close()


class _XlsxSheet:
    def __init__(self, book: XlsxBook, title: str, headers: tuple[str, ...], widths: tuple[int, ...]) -> None:
        self.title = title
        self.rows = 0
        self.headers = headers
        self.widths = widths
        self._book = book
        self._parts = 1
        self._in_part = 0
        self._columns = [get_column_letter(i) for i in range(1, max(len(headers), 1) + 1)]
        self._days: dict[date, str] = {}  # a date → its serial number, computed once per day
        self._stream: IO[bytes] | None = book._part(self, title)

    def append(self, row: Sequence[Cell]) -> None:
        self.extend((row,))

    def extend(self, rows: Iterable[Sequence[Cell]]) -> None:
        """Serialise `rows`, a batch of them per write: the per-cell work is kept to a type test and a format."""
        limit = self._book._max_rows - 1  # the header takes one row of each part
        columns = self._columns
        days = self._days
        out: list[str] = []
        for row in rows:
            if self._in_part >= limit:
                self._write(out)
                out = []
                self._parts += 1
                self._in_part = 0
                self._stream = self._book._part(self, T.SHEET_CONTINUED.format(title=self.title, n=self._parts))
            if len(row) > len(columns):
                columns.extend(get_column_letter(i) for i in range(len(columns) + 1, len(row) + 1))
            self._in_part += 1
            self.rows += 1
            r = self._in_part + 1
            cells = [f'<row r="{r}">']
            for column, value in zip(columns, row, strict=False):
                kind = type(value)
                if kind is str:
                    if value:  # an empty string is an empty cell, as in openpyxl
                        cells.append(f'<c r="{column}{r}" t="inlineStr"><is>{_text(value)}</is></c>')  # type: ignore[arg-type]
                elif kind is int or kind is float:
                    cells.append(f'<c r="{column}{r}"><v>{value}</v></c>')
                elif kind is date:
                    serial = days.get(value)  # type: ignore[arg-type]
                    if serial is None:
                        serial = days[value] = str((value - _EXCEL_EPOCH).days)  # type: ignore[operator, index]
                    cells.append(f'<c r="{column}{r}" s="{_DATE_STYLE}"><v>{serial}</v></c>')
                elif value is not None:
                    cells.append(_other_cell(f"{column}{r}", value))
            cells.append("</row>")
            out.append("".join(cells))
            if len(out) >= _WRITE_BATCH:
                self._write(out)
                out = []
        self._write(out)

    def _write(self, rows: list[str]) -> None:
        if self._stream is None:
            raise RuntimeError(f"sheet {self.title!r} is finished: a workbook's sheets are written one at a time")
        if rows:
            self._stream.write("".join(rows).encode())

    def _finish(self) -> None:
        if self._stream is not None:
            self._stream.write(b"</sheetData></worksheet>")
            self._stream.close()
            self._stream = None


def _text(value: str) -> str:
    """A string as an inline string's <t> element: control characters (which .xlsx cannot store) dropped, XML
    escaped, and its edge spaces kept. Text that looks like a formula stays text: it is never written as <f>."""
    if not value.isprintable():
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if "&" in value or "<" in value or ">" in value:
        value = escape(value)
    if value[:1].isspace() or value[-1:].isspace():
        return f'<t xml:space="preserve">{value}</t>'
    return f"<t>{value}</t>"


def _other_cell(ref: str, value: object) -> str:
    """The rare kinds of value: booleans, date-times, other numbers, anything else as its text."""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=None) - datetime(1899, 12, 30)
        return f'<c r="{ref}" s="{_DATETIME_STYLE}"><v>{moment.total_seconds() / 86400}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{_DATE_STYLE}"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, Number):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is>{_text(str(value))}</is></c>'


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
        self._days: dict[date, str] = {}

    def append(self, row: Sequence[Cell]) -> None:
        self.extend((row,))

    def extend(self, rows: Iterable[Sequence[Cell]]) -> None:
        """csv_text's cells, converted a column of the batch at a time (a comprehension per column, chosen by the
        kinds of value it holds, instead of a type test per cell): integers and None go to the writer as they are
        (it writes them as str() and ""), a date's text is made once per day."""
        batch = rows if isinstance(rows, list) else list(rows)
        if not batch:
            return
        if len(set(map(len, batch))) > 1 or not batch[0]:  # ragged (or empty) rows: cell by cell
            self._writer.writerows([csv_text(value) for value in row] for row in batch)
        else:
            self._writer.writerows(zip(*map(self._column, zip(*batch, strict=True)), strict=True))
        self.rows += len(batch)

    def _column(self, values: tuple[Cell, ...]) -> Sequence[object]:
        kinds = set(map(type, values)) - {int, NoneType}
        if not kinds:
            return values
        if kinds == {str}:
            return [v if v is None or not v.startswith(_CSV_FORMULA_START) else "'" + v for v in values]  # type: ignore[union-attr, operator]
        if kinds == {date}:
            days = self._days
            return [None if v is None else days.get(v) or days.setdefault(v, format_date(v)) for v in values]  # type: ignore[arg-type]
        return [csv_text(v) for v in values]

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
