"""/bieudo and /xuat: the progress chart, and the period's workbook (for staff also the commune report draft).

    /bieudo [kỳ] [nentang]   a member or leader: their team; staff and admin: every team (by lượt, or by the share
                             of households on a platform with "nentang"); staff may name one team: /bieudo T01
    /xuat [kỳ] [MÃ_TỔ]       a leader: their own team; staff and admin: the commune (or the team named), plus the
                             commune report draft as text and as .docx

The period is a key (2026-11, 2026-Q4, 2026); the current quarter when none is given. Pictures, workbooks and
documents are built in a worker thread, so the event loop keeps answering other people meanwhile.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass

from bot import texts as T
from bot.core.messages import Reply
from bot.core.periods import Kind, Period
from bot.core.roles import Role
from bot.core.text import excerpt, fold
from bot.flows import period_args
from bot.flows.context import Ctx
from bot.render.chart import progress_chart
from bot.render.commune_report import report_docx, report_text, vi_int
from bot.render.spreadsheet import XlsxBook
from bot.services import export as data_export
from bot.services import progress, reports
from bot.services.export import CHAT_MAX_VISITS, Scope
from bot.services.progress import CommuneFigures

COVERAGE_WORDS = frozenset({"nentang", "nen", "tang", "phu", "tyle"})


@dataclass(frozen=True)
class _Asked:
    period: Period
    team: str | None  # a team code from config, or None for the commune
    coverage: bool = False


def _asked(ctx: Ctx, args: str, command: str) -> _Asked | Reply:
    """The period, the team and the chart's measure asked for, within what the sender may see; or the reason not."""
    windows = ctx.config.reporting.windows
    current = windows.containing(Kind.QUARTER, ctx.today)
    asked = period_args.read(ctx, args)
    period, team = asked.period, asked.team.code if asked.team else None
    coverage = False
    for word in asked.left:
        if fold(word) in COVERAGE_WORDS:
            coverage = True
        else:
            return Reply(T.PERIOD_BAD_KEY.format(key=excerpt(word), command=command, example=current.key))
    if ctx.role.is_commune_wide:
        return _Asked(period or current, team, coverage)
    own = ctx.config.team(ctx.member.team_code)
    if own is None:
        return Reply(T.EXPORT_NEEDS_TEAM)
    if team is not None and team != own.code:
        return Reply(T.EXPORT_OWN_TEAM_ONLY.format(team=own.name))
    return _Asked(period or current, own.code, coverage)


def _team_name(ctx: Ctx, code: str | None) -> str:
    team = ctx.config.team(code)
    return team.name if team is not None else T.SCOPE_COMMUNE


async def chart(ctx: Ctx, args: str) -> list[Reply]:
    asked = _asked(ctx, args, "bieudo")
    if isinstance(asked, Reply):
        return [asked]
    label = asked.period.label()
    if asked.team is not None:
        team = await progress.team_figures(ctx.session, ctx.config, asked.team, asked.period)
        png = await asyncio.to_thread(progress_chart, team, ctx.config)
        return [Reply(T.CHART_CAPTION_TEAM.format(team=team.team_name, period=label), image=png)]
    commune = await progress.commune_figures(ctx.session, ctx.config, asked.period)
    metric = "coverage" if asked.coverage else "luot"
    png = await asyncio.to_thread(progress_chart, commune, ctx.config, metric)
    if asked.coverage:
        caption = T.CHART_CAPTION_COVERAGE.format(period=label)
    else:
        caption = T.CHART_CAPTION_COMMUNE.format(period=label, key=asked.period.key)
    return [Reply(caption, image=png)]


async def export(ctx: Ctx, args: str) -> list[Reply]:
    if ctx.role is Role.MEMBER:  # the router already refuses members; kept here so no other path can skip it
        return [Reply(T.NOT_ALLOWED)]
    asked = _asked(ctx, args, "xuat")
    if isinstance(asked, Reply):
        return [asked]
    scope = Scope(asked.period, asked.team)
    config = ctx.config
    visits = await data_export.count_visits(ctx.session, config, scope)
    if visits > CHAT_MAX_VISITS:
        return [_too_big(scope, visits, ctx)]
    figures = await data_export.figures_for(ctx.session, config, scope)
    buffer = io.BytesIO()
    book = XlsxBook(buffer)
    rows = await data_export.write(ctx.session, config, scope, book, figures)
    await asyncio.to_thread(book.close)
    await data_export.record_export(ctx.session, ctx.now, ctx.member.id, scope, "xlsx", rows)
    caption = T.EXPORT_CAPTION.format(
        scope=_team_name(ctx, scope.team_code),
        period=scope.period.label(),
        households=vi_int(rows[T.SHEET_HOUSEHOLDS]),
        visits=vi_int(rows[T.SHEET_VISITS]),
    )
    replies = [Reply(caption, document=(data_export.file_name(scope, config), buffer.getvalue()))]
    if isinstance(figures, CommuneFigures):
        replies.extend(await _report_draft(ctx, scope.period, figures))
    return replies


async def _report_draft(ctx: Ctx, period: Period, figures: CommuneFigures) -> list[Reply]:
    texts = await reports.submitted_texts(ctx.session, period.key)
    docx = await asyncio.to_thread(report_docx, figures, ctx.config, texts)
    await data_export.record_export(ctx.session, ctx.now, ctx.member.id, Scope(period), "docx", {})
    caption = T.REPORT_DRAFT_CAPTION.format(period=period.label())
    document = (T.REPORT_DRAFT_FILE.format(period=period.key), docx)
    return [Reply(report_text(figures, ctx.config, texts)), Reply(caption, document=document)]


def _too_big(scope: Scope, visits: int, ctx: Ctx) -> Reply:
    return Reply(
        T.EXPORT_TOO_BIG.format(
            period=scope.period.label(),
            visits=vi_int(visits),
            limit=vi_int(CHAT_MAX_VISITS),
            command=data_export.cli_command(scope, ctx.config),
        )
    )
