"""/thongbao and "Đã nhận": broadcasts from staff and leaders, and members acknowledging them.

Filled in by issue 6's broadcast work.
"""

from __future__ import annotations

from bot import texts as T
from bot.core.messages import Reply
from bot.flows.context import Ctx

ACK_PREFIX = "ack:"  # Telegram callback data of the "Đã nhận" button: ack:<recipient token>


async def compose(ctx: Ctx, args: str) -> list[Reply]:
    """/thongbao: compose, preview with the number of recipients, confirm; or see who received and acknowledged."""
    return [Reply(T.NOT_ALLOWED)]


async def acknowledge(ctx: Ctx, args: str) -> list[Reply]:
    """A typed "đã nhận" (Zalo has no buttons): acknowledges the sender's latest unacknowledged broadcast."""
    return [Reply(T.NOT_ALLOWED)]


async def acknowledge_button(ctx: Ctx, data: str) -> list[Reply]:
    """The "✅ Đã nhận" button (callback data `ack:<token>`): only the recipient the token was made for counts."""
    return [Reply(T.BUTTON_OUTDATED)]
