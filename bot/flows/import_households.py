"""A household list sent in chat by commune staff: choose the team, see what would change, then import.

The file waits in the `upload` table while the flow runs and is deleted when it finishes or is cancelled.
The text of a report is built here and also used by `sotay import households`.
"""

from __future__ import annotations

from bot import texts as T
from bot.core import vocabulary
from bot.core.messages import Option, Reply
from bot.core.phone import display_phone
from bot.core.tabular import Table, TableError, TableProblem, read_table
from bot.flows.context import Ctx
from bot.flows.engine import Answer, Finish, Flow, Go, Outcome, Stay, Step
from bot.services import household_import
from bot.services.household_import import Action, ImportReport, Like, Note, Remark, RowResult
from bot.services.household_match import Reason

NAME = household_import.FLOW_NAME
CHAT_DETAILS = 15
_APPLY, _CANCEL = "apply", "cancel"


# --- texts shared with the command line ------------------------------------------------------------------------
def table_error_text(err: TableError) -> str:
    """Why a file is not a readable household list, in words for the user."""
    if err.problem is TableProblem.NO_HEADER:
        if not err.found:
            return T.TABLE_NO_HEADER_EMPTY
        missing = ", ".join(f"“{T.FIELD_LABELS[f.value]}”" for f in err.missing)
        return T.TABLE_NO_HEADER.format(missing=missing, found=", ".join(err.found))
    return {
        TableProblem.EMPTY: T.TABLE_EMPTY,
        TableProblem.OLD_EXCEL: T.TABLE_OLD_EXCEL,
        TableProblem.BAD_XLSX: T.TABLE_BAD_XLSX,
        TableProblem.ENCODING: T.TABLE_ENCODING,
    }[err.problem]


def _household(name: str, address: str) -> str:
    return T.IMPORT_HOUSEHOLD.format(name=name, address=address)


def _like(like: Like) -> str:
    text = (
        T.IMPORT_LIKE_ROW.format(row=like.row, household=_household(like.name, like.address))
        if like.household_id is None
        else T.IMPORT_LIKE_HOUSEHOLD.format(household=_household(like.name, like.address))
    )
    return text + (T.IMPORT_LIKE_PHONE if like.reason is Reason.PHONE else "")


def _remark(remark: Remark, like: Like | None) -> str:
    value = remark.value
    if remark.note is Note.PHONE_UNUSUAL:
        value = display_phone(value) if value.startswith("+") else value
    return T.IMPORT_NOTES[remark.note.value].format(value=value, other=_like(like) if like else "")


def row_line(result: RowResult) -> str:
    """One line of detail about a row: what happens to it and why."""
    household = _household(result.name, result.address)
    if result.action is Action.BAD:
        reason = T.IMPORT_PROBLEMS[result.problem.value] if result.problem else ""
        return T.IMPORT_ROW_BAD.format(row=result.row, reason=reason)
    notes = "; ".join(_remark(r, result.like) for r in result.remarks)
    if result.action is Action.UNCHANGED:
        return T.IMPORT_ROW_NOTES.format(row=result.row, household=household, notes=notes)
    if result.action is Action.DUPLICATE and result.like is not None:
        line = T.IMPORT_ROW_DUPLICATE.format(row=result.row, household=household, other=_like(result.like))
    elif result.action is Action.UPDATE:
        changes = ", ".join(T.IMPORT_CHANGES[c] for c in result.changes)
        line = T.IMPORT_ROW_UPDATE.format(row=result.row, household=household, changes=changes)
    else:
        line = T.IMPORT_ROW_CREATE.format(row=result.row, household=household)
    return f"{line} ({notes})" if notes else line


def _details(report: ImportReport) -> list[RowResult]:
    """Rows worth a line, most urgent first: bad, duplicate, updated, any with a remark, then the created ones."""
    urgent = [r for action in (Action.BAD, Action.DUPLICATE, Action.UPDATE) for r in report.rows(action)]
    remarked = [r for r in report.results if r.remarks and r.action in (Action.CREATE, Action.UNCHANGED)]
    plain = [r for r in report.rows(Action.CREATE) if not r.remarks]
    return urgent + remarked + plain


def report_text(report: ImportReport, team_name: str, limit: int) -> str:
    """The counts of an import (preview or result) and up to `limit` lines of detail."""
    lines: list[str] = []
    if report.sheet is not None:
        lines.append(T.IMPORT_SOURCE_SHEET.format(sheet=report.sheet, row=report.header_row))
    else:
        lines.append(T.IMPORT_SOURCE_CSV.format(row=report.header_row))
    if report.ignored:
        lines.append(T.IMPORT_IGNORED.format(columns=", ".join(report.ignored)))
    title = T.IMPORT_RESULT if report.applied else T.IMPORT_PREVIEW
    lines.append(title.format(team=team_name, rows=len(report.results)))
    counts = (
        (Action.CREATE, T.IMPORT_COUNT_CREATE),
        (Action.UPDATE, T.IMPORT_COUNT_UPDATE),
        (Action.UNCHANGED, T.IMPORT_COUNT_UNCHANGED),
        (Action.DUPLICATE, T.IMPORT_COUNT_DUPLICATE),
        (Action.BAD, T.IMPORT_COUNT_BAD),
    )
    lines += [text.format(n=report.count(action)) for action, text in counts if report.count(action)]
    masked = sum(1 for r in report.results if any(x.note is Note.CITIZEN_ID for x in r.remarks))
    if masked:
        lines.append(T.IMPORT_COUNT_CITIZEN_IDS.format(n=masked))
    details = _details(report)
    if details:
        lines.append(T.IMPORT_DETAILS)
        lines += [row_line(r) for r in details[:limit]]
        if len(details) > limit:
            lines.append(T.IMPORT_MORE.format(n=len(details) - limit))
    if report.count(Action.DUPLICATE):
        lines.append(T.IMPORT_DUPLICATE_HINT)
    if report.count(Action.CREATE):
        lines.append(T.IMPORT_CONSENT_NOTE)
    return "\n".join(lines)


# --- the flow --------------------------------------------------------------------------------------------------
def _team_name(ctx: Ctx) -> str:
    team = ctx.config.team(ctx.data.get("team"))
    return team.name if team else str(ctx.data.get("team", ""))


async def _report(ctx: Ctx) -> ImportReport | None:
    """Plan the import of the uploaded file into the chosen team; None when the file is gone or unreadable."""
    upload = await household_import.load_upload(ctx.session, int(ctx.data["upload"]), ctx.member.id or 0)
    if upload is None:
        return None
    try:
        table: Table = read_table(upload.name, upload.content)
    except TableError:
        return None
    try:
        return await household_import.plan(ctx.session, ctx.data["team"], table)
    finally:
        table.close()


async def _finish(ctx: Ctx, *replies: Reply) -> Outcome:
    await household_import.drop_upload(ctx.session, int(ctx.data["upload"]), ctx.now)
    return Finish(replies)


async def _preview(ctx: Ctx) -> Outcome:
    """Show what the import would do, or finish at once when there is nothing to do."""
    report = await _report(ctx)
    if report is None:
        return await _finish(ctx, Reply(T.IMPORT_UPLOAD_GONE))
    summary = report_text(report, _team_name(ctx), CHAT_DETAILS)
    if not report.has_changes:
        return await _finish(ctx, Reply(T.IMPORT_NOTHING_TO_DO.format(summary=summary)))
    ctx.data["summary"] = summary
    return Go("confirm")


async def start(ctx: Ctx, args: str) -> Outcome:
    upload = await household_import.load_upload(ctx.session, int(args), ctx.member.id or 0)
    if upload is None:
        return Finish((Reply(T.IMPORT_UPLOAD_GONE),))
    ctx.data.update(upload=upload.id, name=upload.name)
    if len(ctx.config.teams) == 1:
        ctx.data["team"] = ctx.config.teams[0].code
        return await _preview(ctx)
    return Go("team")


async def team_prompt(ctx: Ctx) -> Reply:
    options = tuple(Option(t.code, t.name, (t.code,)) for t in ctx.config.teams)
    return Reply(T.IMPORT_ASK_TEAM.format(name=ctx.data["name"]), (*options, _cancel_option()))


def _cancel_option() -> Option:
    return Option(_CANCEL, T.IMPORT_BTN_CANCEL, ("huy bo", "khong"), means=vocabulary.NO)  # "huy" alone is /huy


async def team_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    if answer.keys[0] == _CANCEL:
        return await _finish(ctx, Reply(T.IMPORT_CANCELLED))
    ctx.data["team"] = answer.keys[0]
    return await _preview(ctx)


async def confirm_prompt(ctx: Ctx) -> Reply:
    return Reply(
        T.IMPORT_CONFIRM.format(summary=ctx.data["summary"], team=_team_name(ctx)),
        (
            Option(_APPLY, T.IMPORT_BTN_APPLY, ("nhap vao so", "dong y", "ok", "co", "luu"), means=vocabulary.YES),
            _cancel_option(),
        ),
    )


async def confirm_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.IMPORT_CONFIRM_HINT)
    if answer.keys[0] == _CANCEL:
        return await _finish(ctx, Reply(T.IMPORT_CANCELLED))
    report = await _report(ctx)  # planned again: the register may have changed since the preview
    if report is None:
        return await _finish(ctx, Reply(T.IMPORT_UPLOAD_GONE))
    await household_import.apply(ctx.session, report, ctx.now, ctx.member.id, source="chat")
    summary = report_text(report, _team_name(ctx), CHAT_DETAILS)
    return await _finish(ctx, Reply(T.IMPORT_DONE.format(team=_team_name(ctx), summary=summary)))


FLOW = Flow(
    name=NAME,
    title=T.FLOW_TITLE_IMPORT,
    start=start,
    steps={"team": Step(team_prompt, team_answer, stops_on_no=True), "confirm": Step(confirm_prompt, confirm_answer)},
)
