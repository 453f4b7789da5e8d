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
from collections.abc import Callable, Hashable, Iterable, Mapping
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


@lru_cache(maxsize=65536)  # an import asks it of every row's address several times
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


@lru_cache(maxsize=65536)
def sorted_name(name_key: str) -> str:
    """The folded name's words in alphabetical order: the same for "An Nguyễn Văn" and "Nguyen Van An"."""
    return " ".join(sorted(name_key.split()))


_MAX_SUBSETS_OF = 4  # an address with more numbers than this is looked up by each number instead


def _exact(numbers: Iterable[str]) -> str:
    return "=" + ",".join(sorted(numbers))


@lru_cache(maxsize=4096)
def _address_suffixes(numbers: frozenset[str]) -> tuple[str, ...]:
    """Where an entry is filed besides its name blocks: under its exact set of address numbers, and each number."""
    return (_exact(numbers), *(f"#{n}" for n in numbers))


@lru_cache(maxsize=4096)
def _agreeing_suffixes(numbers: frozenset[str]) -> list[list[str]]:
    """For a query's address numbers Q, the blocks holding every entry whose numbers C can agree (C ⊆ Q or
    C ⊇ Q, or C empty): the exact sets that are subsets of Q, and the entries containing one chosen number of Q.
    Returned as alternatives for that chosen number (the caller takes the smallest)."""
    if len(numbers) > _MAX_SUBSETS_OF:
        return [[_exact(()), *(f"#{n}" for n in numbers)]]
    ordered = sorted(numbers)
    subsets = [_exact(c) for r in range(len(ordered)) for c in combinations(ordered, r)]  # C ⊊ Q, C empty too
    return [[*subsets, f"#{n}"] for n in ordered]  # C ⊇ Q: every such entry contains n


@lru_cache(maxsize=65536)  # a tuple, shared by every caller: an import files and looks up each name
def block_keys(name_key: str) -> tuple[str, ...]:
    """The name blocks a name is filed under: each word ("w:an"), and the family name with the given name's first
    or last two letters ("f:nguyen:an", "g:nguyen:an")."""
    words = name_key.split()
    if not words:
        return ()
    keys = [f"w:{w}" for w in dict.fromkeys(words)]
    if len(words) > 1:  # family name with the given name's edges: "nguyen van ann" meets "nguyen van an"
        family, given = words[0], words[-1]
        keys += [f"f:{family}:{given[:2]}", f"g:{family}:{given[-2:]}"]
    return tuple(keys)


def block_group(block: str, numbers: frozenset[str], size: Callable[[str], int]) -> tuple[int, list[str]]:
    """(size, keys) of what a query reads of one name block: the whole block, or with an address that has numbers,
    the cheapest of its alternatives (the entries whose address numbers can agree). `size` tells how many entries
    a key holds (an entry filed under two of a group's keys counts twice)."""
    if not numbers:
        return size(block), [block]
    best: tuple[int, list[str]] | None = None
    for suffixes in _agreeing_suffixes(numbers):
        keys = [block + s for s in suffixes]
        total = sum(map(size, keys))
        if best is None or total < best[0]:
            best = (total, keys)
    assert best is not None
    return best


def choose_blocks(name_key: str, numbers: frozenset[str], size: Callable[[str], int]) -> list[str]:
    """The keys (blocks with their address suffixes) a query compares with besides its exact-name block: the
    smallest name blocks' groups (block_group) while they fit the budget, at least one."""
    groups = [block_group(block, numbers, size) for block in block_keys(name_key)]
    chosen: list[str] = []
    spent = 0
    for taken, (group_size, keys) in enumerate(sorted(groups, key=lambda g: g[0])):
        if taken and spent + group_size > CANDIDATE_BUDGET:
            break
        spent += group_size
        chosen += keys
    return chosen


def agreeing_suffixes(numbers: frozenset[str]) -> list[str]:
    """Every address suffix a query with these address numbers may read a block by."""
    return sorted({s for alternative in _agreeing_suffixes(numbers) for s in alternative}) if numbers else []


class MatchIndex(Generic[K]):
    """Households (or rows of a list) filed for fast look-up; `ref` is what a match gives back."""

    def __init__(
        self, focus: tuple[str, str, str | None] | None = None, sizes: Mapping[str, int] | None = None
    ) -> None:
        """`focus`: (name key, address key, phone) of the only query this index will answer. Then entries that
        query cannot reach are not filed at all, which makes a one-off look-up cheap.

        `sizes`: how many entries each block holds in the whole register, when only the entries of the blocks the
        query will read are filed (the database counted them): the blocks are then chosen as if all were filed."""
        self._sizes = sizes
        self._refs: list[K] = []
        self._sorted: list[str] = []
        self._addresses: list[str] = []
        self._address_numbers: list[frozenset[str]] = []
        self._by_phone: dict[str, list[int]] = {}
        self._by_name: dict[str, list[int]] = {}
        self._blocks: dict[str, list[int]] = {}
        self._focus_phone = focus[2] if focus else None
        self._focus_blocks: frozenset[str] | None = frozenset(block_keys(focus[0])) if focus else None
        self._focus_numbers = address_numbers(focus[1]) if focus else frozenset()

    def __len__(self) -> int:
        return len(self._refs)

    def add(self, ref: K, name_key: str, address_key: str, phone: str | None) -> None:
        blocks = block_keys(name_key)
        numbers = address_numbers(address_key)
        if self._focus_blocks is not None and not (phone and phone == self._focus_phone):
            blocks = [b for b in blocks if b in self._focus_blocks]
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
        suffixes = _address_suffixes(numbers)
        for block in blocks:
            self._blocks.setdefault(block, []).append(i)
            for suffix in suffixes:
                self._blocks.setdefault(block + suffix, []).append(i)

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
                if i in scores or not same_name(key, self._sorted[i]):
                    continue
                address_score = self._address_score(address_key, numbers, i)
                if address_score is not None:
                    scores[i] = (name_score + address_score, Reason.NAME)
        ranked = sorted(scores, key=lambda i: (-scores[i][0], i))[:limit]
        return [Match(self._refs[i], scores[i][0], scores[i][1]) for i in ranked]

    def _address_score(self, address_key: str, numbers: frozenset[str], i: int) -> float | None:
        """How alike the two addresses are, or None when they cannot be one household's (an empty one agrees)."""
        other = self._addresses[i]
        if not address_key or not other:
            return fuzz.token_set_ratio(address_key, other)
        if not _sets_agree(numbers, self._address_numbers[i]):
            return None
        score = fuzz.token_set_ratio(address_key, other)
        return score if score >= ADDRESS_MATCH else None

    def _candidates(self, name_key: str, key: str, numbers: frozenset[str] | None) -> list[int]:
        """The exact-name block, then the smallest other blocks while they fit the budget (at least one)."""
        empty: list[int] = []
        chosen: set[int] = set(self._by_name.get(key, ()))
        for block in choose_blocks(name_key, numbers or frozenset(), self._size):
            chosen.update(self._blocks.get(block, empty))
        return list(chosen)

    def _size(self, block: str) -> int:
        if self._sizes is not None:
            return self._sizes.get(block, 0)
        return len(self._blocks.get(block, ()))
