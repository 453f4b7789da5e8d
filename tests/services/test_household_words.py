"""household_word kept with every write equals the table rebuilt from the households, on both backends."""

from __future__ import annotations

import random

from sqlalchemy import delete, update
from sqlmodel import col, select

from bot.core.tabular import read_table
from bot.core.text import word_key
from bot.services import household_import, household_words, households
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
