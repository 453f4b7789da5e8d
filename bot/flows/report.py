"""/baocao: a team leader previews the period's report, writes its text parts and submits it; commune staff see
which teams have reported, open a team's submitted report and may reopen it.

Leader: choose → preview ⇄ edit (one text part) → confirm → submitted. Staff: board → team → view → reopen.
ctx.data: "team" (team code) and "period" (period key) of the report at hand; the leader's "part" being written;
staff's "periods" (the keys the board shows).

A preview shows the figures as a submission now would store them, and a submitted report its snapshot; both
are rendered from the same stored form (reports.snapshot) by `figure_lines`, so they read alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import texts as T
from bot.core import vocabulary
from bot.core.clock import format_date
from bot.core.messages import Option, Reply
from bot.core.periods import Period, is_on_time
from bot.core.roles import Role
from bot.core.rounding import percent
from bot.flows import period_args
from bot.flows.context import Ctx
from bot.flows.engine import Answer, Finish, Flow, Go, Outcome, Stay, Step
from bot.services import audit, notify, period_locks, reports
from bot.services.reports import Problem, ReportError, Standing, Status, TeamStanding
from bot.store.models import Report

NAME = "report"
BOARD_NAME = "report_board"
_SUBMIT, _LATER, _CLOSE, _BACK, _OTHER, _CLEAR, _CONFIRM, _REOPEN = (
    "submit",
    "later",
    "close",
    "back",
    "other",
    "clear",
    "confirm",
    "reopen",
)
_PART_WORDS = {  # what a leader types for a text part, short of its whole name
    "good_practices": ("mo hinh", "mo hinh hay", "cach lam"),
    "difficulties": ("kho khan", "vuong mac"),
    "proposals": ("de xuat", "kien nghi"),
}
_TEAM_PREFIX = "t:"


# --- reading the command's words ------------------------------------------------------------------------------
def parse_args(ctx: Ctx, args: str) -> tuple[str | None, Period | None] | str:
    """ "T01 2026-Q4" → (team code, period); either may be missing. A string is the reason it could not be read."""
    asked = period_args.read(ctx, args)
    for word in asked.left:
        if word[:1].isalpha() and any(ch.isdigit() for ch in word):  # "T09": the shape of a team code
            codes = ", ".join(t.code for t in ctx.config.teams)
            return T.REPORT_UNKNOWN_TEAM.format(code=word.upper(), codes=codes)
        return T.REPORT_USAGE
    return (asked.team.code if asked.team else None), asked.period


# --- display --------------------------------------------------------------------------------------------------
def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _team_name(ctx: Ctx, code: str) -> str:
    team = ctx.config.team(code)
    return team.name if team is not None else code


def _period(ctx: Ctx) -> Period:
    period = ctx.config.reporting.windows.parse(ctx.data["period"])
    assert period is not None, "a stored period key always parses"
    return period


def _at(ctx: Ctx, at: datetime) -> str:
    return at.astimezone(ctx.config.tz).strftime("%H:%M %d/%m/%Y")


def _day(ctx: Ctx, at: datetime) -> str:
    return at.astimezone(ctx.config.tz).strftime("%d/%m")


def _pct(n: int, total: int) -> str:
    return f"{percent(n, total)}%" if total else T.REPORT_PCT_NONE


def figure_lines(ctx: Ctx, figures: dict[str, Any]) -> list[str]:
    """The key figures of a team's period, from their stored form (a snapshot, or what one would store now)."""
    registered = int(figures.get("households_registered", 0))
    skills: dict[str, int] = figures.get("skills", {})
    done = [f"{s.label} {skills[s.code]}" for s in ctx.config.skills if skills.get(s.code)]
    done += [f"{code} {n}" for code, n in skills.items() if n and code not in ctx.config.skill_by_code]
    priority: dict[str, int] = figures.get("priority_reached", {})
    targets = ctx.config.targets
    return [
        T.REPORT_FIG_HOUSEHOLDS.format(
            reached=figures.get("households_reached", 0),
            new=figures.get("households_new", 0),
            cumulative=figures.get("households_cumulative", 0),
            registered=registered,
        ),
        T.REPORT_FIG_LUOT.format(
            luot=figures.get("luot", 0), target=figures.get("luot_target", 0), visits=figures.get("visits", 0)
        ),
        T.REPORT_FIG_SKILLS.format(skills=", ".join(done) if done else T.REPORT_FIG_NO_SKILLS),
        T.REPORT_FIG_PLATFORM.format(
            n=figures.get("platform_households", 0),
            registered=registered,
            pct=_pct(int(figures.get("platform_households", 0)), registered),
            target=targets.platform_coverage_pct,
        ),
        T.REPORT_FIG_BDHVS.format(
            n=figures.get("bdhvs_households", 0),
            registered=registered,
            pct=_pct(int(figures.get("bdhvs_households", 0)), registered),
            target=targets.bdhvs_coverage_pct,
        ),
        T.REPORT_FIG_PRIORITY.format(
            elderly=priority.get("elderly", 0),
            ethnic_minority=priority.get("ethnic_minority", 0),
            no_device=priority.get("no_device", 0),
        ),
        T.REPORT_FIG_MEMBERS.format(active=figures.get("active_members", 0), total=figures.get("member_count", 0)),
    ]


def part_lines(texts: dict[str, str]) -> list[str]:
    """The text parts as bullets: numbers would clash with the numbered options below them on Zalo."""
    return [
        T.REPORT_PART_LINE.format(label=T.REPORT_PARTS[part], text=texts.get(part) or T.REPORT_PART_EMPTY)
        for part in reports.TEXT_PARTS
    ]


def _first_submission_line(ctx: Ctx, st: TeamStanding, report: Report) -> str:
    first = report.first_submitted_at or report.submitted_at
    assert first is not None
    due = format_date(st.due_on)
    if report.on_time:
        return T.REPORT_SUBMITTED_ON_TIME.format(at=_at(ctx, first), due=due)
    days = reports.late_days(st.due_on, reports.local_day(ctx.config, first))
    return T.REPORT_SUBMITTED_LATE.format(at=_at(ctx, first), days=days, due=due)


def status_lines(ctx: Ctx, st: TeamStanding) -> list[str]:
    """Where the report stands: the deadline and days left, or when it was submitted and whether on time."""
    report = st.report
    if st.standing is Standing.NOT_DUE:
        return [T.REPORT_DUE_AHEAD.format(due=format_date(st.due_on), days=st.days)]
    if st.standing is Standing.MISSING or report is None:
        return [T.REPORT_DUE_PASSED.format(due=format_date(st.due_on), days=st.days)]
    lines = [_first_submission_line(ctx, st, report)]
    if st.standing is Standing.REOPENED and report.reopened_at is not None:
        lines.append(T.REPORT_REOPENED_AT.format(at=_at(ctx, report.reopened_at)))
    elif report.submitted_at is not None and report.submitted_at != report.first_submitted_at:
        lines.append(T.REPORT_RESUBMITTED_AT.format(at=_at(ctx, report.submitted_at)))
    return lines


def option_label(ctx: Ctx, st: TeamStanding) -> str:
    """A report as one line of a list: its period and where it stands."""
    period = _cap(st.period.label())
    report = st.report
    if st.standing is Standing.ON_TIME and report is not None and report.first_submitted_at is not None:
        return T.REPORT_OPT_ON_TIME.format(period=period, day=_day(ctx, report.first_submitted_at))
    if st.standing is Standing.LATE:
        return T.REPORT_OPT_LATE.format(period=period, days=st.days)
    if st.standing is Standing.REOPENED:
        return T.REPORT_OPT_REOPENED.format(period=period)
    draft = T.REPORT_OPT_DRAFT if report is not None and report.texts else ""
    if st.standing is Standing.MISSING:
        return T.REPORT_OPT_OVERDUE.format(period=period, days=st.days) + draft
    return T.REPORT_OPT_DUE.format(period=period, due=format_date(st.due_on), days=st.days) + draft


def mark(ctx: Ctx, st: TeamStanding, detailed: bool) -> str:
    """A team's standing on the board: the sign alone, or with its detail when the board shows one period."""
    if not detailed:
        return T.REPORT_MARKS[st.standing.value]
    report = st.report
    if st.standing is Standing.ON_TIME and report is not None and report.first_submitted_at is not None:
        return T.REPORT_MARK_ON_TIME.format(day=_day(ctx, report.first_submitted_at))
    if st.standing is Standing.LATE:
        return T.REPORT_MARK_LATE.format(days=st.days)
    if st.standing is Standing.MISSING:
        return T.REPORT_MARK_MISSING.format(days=st.days)
    if st.standing is Standing.REOPENED:
        return T.REPORT_MARK_REOPENED
    return T.REPORT_MARK_NOT_DUE


async def _standing(ctx: Ctx) -> TeamStanding:
    period = _period(ctx)
    report = await reports.get(ctx.session, ctx.data["team"], period.key)
    return reports.standing_of(ctx.config, ctx.data["team"], period, report, ctx.today)


def _title(ctx: Ctx) -> str:
    return T.REPORT_TITLE.format(period=_period(ctx).label(), team=_team_name(ctx, ctx.data["team"]))


# --- leader: start and choose ----------------------------------------------------------------------------------
def _own_team(ctx: Ctx) -> str | None:
    team = ctx.config.team(ctx.member.team_code)
    return team.code if team is not None and ctx.role is Role.LEADER else None


def _not_started(ctx: Ctx, period: Period) -> str | None:
    if period.start > ctx.today:
        return T.REPORT_NOT_STARTED.format(period=period.label(), start=format_date(period.start))
    return None


async def start(ctx: Ctx, args: str) -> Outcome:
    parsed = parse_args(ctx, args)
    if isinstance(parsed, str):
        return Finish((Reply(parsed),))
    team, period = parsed
    own = _own_team(ctx)
    if own is None:
        return Finish((Reply(T.REPORT_NO_TEAM),))
    if team is not None and team != own:
        entity_id = f"{team}:{period.key}" if period else team
        await audit.denied(ctx.session, ctx.now, ctx.member.id, "report", entity_id, "other_team")
        return Finish((Reply(T.REPORT_OTHER_TEAM),))
    ctx.data["team"] = own
    if period is None:
        return Go("choose")
    refusal = _not_started(ctx, period)
    if refusal:
        return Finish((Reply(refusal),))
    ctx.data["period"] = period.key
    return Go("preview")


async def choose_prompt(ctx: Ctx) -> Reply:
    team = ctx.data["team"]
    periods = reports.offered(ctx.config, ctx.today)
    found = await reports.for_periods(ctx.session, [p.key for p in periods])
    options = tuple(
        Option(
            p.key,
            option_label(ctx, reports.standing_of(ctx.config, team, p, found.get((team, p.key)), ctx.today)),
            (p.key,),
        )
        for p in periods
    )
    return Reply(T.REPORT_CHOOSE.format(team=_team_name(ctx, team)), options)


async def choose_answer(ctx: Ctx, answer: Answer) -> Outcome:
    period = ctx.config.reporting.windows.parse(answer.keys[0] if answer.keys else answer.text)
    if period is None:
        return Stay(T.CHOOSE_ONE)
    refusal = _not_started(ctx, period)
    if refusal:
        return Stay(refusal)
    ctx.data["period"] = period.key
    return Go("preview")


# --- leader: preview --------------------------------------------------------------------------------------------
async def preview_prompt(ctx: Ctx) -> Reply:
    st = await _standing(ctx)
    report = st.report
    submitted = report is not None and report.status == Status.SUBMITTED
    if submitted and report is not None:
        heading, figures = T.REPORT_FIGURES_SNAPSHOT, report.figures or {}
    else:
        heading = T.REPORT_FIGURES_LIVE.format(today=format_date(ctx.today))
        figures = await reports.live_figures(ctx.session, ctx.config, ctx.data["team"], _period(ctx))
    lines = [
        _title(ctx),
        *status_lines(ctx, st),
        heading,
        *figure_lines(ctx, figures),
        *part_lines(report.texts if report else {}),
    ]
    other = Option(_OTHER, T.REPORT_BTN_OTHER_PERIOD, ("ky khac",))
    if submitted:
        lines.append(T.REPORT_SUBMITTED_HINT)
        return Reply("\n".join(lines), (Option(_CLOSE, T.REPORT_BTN_CLOSE, ("dong", "xong")), other))
    lines.append(T.REPORT_PREVIEW_HINT)
    again = report is not None and report.first_submitted_at is not None
    edits = tuple(
        Option(part, T.REPORT_BTN_EDIT.format(label=T.REPORT_PARTS[part]), (T.REPORT_PARTS[part], *_PART_WORDS[part]))
        for part in reports.TEXT_PARTS
    )
    submit = Option(_SUBMIT, T.REPORT_BTN_RESUBMIT if again else T.REPORT_BTN_SUBMIT, ("nop", "nop bao cao", "nop lai"))
    later = Option(_LATER, T.REPORT_BTN_LATER, ("de sau", "luu nhap"))
    return Reply("\n".join(lines), (*edits, submit, later, other))


async def preview_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    key = answer.keys[0]
    if key in reports.TEXT_PARTS:
        ctx.data["part"] = key
        return Go("edit")
    if key == _SUBMIT:
        return Go("confirm")
    if key == _OTHER:
        return Go("choose")
    if key == _LATER:
        return Finish((Reply(T.REPORT_LATER.format(period=_period(ctx).label())),))
    return Finish((Reply(T.REPORT_CLOSED),))


# --- leader: writing a text part --------------------------------------------------------------------------------
async def edit_prompt(ctx: Ctx) -> Reply:
    part = ctx.data["part"]
    report = await reports.get(ctx.session, ctx.data["team"], ctx.data["period"])
    current = (report.texts.get(part) if report else None) or ""
    clear = (Option(_CLEAR, T.REPORT_BTN_CLEAR, ("xoa",)),) if current else ()
    text = T.REPORT_EDIT_ASK.format(
        label=T.REPORT_PARTS[part], limit=reports.TEXT_LIMIT, current=current or T.REPORT_PART_EMPTY
    )
    return Reply(text, (*clear, Option(_BACK, T.REPORT_BTN_BACK, ("quay lai",))))


async def _save_part(ctx: Ctx, text: str, notes: tuple[Reply, ...]) -> Outcome:
    if _own_team(ctx) != ctx.data["team"]:
        return Finish((Reply(T.REPORT_NOT_ALLOWED),))
    try:
        await reports.save_text(
            ctx.session, ctx.config, ctx.data["team"], _period(ctx), ctx.data["part"], text, ctx.member.id, ctx.now
        )
    except ReportError:
        return Finish((Reply(T.REPORT_ALREADY_SUBMITTED.format(period=_period(ctx).label())),))
    return Go("preview", notes)


async def edit_answer(ctx: Ctx, answer: Answer) -> Outcome:
    label = T.REPORT_PARTS[ctx.data["part"]]
    if answer.keys and answer.keys[0] == _BACK:
        return Go("preview")
    if answer.keys:
        return await _save_part(ctx, "", (Reply(T.REPORT_TEXT_CLEARED.format(label=label)),))
    text, masked = reports.clean_text(answer.text)
    if not text:
        return Stay(T.REPORT_TEXT_EMPTY)
    if len(text) > reports.TEXT_LIMIT:
        return Stay(T.REPORT_TEXT_TOO_LONG.format(length=len(text), limit=reports.TEXT_LIMIT))
    notes = (Reply(T.REPORT_TEXT_SAVED.format(label=label)),)
    return await _save_part(ctx, text, (*notes, Reply(T.CITIZEN_ID_MASKED)) if masked else notes)


# --- leader: submitting -----------------------------------------------------------------------------------------
async def confirm_prompt(ctx: Ctx) -> Reply:
    period, today = _period(ctx), ctx.today
    report = await reports.get(ctx.session, ctx.data["team"], period.key)
    lines = [
        T.REPORT_CONFIRM.format(
            period=period.label(),
            team=_team_name(ctx, ctx.data["team"]),
            start=format_date(period.start),
            end=format_date(min(period.end, today)),
        )
    ]
    texts = report.texts if report else {}
    empty = [T.REPORT_PARTS[p] for p in reports.TEXT_PARTS if not texts.get(p)]
    if empty:
        lines.append(T.REPORT_CONFIRM_EMPTY.format(parts="; ".join(empty)))
    due = reports.due_on(ctx.config, period)
    if report is not None and report.first_submitted_at is not None:
        lines.append(T.REPORT_CONFIRM_AGAIN)
    elif not is_on_time(due, today):
        lines.append(T.REPORT_CONFIRM_LATE.format(days=reports.late_days(due, today)))
    options = (
        Option(_CONFIRM, T.REPORT_BTN_CONFIRM, ("nop", "dong y", "co"), means=vocabulary.YES),
        Option(_BACK, T.REPORT_BTN_BACK, ("quay lai", "khong"), means=vocabulary.NO),
    )
    return Reply("\n".join(lines), options)


async def confirm_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    if answer.keys[0] == _BACK:
        return Go("preview")
    if _own_team(ctx) != ctx.data["team"]:
        return Finish((Reply(T.REPORT_NOT_ALLOWED),))
    period = _period(ctx)
    try:
        done = await reports.submit(ctx.session, ctx.config, ctx.data["team"], period, ctx.member.id, ctx.now)
    except ReportError as err:
        if err.problem is Problem.NOT_STARTED:
            return Finish((Reply(_not_started(ctx, period) or T.REPORT_USAGE),))
        return Finish((Reply(T.REPORT_ALREADY_SUBMITTED.format(period=period.label())),))
    verdict = T.REPORT_VERDICT_LATE.format(days=done.late_days) if done.late_days else T.REPORT_VERDICT_ON_TIME
    text = T.REPORT_SUBMITTED.format(
        period=period.label(),
        team=_team_name(ctx, ctx.data["team"]),
        at=_at(ctx, ctx.now),
        verdict=verdict,
        start=format_date(done.locked_from),
        end=format_date(done.locked_to),
    )
    return Finish((Reply(text),))


# --- staff: the board -------------------------------------------------------------------------------------------
async def board_start(ctx: Ctx, args: str) -> Outcome:
    parsed = parse_args(ctx, args)
    if isinstance(parsed, str):
        return Finish((Reply(parsed),))
    if not ctx.role.is_commune_wide:
        return Finish((Reply(T.NOT_ALLOWED),))
    team, period = parsed
    periods = [period] if period else reports.current_periods(ctx.config, ctx.today)
    ctx.data["periods"] = [p.key for p in periods]
    if team is None:
        return Go("board")
    ctx.data["team"] = team
    if period is None:
        return Go("team")
    ctx.data["period"] = period.key
    return Go("view")


def _summary(ctx: Ctx, period: Period, rows: list[TeamStanding]) -> str:
    count = {s: sum(1 for r in rows if r.standing is s) for s in Standing}
    return T.REPORT_BOARD_PERIOD.format(
        period=_cap(period.label()),
        due=format_date(reports.due_on(ctx.config, period)),
        submitted=count[Standing.ON_TIME] + count[Standing.LATE],
        teams=len(rows),
        on_time=count[Standing.ON_TIME],
        late=count[Standing.LATE],
        missing=count[Standing.MISSING],
    )


def _periods(ctx: Ctx) -> list[Period]:
    windows = ctx.config.reporting.windows
    return [p for p in (windows.parse(k) for k in ctx.data["periods"]) if p is not None]


async def board_prompt(ctx: Ctx) -> Reply:
    periods = _periods(ctx)
    rows = await reports.completeness(ctx.session, ctx.config, periods, ctx.today)
    detailed = len(periods) == 1
    lines = [T.REPORT_BOARD_TITLE.format(today=format_date(ctx.today))]
    lines += [_summary(ctx, p, [r for r in rows if r.period == p]) for p in periods]
    if not detailed:
        kinds = " · ".join(T.REPORT_KIND_NAMES[p.kind.value] for p in periods)
        lines += [T.REPORT_BOARD_ORDER.format(kinds=kinds), T.REPORT_BOARD_LEGEND]
    for team in ctx.config.teams:
        marks = " · ".join(mark(ctx, r, detailed) for r in rows if r.team_code == team.code)
        lines.append(T.REPORT_BOARD_TEAM.format(code=team.code, name=team.name, marks=marks))
    lines.append(T.REPORT_BOARD_PICK)
    teams = [Option(f"{_TEAM_PREFIX}{t.code}", f"{t.code} {t.name}", (t.code,)) for t in ctx.config.teams]
    options = (*teams, Option(_CLOSE, T.REPORT_BTN_CLOSE, ("dong", "xong")))
    return Reply("\n".join(lines), options)


async def board_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    key = answer.keys[0]
    if not key.startswith(_TEAM_PREFIX):
        return Finish((Reply(T.REPORT_CLOSED),))
    ctx.data["team"] = key.removeprefix(_TEAM_PREFIX)
    if len(ctx.data["periods"]) == 1:
        ctx.data["period"] = ctx.data["periods"][0]
        return Go("view")
    return Go("team")


async def team_prompt(ctx: Ctx) -> Reply:
    team = ctx.data["team"]
    rows = await reports.completeness(ctx.session, ctx.config, _periods(ctx), ctx.today)
    periods = [Option(r.period.key, option_label(ctx, r), (r.period.key,)) for r in rows if r.team_code == team]
    options = (*periods, Option(_BACK, T.REPORT_BTN_BACK, ("quay lai",)))
    return Reply(T.REPORT_TEAM_PICK.format(team=_team_name(ctx, team)), options)


async def team_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    if answer.keys[0] == _BACK:
        return Go("board")
    ctx.data["period"] = answer.keys[0]
    return Go("view")


async def view_prompt(ctx: Ctx) -> Reply:
    st = await _standing(ctx)
    report = st.report
    lines = [_title(ctx)]
    if report is None or report.status == Status.DRAFT:
        lines += [*status_lines(ctx, st), T.REPORT_NOT_SUBMITTED]
        if report is not None and report.texts:
            lines.append(T.REPORT_DRAFT_NOTE)
    else:
        lines += [*status_lines(ctx, st), T.REPORT_FIGURES_SNAPSHOT, *figure_lines(ctx, report.figures or {})]
        lines += part_lines(report.texts)
    submitted = st.standing in (Standing.ON_TIME, Standing.LATE)
    reopen = (Option(_REOPEN, T.REPORT_BTN_REOPEN, ("mo lai",)),) if submitted else ()
    options = (
        *reopen,
        Option(_BACK, T.REPORT_BTN_BACK, ("quay lai",)),
        Option(_CLOSE, T.REPORT_BTN_CLOSE, ("dong", "xong")),
    )
    return Reply("\n".join(lines), options)


def _back_from_view(ctx: Ctx) -> Outcome:
    return Go("board" if len(ctx.data["periods"]) == 1 else "team")


async def view_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    key = answer.keys[0]
    if key == _REOPEN:
        return Go("reopen")
    if key == _BACK:
        return _back_from_view(ctx)
    return Finish((Reply(T.REPORT_CLOSED),))


# --- staff: reopening -------------------------------------------------------------------------------------------
async def _still_locked(ctx: Ctx, period: Period) -> str | None:
    """Why some of the period's days stay closed after reopening it: another submitted report covers them."""
    end = min(period.end, ctx.today)
    rows = await period_locks.overlapping(ctx.session, ctx.data["team"], period.start, end, period.key)
    if not rows:
        return None
    windows = ctx.config.reporting.windows
    parts = []
    for row in rows:
        other = windows.parse(row.period_key)
        start, stop = max(row.starts_on, period.start), min(row.ends_on, end)
        parts.append(
            T.REPORT_STILL_LOCKED_PART.format(
                period=other.label() if other else row.period_key, start=format_date(start), end=format_date(stop)
            )
        )
    return T.REPORT_STILL_LOCKED.format(parts="; ".join(parts))


async def reopen_prompt(ctx: Ctx) -> Reply:
    text = T.REPORT_REOPEN_ASK.format(period=_period(ctx).label(), team=_team_name(ctx, ctx.data["team"]))
    note = await _still_locked(ctx, _period(ctx))
    if note:
        text = f"{text}\n{note}"
    options = (
        Option(_CONFIRM, T.REPORT_BTN_REOPEN_YES, ("mo lai", "dong y", "co"), means=vocabulary.YES),
        Option(_BACK, T.REPORT_BTN_BACK, ("quay lai", "khong"), means=vocabulary.NO),
    )
    return Reply(text, options)


async def _tell_leaders(ctx: Ctx, report: Report, period: Period) -> str:
    leaders = await reports.team_leaders(ctx.session, report.team_code)
    notice = T.REPORT_LEADER_TOLD_REOPENED.format(staff=ctx.member.display_name, period=period.label(), key=period.key)
    for leader in leaders:
        key = f"report-reopen:{report.id}:{leader.id}:{int(ctx.now.timestamp())}"
        await notify.to_member(ctx.session, leader.id or 0, notice, ctx.now, dedup_key=key)
    if not leaders:
        return T.REPORT_REOPEN_NOBODY
    return T.REPORT_REOPEN_TOLD.format(names=", ".join(m.display_name for m in leaders))


async def reopen_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    if answer.keys[0] == _BACK:
        return Go("view")
    if not ctx.role.is_commune_wide:
        return Finish((Reply(T.NOT_ALLOWED),))
    period, team = _period(ctx), ctx.data["team"]
    report = await reports.get(ctx.session, team, period.key)
    names = {"period": period.label(), "team": _team_name(ctx, team)}
    if report is None or report.status != Status.SUBMITTED:
        return Finish((Reply(T.REPORT_REOPEN_NOT_SUBMITTED.format(**names)),))
    await reports.reopen(ctx.session, report, ctx.member.id, ctx.now)
    told = await _tell_leaders(ctx, report, period)
    lines = [T.REPORT_REOPENED.format(**names), told]
    note = await _still_locked(ctx, period)
    if note:
        lines.append(note)
    return Finish((Reply("\n".join(lines)),))


FLOW = Flow(
    name=NAME,
    title=T.FLOW_TITLE_REPORT,
    start=start,
    steps={
        "choose": Step(choose_prompt, choose_answer, stops_on_no=True),
        "preview": Step(preview_prompt, preview_answer),
        "edit": Step(edit_prompt, edit_answer, numeric_answer=True, keeps_text=True),
        "confirm": Step(confirm_prompt, confirm_answer),
    },
)
BOARD_FLOW = Flow(
    name=BOARD_NAME,
    title=T.FLOW_TITLE_REPORT_BOARD,
    start=board_start,
    steps={
        "board": Step(board_prompt, board_answer, stops_on_no=True),
        "team": Step(team_prompt, team_answer),
        "view": Step(view_prompt, view_answer),
        "reopen": Step(reopen_prompt, reopen_answer),
    },
)
FLOWS = (FLOW, BOARD_FLOW)


def flow_for(role: Role) -> str:
    """Staff and admins see the commune's board; a leader the team's own report."""
    return BOARD_NAME if role.is_commune_wide else NAME
