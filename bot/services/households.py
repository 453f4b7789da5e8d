"""The team's household register: find, add, and spot a household that is already there."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import ColumnElement, and_, case, false, func, literal, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.phone import normalise_phone
from bot.core.text import nfc, word_key
from bot.core.vocabulary import household_query
from bot.services import audit
from bot.services.household_match import MatchIndex, address_numbers
from bot.store.models import Household, Visit

SEARCH_CUTOFF = 75
# A search reads at most this much of what was typed: a name has a few words, and every word costs a condition in
# the query (a pasted paragraph once gave SQLite "Expression tree is too large" and PostgreSQL too many arguments).
SEARCH_MAX_WORDS = 6
SEARCH_MAX_CHARS = 120  # as long as a stored name (Household.head_name)


@dataclass(frozen=True)
class NewHousehold:
    head_name: str
    address: str
    phone: str | None = None
    elderly: bool = False
    ethnic_minority: bool = False
    no_device: bool = False


_E164 = re.compile(r"\+[1-9]\d{7,14}")


def _e164(phone: str | None) -> str | None:
    if phone and _E164.fullmatch(phone):
        return phone  # already stored form: no need to parse again
    return normalise_phone(phone).e164 if phone else None


def _active(team_code: str):  # type: ignore[no-untyped-def]
    return select(Household).where(Household.team_code == team_code, col(Household.archived_at).is_(None))


async def in_team(session: AsyncSession, team_code: str, ids: list[int]) -> list[Household]:
    """These households, in the order given, leaving out any that are not (or no longer) the team's."""
    if not ids:
        return []
    found = {h.id: h for h in (await session.exec(_active(team_code).where(col(Household.id).in_(ids)))).all()}
    return [found[i] for i in ids if i in found]


async def recent_for_member(session: AsyncSession, team_code: str, member_id: int, limit: int) -> list[Household]:
    """The member's most recently visited households, then those assigned to them, then the team's newest."""
    last_visit = func.max(Visit.created_at).label("last")
    visited = (
        select(Visit.household_id, last_visit)
        .where(Visit.member_id == member_id, Visit.team_code == team_code, Visit.status == "active")
        .group_by(Visit.household_id)
        .order_by(last_visit.desc())
        .limit(limit)
    )
    ids = [row[0] for row in (await session.exec(visited)).all()]  # type: ignore[call-overload]
    result = await in_team(session, team_code, ids)
    if len(result) < limit:
        more = _active(team_code).where(col(Household.id).not_in(ids or [0]))
        more = more.order_by(
            (Household.assigned_member_id == member_id).desc(),  # type: ignore[arg-type]
            col(Household.created_at).desc(),
        ).limit(limit - len(result))
        result.extend((await session.exec(more)).all())
    return result


def _name_words() -> ColumnElement[str]:
    return literal(" ") + Household.name_key + literal(" ")


def _starts_a_word(token: str) -> ColumnElement[bool]:
    """The folded name has a word starting with `token` (folded keys hold only a-z, 0-9: nothing to escape)."""
    return _name_words().like(f"% {token}%")


def search_key(text: str) -> str:
    """The folded words of a name or address typed to search with, bounded: the first SEARCH_MAX_WORDS distinct
    words within SEARCH_MAX_CHARS characters."""
    words = dict.fromkeys(word_key(text[: SEARCH_MAX_CHARS * 4])[:SEARCH_MAX_CHARS].split())
    return " ".join(list(words)[:SEARCH_MAX_WORDS])


def _active_in(team_code: str) -> tuple[ColumnElement[bool], ...]:
    return (Household.team_code == team_code, col(Household.archived_at).is_(None))  # type: ignore[return-value]


async def _ids(session: AsyncSession, stmt: Any) -> list[int]:
    return list((await session.exec(stmt)).all())


async def search(session: AsyncSession, team_code: str, query: str, limit: int = 8) -> list[Household]:
    """Households of the team whose head's name (or address) matches what was typed, best first.

    1. every typed word starts a word of the name, in any order ("ngo nga" → "Ngô Ngọc Nga"): whole words typed
       first, then shorter names;
    2. the address contains what was typed ("xom 3");
    3. only when neither found anything: a close name (a typo), among names where all typed words but one start a
       word (and the other's first letter does).
    The first two are answered by the database, so a register of 20,000 households is not read into memory.

    Titles before the name are not part of it ("bà Hoa", "ông Lộc"), and a place after it narrows the search
    ("chú Dũng xóm 5"); when no household there has the name, the name's matches elsewhere are offered to choose
    from. A name typed with the Vietnamese keyboard off ("nguyeenx vawn an") is read once more without its keys.
    """
    typed = household_query(query)
    name, place = search_key(typed.name), search_key(typed.place)
    ids = await _search_ids(session, team_code, name, place, limit)
    if not ids and typed.repaired:
        ids = await _search_ids(session, team_code, search_key(typed.repaired), place, limit)
    if not ids and place:
        ids = await _search_ids(session, team_code, name, "", limit)
    return await in_team(session, team_code, ids)


async def _search_ids(session: AsyncSession, team_code: str, key: str, place: str, limit: int) -> list[int]:
    if not key:
        return []
    tokens = key.split()
    by_name = and_(*(_starts_a_word(t) for t in tokens))
    exact = sum((case((_name_words().like(f"% {t} %"), 10), else_=0) for t in tokens), literal(0))
    words = func.length(Household.name_key) - func.length(func.replace(Household.name_key, " ", "")) + 1
    rank = case((by_name, 1000 + exact - words), else_=0)  # names first, then addresses
    in_address = col(Household.address_key).contains(key)
    where = [*_active_in(team_code), or_(by_name, in_address)]
    if place:
        where.append(col(Household.address_key).contains(place))
    ids = await _ids(session, select(Household.id).where(*where).order_by(rank.desc(), Household.id).limit(limit))
    if not ids:  # nothing starts with what was typed: probably a typo
        ids = await _close_names(session, team_code, key, place, limit)
    return ids


async def _close_names(session: AsyncSession, team_code: str, key: str, place: str, limit: int) -> list[int]:
    """Names within SEARCH_CUTOFF of a query with a typo, among those where all typed words but one start a word
    and the other's first letter does (for one typed word: its first two letters)."""
    tokens = key.split()
    if len(tokens) == 1:
        near: ColumnElement[bool] = _starts_a_word(tokens[0][:2])
    else:
        matched = sum((case((_starts_a_word(t), 1), else_=0) for t in tokens), literal(0))
        near = and_(*(_starts_a_word(t[0]) for t in dict.fromkeys(tokens)), matched >= len(tokens) - 1)
    stmt = select(Household.id, Household.name_key).where(*_active_in(team_code), near)  # type: ignore[call-overload]
    if place:
        stmt = stmt.where(col(Household.address_key).contains(place))
    choices = dict((await session.exec(stmt.order_by(Household.id))).all())
    found = process.extract(key, choices, scorer=fuzz.token_set_ratio, score_cutoff=SEARCH_CUTOFF, limit=limit)
    return [hid for _, _, hid in found]


def names_every_word(household: Household, query: str) -> bool:
    """Every word of the name part of `query` is a whole word of the household's name (titles and the place
    left out): "ông Lộc" names Phạm Văn Lộc; "Lo" or "Locc" do not."""
    typed = household_query(query)
    words = (typed.repaired or typed.name).split()
    return bool(words) and set(words) <= set(household.name_key.split())


def _may_match(name_key: str, address_key: str, phone: str | None) -> ColumnElement[bool]:
    """A superset, in SQL, of the rows the match index reads for this query: the same phone, or a name sharing a
    word whose address numbers could agree (one of the same numbers, or none). Loading only these and filing
    them gives the same answer as filing the whole register, at a fraction of the cost."""
    words = [_name_words().like(f"% {w} %") for w in dict.fromkeys(name_key.split())]
    condition: ColumnElement[bool] = or_(false(), *words)
    numbers = sorted(address_numbers(address_key), key=len, reverse=True)  # the rarer, longer numbers first
    if numbers:
        address = col(Household.address_key)
        no_digits = and_(*(address.not_like(f"%{d}%") for d in "0123456789"))
        condition = and_(or_(*(address.contains(n) for n in numbers), no_digits), condition)
    return or_(condition, Household.phone == phone) if phone else condition


async def similar(session: AsyncSession, team_code: str, new: NewHousehold, limit: int = 3) -> list[Household]:
    """Existing households that are probably the same as `new`: same phone, or a close name and address."""
    name_key, address_key = word_key(new.head_name)[:SEARCH_MAX_CHARS], word_key(new.address)[:SEARCH_MAX_CHARS]
    phone = _e164(new.phone)
    rows = await session.exec(
        select(Household.id, Household.name_key, Household.address_key, Household.phone).where(  # type: ignore[call-overload]
            Household.team_code == team_code,
            col(Household.archived_at).is_(None),
            _may_match(name_key, address_key, phone),
        )
    )
    index: MatchIndex[int] = MatchIndex(focus=(name_key, address_key, phone))
    for hid, other_name, other_address, other_phone in rows:
        index.add(hid, other_name, other_address, other_phone)
    found = index.find(name_key, address_key, phone, limit)
    return await in_team(session, team_code, [m.ref for m in found])


def new_values(
    team_code: str,
    new: NewHousehold,
    now: datetime,
    member_id: int | None,
    consent_version: str | None,
    assigned_member_id: int | None = None,
    keys: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The columns of a new household: what `create` stores, and what an import inserts in bulk.

    `keys`: word_key of the head's name and of the address, when the caller has them already (an import folds
    every row to match it, and need not fold 20,000 rows twice)."""
    consented = bool(consent_version) and member_id is not None
    name_key, address_key = keys if keys is not None else (word_key(new.head_name), word_key(new.address))
    return {
        "team_code": team_code,
        "head_name": nfc(new.head_name),
        "name_key": name_key,
        "address": nfc(new.address),
        "address_key": address_key,
        "phone": _e164(new.phone),
        "elderly": new.elderly,
        "ethnic_minority": new.ethnic_minority,
        "no_device": new.no_device,
        "assigned_member_id": member_id if assigned_member_id is None else assigned_member_id,
        "consent_at": now if consented else None,
        "consent_version": consent_version if consented else None,
        "consent_by": member_id if consented else None,
        "created_by": member_id,
        "created_at": now,
        "updated_at": now,
    }


async def create(
    session: AsyncSession,
    team_code: str,
    new: NewHousehold,
    member_id: int | None,
    now: datetime,
    consent_version: str | None,
    *,
    assigned_member_id: int | None = None,
) -> Household:
    """Add a household. A member adding it is its assigned member and collects consent; with no member
    (`member_id` None, e.g. an administrator's import) nobody is assigned and consent is asked at the first visit.
    """
    household = Household(**new_values(team_code, new, now, member_id, consent_version, assigned_member_id))
    session.add(household)
    await session.flush()
    await audit.record(session, now, member_id, "household.create", "household", household.id, team=team_code)
    return household
