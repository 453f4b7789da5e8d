"""Runs the corpus of phone-typed lines (typed_lines.tsv) through the real router and judges each answer.

Each line names a context (a member with nothing in progress, or a step of a flow), what was typed, and what it
means. The harness brings a chat to that context once, then for every line puts the chat back exactly there
(the flow's stored state), sends the line, and compares what happened with the expected meaning:

- understood: the bot did what the line means. For a command, that is judged against the canonical command sent
  by a twin member in the same state (same replies); for a step, against the flow's state afterwards;
- not understood: the bot said so, or asked, and left the step and the data as they were;
- wrong: it did something else. A wrong reading that saved, sent or changed data is counted apart.

Used by tests/corpus/test_corpus.py and bench/typed_lines.py.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import delete, func, select

from bot import texts as T
from bot.core.roles import Role
from bot.handlers.router import Router
from bot.services import households
from bot.services.deps import Deps
from bot.services.households import NewHousehold
from bot.store.models import Broadcast, Conversation, Household, Visit
from tests.chat import Chat, new_code

CORPUS = Path(__file__).with_name("typed_lines.tsv")
CORPORA = (CORPUS, Path(__file__).with_name("held_out.tsv"))
UNDERSTOOD, NOT_UNDERSTOOD, WRONG = "understood", "not understood", "wrong"

# The list a member sees at the household question, in this order (the spec the corpus was written against).
LISTED = [
    ("Trần Thị Hoa", "Xóm 6"),
    ("Nguyễn Thị Hoa", "Xóm 2"),
    ("Phạm Văn Lộc", "Xóm 1"),
    ("Đỗ Văn Dũng", "Xóm 5"),
    ("Nguyễn Văn An", "Xóm 3"),
    ("Lê Thị Thu", "Xóm 4"),
]
OTHERS = [("Nguyễn Thị An", "Xóm 8"), ("Lê Văn Tư", "Xóm 7"), ("Hoàng Thị Tư", "Xóm 9")]  # findable, not listed
CONFIRM_STEPS = {2: "people", 4: "note", 5: "day", 6: "skills"}  # option 3 flips the outcome, option 1 saves
NAME = "Người thử"
_CODE = re.compile(r"\b[A-Z2-9]{8}\b")  # invite and link codes differ between two runs of one command


# How a chat reaches each step: the lines a member types from nothing in progress.
_SCRIPTS: dict[str, tuple[Role, list[str]]] = {
    "household": (Role.MEMBER, ["/ghinhan"]),
    "household-twin": (Role.MEMBER, ["/ghinhan"]),
    "skills": (Role.MEMBER, ["/ghinhan", "1"]),
    "confirm": (Role.MEMBER, ["/ghinhan", "1", "1 0"]),
    "day": (Role.MEMBER, ["/ghinhan", "1", "1 0", "5"]),
    "consent": (Role.MEMBER, ["/ghinhan", "them ho moi", "Phạm Văn Nam", "Xóm 1", "bo qua", "0"]),
    "phone": (Role.MEMBER, ["/ghinhan", "them ho moi", "Phạm Văn Nam", "Xóm 1"]),
    "preview": (Role.LEADER, ["/thongbao", "Họp tổ lúc 8 giờ sáng thứ hai tại nhà văn hoá."]),
}
CONTEXTS = ("top", "top-leader", "top-staff", *(c for c in _SCRIPTS if not c.endswith("-twin")))


@dataclass(frozen=True)
class Case:
    category: str
    context: str
    typed: str
    expected: str
    note: str = ""


@dataclass(frozen=True)
class Verdict:
    kind: str
    changed_data: bool = False
    detail: str = ""


def load_cases(path: Path = CORPUS) -> list[Case]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.reader(fh, delimiter="\t") if r and not r[0].startswith("#")]
    header, body = rows[0], rows[1:]
    assert header[:4] == ["category", "context", "typed", "expected"], header
    return [Case(*(cell for cell in (r + [""] * 5)[:5])) for r in body]


@dataclass
class _Place:
    """A chat parked at a context: the member's user ref and the flow state to put back before each line."""

    chat: Chat
    state: dict[str, Any] | None


@dataclass
class Bench:
    deps: Deps
    router: Router
    places: dict[str, _Place] = field(default_factory=dict)
    twins: dict[str, Chat] = field(default_factory=dict)
    listed: list[int] = field(default_factory=list)

    # --- setting up ----------------------------------------------------------------------------------------------
    async def setup(self, contexts: frozenset[str] | None = None) -> None:
        """Seed the team's households, then bring a chat to each context (all, or only `contexts`)."""
        now = self.deps.clock.now()
        async with self.deps.store.session() as s:
            for i, (name, address) in enumerate(LISTED):  # the list shows the team's newest first
                h = await households.create(
                    s, "T01", NewHousehold(name, address), None, now - timedelta(minutes=1 + i), "2026-01"
                )
                h.consent_at, h.consent_version = now, "2026-01"
                s.add(h)
                self.listed.append(h.id or 0)
            for name, address in OTHERS:
                h = await households.create(
                    s, "T01", NewHousehold(name, address), None, now - timedelta(days=9), "2026-01"
                )
                h.consent_at, h.consent_version = now, "2026-01"
                s.add(h)
        for i in range(2):  # the team a notice goes to
            await self._member(f"recipient-{i}", Role.MEMBER, "T01")
        wanted = contexts or frozenset(CONTEXTS)
        for context, role, team in (
            ("top", Role.MEMBER, "T01"),
            ("top-leader", Role.LEADER, "T01"),
            ("top-staff", Role.STAFF, None),
        ):
            if context in wanted:
                self.places[context] = _Place(await self._member(f"{context}-typed", role, team), None)
                self.twins[context] = await self._member(f"{context}-twin", role, team)
        for context, (role, script) in _SCRIPTS.items():
            if context.removesuffix("-twin") in wanted:
                await self._park(context, role, script)
        for context, place in self.places.items():
            if context.startswith("top"):
                continue
            step = {"phone": "new_phone"}.get(context, context.removesuffix("-twin"))
            assert place.state is not None and place.state["step"] == step, (context, place.state)

    async def _member(self, user: str, role: Role, team: str | None) -> Chat:
        chat = Chat(self.router, user, name=NAME)
        await chat.say(f"/start {await new_code(self.deps, role, team, name=NAME)}")
        assert "Chào mừng" in chat.text, chat.text
        return chat

    async def _park(self, context: str, role: Role, script: list[str]) -> None:
        chat = await self._member(f"{context}-typed", role, "T01")
        for line in script:
            await chat.say(line)
        self.places[context] = _Place(chat, await self._state(chat))

    # --- state ---------------------------------------------------------------------------------------------------
    async def _state(self, chat: Chat) -> dict[str, Any] | None:
        async with self.deps.store.session() as s:
            row = await s.get(Conversation, (chat.channel, chat.user_ref))
            return None if row is None else row.model_dump()

    async def _restore(self, chat: Chat, state: dict[str, Any] | None) -> None:
        async with self.deps.store.session() as s:
            await s.exec(  # type: ignore[call-overload]
                delete(Conversation).where(Conversation.channel == chat.channel, Conversation.user_ref == chat.user_ref)
            )
            if state is not None:
                s.add(Conversation(**state))

    async def _counts(self) -> tuple[int, int, int]:
        async with self.deps.store.session() as s:
            visits = (await s.exec(select(func.count()).select_from(Visit))).one()
            sent = (await s.exec(select(func.count()).select_from(Broadcast))).one()
            kept = (await s.exec(select(func.count()).select_from(Household))).one()
        return int(visits), int(sent), int(kept)

    # --- one line ----------------------------------------------------------------------------------------------
    async def run(self, case: Case) -> Verdict:
        place = self.places[case.context]
        await self._restore(place.chat, place.state)
        before = await self._counts()
        await place.chat.say(case.typed)
        after_state = await self._state(place.chat)
        changed = await self._counts() != before
        replies = [r.text for r in place.chat.replies]
        if case.context.startswith("top"):
            verdict = await self._top(case, replies)
        else:
            verdict = await self._step(case, place, replies, after_state)
        if verdict.kind == WRONG and changed:
            verdict = Verdict(WRONG, True, verdict.detail)
        return verdict

    async def _top(self, case: Case, replies: list[str]) -> Verdict:
        expected = case.expected.strip()
        if expected in ("hello", "thanks"):
            template = T.FRIENDLY_HELLO if expected == "hello" else T.FRIENDLY_THANKS
            return self._judge(replies[:1] == [template.format(name=NAME)], replies)
        if expected == "ask":
            return self._judge(_asked(replies), replies)
        twin = self.twins[case.context]
        await self._restore(twin, None)
        await twin.say(expected)
        mine, theirs = await self._state(self.places[case.context].chat), await self._state(twin)
        if mine is not None or theirs is not None:  # a flow began: the same flow, step, choices and data
            return self._judge(_same_state(mine, theirs), replies)
        return self._judge(_same(replies, [r.text for r in twin.replies]), replies)

    async def _step(self, case: Case, place: _Place, replies: list[str], state: dict[str, Any] | None) -> Verdict:
        before = place.state or {}
        word, _, rest = case.expected.strip().partition(" ")
        data = (state or {}).get("data", {})
        step = (state or {}).get("step")
        if word == "ask":  # showed the readings, or offered several to choose, or asked the question again
            several = case.context == "household" and step == "household" and len(data.get("found", [])) > 1
            again = step == before.get("step") and data == before.get("data") and bool(replies)
            return self._judge(_asked(replies) or several or again, replies)
        if word == "cancel":
            return self._judge(state is None and bool(set(replies) & _CANCELLED), replies)
        if case.context == "household":
            if word == "option":  # taken, or (a typo) offered first in a list to choose from: one tap away
                wanted = self.listed[int(rest) - 1]
                taken = data.get("hid") == wanted and step == "skills"
                return self._judge(taken or (data.get("found") or [None])[0] == wanted, replies)
            if word == "new":
                return self._judge(step == "new_name", replies)
            if word == "search":  # the same as typing the name itself, on a twin at the same question
                twin = self.places["household-twin"]
                await self._restore(twin.chat, twin.state)
                await twin.chat.say(rest)
                twin_state = await self._state(twin.chat) or {}
                twin_replies = [r.text for r in twin.chat.replies]
                same = twin_state.get("step") == step and twin_state.get("data", {}).get("found") == data.get("found")
                same = (
                    same
                    and _no_match(replies) == _no_match(twin_replies)
                    and twin_state.get("data", {}).get("hid") == data.get("hid")
                )
                return self._judge(same, replies)
        if case.context == "skills":
            codes = sorted(rest.replace("+done", "").split())
            if "+done" in rest:
                return self._judge(step == "confirm" and sorted(data.get("skills", [])) == codes, replies)
            return self._judge(step == "skills" and sorted(data.get("_sel_skills", [])) == codes, replies)
        if case.context == "confirm":
            if word == "save":
                saved = T.VISIT_SAVED.split("{")[0]
                return self._judge(state is None and any(r.startswith(saved) for r in replies), replies)
            if word == "option" and int(rest) == 3:
                return self._judge(step == "confirm" and data.get("outcome") != before["data"].get("outcome"), replies)
            if word == "option":
                return self._judge(step == CONFIRM_STEPS.get(int(rest)), replies)
        if word == "day":
            return self._judge(step == "confirm" and data.get("day") == date.fromisoformat(rest).isoformat(), replies)
        if case.context == "consent":
            if word == "agree":
                return self._judge(step in ("skills", "duplicate"), replies)
            if word == "refuse":
                return self._judge(step == "consent_refused", replies)
        if case.context == "phone":
            if word == "skip":
                return self._judge(step == "new_flags" and not data.get("new", {}).get("phone"), replies)
            if word == "phone":
                phone = data.get("new", {}).get("phone") or ""
                return self._judge(step == "new_flags" and phone[-9:] == rest[-9:], replies)
        if case.context == "preview":
            if word == "send":
                return self._judge(state is None and any(r.startswith("✅") for r in replies), replies)
            if word == "edit":
                return self._judge(step == "text", replies)
        if step == before.get("step") and data == before.get("data"):
            return Verdict(NOT_UNDERSTOOD, detail=replies[0][:80] if replies else "")
        return Verdict(WRONG, detail=f"unknown expectation {case.expected!r}")

    def _judge(self, ok: bool, replies: list[str]) -> Verdict:
        if ok:
            return Verdict(UNDERSTOOD)
        if not replies or _not_understood(replies):
            return Verdict(NOT_UNDERSTOOD, detail=replies[0][:80] if replies else "")
        return Verdict(WRONG, detail=" | ".join(r[:60] for r in replies))


# Answers that say "not understood" or ask again, changing nothing.
_NOT_UNDERSTOOD_TEXTS = tuple(
    t.split("{")[0]
    for t in (
        T.DONT_UNDERSTAND,
        T.DONT_UNDERSTAND_STAFF,
        T.UNKNOWN_COMMAND,
        T.CHOOSE_ONE,
        T.NOT_AN_OPTION,
        T.SKILLS_NOT_UNDERSTOOD,
        T.SKILLS_NONE,
        T.PROGRESS_USAGE,
        T.PERIOD_BAD_KEY,
        T.REPORT_USAGE,
        T.DAY_INVALID,
        T.HH_TYPE_MORE,
        T.HH_NO_MATCH,
        T.WHICH_OPTION,
        T.ASK_WHICH_COMMAND,
        T.BROADCAST_PREVIEW_CHOOSE,
    )
)


def _not_understood(replies: list[str]) -> bool:
    return any(r.startswith(_NOT_UNDERSTOOD_TEXTS) for r in replies)


_CANCELLED = frozenset({T.CANCELLED, T.BROADCAST_CANCELLED})


def _no_match(replies: list[str]) -> bool:
    return any(r.startswith(T.HH_NO_MATCH.split("{")[0]) for r in replies)


_WHICH = T.WHICH_OPTION.split("}")[1].split("{")[0]  # the words between the echo and the choices


def _asked(replies: list[str]) -> bool:
    """The bot showed the readings and asked which one was meant."""
    return any(r.startswith(T.ASK_WHICH_COMMAND) or _WHICH in r for r in replies)


def _same_state(first: dict[str, Any] | None, second: dict[str, Any] | None) -> bool:
    def view(state: dict[str, Any] | None) -> tuple[Any, ...] | None:
        if state is None:
            return None
        data = {k: v for k, v in state["data"].items() if k != "search"}  # the typed words, echoed
        return state["flow"], state["step"], [o["k"] for o in state["options"]], data

    return view(first) == view(second)


def _same(first: list[str], second: list[str]) -> bool:
    def norm(texts: list[str]) -> list[str]:
        return [_CODE.sub("CODE", t) for t in texts]

    return bool(first) and norm(first) == norm(second)


@dataclass
class Tally:
    by_category: dict[str, Counter[str]] = field(default_factory=dict)
    failures: list[tuple[Case, Verdict]] = field(default_factory=list)
    wrong_changing_data: int = 0

    def add(self, case: Case, verdict: Verdict) -> None:
        self.by_category.setdefault(case.category, Counter())[verdict.kind] += 1
        if verdict.kind != UNDERSTOOD:
            self.failures.append((case, verdict))
        self.wrong_changing_data += verdict.changed_data

    def total(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for counts in self.by_category.values():
            out.update(counts)
        return out


async def run_corpus(deps: Deps, cases: list[Case] | None = None) -> Tally:
    cases = cases if cases is not None else load_cases()
    bench = Bench(deps, Router(deps))
    await bench.setup(frozenset(c.context for c in cases))
    tally = Tally()
    for case in cases:
        tally.add(case, await bench.run(case))
    return tally
