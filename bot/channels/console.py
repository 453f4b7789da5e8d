"""The terminal channel: one line in, the bot's replies out. Scriptable from standard input."""

from __future__ import annotations

import asyncio
import sys
import uuid
from typing import TextIO

from bot import texts as T
from bot.core.messages import Inbound, Reply
from bot.handlers.router import Router
from bot.render.numbered import numbered_text

CHANNEL = "console"
PROMPT = "› "


def render(reply: Reply) -> str:
    text = numbered_text(reply)
    if reply.menu:
        text += "\n" + T.MENU_LINE.format(items=" · ".join(reply.menu))
    return text


class ConsoleChannel:
    def __init__(
        self,
        router: Router,
        user_ref: str,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
        interactive: bool | None = None,
    ) -> None:
        self.router = router
        self.user_ref = user_ref
        self.stdin = stdin
        self.stdout = stdout
        self.interactive = stdin.isatty() if interactive is None else interactive

    async def send_line(self, line: str) -> list[Reply]:
        inbound = Inbound(
            channel=CHANNEL,
            user_ref=self.user_ref,
            chat_ref=self.user_ref,
            message_id=uuid.uuid4().hex,
            text=line,
        )
        handled = await self.router.handle(inbound)
        for reply in handled.replies:
            self.write(render(reply))
        return handled.replies

    def write(self, text: str) -> None:
        self.stdout.write(text + "\n\n")
        self.stdout.flush()

    async def run(self) -> None:
        """Read lines until end of input (Ctrl+D) or /thoat."""
        loop = asyncio.get_running_loop()
        while True:
            if self.interactive:
                self.stdout.write(PROMPT)
                self.stdout.flush()
            line = await loop.run_in_executor(None, self.stdin.readline)
            if not line:
                return
            line = line.strip()
            if not line:
                continue
            if line.lower() in ("/thoat", "/exit", "/quit"):
                return
            if not self.interactive:
                self.stdout.write(f"{PROMPT}{line}\n")
            await self.send_line(line)
