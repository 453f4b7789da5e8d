"""/sua: correct or undo a logged visit — a member their own last visit, a leader any visit of the team.

The visit being changed is ctx.data["vid"]; its values as logged are ctx.data["orig"]; the values being edited
live under the keys log_visit's steps use ("skills", "people", "outcome", "note") and the day step's ("day"),
so those steps are reused as they are. Every edit comes back to the "confirm" step, which shows what will change.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlmodel import col, select

from bot import texts as T
from bot.core import vocabulary
from bot.core.clock import format_date
from bot.core.messages import Option, Reply
from bot.core.roles import Role
from bot.core.text import fold
from bot.flows import log_visit, visit_day
from bot.flows.context import Ctx
from bot.flows.engine import Answer, Finish, Flow, Go, Outcome, Stay, Step, preselect
from bot.services import notify, visits
from bot.services.visits import LoadedVisit, Refusal, Refused, Revision
from bot.store.models import Household, Member, Visit

NAME = "correct_visit"
_SAVE, _UNDO, _SKILLS, _PEOPLE, _OUTCOME, _NOTE, _DAY, _KEEP = (
    "save",
    "undo",
    "skills",
    "people",
    "outcome",
    "note",
    "day",
    "keep",
)
_YES, _NO = "yes", "no"
_RECENT = 8  # visits a leader picks from
_VISIT_NUMBER = re.compile(r"^(?:luot\s*)?(?:so\s*)?#?\s*(\d{1,9})$")
_PEOPLE_RE = re.compile(r"^\s*(\d{1,2})\s*(nguoi|ng)?\s*$")


def parse_visit_number(text: str) -> int | None:
    """ "123", "#123", "lượt 123" → 123."""
    match = _VISIT_NUMBER.match(fold(text))
    return int(match.group(1)) if match else None


# --- loading and describing ---------------------------------------------------------------------------------
async def households_by_id(ctx: Ctx, ids: list[int]) -> dict[int, Household]:
    rows = await ctx.session.exec(select(Household).where(col(Household.id).in_(ids or [0])))
    return {h.id: h for h in rows.all() if h.id is not None}


async def member_names(ctx: Ctx, ids: list[int]) -> dict[int, str]:
    rows = await ctx.session.exec(select(Member).where(col(Member.id).in_(ids or [0])))
    return {m.id: m.display_name for m in rows.all() if m.id is not None}


async def visit_household(ctx: Ctx, visit: Visit) -> str:
    household = await ctx.session.get(Household, visit.household_id)
    return log_visit.household_label(household) if household else "?"


def _revision(values: dict[str, Any]) -> Revision:
    return Revision(
        skills=tuple(sorted(values["skills"])),
        people_count=int(values["people"]),
        outcome=str(values["outcome"]),
        visited_on=date.fromisoformat(values["day"]),
        note=values.get("note") or None,
    )


def _values(revision: Revision) -> dict[str, Any]:
    return {
        "skills": list(revision.skills),
        "people": revision.people_count,
        "outcome": revision.outcome,
        "day": revision.visited_on.isoformat(),
        "note": revision.note,
    }


def _skill_labels(ctx: Ctx, codes: tuple[str, ...]) -> str:
    """The skills' labels in the catalogue's order (a skill no longer in config.yaml shows its code)."""
    known = [s.label for s in ctx.config.skills if s.code in codes]
    return ", ".join([*known, *(c for c in codes if c not in ctx.config.skill_by_code)])


def _outcome_label(outcome: str) -> str:
    return T.OUTCOME_RETURN if outcome == visits.OUTCOME_RETURN else T.OUTCOME_DONE


def _other_outcome(outcome: str) -> str:
    return visits.OUTCOME_DONE if outcome == visits.OUTCOME_RETURN else visits.OUTCOME_RETURN


def summary(ctx: Ctx, household: str, revision: Revision) -> str:
    return T.VISIT_SUMMARY.format(
        household=household,
        skills=_skill_labels(ctx, revision.skills),
        people=revision.people_count,
        outcome=_outcome_label(revision.outcome),
        date=format_date(revision.visited_on),
        note=T.VISIT_SUMMARY_NOTE.format(note=revision.note) if revision.note else "",
    )


def describe_changes(ctx: Ctx, before: Revision, after: Revision) -> list[str]:
    """One line per changed field, in Vietnamese."""
    lines = []
    for name in visits.changed_fields(before, after):
        if name == "skills":
            lines.append(
                T.CHANGE_SKILLS.format(before=_skill_labels(ctx, before.skills), after=_skill_labels(ctx, after.skills))
            )
        elif name == "people_count":
            lines.append(T.CHANGE_PEOPLE.format(before=before.people_count, after=after.people_count))
        elif name == "outcome":
            lines.append(
                T.CHANGE_OUTCOME.format(before=_outcome_label(before.outcome), after=_outcome_label(after.outcome))
            )
        elif name == "visited_on":
            lines.append(
                T.CHANGE_DAY.format(before=format_date(before.visited_on), after=format_date(after.visited_on))
            )
        elif not after.note:
            lines.append(T.CHANGE_NOTE_REMOVED)
        else:
            lines.append(T.CHANGE_NOTE_ADDED if not before.note else T.CHANGE_NOTE_EDITED)
    return lines


async def refusal_text(ctx: Ctx, refused: Refused, visit: Visit) -> str:
    """The Vietnamese reason a visit cannot be changed (or flagged)."""
    reason = refused.reason
    if reason is Refusal.OTHER_TEAM:
        return T.CORRECT_NOT_FOUND.format(id=visit.id)
    if reason is Refusal.NOT_OWN:
        return T.CORRECT_NOT_OWN.format(id=visit.id)
    if reason is Refusal.WINDOW_PASSED:
        return T.CORRECT_WINDOW_PASSED.format(id=visit.id, hours=ctx.config.visits.member_edit_hours)
    if reason is Refusal.NOT_ACTIVE:
        newer = await visits.successor(ctx.session, visit.id or 0)
        if newer is not None:
            return T.CORRECT_WAS_CORRECTED.format(id=visit.id, new=newer.id)
        return T.CORRECT_WAS_UNDONE.format(id=visit.id)
    if reason is Refusal.LOCKED and refused.closed is not None:
        return T.CORRECT_LOCKED.format(id=visit.id, day=format_date(visit.visited_on), period=refused.closed.period_key)
    if reason is Refusal.DAY_CLOSED and refused.closed is not None:
        day = date.fromisoformat(ctx.data.get("day") or visit.visited_on.isoformat())
        return visit_day.closed_day_text(refused.closed, day)
    if reason is Refusal.NO_CHANGE:
        return T.CORRECT_NO_CHANGE
    return T.NOT_ALLOWED


# --- start: which visit -------------------------------------------------------------------------------------
async def _open(ctx: Ctx, loaded: LoadedVisit) -> Outcome | str:
    """Load the visit into the flow, or the reason it cannot be changed."""
    visit = loaded.visit
    rules = visits.EditRules.of(ctx.config)
    try:
        await visits.check_editable(ctx.session, ctx.member, visit, ctx.now, rules)
    except Refused as refused:
        return await refusal_text(ctx, refused, visit)
    values = _values(loaded.revision)
    ctx.data.clear()
    ctx.data.update(values, vid=visit.id, orig=_values(loaded.revision), household=await visit_household(ctx, visit))
    return Go("confirm")


async def _open_number(ctx: Ctx, number: int) -> Outcome | str:
    loaded = await visits.in_scope(ctx.session, ctx.member, number, ctx.now)
    if loaded is None:
        return T.CORRECT_NOT_FOUND.format(id=number)
    return await _open(ctx, loaded)


def _finish_if_refused(opened: Outcome | str) -> Outcome:
    return Finish((Reply(opened),)) if isinstance(opened, str) else opened


async def start(ctx: Ctx, args: str) -> Outcome:
    if args.strip():
        number = parse_visit_number(args)
        if number is None:
            return Finish((Reply(T.CORRECT_USAGE),))
        return _finish_if_refused(await _open_number(ctx, number))
    if ctx.role is Role.LEADER:
        if not await visits.recent_in_team(ctx.session, ctx.member.team_code or "", 1):
            return Finish((Reply(T.CORRECT_TEAM_EMPTY),))
        return Go("pick")
    last = await visits.last_for_member(ctx.session, ctx.member.id or 0)
    if last is None:
        return Finish((Reply(T.CORRECT_NO_LAST),))
    loaded = await visits.load(ctx.session, last.id or 0)
    assert loaded is not None
    return _finish_if_refused(await _open(ctx, loaded))


async def pick_prompt(ctx: Ctx) -> Reply:
    recent = await visits.recent_in_team(ctx.session, ctx.member.team_code or "", _RECENT)
    homes = await households_by_id(ctx, [v.household_id for v in recent])
    names = await member_names(ctx, [v.member_id for v in recent])
    options = tuple(
        Option(
            f"v{v.id}",
            T.CORRECT_PICK_ITEM.format(
                id=v.id,
                day=v.visited_on.strftime("%d/%m"),
                household=log_visit.household_label(homes[v.household_id]) if v.household_id in homes else "?",
                member=names.get(v.member_id, "?"),
            ),
            (f"#{v.id}",),
        )
        for v in recent
    )
    return Reply(T.CORRECT_PICK, options)


async def pick_answer(ctx: Ctx, answer: Answer) -> Outcome:
    number = int(answer.keys[0][1:]) if answer.keys else parse_visit_number(answer.text)
    if number is None:
        return Stay(T.CORRECT_PICK_INVALID)
    opened = await _open_number(ctx, number)
    return Stay(opened) if isinstance(opened, str) else opened


# --- confirm: what to change ----------------------------------------------------------------------------------
async def confirm_prompt(ctx: Ctx) -> Reply:
    before, after = _revision(ctx.data["orig"]), _revision(ctx.data)
    visit = await ctx.session.get(Visit, int(ctx.data["vid"]))
    assert visit is not None
    names = await member_names(ctx, [visit.member_id])
    header = T.CORRECT_HEADER.format(
        id=visit.id,
        member=names.get(visit.member_id, "?"),
        logged=visit.created_at.astimezone(ctx.config.tz).strftime("%H:%M %d/%m/%Y"),
        summary=summary(ctx, ctx.data["household"], after),
    )
    changes = describe_changes(ctx, before, after)
    footer = T.CORRECT_CHANGES.format(changes="\n".join(changes)) if changes else T.CORRECT_CHOOSE
    save = (
        (Option(_SAVE, T.BTN_SAVE_CHANGES, ("luu", "ok", "xong", "luu thay doi"), means=vocabulary.YES),)
        if changes
        else ()
    )
    other = _outcome_label(_other_outcome(ctx.data["outcome"]))
    return Reply(
        f"{header}\n{footer}",
        (
            *save,
            Option(_UNDO, T.BTN_UNDO_VISIT, ("huy luot", "huy luot nay", "xoa luot")),
            Option(_SKILLS, T.BTN_FIX_SKILLS, ("ky nang", "sua ky nang", "noi dung")),
            Option(_PEOPLE, T.BTN_FIX_PEOPLE, ("so nguoi", "sua so nguoi")),
            Option(_OUTCOME, T.BTN_FIX_OUTCOME.format(outcome=other), ("ket qua", "doi ket qua")),
            Option(_NOTE, T.BTN_FIX_NOTE, ("ghi chu", "sua ghi chu")),
            Option(_DAY, T.BTN_FIX_DAY, ("ngay", "doi ngay")),
            Option(_KEEP, T.BTN_KEEP, ("giu nguyen", "khong sua"), means=vocabulary.NO),
        ),
    )


async def confirm_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        people = _PEOPLE_RE.match(fold(answer.text))
        if people and 1 <= int(people.group(1)) <= 50:
            ctx.data["people"] = int(people.group(1))
            return Go("confirm")
        return Stay(T.CORRECT_HINT)
    key = answer.keys[0]
    if key == _OUTCOME:
        ctx.data["outcome"] = _other_outcome(ctx.data["outcome"])
        return Go("confirm")
    if key == _SKILLS:
        preselect(ctx, "skills", list(ctx.data["skills"]))
        return Go("skills")
    if key in (_PEOPLE, _NOTE, _DAY, _UNDO):
        return Go(key)
    if key == _KEEP:
        return Finish((Reply(T.CORRECT_KEPT.format(id=ctx.data["vid"])),))
    return await _save(ctx)


async def _current(ctx: Ctx) -> Visit | None:
    return await ctx.session.get(Visit, int(ctx.data["vid"]))


async def tell_member(ctx: Ctx, visit: Visit, text: str, key: str) -> str:
    """When someone else acted on a member's visit: queue a message to the member; "" or a line saying so."""
    if visit.member_id == ctx.member.id:
        return ""
    await notify.to_member(ctx.session, visit.member_id, text, ctx.now, dedup_key=key)
    names = await member_names(ctx, [visit.member_id])
    return "\n" + T.TOLD_MEMBER.format(member=names.get(visit.member_id, "?"))


async def _save(ctx: Ctx) -> Outcome:
    visit = await _current(ctx)
    if visit is None:
        return Finish((Reply(T.CORRECT_NOT_FOUND.format(id=ctx.data["vid"])),))
    before, after = _revision(ctx.data["orig"]), _revision(ctx.data)
    try:
        done = await visits.correct(ctx.session, ctx.member, visit, after, ctx.now, visits.EditRules.of(ctx.config))
    except Refused as refused:
        text = await refusal_text(ctx, refused, visit)
        return Stay(text) if refused.reason in (Refusal.DAY_CLOSED, Refusal.NO_CHANGE) else Finish((Reply(text),))
    changes = "\n".join(describe_changes(ctx, before, after))
    household = ctx.data["household"]
    told = await tell_member(
        ctx,
        visit,
        T.MEMBER_TOLD_CORRECTED.format(
            leader=ctx.member.display_name, old=visit.id, new=done.new.id, household=household, changes=changes
        ),
        f"visit-corrected:{visit.id}",
    )
    saved = T.CORRECTED.format(old=visit.id, new=done.new.id, changes=changes, summary=summary(ctx, household, after))
    return Finish((Reply(saved + told),))


# --- undo -----------------------------------------------------------------------------------------------------
async def undo_prompt(ctx: Ctx) -> Reply:
    return Reply(
        T.UNDO_ASK.format(id=ctx.data["vid"], household=ctx.data["household"]),
        (
            Option(_YES, T.UNDO_YES, ("dung", "co", "huy luot", "dong y"), means=vocabulary.YES),
            Option(_NO, T.UNDO_NO, ("khong", "quay lai"), means=vocabulary.NO),
        ),
    )


async def undo_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    if answer.keys[0] == _NO:
        return Go("confirm")
    visit = await _current(ctx)
    if visit is None:
        return Finish((Reply(T.CORRECT_NOT_FOUND.format(id=ctx.data["vid"])),))
    try:
        await visits.undo(ctx.session, ctx.member, visit, ctx.now, visits.EditRules.of(ctx.config))
    except Refused as refused:
        return Finish((Reply(await refusal_text(ctx, refused, visit)),))
    told = await tell_member(
        ctx,
        visit,
        T.MEMBER_TOLD_UNDONE.format(leader=ctx.member.display_name, id=visit.id, household=ctx.data["household"]),
        f"visit-undone:{visit.id}",
    )
    return Finish((Reply(T.UNDONE.format(id=visit.id) + told),))


_day_prompt, _day_answer = visit_day.day_step("confirm")

FLOW = Flow(
    name=NAME,
    title=T.FLOW_TITLE_CORRECT_VISIT,
    start=start,
    steps={
        "pick": Step(pick_prompt, pick_answer, numeric_answer=True, stops_on_no=True),
        "confirm": Step(confirm_prompt, confirm_answer),
        "skills": Step(log_visit.skills_prompt, log_visit.skills_answer, multi=True),
        "people": Step(log_visit.people_prompt, log_visit.people_answer, numeric_answer=True),
        "note": Step(log_visit.note_prompt, log_visit.note_answer, keeps_text=True),
        "day": Step(_day_prompt, _day_answer, numeric_answer=True),
        "undo": Step(undo_prompt, undo_answer),
    },
)
