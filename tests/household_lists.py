"""Synthetic household lists as a thôn keeps them (.xlsx, .csv in UTF-8 or Windows-1258), for tests and benches.

Every generated household is distinct: its (xóm, house number) pair is unique and house numbers start at 20,
so two genuine rows never have agreeing address numbers; phones are unique. Near-duplicates are derived from
earlier rows the way lists really repeat a household: without diacritics, given name first, phone written
another way.
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from dataclasses import dataclass, replace

import openpyxl

from bot.core.text import fold

HEADER = ("STT", "Họ tên chủ hộ", "Địa chỉ", "Số điện thoại", "Người cao tuổi", "Dân tộc thiểu số", "Ghi chú")

FAMILY = (
    ("Nguyễn", 30),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Vũ", 4),
    ("Phan", 4),
    ("Đặng", 3),
    ("Bùi", 3),
    ("Đỗ", 3),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 2),
    ("Lý", 1),
    ("Đào", 1),
    ("Đinh", 1),
    ("Mai", 1),
    ("Trịnh", 1),
    ("Lương", 1),
    ("Cao", 1),
)
MIDDLE_MALE = ("Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Công", "Đình", "Ngọc", "Thanh")
MIDDLE_FEMALE = ("Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Kim", "Hồng", "Phương", "Minh")
GIVEN_MALE = (
    "An Bình Cường Dũng Đức Giang Hải Hiếu Hùng Huy Khánh Long Mạnh Nam Phong Quân Sơn Thắng Thành Trung Tuấn "
    "Việt Vinh Toàn Tài Hòa Lâm Lộc Phúc Thịnh Tùng Kiên Hưng Quý Tiến Hoàng Đạt Công Chiến Hậu"
).split()
GIVEN_FEMALE = (
    "Anh Bích Chi Dung Hà Hạnh Hằng Hoa Hương Lan Liên Linh Loan Mai Nga Ngọc Nhung Oanh Phương Quyên Thảo "
    "Thu Thủy Trang Vân Yến Huyền Hiền Lụa Nhàn Tâm Thơm Xuân Duyên Hồng"
).split()
_PREFIXES = ("91", "98", "97", "96", "86", "88", "94", "39", "35", "70")
NEAR_DUPLICATE_KINDS = ("no_diacritics", "given_first", "phone_written_differently")


@dataclass(frozen=True)
class ListRow:
    name: str
    address: str
    phone: str  # as written in the sheet ("" when none)
    elderly: str = ""
    ethnic: str = ""
    note: str = ""
    source: int | None = None  # for a near-duplicate: the index of the row it repeats


def no_diacritics(text: str) -> str:
    """As typed on a keyboard without Vietnamese input: "Nguyễn Văn Đức" → "Nguyen Van Duc" (case kept)."""
    out = []
    for ch in text:
        folded = fold(ch) if ch.strip() else ch
        out.append(folded.upper() if ch.isupper() else folded)
    return "".join(out)


def _name(rng: random.Random) -> str:
    family = rng.choices([f for f, _ in FAMILY], weights=[w for _, w in FAMILY])[0]
    if rng.random() < 0.5:
        return f"{family} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"
    return f"{family} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}"


def _phone_digits(rng: random.Random, used: set[str]) -> str:
    while True:
        digits = rng.choice(_PREFIXES) + f"{rng.randrange(10**7):07d}"
        if digits not in used:
            used.add(digits)
            return digits


def dotted(digits: str) -> str:
    return f"0{digits[:3]}.{digits[3:6]}.{digits[6:]}"


def international(digits: str) -> str:
    return f"+84 {digits[:3]} {digits[3:6]} {digits[6:]}"


def base_rows(n: int, seed: int = 7, xom_count: int = 12) -> list[ListRow]:
    """`n` distinct households of one thôn."""
    rng = random.Random(seed)
    used: set[str] = set()
    next_house = dict.fromkeys(range(1, xom_count + 1), 20)
    rows = []
    for _ in range(n):
        xom = rng.randint(1, xom_count)
        house = next_house[xom]
        next_house[xom] += rng.randint(1, 3)
        phone = dotted(_phone_digits(rng, used)) if rng.random() < 0.8 else ""
        rows.append(
            ListRow(
                name=_name(rng),
                address=f"Xóm {xom}, số nhà {house}",
                phone=phone,
                elderly="x" if rng.random() < 0.25 else "",
                ethnic="x" if rng.random() < 0.05 else "",
            )
        )
    return rows


def near_duplicate(row: ListRow, kind: str, source: int) -> ListRow:
    if kind == "no_diacritics":
        return ListRow(no_diacritics(row.name), no_diacritics(row.address), "", source=source)
    if kind == "given_first":
        words = row.name.split()
        return ListRow(" ".join([words[-1], *words[:-1]]), row.address, "", row.elderly, source=source)
    digits = row.phone.replace(".", "")[1:]
    xom, house = (part.split()[-1] for part in row.address.split(","))
    return ListRow(row.name, f"SN {house} X.{xom}", international(digits), source=source)


def with_near_duplicates(n: int, share: float, seed: int = 7) -> list[ListRow]:
    """`n` rows of which `share` repeat an earlier row; a repeat's `source` is the index of that row."""
    rng = random.Random(seed + 1)
    dup_count = round(n * share)
    rows = base_rows(n - dup_count, seed)
    sources = rng.sample([i for i, r in enumerate(rows) if r.phone], dup_count)
    keyed: list[tuple[float, int, ListRow]] = [(float(i), i, r) for i, r in enumerate(rows)]
    for k, src in enumerate(sources):
        derived = near_duplicate(rows[src], NEAR_DUPLICATE_KINDS[k % len(NEAR_DUPLICATE_KINDS)], src)
        keyed.append((rng.uniform(src + 0.01, len(rows)), -1, derived))  # somewhere after its source
    keyed.sort(key=lambda item: item[0])
    final = {base: position for position, (_, base, _) in enumerate(keyed) if base >= 0}
    return [r if r.source is None else replace(r, source=final[r.source]) for _, _, r in keyed]


def cells(row: ListRow, number: int) -> list[object]:
    return [number, row.name, row.address, row.phone, row.elderly, row.ethnic, row.note]


def xlsx_bytes(rows: list[ListRow], header: tuple[str, ...] = HEADER, title_rows: int = 0) -> bytes:
    """An Excel file as a commune keeps it: maybe a title above the header, then one household per row."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Danh sách hộ")
    for i in range(title_rows):
        sheet.append(["DANH SÁCH HỘ GIA ĐÌNH THÔN ĐÔNG TẠ" if i == 0 else None])
    sheet.append(list(header))
    for number, row in enumerate(rows, start=1):
        sheet.append(cells(row, number))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(rows: list[ListRow], header: tuple[str, ...] = HEADER, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for number, row in enumerate(rows, start=1):
        writer.writerow(cells(row, number))
    return out.getvalue()


def cp1258_bytes(text: str) -> bytes:
    """Text as older Vietnamese software saves it in Windows-1258: base letters (ă â ê ô ơ ư đ) precomposed,
    tone marks as separate combining characters."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out: list[str] = []
    marks: list[str] = []  # the tone marks of the letter being built
    for ch in unicodedata.normalize("NFD", text):
        if not unicodedata.combining(ch):
            out += marks
            marks = []
            out.append(ch)
        elif ch in tones:
            marks.append(ch)
        else:  # breve, circumflex, horn: part of the letter itself
            out[-1] = unicodedata.normalize("NFC", out[-1] + ch)
    return "".join(out + marks).encode("cp1258")
