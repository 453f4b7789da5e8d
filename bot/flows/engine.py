"""Runs multi-step conversations whose state lives in the database.

A flow is a set of named steps. Each step renders a prompt (a Reply, maybe with options) and reads an answer
into an Outcome: go to a step, finish, or stay with a hint (what was entered is kept). The engine stores the
offered options and a fresh token with the state, so a button press is checked against the prompt it came
from: a forged, replayed or outdated press does nothing.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts as T
from bot.core import vocabulary
from bot.core.choices import Picked, pick
from bot.core.messages import DONE_KEY, Inbound, InboundKind, Option, Reply, numbered_options, parse_callback_data
from bot.core.text import excerpt, word_key
from bot.flows.context import Ctx
from bot.services import audit
from bot.store.models import Conversation

RESUME_STEP = "__resume__"
_ABSENT = "flow_state_absent"  # a key of AsyncSession.info: chats known to have no flow state in this unit of work
_NAMED_SELECTION = 3  # a multi-select names up to this many chosen options above the list, else counts them
_RESUME_CONTINUE, _RESUME_CANCEL = "resume", "cancel"


@dataclass(frozen=True)
class Answer:
    keys: tuple[str, ...] = ()  # the chosen options' keys
    text: str = ""  # free text, when the answer named no option


@dataclass(frozen=True)
class Go:
    step: str
    notes: tuple[Reply, ...] = ()


@dataclass(frozen=True)
class Stay:
    hint: str


@dataclass(frozen=True)
class Finish:
    replies: tuple[Reply, ...] = ()


@dataclass(frozen=True)
class Switch:
    """End this flow and start another (e.g. from a household's card to logging a visit to it)."""

    flow: str
    args: str = ""
    notes: tuple[Reply, ...] = ()


Outcome = Go | Stay | Finish | Switch


@dataclass(frozen=True)
class Step:
    prompt: Callable[[Ctx], Awaitable[Reply]]
    answer: Callable[[Ctx, Answer], Awaitable[Outcome]]
    multi: bool = False
    numeric_answer: bool = False  # a typed number is the answer itself ("8" people, a phone), not an option number
    free_text: bool = False  # in a multi-select, typed words that name no option go to the step (e.g. a search)
    keeps_text: bool = False  # what is typed is kept as written (a name, a note, a message): no command is read
    # inside it, only a line that is a command word and nothing else
    stops_on_no: bool = False  # a flow's first question: nothing is entered yet, so a bare "không" means stop


_NO_STEP = Step(prompt=None, answer=None)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Flow:
    name: str
    title: str  # what the user is doing, for "you were in the middle of …"
    start: Callable[[Ctx, str], Awaitable[Outcome]]
    steps: dict[str, Step] = field(default_factory=dict)


def _selection_key(step: str) -> str:
    return f"_sel_{step}"


def selection(ctx: Ctx, step: str) -> list[str]:
    """The keys chosen so far in a multi-select step, including those chosen on an earlier list."""
    return list(ctx.data.get(_selection_key(step), []))


def preselect(ctx: Ctx, step: str, keys: list[str]) -> None:
    """Tick these options of a multi-select step before it is shown (e.g. the skills of a visit being edited)."""
    ctx.data[_selection_key(step)] = list(keys)


def _is_typed_value(flow: Flow, step: str, text: str, picked: Picked | None) -> bool:
    """In a step whose answer is a number, digits that are not exactly one option number are the value itself."""
    if step == RESUME_STEP or not flow.steps[step].numeric_answer or any(ch.isalpha() for ch in text):
        return False
    return picked is None or bool(picked.unknown) or picked.too_many


async def _audit_rejected_press(ctx: Ctx, state: Conversation, parsed: tuple[str, int] | None) -> None:
    """A press that is not of the current prompt: usually an old message, possibly a forged one. Kept on record."""
    reason = "malformed" if parsed is None else "stale_token" if parsed[0] != state.token else "no_such_option"
    await audit.denied(ctx.session, ctx.now, ctx.member.id, "callback", state.flow, reason)


def _which(text: str, options: tuple[Option, ...], indexes: tuple[int, ...]) -> str:
    numbers = dict(((idx, num) for idx, (num, _) in enumerate(numbered_options(options))))
    choices = "; ".join(f"{numbers[i]}. {options[i].label}" for i in indexes)
    return T.WHICH_OPTION.format(typed=excerpt(text), choices=choices)


def _options_to_rows(options: tuple[Option, ...]) -> list[dict[str, object]]:
    return [
        {
            "k": o.key,
            "l": o.label,
            "a": list(o.aliases),
            **({"m": o.means} if o.means else {}),
            **({"p": list(o.preset)} if o.preset else {}),
        }
        for o in options
    ]


def _rows_to_options(rows: list[dict[str, object]]) -> tuple[Option, ...]:
    return tuple(
        Option(
            str(r["k"]),
            str(r["l"]),
            tuple(r.get("a", ())),  # type: ignore[arg-type]
            means=r.get("m"),  # type: ignore[arg-type]
            preset=tuple(r.get("p", ())),  # type: ignore[arg-type]
        )
        for r in rows
    )


class FlowEngine:
    def __init__(self, flows: list[Flow]) -> None:
        self.flows = {f.name: f for f in flows}

    # --- state -------------------------------------------------------------------------------------------
    @staticmethod
    async def load(session: AsyncSession, inbound: Inbound) -> Conversation | None:
        """The chat's flow state. An absent one is remembered for the rest of the unit of work, so asking again
        (the router, then the flow's start, then the save) costs no query."""
        key = (inbound.channel, inbound.user_ref)
        absent: set[tuple[str, str]] = session.info.setdefault(_ABSENT, set())
        if key in absent:
            return None
        state = await session.get(Conversation, key)
        if state is None:
            absent.add(key)
        return state

    @staticmethod
    def known(session: AsyncSession, inbound: Inbound, state: Conversation | None) -> None:
        """Remember the chat's state, read by another query of this unit of work (None: it has none)."""
        if state is None:
            session.info.setdefault(_ABSENT, set()).add((inbound.channel, inbound.user_ref))

    @staticmethod
    async def cancel(session: AsyncSession, inbound: Inbound) -> bool:
        state = await FlowEngine.load(session, inbound)
        if state is None:
            return False
        await session.delete(state)
        session.info.setdefault(_ABSENT, set()).add((inbound.channel, inbound.user_ref))
        return True

    async def _save(self, ctx: Ctx, flow: Flow, step: str, prompt: Reply, multi: bool, keep_token: bool) -> Reply:
        state = await self.load(ctx.session, ctx.inbound)
        token = state.token if (keep_token and state is not None) else secrets.token_urlsafe(6)
        expires = ctx.now + timedelta(minutes=ctx.config.flows.timeout_minutes)
        if state is None:
            state = Conversation(
                channel=ctx.inbound.channel,
                user_ref=ctx.inbound.user_ref,
                member_id=ctx.member.id,  # type: ignore[arg-type]
                flow=flow.name,
                step=step,
                token=token,
                expires_at=expires,
                updated_at=ctx.now,
            )
        state.flow, state.step, state.token = flow.name, step, token
        state.data = copy.deepcopy(ctx.data)  # a new object, so the JSON column is seen as changed
        state.options = _options_to_rows(prompt.options)
        state.multi_select = multi
        state.expires_at, state.updated_at = expires, ctx.now
        ctx.session.add(state)
        ctx.session.info.setdefault(_ABSENT, set()).discard((ctx.inbound.channel, ctx.inbound.user_ref))
        return replace(prompt, token=token)

    # --- rendering ---------------------------------------------------------------------------------------
    async def _prompt(self, ctx: Ctx, flow: Flow, step_name: str) -> tuple[Reply, bool]:
        if step_name == RESUME_STEP:
            return self._resume_prompt(ctx, flow), False
        step = flow.steps[step_name]
        prompt = await step.prompt(ctx)
        if not step.multi:
            return prompt, False
        selected = set(ctx.data.get(_selection_key(step_name), []))
        options = tuple(replace(o, selected=o.key in selected) for o in prompt.options)
        chosen = [o.label for o in options if o.selected]
        text = prompt.text
        if not chosen:
            text += "\n" + T.NOTHING_SELECTED
        elif len(chosen) <= _NAMED_SELECTION:
            text += "\n" + T.SELECTED.format(items=", ".join(chosen))
        else:  # long lists (households) are ticked in the list itself; a count is enough here
            text += "\n" + T.SELECTED_COUNT.format(n=len(chosen))
        done = Option(DONE_KEY, T.DONE_LABEL, ("xong", "done", "ok"))
        return replace(prompt, text=text, options=(*options, done), multi_select=True), True

    def _resume_prompt(self, ctx: Ctx, flow: Flow) -> Reply:
        return Reply(
            T.FLOW_RESUME.format(title=flow.title),
            options=(
                Option(_RESUME_CONTINUE, T.FLOW_RESUME_CONTINUE, ("tiep tuc", "tiep"), means=vocabulary.YES),
                Option(_RESUME_CANCEL, T.FLOW_RESUME_CANCEL, ("huy", "bo"), means=vocabulary.NO),
            ),
        )

    async def _enter(self, ctx: Ctx, flow: Flow, step: str, keep_token: bool = False, edit: bool = False) -> Reply:
        prompt, multi = await self._prompt(ctx, flow, step)
        if edit:
            prompt = replace(prompt, replace_previous=True)
        return await self._save(ctx, flow, step, prompt, multi, keep_token)

    async def _apply(self, ctx: Ctx, flow: Flow, outcome: Outcome, current: str | None) -> list[Reply]:
        if isinstance(outcome, Finish):
            await self.cancel(ctx.session, ctx.inbound)
            return list(outcome.replies)
        if isinstance(outcome, Switch):
            return [*outcome.notes, *await self.start(ctx, outcome.flow, outcome.args)]
        if isinstance(outcome, Go):
            return [*outcome.notes, await self._enter(ctx, flow, outcome.step)]
        assert current is not None, "a flow's start cannot Stay"
        return [Reply(outcome.hint), await self._enter(ctx, flow, current, keep_token=True)]

    # --- what the router asks before it reads a line as a command ---------------------------------------------
    def names_option(self, state: Conversation, text: str) -> bool:
        """`text` picks one of the offered options (its number, its name, yes or no where an option means it)."""
        picked = pick(text, _rows_to_options(state.options), state.multi_select)
        return picked is not None and bool(picked.indexes or picked.ambiguous or picked.declined)

    def _step_of(self, state: Conversation) -> Step | None:
        flow = self.flows.get(state.flow)
        return flow.steps.get(state.step) if flow else None

    def keeps_text(self, state: Conversation) -> bool:
        """The active step keeps what is typed as written (a name, a note, a message)."""
        step = self._step_of(state)
        return step is not None and step.keeps_text

    def stops_on_no(self, state: Conversation) -> bool:
        """The active step is a flow's first question, where "không" alone means stop."""
        step = self._step_of(state)
        return step is not None and step.stops_on_no

    def begins_an_option(self, state: Conversation, text: str) -> bool:
        """`text` is one word that starts an offered option's name ("sửa" and "✏️ Sửa nội dung")."""
        typed = word_key(text)
        if not typed or " " in typed:
            return False
        return any(word_key(row["l"]).split()[:1] == [typed] for row in state.options)  # type: ignore[index]

    async def again(self, ctx: Ctx, state: Conversation, note: Reply) -> list[Reply]:
        """`note`, then the active prompt once more (same token: its buttons keep working)."""
        flow = self.flows.get(state.flow)
        if flow is None or (state.step != RESUME_STEP and state.step not in flow.steps):
            return [note]
        ctx.data = copy.deepcopy(state.data)
        return [note, await self._enter(ctx, flow, state.step, keep_token=True)]

    # --- entry points ------------------------------------------------------------------------------------
    async def start(self, ctx: Ctx, flow_name: str, args: str = "") -> list[Reply]:
        """Begin a flow, replacing any unfinished one."""
        await self.cancel(ctx.session, ctx.inbound)
        await ctx.session.flush()
        ctx.data = {}
        flow = self.flows[flow_name]
        return await self._apply(ctx, flow, await flow.start(ctx, args), None)

    async def handle(self, ctx: Ctx, state: Conversation) -> list[Reply]:
        """Answer a message sent while a flow is active."""
        flow = self.flows.get(state.flow)
        if flow is None or (state.step != RESUME_STEP and state.step not in flow.steps):
            await ctx.session.delete(state)  # a flow from an older version of the bot
            return [Reply(T.FLOW_GONE)]
        ctx.data = copy.deepcopy(state.data)  # nested values must not alias the stored JSON
        if state.expires_at <= ctx.now and state.step != RESUME_STEP:
            ctx.data["_resume_step"] = state.step
            return [await self._enter(ctx, flow, RESUME_STEP)]

        options = _rows_to_options(state.options)
        indexes: tuple[int, ...] | None = None
        inbound = ctx.inbound
        if inbound.kind is InboundKind.CHOICE:
            parsed = parse_callback_data(inbound.choice or "")
            if parsed is None or parsed[0] != state.token or parsed[1] >= len(options):
                await _audit_rejected_press(ctx, state, parsed)
                return [Reply(T.BUTTON_OUTDATED, notice=True)]
            indexes = (parsed[1],)
        elif inbound.kind is not InboundKind.TEXT:
            return [Reply(T.TEXT_ONLY), await self._enter(ctx, flow, state.step, keep_token=True)]
        else:
            picked = pick(inbound.text, options, state.multi_select)
            if _is_typed_value(flow, state.step, inbound.text, picked):
                picked = None  # "8" people or "0912 345 678": the number is the answer, not an option number
            if picked is not None and picked.too_many:
                return [Reply(T.CHOOSE_ONE), await self._enter(ctx, flow, state.step, keep_token=True)]
            if picked is not None and picked.declined:  # "ko lưu nữa" where no option says no: the member stops
                await self.cancel(ctx.session, ctx.inbound)
                return [Reply(T.CANCELLED)]
            if picked is not None and picked.ambiguous:  # two options read as well as each other: ask, never pick
                return [
                    Reply(_which(inbound.text, options, picked.ambiguous)),
                    await self._enter(ctx, flow, state.step, keep_token=True),
                ]
            if picked is not None and picked.unknown and flow.steps.get(state.step, _NO_STEP).free_text:
                picked = None  # a multi-select that also takes a typed search
            if picked is not None and picked.unknown:
                return [
                    Reply(T.NOT_AN_OPTION.format(answer=excerpt(", ".join(picked.unknown)))),
                    await self._enter(ctx, flow, state.step, keep_token=True),
                ]
            if picked is not None:
                indexes = picked.indexes

        if state.step == RESUME_STEP:
            return await self._resume(ctx, flow, options, indexes)
        step = flow.steps[state.step]
        if step.multi and indexes is not None:
            return await self._multi(ctx, flow, state.step, step, options, indexes)
        if indexes is not None:
            answer = Answer(keys=(options[indexes[0]].key,))
        else:
            answer = Answer(text=inbound.text.strip())
        return await self._apply(ctx, flow, await step.answer(ctx, answer), state.step)

    async def _resume(
        self, ctx: Ctx, flow: Flow, options: tuple[Option, ...], indexes: tuple[int, ...] | None
    ) -> list[Reply]:
        key = options[indexes[0]].key if indexes else None
        if key == _RESUME_CANCEL:
            await self.cancel(ctx.session, ctx.inbound)
            return [Reply(T.CANCELLED)]
        if key == _RESUME_CONTINUE:
            step = ctx.data.pop("_resume_step")
            return [await self._enter(ctx, flow, step)]
        return [Reply(T.CHOOSE_ONE), await self._enter(ctx, flow, RESUME_STEP, keep_token=True)]

    async def _multi(
        self,
        ctx: Ctx,
        flow: Flow,
        name: str,
        step: Step,
        options: tuple[Option, ...],
        indexes: tuple[int, ...],
    ) -> list[Reply]:
        key = _selection_key(name)
        selected: list[str] = list(ctx.data.get(key, []))
        finishing = False
        for i in indexes:
            if options[i].preset:  # "as last time": these, and nothing else, chosen and finished
                selected, finishing = list(options[i].preset), True
                break
            option_key = options[i].key
            if option_key == DONE_KEY:
                finishing = True
            elif option_key in selected:
                selected.remove(option_key)
            else:
                selected.append(option_key)
        order = {o.key: i for i, o in enumerate(options)}
        ctx.data[key] = sorted(selected, key=lambda k: order.get(k, len(order)))  # chosen on an earlier list: last
        if not finishing:
            pressed = ctx.inbound.kind is InboundKind.CHOICE
            return [await self._enter(ctx, flow, name, keep_token=True, edit=pressed)]
        outcome = await step.answer(ctx, Answer(keys=tuple(ctx.data[key])))
        return await self._apply(ctx, flow, outcome, name)
