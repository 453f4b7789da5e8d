"""The terminal channel: one line in, the bot's replies out. Scriptable from standard input.

`/tep PATH` (or `/file PATH`) sends a local file as if it were attached, so the demo can import a list. A picture
or a file the bot sends (a chart, a workbook, a report draft) is saved under `files_dir` and its path printed.
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
DEFAULT_FILES_DIR = Path("data") / "demo-tep"  # where the demo saves the pictures and files the bot sends
CHART_FILE = "bieu-do-{n}.png"


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
        files_dir: Path = DEFAULT_FILES_DIR,
    ) -> None:
        self.router = router
        self.files_dir = files_dir
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
            text = render(reply)
            saved = await self._save_attachment(reply)
            if saved is not None:
                text = f"{text}\n{saved}" if text.strip() else saved
            self.write(text)
        return handled.replies

    async def _save_attachment(self, reply: Reply) -> str | None:
        """Save the reply's picture or file where the user can open it; the line that says where (or why not)."""
        if reply.document is not None:
            name, content = reply.document
        elif reply.image is not None:
            name, content = CHART_FILE.format(n=uuid.uuid4().hex[:6]), reply.image
        else:
            return None
        path = self.files_dir / Path(name).name  # never a path the sender chose
        try:
            await asyncio.to_thread(_write_file, path, content)
        except OSError as err:
            return T.CONSOLE_FILE_NOT_SAVED.format(name=path.name, reason=err.strerror or type(err).__name__)
        return T.CONSOLE_FILE_SAVED.format(path=path)

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


def _write_file(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
