"""A scripted user talking to the router, as a channel would: types text, presses offered options."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from itertools import count

from bot.core.messages import Inbound, InboundKind, Reply, callback_data
from bot.core.roles import Role
from bot.handlers.router import Router
from bot.services import invites
from bot.services.deps import Deps

_ids = count(1)


class Chat:
    def __init__(self, router: Router, user_ref: str, channel: str = "test", name: str = "Người thử") -> None:
        self.router = router
        self.user_ref = user_ref
        self.channel = channel
        self.name = name
        self.replies: list[Reply] = []

    @property
    def last(self) -> Reply:
        return self.replies[-1]

    @property
    def prompt(self) -> Reply:
        """The newest reply that offers options."""
        return next(r for r in reversed(self.replies) if r.options)

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)

    async def send(self, inbound: Inbound) -> list[Reply]:
        handled = await self.router.handle(inbound)
        self.replies = handled.replies
        return self.replies

    async def say(self, text: str) -> list[Reply]:
        return await self.send(self._inbound(text=text))

    async def press_data(self, data: str) -> list[Reply]:
        return await self.send(self._inbound(choice=data, kind=InboundKind.CHOICE))

    async def press(self, label_part: str) -> list[Reply]:
        """Press the option of the newest prompt whose label contains `label_part`."""
        prompt = self.prompt
        for index, option in enumerate(prompt.options):
            if label_part.casefold() in option.label.casefold():
                assert prompt.token, "prompt without a token"
                return await self.press_data(callback_data(prompt.token, index))
        raise AssertionError(f"no option {label_part!r} in {[o.label for o in prompt.options]}")

    def labels(self) -> list[str]:
        return [o.label for o in self.prompt.options]

    def _inbound(self, text: str = "", choice: str | None = None, kind: InboundKind = InboundKind.TEXT) -> Inbound:
        return Inbound(
            channel=self.channel,
            user_ref=self.user_ref,
            chat_ref=self.user_ref,
            message_id=str(next(_ids)),
            text=text,
            choice=choice,
            kind=kind,
            display_name=self.name,
        )

    async def send_file(self, name: str, content: bytes | None) -> list[Reply]:
        """Send a document, as a channel delivers one; `content` None: the channel could not download it."""
        inbound = replace(self._inbound(kind=InboundKind.FILE), file=None if content is None else (name, content))
        return await self.send(inbound)


async def new_code(deps: Deps, role: Role, team: str | None, name: str | None = None) -> str:
    async with deps.store.session() as session:
        _, code = await invites.create(session, deps.clock.now(), timedelta(hours=72), role, team, name)
    return code


async def joined(router: Router, deps: Deps, user_ref: str, role: Role = Role.MEMBER, team: str | None = "T01") -> Chat:
    """A chat whose user has joined with a fresh invite."""
    chat = Chat(router, user_ref)
    await chat.say(f"/start {await new_code(deps, role, team, name=f'{role.value} {user_ref}')}")
    assert "Chào mừng" in chat.text, chat.text
    return chat
