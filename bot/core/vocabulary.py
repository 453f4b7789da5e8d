"""The bot's vocabulary: what typed lines can mean, built once from the text catalogue's tables.

`read(text)` answers for commands, yes / no and small talk; `answer_of(text)` for yes / no alone; `weekday_of`
and `new_household_words` serve the flows. All matching is bot/core/reader.py's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from bot import texts as T
from bot.core.reader import Reading, Vocabulary, words
from bot.core.reader import option_number as _option_number

COMMAND = "cmd:"  # a meaning naming a command: "cmd:tiendo"
YES, NO, HELLO, THANKS = "yes", "no", "hello", "thanks"
_EXACT = frozenset({f"{COMMAND}huy", YES, NO, HELLO, THANKS})  # short words, easily one letter from a name


def _groups() -> dict[str, tuple[str, ...]]:
    groups = {f"{COMMAND}{name}": phrases for name, phrases in T.COMMAND_WORDS.items()}
    groups.update({YES: T.YES_WORDS, NO: T.NO_WORDS, HELLO: T.GREETING_WORDS, THANKS: T.THANKS_WORDS})
    return groups


VOCABULARY = Vocabulary(_groups(), T.FILLER_WORDS, _EXACT, prefer=lambda meaning: meaning.startswith(COMMAND))
_YES_KEYS = frozenset(w.key for phrase in T.YES_WORDS for w in words(phrase))
# Yes or no alone; a run of yes words is a yes ("đc r lưu nhé"), a "no" among them is a no ("ko ok").
# Who answers does not change the answer: "bác ấy đồng ý", "họ ko muốn".
_ANSWERS = Vocabulary(
    {YES: T.YES_WORDS, NO: T.NO_WORDS}, (*T.FILLER_WORDS, *_YES_KEYS, *T.HOUSEHOLD_TITLES, "họ"), (YES, NO)
)
ANSWER_KEYS = _YES_KEYS | frozenset(w.key for phrase in T.NO_WORDS for w in words(phrase))
FILLER_KEYS = VOCABULARY.fillers
_NUMBER_FILLERS = FILLER_KEYS | frozenset({"ho", "nha"})  # "hộ số 1"; never "mục": "mục 2" is a skill
_DAY_FILLERS = (*T.FILLER_WORDS, *T.DAY_FILLERS)
_WEEKDAYS = Vocabulary(
    {
        **{str(day): phrases for day, phrases in T.WEEKDAY_WORDS.items()},
        **{
            f"{day}-1": tuple(f"{p} {w}" for p in phrases for w in T.LAST_WEEK_WORDS)
            for day, phrases in T.WEEKDAY_WORDS.items()
        },
    },
    _DAY_FILLERS,
    (),
)
_RELATIVE = Vocabulary({str(n): phrases for n, phrases in T.RELATIVE_DAY_WORDS.items()}, _DAY_FILLERS, ())
_DAY_OF_MONTH = re.compile(r"(?:ngay|mung|mong)\s+(\d{1,2})")
_NEW_HOUSEHOLD = Vocabulary({"new": T.NEW_HOUSEHOLD_WORDS}, T.FILLER_WORDS)
_TITLES = frozenset(w.key for title in T.HOUSEHOLD_TITLES for w in words(title))


def read(text: str, anywhere: bool = False, commands: frozenset[str] | None = None) -> Reading:
    """What a line means among commands, yes / no, greetings and thanks; with `anywhere`, the phrase may stand at
    any place of the line (with nothing in progress: "em vừa đi hộ về, ghi lại giúp em"); with `commands`, only
    these commands are looked for (those the member may use)."""
    if commands is None:
        return VOCABULARY.read(text, anywhere)
    return VOCABULARY.read(text, anywhere, lambda meaning: command_in(meaning) in commands or not is_command(meaning))


def is_command(meaning: str) -> bool:
    return meaning.startswith(COMMAND)


def command_of(reading: Reading) -> str | None:
    """The command a reading names ("tiendo"), or None."""
    return command_in(reading.meaning)


def command_in(meaning: str | None) -> str | None:
    """The command a meaning names ("cmd:tiendo" → "tiendo"), or None."""
    return meaning[len(COMMAND) :] if meaning and meaning.startswith(COMMAND) else None


@lru_cache(maxsize=1024)
def answer_of(text: str) -> str | None:
    """YES or NO when the whole line says so ("oke", "đc", "u", "chốt"; "ko", "không phải"), else None."""
    reading = _ANSWERS.read(text)
    return reading.meaning if reading.whole and not reading.ambiguous else None


def negated(text: str) -> bool:
    """The line starts with a "no" ("ko có sđt", "không gửi", "chưa, sửa đã"), after filler words."""
    reading = _ANSWERS.read(text)
    return reading.meaning == NO and not reading.ambiguous


def option_number(text: str) -> int | None:
    """An option number among filler words: "số 2 ạ", "hộ số 1", "chọn 4 nhé", "cái thứ 6", "số năm". A number
    word alone is not one: Hai, Tư, Năm, Bảy are names too ("ông Bảy")."""
    folded = " ".join(w.key for w in words(text, _NUMBER_WORD_KEYS))
    spelled = _SPELLED.fullmatch(folded)
    if spelled is not None:
        return _NUMBER_WORDS.get(spelled.group(1)) or int(spelled.group(1))
    return _option_number(text, _NUMBER_FILLERS)


_NUMBER_WORDS = {
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10,
}  # fmt: skip
_NUMBER_WORD_KEYS = frozenset(_NUMBER_WORDS)
_SPELLED = re.compile(
    r"(?:(?:chon|lay|ho)\s+)?(?:so|cai thu|muc so)\s+(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")(?: a| nhe| nha)?"
)


def weekday_of(text: str) -> int | None:
    """The day of the week a whole line names ("thứ hai", "t2", "chủ nhật", "cn"): 0 for Monday."""
    reading = _WEEKDAYS.read(text)
    if reading.meaning is None or not reading.whole or "-" in reading.meaning:
        return None
    return int(reading.meaning)


def day_in_words(text: str, today: date) -> date | None:
    """A visit's day said in words, never after `today`: "hôm qua", "tối qua", "hôm thứ ba" (the latest Tuesday),
    "thứ tư tuần trước" (Wednesday of last week), "ngày 10" (the latest 10th)."""
    relative = _RELATIVE.read(text)
    if relative.meaning is not None and relative.whole:
        return today - timedelta(days=int(relative.meaning))
    reading = _WEEKDAYS.read(text)
    if reading.meaning is not None and reading.whole:
        day, _, back = reading.meaning.partition("-")
        if back:  # that day of the week before this one (weeks start on Monday)
            return today - timedelta(days=today.weekday() + 7 - int(day))
        return today - timedelta(days=(today.weekday() - int(day)) % 7)
    found = _DAY_OF_MONTH.fullmatch(" ".join(w.key for w in words(text)))
    if found is not None:
        return _latest_day_of_month(int(found.group(1)), today)
    return None


def _latest_day_of_month(day: int, today: date) -> date | None:
    year, month = today.year, today.month
    for _ in range(2):
        try:
            found = date(year, month, day)
        except ValueError:
            found = None
        if found is not None and found <= today:
            return found
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return None


def means_new_household(text: str, besides: frozenset[str] = frozenset()) -> bool:
    """ "hộ mới", "thêm hộ": a household to add, not a name to search for; `besides`: other words that may stand
    around it (the logging command's own: "ghi hộ mới")."""
    reading = _NEW_HOUSEHOLD.read(text, anywhere=bool(besides))
    return reading.meaning is not None and set(reading.unread) <= besides


def words_of_command(name: str) -> frozenset[str]:
    """Every word of a command's phrases ("ghi", "nhan", "luot"…)."""
    return frozenset(w for phrase in VOCABULARY.phrases_of(f"{COMMAND}{name}") for w in phrase)


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
# Words after a name that are not part of it (never "anh", "em": they are given names too).
_AFTER_NAME = frozenset({"a", "nhe", "nha", "voi", "di", "nao", "ne", "nhi", "o", "ah", "oi"})
_XOM = re.compile(r"x(\d{1,2})")
_PLACE_BEFORE_NUMBER = frozenset({"to", "so", "ngo", "doi", "ap", "ban"})  # also names: Tô, Ngô, Bàn…


@dataclass(frozen=True)
class HouseholdQuery:
    name: str  # folded words of the name, titles left out
    place: str  # folded words of the place ("xom 6"), or ""
    repaired: str  # the name with Telex/VNI keys taken out, when that differs ("nguyeenx" → "nguyen"), or ""
    shown_name: str = ""  # the name as typed ("Hoa" of "bà Hoa xóm 6"), for a new household's name
    shown_place: str = ""  # the place as typed ("xóm 6")


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
        if (short := _XOM.fullmatch(keys[i])) is not None:  # "x2": xóm 2
            keys[i], typed[i] = f"xom {short.group(1)}", f"xom {short.group(1)}"
            split = i
            break
    end = split
    while end - 1 > start and keys[end - 1] in _AFTER_NAME:  # "Lê Thị Thu ạ", "ông Tuấn ở xóm 3"
        end -= 1
    name = " ".join(typed[start:end])
    repaired = " ".join(keys[start:end])
    shown_name = text[found[start].start : found[end - 1].end].strip(" ,;") if end > start else ""
    shown_place = text[found[split].start :].strip(" ,;") if split < len(found) else ""
    place = " ".join(keys[split:])  # as read: "xoms 7" typed with the keyboard off is xóm 7
    return HouseholdQuery(name, place, repaired if repaired != name else "", shown_name, shown_place)
