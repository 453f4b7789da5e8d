"""Read a typed answer against a list of options: "2", "2.", "số 2", "1 3 4", "1,3,4", "1-3", an option's name as
people type it (no diacritics, Telex leftovers, a typo, a few words around it), or yes / no where an option means
it ("ok", "đc", "ko"). Two options read equally well are both returned, for the flow to ask."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from bot import texts as T
from bot.core import vocabulary
from bot.core.messages import Option, numbered_options
from bot.core.reader import Vocabulary, words
from bot.core.text import word_key

_RANGE_WORDS = re.compile(r"^\s*([0-9]{1,2})\s*(?:đến|den|tới|toi)\s*([0-9]{1,2})\s*$", re.IGNORECASE)
_NUMBER_LIST = re.compile(r"^\s*\d+(\s*-\s*\d+)?(\s*[,;\s]\s*\d+(\s*-\s*\d+)?)*\s*$")


@dataclass(frozen=True)
class Picked:
    """The option indexes a typed answer names. `unknown` lists numbers that match no option."""

    indexes: tuple[int, ...]
    unknown: tuple[str, ...] = ()
    too_many: bool = False  # several numbers where one was asked for
    ambiguous: tuple[int, ...] = ()  # what was typed reads as any of these options: ask which
    declined: bool = False  # "ko lưu nữa": the prompt's yes, refused, where no option says no


_MAX_DIGITS = 7  # "1-3" ranges are split on "-" first, so each part is one number


def _expand(spec: str) -> list[int] | None:
    parts = [p for p in re.split(r"[,;\s]+", re.sub(r"\s*-\s*", "-", spec.strip())) if p]
    numbers: list[int] = []
    if any(len(part) > _MAX_DIGITS for part in parts):
        return None  # no option has such a number; and int() of thousands of digits is refused by Python
    for part in parts:
        if "-" in part:
            lo, hi = (int(x) for x in part.split("-", 1))
            if hi < lo or hi - lo > 50:
                return None
            numbers.extend(range(lo, hi + 1))
        else:
            numbers.append(int(part))
    return numbers


@lru_cache(maxsize=256)  # asked twice per message: by the router (is it the prompt's?) and by the step
def pick(text: str, options: tuple[Option, ...], multi: bool) -> Picked | None:
    """The options a typed answer names, or None when it names none (free text for the step)."""
    if not options:
        return None
    numbered = numbered_options(options)
    by_number = {num: idx for idx, (num, _) in enumerate(numbered)}
    text = _RANGE_WORDS.sub(r"\1-\2", text)  # "1 đến 4"
    single = vocabulary.option_number(text)  # "2.", "2)", "số 2 ạ", "số hai"
    if _NUMBER_LIST.match(text) or single is not None:
        numbers = [single] if single is not None else _expand(text)
        if numbers is None:
            return None
        if not multi and len(numbers) > 1:
            return Picked((), too_many=True)
        indexes = [by_number[n] for n in numbers if n in by_number]
        unknown = tuple(str(n) for n in numbers if n not in by_number)
        return Picked(tuple(dict.fromkeys(indexes)), unknown)
    key = word_key(text)
    if not key:
        return None
    for idx, (_, opt) in enumerate(numbered):
        names = {word_key(opt.label), *(word_key(a) for a in opt.aliases)}
        if key in names:
            return Picked((idx,))
    if (answer := vocabulary.answer_of(text)) is not None:
        meant = [idx for idx, (_, opt) in enumerate(numbered) if opt.means == answer]
        if len(meant) == 1:
            return Picked((meant[0],))
    if multi and (mixed := _pick_mixed(text, numbered, by_number)) is not None:
        return mixed  # several names and numbers in one answer: "vneid dvc 0"
    return _named(text, numbered, multi)


def _named(text: str, numbered: list[tuple[int, Option]], multi: bool = False) -> Picked | None:
    """An option named among other words: "đc r lưu đi", "ok gửi luôn", "chưa, sửa chút đã", "ko có trong danh
    sách, thêm mới". A "no" before the prompt's yes ("ko gửi", "ko lưu nữa") is its no; a "no" alone is the no."""
    vocab = _names(tuple((opt.label, opt.aliases) for _, opt in numbered))
    reading = vocab.read(text, anywhere=True)
    negated = vocabulary.negated(text)
    no = [idx for idx, (_, opt) in enumerate(numbered) if opt.means == vocabulary.NO]
    if reading.meaning is None:
        return Picked((no[0],)) if negated and len(no) == 1 else None
    if reading.others:
        return Picked((), ambiguous=tuple(sorted(int(m) for m in (reading.meaning, *reading.others))))
    idx = int(reading.meaning)
    if negated and numbered[idx][1].means == vocabulary.YES:
        return Picked((no[0],)) if len(no) == 1 else Picked((), declined=True)
    own = frozenset(w for name in vocab.phrases_of(reading.meaning) for w in name)  # "hộ mới, chưa có trong ds"
    if reading.whole or negated or set(reading.unread) <= vocabulary.ANSWER_KEYS | own:
        return Picked((idx,))
    # With other words around, the name is enough, but never for the prompt's yes (it saves or sends): "gửi lúc
    # nào?" asks a question, it does not send.
    if numbered[idx][1].means == vocabulary.YES or multi:  # a multi-select points out the words it cannot read
        return None
    if reading.at_start:  # the line begins with the option's name: "sửa lại câu chữ đã", "thêm hộ mới nhé bà"
        return Picked((idx,))
    if numbered[idx][1].means is not None and len(reading.phrase) > 1:  # "ông ấy ngại, ko đồng ý"
        return Picked((idx,))
    return None


@lru_cache(maxsize=256)
def _names(options: tuple[tuple[str, tuple[str, ...]], ...]) -> Vocabulary:
    """The options' names as a vocabulary whose meanings are the options' positions."""
    return Vocabulary({str(i): (label, *aliases) for i, (label, aliases) in enumerate(options)}, T.FILLER_WORDS)


def _pick_mixed(text: str, numbered: list[tuple[int, Option]], by_number: dict[int, int]) -> Picked | None:
    """Several names and numbers in one answer: "vneid dvc 0", "muc 2 bhyt xong", "thanh toans, dichj vuj coong"."""
    names = sorted(
        ((word_key(name), idx) for idx, (_, opt) in enumerate(numbered) for name in (opt.label, *opt.aliases)),
        key=lambda item: -len(item[0]),
    )
    known = frozenset(w for name, _ in names for w in name.split())
    key = " ".join(w.key for w in words(text, known))
    if (two := _NAME_THEN_NUMBER.fullmatch(key)) is not None:  # "vneid 2": VNeID and item 2, or "VNeID mức 2"?
        single = {name: idx for name, idx in names if name and " " not in name}
        number = int(two.group(2))
        if two.group(1) in single and number and number in by_number and by_number[number] != single[two.group(1)]:
            return Picked((), ambiguous=tuple(sorted({single[two.group(1)], by_number[number]})))
    found: list[int] = []
    rest = f" {key} "
    for name, idx in names:  # longest first, so "muc 2" is taken before the number 2
        if name and f" {name} " in rest:
            rest = rest.replace(f" {name} ", " ")
            found.append(idx)
    unknown: list[str] = []
    single = {name: idx for name, idx in names if name and " " not in name}
    for token in rest.split():
        if token.isascii() and token.isdigit():
            if int(token) in by_number:
                found.append(by_number[int(token)])
            else:
                unknown.append(token)
        elif (idx := _typo_of(token, single)) is not None:
            found.append(idx)
    if not found:
        return None
    return Picked(tuple(dict.fromkeys(found)), tuple(unknown))


_NAME_THEN_NUMBER = re.compile(r"([a-z]\w*) ([0-9]{1,2})")
TYPO_MIN_LENGTH = 4  # shorter words are too easily one letter from another option
TYPO_MIN_SCORE = 85  # rapidfuzz ratio: "vneidd" → "vneid" scores 91, "dvcc" → "dvc" 86


def _typo_of(token: str, names: dict[str, int]) -> int | None:
    """The option a mistyped one-word name means, when exactly one option is that close: one letter added,
    missing, changed or two swapped ("vneidd", "vnied" → vneid)."""
    if len(token) < TYPO_MIN_LENGTH:
        return None
    close = {
        idx
        for name, idx in names.items()
        if fuzz.ratio(token, name) >= TYPO_MIN_SCORE
        or (len(name) >= TYPO_MIN_LENGTH and OSA.distance(token, name) <= 1)
    }
    return close.pop() if len(close) == 1 else None
