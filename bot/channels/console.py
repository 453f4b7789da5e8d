"""The terminal channel: one line in, the bot's replies out. Scriptable from standard input.

`/tep PATH` (or `/file PATH`) sends a local file as if it were attached, so the demo can import a list.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path
from typing import TextIO

from bot import texts as T
from bot.core.messages import Inbound, InboundKind, Reply
from bot.handlers.router import Router
from bot.render.numbered import numbered_text

CHANNEL = "console"
PROMPT = "› "
FILE_COMMANDS = ("/tep", "/file")  # "/tep data/ds_ho.xlsx" sends that local file, as an attachment would


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
        command, _, rest = line.strip().partition(" ")
        if command.lower() in FILE_COMMANDS:
            return await self.send_file(rest)
        return await self._send(self._inbound(text=line))

    async def send_file(self, path_text: str) -> list[Reply]:
        """Send a local file as a document; a path that cannot be read is answered here, nothing is sent."""
        path = Path(path_text.strip().strip("\"'"))
        try:
            content = await asyncio.to_thread(lambda: path.expanduser().read_bytes())
        except OSError as err:
            reason = T.FILE_ERRORS.get(type(err).__name__, err.strerror or type(err).__name__)
            self.write(T.CONSOLE_FILE_NOT_FOUND.format(path=path, reason=reason))
            return []
        return await self._send(self._inbound(kind=InboundKind.FILE, file=(path.name, content)))

    def _inbound(
        self, text: str = "", kind: InboundKind = InboundKind.TEXT, file: tuple[str, bytes] | None = None
    ) -> Inbound:
        return Inbound(
            channel=CHANNEL,
            user_ref=self.user_ref,
            chat_ref=self.user_ref,
            message_id=uuid.uuid4().hex,
            text=text,
            kind=kind,
            file=file,
        )

    async def _send(self, inbound: Inbound) -> list[Reply]:
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
