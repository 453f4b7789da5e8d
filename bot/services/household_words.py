"""household_word: the folded words of each active household's name and address, for look-ups by index.

Every write of a household's name, address, team or archived state keeps these rows in its own transaction
(`add` for new households, `refresh` for changed ones, `forget` before a deletion); `rebuild` derives the whole
table again, which a test compares with the kept one. A batch that fixed the table later would let a search miss
a household just added."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.gc_pause import without_gc_pauses
from bot.services.household_match import address_numbers, block_keys
from bot.store.db import bulk_insert_records
from bot.store.models import (
    WORD_ADDRESS,
    WORD_BLOCK_NUMBER,
    WORD_FAMILY_END,
    WORD_FAMILY_START,
    WORD_NAME,
    Household,
    HouseholdWord,
)

_TABLE = HouseholdWord.__table__  # type: ignore[attr-defined]
_CHUNK = 500  # households per statement when many are written at once (bounded parameter counts)


def numbers_key(address_key: str) -> str:
    """The address numbers as stored: sorted as text and comma-separated, as the match index files them."""
    return ",".join(sorted(address_numbers(address_key)))


_BLOCK_KINDS = {"w": WORD_NAME, "f": WORD_FAMILY_START, "g": WORD_FAMILY_END}


_COLUMNS = ["team_code", "kind", "word", "numbers", "household_id"]  # the table's order


def word_records(household_id: int, team_code: str, name_key: str, address_key: str) -> list[tuple[Any, ...]]:
    """The household_word rows of one household, as tuples in _COLUMNS' order (folded keys as stored in
    household.name_key/address_key)."""
    numbers = numbers_key(address_key)
    blocks = block_keys(name_key)  # the match index's own blocks, so that its sizes can be counted here
    keys = {(_BLOCK_KINDS[b[0]], b[2:]) for b in blocks} | {(WORD_ADDRESS, w) for w in address_key.split()}
    keys |= {(WORD_BLOCK_NUMBER, f"{b}#{n}") for b in blocks for n in address_numbers(address_key)}
    return [(team_code, kind, word, numbers, household_id) for kind, word in sorted(keys)]


def word_rows(household_id: int, team_code: str, name_key: str, address_key: str) -> list[dict[str, Any]]:
    """word_records as dicts by column."""
    return [dict(zip(_COLUMNS, r, strict=True)) for r in word_records(household_id, team_code, name_key, address_key)]


async def add(session: AsyncSession, households: Iterable[tuple[int, str, str, str]]) -> None:
    """File new households: (id, team code, name key, address key) each."""
    with without_gc_pauses():
        records = [r for h in households for r in word_records(*h)]
    await bulk_insert_records(session, _TABLE, _COLUMNS, records)


async def refresh(session: AsyncSession, ids: Sequence[int]) -> None:
    """File these households again from what is stored now: after a change of name, address or team, an
    archiving or an erasure (an archived or deleted household has no rows)."""
    await forget(session, ids)
    for start in range(0, len(ids), _CHUNK):
        await add(session, await _active_keys(session, col(Household.id).in_(list(ids[start : start + _CHUNK]))))


async def forget(session: AsyncSession, ids: Sequence[int]) -> None:
    """Drop these households' rows, before the households themselves are deleted (an erasure, a merge's
    absorbed household): the rows refer to them."""
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        await session.exec(delete(HouseholdWord).where(col(HouseholdWord.household_id).in_(chunk)))  # type: ignore[call-overload]


async def rebuild(session: AsyncSession) -> None:
    """The whole table derived again from the households."""
    await session.exec(delete(HouseholdWord))  # type: ignore[call-overload]
    await add(session, await _active_keys(session, None))


async def _active_keys(session: AsyncSession, where: Any) -> list[tuple[int, str, str, str]]:
    stmt = select(Household.id, Household.team_code, Household.name_key, Household.address_key).where(
        col(Household.archived_at).is_(None)
    )
    if where is not None:
        stmt = stmt.where(where)
    return list((await session.exec(stmt.order_by(Household.id))).all())  # type: ignore[arg-type]
