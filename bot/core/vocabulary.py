"""The bot's vocabulary: what typed lines can mean, built once from the text catalogue's tables.

`read(text)` answers for commands, yes / no and small talk; `answer_of(text)` for yes / no alone; `weekday_of`
and `new_household_words` serve the flows. All matching is bot/core/reader.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bot import texts as T
from bot.core.reader import Reading, Vocabulary, words

COMMAND = "cmd:"  # a meaning naming a command: "cmd:tiendo"
YES, NO, HELLO, THANKS = "yes", "no", "hello", "thanks"
_EXACT = frozenset({f"{COMMAND}huy", YES, NO, HELLO, THANKS})  # short words, easily one letter from a name


def _groups() -> dict[str, tuple[str, ...]]:
    groups = {f"{COMMAND}{name}": phrases for name, phrases in T.COMMAND_WORDS.items()}
    groups.update({YES: T.YES_WORDS, NO: T.NO_WORDS, HELLO: T.GREETING_WORDS, THANKS: T.THANKS_WORDS})
    return groups


VOCABULARY = Vocabulary(_groups(), T.FILLER_WORDS, _EXACT)
_ANSWERS = Vocabulary({YES: T.YES_WORDS, NO: T.NO_WORDS}, T.FILLER_WORDS, (YES, NO))
_WEEKDAYS = Vocabulary({str(day): phrases for day, phrases in T.WEEKDAY_WORDS.items()}, T.FILLER_WORDS, ())
_NEW_HOUSEHOLD = Vocabulary({"new": T.NEW_HOUSEHOLD_WORDS}, T.FILLER_WORDS, ("new",))
_TITLES = frozenset(w.key for title in T.HOUSEHOLD_TITLES for w in words(title))


def read(text: str) -> Reading:
    """What a line means among commands, yes / no, greetings and thanks."""
    return VOCABULARY.read(text)


def command_of(reading: Reading) -> str | None:
    """The command a reading names ("tiendo"), or None."""
    meaning = reading.meaning
    return meaning[len(COMMAND) :] if meaning and meaning.startswith(COMMAND) else None


@lru_cache(maxsize=1024)
def answer_of(text: str) -> str | None:
    """YES or NO when the whole line says so ("oke", "đc", "u", "chốt"; "ko", "không phải"), else None."""
    reading = _ANSWERS.read(text)
    return reading.meaning if reading.whole and not reading.ambiguous else None


def weekday_of(text: str) -> int | None:
    """The day of the week a whole line names ("thứ hai", "t2", "chủ nhật", "cn"): 0 for Monday."""
    reading = _WEEKDAYS.read(text)
    return int(reading.meaning) if reading.meaning is not None and reading.whole else None


def means_new_household(text: str) -> bool:
    """ "hộ mới", "thêm hộ": a household to add, not a name to search for."""
    return _NEW_HOUSEHOLD.read(text).whole


def command_names() -> frozenset[str]:
    return frozenset(T.COMMAND_WORDS)


def single_word_aliases() -> dict[str, str]:
    """Command words typed after a slash: "/huongdan", "/td", "/bc" → the command's name."""
    out: dict[str, str] = {}
    for name, phrases in T.COMMAND_WORDS.items():
        for phrase in phrases:
            keys = [w.key for w in words(phrase)]
            if len(keys) == 1 and keys[0].isalnum():
                out.setdefault(keys[0], name)
        out[name] = name
    return out


def folded_key(word: str) -> str:
    """One typed word as the vocabulary keys it ("Hướngdẫn" → "huongdan")."""
    found = words(word)
    return found[0].key if len(found) == 1 else ""


def is_title(key: str) -> bool:
    """A word before a name that is not part of it ("ba", "ong", "chu"), as a folded key."""
    return key in _TITLES


# Words that start the place part of a household search: "bà Hoa xóm 6", "chú Dũng thôn Đông", "An số nhà 12".
_PLACE_WORDS = frozenset({"xom", "thon", "khu", "ngach", "hem", "tdp"})
_PLACE_BEFORE_NUMBER = frozenset({"to", "so", "ngo", "doi", "ap", "ban"})  # also names: Tô, Ngô, Bàn…


@dataclass(frozen=True)
class HouseholdQuery:
    name: str  # folded words of the name, titles left out
    place: str  # folded words of the place ("xom 6"), or ""
    repaired: str  # the name with Telex/VNI keys taken out, when that differs ("nguyeenx" → "nguyen"), or ""


def household_query(text: str) -> HouseholdQuery:
    """A household search as typed: titles before the name dropped ("bà", "ông", "chú"…), the place after it
    kept apart ("xóm 6"; "tổ", "số", "ngõ"… only before a number, as they are also names)."""
    found = words(text, _TITLES | _PLACE_WORDS | _PLACE_BEFORE_NUMBER)
    keys = [w.key for w in found]
    typed = [w.typed for w in found]
    start = 0
    while start < len(keys) - 1 and keys[start] in _TITLES:
        start += 1
    split = len(keys)
    for i in range(start + 1, len(keys)):
        following = keys[i + 1] if i + 1 < len(keys) else ""
        if keys[i] in _PLACE_WORDS or (keys[i] in _PLACE_BEFORE_NUMBER and following[:1].isdigit()):
            split = i
            break
    name = " ".join(typed[start:split])
    repaired = " ".join(keys[start:split])
    return HouseholdQuery(name, " ".join(typed[split:]), repaired if repaired != name else "")
