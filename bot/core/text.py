"""Vietnamese text handling: normalisation, diacritic-free matching keys, sorting, masking."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")
# Twelve digits, also typed in groups ("001 234 567 890", "001.234.567.890"); phone numbers have at most 11.
_CITIZEN_ID = re.compile(r"(?<![\d.])(?:\d[ .]?){11}\d(?![\d])")
CITIZEN_ID_MASK = "************"

# Vietnamese alphabet order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y.
_BASE_ORDER = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_TONE_ORDER = {"": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_BASE_RANK = {ch: i for i, ch in enumerate(_BASE_ORDER)}


# Format characters a phone or a copy-paste slips in (zero-width spaces, byte-order marks, direction marks and
# overrides): invisible, and they split words. The zero-width joiner stays: emoji sequences are made with it.
_KEEP_FORMAT = frozenset("\u200d")
_TYPED_CACHE: dict[str, str] = {}


def _cleaned_char(ch: str) -> str:
    """One character of typed text, as the bot reads it ("" to drop it)."""
    kept = _stored_char(ch)
    if kept and unicodedata.category(ch) == "Nd" and not "0" <= ch <= "9":
        return str(unicodedata.decimal(ch))  # a digit of another script ("２", "١") is the digit it shows
    return kept


def _stored_char(ch: str) -> str:
    """One character as it can be stored and sent back ("" to drop it)."""
    if ch in "\n\r":
        return ch
    if ch == "\t":
        return " "
    category = unicodedata.category(ch)
    if category in ("Cc", "Cs") or (category == "Cf" and ch not in _KEEP_FORMAT):
        return ""  # control characters (NUL too) and lone surrogates cannot be stored or sent back
    return ch


def clean_typed(text: str) -> str:
    """What a user sent, made safe to read, store and quote back: lone surrogates, control and invisible format
    characters dropped (line breaks kept, tabs as spaces), digits of any script as 0-9, then Unicode NFC.

    Every channel's text passes here once, at the router's door, so no step ever sees such characters."""
    if text.isascii() and text.isprintable():
        return text
    out = []
    for ch in text:
        cleaned = _TYPED_CACHE.get(ch)
        if cleaned is None:
            cleaned = _cleaned_char(ch)
            if len(_TYPED_CACHE) < 4096:
                _TYPED_CACHE[ch] = cleaned
        out.append(cleaned)
    return unicodedata.normalize("NFC", "".join(out))


def storable(text: str) -> str:
    """`text` without what can be neither stored nor sent back (lone surrogates, NUL and other controls, invisible
    format marks), otherwise unchanged: for ids and button payloads, which are compared, not read."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(_stored_char(ch) for ch in text)


def excerpt(text: str, limit: int = 40) -> str:
    """The start of something a user typed, to quote back in an answer: one line, at most `limit` characters
    ("…" when cut), so a long message never makes a long answer."""
    flat = _SPACES.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def nfc(text: str) -> str:
    """Unicode NFC with runs of white space folded to one space and the ends trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def nfc_lines(text: str) -> str:
    """Unicode NFC keeping the line breaks a user typed: each line's white space folded and trimmed, at most one
    blank line in a row, the ends trimmed. For messages that may be written on several lines (a broadcast)."""
    lines = [_SPACES.sub(" ", line).strip() for line in unicodedata.normalize("NFC", text).splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()


class _Marks(dict[int, int | None]):
    """str.translate table dropping combining marks, filled as characters are met: a translate pass in C instead
    of a Python test per character (a 20,000-household import folds every name and address)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        if len(self) < 4096:  # arbitrary text cannot grow it without bound
            self[code] = kept
        return kept


_MARKS = _Marks()


def _unmarked(text: str) -> str:
    """`text` decomposed, without its combining marks, đ as d (ASCII text comes back as it is)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D")).translate(_MARKS)


def fold(text: str) -> str:
    """Matching key: no diacritics, đ → d, casefolded, white space folded.

    "Nguyễn Văn Đức" and "nguyen van duc" give the same key.
    """
    return _SPACES.sub(" ", _unmarked(text).casefold()).strip()


def word_key(text: str) -> str:
    """Folded text with punctuation and symbols (emoji too) turned into single spaces."""
    # White space is among the non-word runs replaced by one space: no need to fold it first.
    return _NON_WORD.sub(" ", _unmarked(text).casefold()).strip()


@lru_cache(maxsize=1024)  # a few hundred letters occur: sorting 300 names decomposed 4,000 of them each time
def _letter_key(ch: str) -> tuple[int, int]:
    decomposed = unicodedata.normalize("NFD", ch.lower())
    base = decomposed[0]
    marks = decomposed[1:]
    tone = 0
    for mark in marks:
        if mark in _TONE_ORDER:
            tone = _TONE_ORDER[mark]
        else:  # breve, circumflex or horn belong to the letter itself
            base = unicodedata.normalize("NFC", base + mark)
    if ch.lower() == "đ":
        base = "đ"
    return (_BASE_RANK.get(base, 100 + ord(base)), tone)


@lru_cache(maxsize=4096)  # names are sorted again at every /tiendo: the commune's members fit
def vi_sort_key(text: str) -> tuple[tuple[int, int], ...]:
    """Sort key following the Vietnamese alphabet (A Ă Â B C D Đ E Ê …), then tones."""
    return tuple(_letter_key(ch) for ch in nfc(text))


def has_citizen_id(text: str) -> bool:
    """Whether `mask_citizen_ids` would mask something in `text` (a search, no copy)."""
    return _CITIZEN_ID.search(text) is not None


def mask_citizen_ids(text: str) -> tuple[str, bool]:
    """Replace 12-digit numbers (citizen ID numbers) with a mask; say whether any was found."""
    masked, count = _CITIZEN_ID.subn(CITIZEN_ID_MASK, text)
    return masked, count > 0
