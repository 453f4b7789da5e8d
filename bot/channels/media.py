"""Pictures and files for channels that can only send them by URL (the Zalo Bot API takes a photo's address).

The bytes stay in memory under an unguessable token for a limited time and are served by the bot's own web
server at GET /media/{token}. Nothing is written to disk, and an expired or unknown token is a plain 404.
"""

from __future__ import annotations

import mimetypes
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from aiohttp import web

from bot.core.clock import Clock

ROUTE = "/media/{token}"
MAX_ITEMS = 500  # the oldest item is dropped beyond this
MAX_TOTAL_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class MediaItem:
    content: bytes
    content_type: str
    filename: str | None
    expires_at: datetime


def guess_content_type(content: bytes, filename: str | None = None) -> str:
    """PNG and JPEG are recognised by their first bytes; other files by the name's extension."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if filename:
        guessed, _ = mimetypes.guess_type(filename)
        if guessed:
            return guessed
    return "application/octet-stream"


class MediaStore:
    """In-memory, expiring store of pictures and files, addressed by tokens from `secrets.token_urlsafe(24)`."""

    def __init__(self, clock: Clock, ttl: timedelta = timedelta(hours=24)) -> None:
        self.clock = clock
        self.ttl = ttl
        self._items: OrderedDict[str, MediaItem] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def put(self, content: bytes, filename: str | None = None, content_type: str | None = None) -> str:
        """Keep `content` until the time-to-live has passed; return its token."""
        self.prune()
        token = secrets.token_urlsafe(24)
        item = MediaItem(
            content=content,
            content_type=content_type or guess_content_type(content, filename),
            filename=filename,
            expires_at=self.clock.now() + self.ttl,
        )
        self._items[token] = item
        self._bytes += len(content)
        while self._items and (len(self._items) > MAX_ITEMS or self._bytes > MAX_TOTAL_BYTES):
            _, dropped = self._items.popitem(last=False)
            self._bytes -= len(dropped.content)
        return token

    def get(self, token: str) -> MediaItem | None:
        item = self._items.get(token)
        if item is None:
            return None
        if item.expires_at <= self.clock.now():
            self._drop(token)
            return None
        return item

    def prune(self) -> int:
        now = self.clock.now()
        expired = [t for t, item in self._items.items() if item.expires_at <= now]
        for token in expired:
            self._drop(token)
        return len(expired)

    def _drop(self, token: str) -> None:
        item = self._items.pop(token, None)
        if item is not None:
            self._bytes -= len(item.content)


def media_url(public_base_url: str, token: str) -> str:
    return f"{public_base_url.rstrip('/')}/media/{token}"


def add_media_route(app: web.Application, store: MediaStore) -> None:
    """Serve the store's items at GET /media/{token}."""

    async def serve(request: web.Request) -> web.StreamResponse:
        item = store.get(request.match_info["token"])
        if item is None:
            raise web.HTTPNotFound()
        headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
        if item.filename and not item.content_type.startswith("image/"):
            headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(item.filename)}"
        return web.Response(body=item.content, content_type=item.content_type, headers=headers)

    app.router.add_get(ROUTE, serve)
