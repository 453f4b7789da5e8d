"""/ghinhan: log a visit to a household — pick or add the household, skills, confirm.

Telegram taps for a repeat household with one skill: menu → household → skill → Xong → Lưu (5).
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot import texts as T
from bot.core import vocabulary
from bot.core.clock import format_date
from bot.core.dates import parse_day
from bot.core.messages import Option, Reply
from bot.core.phone import display_phone, normalise_phone
from bot.core.quick_entry import QuickEntry, parse_quick_entry
from bot.core.text import CITIZEN_ID_MASK, excerpt, mask_citizen_ids, nfc, word_key
from bot.flows.context import Ctx
from bot.flows.engine import Answer, Finish, Flow, Go, Outcome, Stay, Step
from bot.flows.visit_day import DAY_KEY, chosen_day, day_step, why_closed
from bot.services import audit, household_history, households, privacy, visits
from bot.store.models import Household

NAME = "log_visit"
QUICK_NAME = "quick_visit"
_NEW, _SKIP, _AGREE, _REFUSE, _NOT_THESE, _BACK = "new", "skip", "agree", "refuse", "none", "back"
_AGAIN = "again"
_SAVE, _PEOPLE, _OUTCOME, _NOTE, _SKILLS, _DAY = "save", "people", "outcome", "note", "skills", "day"
_FLAGS = ("elderly", "ethnic_minority", "no_device")
_LABEL_WIDTH = 44
_PEOPLE_RE = re.compile(r"^\s*(\d{1,2})\s*(nguoi|người|ng)?\s*$", re.IGNORECASE)
_BY_ID = re.compile(r"^#\s*(\d{1,9})$")


def household_label(h: Household) -> str:
    marks = "".join(m for flag, m in zip(_FLAGS, ("👴", "🏔", "📵"), strict=True) if getattr(h, flag))
    label = f"{h.head_name} — {h.address}"
    if len(label) > _LABEL_WIDTH:
        label = label[: _LABEL_WIDTH - 1] + "…"
    return f"{label} {marks}".strip()


def _household_options(found: list[Household]) -> tuple[Option, ...]:
    return (
        *(Option(f"h{h.id}", household_label(h)) for h in found),
        Option(_NEW, T.HH_ADD_NEW, ("them", "moi", "ho moi", "them moi", "them ho moi", "chua co trong danh sach")),
    )


def _clean_text(text: str, limit: int) -> tuple[str, tuple[Reply, ...]]:
    """NFC, trimmed to `limit`; a citizen ID number typed by mistake is masked and the member told why."""
    cleaned, masked = mask_citizen_ids(nfc(text))
    return cleaned[:limit], ((Reply(T.CITIZEN_ID_MASKED),) if masked else ())


# --- start --------------------------------------------------------------------------------------------------
async def start(ctx: Ctx, args: str) -> Outcome:
    ctx.data.update(people=1, outcome=visits.OUTCOME_DONE)
    query = nfc(args)
    by_id = _BY_ID.match(query)
    if by_id:  # "/ghinhan #12": from a household's card or the follow-up list
        return await _choose(ctx, f"h{by_id.group(1)}")
    if query and vocabulary.means_new_household(query):  # "ghi nhận hộ mới"
        ctx.data["new"] = {}
        return Go("new_name")
    if query and not await _search(ctx, query):
        return Go("household", (Reply(T.HH_NO_MATCH.format(query=excerpt(query))),))
    if (only := await _only_match(ctx, query)) is not None:
        return await _choose(ctx, only)
    return Go("household")


async def _search(ctx: Ctx, query: str) -> bool:
    """Search the team's households and keep the hits for the next prompt; False when nothing matched."""
    found = await households.search(ctx.session, ctx.member.team_code or "", query)
    if found:
        ctx.data.update(search=query[: households.SEARCH_MAX_CHARS], found=[h.id for h in found])
    return bool(found)


async def team_household(ctx: Ctx, household_id: int) -> Household | None:
    """One of the member's team's households; asking for another team's is refused and kept on record."""
    found = await households.in_team(ctx.session, ctx.member.team_code or "", [household_id])
    if found:
        return found[0]
    if await ctx.session.get(Household, household_id) is not None:
        await audit.denied(ctx.session, ctx.now, ctx.member.id, "household", household_id, "other_team")
    return None


async def _choose(ctx: Ctx, key: str, notes: tuple[Reply, ...] = ()) -> Outcome:
    """Log the visit against the chosen household ("h<id>"), if it is one of the team's."""
    household = await team_household(ctx, int(key[1:]))
    if household is None:
        if ctx.data.get("found") or ctx.data.get("twins") or "search" in ctx.data:
            return Stay(T.HH_NOT_FOUND)
        return Go("household", (Reply(T.HH_NOT_FOUND),))
    ctx.data.pop("new", None)
    ctx.data.update(hid=household.id, household=household_label(household))
    if household.consent_at is None:  # imported from the thôn's list: ask once, on the first visit
        ctx.data["needs_consent"] = True
        return Go("consent", notes)
    return _after_household(ctx, notes)


def _after_household(ctx: Ctx, notes: tuple[Reply, ...] = ()) -> Outcome:
    """Skills next, unless they were already given (one-line entry): then straight to the confirm screen."""
    return Go("confirm" if ctx.data.get("skills") else "skills", notes)


# --- household ----------------------------------------------------------------------------------------------
async def household_prompt(ctx: Ctx) -> Reply:
    team = ctx.member.team_code or ""
    found = await households.in_team(ctx.session, team, ctx.data.get("found", []))
    if found:
        return Reply(T.HH_SEARCH_RESULTS.format(query=excerpt(ctx.data["search"])), _household_options(found))
    recent = await households.recent_for_member(
        ctx.session, team, ctx.member.id or 0, ctx.config.flows.recent_households
    )
    text = T.HH_PICK if recent else T.HH_PICK_EMPTY
    return Reply(text, _household_options(recent))


async def household_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.keys:
        key = answer.keys[0]
        if key == _NEW:
            ctx.data.pop("found", None)
            if "quick" in ctx.data:  # name and address came in the one-line entry
                ctx.data["new"] = ctx.data.pop("quick")
                ctx.data.pop("search", None)
                return Go("new_phone")
            ctx.data["new"] = _new_from_search(ctx.data.pop("search", ""))
            return Go("new_name")
        return await _choose(ctx, key)
    query = nfc(answer.text)
    if len(query) < 2:
        return Stay(T.HH_TYPE_MORE)
    if not await _search(ctx, query):
        return Stay(T.HH_NO_MATCH.format(query=excerpt(query)))
    if (only := await _only_match(ctx, query)) is not None:
        return await _choose(ctx, only)
    return Go("household")


async def _only_match(ctx: Ctx, query: str) -> str | None:
    """The one household found, when its name has every typed word whole ("ông Lộc" → Phạm Văn Lộc): taken at
    once, as a member would from the list. Several, or a match by a typo or a word's start: the list is shown."""
    found = ctx.data.get("found", [])
    if len(found) != 1:
        return None
    households_found = await households.in_team(ctx.session, ctx.member.team_code or "", found)
    if households_found and households.names_every_word(households_found[0], query):
        ctx.data.pop("found", None)
        ctx.data.pop("search", None)
        return f"h{found[0]}"
    return None


def _new_from_search(search: str) -> dict[str, str]:
    """A new household after a search found the wrong ones: the searched name, without its title, suggested."""
    typed = vocabulary.household_query(search)
    return {"head_name": typed.shown_name} if typed.shown_name else {}


# --- a new household ----------------------------------------------------------------------------------------
async def new_name_prompt(ctx: Ctx) -> Reply:
    suggested = ctx.data.get("new", {}).get("head_name")
    if suggested:
        return Reply(
            T.HH_ASK_NAME_SUGGESTED.format(name=suggested),
            (Option("keep", suggested, ("ok", "dung"), means=vocabulary.YES),),
        )
    return Reply(T.HH_ASK_NAME)


async def new_name_answer(ctx: Ctx, answer: Answer) -> Outcome:
    new = ctx.data.setdefault("new", {})
    if answer.keys:  # kept the suggested name
        return Go("new_address")
    name, notes = _clean_text(answer.text, 120)
    name = " ".join(name.replace(CITIZEN_ID_MASK, " ").split())  # a name keeps no trace of an ID number
    if any(ch.isdigit() for ch in name):  # "xom 2", "0912…": an address or a phone typed one step early
        return Stay(T.HH_NAME_HAS_DIGITS)
    if len(name) < 2 or not any(ch.isalpha() for ch in name):
        return Stay(T.HH_NAME_INVALID)
    new["head_name"] = name
    return Go("new_address", notes)


async def new_address_prompt(ctx: Ctx) -> Reply:
    return Reply(T.HH_ASK_ADDRESS.format(name=ctx.data["new"]["head_name"]))


async def new_address_answer(ctx: Ctx, answer: Answer) -> Outcome:
    address, notes = _clean_text(answer.text, 200)
    if len(address) < 2:
        return Stay(T.HH_ADDRESS_INVALID)
    if not any(ch.isalpha() for ch in address) and normalise_phone(address).e164:
        return Stay(T.HH_ADDRESS_IS_PHONE)
    ctx.data["new"]["address"] = address
    return Go("new_phone", notes)


async def new_phone_prompt(ctx: Ctx) -> Reply:
    return Reply(T.HH_ASK_PHONE, (Option(_SKIP, T.SKIP_LABEL, ("bo qua", "khong", "ko", "k"), means=vocabulary.NO),))


async def new_phone_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.keys:
        ctx.data["new"]["phone"] = None
        return Go("new_flags")
    result = normalise_phone(answer.text)
    if result.e164 is None:
        return Stay(T.HH_PHONE_INVALID)
    ctx.data["new"]["phone"] = result.e164
    notes = () if result.known_range else (Reply(T.HH_PHONE_UNUSUAL.format(phone=display_phone(result.e164))),)
    return Go("new_flags", notes)


async def new_flags_prompt(ctx: Ctx) -> Reply:
    return Reply(
        T.HH_ASK_FLAGS,
        (
            Option("elderly", T.FLAG_ELDERLY, ("cao tuoi", "nguoi gia", "gia")),
            Option("ethnic_minority", T.FLAG_ETHNIC, ("dan toc", "dtts")),
            Option("no_device", T.FLAG_NO_DEVICE, ("khong thiet bi", "khong dien thoai", "ko dt")),
        ),
    )


async def new_flags_answer(ctx: Ctx, answer: Answer) -> Outcome:
    for flag in _FLAGS:
        ctx.data["new"][flag] = flag in answer.keys
    return Go("consent")


async def consent_prompt(ctx: Ctx) -> Reply:
    return Reply(
        T.HH_ASK_CONSENT.format(text=ctx.config.privacy.consent_text),
        (
            Option(_AGREE, T.CONSENT_YES, ("dong y", "co", "ok", "yes"), means=vocabulary.YES),
            Option(_REFUSE, T.CONSENT_NO, ("khong dong y", "khong", "ko"), means=vocabulary.NO),
        ),
    )


async def consent_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    if answer.keys[0] == _REFUSE:
        if "new" in ctx.data:  # a name, an address and maybe a phone were typed: check before throwing them away
            return Go("consent_refused")
        return Finish((Reply(T.CONSENT_REFUSED),))
    if "new" not in ctx.data:  # a household already in the register, without consent yet
        ctx.data["consent"] = True
        return _after_household(ctx)
    new = households.NewHousehold(**ctx.data["new"])
    twins = await households.similar(ctx.session, ctx.member.team_code or "", new)
    if twins:
        ctx.data["twins"] = [h.id for h in twins]
        return Go("duplicate")
    return _after_household(ctx)


async def consent_refused_prompt(ctx: Ctx) -> Reply:
    return Reply(
        T.CONSENT_SURE.format(name=ctx.data["new"].get("head_name", "")),
        (
            Option(_REFUSE, T.CONSENT_SURE_YES, ("dung", "khong luu", "chac"), means=vocabulary.YES),
            Option(_BACK, T.CONSENT_SURE_BACK, ("quay lai", "hoi lai"), means=vocabulary.NO),
        ),
    )


async def consent_refused_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    if answer.keys[0] == _REFUSE:
        return Finish((Reply(T.CONSENT_REFUSED),))
    return Go("consent")


async def duplicate_prompt(ctx: Ctx) -> Reply:
    found = await households.in_team(ctx.session, ctx.member.team_code or "", ctx.data.get("twins", []))
    options = (
        *(Option(f"h{h.id}", household_label(h)) for h in found),
        Option(_NOT_THESE, T.DUP_NONE, ("khong",), means=vocabulary.NO),
    )
    return Reply(T.DUP_ASK, options)


async def duplicate_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.CHOOSE_ONE)
    ctx.data.pop("twins", None)
    if answer.keys[0] == _NOT_THESE:
        return _after_household(ctx)
    return await _choose(ctx, answer.keys[0], (Reply(T.DUP_USING_EXISTING),))


# --- skills, details, confirm -------------------------------------------------------------------------------
async def skills_prompt(ctx: Ctx) -> Reply:
    options = tuple(Option(s.code, s.label, s.aliases) for s in ctx.config.skills)
    return Reply(T.SKILLS_ASK.format(household=_household_name(ctx)), options)


async def skills_or_last_prompt(ctx: Ctx) -> Reply:
    """The skills, and for a household visited before one more option, last: what was guided last time, chosen
    and finished in one tap (a repeat visit on Telegram: menu, household, this, Lưu)."""
    prompt = await skills_prompt(ctx)
    hid = ctx.data.get("hid")
    last = await household_history.last_skills(ctx.session, int(hid)) if hid else ()
    known = [s.code for s in ctx.config.skills if s.code in last]  # in the catalogue's order
    if not known:
        return prompt
    labels = ", ".join(ctx.config.skill_by_code[code].label for code in known)
    again = Option(
        _AGAIN, T.SKILLS_AS_BEFORE.format(skills=labels), ("nhu lan truoc", "giong lan truoc"), preset=tuple(known)
    )
    return replace(prompt, options=(*prompt.options, again))


async def skills_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return Stay(T.SKILLS_NOT_UNDERSTOOD.format(text=excerpt(answer.text)) if answer.text else T.SKILLS_NONE)
    ctx.data["skills"] = list(answer.keys)
    return Go("confirm")


def _household_name(ctx: Ctx) -> str:
    if "new" in ctx.data:
        new = ctx.data["new"]
        return T.HH_NEW_MARK.format(name=new["head_name"], address=new["address"])
    return str(ctx.data.get("household", ""))


def _summary(ctx: Ctx) -> str:
    labels = [ctx.config.skill_by_code[c].label for c in ctx.data["skills"] if c in ctx.config.skill_by_code]
    outcome = T.OUTCOME_RETURN if ctx.data["outcome"] == visits.OUTCOME_RETURN else T.OUTCOME_DONE
    note = ctx.data.get("note")
    return T.VISIT_SUMMARY.format(
        household=_household_name(ctx),
        skills=", ".join(labels),
        people=ctx.data["people"],
        outcome=outcome,
        date=format_date(chosen_day(ctx)),
        note=T.VISIT_SUMMARY_NOTE.format(note=note) if note else "",
    )


async def confirm_prompt(ctx: Ctx) -> Reply:
    outcome_label = T.BTN_MARK_DONE if ctx.data["outcome"] == visits.OUTCOME_RETURN else T.BTN_MARK_RETURN
    return Reply(
        T.CONFIRM_ASK.format(summary=_summary(ctx)),
        (
            Option(_SAVE, T.BTN_SAVE, ("luu", "ok", "xong", "dong y", "co"), means=vocabulary.YES),
            Option(_PEOPLE, T.BTN_PEOPLE, ("so nguoi", "nguoi", "so luong", "so luong nguoi", "may nguoi")),
            Option(_OUTCOME, outcome_label, ("quay lai", "can quay lai", "da xong")),
            Option(_NOTE, T.BTN_NOTE, ("ghi chu",)),
            Option(_DAY, T.BTN_DAY, ("doi ngay", "ngay")),
            Option(_SKILLS, T.BTN_EDIT_SKILLS, ("sua ky nang", "ky nang", "noi dung", "sua noi dung")),
        ),
    )


async def confirm_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if not answer.keys:
        return await _typed_at_confirm(ctx, answer.text)
    key = answer.keys[0]
    if key == _DAY:
        return Go("day")
    if key == _PEOPLE:
        return Go("people")
    if key == _NOTE:
        return Go("note")
    if key == _SKILLS:
        return Go("skills")
    if key == _OUTCOME:
        flipped = visits.OUTCOME_DONE if ctx.data["outcome"] == visits.OUTCOME_RETURN else visits.OUTCOME_RETURN
        ctx.data["outcome"] = flipped
        return Go("confirm")
    return await _save(ctx)


async def _typed_at_confirm(ctx: Ctx, text: str) -> Outcome:
    """ "3 người" changes the people count, "hôm qua" or "12/10" the day; anything else gets a hint."""
    people = _PEOPLE_RE.match(text)
    if people and 1 <= int(people.group(1)) <= 50:
        ctx.data["people"] = int(people.group(1))
        return Go("confirm")
    day = parse_day(text, ctx.today)
    if day is None:
        return Stay(T.CONFIRM_HINT)
    reason = await why_closed(ctx, ctx.member.team_code or "", day)
    if reason is not None:
        return Stay(reason)
    ctx.data[DAY_KEY] = day.isoformat()
    return Go("confirm")


async def _save(ctx: Ctx) -> Outcome:
    team = ctx.member.team_code or ""
    reason = await why_closed(ctx, team, chosen_day(ctx))
    if reason is not None:  # e.g. the period was reported while this entry was open
        return Stay(reason)
    if "new" in ctx.data:
        household = await households.create(
            ctx.session,
            team,
            households.NewHousehold(**ctx.data["new"]),
            ctx.member.id or 0,
            ctx.now,
            ctx.config.privacy.consent_version,
        )
    else:
        found = await households.in_team(ctx.session, team, [int(ctx.data["hid"])])
        if not found:
            return Finish((Reply(T.HH_NOT_FOUND),))
        household = found[0]
        if ctx.data.get("consent") and household.consent_at is None:
            await privacy.record_consent(
                ctx.session, household, ctx.member.id or 0, ctx.now, ctx.config.privacy.consent_version
            )
    draft = visits.VisitDraft(
        household_id=household.id or 0,
        skills=tuple(ctx.data["skills"]),
        visited_on=chosen_day(ctx),
        people_count=int(ctx.data["people"]),
        outcome=ctx.data["outcome"],
        note=ctx.data.get("note"),
    )
    visit = await visits.record(ctx.session, ctx.member, household, draft, ctx.now)
    return Finish((Reply(T.VISIT_SAVED.format(id=visit.id, summary=_summary(ctx))),))


async def people_prompt(ctx: Ctx) -> Reply:
    return Reply(T.PEOPLE_ASK, tuple(Option(f"p{n}", str(n)) for n in range(1, 7)))


async def people_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.keys:
        ctx.data["people"] = int(answer.keys[0][1:])
        return Go("confirm")
    match = _PEOPLE_RE.match(answer.text)
    if not match or not 1 <= int(match.group(1)) <= 50:
        return Stay(T.PEOPLE_INVALID)
    ctx.data["people"] = int(match.group(1))
    return Go("confirm")


async def note_prompt(ctx: Ctx) -> Reply:
    return Reply(T.NOTE_ASK, (Option(_SKIP, T.NOTE_CLEAR, ("bo qua", "khong", "xoa")),))


async def note_answer(ctx: Ctx, answer: Answer) -> Outcome:
    if answer.keys:
        ctx.data.pop("note", None)
        return Go("confirm")
    note, notes = _clean_text(answer.text, 500)
    if not note:
        return Stay(T.NOTE_ASK)
    ctx.data["note"] = note
    return Go("confirm", notes)


# --- one line: /gn Nguyễn Văn An, xóm 3: vneid dvc 2 nguoi ------------------------------------------------------
async def quick_start(ctx: Ctx, args: str) -> Outcome:
    """Read the line into a draft, find the household, and go to the first thing still missing."""
    if not args.strip():
        return Finish((Reply(T.GN_USAGE),))
    ctx.data.update(people=1, outcome=visits.OUTCOME_DONE)
    entry = parse_quick_entry(args, ctx.config.skills, ctx.today)
    notes = await _take_quick_entry(ctx, entry)
    if not entry.household:
        return Go("household", (*notes, Reply(T.GN_NO_NAME)))
    name = " ".join(entry.household.replace(CITIZEN_ID_MASK, " ").split())
    address = entry.address or ""
    candidates = await households.similar(
        ctx.session, ctx.member.team_code or "", households.NewHousehold(name, address)
    )
    same_name = [h for h in candidates if sorted(h.name_key.split()) == sorted(word_key(name).split())]
    if len(same_name) == 1:  # one household with exactly this name (and address, when given): the confirm shows it
        return await _choose(ctx, f"h{same_name[0].id}", notes)
    ctx.data["quick"] = {"head_name": name, "address": address} if address else {"head_name": name}
    if candidates:
        ctx.data.update(search=name, found=[h.id for h in candidates])
        return Go("household", notes)
    ctx.data["new"] = ctx.data.pop("quick")
    return Go("new_phone" if address else "new_address", (*notes, Reply(T.GN_NEW_HOUSEHOLD.format(name=name))))


async def _take_quick_entry(ctx: Ctx, entry: QuickEntry) -> tuple[Reply, ...]:
    """Keep what the line says in the draft; return the notes about what was masked, unread or refused."""
    notes: list[Reply] = []
    if entry.masked_id:
        notes.append(Reply(T.CITIZEN_ID_MASKED))
    if entry.unknown:
        notes.append(Reply(T.GN_UNKNOWN.format(parts=", ".join(f"“{excerpt(part)}”" for part in entry.unknown[:5]))))
    if entry.skills:
        ctx.data["skills"] = list(entry.skills)
    if entry.people:
        ctx.data["people"] = entry.people
    if entry.return_visit:
        ctx.data["outcome"] = visits.OUTCOME_RETURN
    if entry.note:
        ctx.data["note"] = _clean_text(entry.note, 500)[0]
    if entry.day:
        reason = await why_closed(ctx, ctx.member.team_code or "", entry.day)
        if reason is None:
            ctx.data[DAY_KEY] = entry.day.isoformat()
        else:
            notes.append(Reply(f"{reason}\n{T.GN_DAY_TODAY}"))
    return tuple(notes)


_STEPS = {
    "household": Step(household_prompt, household_answer, stops_on_no=True),
    "new_name": Step(new_name_prompt, new_name_answer, keeps_text=True),
    "new_address": Step(new_address_prompt, new_address_answer, keeps_text=True),
    "new_phone": Step(new_phone_prompt, new_phone_answer, numeric_answer=True),
    "new_flags": Step(new_flags_prompt, new_flags_answer, multi=True),
    "consent": Step(consent_prompt, consent_answer),
    "consent_refused": Step(consent_refused_prompt, consent_refused_answer),
    "duplicate": Step(duplicate_prompt, duplicate_answer),
    "skills": Step(skills_or_last_prompt, skills_answer, multi=True),
    "confirm": Step(confirm_prompt, confirm_answer),
    "people": Step(people_prompt, people_answer, numeric_answer=True),
    "note": Step(note_prompt, note_answer, keeps_text=True),
    "day": Step(*day_step("confirm"), numeric_answer=True),
}
QUICK_FLOW = Flow(name=QUICK_NAME, title=T.FLOW_TITLE_LOG_VISIT, start=quick_start, steps=_STEPS)
FLOW = Flow(name=NAME, title=T.FLOW_TITLE_LOG_VISIT, start=start, steps=_STEPS)
