import pytest

from bot.core.choices import pick
from bot.core.messages import DONE_KEY, Option, callback_data, parse_callback_data

SKILLS = (
    Option("vneid", "Cài đặt VNeID", ("vneid",)),
    Option("dvc", "Dịch vụ công trực tuyến", ("dvc", "dich vu cong")),
    Option("cashless", "Thanh toán không dùng tiền mặt", ("thanh toan",)),
    Option(DONE_KEY, "✅ Xong", ("xong",)),
)


@pytest.mark.parametrize(
    ("typed", "indexes"),
    [
        ("2", (1,)),
        ("1 3", (0, 2)),
        ("1,3", (0, 2)),
        ("1-3", (0, 1, 2)),
        ("1 3 0", (0, 2, 3)),
        ("0", (3,)),
        ("dich vu cong", (1,)),
        ("Dịch vụ công trực tuyến", (1,)),
        ("vneid dvc", (0, 1)),
        ("xong", (3,)),
        ("vneid dvc 0", (0, 1, 3)),
        ("thanh toan, 1 xong", (2, 3, 0)),
    ],
)
def test_multi_select_answers(typed, indexes):
    picked = pick(typed, SKILLS, multi=True)
    assert picked is not None
    assert picked.indexes == indexes
    assert picked.unknown == ()


@pytest.mark.parametrize(
    ("typed", "indexes"),
    [
        ("vneidd", (0,)),  # one letter too many
        ("vneidd dvcc 0", (0, 1, 3)),
        ("xonng", (3,)),
    ],
)
def test_a_mistyped_name_is_read_when_one_option_is_that_close(typed, indexes):
    picked = pick(typed, SKILLS, multi=True)
    assert picked is not None and picked.indexes == indexes


@pytest.mark.parametrize("typed", ["vne", "abcde", "thanh toann xyz"])
def test_words_not_close_to_one_name_pick_nothing(typed):
    assert pick(typed, SKILLS, multi=True) is None


def test_a_word_as_close_to_two_names_is_not_guessed():
    twins = (Option("a", "A", ("ddmuc2",)), Option("b", "B", ("ddmuc3",)), Option(DONE_KEY, "✅ Xong", ("xong",)))
    picked = pick("ddmuc", twins, multi=True)
    assert picked is not None and picked.indexes == () and picked.ambiguous == (0, 1)  # asked, not picked


def test_number_out_of_range_is_reported():
    picked = pick("7", SKILLS, multi=True)
    assert picked is not None and picked.unknown == ("7",)


def test_several_numbers_for_a_single_choice_is_an_error():
    picked = pick("1 2", SKILLS[:3], multi=False)
    assert picked is not None and picked.too_many and picked.indexes == ()


def test_free_text_names_no_option():
    assert pick("Nguyen Van An", SKILLS, multi=False) is None


def test_callback_data_round_trip_and_limits():
    assert parse_callback_data(callback_data("abc123", 4)) == ("abc123", 4)
    for forged in ("", "abc", "abc:", ":1", "abc:x", "abc:-1", "a" * 70 + ":1"):
        assert parse_callback_data(forged) is None
