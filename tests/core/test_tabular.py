"""Reading household lists: header names in any spelling, header below a title, encodings, Excel cells."""

from __future__ import annotations

import io
import unicodedata
import zipfile

import openpyxl
import pytest

from bot.core.tabular import Field, TableError, TableProblem, header_field, parse_flag, read_table
from tests.household_lists import cp1258_bytes


def _xlsx(rows: list[list[object]], title: str = "Danh sách") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rows(name: str, content: bytes) -> list[tuple[int, dict[Field, str]]]:
    return [(r.number, r.cells) for r in read_table(name, content).rows]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Họ tên chủ hộ", Field.NAME),
        ("HỌ VÀ TÊN CHỦ HỘ (*)", Field.NAME),
        ("ho ten chu ho", Field.NAME),
        ("Head of household", Field.NAME),
        ("Địa chỉ", Field.ADDRESS),
        ("Thôn/Xóm", Field.ADDRESS),
        ("Address", Field.ADDRESS),
        ("Số điện thoại", Field.PHONE),
        ("SĐT", Field.PHONE),
        ("so dt", Field.PHONE),
        ("Phone", Field.PHONE),
        ("Người cao tuổi", Field.ELDERLY),
        ("Hộ có người cao tuổi", Field.ELDERLY),
        ("DTTS", Field.ETHNIC_MINORITY),
        ("Ethnic minority", Field.ETHNIC_MINORITY),
        ("Dân tộc", Field.ETHNICITY),
        ("Không có điện thoại thông minh", Field.NO_DEVICE),
        ("No device", Field.NO_DEVICE),
        ("Người phụ trách", Field.ASSIGNED),
        ("Họ tên người phụ trách", Field.ASSIGNED),  # the longest alias wins over "họ tên"
        ("Assigned to", Field.ASSIGNED),
        ("STT", None),
        ("Ghi chú", None),
        ("Năm sinh chủ hộ", None),  # about the person, though it says "chủ hộ"
        ("Số CCCD", None),
    ],
)
def test_header_names_in_vietnamese_with_or_without_diacritics_or_english(header, field):
    assert header_field(header) == field


def test_xlsx_header_on_row_3_below_a_title_and_excel_row_numbers():
    content = _xlsx(
        [
            ["DANH SÁCH HỘ GIA ĐÌNH THÔN ĐÔNG TẠ"],
            [],
            ["STT", "Họ và tên chủ hộ", "Địa chỉ", "SĐT", "Ghi chú"],
            [1, "Nguyễn Văn An", "Xóm 3", 912345678, ""],
            [],
            [2, "Trần Thị Bình", "Xóm 1", 987654321.0, "hộ nghèo"],
        ]
    )
    table = read_table("ds.xlsx", content)
    assert (table.sheet, table.header_row, table.ignored) == ("Danh sách", 3, ("Ghi chú",))
    rows = list(table.rows)
    assert [(r.number, r.cells[Field.NAME], r.cells[Field.PHONE]) for r in rows] == [
        (4, "Nguyễn Văn An", "912345678"),  # Excel dropped the leading 0: still a readable number
        (6, "Trần Thị Bình", "987654321"),
    ]
    assert rows[1].other == ("2", "hộ nghèo")


def test_the_first_sheet_with_a_header_is_used():
    book = openpyxl.Workbook()
    book.active.append(["Hướng dẫn: điền danh sách ở trang sau"])
    data = book.create_sheet("Hộ")
    data.append(["Name", "Address", "Phone", "Elderly"])
    data.append(["Le Thi Hoa", "Hamlet 2", "0912 345 678", "yes"])
    out = io.BytesIO()
    book.save(out)
    table = read_table("list.xlsx", out.getvalue())
    assert table.sheet == "Hộ"
    assert [r.cells for r in table.rows] == [
        {Field.NAME: "Le Thi Hoa", Field.ADDRESS: "Hamlet 2", Field.PHONE: "0912 345 678", Field.ELDERLY: "yes"}
    ]


def test_split_name_and_address_columns_are_joined():
    content = "Họ;Tên;Số nhà;Xóm\nNguyễn Văn;An;12;Xóm 3\n".encode()
    assert _rows("x.csv", content) == [(2, {Field.NAME: "Nguyễn Văn An", Field.ADDRESS: "12, Xóm 3"})]


CSV = 'Họ tên chủ hộ,Địa chỉ,Số điện thoại,Người cao tuổi\nNguyễn Văn Đức,"Xóm 3, thôn Đông",0912.345.678,x\n'
EXPECTED = [
    (
        2,
        {
            Field.NAME: "Nguyễn Văn Đức",
            Field.ADDRESS: "Xóm 3, thôn Đông",
            Field.PHONE: "0912.345.678",
            Field.ELDERLY: "x",
        },
    )
]


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (CSV.encode("utf-8"), "utf-8"),
        (CSV.encode("utf-8-sig"), "utf-8-sig"),
        (cp1258_bytes(CSV), "cp1258"),
        (CSV.encode("utf-16"), "utf-16"),
    ],
)
def test_csv_encodings_come_out_as_nfc_text(encoded, encoding):
    table = read_table("ds.csv", encoded)
    assert table.encoding == encoding
    rows = [(r.number, r.cells) for r in table.rows]
    assert rows == EXPECTED
    assert all(unicodedata.is_normalized("NFC", v) for _, cells in rows for v in cells.values())


def test_cp1258_bytes_are_really_decomposed_like_old_software_writes_them():
    raw = cp1258_bytes("Nguyễn")
    assert raw.decode("cp1258") != "Nguyễn" and unicodedata.normalize("NFC", raw.decode("cp1258")) == "Nguyễn"


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_csv_delimiter_is_sniffed(delimiter):
    lines = [["Ho ten", "Dia chi", "SDT"], ["Tran Van Toan", "Xom 2", "0987654321"]]
    text = "\n".join(delimiter.join(cells) for cells in lines)
    assert _rows("ds.txt", text.encode()) == [
        (2, {Field.NAME: "Tran Van Toan", Field.ADDRESS: "Xom 2", Field.PHONE: "0987654321"})
    ]


def test_semicolon_file_with_commas_inside_addresses():
    text = "Họ tên;Địa chỉ\nLê Văn Tám;Xóm 1, thôn Kiến Lao, xã Kiến Minh\nPhạm Thị Mai;Xóm 2, thôn Kiến Lao\n"
    assert [c[Field.ADDRESS] for _, c in _rows("x.csv", text.encode())] == [
        "Xóm 1, thôn Kiến Lao, xã Kiến Minh",
        "Xóm 2, thôn Kiến Lao",
    ]


def test_missing_columns_are_named_with_the_columns_found():
    with pytest.raises(TableError) as caught:
        read_table("x.csv", "STT,Họ tên,Năm sinh\n1,An,1950\n".encode())
    assert caught.value.problem is TableProblem.NO_HEADER
    assert caught.value.missing == (Field.ADDRESS,)
    assert caught.value.found == ("STT", "Họ tên", "Năm sinh")


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("a.csv", b"", TableProblem.EMPTY),
        ("a.csv", b" \r\n", TableProblem.EMPTY),
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, TableProblem.OLD_EXCEL),
        ("a.xlsx", b"PK\x03\x04 this is not a workbook", TableProblem.BAD_XLSX),
        ("a.csv", b"\x81\x8d\x8f\x90\x9d\n", TableProblem.ENCODING),  # neither UTF-8 nor Windows-1258
    ],
)
def test_unreadable_files(name, content, problem):
    with pytest.raises(TableError) as caught:
        read_table(name, content)
    assert caught.value.problem is problem


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("x", True),
        ("X", True),
        ("có", True),
        ("Co", True),
        ("1", True),
        ("2", True),  # two elderly people
        ("yes", True),
        ("TRUE", True),
        ("✓", True),
        ("", False),
        ("0", False),
        ("không", False),
        ("khong", False),
        ("no", False),
        ("tàn tật", None),
    ],
)
def test_flag_cells(cell, value):
    assert parse_flag(cell) is value


def test_ethnicity_column_kinh_is_not_a_minority():
    assert parse_flag("Kinh", Field.ETHNICITY) is False
    assert parse_flag("Tày", Field.ETHNICITY) is True
    assert parse_flag("", Field.ETHNICITY) is False


def _with_error_cell(content: bytes, cell: str, error: str) -> bytes:
    """The workbook with an Excel error (as a failed VLOOKUP leaves) in `cell` of the first sheet's last row."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"</row></sheetData>", f'<c r="{cell}" t="e"><v>{error}</v></c></row></sheetData>'.encode()
                )
            target.writestr(name, data)
    return out.getvalue()


def test_an_error_cell_reads_as_its_text_and_data_starting_off_a1_keeps_excel_row_numbers():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B3"], sheet["C3"], sheet["D3"] = "Họ tên", "Địa chỉ", "SĐT"
    sheet["B5"], sheet["C5"] = "Lê Văn Tám", "Xóm 1"
    out = io.BytesIO()
    book.save(out)
    plain = out.getvalue()
    assert [(r.number, r.cells) for r in read_table("x.xlsx", plain).rows] == [
        (5, {Field.NAME: "Lê Văn Tám", Field.ADDRESS: "Xóm 1"})
    ]
    rows = list(read_table("x.xlsx", _with_error_cell(plain, "D5", "#N/A")).rows)
    assert [(r.number, r.cells[Field.PHONE]) for r in rows] == [(5, "#N/A")]  # reported as an unreadable phone
