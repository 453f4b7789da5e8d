import pytest

from bot.core.phone import display_phone, normalise_phone


@pytest.mark.parametrize("typed", ["0912.345.678", "+84 912 345 678", "84912345678", "0912 345 678", "(091) 2345678"])
def test_common_ways_of_writing_a_mobile_number(typed):
    result = normalise_phone(typed)
    assert result.e164 == "+84912345678"
    assert result.known_range


def test_landline_with_area_code():
    result = normalise_phone("0225 3 123 456")
    assert result.e164 == "+842253123456"


def test_unknown_range_is_kept_with_a_warning_flag():
    result = normalise_phone("0100 000 000")
    assert result.e164 is not None
    assert not result.known_range


@pytest.mark.parametrize("typed", ["", "abc", "12345", "0912 345 678 999 123"])
def test_not_a_phone_number(typed):
    assert normalise_phone(typed).e164 is None


def test_display_national_format():
    assert display_phone("+84912345678") == "0912 345 678"
