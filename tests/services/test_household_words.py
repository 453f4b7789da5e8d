"""household_word kept with every write equals the table rebuilt from the households, on both backends."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import delete, update
from sqlmodel import col, select

from bot.core.tabular import read_table
from bot.core.text import word_key
from bot.services import household_import, household_match, household_words, households
from bot.services.household_match import MatchIndex, address_numbers
from bot.services.households import NewHousehold
from bot.store.models import Household, HouseholdWord
from tests.household_lists import base_rows, csv_text, no_diacritics

TEAMS = ("T01", "T02")


async def _words(session) -> set[tuple]:
    rows = await session.exec(
        select(
            HouseholdWord.household_id,
            HouseholdWord.kind,
            HouseholdWord.word,
            HouseholdWord.team_code,
            HouseholdWord.numbers,
        )
    )
    return set(rows.all())


async def _ids(session) -> list[int]:
    return list((await session.exec(select(Household.id).order_by(Household.id))).all())


async def test_the_kept_words_equal_a_rebuild_after_random_writes(store, clock):
    rng = random.Random(3)
    pool = base_rows(120, seed=4)
    for step in range(40):
        now = clock.now()
        async with store.session() as s:
            ids = await _ids(s)
            action = rng.choice(["add", "add", "import", "edit", "move", "archive", "erase", "merge"])
            if action == "add" or not ids:
                row = rng.choice(pool)
                name = row.name if rng.random() < 0.5 else no_diacritics(row.name)
                new = NewHousehold(name, row.address, row.phone)
                await households.create(s, rng.choice(TEAMS), new, None, now, None)
            elif action == "import":  # new rows, and rows of households already there (updated in place)
                table = read_table("ds.csv", csv_text(rng.sample(pool, 12)).encode())
                report = await household_import.plan(s, rng.choice(TEAMS), table, include_similar=rng.random() < 0.5)
                await household_import.apply(s, report, now, None, source="test")
            elif action == "edit":  # a corrected name or address, written the way a future editor would
                hid, row = rng.choice(ids), rng.choice(pool)
                values = {"head_name": row.name, "name_key": word_key(row.name)}
                if rng.random() < 0.5:
                    values = {"address": row.address, "address_key": word_key(row.address)}
                await s.exec(update(Household).where(col(Household.id) == hid).values(**values))
                await household_words.refresh(s, [hid])
            elif action == "move":
                hid = rng.choice(ids)
                await s.exec(update(Household).where(col(Household.id) == hid).values(team_code=rng.choice(TEAMS)))
                await household_words.refresh(s, [hid])
            elif action == "archive":
                hid = rng.choice(ids)
                await s.exec(update(Household).where(col(Household.id) == hid).values(archived_at=now))
                await household_words.refresh(s, [hid])
            elif action == "erase":
                hid = rng.choice(ids)
                await household_words.forget(s, [hid])
                await s.exec(delete(Household).where(col(Household.id) == hid))
            else:  # merge: the kept household takes the other's address, the other goes
                kept, gone = rng.sample(ids, 2) if len(ids) > 1 else (ids[0], None)
                if gone is not None:
                    other = await s.get(Household, gone)
                    assert other is not None
                    await s.exec(
                        update(Household)
                        .where(col(Household.id) == kept)
                        .values(address=other.address, address_key=other.address_key)
                    )
                    await household_words.forget(s, [gone])
                    await s.exec(delete(Household).where(col(Household.id) == gone))
                    await household_words.refresh(s, [kept])
            await s.commit()
        if step % 10 == 9:
            async with store.session() as s:
                kept = await _words(s)
                await household_words.rebuild(s)
                assert await _words(s) == kept, step
                await s.rollback()
    async with store.session() as s:
        kept = await _words(s)
        assert kept  # the writes left households with words
        await household_words.rebuild(s)
        assert await _words(s) == kept


async def test_a_household_is_found_by_search_in_the_transaction_that_adds_it(store, clock):
    async with store.session() as s:
        added = await households.create(s, "T01", NewHousehold("Đặng Thị Quỳnh", "Xóm 7"), None, clock.now(), None)
        found = await households.search(s, "T01", "dang quynh")
        assert [h.id for h in found] == [added.id]
        assert [h.id for h in await households.search(s, "T01", "dang thi quyn")] == [added.id]  # a typo
        similar = await households.similar(s, "T01", NewHousehold("Quynh Dang Thi", "xom 7"))
        assert [h.id for h in similar] == [added.id]


async def _reference_similar(session, team: str, new: NewHousehold, limit: int = 3) -> tuple[list[int], list[str]]:
    """What the similar-household check answers when the match index files the team's whole register, and the
    blocks it reads then."""
    name_key, address_key = word_key(new.head_name)[:120], word_key(new.address)[:120]
    phone = households._e164(new.phone)
    index: MatchIndex[int] = MatchIndex(focus=(name_key, address_key, phone))
    stmt = (
        select(Household.id, Household.name_key, Household.address_key, Household.phone)
        .where(Household.team_code == team, col(Household.archived_at).is_(None))
        .order_by(Household.id)
    )
    for row in (await session.exec(stmt)).all():
        index.add(*row)
    chosen = household_match.choose_blocks(name_key, address_numbers(address_key), index._size)
    return [m.ref for m in index.find(name_key, address_key, phone, limit)], chosen


@pytest.mark.parametrize("budget", [1, 3, 800])
async def test_similar_reads_what_the_whole_register_would_give(store, clock, monkeypatch, budget):
    """The check reads only the blocks the match index chooses, by sizes counted in the database (up to just
    above the budget, in full when one group alone exceeds it): the same answer as filing every household."""
    monkeypatch.setattr(household_match, "CANDIDATE_BUDGET", budget)
    monkeypatch.setattr(households, "CANDIDATE_BUDGET", budget)
    rng = random.Random(budget)
    rows = base_rows(150, seed=8)
    async with store.session() as s:
        table = read_table("ds.csv", csv_text(rows).encode())
        report = await household_import.plan(s, "T01", table, include_similar=True)
        await household_import.apply(s, report, clock.now(), None, source="test")
        await s.commit()
    async with store.session() as s:
        for row in rng.sample(rows, 40):
            words = no_diacritics(row.name).split()
            address = rng.choice([row.address, "", "Xóm 3", f"xom 3 so nha {rng.randint(20, 40)}"])
            for name in (row.name, " ".join(words[::-1]), " ".join(words[:2]), words[0]):
                new = NewHousehold(name, address, row.phone if rng.random() < 0.2 else None)
                found = [h.id for h in await households.similar(s, "T01", new)]
                expected, blocks = await _reference_similar(s, "T01", new)
                assert found == expected, new
                numbers = address_numbers(word_key(address))
                _, chosen = await households._sizes_and_choice(s, "T01", word_key(name), numbers)
                assert chosen == blocks, new
