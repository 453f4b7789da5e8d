import unicodedata
from dataclasses import dataclass, replace
from datetime import date

import pytest

from bot.config import PROJECT_ROOT, load_config
from bot.core.quick_entry import QuickEntry, parse_quick_entry

TODAY = date(2026, 11, 20)
CITIZEN_ID = "001234567890"


@dataclass(frozen=True)
class FakeSkill:
    code: str
    label: str
    aliases: tuple[str, ...]


# The real catalogue's labels and aliases, as plain objects: the parser needs nothing else of a skill.
SKILLS = tuple(FakeSkill(s.code, s.label, s.aliases) for s in load_config(PROJECT_ROOT / "config.yaml").skills)

EMPTY = QuickEntry(
    household="",
    address=None,
    skills=(),
    people=None,
    day=None,
    return_visit=False,
    note=None,
    unknown=(),
    masked_id=False,
)


def entry(**fields) -> QuickEntry:
    return replace(EMPTY, **fields)


CASES = [
    # The example, with and without diacritics, and as an NFD string from a phone.
    (
        "/gn Nguyễn Văn An, xóm 3: vneid dvc 2 nguoi",
        entry(household="Nguyễn Văn An", address="xóm 3", skills=("vneid_install", "dvc"), people=2),
    ),
    (
        "/gn Nguyen Van An, xom 3: vneid dvc 2 nguoi",
        entry(household="Nguyen Van An", address="xom 3", skills=("vneid_install", "dvc"), people=2),
    ),
    (
        unicodedata.normalize("NFD", "/gn Nguyễn Văn An, xóm 3: cài VNeID dịch vụ công 2 người"),
        entry(household="Nguyễn Văn An", address="xóm 3", skills=("vneid_install", "dvc"), people=2),
    ),
    # No colon: the household part ends at the first thing the rest can read.
    (
        "/gn nguyen van an xom 3 vneid dvc 2 nguoi",
        entry(household="nguyen van an", address="xom 3", skills=("vneid_install", "dvc"), people=2),
    ),
    ("/gn le van binh, vneid dvc", entry(household="le van binh", skills=("vneid_install", "dvc"))),
    ("/gn le van binh 2 vneid", entry(household="le van binh", skills=("vneid_install",), people=2)),
    ("/gn Nguyễn Thanh Toàn vneid", entry(household="Nguyễn Thanh Toàn", skills=("vneid_install",))),
    ("/gn Tô Văn Hải thanh toán", entry(household="Tô Văn Hải", skills=("cashless",))),
    # Address variants.
    (
        "/gn Phạm Thị Hoa, thôn Đông Tạ: bdhvs",
        entry(household="Phạm Thị Hoa", address="thôn Đông Tạ", skills=("bdhvs",)),
    ),
    ("/gn Lê Văn Bình số nhà 12/5: dvc", entry(household="Lê Văn Bình", address="số nhà 12/5", skills=("dvc",))),
    ("/gn to van hai to 5 vneid", entry(household="to van hai", address="to 5", skills=("vneid_install",))),
    ("/gn Ngô Thị Lan ngõ 7 qr", entry(household="Ngô Thị Lan", address="ngõ 7", skills=("cashless",))),
    ("/gn xóm 3: vneid", entry(address="xóm 3", skills=("vneid_install",))),
    # Skills: multi-word names win, repeats count once, catalogue order.
    ("/gn An: dich vu cong", entry(household="An", skills=("dvc",))),
    ("/gn An: Dịch vụ công trực tuyến", entry(household="An", skills=("dvc",))),
    ("/gn An: cai vneid muc 2", entry(household="An", skills=("vneid_install", "vneid_level2"))),
    ("/gn An: dvc vneid dvc cai vneid", entry(household="An", skills=("vneid_install", "dvc"))),
    ("/gn An: sổ sức khoẻ, chong lua dao", entry(household="An", skills=("vneid_docs", "antifraud"))),
    (
        "/gn An: bhyt + qr & cks và smart",
        entry(household="An", skills=("vneid_docs", "cashless", "signature", "smart_hp")),
    ),
    # People.
    ("/gn An: vneid 2 người", entry(household="An", skills=("vneid_install",), people=2)),
    ("/gn An: vneid 3ng", entry(household="An", skills=("vneid_install",), people=3)),
    ("/gn An: vneid x4", entry(household="An", skills=("vneid_install",), people=4)),
    ("/gn An: vneid 3", entry(household="An", skills=("vneid_install",), people=3)),
    ("/gn An: vneid 2 nguoi 3", entry(household="An", skills=("vneid_install",), people=2, unknown=("3",))),
    ("/gn An: vneid 60 nguoi", entry(household="An", skills=("vneid_install",), unknown=("60 nguoi",))),
    # Day.
    ("/gn An: dvc hom qua", entry(household="An", skills=("dvc",), day=date(2026, 11, 19))),
    ("/gn An: dvc hôm kia", entry(household="An", skills=("dvc",), day=date(2026, 11, 18))),
    ("/gn An: dvc 12/10", entry(household="An", skills=("dvc",), day=date(2026, 10, 12))),
    ("/gn An: ngày 12/10 dvc", entry(household="An", skills=("dvc",), day=date(2026, 10, 12))),
    ("/gn An: dvc 28/12", entry(household="An", skills=("dvc",), day=date(2025, 12, 28))),
    # Return visit and note.
    ("/gn An: vneid quay lai", entry(household="An", skills=("vneid_install",), return_visit=True)),
    ("/gn An: vneid cần quay lại", entry(household="An", skills=("vneid_install",), return_visit=True)),
    ("/gn le van binh hen lai", entry(household="le van binh", return_visit=True)),
    (
        "/gn An: muc 2 ghi chu: bà cụ nghe kém, dvc lần sau",
        entry(household="An", skills=("vneid_level2",), note="bà cụ nghe kém, dvc lần sau"),
    ),
    ("/gn An vneid gc: mang sổ đỏ", entry(household="An", skills=("vneid_install",), note="mang sổ đỏ")),
    # What cannot be read is pointed out; the rest is kept.
    ("/gn An: vneid abc xyz dvc", entry(household="An", skills=("vneid_install", "dvc"), unknown=("abc xyz",))),
    ("/gn An: vneidd dvc", entry(household="An", skills=("dvc",), unknown=("vneidd",))),
    ("/gn An: vneid 8:30", entry(household="An", skills=("vneid_install",), unknown=("8:30",))),
    # Citizen ID numbers are left out everywhere.
    (f"/gn Lê Văn Bình {CITIZEN_ID}: vneid", entry(household="Lê Văn Bình", skills=("vneid_install",), masked_id=True)),
    (
        f"/gn An: vneid gc: cccd {CITIZEN_ID} đã cài",
        entry(household="An", skills=("vneid_install",), note="cccd đã cài", masked_id=True),
    ),
    (f"/gn An: vneid {CITIZEN_ID}", entry(household="An", skills=("vneid_install",), masked_id=True)),
    # Nothing, or only a name: the flow asks for the rest.
    ("", EMPTY),
    ("/gn", EMPTY),
    ("/gn   Nguyễn  Văn An ", entry(household="Nguyễn Văn An")),
    ("Nguyễn Văn An", entry(household="Nguyễn Văn An")),
    ("/gn vneid dvc", entry(skills=("vneid_install", "dvc"))),
]


@pytest.mark.parametrize(("typed", "expected"), CASES)
def test_quick_entry(typed, expected):
    assert parse_quick_entry(typed, SKILLS, TODAY) == expected


def test_citizen_id_never_kept():
    found = parse_quick_entry(
        f"/gn An {CITIZEN_ID}, xóm {CITIZEN_ID}: vneid {CITIZEN_ID} gc: {CITIZEN_ID}", SKILLS, TODAY
    )
    assert found.masked_id
    assert CITIZEN_ID not in repr(found)


def test_works_with_config_skills():
    skills = load_config(PROJECT_ROOT / "config.yaml").skills
    found = parse_quick_entry("/gn An: vneid dvc", skills, TODAY)
    assert found.skills == ("vneid_install", "dvc")
