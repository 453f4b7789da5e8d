"""The "which day" step shared by every flow that dates a visit; the day lives in ctx.data["day"] (ISO)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from bot import texts as T
from bot.core.clock import format_date
from bot.core.dates import parse_day
from bot.core.messages import Option, Reply
from bot.flows.context import Ctx
from bot.flows.engine import Answer, Go, Outcome, Stay
from bot.services import period_locks
from bot.services.period_locks import ClosedDay, DayProblem

DAY_KEY = "day"


def chosen_day(ctx: Ctx) -> date:
    """The visit's day: what the member chose, else today."""
    value = ctx.data.get(DAY_KEY)
    return date.fromisoformat(value) if value else ctx.today


def closed_day_text(closed: ClosedDay, day: date) -> str:
    if closed.problem is DayProblem.FUTURE:
        return T.DAY_FUTURE.format(day=format_date(day))
    if closed.problem is DayProblem.TOO_OLD:
        return T.DAY_TOO_OLD.format(day=format_date(day), earliest=format_date(closed.earliest or day))
    return T.DAY_LOCKED.format(day=format_date(day), period=closed.period_key)


async def why_closed(ctx: Ctx, team_code: str, day: date) -> str | None:
    """The Vietnamese reason a visit of the team cannot be dated `day`, or None when it can."""
    closed = await period_locks.check_day(ctx.session, team_code, day, ctx.today, ctx.config.visits.backdate_days)
    return None if closed is None else closed_day_text(closed, day)


def day_step(next_step: str) -> tuple[Callable[[Ctx], Awaitable[Reply]], Callable[[Ctx, Answer], Awaitable[Outcome]]]:
    """Prompt and answer functions for a step that sets the day and then goes to `next_step`."""

    async def prompt(ctx: Ctx) -> Reply:
        return Reply(
            T.DAY_ASK.format(day=format_date(chosen_day(ctx))),
            (
                Option("d0", T.DAY_TODAY.format(day=format_date(ctx.today)), ("hom nay", "nay")),
                Option("d1", T.DAY_YESTERDAY.format(day=format_date(ctx.today - timedelta(days=1))), ("hom qua",)),
            ),
        )

    async def answer(ctx: Ctx, answer: Answer) -> Outcome:
        if answer.keys:
            day = ctx.today - timedelta(days=int(answer.keys[0][1:]))
        else:
            parsed = parse_day(answer.text, ctx.today)
            if parsed is None:
                return Stay(T.DAY_INVALID)
            day = parsed
        reason = await why_closed(ctx, ctx.member.team_code or "", day)
        if reason is not None:
            return Stay(reason)
        ctx.data[DAY_KEY] = day.isoformat()
        return Go(next_step)

    return prompt, answer
