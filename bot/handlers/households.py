"""/hocuatoi, /ho, /canquaylai, /phancong: the team's households, their status, and who looks after them."""

from __future__ import annotations

from bot.core.messages import Reply
from bot.flows import assign, household_card
from bot.flows.context import Ctx
from bot.flows.registry import ENGINE
from bot.handlers.basics import team_required


async def mine(ctx: Ctx, args: str) -> list[Reply]:
    return team_required(ctx) or await ENGINE.start(ctx, household_card.MINE, args)


async def find(ctx: Ctx, args: str) -> list[Reply]:
    return team_required(ctx) or await ENGINE.start(ctx, household_card.FIND, args)


async def returns(ctx: Ctx, args: str) -> list[Reply]:
    return team_required(ctx) or await ENGINE.start(ctx, household_card.RETURNS, args)


async def assign_households(ctx: Ctx, args: str) -> list[Reply]:
    return team_required(ctx) or await ENGINE.start(ctx, assign.NAME, args)
