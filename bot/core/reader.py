"""Reading a line the way members type it on their phones.

They type without diacritics, abbreviated ("ko", "đc", "bc"), with a typo, with a few words around what they mean
("xem tiến độ tháng này ạ"), or with the Vietnamese keyboard switched off, so that the keys of Telex ("tieens
ddooj") or VNI ("tie6n d9o5") are left in the text. This module is the one place that reads such lines:

- `words(text)`: the line's words as matching keys (folded: no diacritics, no case), with keyboard leftovers
  repaired and chat abbreviations expanded, each with its place in the typed text;
- `Vocabulary.read(text)`: the meaning of a short line against one table of phrases per meaning (commands,
  yes / no / cancel, greetings): the phrase may stand among filler words ("xem", "cho mình", "ạ", "nhé"), and a
  word of a phrase may carry one typo when no other phrase is as close. When two meanings fit equally, both are
  returned and the caller asks;
- `option_number(text)`: an option number written "2", "2.", "2)", "số 2".

Pure and table-tested: no database and no channel. The phrases themselves live in the text catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from bot.core.text import fold

# --- words -----------------------------------------------------------------------------------------------------
_WORD = re.compile(r"[^\W_]+|\?")
_KEY_CHARS = re.compile(r"[^0-9a-z?]+")
# A Vietnamese syllable, folded: an initial, one to three vowels, a final. Used only to tell whether a word is
# plausible as typed, or becomes plausible once keyboard keys are taken out; never to reject what was typed.
_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")
_TELEX_DOUBLES = (("dd", "d"), ("aa", "a"), ("ee", "e"), ("oo", "o"), ("aw", "a"), ("ow", "o"), ("uw", "u"))
_TELEX_TONES = "sfrxjz"
_VNI_INNER_DIGIT = re.compile(r"[a-z][1-9]+[a-z]")

# Chat abbreviations, one word for one word (what a phrase of several words means is the vocabulary's business).
ABBREVIATIONS: Mapping[str, str] = {
    # not "hong" (Hồng is a name) nor "kg" (kilograms)
    **dict.fromkeys(("ko", "k", "kh", "khg", "hok", "hk", "khum", "khog", "khôg"), "khong"),
    **dict.fromkeys(("dc", "dk"), "duoc"),  # "đc" folds to "dc"
    "r": "roi",
    "vs": "voi",
    **dict.fromkeys(("mk", "mik", "mh"), "minh"),
    **dict.fromkeys(("oke", "okie", "okay", "oki", "okey", "okela", "oce", "okê"), "ok"),
    **dict.fromkeys(("uk", "uh", "uhm", "um", "umm", "uhh"), "u"),
    "ds": "danh sach",
    "sl": "so luong",
}


def repair_keyboard(key: str) -> str | None:
    """A folded word with Telex or VNI keys taken out ("tieens" → "tien", "ddooj" → "do", "vawn" → "van",
    "tie6n1" → "tien"), or None when it shows none, or taking them out leaves no plausible syllable."""
    if _VNI_INNER_DIGIT.search(key):
        repaired = re.sub(r"(?<=[a-z])[1-9]", "", key)
        return repaired if _SYLLABLE.fullmatch(repaired) else None
    if not key.isalpha() or len(key) < 2:
        return None
    repaired = key
    for keys, letter in _TELEX_DOUBLES:
        repaired = repaired.replace(keys, letter)
    repaired = repaired.replace("w", "u")
    if not _SYLLABLE.fullmatch(repaired):
        # One tone key, typed at the end or right after the vowels ("tieesn"): the first removal that leaves a
        # syllable is the one meant.
        for i in range(len(repaired) - 1, 0, -1):
            if repaired[i] in _TELEX_TONES and _SYLLABLE.fullmatch(candidate := repaired[:i] + repaired[i + 1 :]):
                repaired = candidate
                break
    if repaired == key or not _SYLLABLE.fullmatch(repaired):
        return None
    return repaired


@dataclass(frozen=True)
class Word:
    key: str  # what is matched: folded, keyboard keys taken out, an abbreviation written out ("khong")
    start: int  # where the word is in the typed text
    end: int
    typed: str  # its folded form as typed ("ko", "tieens")


def words(text: str, known: frozenset[str] = frozenset()) -> list[Word]:
    """The words of a line as matching keys. A word already `known` (a word of the vocabulary, an option's name)
    is taken as typed; others lose keyboard leftovers and are written out when they are chat abbreviations."""
    found: list[Word] = []
    for match in _WORD.finditer(text):
        typed = _KEY_CHARS.sub("", fold(match.group()))
        if not typed:
            continue
        key = typed
        if key not in known:
            key = repair_keyboard(key) or key
            key = ABBREVIATIONS.get(key, key)
        for part in key.split():  # "ds" → "danh sach": two words at the place of one
            found.append(Word(part, match.start(), match.end(), typed))
    return found


def folded_words(text: str) -> str:
    """The line's word keys joined by spaces: "Tiến độ tháng này ạ" → "tien do thang nay a"."""
    return " ".join(w.key for w in words(text))


# --- option numbers ------------------------------------------------------------------------------------------
_OPTION_NUMBER = re.compile(r"(?:(?:chon|lay)\s+)?(?:so|muc so|so thu tu|stt)?\s*#?\s*([0-9]{1,3})\s*[.)]?")


def option_number(text: str) -> int | None:
    """One option number as people write it: "2", "2.", "2)", "số 2", "chọn số 2". None for anything else ("#2"
    is a household's id, "mục 2" a skill)."""
    stripped = text.strip()
    if stripped.startswith("#"):
        return None
    found = _OPTION_NUMBER.fullmatch(" ".join(fold(stripped).split()))
    return int(found.group(1)) if found else None


# --- phrases and meanings --------------------------------------------------------------------------------------
TYPO_MIN_WORD = 4  # a phrase word shorter than this must be typed exactly
TYPO_MIN_SINGLE = 5  # a phrase of one word takes a typo only when it is at least this long


@dataclass(frozen=True)
class Reading:
    """What a line means against a vocabulary."""

    meaning: str | None  # the meaning found, or None
    whole: bool = False  # the phrase, with filler words at most around it, is the whole line
    rest: str = ""  # the typed text after the phrase (a command's arguments), trimmed
    others: tuple[str, ...] = ()  # other meanings that read the line just as well: ask, do not pick
    typos: int = 0  # words read through a typo

    @property
    def ambiguous(self) -> bool:
        return bool(self.others)


@dataclass(frozen=True)
class _Phrase:
    words: tuple[str, ...]
    meaning: str
    exact: bool  # no typo allowed (yes / no / cancel: short words, easily one letter from a name)


@dataclass(frozen=True)
class _Found:
    phrase: _Phrase
    start: int  # index of the first word
    end: int  # index after the last word
    typos: int


class Vocabulary:
    """Phrases by meaning, and the filler words that may stand around a phrase.

    `groups` maps a meaning (e.g. "cmd:tiendo", "yes") to its phrases, written as people type them (with or
    without diacritics); meanings in `exact` take no typo. A phrase is looked for at the start of the line, after
    any filler words; the longest wins, then the one with fewer typos; two different meanings tie → ambiguous.
    """

    def __init__(
        self,
        groups: Mapping[str, Iterable[str]],
        fillers: Iterable[str] = (),
        exact: Iterable[str] = (),
    ) -> None:
        exact_meanings = frozenset(exact)
        self.fillers = frozenset(w.key for f in fillers for w in words(f))
        phrases: list[_Phrase] = []
        for meaning, texts in groups.items():
            for text in texts:
                keys = tuple(w.key for w in words(text))
                if keys:
                    phrases.append(_Phrase(keys, meaning, meaning in exact_meanings))
        self.known = frozenset(k for p in phrases for k in p.words) | self.fillers
        self._by_first: dict[str, list[_Phrase]] = {}
        for phrase in phrases:
            self._by_first.setdefault(phrase.words[0], []).append(phrase)
        self._fuzzy_first = [(first, group) for first, group in self._by_first.items() if len(first) >= TYPO_MIN_WORD]

    def meanings(self) -> frozenset[str]:
        return frozenset(p.meaning for group in self._by_first.values() for p in group)

    def phrases_of(self, meaning: str) -> list[tuple[str, ...]]:
        return [p.words for group in self._by_first.values() for p in group if p.meaning == meaning]

    def read(self, text: str) -> Reading:
        """The meaning of `text` (see the class docstring); Reading(None) when no phrase fits."""
        line = words(text, self.known)
        if not line:
            return Reading(None)
        keys = [w.key for w in line]
        found: list[_Found] = []
        for start in range(len(keys)):
            found.extend(self._at(keys, start))
            if keys[start] not in self.fillers:
                break  # a phrase stands at the start, or after filler words only
        if not found:
            return Reading(None)
        best = max(found, key=lambda f: self._rank(f, keys))
        rank = self._rank(best, keys)
        others = tuple(sorted({f.phrase.meaning for f in found if self._rank(f, keys) == rank} - {best.phrase.meaning}))
        tail = [i for i in range(best.end, len(keys)) if keys[i] not in self.fillers]
        rest = text[line[tail[0]].start : line[tail[-1]].end].strip() if tail else ""
        return Reading(best.phrase.meaning, not tail, rest, others, best.typos)

    def _rank(self, found: _Found, keys: list[str]) -> tuple[int, int, int]:
        whole = all(k in self.fillers for k in keys[found.end :])
        return (int(whole), found.end - found.start, -found.typos)

    def _at(self, keys: list[str], start: int) -> list[_Found]:
        first = keys[start]
        candidates = list(self._by_first.get(first, ()))
        if first not in self._by_first and len(first) >= TYPO_MIN_WORD - 1:
            candidates += [p for head, group in self._fuzzy_first if _one_typo(first, head) for p in group]
        out: list[_Found] = []
        for phrase in candidates:
            typos = self._fits(phrase, keys, start)
            if typos is not None:
                out.append(_Found(phrase, start, start + len(phrase.words), typos))
        return out

    def _fits(self, phrase: _Phrase, keys: list[str], start: int) -> int | None:
        if start + len(phrase.words) > len(keys):
            return None
        typos = 0
        for want, got in zip(phrase.words, keys[start:], strict=False):
            if want == got:
                continue
            if phrase.exact or len(want) < TYPO_MIN_WORD or got in self.known or not _one_typo(got, want):
                return None
            typos += 1
        if typos and len(phrase.words) == 1 and len(phrase.words[0]) < TYPO_MIN_SINGLE:
            return None
        if typos > max(1, len(phrase.words) // 2):
            return None
        return typos


@lru_cache(maxsize=4096)
def _one_typo(typed: str, word: str) -> bool:
    """One letter missing, added, changed, or two neighbours swapped ("nhn"/"nhan", "vnied"/"vneid")."""
    return len(typed) >= TYPO_MIN_WORD - 1 and OSA.distance(typed, word, score_cutoff=1) == 1
