"""The team's household register: find, add, and spot a household that is already there."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz, process
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.phone import normalise_phone
from bot.core.text import nfc, word_key
from bot.services import audit
from bot.store.models import Household, Visit

NAME_MATCH = 86  # token_sort_ratio on folded names: "Nguyen Van An" ~ "Nguyễn Văn Ân", "An Nguyen Van"
ADDRESS_MATCH = 70  # token_set_ratio on folded addresses: "xom 3" ~ "Xóm 3, thôn Đông"
SEARCH_CUTOFF = 75


@dataclass(frozen=True)
class NewHousehold:
    head_name: str
    address: str
    phone: str | None = None
    elderly: bool = False
    ethnic_minority: bool = False
    no_device: bool = False


_NUMBER = re.compile(r"\d+")


def _numbers_agree(a: str, b: str) -> bool:
    """One side's numbers contain the other's: "xom 3" agrees with "xom 3 so nha 12", not with "xom 5"."""
    first, second = set(_NUMBER.findall(a)), set(_NUMBER.findall(b))
    return not first or not second or first <= second or second <= first


def _e164(phone: str | None) -> str | None:
    return normalise_phone(phone).e164 if phone else None


def _addresses_match(a: str, b: str) -> bool:
    if not a or not b:
        return True
    return _numbers_agree(a, b) and fuzz.token_set_ratio(a, b) >= ADDRESS_MATCH


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


async def search(session: AsyncSession, team_code: str, query: str, limit: int = 8) -> list[Household]:
    """Households of the team whose head's name (or address) matches what was typed, best first."""
    key = word_key(query)
    if not key:
        return []
    rows = (
        await session.exec(
            select(Household.id, Household.name_key, Household.address_key).where(  # type: ignore[call-overload]
                Household.team_code == team_code, col(Household.archived_at).is_(None)
            )
        )
    ).all()
    scored: dict[int, float] = {}
    tokens = key.split()
    for hid, name_key, address_key in rows:
        words = name_key.split()
        if all(any(w.startswith(t) for w in words) for t in tokens):
            # every typed word starts a word of the name, in any order: "ngo nga" → "Ngô Ngọc Nga"
            exact = sum(t in words for t in tokens)
            scored[hid] = 200 + 10 * exact - len(words)
        elif key in address_key:
            scored[hid] = 120
    if len(scored) < limit:
        choices = {hid: name_key for hid, name_key, _ in rows if hid not in scored}
        for _, score, hid in process.extract(
            key, choices, scorer=fuzz.token_set_ratio, score_cutoff=SEARCH_CUTOFF, limit=limit - len(scored)
        ):
            scored[hid] = score
    return await in_team(session, team_code, sorted(scored, key=lambda hid: -scored[hid])[:limit])


async def similar(session: AsyncSession, team_code: str, new: NewHousehold, limit: int = 3) -> list[Household]:
    """Existing households that are probably the same as `new`: same phone, or a close name and address."""
    name_key, address_key, phone_e164 = word_key(new.head_name), word_key(new.address), _e164(new.phone)
    candidates: dict[int, float] = {}
    rows = (
        await session.exec(
            select(Household.id, Household.name_key, Household.address_key, Household.phone).where(  # type: ignore[call-overload]
                Household.team_code == team_code, col(Household.archived_at).is_(None)
            )
        )
    ).all()
    for hid, other_name, other_address, phone in rows:
        if phone_e164 and phone == phone_e164:
            candidates[hid] = 300
            continue
        name_score = fuzz.token_sort_ratio(name_key, other_name)
        if name_score < NAME_MATCH:
            continue
        if _addresses_match(address_key, other_address):
            candidates[hid] = name_score + fuzz.token_set_ratio(address_key, other_address)
    return await in_team(session, team_code, sorted(candidates, key=lambda hid: -candidates[hid])[:limit])


async def create(
    session: AsyncSession,
    team_code: str,
    new: NewHousehold,
    member_id: int,
    now: datetime,
    consent_version: str | None,
) -> Household:
    household = Household(
        team_code=team_code,
        head_name=nfc(new.head_name),
        name_key=word_key(new.head_name),
        address=nfc(new.address),
        address_key=word_key(new.address),
        phone=_e164(new.phone),
        elderly=new.elderly,
        ethnic_minority=new.ethnic_minority,
        no_device=new.no_device,
        assigned_member_id=member_id,
        consent_at=now if consent_version else None,
        consent_version=consent_version,
        consent_by=member_id if consent_version else None,
        created_by=member_id,
        created_at=now,
        updated_at=now,
    )
    session.add(household)
    await session.flush()
    await audit.record(session, now, member_id, "household.create", "household", household.id, team=team_code)
    return household
