"""The duplicate index: finds the same household written differently, never compares all pairs."""

from __future__ import annotations

import random

from rapidfuzz import fuzz

from bot.core.text import word_key
from bot.services.household_match import NAME_MATCH, MatchIndex, Reason, addresses_match, same_name, sorted_name
from tests.household_lists import base_rows


def _index(entries: list[tuple[str, str, str | None]]) -> MatchIndex[int]:
    index: MatchIndex[int] = MatchIndex()
    for i, (name, address, phone) in enumerate(entries):
        index.add(i, word_key(name), word_key(address), phone)
    return index


def _find(index: MatchIndex[int], name: str, address: str, phone: str | None = None) -> list[int]:
    return [m.ref for m in index.find(word_key(name), word_key(address), phone)]


REGISTER = [
    ("Nguyễn Văn An", "Xóm 3, số nhà 12", "+84912345678"),
    ("Trần Thị Bình", "Xóm 1", None),
    ("Nguyễn Văn Anh", "Xóm 5", None),
    ("Lê Thị Hoa", "Thôn Kiến Lao", None),
]


def test_the_same_household_written_differently():
    index = _index(REGISTER)
    assert _find(index, "nguyen van an", "xom 3") == [0]  # no diacritics, fewer address details
    assert _find(index, "An Nguyễn Văn", "Xóm 3") == [0]  # given name first
    assert _find(index, "Nguyen Van Ann", "xom 3 so nha 12") == [0]  # a typo
    assert _find(index, "Le Thi Hoa", "kien lao") == [3]
    found = index.find(word_key("Ông Tư"), word_key("Xóm 9"), "+84912345678")
    assert [(m.ref, m.reason) for m in found] == [(0, Reason.PHONE)]


def test_other_people_and_other_places_are_not_matches():
    index = _index(REGISTER)
    assert _find(index, "Phạm Văn Nam", "Xóm 3") == []
    assert _find(index, "Nguyễn Văn An", "Xóm 7, số nhà 12") == []  # the numbers disagree
    assert _find(index, "Nguyễn Văn An", "Thôn Kiến Lao, đội 7") == []  # a different place
    assert _find(index, "Trần Thị Bình", "Xóm 4") == []


def _brute_force(keys: list[tuple[str, str]], name: str, address: str) -> set[int]:
    """Every entry the rule accepts, by comparing the query with all of them."""
    key, place = word_key(name), word_key(address)
    return {
        i
        for i, (other, other_place) in enumerate(keys)
        if fuzz.token_sort_ratio(key, other) >= NAME_MATCH
        and same_name(sorted_name(key), sorted_name(other))
        and addresses_match(place, other_place)
    }


def _typo(name: str, rng: random.Random) -> str:
    words = name.split()
    i = rng.randrange(len(words))
    word = words[i]
    j = rng.randrange(len(word))
    words[i] = word[:j] + rng.choice("aeiouyhnt") + word[j + 1 :]
    return " ".join(words)


def test_blocking_finds_what_comparing_every_pair_finds():
    """Queries with a typo, without diacritics, or without a house number, against 3,000 households: the blocks
    the index compares within lose nothing that a comparison with every household would find."""
    rng = random.Random(3)
    rows = base_rows(3000, seed=5)
    index = _index([(r.name, r.address, None) for r in rows])
    keys = [(word_key(r.name), word_key(r.address)) for r in rows]
    queries = []
    for row in rng.sample(rows, 200):
        queries.append((_typo(row.name, rng), row.address))
        queries.append((row.name.lower(), row.address.split(",")[0]))  # "Xóm 3" only: agrees with many
    found_any = 0
    for name, address in queries:
        expected = _brute_force(keys, name, address)
        assert set(_find(index, name, address)) == expected, (name, address)
        found_any += bool(expected)
    assert found_any > 170  # the queries really found their households


def test_a_focused_index_answers_its_one_query_like_a_full_one():
    rows = base_rows(2000, seed=9)
    full = _index([(r.name, r.address, None) for r in rows])
    for row in rows[:15]:
        query = (word_key(row.name), word_key(row.address.split(",")[0]), None)
        focused: MatchIndex[int] = MatchIndex(focus=query)
        for i, r in enumerate(rows):
            focused.add(i, word_key(r.name), word_key(r.address), None)
        assert focused.find(*query) == full.find(*query)
        assert len(focused) < len(full) / 2  # most households were never filed
