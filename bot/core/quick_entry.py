"""Read a one-line visit entry such as `/gn Nguyễn Văn An, xóm 3: vneid dvc 2 nguoi` into a draft.

Pure code: the chat flow shows the draft for confirmation, asks for what is missing and points out `unknown`.
Everything is matched on `word_key` (no diacritics, no case, no punctuation), so typing without diacritics
and NFD text from phones read the same as careful typing.

Grammar: `[/command] <household>[, <address>][:] <rest> [ghi chú: <note>]`

1. A leading `/command` (`/gn`, `/gn@bot`) is dropped. 12-digit numbers (citizen ID numbers) are masked with
   `mask_citizen_ids`, then left out of everything (household, address, note, unknown); `masked_id` says so.
2. Note: "ghi chú:", "ghi chu:", "ghichu:", "gc:" ("ghi chú"/"ghichu" also without the colon). Everything after
   it, to the end, is the note, as typed. Nothing after it is read as skills.
3. Household part and rest: with a ":" (not in a time such as 8:30), everything before the first one is
   the household part and everything after it the rest. Without one, the household part ends at the first thing
   the rest can read: a skill, a people count, a day, a return-visit phrase, or (before the address only) a bare
   number. While looking for that end, single-word days ("nay", "qua", "kia") are not read, and a word typed
   with diacritics must carry the skill's own diacritics: "Nguyễn Thanh Toàn" is a name, not "thanh toán".
   Typed without diacritics, such a name is cut short ("nguyen thanh toan" → "nguyen" + cashless); the draft
   shows it and a colon avoids it.
4. Address, inside the household part: starts after the first comma (or ";"), or at the first address word,
   which is kept ("xóm 3"). Always address words: xóm, thôn, khu, đội, ngách, hẻm, tdp, số nhà, tổ dân phố.
   Also surnames or names, so address words only when typed with these diacritics or followed by a word with a
   digit: tổ, số, ngõ, ấp, bản ("Tô", "Ngô", "Bàn" stay names; "to 5" is an address). The word right after an
   address word always belongs to the address ("xóm 3", "số nhà 12/5"). Nothing before it → household "".
5. Rest, read left to right, the longest reading winning at each place (ties: skill, return visit, day,
   people):
   - skills by label or alias; multi-word names win over their words ("dich vu cong", "cai vneid", "muc 2"
     before the number 2); a repeated skill counts once; codes come back in the catalogue's order;
   - people: "2 người", "2 nguoi", "2 ng", "2 n", "2ng", "2nguoi", "x2", 1..50 (outside that: unknown);
   - a bare number is the people count only when no explicit count is typed anywhere, and only a 1–2 digit
     one (1..50); the first such number is taken, any other bare number is unknown;
   - day: whatever `parse_day` reads ("hôm qua", "hom kia", "nay", "12/10", "12-10-2026"), also "ngày 12/10";
   - return visit: "quay lại", "cần quay lại", "hẹn lại", "hẹn quay lại";
   - ",", ";", "+", "&", "và" separate items;
   - anything else is unknown: neighbouring unread words grouped as typed ("abc xyz"); separators split groups.
   The first people count and day win; a later, different one is unknown.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum, auto
from typing import Protocol

from bot.core.dates import parse_day
from bot.core.text import CITIZEN_ID_MASK, fold, mask_citizen_ids, nfc, word_key

_COMMAND = re.compile(r"^\s*/\S*(?:\s*:)?")
# A token is a day ("12/10"), a time ("8:30", never a colon), a word, or a separator.
_TOKEN = re.compile(r"\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?(?!\d)|\d{1,2}:\d{2}(?!\d)|\w+|[,;:+&]")
_COUNT_WORD = re.compile(r"(\d+)(?:nguoi|ng|n)|x(\d+)")
_PEOPLE_WORDS = frozenset({"nguoi", "ng", "n"})
_MAX_PEOPLE = 50
_ADDRESS_BREAKS = frozenset({",", ";"})
_EDGE = " ,;:+&-–—|/"
_RETURN_PHRASES = ("cần quay lại", "hẹn quay lại", "quay lại", "hẹn lại")
_JOINERS = frozenset({"va"})
_DAY_LEADS = frozenset({"hom", "ngay", "thu", "chu"})  # "hôm qua", "ngày 12/10", "thứ hai", "chủ nhật"
_NOTE_MARKERS: tuple[tuple[tuple[str, ...], bool], ...] = (  # (words, colon required)
    (("ghi", "chu"), False),
    (("ghichu",), False),
    (("gc",), True),
)
_STRONG_ADDRESS = ("số nhà", "tổ dân phố", "xóm", "thôn", "khu", "đội", "ngách", "hẻm", "tdp")
_WEAK_ADDRESS = ("tổ", "số", "ngõ", "ấp", "bản")


class SkillLike(Protocol):
    """What the parser needs of a skill: config.Skill fits."""

    @property
    def code(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def aliases(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class QuickEntry:
    """A draft visit read from one line; empty household or no skills means the flow asks for them."""

    household: str  # NFC, as typed, trimmed; "" when none was typed
    address: str | None  # "xóm 3"
    skills: tuple[str, ...]  # skill codes in the catalogue's order, no repeats
    people: int | None  # 1..50
    day: date | None
    return_visit: bool
    note: str | None
    unknown: tuple[str, ...]  # parts that could not be read, as typed, in typed order
    masked_id: bool  # a 12-digit citizen ID number was typed and left out


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int
    key: str  # word_key of a word; "" for a separator
    sep: bool


class _Kind(Enum):
    SKILL = auto()
    RETURN = auto()
    DAY = auto()
    PEOPLE = auto()
    BARE_NUMBER = auto()
    INVALID = auto()  # reads as a people count but is out of range
    JOINER = auto()


@dataclass(frozen=True)
class _Match:
    kind: _Kind
    length: int  # tokens taken
    number: int = 0  # skill index or people count
    day: date | None = None


@dataclass(frozen=True)
class _Name:
    """A phrase matched word by word; `spellings` holds each word with its diacritics, when known."""

    keys: tuple[str, ...]
    spellings: tuple[str | None, ...]
    value: int = 0


@dataclass
class _Reading:
    skills: list[int] = field(default_factory=list)
    people: int | None = None
    day: date | None = None
    return_visit: bool = False
    bare: list[tuple[int, str, int]] = field(default_factory=list)  # (position, as typed, value)
    unknown: list[tuple[int, str]] = field(default_factory=list)  # (position, text as typed)


def parse_quick_entry(text: str, skills: Sequence[SkillLike], today: date) -> QuickEntry:
    """Read `text` (with or without the leading command) against the skill catalogue; see the module docstring."""
    typed = _COMMAND.sub("", nfc(text), count=1)
    masked, masked_id = mask_citizen_ids(typed)
    work = masked.replace(CITIZEN_ID_MASK, " ")
    tokens = _tokenize(work)
    tokens, note_start, note = _split_note(tokens, work)
    names = _skill_names(skills)
    head, rest, head_end = _split_household(tokens, names, today, note_start)
    household, address = _split_head(head, work, head_end)
    reading = _read_rest(rest, work, names, today)
    return QuickEntry(
        household=household,
        address=address,
        skills=tuple(skills[i].code for i in sorted(set(reading.skills))),
        people=reading.people,
        day=reading.day,
        return_visit=reading.return_visit,
        note=note,
        unknown=tuple(text for _, text in sorted(reading.unknown)),
        masked_id=masked_id,
    )


# --- tokens and phrases -------------------------------------------------------------------------------------


def _tokenize(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        sep = not (word[0].isalnum() or word[0] == "_")
        tokens.append(_Token(word, match.start(), match.end(), "" if sep else word_key(word), sep))
    return tokens


def _clean(text: str) -> str:
    return nfc(text).strip(_EDGE)


def _has_diacritics(word: str) -> bool:
    return fold(word) != word.casefold()


def _marks(word: str) -> str:
    """The letters and marks of a word, whatever order the marks were typed in ("khoẻ" = "khỏe")."""
    return "".join(sorted(unicodedata.normalize("NFD", word.casefold())))


def _agrees(token: _Token, spelling: str | None) -> bool:
    """A word typed without diacritics agrees with any spelling; one typed with them must carry the same ones."""
    return spelling is None or not _has_diacritics(token.text) or _marks(token.text) == _marks(spelling)


def _phrase(text: str, known: dict[str, str] | None = None, value: int = 0) -> _Name:
    """A phrase's word keys and spellings; words without diacritics borrow the spelling from `known`."""
    keys: list[str] = []
    spellings: list[str | None] = []
    for word in (t for t in _tokenize(nfc(text)) if t.key):
        for key in word.key.split():
            keys.append(key)
            own = word.text if _has_diacritics(word.text) and key == word.key else None
            spellings.append(own or (known or {}).get(key))
    return _Name(tuple(keys), tuple(spellings), value)


def _skill_names(skills: Sequence[SkillLike]) -> list[_Name]:
    """Every label and alias, longest first, so "dich vu cong" is tried before "dvc" and "muc 2" before 2."""
    names = []
    for index, skill in enumerate(skills):
        label = _phrase(skill.label)
        known = {k: s for k, s in zip(label.keys, label.spellings, strict=True) if s is not None}
        names.append(_Name(label.keys, label.spellings, index))
        names.extend(_phrase(alias, known, index) for alias in skill.aliases)
    return sorted((n for n in names if n.keys), key=lambda n: -len(n.keys))


_RETURN_NAMES = sorted((_phrase(p) for p in _RETURN_PHRASES), key=lambda n: -len(n.keys))
_STRONG_NAMES = sorted((_phrase(p) for p in _STRONG_ADDRESS), key=lambda n: -len(n.keys))
_WEAK_NAMES = [_phrase(p) for p in _WEAK_ADDRESS]


def _fits(tokens: Sequence[_Token], i: int, name: _Name, strict: bool) -> bool:
    window = tokens[i : i + len(name.keys)]
    if len(window) < len(name.keys) or any(t.sep for t in window):
        return False
    if tuple(t.key for t in window) != name.keys:
        return False
    return not strict or all(_agrees(t, s) for t, s in zip(window, name.spellings, strict=True))


def _next_word(tokens: Sequence[_Token], i: int) -> _Token | None:
    return tokens[i + 1] if i + 1 < len(tokens) and not tokens[i + 1].sep else None


# --- reading one item ---------------------------------------------------------------------------------------


def _skill_at(tokens: Sequence[_Token], i: int, names: list[_Name], strict: bool) -> _Match | None:
    for name in names:  # longest first
        if _fits(tokens, i, name, strict):
            return _Match(_Kind.SKILL, len(name.keys), number=name.value)
    return None


def _return_at(tokens: Sequence[_Token], i: int, strict: bool) -> _Match | None:
    for name in _RETURN_NAMES:
        if _fits(tokens, i, name, strict):
            return _Match(_Kind.RETURN, len(name.keys))
    return None


def _day_at(tokens: Sequence[_Token], i: int, today: date, strict: bool) -> _Match | None:
    token, after = tokens[i], _next_word(tokens, i)
    if token.key in _DAY_LEADS and after is not None:
        day = parse_day(f"{token.text} {after.text}", today)
        if day is not None:
            return _Match(_Kind.DAY, 2, day=day)
    if strict and not any(ch.isdigit() for ch in token.key):
        return None  # "nay", "qua", "kia" alone may be part of a name
    day = parse_day(token.text, today)
    return None if day is None else _Match(_Kind.DAY, 1, day=day)


def _count(count: int, length: int) -> _Match:
    kind = _Kind.PEOPLE if 1 <= count <= _MAX_PEOPLE else _Kind.INVALID
    return _Match(kind, length, count)


def _people_at(tokens: Sequence[_Token], i: int) -> _Match | None:
    key, after = tokens[i].key, _next_word(tokens, i)
    glued = _COUNT_WORD.fullmatch(key)
    if glued:
        return _count(int(glued.group(1) or glued.group(2)), 1)
    if not key.isdigit():
        return None
    if after is not None and after.key in _PEOPLE_WORDS:
        return _count(int(key), 2)
    return _Match(_Kind.BARE_NUMBER, 1, int(key))


def _match_at(tokens: Sequence[_Token], i: int, names: list[_Name], today: date, strict: bool) -> _Match | None:
    """The longest reading starting at token i; on a tie the first of skill, return visit, day, people."""
    found = [
        _skill_at(tokens, i, names, strict),
        _return_at(tokens, i, strict),
        _day_at(tokens, i, today, strict),
        _people_at(tokens, i),
        _Match(_Kind.JOINER, 1) if tokens[i].key in _JOINERS else None,
    ]
    return max((m for m in found if m is not None), key=lambda m: m.length, default=None)


# --- note, household and address ----------------------------------------------------------------------------


def _note_marker_at(tokens: Sequence[_Token], i: int) -> int | None:
    """How many tokens the note marker at i takes (with its colon), or None."""
    for words, colon_required in _NOTE_MARKERS:
        name = _Name(words, (None,) * len(words))
        if not _fits(tokens, i, name, strict=False):
            continue
        after = i + len(words)
        if after < len(tokens) and tokens[after].text == ":":
            return len(words) + 1
        if not colon_required:
            return len(words)
    return None


def _split_note(tokens: list[_Token], work: str) -> tuple[list[_Token], int, str | None]:
    """Tokens before the note, where the note marker starts, and the note."""
    for i, token in enumerate(tokens):
        width = None if token.sep else _note_marker_at(tokens, i)
        if width is not None:
            note = _clean(work[tokens[i + width - 1].end :])
            return tokens[:i], token.start, note or None
    return tokens, len(work), None


def _split_household(
    tokens: list[_Token], names: list[_Name], today: date, end: int
) -> tuple[list[_Token], list[_Token], int]:
    """The household part's tokens, the rest's tokens, and where the household part ends in the text."""
    for i, token in enumerate(tokens):
        if token.text == ":":
            return tokens[:i], tokens[i + 1 :], token.start
    cut = _household_end(tokens, names, today)
    return tokens[:cut], tokens[cut:], tokens[cut].start if cut < len(tokens) else end


def _household_end(tokens: list[_Token], names: list[_Name], today: date) -> int:
    """Without a colon: the index of the first token the rest can read (see the module docstring, rule 3)."""
    in_address, kept, i = False, -1, 0
    while i < len(tokens):
        token = tokens[i]
        if token.sep:
            in_address = in_address or token.text in _ADDRESS_BREAKS
            i += 1
            continue
        match = _match_at(tokens, i, names, today, strict=True) if i != kept else None
        if match is not None and match.kind is not _Kind.JOINER:
            if not (in_address and match.kind is _Kind.BARE_NUMBER):
                return i
        width = _address_word_at(tokens, i)
        if width:
            in_address, kept = True, i + width  # "xóm 3": the word after an address word is the address's
        i += width or 1
    return len(tokens)


def _address_word_at(tokens: Sequence[_Token], i: int) -> int:
    """How many tokens an address word at i takes, or 0."""
    for name in _STRONG_NAMES:
        if _fits(tokens, i, name, strict=True):
            return len(name.keys)
    after = _next_word(tokens, i)
    for name in _WEAK_NAMES:
        if not _fits(tokens, i, name, strict=True):
            continue
        spelled = _has_diacritics(tokens[i].text)  # and agrees, so spelled exactly as the address word
        if spelled or (after is not None and any(ch.isdigit() for ch in after.text)):
            return len(name.keys)
    return 0


def _split_head(head: list[_Token], work: str, end: int) -> tuple[str, str | None]:
    """Household and address from the household part, which ends at `end` in the text."""
    for i, token in enumerate(head):
        if token.sep and token.text in _ADDRESS_BREAKS:
            return _clean(work[: token.start]), _clean(work[token.end : end]) or None
        if not token.sep and _address_word_at(head, i):
            return _clean(work[: token.start]), _clean(work[token.start : end]) or None
    return _clean(work[:end]), None


# --- the rest -----------------------------------------------------------------------------------------------


def _read_rest(tokens: list[_Token], work: str, names: list[_Name], today: date) -> _Reading:
    reading = _Reading()
    group: list[_Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        match = None if token.sep else _match_at(tokens, i, names, today, strict=False)
        if match is None and not token.sep:
            group.append(token)
            i += 1
            continue
        _flush(group, work, reading)
        group = []
        if match is not None:
            _apply(match, tokens[i : i + match.length], work, reading)
        i += match.length if match is not None else 1
    _flush(group, work, reading)
    _settle_bare_numbers(reading)
    return reading


def _flush(group: list[_Token], work: str, reading: _Reading) -> None:
    if group:
        reading.unknown.append((group[0].start, _clean(work[group[0].start : group[-1].end])))


def _apply(match: _Match, taken: list[_Token], work: str, reading: _Reading) -> None:
    where = taken[0].start
    as_typed = _clean(work[where : taken[-1].end])
    if match.kind is _Kind.SKILL:
        reading.skills.append(match.number)
    elif match.kind is _Kind.RETURN:
        reading.return_visit = True
    elif match.kind is _Kind.BARE_NUMBER:
        reading.bare.append((where, as_typed, match.number))
    elif match.kind is _Kind.PEOPLE and reading.people in (None, match.number):
        reading.people = match.number
    elif match.kind is _Kind.DAY and reading.day in (None, match.day):
        reading.day = match.day
    elif match.kind is not _Kind.JOINER:  # out of range, or a second, different count or day
        reading.unknown.append((where, as_typed))


def _settle_bare_numbers(reading: _Reading) -> None:
    """A bare 1–2 digit number is the people count when no count was typed; other bare numbers are unknown."""
    for where, as_typed, number in reading.bare:
        if reading.people is None and len(as_typed) <= 2 and 1 <= number <= _MAX_PEOPLE:
            reading.people = number
        else:
            reading.unknown.append((where, as_typed))
