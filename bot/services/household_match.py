"""Is this household already in the register? An in-memory index that answers in near-constant time.

Used by the chat ("the team already has a household like this") and by a list import (20,000 rows against
20,000). No all-pairs comparison: every entry is filed under a few blocking keys, and a query is compared only
with the entries of its smallest blocks, up to a budget.

- same phone (E.164): the same household, whatever the name;
- the same folded words of the name in any order ("An Nguyễn Văn" = "nguyen van an"): a candidate;
- a close name (a typo): compared within blocks sharing a rare name word, the given name, or the family name with
  the given name's first or last two letters — each narrowed, when the query's address has numbers, to the
  entries whose address numbers can agree with them (no numbers, a subset, or a superset).

A name candidate is a match when the names score ≥ NAME_MATCH (token_sort_ratio of the folded names), read as
the same person's (`same_name`), and the addresses agree: their numbers agree ("xóm 3" vs "xóm 3, số nhà 12", not
"xóm 5") and token_set_ratio ≥ ADDRESS_MATCH.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from itertools import combinations
from operator import itemgetter
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process

NAME_MATCH = 86  # token_sort_ratio on folded names: "Nguyen Van An" ~ "Nguyễn Văn Ân", "An Nguyen Van"
ADDRESS_MATCH = 70  # token_set_ratio on folded addresses: "xom 3" ~ "Xóm 3, thôn Đông"
CANDIDATE_BUDGET = 800  # how many entries one query may compare with, beyond its exact-name block
PHONE_SCORE = 300.0

K = TypeVar("K", bound=Hashable)
_NUMBER = re.compile(r"\d+")


class Reason(StrEnum):
    PHONE = "phone"
    NAME = "name"


@dataclass(frozen=True)
class Match(Generic[K]):
    ref: K
    score: float
    reason: Reason


def address_numbers(address_key: str) -> frozenset[str]:
    """The numbers in a folded address: "xom 3 so nha 12" → {"3", "12"}."""
    return frozenset(_NUMBER.findall(address_key))


def _sets_agree(first: frozenset[str], second: frozenset[str]) -> bool:
    return not first or not second or first <= second or second <= first


def numbers_agree(a: str, b: str) -> bool:
    """One side's numbers contain the other's: "xom 3" agrees with "xom 3 so nha 12", not with "xom 5"."""
    return _sets_agree(address_numbers(a), address_numbers(b))


def addresses_match(a: str, b: str) -> bool:
    """Two folded addresses could be the same place (an empty one agrees with anything)."""
    if not a or not b:
        return True
    return numbers_agree(a, b) and fuzz.token_set_ratio(a, b) >= ADDRESS_MATCH


_SLIP_LONG = 6  # a letter changed, added or dropped is a slip only in a word this long ("nguyen"/"nguyan")
_SLIP_SWAP = 5  # two letters swapped: "ngyuen", "thnah"; in shorter words it makes another name (Hoa/Hào)


def _one_slip(a: str, b: str) -> bool:
    """Two words one slip of the fingers apart: a letter doubled ("Ann"), or in a longer word two neighbours
    swapped or one letter changed, added or dropped. Short name words differ by one letter between different
    people: Trang/Trung, Hùng/Dũng, An/Anh, Hồng/Hoàng, Hoa/Hào."""
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) == 1:
        for i in range(len(b)):
            if b[:i] + b[i + 1 :] == a:
                doubled = (i > 0 and b[i - 1] == b[i]) or (i + 1 < len(b) and b[i + 1] == b[i])
                return doubled or len(b) >= _SLIP_LONG
        return False
    if len(a) != len(b):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
        return len(a) >= _SLIP_SWAP
    return len(diff) == 1 and len(a) >= _SLIP_LONG


def same_name(a: str, b: str) -> bool:
    """Two folded names could be one person's: the same words in any order ("son le xuan" / "le xuan son"), or all
    the same but for one slip of the fingers in one word. A different family, middle or given name is another
    person, however alike the letters ("tran thanh nga" is not "ngo thanh trang")."""
    if a == b:
        return True
    first, second = a.split(), b.split()
    if len(first) != len(second):
        return False
    rest_a, rest_b = Counter(first) - Counter(second), Counter(second) - Counter(first)
    if not rest_a:
        return True
    if sum(rest_a.values()) != 1 or sum(rest_b.values()) != 1:
        return False
    return _one_slip(next(iter(rest_a)), next(iter(rest_b)))


def sorted_name(name_key: str) -> str:
    """The folded name's words in alphabetical order: the same for "An Nguyễn Văn" and "Nguyen Van An"."""
    return " ".join(sorted(name_key.split()))


_MAX_SUBSETS_OF = 4  # an address with more numbers than this is looked up by each number instead


def _exact(numbers: Iterable[str]) -> str:
    return "=" + ",".join(sorted(numbers))


# The three helpers below are cached: households share their address numbers and often their names, and a list
# import asks them for every row twice (its look-up, then its filing).
@lru_cache(maxsize=4096)
def _address_suffixes(numbers: frozenset[str]) -> tuple[str, ...]:
    """Where an entry is filed besides its name blocks: under its exact set of address numbers, and each number."""
    return (_exact(numbers), *(f"#{n}" for n in numbers))


@lru_cache(maxsize=4096)
def _agreeing_suffixes(numbers: frozenset[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """For a query's address numbers Q, the blocks holding every entry whose numbers C can agree (C ⊆ Q or
    C ⊇ Q, or C empty): (always, one_of). `always`: the exact sets that are subsets of Q. `one_of`: for each number
    of Q, the entries containing it — any one of them holds every C ⊇ Q, so the caller takes the smallest."""
    if len(numbers) > _MAX_SUBSETS_OF:
        return (_exact(()), *(f"#{n}" for n in numbers)), ()
    ordered = sorted(numbers)
    subsets = tuple(_exact(c) for r in range(len(ordered)) for c in combinations(ordered, r))  # C ⊊ Q, C empty too
    return subsets, tuple(f"#{n}" for n in ordered)


@lru_cache(maxsize=4096)
def _block_keys(name_key: str) -> tuple[str, ...]:
    words = name_key.split()
    if not words:
        return ()
    keys = [f"w:{w}" for w in dict.fromkeys(words)]
    if len(words) > 1:  # family name with the given name's edges: "nguyen van ann" meets "nguyen van an"
        family, given = words[0], words[-1]
        keys += [f"f:{family}:{given[:2]}", f"g:{family}:{given[-2:]}"]
    return tuple(keys)


class MatchIndex(Generic[K]):
    """Households (or rows of a list) filed for fast look-up; `ref` is what a match gives back."""

    def __init__(self, focus: tuple[str, str, str | None] | None = None) -> None:
        """`focus`: (name key, address key, phone) of the only query this index will answer. Then entries that
        query cannot reach are not filed at all, which makes a one-off look-up cheap."""
        self._refs: list[K] = []
        self._sorted: list[str] = []
        self._addresses: list[str] = []
        self._address_numbers: list[frozenset[str]] = []
        self._by_phone: dict[str, list[int]] = {}
        self._by_name: dict[str, list[int]] = {}
        # name block → address suffix ("" for all of the block's entries) → entries: a query reads one name block's
        # few suffixes without building a key string for each
        self._blocks: dict[str, dict[str, list[int]]] = {}
        self._focus_phone = focus[2] if focus else None
        self._focus_blocks: frozenset[str] | None = frozenset(_block_keys(focus[0])) if focus else None
        self._focus_numbers = address_numbers(focus[1]) if focus else frozenset()

    def __len__(self) -> int:
        return len(self._refs)

    def add(self, ref: K, name_key: str, address_key: str, phone: str | None) -> None:
        blocks = _block_keys(name_key)
        numbers = address_numbers(address_key)
        if self._focus_blocks is not None and not (phone and phone == self._focus_phone):
            blocks = tuple(b for b in blocks if b in self._focus_blocks)
            if not blocks or (self._focus_numbers and numbers and not numbers & self._focus_numbers):
                return  # shares no block with the one query, or its address numbers cannot agree: never read
        i = len(self._refs)
        self._refs.append(ref)
        key = sorted_name(name_key)
        self._sorted.append(key)
        self._addresses.append(address_key)
        self._address_numbers.append(numbers)
        if phone:
            self._by_phone.setdefault(phone, []).append(i)
        self._by_name.setdefault(key, []).append(i)
        suffixes = ("", *_address_suffixes(numbers))
        for block in blocks:
            filed = self._blocks.get(block)
            if filed is None:
                filed = self._blocks[block] = {}
            for suffix in suffixes:
                entries = filed.get(suffix)
                if entries is None:
                    filed[suffix] = [i]
                else:
                    entries.append(i)

    def find(self, name_key: str, address_key: str, phone: str | None, limit: int | None = None) -> list[Match[K]]:
        """Entries that are probably the same household, best first: same phone, then name and address."""
        scores: dict[int, tuple[float, Reason]] = {}
        for i in self._by_phone.get(phone, ()) if phone else ():
            scores[i] = (PHONE_SCORE, Reason.PHONE)
        key = sorted_name(name_key)
        numbers = address_numbers(address_key)
        candidates = self._candidates(name_key, key, numbers)
        if candidates:
            names = itemgetter(*candidates)(self._sorted) if len(candidates) > 1 else (self._sorted[candidates[0]],)
            for _, name_score, position in process.extract(
                key, names, scorer=fuzz.ratio, score_cutoff=NAME_MATCH, limit=None
            ):
                i = candidates[position]
                if i not in scores and same_name(key, self._sorted[i]):
                    address_score = self._address_score(address_key, numbers, i)
                    if address_score is not None:
                        scores[i] = (name_score + address_score, Reason.NAME)
        ranked = sorted(scores, key=lambda i: (-scores[i][0], i))[:limit]
        return [Match(self._refs[i], scores[i][0], scores[i][1]) for i in ranked]

    def _address_score(self, address_key: str, numbers: frozenset[str], i: int) -> float | None:
        """token_set_ratio of the two addresses, or None when they disagree (an empty one agrees with anything)."""
        other = self._addresses[i]
        if not address_key or not other:
            return fuzz.token_set_ratio(address_key, other)
        if not _sets_agree(numbers, self._address_numbers[i]):
            return None
        score = fuzz.token_set_ratio(address_key, other)
        return score if score >= ADDRESS_MATCH else None

    def _candidates(self, name_key: str, key: str, numbers: frozenset[str] | None) -> list[int]:
        """The exact-name block, then the smallest other blocks while they fit the budget (at least one).

        With an address that has numbers, a name block is narrowed to the entries whose address numbers can agree.
        """
        alternatives = _agreeing_suffixes(numbers) if numbers else None
        groups = [self._group(block, alternatives) for block in _block_keys(name_key)]
        chosen: set[int] = set(self._by_name.get(key, ()))
        spent = 0
        for taken, (size, group) in enumerate(sorted(groups, key=itemgetter(0))):
            if taken and spent + size > CANDIDATE_BUDGET:
                break
            spent += size
            chosen.update(*group)
        return list(chosen)

    def _group(
        self, block: str, alternatives: tuple[tuple[str, ...], tuple[str, ...]] | None
    ) -> tuple[int, list[list[int]]]:
        """(size, lists) of the entries of one name block that the query's address numbers allow."""
        filed = self._blocks.get(block)
        if filed is None:
            return 0, []
        if alternatives is None:
            entries = filed[""]
            return len(entries), [entries]
        always, one_of = alternatives
        empty: list[int] = []
        lists = [filed.get(s, empty) for s in always]
        smallest: list[int] | None = None
        for suffix in one_of:  # the first of the smallest
            entries = filed.get(suffix, empty)
            if smallest is None or len(entries) < len(smallest):
                smallest = entries
        if smallest is not None:
            lists.append(smallest)
        return sum(map(len, lists)), lists
