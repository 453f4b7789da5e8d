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
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
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
_VNI_TRAILING = re.compile(r"([a-z]+)([1-9]{1,2})")

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
    "thg": "thang",
    "trc": "truoc",
    "qlai": "quay lai",
    "ck": "chuyen khoan",
    "tt": "thanh toan",
    "hqua": "hom qua",
    "hnay": "hom nay",
    "tb": "thong bao",
    "sdt": "so dien thoai",
    "dt": "dien thoai",
    "ntn": "nhu the nao",
}
# Abbreviations known only by their diacritics: "hông" is "không", "hồng" a name.
MARKED_ABBREVIATIONS: Mapping[str, str] = {"hông": "khong", "hổng": "khong", "hem": "khong", "hơm": "khong"}


def repair_keyboard(key: str, vni: bool = False) -> str | None:
    """A folded word with Telex or VNI keys taken out ("tieens" → "tien", "ddooj" → "do", "vawn" → "van",
    "tie6n1" → "tien", "chu74" → "chu"), or None when it shows none, or taking them out leaves no plausible
    syllable. A single tone digit at the end ("ky1") is read as VNI only with `vni`, when the line shows VNI
    elsewhere: alone it is as likely a number ("t2", "muc2")."""
    trailing = _VNI_TRAILING.fullmatch(key)
    if _VNI_INNER_DIGIT.search(key) or (trailing and (vni or len(trailing.group(2)) > 1 or trailing.group(2) > "5")):
        repaired = re.sub(r"(?<=[a-z])[1-9]+", "", key)
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


def words(text: str, known: frozenset[str] = frozenset(), repair: bool = True) -> list[Word]:
    """The words of a line as matching keys (see _words). A line is read several times while one message is
    answered (the router, the prompt's options, the step), hence the cache."""
    return list(_words(text, known, repair))


@lru_cache(maxsize=512)
def _words(text: str, known: frozenset[str], repair: bool) -> tuple[Word, ...]:
    """The words of a line as matching keys. A word already `known` (a word of the vocabulary, an option's name)
    is taken as typed; others lose keyboard leftovers and are written out when they are chat abbreviations."""
    tokens = [(m, _KEY_CHARS.sub("", fold(m.group()))) for m in _WORD.finditer(text)]
    tokens = [(m, typed) for m, typed in tokens if typed]
    vni = any(_VNI_INNER_DIGIT.search(t) or (_VNI_TRAILING.fullmatch(t) and len(t) > 3) for _, t in tokens)
    vni = vni and sum(1 for _, t in tokens if any(ch.isdigit() for ch in t)) > 1  # several words typed so
    found: list[Word] = []
    for match, typed in tokens:
        key = MARKED_ABBREVIATIONS.get(unicodedata.normalize("NFC", match.group()).lower(), typed)
        if key not in known:
            key = (repair_keyboard(key, vni) if repair else None) or key
            key = ABBREVIATIONS.get(key, key)
        for part in key.split():  # "ds" → "danh sach": two words at the place of one
            found.append(Word(part, match.start(), match.end(), typed))
    return tuple(found)


def folded_words(text: str) -> str:
    """The line's word keys joined by spaces: "Tiến độ tháng này ạ" → "tien do thang nay a"."""
    return " ".join(w.key for w in words(text))


# --- option numbers ------------------------------------------------------------------------------------------
_OPTION_NUMBER = re.compile(r"(?:(?:chon|lay)\s+)?(?:so|muc so|so thu tu|stt)?\s*#?\s*([0-9]{1,3})\s*[.)]?")


def option_number(text: str, fillers: frozenset[str] = frozenset()) -> int | None:
    """One option number as people write it: "2", "2.", "2)", "số 2", "chọn số 2", with `fillers` around it
    ("số 2 ạ"). None for anything else ("#2" is a household's id, "mục 2" a skill)."""
    stripped = text.strip()
    if stripped.startswith("#"):
        return None
    folded = fold(stripped).split()
    while folded and folded[0] in fillers:
        folded = folded[1:]
    while folded and _KEY_CHARS.sub("", folded[-1]) in fillers:
        folded = folded[:-1]
    found = _OPTION_NUMBER.fullmatch(" ".join(folded))
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
    unread: tuple[str, ...] = ()  # the line's other words (not fillers), as matching keys
    phrase: tuple[str, ...] = ()  # the words of the phrase found
    at_start: bool = False  # the phrase begins the line (after filler words)

    @property
    def ambiguous(self) -> bool:
        return bool(self.others)


@dataclass(frozen=True)
class _Phrase:
    words: tuple[str, ...]
    marked: tuple[str, ...]  # the words as written, lower case with diacritics: "mời" and "mới" tell apart
    meaning: str
    exact: bool  # no typo allowed (yes / no / cancel: short words, easily one letter from a name)


@dataclass(frozen=True)
class _Found:
    phrase: _Phrase
    start: int  # index of the first word
    end: int  # index after the last word
    typos: int
    marks: int  # words typed with the phrase's own diacritics
    at_start: bool = False
    opens_clause: bool = False  # first in the line or after a comma, once filler words are left out


class Vocabulary:
    """Phrases by meaning, and the filler words that may stand around a phrase.

    `groups` maps a meaning (e.g. "cmd:tiendo", "yes") to its phrases, written as people type them (with or
    without diacritics); meanings in `exact` take no typo. A phrase is looked for at the start of the line, after
    any filler words (or, with `anywhere`, at any place of the line). The reading that leaves only filler words
    wins, then the longest, then the one typed with its own diacritics, then the earliest, then the one with
    fewer typos; two different meanings that tie are both returned (ambiguous).
    """

    def __init__(
        self,
        groups: Mapping[str, Iterable[str]],
        fillers: Iterable[str] = (),
        exact: Iterable[str] = (),
        prefer: Callable[[str], bool] | None = None,
    ) -> None:
        exact_meanings = frozenset(exact)
        self._prefer = prefer or (lambda meaning: False)
        self.fillers = frozenset(w.key for f in fillers for w in words(f))
        phrases: list[_Phrase] = []
        for meaning, texts in groups.items():
            for text in texts:
                found = words(text, repair=False)  # a phrase is taken as written: "thu7" is Saturday, not VNI
                if found:
                    keys = tuple(w.key for w in found)
                    marked = tuple(_marked(text[w.start : w.end]) for w in found)
                    phrases.append(_Phrase(keys, marked, meaning, meaning in exact_meanings))
        self.known = frozenset(k for p in phrases for k in p.words) | self.fillers
        self._by_first: dict[str, list[_Phrase]] = {}
        for phrase in phrases:
            self._by_first.setdefault(phrase.words[0], []).append(phrase)

    def meanings(self) -> frozenset[str]:
        return frozenset(p.meaning for group in self._by_first.values() for p in group)

    def phrases_of(self, meaning: str) -> list[tuple[str, ...]]:
        return [p.words for group in self._by_first.values() for p in group if p.meaning == meaning]

    def read(self, text: str, anywhere: bool = False, only: Callable[[str], bool] | None = None) -> Reading:
        """The meaning of `text` (see the class docstring); Reading(None) when no phrase fits. With `only`, the
        meanings it refuses are not looked for (the commands a member may not use)."""
        line = words(text, self.known)
        if not line:
            return Reading(None)
        keys = [w.key for w in line]
        marked = [_marked(text[w.start : w.end]) for w in line]
        opens = _clause_openings(text, line, self.fillers)
        found: list[_Found] = []
        at_start = True
        for start in range(len(keys)):
            here = [f for f in self._at(keys, marked, start) if only is None or only(f.phrase.meaning)]
            here = [replace(f, opens_clause=opens[start]) for f in here]
            # Past the start, only phrases that may take a typo count: "có" in "bot có những lệnh gì" is no yes.
            found.extend(replace(f, at_start=at_start) for f in here if at_start or not f.phrase.exact)
            at_start = at_start and keys[start] in self.fillers
            if not anywhere and not at_start:
                break  # a phrase stands at the start, or after filler words only
        if not found:
            return Reading(None)
        best = max(found, key=lambda f: self._rank(f, keys))
        rank = self._rank(best, keys)
        others = tuple(sorted({f.phrase.meaning for f in found if self._rank(f, keys) == rank} - {best.phrase.meaning}))
        tail = [i for i in range(best.end, len(keys)) if keys[i] not in self.fillers]
        rest = text[line[tail[0]].start : line[tail[-1]].end].strip() if tail else ""
        unread = tuple(k for i, k in enumerate(keys) if not best.start <= i < best.end and k not in self.fillers)
        whole = not unread
        return Reading(best.phrase.meaning, whole, rest, others, best.typos, unread, best.phrase.words, best.at_start)

    def _rank(self, found: _Found, keys: list[str]) -> tuple[int, ...]:
        others = keys[: found.start] + keys[found.end :]
        whole = all(k in self.fillers for k in others)
        # In a sentence, a preferred meaning (a command) comes before a word that is also an answer ("bot có
        # những lệnh gì": not a yes). Where else everything ties, the place does not decide: ask, not guess.
        preferred = int(not whole and self._prefer(found.phrase.meaning))
        # Of two requests in one sentence, the one that opens a clause is asked ("sửa lần ghi trước"; "…hướng dẫn
        # xong 1 hộ, ghi lại thế nào?"), then the later one.
        later = found.start if not whole else 0
        opens = int(found.opens_clause)
        return (int(whole), preferred, len(found.phrase.words), opens, later, found.marks, -found.typos)

    def _at(self, keys: list[str], marked: list[str], start: int) -> list[_Found]:
        first = keys[start]
        candidates = list(self._by_first.get(first, ()))
        if first not in self._by_first:  # a typo in the first word: "ghinhn", "luuu", "lừ đảo"
            candidates += [p for head, group in self._by_first.items() if _one_typo(first, head, True) for p in group]
        out: list[_Found] = []
        for phrase in candidates:
            fit = self._fits(phrase, keys, marked, start)
            if fit is not None:
                typos, end, places = fit
                marks = sum(1 for m, i in zip(phrase.marked, places, strict=True) if m == marked[i] != "")
                out.append(_Found(phrase, start, end, typos, marks))
        return out

    def _fits(
        self, phrase: _Phrase, keys: list[str], marked: list[str], start: int
    ) -> tuple[int, int, list[int]] | None:
        """(typos, end, the places of the phrase's words) when the phrase stands at `start`. Filler words may
        stand between its words ("hộ em phụ trách"); a word typed with diacritics is what it says, never a typo
        for another word ("nhầm" is not "nhận")."""
        typos = 0
        several = len(phrase.words) > 1
        places: list[int] = []
        i = start
        for n, want in enumerate(phrase.words):
            while n and i < len(keys) and keys[i] != want and keys[i] in self.fillers:
                i += 1
            if i >= len(keys):
                return None
            got = keys[i]
            places.append(i)
            i += 1
            if want == got:
                continue
            # A word the vocabulary knows is itself, unless it stands inside a phrase of several words
            # ("lien ke" is "liên kết", though "kê" is a word of "thống kê").
            if phrase.exact or (got in self.known and not several):
                return None
            if marked[i - 1] and not _close_as_written(marked[i - 1], phrase.marked[n]):
                return None  # typed with its diacritics, "nhầm" is no slip for "nhận" ("côgn" is, for "công")
            if not _one_typo(got, want, short_ok=several):
                return None
            typos += 1
        if typos and i - start > len(phrase.words):
            return None  # filler words inside a phrase, or a typo: not both ("bao cho ca" is no "báo cáo")
        single = len(phrase.words) == 1 and len(phrase.words[0]) < TYPO_MIN_SINGLE
        if typos and single and not _doubled(keys[start], phrase.words[0]):
            return None
        if typos > max(1, len(phrase.words) // 2):
            return None
        return typos, i, places


def _clause_openings(text: str, line: list[Word], fillers: frozenset[str]) -> list[bool]:
    """For each word: it opens a clause (the line's first, or after , ; . ! ?), filler words before it aside."""
    out: list[bool] = []
    opening = True
    previous_end = 0
    for word in line:
        if any(ch in ",;.!?" for ch in text[previous_end : word.start]):
            opening = True
        out.append(opening)
        opening = opening and word.key in fillers
        previous_end = word.end
    return out


def _close_as_written(typed: str, written: str) -> bool:
    """A word typed with diacritics is a slip for a phrase word only when it is one slip from it as written."""
    return not written or _doubled(typed, written) or OSA.distance(typed, written, score_cutoff=1) <= 1


def _marked(typed: str) -> str:
    """A typed word in lower case with its diacritics, or "" when it has none (then it tells nothing apart)."""
    lowered = unicodedata.normalize("NFC", typed).lower()
    return lowered if not lowered.isascii() else ""


def _doubled(typed: str, word: str) -> bool:
    """`typed` is `word` with one letter doubled ("luuu", "thuu")."""
    return len(typed) == len(word) + 1 and any(
        typed[i] == typed[i + 1] and typed[:i] + typed[i + 1 :] == word for i in range(len(typed) - 1)
    )


def one_typo(typed: str, word: str) -> bool:
    """`typed` is `word` with one slip (see _one_typo), for a word of four letters or more."""
    return _one_typo(typed, word)


def one_slip(typed: str, word: str) -> bool:
    """`typed` is `word` with one slip, also in a short word: for a word among others that are exact."""
    return _one_typo(typed, word, True)


@lru_cache(maxsize=8192)
def _one_typo(typed: str, word: str, short_ok: bool = False) -> bool:
    """One letter missing, added, changed, or two neighbours swapped ("nhn"/"nhan", "vnied"/"vneid"), or a letter
    doubled. Words shorter than four letters take a typo only inside a phrase of several words ("tien fo")."""
    if _doubled(typed, word):
        return True
    long_enough = len(word) >= TYPO_MIN_WORD and len(typed) >= TYPO_MIN_WORD - 1
    short = short_ok and len(word) >= 2 and len(typed) >= 2
    return (long_enough or short) and OSA.distance(typed, word, score_cutoff=1) == 1
