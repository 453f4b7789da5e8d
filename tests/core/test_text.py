import unicodedata

import pytest

from bot.core.text import fold, mask_citizen_ids, nfc, vi_sort_key, word_key


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Nguyễn Văn Đức", "nguyen van duc"),
        ("ĐẶNG THỊ HOÀ", "dang thi hoa"),
        ("Hòa", "hoa"),
        ("  tiến   độ ", "tien do"),
        ("Bình dân học vụ số", "binh dan hoc vu so"),
    ],
)
def test_fold_drops_diacritics_and_case(typed, expected):
    assert fold(typed) == expected


def test_fold_same_for_nfd_input_from_phones():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert decomposed != "Nguyễn Thị Ánh"
    assert fold(decomposed) == fold("Nguyễn Thị Ánh") == "nguyen thi anh"
    assert nfc(decomposed) == "Nguyễn Thị Ánh"


def test_word_key_strips_emoji_and_punctuation():
    assert word_key("📝 Ghi nhận") == "ghi nhan"
    assert word_key("1,3; 4") == "1 3 4"


def test_vietnamese_alphabet_order():
    names = ["Đức", "Dũng", "Anh", "Ân", "Ăn", "Bình", "Ơn", "Ông", "Oanh"]
    assert sorted(names, key=vi_sort_key) == ["Anh", "Ăn", "Ân", "Bình", "Dũng", "Đức", "Oanh", "Ông", "Ơn"]


def test_tones_sort_after_base_letter():
    assert sorted(["má", "ma", "mà", "mạ"], key=vi_sort_key) == ["ma", "mà", "má", "mạ"]


def test_citizen_id_is_masked():
    masked, found = mask_citizen_ids("Nguyễn An 001234567890 xóm 3")
    assert found and "001234567890" not in masked and "************" in masked
    assert mask_citizen_ids("0912345678") == ("0912345678", False)
    assert mask_citizen_ids("gọi 0912 345 678 hoặc 0987.654.321") == ("gọi 0912 345 678 hoặc 0987.654.321", False)
    assert mask_citizen_ids("+84 912 345 678")[1] is False
    for grouped in ("CCCD 001 234 567 890", "001.234.567.890", "0012 3456 7890"):
        masked, found = mask_citizen_ids(grouped)
        assert found and "890" not in masked, grouped


def test_nfc_lines_keeps_the_line_breaks_and_folds_the_rest() -> None:
    from bot.core.text import nfc_lines

    typed = "  Ho\u0323p to\u0302\u0309   CNSCĐ\r\n\n\n  lúc 8 giờ \t thứ Hai  \n"
    assert nfc_lines(typed) == "Họp tổ CNSCĐ\n\nlúc 8 giờ thứ Hai"
    assert nfc_lines("một dòng") == "một dòng" and nfc_lines(" \n \n") == ""


def test_a_command_word_ends_at_a_space_or_a_line_break() -> None:
    from bot.handlers.commands import split_command

    assert split_command("/thongbao\nHọp tổ\nlúc 8 giờ") == ("thongbao", "Họp tổ\nlúc 8 giờ")
    assert split_command("/ghinhan@SoTayBot an") == ("ghinhan", "an")
    assert split_command("/tiendo") == ("tiendo", "")
    assert split_command("/ ghinhan") == ("", "ghinhan")
    assert split_command("ghinhan") is None
