"""Every step of every flow, reached by a scripted chat, and a judge of whatever the bot answers there.

tests/test_fuzz_flows.py sends hypothesis-generated text at each scenario's step; bench/fuzz_apologies.py sends
random text built from the same pieces and counts what went wrong. Both build one `World` (a commune with a member,
a second member, a leader, another team's leader, commune staff and a stranger; households, visits, an imported list,
a broadcast and a submitted report, all made through the chat as users would), bring a chat to a scenario's step
once, and run every example from exactly there.

Isolation without replaying the prefix: while a scenario runs, every session of the store joins one connection
whose outer transaction holds the scenario's prefix, and each example runs inside a savepoint that is rolled back
afterwards (`RollbackStore`). Examples therefore never see each other's effects (a saved visit, a submitted report,
an applied import), and a failing example replays identically, which hypothesis needs to shrink it.

What is judged after each input (`Problem.kind`):
- apology: a reply is T.INTERNAL_ERROR; logged: the "bot" logger recorded an error;
- render: rendering a reply for Zalo or Telegram raised, or made something the API refuses (blank text carrying
  buttons, an empty button label, callback data over 64 bytes, an answer to a text with nothing to send);
- over_limit: a Zalo piece over 2,000 or a Telegram piece over 4,096 UTF-16 units, or an answer that costs more Zalo
  messages than the step's dearest ordinary answer plus one, or a long input answered dearer than its first
  hundred characters would be (its text quoted back);
- bad_chars: a lone surrogate or a NUL in anything shown to the user;
- invalid_state: the stored conversation names an unknown flow or step, its data or options do not load, or
  "/huy" afterwards does not answer T.CANCELLED (a flow was active) or T.NOTHING_TO_CANCEL (none was).
"""

from __future__ import annotations

import json
import logging
import random
import traceback
import unicodedata
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, timedelta
from itertools import count
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncTransaction, async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts as T
from bot.channels import telegram, zalo
from bot.config import Config
from bot.core.clock import Clock
from bot.core.messages import Inbound, InboundKind, Reply, callback_data
from bot.core.roles import Role
from bot.flows.engine import RESUME_STEP
from bot.flows.registry import ENGINE
from bot.handlers.router import Router, build_commands
from bot.services import members
from bot.services.deps import Deps
from bot.store.db import Store, is_sqlite
from bot.store.models import Conversation, Household
from tests.chat import Chat, new_code
from tests.household_lists import ListRow, xlsx_bytes

# --- what is typed ---------------------------------------------------------------------------------------------
_VIETNAMESE = ("Nguyễn Văn Đức", "Trần Thị Bình", "Lê Thị Hoa, xóm 3", "ghi nhận", "đồng ý", "bỏ qua", "Xóm 3")
NFD = tuple(unicodedata.normalize("NFD", s) for s in _VIETNAMESE)  # what some phone keyboards send
CONTROLS = ("\x00", "a\x00b", "\x01", "\x07", "\x08", "\x1b[31m", "\x7f", "\x85", "\x0b", "\x0c", "\r", "\r\n", "\t")
SEPARATORS = ("\u2028", "\u2029", "\x1c", "\x1e")  # line breaks to str.splitlines, not to a regex's \n
SURROGATES = ("\ud800", "\udfff", "a\udfffb", "\ud83d", "\ude00\ud83d", "\udbff\udfff", "x\ud800\udc00y")
BIDI = ("\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068")
BIDI_TEXT = ("\u2069", "\u061c", "\u202eabc\u202c", "\u202b1\u202c", "\u2067ghi nhan\u2069")
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u00ad", "\u180e", "1\u200b", "hu\u200by", "\u3164")
EMOJI = ("😀", "👍🏽", "👨\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "🇻🇳", "1️⃣", "#️⃣", "🧑🏿\u200d🦱", "❤️", "👍")
DIGITS = ("١", "٢٣", "２", "１０", "𝟙", "৩", "²", "Ⅻ", "〇", "໑", "٠", "１ ０")  # other scripts' digits
SQL = ("'; DROP TABLE household;--", "' OR '1'='1", "%", "_", "\\", "%_%", "\\%", "$1", ":name", "?", '"', "''")
MARKUP = ("<b>", "</b>", "<script>alert(1)</script>", "*bold*", "_nghiêng_", "[a](b)", "`code`", "```", "{name}")
FORMATS = ("{0}", "{}", "{", "}", "%s", "%(name)s", "&amp;", "&#0;", "\\n", "@all", "#1", "#", "#99999999999")
ODD = ("\ufffd", "\uffff", "\U0010ffff", "e\u0301\u0301\u0301\u0301", "İ", "ß", "ﬁ", "ｇｈｉ ｎｈａｎ", "ǅ", "\u0300")
ODD_MORE = ("Z\u0324\u0354\u0367\u0311\u0313a\u0308\u0356\u032d", "\U000e0041", "\u3000", "\xa0", ";", "\u1160")
BLANK = ("", " ", "   ", "\n", "\n\n", "\t", "\u3000", "\xa0", "\u200b", "\x00", " \r\n ", "\ufeff\ufeff")
LONG = (
    "1 " * 2048,  # 4,096 characters: just over the router's cap
    "Nguyễn Văn An " * 700,  # 9,800
    "x" * 10_000,
    "a" * 4000,
    "a" * 4001,
    "Nguyễn Văn An " * 285,  # 3,990: under the cap, so a step reads it
    "1 " * 1999,
    "x" * 1601,  # a broadcast's limit is 1,600
    "x" * 1001,  # a report part's limit is 1,000
    "x" * 501,  # a note's limit is 500
    "đ" * 121,  # a name's limit is 120
    "😀" * 2500,  # 2,500 characters, 5,000 UTF-16 units
    "\u0301" * 3000,  # combining marks with nothing to combine with
    "\n" * 3000,
    "a\n" * 1500,
    "ab " * 1300,
    "0" * 500,
    "9" * 30,
    "\ud800" * 5000,
    "\x00" * 5000,
    "\u200b" * 4500,  # over the cap only before the invisible marks are dropped
    "Nguyễn Văn An, xóm 3: vneid dvc " * 120,
)
ADVERSARIAL = (
    *NFD,
    *CONTROLS,
    *SEPARATORS,
    *SURROGATES,
    *BIDI,
    *BIDI_TEXT,
    *ZERO_WIDTH,
    *EMOJI,
    *DIGITS,
    *SQL,
    *MARKUP,
    *FORMATS,
    *ODD,
    *ODD_MORE,
    *BLANK,
)
# Answers a step could take, so that examples also move flows forward (and then fuzz the next step).
PLAUSIBLE = (
    *("1", "0", "2", "3", "6", "9", "12", "99", "1 0", "2 3", "1-3", "1,3,4", "2.", "số 2", "1 2 3 0", "0 0", "-1"),
    *("huy", "/huy", "huỷ", "thôi", "ghi nhan", "/ghinhan", "xong", "ok", "co", "có", "khong", "ko", "k", "dong y"),
    *("đồng ý", "luu", "lưu", "bo qua", "tiep tuc", "tiếp tục", "them ho moi", "ho moi", "quay lai", "sua", "vâng"),
    *("Nguyễn Văn An", "nguyen van an", "an nguyen van", "Trần Thị Bình", "binh", "Lê Văn Cường", "xom 3", "Xóm 3"),
    *("0912 345 678", "+84912345678", "0912.345.678", "001234567890", "hom qua", "hôm nay", "12/10", "20/11", "t2"),
    *("3 nguoi", "2 người", "vneid dvc", "vneid", "dvc 0", "nhu lan truoc", "da nhan", "đã nhận", "cam on", "chao"),
    *("#1", "#2", "luot 1", "lượt 2", "2026-11", "2026-Q4", "2026", "T01", "T03", "thang nay", "quy truoc", "tổ T01"),
    *("mo hinh hay", "kho khan", "kien nghi", "xoa", "nop", "gui", "sua trang thai", "dang dung", "chua"),
    *("xem tien do thang nay", "ghi nhận Nguyễn Văn An", "tìm Bình", "trợ giúp", "mới", "menu"),
    *(c.menu_label for c in build_commands().commands if c.menu_label),  # the menu buttons send their label
)
COMMAND_WORDS = (*(c.name for c in build_commands().commands), "start", "xyz")


@dataclass(frozen=True)
class Typed:
    text: str


@dataclass(frozen=True)
class Tap:
    """The n-th option (modulo their number) of the prompt in effect, pressed with its real token."""

    index: int


@dataclass(frozen=True)
class Forged:
    """A button payload nobody was offered."""

    data: str


Input = Typed | Tap | Forged


def random_text(rng: random.Random) -> str:
    """One typed line from the same pieces as the hypothesis strategies of tests/test_fuzz_flows.py."""
    kind = rng.random()
    if kind < 0.2:
        return rng.choice(PLAUSIBLE)
    if kind < 0.4:
        return rng.choice(ADVERSARIAL)
    if kind < 0.47:
        return rng.choice(LONG)
    if kind < 0.57:
        return "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randrange(1, 40)))
    if kind < 0.67:
        return (rng.choice(ADVERSARIAL + PLAUSIBLE) * rng.randrange(1, 3000))[:10_000]
    mixed = "".join(
        rng.choice((rng.choice(ADVERSARIAL), rng.choice(PLAUSIBLE), chr(rng.randrange(0x110000))))
        + rng.choice(("", " ", "\n", ", ", ": "))
        for _ in range(rng.randrange(1, 6))
    )
    return f"/{rng.choice(COMMAND_WORDS)} {mixed}" if kind < 0.8 else mixed


def random_input(rng: random.Random) -> Input:
    kind = rng.random()
    if kind < 0.15:
        return Tap(rng.randrange(12))
    if kind < 0.2:
        return Forged(random_text(rng))
    return Typed(random_text(rng))


# --- how a chat is brought to a step ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Say:
    text: str  # may name the world's households: {an}, {binh}, {cuong}


@dataclass(frozen=True)
class Press:
    label: str  # a part of the label of an option of the newest prompt


@dataclass(frozen=True)
class SendList:
    """Staff send a household list as an .xlsx file: two households the register does not have yet."""


@dataclass(frozen=True)
class Expire:
    """The flow in progress times out (its expiry set in the past); the next message gets the resume prompt."""


@dataclass(frozen=True)
class SayInGroup:
    """The chat's user types `text` in the team's group chat; the private answer is what they see next."""

    text: str


Action = Say | Press | SendList | Expire | SayInGroup

MEMBER, MEMBER2, LEADER, LEADER3, STAFF, STRANGER = "member", "member2", "leader", "leader3", "staff", "stranger"


@dataclass(frozen=True)
class Scenario:
    user: str
    flow: str | None  # None: nothing in progress
    step: str | None
    prefix: tuple[Action, ...] = ()
    variant: str = ""  # tells two scenarios of one step apart

    @property
    def name(self) -> str:
        where = f"{self.flow}.{self.step}" if self.flow else "no flow"
        return f"{where} ({self.user}{', ' + self.variant if self.variant else ''})"


# Options are pressed rather than typed where a prefix only needs to get somewhere: what typed words mean is
# tested elsewhere and changes more often than the buttons.
_SKIP, _DONE = Press(T.SKIP_LABEL), Press(T.DONE_LABEL)
_NEW = (Say("/ghinhan"), Press(T.HH_ADD_NEW))
_NEW_HOUSEHOLD = (*_NEW, Say("Phạm Văn Nam"), Say("Xóm 5"), _SKIP, _DONE)
_CONFIRM = (Say("/ghinhan #{an}"), Press("Cài đặt VNeID"), _DONE)
_QUICK_NEW = (Say("/gn Hoàng Thị Mai, xóm 7: vneid"), _SKIP, _DONE)
_QUICK_CONFIRM = (Say("/gn Nguyễn Văn An, xóm 3: vneid"),)
_MINE = (Say("/hocuatoi"), Press("Nguyễn Văn An"))
_CARD = (Say("/ho #{an}"),)
_RETURNS = (Say("/canquaylai"), Press("Trần Thị Bình"))
_CORRECT = (Say("/sua"),)
_REPORT = (Say("/baocao 2026-11"),)
_BROADCAST_TEXT = (Say("/thongbao"), Press(T.BROADCAST_BTN_COMMUNE))
_HISTORY = (Say("/thongbao"), Press(T.BROADCAST_BTN_HISTORY))


def _card_steps(flow: str, card: tuple[Action, ...], list_prefix: tuple[Action, ...]) -> tuple[Scenario, ...]:
    return (
        Scenario(MEMBER, flow, "list", list_prefix),
        Scenario(MEMBER, flow, "card", card),
        Scenario(MEMBER, flow, "platform", (*card, Press(T.CARD_EDIT_PLATFORM))),
        Scenario(MEMBER, flow, "platform_status", (*card, Press(T.CARD_EDIT_PLATFORM), Press("VNeID"))),
    )


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(MEMBER, None, None),
    Scenario(LEADER, None, None),
    Scenario(STAFF, None, None),
    Scenario(STRANGER, None, None),
    # /ghinhan, step by step
    Scenario(MEMBER, "log_visit", "household", (Say("/ghinhan"),)),
    Scenario(MEMBER, "log_visit", "new_name", _NEW),
    Scenario(MEMBER, "log_visit", "new_address", (*_NEW, Say("Phạm Văn Nam"))),
    Scenario(MEMBER, "log_visit", "new_phone", (*_NEW, Say("Phạm Văn Nam"), Say("Xóm 5"))),
    Scenario(MEMBER, "log_visit", "new_flags", (*_NEW, Say("Phạm Văn Nam"), Say("Xóm 5"), _SKIP)),
    Scenario(MEMBER, "log_visit", "consent", _NEW_HOUSEHOLD),
    Scenario(MEMBER, "log_visit", "consent", (Say("/ghinhan #{cuong}"),), "an imported household"),
    Scenario(MEMBER, "log_visit", "consent_refused", (*_NEW_HOUSEHOLD, Press(T.CONSENT_NO))),
    Scenario(
        MEMBER,
        "log_visit",
        "duplicate",
        (*_NEW, Say("an nguyen van"), Say("xom 3"), _SKIP, _DONE, Press(T.CONSENT_YES)),
    ),
    Scenario(MEMBER, "log_visit", "skills", (Say("/ghinhan #{an}"),)),
    Scenario(MEMBER, "log_visit", "confirm", _CONFIRM),
    Scenario(MEMBER, "log_visit", "people", (*_CONFIRM, Press(T.BTN_PEOPLE))),
    Scenario(MEMBER, "log_visit", "note", (*_CONFIRM, Press(T.BTN_NOTE))),
    Scenario(MEMBER, "log_visit", "day", (*_CONFIRM, Press(T.BTN_DAY))),
    Scenario(MEMBER, "log_visit", RESUME_STEP, (*_NEW, Say("Phạm Văn Nam"), Expire(), Say("Xóm 5"))),
    # /gn, one line
    Scenario(MEMBER, "quick_visit", "household", (Say("/gn vneid dvc"),)),
    Scenario(MEMBER, "quick_visit", "new_name", (Say("/gn vneid dvc"), Press(T.HH_ADD_NEW))),
    Scenario(MEMBER, "quick_visit", "new_address", (Say("/gn Hoàng Thị Mai: vneid"),)),
    Scenario(MEMBER, "quick_visit", "new_phone", (Say("/gn Hoàng Thị Mai, xóm 7: vneid"),)),
    Scenario(MEMBER, "quick_visit", "new_flags", (Say("/gn Hoàng Thị Mai, xóm 7: vneid"), _SKIP)),
    Scenario(MEMBER, "quick_visit", "consent", _QUICK_NEW),
    Scenario(MEMBER, "quick_visit", "consent_refused", (*_QUICK_NEW, Press(T.CONSENT_NO))),
    Scenario(
        MEMBER,
        "quick_visit",
        "duplicate",
        (Say("/gn Nguyễn Văn Ann, xóm 3: vneid"), Press(T.HH_ADD_NEW), _SKIP, _DONE, Press(T.CONSENT_YES)),
    ),
    Scenario(MEMBER, "quick_visit", "skills", (Say("/gn Nguyễn Văn An, xóm 3"),)),
    Scenario(MEMBER, "quick_visit", "confirm", _QUICK_CONFIRM),
    Scenario(MEMBER, "quick_visit", "people", (*_QUICK_CONFIRM, Press(T.BTN_PEOPLE))),
    Scenario(MEMBER, "quick_visit", "note", (*_QUICK_CONFIRM, Press(T.BTN_NOTE))),
    Scenario(MEMBER, "quick_visit", "day", (*_QUICK_CONFIRM, Press(T.BTN_DAY))),
    # households: mine, find one, waiting for a return visit
    *_card_steps("my_households", _MINE, (Say("/hocuatoi"),)),
    *_card_steps("household", _CARD, (Say("/ho"),)),
    *_card_steps("return_visits", _RETURNS, (Say("/canquaylai"),)),
    Scenario(LEADER, "household", "card", _CARD, "with the assign option"),
    # /sua
    Scenario(LEADER, "correct_visit", "pick", _CORRECT),
    Scenario(MEMBER, "correct_visit", "confirm", _CORRECT),
    Scenario(MEMBER, "correct_visit", "skills", (*_CORRECT, Press(T.BTN_FIX_SKILLS))),
    Scenario(MEMBER, "correct_visit", "people", (*_CORRECT, Press(T.BTN_FIX_PEOPLE))),
    Scenario(MEMBER, "correct_visit", "note", (*_CORRECT, Press(T.BTN_FIX_NOTE))),
    Scenario(MEMBER, "correct_visit", "day", (*_CORRECT, Press(T.BTN_FIX_DAY))),
    Scenario(MEMBER, "correct_visit", "undo", (*_CORRECT, Press(T.BTN_UNDO_VISIT))),
    # leaders: /phancong, /baocao, /thongbao
    Scenario(LEADER, "assign", "member", (Say("/phancong"),)),
    Scenario(LEADER, "assign", "households", (Say("/phancong"), Press("Tổ viên Hai"))),
    Scenario(LEADER, "report", "choose", (Say("/baocao"),)),
    Scenario(LEADER, "report", "preview", _REPORT),
    Scenario(LEADER, "report", "edit", (*_REPORT, Press("Mô hình hay"))),
    Scenario(LEADER, "report", "confirm", (*_REPORT, Press(T.REPORT_BTN_SUBMIT))),
    Scenario(LEADER, "report", RESUME_STEP, (*_REPORT, Press("Khó khăn"), Expire(), Say("Đường xa"))),
    Scenario(LEADER, "broadcast", "text", (Say("/thongbao"),), "to the own team"),
    Scenario(LEADER, "group_link", "confirm", (SayInGroup("/nhom"),)),
    # staff: /moi, a list sent in chat, the report board, /thongbao
    Scenario(STAFF, "invite", "team", (Say("/moi"),)),
    Scenario(STAFF, "invite", "role", (Say("/moi"), Press("Thôn Đông Tạ"))),
    Scenario(STAFF, "import_households", "team", (SendList(),)),
    Scenario(STAFF, "import_households", "confirm", (SendList(), Press("Thôn Đông Tạ"))),
    Scenario(STAFF, "report_board", "board", (Say("/baocao"),)),
    Scenario(STAFF, "report_board", "team", (Say("/baocao"), Press("T01"))),
    Scenario(STAFF, "report_board", "view", (*_REPORT, Press("T03"))),
    Scenario(STAFF, "report_board", "reopen", (*_REPORT, Press("T03"), Press(T.REPORT_BTN_REOPEN))),
    Scenario(STAFF, "broadcast", "audience", (Say("/thongbao"),)),
    Scenario(STAFF, "broadcast", "team", (Say("/thongbao"), Press(T.BROADCAST_BTN_TEAM))),
    Scenario(STAFF, "broadcast", "text", _BROADCAST_TEXT),
    Scenario(STAFF, "broadcast", "preview", (*_BROADCAST_TEXT, Say("Họp tổ lúc 8 giờ sáng mai."))),
    Scenario(STAFF, "broadcast", "history", _HISTORY),
    Scenario(STAFF, "broadcast", "status", (*_HISTORY, Press("Họp giao ban"))),
    Scenario(STAFF, "broadcast", RESUME_STEP, (*_BROADCAST_TEXT, Expire(), Say("Họp tổ"))),
)


def every_step() -> set[tuple[str, str]]:
    """(flow, step) for every step of every flow the engine runs."""
    return {(name, step) for name, flow in ENGINE.flows.items() for step in flow.steps}


# --- the store: one connection, one savepoint per example -------------------------------------------------------
class RollbackStore(Store):
    """A Store whose sessions can all be made to join one connection: `hold()` opens it with an outer transaction,
    `savepoint()` marks a point to come back to, `release()` rolls everything back. Each session the bot opens
    then runs in a savepoint of its own, so its commit and rollback behave as they do on a real transaction."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        if is_sqlite(url):  # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy's documented fix
            event.listen(self.engine.sync_engine, "connect", _sqlite_autocommit_driver)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self._conn: AsyncConnection | None = None
        self._outer: AsyncTransaction | None = None
        self._held: Any = None

    async def hold(self) -> None:
        self._conn = await self.engine.connect()
        self._outer = await self._conn.begin()
        self._held = async_sessionmaker(
            bind=self._conn, class_=AsyncSession, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )

    async def savepoint(self) -> AsyncTransaction:
        assert self._conn is not None, "hold() first"
        return await self._conn.begin_nested()

    async def release(self) -> None:
        if self._outer is not None:
            await self._outer.rollback()
        if self._conn is not None:
            await self._conn.close()
        self._conn = self._outer = self._held = None

    def session(self) -> Any:
        return super().session() if self._held is None else self._held_session()

    @asynccontextmanager
    async def _held_session(self) -> AsyncIterator[AsyncSession]:
        async with self._held() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def close(self) -> None:
        await self.release()
        await super().close()


def _sqlite_autocommit_driver(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


# --- judging one answer -----------------------------------------------------------------------------------------
APOLOGY, LOGGED, RENDER, OVER_LIMIT, BAD_CHARS, INVALID_STATE = (
    "apology",
    "logged",
    "render",
    "over_limit",
    "bad_chars",
    "invalid_state",
)
KINDS = (APOLOGY, LOGGED, RENDER, OVER_LIMIT, BAD_CHARS, INVALID_STATE)
CHEAP = 2  # Zalo messages any answer may cost without its step's ordinary answers being measured
LONG_INPUT, CUT_TO = 300, 100  # a longer line answered dearer than that is also sent cut to a hundred characters
_TELEGRAM_CALLBACK_BYTES = 64


@dataclass(frozen=True)
class Problem:
    kind: str
    detail: str
    at: int  # the index of the input in the example; -1 for the "/huy" sent after it


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _bad_chars(text: str) -> bool:
    return "\x00" in text or any(unicodedata.category(ch) == "Cs" for ch in text)


def _tail(exc_info: Any) -> str:
    """An exception in one line: its type and first line, and the deepest frame in the bot's own code."""
    _, exc, tb = exc_info
    frames = traceback.extract_tb(tb)
    ours = [f for f in frames if "/bot/" in f.filename.replace("\\", "/")] or frames
    where = ""
    if ours:
        path = ours[-1].filename.replace("\\", "/").split("/bot/")[-1]
        where = f" (at bot/{path}:{ours[-1].lineno}, {ours[-1].name})"
    first = (str(exc).strip().splitlines() or [""])[0][:240]
    return f"{type(exc).__name__}: {first}{where}"


def zalo_messages(replies: Sequence[Reply]) -> list[str]:
    """The Zalo messages an answer is sent as (no public URL: pictures and files as a line of text)."""
    texts = []
    for reply in replies:
        text = zalo.render(reply)
        if reply.image is not None:
            text = f"{text}\n{T.ZALO_PICTURE_NO_PUBLIC_URL}"
        if reply.document is not None:
            text = f"{text}\n{T.ZALO_FILE_NO_PUBLIC_URL.format(name=reply.document[0])}"
        texts.append(text)
    return zalo.pack_texts(texts)


def judge_replies(replies: Sequence[Reply], typed: bool, at: int) -> tuple[list[Problem], int]:
    """Problems with an answer as every channel would show it, and what it costs on Zalo (messages)."""
    problems: list[Problem] = []
    if any(r.text == T.INTERNAL_ERROR for r in replies):
        problems.append(Problem(APOLOGY, "the apology", at))
    for reply in replies:
        shown = [reply.text, *(o.label for o in reply.options), *reply.menu]
        if any(_bad_chars(s) for s in shown):
            problems.append(Problem(BAD_CHARS, f"in the reply {reply.text[:60]!r}", at))
            break
    cost = 0
    try:
        pieces = zalo_messages(replies)
        cost = len(pieces)
        for piece in pieces:
            if utf16_units(piece) > zalo.MAX_TEXT:
                problems.append(Problem(OVER_LIMIT, f"a Zalo piece of {utf16_units(piece)} units", at))
            if _bad_chars(piece):
                problems.append(Problem(BAD_CHARS, f"in a Zalo piece {piece[:60]!r}", at))
        if typed and not pieces:  # silence: the user cannot tell the message arrived
            problems.append(Problem(RENDER, "no answer to send on Zalo", at))
        for reply in replies:
            text = telegram.reply_text(reply)
            for piece in telegram.split_text(text):
                if utf16_units(piece) > telegram.MAX_TEXT:
                    problems.append(Problem(OVER_LIMIT, f"a Telegram piece of {utf16_units(piece)} units", at))
            keyboard = telegram.inline_keyboard(reply)
            if keyboard is not None and not text.strip():
                problems.append(Problem(RENDER, "buttons under a blank text on Telegram", at))
            for row in keyboard.inline_keyboard if keyboard is not None else ():
                for button in row:
                    if not button.text.strip():
                        problems.append(Problem(RENDER, "a blank button label", at))
                    if len((button.callback_data or "").encode()) > _TELEGRAM_CALLBACK_BYTES:
                        problems.append(Problem(RENDER, f"callback data {button.callback_data!r}", at))
    except Exception as exc:  # any failure here is a message the channel could not send
        problems.append(Problem(RENDER, _tail((type(exc), exc, exc.__traceback__)), at))
    return problems, cost


class _Errors(logging.Handler):
    """Error records of the "bot" loggers (the router logs a failure before it apologises)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[str]:
        found = [f"{r.getMessage()}: {_tail(r.exc_info)}" if r.exc_info else r.getMessage() for r in self.records]
        self.records.clear()
        return found


# --- the world --------------------------------------------------------------------------------------------------
_SEEN_IDS = count(1)
_SEEDED_LIST = [ListRow("Lê Văn Cường", "Xóm 2, số nhà 30", ""), ListRow("Phạm Thị Dung", "Xóm 4, số nhà 41", "")]
_SENT_LIST = [ListRow("Đỗ Văn Em", "Xóm 6, số nhà 52", "0987 654 321"), ListRow("Vũ Thị Gấm", "Xóm 7, số nhà 63", "")]


class SetupError(AssertionError):
    """The world or a scenario's step could not be reached: the scripted prefix no longer leads there."""


@dataclass
class Spot:
    """A chat standing at a scenario's step (its prompt's token and number of options, as stored)."""

    world: World
    scenario: Scenario
    chat: Chat
    token: str | None = None
    options: int = 0
    member_id: int | None = None  # None for the stranger until a fuzzed line happens to let them in
    _bound: int | None = None

    def inbound(self, sent: Input) -> Inbound:
        base = Inbound(
            channel=self.chat.channel,
            user_ref=self.chat.user_ref,
            chat_ref=self.chat.user_ref,
            message_id=f"fuzz-{next(_SEEN_IDS)}",
            display_name=self.chat.name,
        )
        if isinstance(sent, Typed):
            return replace(base, text=sent.text)
        if isinstance(sent, Tap) and self.token and self.options:
            return replace(base, kind=InboundKind.CHOICE, choice=callback_data(self.token, sent.index % self.options))
        data = sent.data if isinstance(sent, Forged) else "zz:0"
        return replace(base, kind=InboundKind.CHOICE, choice=data)

    async def run(self, inputs: Sequence[Input]) -> list[Problem]:
        """Send the inputs one after another from the step, judge each answer, then "/huy"; undo all of it."""
        point = await self.world.store.savepoint()
        token, options, member_id = self.token, self.options, self.member_id
        problems: list[Problem] = []
        dear: list[tuple[int, int]] = []  # (input, Zalo messages) of answers that may cost too much
        try:
            for at, sent in enumerate(inputs):
                problems += await self._one(sent, at, dear)
            problems += await self._cancel()
        finally:
            await point.rollback()
            self.token, self.options, self.member_id = token, options, member_id
        if dear:  # back at the step: now its ordinary answers can be measured
            bound = await self.bound()
            problems += [
                Problem(OVER_LIMIT, f"{n} Zalo messages, more than {bound}", at) for at, n in dear if n > bound
            ]
        return problems

    async def bound(self) -> int:
        """One more Zalo message than the dearest ordinary answer here: to a short unknown word, to a press of each
        option, or to one of the user's commands typed alone (any line may be one). Measured once, when needed."""
        if self._bound is None:
            ordinary = [Typed("xyzzy"), *(Tap(i) for i in range(min(self.options, 10)))]
            costs = [await self.world.cost(self.inbound(sent)) for sent in ordinary]
            self._bound = max([*costs, await self.world.command_costs(self.chat)]) + 1
        return self._bound

    async def _one(self, sent: Input, at: int, dear: list[tuple[int, int]]) -> list[Problem]:
        world = self.world
        inbound = self.inbound(sent)
        before = await world.store.savepoint()
        world.errors.take()
        handled = await world.router.handle(inbound)
        logged = world.errors.take()
        judged, cost = judge_replies(handled.replies, isinstance(sent, Typed), at)
        if cost > CHEAP and isinstance(sent, Typed) and len(sent.text) > LONG_INPUT:
            # Would its first hundred characters cost as much? Undo the input, measure that, then send it again.
            await before.rollback()
            cut = await world.cost(replace(inbound, text=sent.text[:CUT_TO], message_id=f"cut-{next(_SEEN_IDS)}"))
            handled = await world.router.handle(replace(inbound, message_id=f"again-{next(_SEEN_IDS)}"))
            world.errors.take()
            judged, cost = judge_replies(handled.replies, True, at)
            if cost > cut + 1:
                judged.append(Problem(OVER_LIMIT, f"{cost} Zalo messages; its first {CUT_TO} characters: {cut}", at))
        else:
            await before.commit()
        if cost > CHEAP:
            dear.append((at, cost))
        state_problems = await self.check_state(at)
        return [*(Problem(LOGGED, found, at) for found in logged), *judged, *state_problems]

    async def _cancel(self) -> list[Problem]:
        world = self.world
        expected = T.CANCELLED if self.token is not None else T.NOTHING_TO_CANCEL
        expected = expected if self.member_id is not None else T.WELCOME_STRANGER
        world.errors.take()
        handled = await world.router.handle(self.inbound(Typed("/huy")))
        problems = [Problem(LOGGED, found, -1) for found in world.errors.take()]
        texts = [r.text for r in handled.replies]
        if texts != [expected]:
            problems.append(Problem(INVALID_STATE, f"/huy answered {texts!r:.200}, not {expected!r}", -1))
        after = await self.check_state(-1)
        if self.token is not None:
            after.append(Problem(INVALID_STATE, "a flow still in progress after /huy", -1))
        return problems + after

    async def check_state(self, at: int) -> list[Problem]:
        """Problems with the chat's stored conversation; keeps its prompt's token for the next press."""
        async with self.world.store.session() as session:
            row = await session.get(Conversation, (self.chat.channel, self.chat.user_ref))
            if self.member_id is None:  # a member stays one: looked up until found, then kept
                member = await members.by_identity(session, self.chat.channel, self.chat.user_ref)
                self.member_id = member.id if member is not None else None
        self.token, self.options = (row.token, len(row.options)) if row is not None else (None, 0)
        if row is None:
            return []
        return [
            Problem(INVALID_STATE, fault, at) for fault in _state_faults(row, self.member_id, self.world.deps.clock)
        ]


class World:
    """A commune to fuzz in: the chats of every role, and the households, visits and records they made."""

    def __init__(self, store: RollbackStore, config: Config, clock: Clock) -> None:
        self.store = store
        self.deps = Deps(config=config, store=store, clock=clock)
        self.router = Router(self.deps)
        self.chats: dict[str, Chat] = {}
        self.ids: dict[str, int] = {}
        self.errors = _Errors()
        self._command_costs: dict[str, int] = {}
        self._level: int | None = None  # the "bot" logger's own level, when it had to be lowered

    @classmethod
    async def build(cls, url: str, config: Config, clock: Clock) -> World:
        world = cls(RollbackStore(url), config, clock)
        logger = logging.getLogger("bot")
        logger.addHandler(world.errors)
        if not logger.isEnabledFor(logging.ERROR):  # e.g. a root logger set to CRITICAL: errors must still count
            world._level = logger.level
            logger.setLevel(logging.ERROR)
        try:
            await world._seed()
        except BaseException:
            await world.close()
            raise
        return world

    async def close(self) -> None:
        logger = logging.getLogger("bot")
        logger.removeHandler(self.errors)
        if self._level is not None:
            logger.setLevel(self._level)
        await self.store.close()

    # --- seeding, through the chat as users would ---
    async def _join(self, key: str, role: Role, team: str | None, name: str) -> Chat:
        chat = Chat(self.router, key, name=name)
        await chat.say(f"/start {await new_code(self.deps, role, team, name=name)}")
        self._expect(chat, "Chào mừng", f"{key} joins")
        self.chats[key] = chat
        return chat

    @staticmethod
    def _expect(chat: Chat, text: str, what: str) -> None:
        if text not in chat.text:
            raise SetupError(f"{what}: expected {text!r} in {chat.text[:300]!r}")

    async def _seed(self) -> None:
        member = await self._join(MEMBER, Role.MEMBER, "T01", "Tổ viên Một")
        await self._join(MEMBER2, Role.MEMBER, "T01", "Tổ viên Hai")
        await self._join(LEADER, Role.LEADER, "T01", "Tổ trưởng Đông Tạ")
        leader3 = await self._join(LEADER3, Role.LEADER, "T03", "Tổ trưởng Phù Liễn")
        staff = await self._join(STAFF, Role.STAFF, None, "Cán bộ xã")
        self.chats[STRANGER] = Chat(self.router, STRANGER, name="Người lạ")
        # Two visits: one done (a repeat visit then offers "as last time"), one waiting for a return visit.
        await member.say("/ghinhan")
        await member.press(T.HH_ADD_NEW)
        for say in ("Nguyễn Văn An", "Xóm 3, số nhà 12", "0912 345 678"):
            await member.say(say)
        await member.press(T.FLAG_ELDERLY)
        await member.press(T.DONE_LABEL)
        await member.press(T.CONSENT_YES)
        for label in ("Cài đặt VNeID", "Dịch vụ công trực tuyến", T.DONE_LABEL):  # pressed: typed words are read
            await member.press(label)  # by rules that change more often than the buttons
        await member.press(T.BTN_SAVE)
        self._expect(member, "Đã lưu lượt", "the first visit")
        await member.say("/ghinhan")
        await member.press(T.HH_ADD_NEW)
        for say in ("Trần Thị Bình", "Xóm 1"):
            await member.say(say)
        await member.press(T.SKIP_LABEL)
        await member.press(T.DONE_LABEL)
        await member.press(T.CONSENT_YES)
        await member.press("Bình dân học vụ số")
        await member.press(T.DONE_LABEL)
        await member.press(T.BTN_MARK_RETURN)
        await member.press(T.BTN_SAVE)
        self._expect(member, "Đã lưu lượt", "the second visit")
        # Households from a list, without consent yet; a broadcast to see in the history; a submitted report.
        await staff.send_file("danh sach ho.xlsx", xlsx_bytes(_SEEDED_LIST))
        await staff.press("Thôn Đông Tạ")
        await staff.press(T.IMPORT_BTN_APPLY)
        self._expect(staff, "Đã nhập xong", "the import")
        await staff.say("/thongbao")
        await staff.press(T.BROADCAST_BTN_COMMUNE)
        await staff.say("Họp giao ban các tổ lúc 8 giờ sáng thứ Hai tại hội trường xã.")
        await staff.press(T.BROADCAST_BTN_SEND)
        self._expect(staff, "Đã gửi", "the broadcast")
        await leader3.say("/baocao 2026-11")
        await leader3.press(T.REPORT_BTN_SUBMIT)
        await leader3.press(T.REPORT_BTN_CONFIRM)
        self._expect(leader3, "đúng hạn", "the report of T03")
        async with self.store.session() as session:
            for key, name in (("an", "Nguyễn Văn An"), ("binh", "Trần Thị Bình"), ("cuong", "Lê Văn Cường")):
                found = (await session.exec(select(Household).where(Household.head_name == name))).first()
                if found is None or found.id is None:
                    raise SetupError(f"no household {name!r} after seeding")
                self.ids[key] = found.id

    # --- scenarios ---
    async def enter(self, scenario: Scenario) -> Spot:
        """Bring the scenario's chat to its step, in a transaction that `leave` rolls back."""
        chat = self.chats[scenario.user]
        await self.store.hold()
        for action in scenario.prefix:
            await self._act(chat, action)
        async with self.store.session() as session:
            row = await session.get(Conversation, (chat.channel, chat.user_ref))
        reached = (row.flow, row.step) if row is not None else (None, None)
        if reached != (scenario.flow, scenario.step):
            raise SetupError(f"{scenario.name}: the prefix led to {reached}; last answer: {chat.text[:400]!r}")
        spot = Spot(self, scenario, chat)
        if await spot.check_state(-1):
            raise SetupError(f"{scenario.name}: the state reached is not valid")
        return spot

    async def leave(self) -> None:
        await self.store.release()

    async def _act(self, chat: Chat, action: Action) -> None:
        if isinstance(action, Say):
            await chat.say(action.text.format(**self.ids))
        elif isinstance(action, Press):
            await chat.press(action.label)
        elif isinstance(action, SendList):
            await chat.send_file("ds thon.xlsx", xlsx_bytes(_SENT_LIST))
        elif isinstance(action, SayInGroup):
            inbound = replace(chat._inbound(text=action.text), chat_ref="-100123", group=True)
            chat.replies = (await chat.router.handle(inbound)).private
        else:
            async with self.store.session() as session:
                row = await session.get(Conversation, (chat.channel, chat.user_ref))
                if row is None:
                    raise SetupError("nothing in progress to expire")
                row.expires_at = self.deps.clock.now() - timedelta(minutes=1)
                session.add(row)
        if any(r.text == T.INTERNAL_ERROR for r in chat.replies):
            raise SetupError(f"{action} was answered with the apology")

    async def cost(self, inbound: Inbound) -> int:
        """How many Zalo messages the answer to `inbound` costs, leaving nothing changed."""
        point = await self.store.savepoint()
        try:
            handled = await self.router.handle(inbound)
            self.errors.take()
            return len(zalo_messages(handled.replies))
        except Exception:
            return 0  # judged where it matters, on the real input
        finally:
            await point.rollback()

    async def command_costs(self, chat: Chat) -> int:
        """The dearest answer to one of the user's commands typed alone (/tiendo, /trogiup…) with nothing in
        progress. Measured once per user, in a savepoint where the user's flow is set aside."""
        if chat.user_ref not in self._command_costs:
            point = await self.store.savepoint()
            try:
                async with self.store.session() as session:
                    member = await members.by_identity(session, chat.channel, chat.user_ref)
                    row = await session.get(Conversation, (chat.channel, chat.user_ref))
                    if row is not None:
                        await session.delete(row)
                commands = build_commands().for_role(Role(member.role)) if member is not None else []
                probe = Spot(self, Scenario(chat.user_ref, None, None), chat)
                found = [await self.cost(probe.inbound(Typed(f"/{c.name}"))) for c in commands]
            finally:
                await point.rollback()
            self._command_costs[chat.user_ref] = max([1, *found])
        return self._command_costs[chat.user_ref]


def _state_faults(row: Conversation, member_id: int | None, clock: Clock) -> list[str]:
    flow = ENGINE.flows.get(row.flow)
    if flow is None:
        return [f"unknown flow {row.flow!r}"]
    faults = []
    if row.step != RESUME_STEP and row.step not in flow.steps:
        faults.append(f"unknown step {row.flow}.{row.step}")
    if row.step == RESUME_STEP and row.data.get("_resume_step") not in flow.steps:
        faults.append(f"resume step pointing to {row.data.get('_resume_step')!r}")
    if member_id is None or row.member_id != member_id:
        faults.append("the conversation belongs to someone else")
    if not row.token:
        faults.append("no token")
    try:  # what PostgreSQL's JSON columns would take, and the shape the engine reads options back from
        json.dumps(row.data, ensure_ascii=False).encode("utf-8")
        json.dumps(row.options, ensure_ascii=False).encode("utf-8")
        if not isinstance(row.data, dict) or not all(_option_row(o) for o in row.options):
            faults.append(f"data or options of an unknown shape: {row.options!r:.200}")
    except Exception as exc:
        faults.append(f"data or options do not load: {exc!r:.200}")
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    if expires <= clock.now() and row.step != RESUME_STEP:
        faults.append("expired right after an answer")
    return faults


def _option_row(row: Any) -> bool:
    """An offered option as the engine stores it: key, label, and maybe aliases, a yes/no meaning, a preset."""
    return (
        isinstance(row, dict)
        and isinstance(row.get("k"), str)
        and isinstance(row.get("l"), str)
        and all(isinstance(a, str) for a in row.get("a", ()))
        and isinstance(row.get("m", ""), str)
        and all(isinstance(k, str) for k in row.get("p", ()))
    )
