"""The reader: keyboard leftovers, abbreviations, phrases among filler words, one typo, and asking when unsure."""

from __future__ import annotations

import pytest

from bot import texts as T
from bot.core import vocabulary
from bot.core.reader import Vocabulary, option_number, repair_keyboard, words


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("tieens", "tien"),  # Telex: ê typed "ee", sắc typed "s"
        ("ddooj", "do"),  # đ "dd", ô "oo", nặng "j"
        ("toans", "toan"),
        ("dichj", "dich"),
        ("vuj", "vu"),
        ("coong", "cong"),
        ("nguyeenx", "nguyen"),
        ("vawn", "van"),  # ă "aw"
        ("tieesn", "tien"),  # the tone key right after the vowels
        ("tie6n1", "tien"),  # VNI: ê "e6", sắc "1"
        ("d9o6", "do"),
    ],
)
def test_keyboard_leftovers_are_repaired(typed, meant):
    assert repair_keyboard(typed) == meant


@pytest.mark.parametrize(
    "word", ["tien", "cks", "dvc", "momo", "zalopay", "smart", "muc2", "t2", "3nguoi", "bhyt", "ok"]
)
def test_words_that_show_no_keyboard_keys_are_left_alone(word):
    assert repair_keyboard(word) is None


def test_words_carry_their_place_and_expand_chat_abbreviations():
    found = words("Ko đc r, ds hộ")
    assert [w.key for w in found] == ["khong", "duoc", "roi", "danh", "sach", "ho"]
    assert [(w.start, w.end) for w in found[:2]] == [(0, 2), (3, 5)]
    assert words("cks", known=frozenset({"cks"}))[0].key == "cks"


@pytest.mark.parametrize(
    ("typed", "number"),
    [("2", 2), ("2.", 2), ("2)", 2), ("số 2", 2), ("so 2", 2), ("chọn số 2", 2), (" 3 ", 3), ("12", 12)],
)
def test_option_numbers_as_people_write_them(typed, number):
    assert option_number(typed) == number


@pytest.mark.parametrize("typed", ["#2", "mục 2", "muc 2", "2 3", "hai", "", "2a"])
def test_what_is_not_one_option_number(typed):
    assert option_number(typed) is None


COMMANDS = [
    ("xem tien do", "tiendo", ""),
    ("tiến độ tổ", "tiendo", ""),
    ("tien do thang nay", "tiendo", "thang nay"),
    ("nop bao cao", "baocao", ""),
    ("gui bc", "baocao", ""),
    ("ghi nhận hộ mới", "ghinhan", "mới"),
    ("ghi nhan nguyen thi an", "ghinhan", "nguyen thi an"),
    ("xem bieu do", "bieudo", ""),
    ("ho can quay lai", "canquaylai", ""),
    ("sửa lượt vừa rồi", "sua", ""),
    ("ok da nhan", "danhan", ""),
    ("đã nhận ạ", "danhan", ""),
    ("huong dan", "trogiup", ""),
    ("hướng dẫn", "trogiup", ""),
    ("?", "trogiup", ""),
    ("lenh", "trogiup", ""),
    ("menu", "trogiup", ""),
    ("gn Nguyễn Văn An: vneid", "gn", "Nguyễn Văn An: vneid"),
    ("td", "tiendo", ""),
    ("bc", "baocao", ""),
    ("ds ho", "hocuatoi", ""),
    ("danh sach ho", "hocuatoi", ""),
    ("can quay lai", "canquaylai", ""),
    ("ghi nhn", "ghinhan", ""),  # one typo
    ("tieens ddooj", "tiendo", ""),  # Telex with the Vietnamese keyboard off
    ("cho mình xem tiến độ với ạ", "tiendo", ""),
    ("thoi", "huy", ""),
    ("thui", "huy", ""),
    ("ko ghi nua", "huy", ""),
    ("huỷ lượt", "sua", ""),  # undoing a visit is done through /sua
]


@pytest.mark.parametrize(("typed", "command", "rest"), COMMANDS)
def test_commands_inside_short_sentences(typed, command, rest):
    reading = vocabulary.read(typed)
    assert vocabulary.command_of(reading) == command
    assert reading.rest == rest
    assert reading.whole == (rest == "")
    assert not reading.ambiguous


@pytest.mark.parametrize("typed", ["ok", "oke", "đc", "u", "ừ", "chốt", "luu", "dạ vâng", "đồng ý"])
def test_yes(typed):
    assert vocabulary.answer_of(typed) == vocabulary.YES


@pytest.mark.parametrize("typed", ["ko", "khong", "không phải", "k", "chưa"])
def test_no(typed):
    assert vocabulary.answer_of(typed) == vocabulary.NO


@pytest.mark.parametrize("typed", ["Hoa", "thi", "Nguyễn Thị Thoa", "Lê Văn Tú", "xom 3", "ok luu xong chua nhi"])
def test_names_and_sentences_mean_nothing_on_their_own(typed):
    assert vocabulary.read(typed).meaning is None or not vocabulary.read(typed).whole


@pytest.mark.parametrize("typed", ["thoa", "thi", "hue", "khoa"])
def test_yes_no_and_cancel_take_no_typo(typed):
    """Short words one letter from a name ("Thoa" ~ "thôi") are never read as answers."""
    reading = vocabulary.read(typed)
    assert reading.meaning not in (vocabulary.YES, vocabulary.NO, f"{vocabulary.COMMAND}huy")


def test_a_word_as_close_to_two_phrases_is_asked_not_picked():
    vocab = Vocabulary({"a": ("so lieu",), "b": ("so lien",)})
    reading = vocab.read("so liel")
    assert reading.ambiguous and {reading.meaning, *reading.others} == {"a", "b"}


def test_the_longest_phrase_wins_and_fillers_do_not_count():
    vocab = Vocabulary({"short": ("xuat",), "long": ("xuat bao cao",)}, fillers=("xem", "a"))
    assert vocab.read("xem xuat bao cao a").meaning == "long"
    assert vocab.read("xuat file bao cao").rest == "file bao cao"


@pytest.mark.parametrize(("typed", "day"), [("thu hai", 0), ("t2", 0), ("thứ 3", 1), ("chu nhat", 6), ("cn", 6)])
def test_weekdays(typed, day):
    assert vocabulary.weekday_of(typed) == day


def test_every_command_has_its_words_and_no_phrase_means_two_commands():
    """Two commands may share a phrase only written with different diacritics ("mời" / "mới"): typed without
    them, the bot asks which."""
    seen: dict[tuple[str, ...], str] = {}
    for name, phrases in T.COMMAND_WORDS.items():
        assert phrases, name
        for phrase in phrases:
            marked = tuple(phrase.lower().split())
            assert seen.setdefault(marked, name) == name, (phrase, seen[marked], name)
    reading = vocabulary.read("moi")
    assert {reading.meaning, *reading.others} == {"cmd:moi", "cmd:ghinhan"}
    assert vocabulary.command_of(vocabulary.read("mời")) == "moi"
    assert vocabulary.command_of(vocabulary.read("mới")) == "ghinhan"
