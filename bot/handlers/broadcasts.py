"""/thongbao and "Đã nhận": broadcasts from staff and leaders, and members acknowledging them."""

from __future__ import annotations

from bot import texts as T
from bot.core.messages import Reply
from bot.flows import broadcast as broadcast_flow
from bot.flows.context import Ctx
from bot.flows.registry import ENGINE
from bot.services import broadcasts
from bot.services.broadcasts import ACK_PREFIX, Ack, AckOutcome

__all__ = ["ACK_PREFIX", "acknowledge", "acknowledge_button", "compose"]


async def compose(ctx: Ctx, args: str) -> list[Reply]:
    """/thongbao: compose, preview with the number of recipients, confirm; or see who received and acknowledged."""
    return await ENGINE.start(ctx, broadcast_flow.NAME, args)


def _at(ctx: Ctx, ack: Ack) -> str:
    return ack.acknowledged_at.astimezone(ctx.config.tz).strftime("%H:%M %d/%m/%Y") if ack.acknowledged_at else ""


def _answer(ctx: Ctx, ack: Ack, typed: bool) -> Reply:
    if ack.outcome is AckOutcome.REFUSED:
        return Reply(T.BUTTON_OUTDATED)  # the same as any forged press: nothing about the broadcast
    if ack.outcome is AckOutcome.NOTHING:
        return Reply(T.BROADCAST_ACK_NOTHING)
    if ack.outcome is AckOutcome.ALREADY:
        return Reply(T.BROADCAST_ACK_ALREADY.format(sender=ack.sender_name, at=_at(ctx, ack)))
    text = T.BROADCAST_ACK_DONE.format(sender=ack.sender_name)
    if typed and ack.remaining:
        text += "\n" + T.BROADCAST_ACK_MORE.format(n=ack.remaining)
    return Reply(text)


async def acknowledge(ctx: Ctx, args: str) -> list[Reply]:
    """A typed "đã nhận" (Zalo has no buttons): acknowledges the sender's latest unacknowledged broadcast."""
    ack = await broadcasts.acknowledge_latest(ctx.session, ctx.member.id or 0, ctx.inbound.channel, ctx.now)
    return [_answer(ctx, ack, typed=True)]


async def acknowledge_button(ctx: Ctx, data: str) -> list[Reply]:
    """The "✅ Đã nhận" button (callback data `ack:<token>`): only the recipient the token was made for counts."""
    token = data.removeprefix(ACK_PREFIX)
    ack = await broadcasts.acknowledge_token(ctx.session, token, ctx.member.id or 0, ctx.inbound.channel, ctx.now)
    return [_answer(ctx, ack, typed=False)]
