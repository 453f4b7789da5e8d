"""Read a household list from .xlsx or .csv: find the header row, map its columns, stream the rows.

Pure: bytes in, rows out. Headers are recognised by their folded words in Vietnamese (with or without
diacritics) or English; every cell comes out as NFC text, because CP1258 exports decode to decomposed letters.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from itertools import chain
from typing import Any

from bot.core.text import nfc, word_key

HEADER_SCAN_ROWS = 10
_DELIMITERS = (",", ";", "\t")
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary Excel format (.xls)
_SHORT_ALIAS = 3  # aliases this short ("dt", "ap") only match a header exactly


class Field(StrEnum):
    NAME = "name"
    SURNAME = "surname"  # "Họ" in a list that splits "Họ" and "Tên": put before the name
    ADDRESS = "address"
    PHONE = "phone"
    ELDERLY = "elderly"
    ETHNIC_MINORITY = "ethnic_minority"
    ETHNICITY = "ethnicity"  # a "Dân tộc" column naming the group: anything but Kinh is a minority
    NO_DEVICE = "no_device"
    ASSIGNED = "assigned"


REQUIRED = (Field.NAME, Field.ADDRESS)
FLAG_FIELDS = (Field.ELDERLY, Field.ETHNIC_MINORITY, Field.NO_DEVICE)

ALIASES: dict[Field, tuple[str, ...]] = {
    Field.NAME: (
        "ho ten chu ho",
        "ho va ten chu ho",
        "ten chu ho",
        "chu ho",
        "ho ten",
        "ho va ten",
        "ten",
        "head of household",
        "household head",
        "head name",
        "full name",
        "name",
    ),
    Field.SURNAME: ("ho", "ho dem", "ho va ten dem", "ho va dem", "ho lot", "ho va chu dem", "surname", "family name"),
    Field.ADDRESS: (
        "dia chi",
        "dia chi thuong tru",
        "noi o",
        "cho o",
        "thon",
        "xom",
        "to dan pho",
        "tdp",
        "khu pho",
        "ap",
        "ban",
        "so nha",
        "address",
        "village",
        "hamlet",
    ),
    Field.PHONE: (
        "so dien thoai",
        "dien thoai",
        "so dt",
        "sdt",
        "dt",
        "dtdd",
        "di dong",
        "so di dong",
        "phone",
        "phone number",
        "mobile",
        "tel",
        "telephone",
    ),
    Field.ELDERLY: ("nguoi cao tuoi", "cao tuoi", "nct", "elderly", "tren 60 tuoi"),
    Field.ETHNIC_MINORITY: ("dan toc thieu so", "dtts", "ethnic minority", "minority"),
    Field.ETHNICITY: ("dan toc", "ethnicity", "ethnic group"),
    Field.NO_DEVICE: (
        "khong co thiet bi",
        "chua co thiet bi",
        "khong co thiet bi so",
        "chua co thiet bi so",
        "khong co dien thoai",
        "chua co dien thoai",
        "khong co dien thoai thong minh",
        "chua co dien thoai thong minh",
        "khong co smartphone",
        "no device",
        "no smartphone",
    ),
    Field.ASSIGNED: (
        "nguoi phu trach",
        "thanh vien phu trach",
        "to vien phu trach",
        "phu trach",
        "nguoi huong dan",
        "assigned to",
        "assigned member",
        "assigned",
    ),
}
# Columns about a person rather than the household: "Năm sinh chủ hộ" names no field even though it says "chủ hộ".
_NOT_A_FIELD = tuple(
    tuple(p.split())
    for p in ("nam sinh", "ngay sinh", "gioi tinh", "cccd", "cmnd", "can cuoc", "dinh danh", "nghe nghiep", "ghi chu")
)
_AGE = ("tuoi",)
_ROW_NUMBER_HEADERS = frozenset({"stt", "tt", "so tt", "so thu tu", "no", "#", ""})

_TRUE = frozenset({"x", "co", "1", "yes", "y", "true", "v", "ok", "dung"})
_FALSE = frozenset({"", "0", "khong", "k", "ko", "no", "n", "false", "sai", "-"})
_TICKS = frozenset("✓✔☑✅")
_MAJORITY = "kinh"


class TableProblem(StrEnum):
    EMPTY = "empty"
    OLD_EXCEL = "old_excel"
    BAD_XLSX = "bad_xlsx"
    ENCODING = "encoding"
    NO_HEADER = "no_header"


class TableError(Exception):
    """The file cannot be read as a household list; `problem` says why, `found` lists the header cells seen."""

    def __init__(self, problem: TableProblem, missing: tuple[Field, ...] = (), found: tuple[str, ...] = ()) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.missing = missing
        self.found = found


@dataclass(frozen=True)
class Row:
    number: int  # as the user sees it: the Excel row, or the CSV record counted from 1 with the header
    cells: dict[Field, str]  # mapped columns (several address columns are joined with ", ")
    other: tuple[str, ...]  # non-empty cells of ignored columns


@dataclass(frozen=True)
class Table:
    sheet: str | None
    header_row: int
    columns: dict[Field, str]  # field → the header as written (the first one, for address the joined names)
    ignored: tuple[str, ...]  # header cells not used
    rows: Iterator[Row]
    encoding: str | None = None  # for CSV: how the bytes were decoded
    close: Callable[[], None] = lambda: None  # frees the workbook when the rows are not read to the end


# --- headers ---------------------------------------------------------------------------------------------------
def _alias_table() -> list[tuple[tuple[str, ...], Field]]:
    table = [(tuple(alias.split()), f) for f, aliases in ALIASES.items() for alias in aliases]
    return sorted(table, key=lambda item: -len(" ".join(item[0])))  # the longest alias wins


_ALIAS_TABLE = _alias_table()


def _contains(words: tuple[str, ...], alias: tuple[str, ...]) -> bool:
    n = len(alias)
    return any(words[i : i + n] == alias for i in range(len(words) - n + 1))


def header_field(header: str) -> Field | None:
    """The field a header cell names: "Họ tên chủ hộ", "Ho ten", "SĐT", "Phone", "Hộ có người cao tuổi"…"""
    key = word_key(header)
    words = tuple(key.split())
    if any(_contains(words, phrase) for phrase in _NOT_A_FIELD):
        return None
    for alias, field in _ALIAS_TABLE:
        joined = " ".join(alias)
        if key == joined or (len(joined) > _SHORT_ALIAS and _contains(words, alias)):
            return None if field is not Field.ELDERLY and _contains(words, _AGE) else field
    return None


@dataclass(frozen=True)
class _Header:
    positions: dict[Field, list[int]]
    ignored: tuple[str, ...]
    labels: dict[Field, str]
    seen: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return all(f in self.positions for f in REQUIRED)


def _map_header(cells: list[str]) -> _Header:
    positions: dict[Field, list[int]] = {}
    ignored: list[str] = []
    labels: dict[Field, list[str]] = {}
    for i, cell in enumerate(cells):
        field = header_field(cell)
        if field is not None and (field is Field.ADDRESS or field not in positions):
            positions.setdefault(field, []).append(i)
            labels.setdefault(field, []).append(cell)
        elif word_key(cell) not in _ROW_NUMBER_HEADERS:
            ignored.append(cell)
    joined = {f: " + ".join(names) for f, names in labels.items()}
    return _Header(positions, tuple(ignored), joined, tuple(c for c in cells if c))


def _find_header(rows: list[list[str]]) -> tuple[int, _Header] | None:
    for index, cells in enumerate(rows):
        header = _map_header(cells)
        if header.complete:
            return index, header
    return None


def _best_effort(rows: list[list[str]]) -> TableError:
    """The error for a sheet without a usable header: the row that looked most like one, and what it lacks."""
    best = max((_map_header(cells) for cells in rows), key=lambda h: (len(h.positions), len(h.seen)), default=None)
    if best is None or not best.seen:
        return TableError(TableProblem.NO_HEADER, REQUIRED, ())
    return TableError(TableProblem.NO_HEADER, tuple(f for f in REQUIRED if f not in best.positions), best.seen)


# --- cells -----------------------------------------------------------------------------------------------------
def cell_text(value: Any) -> str:
    """One cell as NFC text. Excel numbers lose nothing that matters: 912345678.0 → "912345678"."""
    if isinstance(value, str):  # most cells, and calamine's empty ones: first
        return nfc(value) if value else ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return nfc(str(value))


def parse_flag(cell: str, field: Field = Field.ELDERLY) -> bool | None:
    """A yes/no cell: "x", "có", "1", "✓" → True; empty, "0", "không" → False; anything else None.

    A positive count ("2" elderly people) is yes. In a "Dân tộc" column, "Kinh" is no and any other group yes.
    """
    key = word_key(cell)
    if field is Field.ETHNICITY:
        return bool(key) and key != _MAJORITY
    if key in _TRUE or (cell.strip() and set(cell.strip()) <= _TICKS):
        return True
    if key in _FALSE:
        return False
    if key.isdigit():
        return int(key) > 0
    return None


def _row(number: int, cells: list[str], header: _Header) -> Row | None:
    used: set[int] = set()
    mapped: dict[Field, str] = {}
    for field, indexes in header.positions.items():
        parts = [cells[i] for i in indexes if i < len(cells) and cells[i]]
        used.update(indexes)
        if parts:
            mapped[field] = ", ".join(parts)
    if Field.SURNAME in mapped:
        mapped[Field.NAME] = f"{mapped.pop(Field.SURNAME)} {mapped.get(Field.NAME, '')}".strip()
    other = tuple(c for i, c in enumerate(cells) if i not in used and c)
    if not mapped and not other:
        return None  # a blank line
    return Row(number, mapped, other)


def _rows(numbered: Iterable[tuple[int, list[str]]], header: _Header) -> Iterator[Row]:
    for number, cells in numbered:
        row = _row(number, cells, header)
        if row is not None:
            yield row


# --- xlsx ------------------------------------------------------------------------------------------------------
_ERROR_CELL = b't="e"'  # a cell holding an Excel error (#N/A, #DIV/0!…)


def _sheets_calamine(content: bytes) -> tuple[Iterator[tuple[str, Iterator[Sequence[Any]]]], Callable[[], None]]:
    """(title, rows) for every worksheet, and how to free the workbook; read by calamine (Rust), ten times faster
    than openpyxl on a 20,000-row list."""
    import python_calamine  # imported here: only an Excel file needs it

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except python_calamine.CalamineError as exc:
        raise TableError(TableProblem.BAD_XLSX) from exc
    names = [m.name for m in book.sheets_metadata if m.typ is python_calamine.SheetTypeEnum.WorkSheet]

    def sheets() -> Iterator[tuple[str, Iterator[Sequence[Any]]]]:
        for name in names:
            try:
                sheet = book.get_sheet_by_name(name)
            except python_calamine.CalamineError as exc:
                raise TableError(TableProblem.BAD_XLSX) from exc
            yield name, iter(sheet.to_python(skip_empty_area=False))  # from A1, as Excel numbers rows

    closed = False

    def close() -> None:  # the Table closes when its rows end and may be closed again: calamine refuses twice
        nonlocal closed
        if not closed:
            closed = True
            book.close()

    return sheets(), close


def _sheets_openpyxl(content: bytes) -> tuple[Iterator[tuple[str, Iterator[Sequence[Any]]]], Callable[[], None]]:
    """The same, read by openpyxl, streaming: calamine reads an error cell as empty, openpyxl as its text ("#N/A"),
    which the import reports (an unreadable phone, an ignored cell)."""
    import openpyxl  # imported here: only an Excel file needs it

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TableError(TableProblem.BAD_XLSX) from exc

    def sheets() -> Iterator[tuple[str, Iterator[Sequence[Any]]]]:
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # some programs write a wrong size; read every cell there is
            yield sheet.title, sheet.iter_rows(min_row=1, values_only=True)

    return sheets(), book.close


def _workbook_reader(content: bytes) -> Callable[[bytes], tuple[Iterator[tuple[str, Iterator[Sequence[Any]]]], Any]]:
    """openpyxl for what calamine would read differently (error cells) or not refuse as openpyxl does (a zip that is
    no Office Open XML workbook, such as an .ods); calamine for the rest."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = archive.namelist()
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            return _sheets_openpyxl
        for name in names:
            if name.startswith("xl/worksheets/") and name.endswith(".xml") and _ERROR_CELL in archive.read(name):
                return _sheets_openpyxl
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise TableError(TableProblem.BAD_XLSX) from exc
    return _sheets_calamine


def _read_xlsx(content: bytes) -> Table:
    sheets, close = _workbook_reader(content)(content)
    first_error: TableError | None = None
    for title, lines in sheets:
        head = [[cell_text(v) for v in values] for _, values in zip(range(HEADER_SCAN_ROWS), lines, strict=False)]
        found = _find_header(head)
        if found is None:
            first_error = first_error or _best_effort(head)
            continue
        index, header = found
        numbered = [(i + 1, cells) for i, cells in enumerate(head) if i > index]
        rest = ((n, [cell_text(v) for v in values]) for n, values in enumerate(lines, start=len(head) + 1))
        return Table(
            sheet=title,
            header_row=index + 1,
            columns=header.labels,
            ignored=header.ignored,
            rows=_closing(_rows(chain(numbered, rest), header), close),
            close=close,
        )
    close()
    raise first_error or TableError(TableProblem.EMPTY)


def _closing(rows: Iterator[Row], close: Callable[[], None]) -> Iterator[Row]:
    try:
        yield from rows
    finally:
        close()


# --- csv -------------------------------------------------------------------------------------------------------
def decode_text(content: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-16 or UTF-8 by their byte-order mark, else UTF-8, else Windows-1258."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16"), "utf-16"
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1258"), "cp1258"
    except UnicodeDecodeError as exc:
        raise TableError(TableProblem.ENCODING) from exc


def _delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first lines into the most consistent number of columns (more is better)."""

    def score(delimiter: str) -> tuple[int, int]:
        widths = Counter(len(r) for r in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in r))
        if not widths:
            return (0, 0)
        width, count = widths.most_common(1)[0]
        return (count if width > 1 else 0, width)

    return max(_DELIMITERS, key=score)


def _read_csv(content: bytes) -> Table:
    text, encoding = decode_text(content)
    sample = text.splitlines()[: HEADER_SCAN_ROWS * 2]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(sample))
    records = ((n, [nfc(c) for c in cells]) for n, cells in enumerate(reader, start=1))
    head = [cells for _, (_, cells) in zip(range(HEADER_SCAN_ROWS), records, strict=False)]
    if not any(any(c for c in cells) for cells in head):
        raise TableError(TableProblem.EMPTY)
    found = _find_header(head)
    if found is None:
        raise _best_effort(head)
    index, header = found
    numbered = [(i + 1, cells) for i, cells in enumerate(head) if i > index]
    return Table(
        sheet=None,
        header_row=index + 1,
        columns=header.labels,
        ignored=header.ignored,
        rows=_rows(chain(numbered, records), header),
        encoding=encoding,
    )


def read_table(name: str, content: bytes) -> Table:
    """The household list in `content` (an .xlsx or .csv file called `name`). Raises TableError."""
    if not content.strip():
        raise TableError(TableProblem.EMPTY)
    if content.startswith(_XLS_MAGIC):
        raise TableError(TableProblem.OLD_EXCEL)
    if content.startswith(_XLSX_MAGIC) or name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(content)
    return _read_csv(content)
