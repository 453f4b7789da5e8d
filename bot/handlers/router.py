"""The path of one message: de-duplicate, find the member, then the command, keyword or active flow."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import texts as T
from bot.core import vocabulary
from bot.core.messages import Inbound, InboundKind, Reply
from bot.core.reader import Reading
from bot.core.roles import Role
from bot.core.text import clean_typed, nfc_lines, storable
from bot.flows.context import Ctx
from bot.flows.registry import ENGINE
from bot.handlers import (
    basics,
    broadcasts,
    corrections,
    exports,
    group_chat,
    households,
    imports,
    invites,
    progress,
    reports,
    visits,
)
from bot.handlers.commands import EVERYONE, TEAM_ROLES, Command, CommandTable, split_command
from bot.services import audit, dedup, members, outbox
from bot.services import invites as invite_codes
from bot.services.deps import Deps
from bot.store.models import Conversation

log = logging.getLogger(__name__)
# Commands that, typed inside a sentence in the middle of a flow, are more likely part of the answer ("tìm" before
# a name at a household list) than a new task.
_NOT_MID_FLOW = frozenset({"ho", "gn"})
# Longer than any answer a step takes (a broadcast: 1,600; a report part: 1,000), and than Telegram sends (4,096):
# such a message is a paste by mistake, answered with a short note instead of being read.
MAX_MESSAGE_CHARS = 4000


@dataclass(frozen=True)
class Handled:
    replies: list[Reply] = field(default_factory=list)
    role: Role | None = None  # the sender's role after this message (None: not a member)
    duplicate: bool = False
    queued: bool = False  # the message put something in the outbox (a notice for someone else)
    private: list[Reply] = field(default_factory=list)  # to a group message: what goes to the sender's private chat
    private_chat: str | None = None  # that chat (the sender's identity's chat with this bot)


Deliver = Callable[[AsyncSession, Handled], Awaitable[None]]
Record = Callable[[AsyncSession], Awaitable[bool]]  # records a message as handled; False: it was already


def build_commands() -> CommandTable:
    table: CommandTable

    async def show_help(ctx: Ctx, args: str) -> list[Reply]:
        lines = [f"/{c.name} — {c.description}" for c in table.for_role(ctx.role)]
        return [basics.help_text(ctx, lines), Reply(T.MENU_HINT, menu=table.menu(ctx.role))]

    table = CommandTable(
        [
            Command("ghinhan", T.CMD_LOG, TEAM_ROLES, visits.log, T.MENU_LOG),
            Command(
                "moi", T.CMD_INVITE, frozenset({Role.LEADER, Role.STAFF, Role.ADMIN}), invites.create, T.MENU_INVITE
            ),
            Command("gn", T.CMD_QUICK, TEAM_ROLES, visits.quick),
            Command("hocuatoi", T.CMD_MINE, TEAM_ROLES, households.mine, T.MENU_MINE),
            Command("ho", T.CMD_FIND, TEAM_ROLES, households.find),
            Command("canquaylai", T.CMD_RETURNS, TEAM_ROLES, households.returns),
            Command("phancong", T.CMD_ASSIGN, frozenset({Role.LEADER}), households.assign_households),
            Command("tiendo", T.CMD_PROGRESS, EVERYONE, progress.show, T.MENU_PROGRESS),
            Command("bieudo", T.CMD_CHART, EVERYONE, exports.chart),
            Command(
                "baocao", T.CMD_REPORT, frozenset({Role.LEADER, Role.STAFF, Role.ADMIN}), reports.report, T.MENU_REPORT
            ),
            Command("xuat", T.CMD_EXPORT, frozenset({Role.LEADER, Role.STAFF, Role.ADMIN}), exports.export),
            Command("sua", T.CMD_EDIT_VISIT, TEAM_ROLES, corrections.edit),
            Command("kiemtra", T.CMD_FLAG_VISIT, frozenset({Role.LEADER}), corrections.flag),
            Command(
                "thongbao",
                T.CMD_BROADCAST,
                frozenset({Role.LEADER, Role.STAFF, Role.ADMIN}),
                broadcasts.compose,
                T.MENU_BROADCAST,
            ),
            Command("danhan", T.CMD_ACK, EVERYONE, broadcasts.acknowledge),
            Command("nhap", T.CMD_IMPORT, frozenset({Role.STAFF, Role.ADMIN}), imports.start),
            Command("huy", T.CMD_CANCEL, EVERYONE, basics.cancel),
            Command("lienket", T.CMD_LINK, EVERYONE, basics.link_code),
            Command(group_chat.NAME, T.CMD_GROUP, frozenset({Role.LEADER, Role.STAFF, Role.ADMIN}), group_chat.command),
            Command("trogiup", T.CMD_HELP, EVERYONE, show_help, T.MENU_HELP),
        ]
    )
    return table


class Router:
    def __init__(self, deps: Deps, commands: CommandTable | None = None) -> None:
        self.deps = deps
        self.commands = commands or build_commands()

    async def handle(self, inbound: Inbound, deliver: Deliver | None = None, record: Record | None = None) -> Handled:
        """Everything the bot answers to one message. Never raises: a failure becomes an apology.

        `deliver`, when given, stores the replies (e.g. in the outbox) in the same transaction as the message's
        effects: either the message is handled and its answer queued, or neither happened and a redelivery of
        the message is processed afresh.

        The message is recorded as processed last, in that same transaction (a redelivery of one already handled
        finds the record there and is undone, answer and all; redeliveries are rare, a look-up first on every
        message is not): on SQLite the first write takes the
        lock of the whole database, so recording it first would hold that lock while the message is read and
        answered (a commune overview reads for a while), and other chats' messages would wait behind it. A unit of
        work that failed only because SQLite stayed busy runs again (Store.transact): it was rolled back, so none
        of it happened. `record`, when given, is that record instead of the router's own (a channel whose inbox
        already keeps every update it received marks the update answered).
        """
        inbound = _cleaned(inbound)

        async def unit(session: AsyncSession) -> Handled:
            handled = await self._handle(session, inbound)
            if handled.duplicate:
                return handled
            if session.info.get(outbox.QUEUED):
                handled = replace(handled, queued=True)
            if deliver is not None:
                await deliver(session, handled)
            first = (
                await record(session)
                if record is not None
                else await dedup.first_time(session, inbound.channel, inbound.message_id, self.deps.clock.now())
            )
            if not first:
                await session.rollback()  # another process handled a redelivery of it meanwhile: undo this copy
                return Handled(duplicate=True)
            return handled

        try:
            return await self.deps.store.transact(unit, "a message")
        except Exception as exc:
            duplicate = False
            try:  # a redelivery handled meanwhile by another process can make this copy fail (a unique key)
                if record is None:
                    async with self.deps.store.session() as session:
                        duplicate = await dedup.seen(session, inbound.channel, inbound.message_id)
            except Exception:
                duplicate = False
            if duplicate:
                return Handled(duplicate=True)
            # Only the kind of failure is logged: message text and residents' data stay out of logs.
            log.error("failed to handle a %s message on %s", inbound.kind.value, inbound.channel, exc_info=exc)
            return Handled([Reply(T.INTERNAL_ERROR)])

    async def _handle(self, session: AsyncSession, inbound: Inbound) -> Handled:
        now = self.deps.clock.now()
        if len(inbound.text) > MAX_MESSAGE_CHARS:  # nothing is read, so a flow in progress keeps its step
            return Handled([Reply(T.MESSAGE_TOO_LONG.format(length=len(inbound.text), limit=MAX_MESSAGE_CHARS))])
        inbound = _normalised(inbound)
        if inbound.group:
            return await self._group(session, inbound)
        member, state = await members.by_identity_with_flow(session, inbound.channel, inbound.user_ref)
        if member is None:
            return await self._stranger(session, inbound)
        ENGINE.known(session, inbound, state)
        ctx = Ctx(self.deps, session, inbound, member, now)
        return Handled(await self._member(ctx), role=Role(member.role))

    async def _group(self, session: AsyncSession, inbound: Inbound) -> Handled:
        """A message in a group chat. The group is the team's own conversation: the bot reads only its slash
        commands there and never a member's flow (a flow is keyed by the member, so a number typed in the group
        could otherwise answer their private prompt). Text, stickers, pictures, files and numbers get no answer.
        A command the bot knows but serves only privately gets one short pointer to the private chat: members who
        type /tiendo in the group expect something, and its answer may hold what the group must not see. A command
        it does not know gets nothing (it may be another bot's), nor does anyone who is not a member."""
        if inbound.kind is InboundKind.CHOICE:  # the bot puts no buttons in groups: an old or a forged one
            return Handled([Reply(T.GROUP_BUTTON, notice=True)])
        command = split_command(inbound.text) if inbound.kind is InboundKind.TEXT else None
        found = self.commands.by_name(command[0]) if command else None
        if command is None or found is None:
            return Handled()
        member = await members.by_identity(session, inbound.channel, inbound.user_ref)
        if member is None:
            return Handled()
        if found.name not in _GROUP_COMMANDS:
            return Handled([Reply(T.GROUP_WRITE_PRIVATELY.format(command=found.name))])
        ctx = Ctx(self.deps, session, inbound, member, self.deps.clock.now())
        replies = await _GROUP_COMMANDS[found.name](ctx, command[1])
        private = [r for r in replies if r.private]
        chat = await members.private_chat(session, inbound.channel, inbound.user_ref) if private else None
        # No role: the group's command menu must not become the sender's.
        return Handled([r for r in replies if not r.private], private=private, private_chat=chat)

    async def _stranger(self, session: AsyncSession, inbound: Inbound) -> Handled:
        command = split_command(inbound.text)
        code = None
        if command and command[0] == "start" and command[1]:
            code = command[1]
        elif not command and invite_codes.looks_like_code(inbound.text):
            code = inbound.text
        if code is None:
            return Handled([Reply(T.WELCOME_STRANGER)])
        reply, member = await basics.join(self.deps, session, inbound, code)
        if member is None:
            return Handled([reply])
        role = Role(member.role)
        return Handled([replace(reply, menu=self.commands.menu(role))], role=role)

    async def _member(self, ctx: Ctx) -> list[Reply]:
        inbound = ctx.inbound
        command = split_command(inbound.text) if inbound.kind is InboundKind.TEXT else None
        if command is not None:
            name, args = command
            if name == "start":  # already a member: a code is not needed again, show what they can do
                return await self._run(ctx, self.commands.by_name("trogiup"), "")
            return await self._run(ctx, self.commands.by_name(name), args)
        if inbound.kind is InboundKind.TEXT and (by_label := self.commands.by_menu_label(inbound.text)):
            return await self._run(ctx, by_label, "")
        if inbound.kind is InboundKind.FILE:  # a household list sent in chat
            return await imports.receive_file(ctx)
        if inbound.kind is InboundKind.CHOICE and (inbound.choice or "").startswith(broadcasts.ACK_PREFIX):
            return await broadcasts.acknowledge_button(ctx, inbound.choice or "")
        state = await ENGINE.load(ctx.session, inbound)
        if inbound.kind is InboundKind.TEXT:
            typed = await self._typed(ctx, state)
            if typed is not None:
                return typed
        if state is not None:
            return await ENGINE.handle(ctx, state)
        if inbound.kind is InboundKind.CHOICE:  # a button of a finished flow, or a forged press
            await audit.denied(ctx.session, ctx.now, ctx.member.id, "callback", None, "no_active_flow")
            return [Reply(T.BUTTON_OUTDATED, notice=True)]
        if inbound.kind is not InboundKind.TEXT:  # a sticker or a picture: nothing is waiting for an answer
            return [Reply(T.NOT_TEXT_MENU, menu=self.commands.menu(ctx.role))]
        text = T.DONT_UNDERSTAND_STAFF if ctx.role.is_commune_wide else T.DONT_UNDERSTAND
        return [Reply(text, menu=self.commands.menu(ctx.role))]

    async def _typed(self, ctx: Ctx, state: Conversation | None) -> list[Reply] | None:
        """A command, a greeting or thanks typed in words ("xem tiến độ tháng này", "ghi nhận Nguyễn Thị An",
        "thôi", "cảm ơn"); None when the line is for the active step, or means nothing of the kind.

        In a flow the prompt's own options come first ("mới" at the household list is its "Thêm hộ mới", not
        /moi), and at a step that keeps what is typed (a name, a note, a message) only a line that is a command
        word and nothing else is read as one."""
        text = ctx.inbound.text
        if state is not None and ENGINE.names_option(state, text):
            return None
        keeps_text = state is not None and ENGINE.keeps_text(state)
        allowed = frozenset(c.name for c in self.commands.for_role(ctx.role))
        reading = vocabulary.read(text, anywhere=state is None, commands=allowed)  # nothing in progress: anywhere
        name = vocabulary.command_of(reading)
        if name is not None and state is not None and reading.whole and ENGINE.begins_an_option(state, text):
            name = None  # "sửa" at a prompt with "✏️ Sửa nội dung": the step asks which, not /sua
        if name is not None and (reading.whole or not keeps_text) and not (keeps_text and reading.typos):
            if reading.ambiguous:  # "moi": mời (invite) or mới (a new household)? Only what this role may do counts
                meant = self._allowed(ctx, (name, *map(vocabulary.command_in, reading.others)))
                if len(meant) != 1:
                    return [self._which_command(meant)] if meant else [Reply(T.NOT_ALLOWED)]
                name = meant[0].name
            command = self.commands.by_name(name)
            if command is not None and (state is None or ctx.role in command.roles):
                if state is not None and not reading.whole and name in _NOT_MID_FLOW:
                    return None
                ctx.in_words = True
                return await self._run(ctx, command, _arguments(name, reading, text))
        if name is None and state is None and vocabulary.command_of(forbidden := vocabulary.read(text)) is not None:
            if forbidden.whole:  # "thông báo" typed by a member: say it is not theirs, rather than "not understood"
                return [Reply(T.NOT_ALLOWED)]
        if reading.meaning == vocabulary.NO and reading.whole and state is not None and ENGINE.stops_on_no(state):
            return await self._run(ctx, self.commands.by_name("huy"), "")  # "không" before anything was entered
        if reading.meaning in (vocabulary.HELLO, vocabulary.THANKS) and reading.whole and not keeps_text:
            template = T.FRIENDLY_HELLO if reading.meaning == vocabulary.HELLO else T.FRIENDLY_THANKS
            note = Reply(template.format(name=ctx.member.display_name), menu=self.commands.menu(ctx.role))
            return [note] if state is None else await ENGINE.again(ctx, state, note)
        return None

    def _allowed(self, ctx: Ctx, names: tuple[str | None, ...]) -> list[Command]:
        found = (self.commands.by_name(n) for n in dict.fromkeys(names) if n)
        return [c for c in found if c is not None and ctx.role in c.roles]

    @staticmethod
    def _which_command(commands: list[Command]) -> Reply:
        """Two commands read as well as each other: say both, and let the member type the one meant."""
        lines = [f"/{c.name} — {c.description}" for c in commands]
        return Reply("\n".join([T.ASK_WHICH_COMMAND, *lines]))

    async def _run(self, ctx: Ctx, command: Command | None, args: str) -> list[Reply]:
        if command is None:
            return [Reply(T.UNKNOWN_COMMAND)]
        if ctx.role not in command.roles:
            return [Reply(T.NOT_ALLOWED)]
        return await command.run(ctx, args)


# The commands served in a group chat, by what runs them there (their private form is in the command table).
_GROUP_COMMANDS: dict[str, Callable[[Ctx, str], Awaitable[list[Reply]]]] = {group_chat.NAME: group_chat.in_group}

# What a command typed in words takes from the line: the words after the phrase (a name to search, a one-line
# entry); the whole line, where a period or a team may stand anywhere ("tháng trước mình được bao nhiêu hộ": its
# reader leaves the other words alone); a number ("sửa lượt 12"); or nothing ("gửi thông báo cho cả tổ" is not
# the notice's text).
_REST_ARGUMENTS = frozenset({"ghinhan", "gn", "ho"})
_PERIOD_ARGUMENTS = frozenset({"tiendo", "bieudo", "xuat", "baocao"})
_NUMBER_ARGUMENTS = frozenset({"sua", "kiemtra"})


def _arguments(name: str, reading: Reading, text: str) -> str:
    """What a command typed in words takes from the line (see above)."""
    if name == "ghinhan" and (
        vocabulary.means_new_household(" ".join(reading.phrase)) or vocabulary.means_new_household(reading.rest)
    ):
        return "mới"  # "thêm hộ mới", "ghi nhận hộ mới"
    if name in _REST_ARGUMENTS:
        return reading.rest
    if name in _PERIOD_ARGUMENTS:
        return text
    if name in _NUMBER_ARGUMENTS and any(ch.isdigit() for ch in reading.rest):
        return reading.rest
    return ""


def _cleaned(inbound: Inbound) -> Inbound:
    """Every text field of what arrived, without characters that can be neither stored nor sent back (lone
    surrogates, NUL and other controls, invisible format marks): a channel may hand over anything its JSON held."""
    file = inbound.file
    if file is not None:
        file = (clean_typed(file[0]).strip() or T.FILE_NO_NAME, file[1])
    cleaned = replace(
        inbound,
        user_ref=storable(inbound.user_ref),
        chat_ref=storable(inbound.chat_ref),
        message_id=storable(inbound.message_id),
        text=clean_typed(inbound.text),
        choice=None if inbound.choice is None else storable(inbound.choice),
        display_name=None if inbound.display_name is None else clean_typed(inbound.display_name).strip() or None,
        file=file,
    )
    return inbound if cleaned == inbound else cleaned


def _normalised(inbound: Inbound) -> Inbound:
    text = nfc_lines(inbound.text)  # line breaks kept: a broadcast may be written on several lines
    return inbound if text == inbound.text else replace(inbound, text=text)
