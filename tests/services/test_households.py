from bot.services import households
from bot.services.households import NewHousehold
from bot.store.models import Member


async def _member(session, now, team="T01") -> Member:
    member = Member(display_name="Tổ viên", role="member", team_code=team, created_at=now)
    session.add(member)
    await session.flush()
    return member


async def _add(session, now, member, name, address, phone=None, team="T01"):
    return await households.create(session, team, NewHousehold(name, address, phone), member.id, now, "2026-01")


async def test_similar_finds_the_same_household_written_differently(store, clock):
    now = clock.now()
    async with store.session() as s:
        m = await _member(s, now)
        original = await _add(s, now, m, "Nguyễn Văn An", "Xóm 3, số nhà 12", "+84912345678")
        await _add(s, now, m, "Trần Thị Bình", "Xóm 1")
        await _add(s, now, m, "Nguyễn Văn Anh", "Xóm 5")  # a different person in another xóm
    cases = [
        NewHousehold("nguyen van an", "xom 3"),  # no diacritics
        NewHousehold("An Nguyễn Văn", "Xóm 3"),  # word order swapped
        NewHousehold("Nguyen Van Ann", "xom 3 so nha 12"),  # a typo
        NewHousehold("Ông Tư", "Xóm 9", "0912.345.678"),  # same phone written differently
    ]
    async with store.session() as s:
        for new in cases:
            found = await households.similar(s, "T01", new)
            assert found and found[0].id == original.id, new


async def test_similar_ignores_other_people_and_other_teams(store, clock):
    now = clock.now()
    async with store.session() as s:
        m = await _member(s, now)
        await _add(s, now, m, "Nguyễn Văn An", "Xóm 3")
        other = await _member(s, now, "T02")
        await _add(s, now, other, "Lê Thị Hoa", "Xóm 3", team="T02")
    async with store.session() as s:
        assert await households.similar(s, "T01", NewHousehold("Phạm Văn Nam", "Xóm 3")) == []
        assert await households.similar(s, "T01", NewHousehold("Le Thi Hoa", "xom 3")) == []
        assert await households.similar(s, "T01", NewHousehold("Nguyễn Văn An", "Thôn Kiến Lao, đội 7")) == []


async def test_search_by_name_without_diacritics_within_team_only(store, clock):
    now = clock.now()
    async with store.session() as s:
        m = await _member(s, now)
        an = await _add(s, now, m, "Nguyễn Văn An", "Xóm 3")
        await _add(s, now, m, "Trần Văn Toàn", "Xóm 2")
        other = await _member(s, now, "T02")
        await _add(s, now, other, "Lê Văn An", "Xóm 1", team="T02")
    async with store.session() as s:
        found = await households.search(s, "T01", "an")
        assert found[0].id == an.id
        assert all(h.team_code == "T01" for h in found)
        assert [h.id for h in await households.search(s, "T01", "nguyen van an")] == [an.id]
        assert await households.search(s, "T01", "Lê Văn") == [] or all(
            h.team_code == "T01" for h in await households.search(s, "T01", "Lê Văn")
        )


async def test_in_team_denies_other_teams(store, clock):
    now = clock.now()
    async with store.session() as s:
        other = await _member(s, now, "T02")
        theirs = await _add(s, now, other, "Lê Thị Hoa", "Xóm 3", team="T02")
    async with store.session() as s:
        assert await households.in_team(s, "T01", [theirs.id]) == []
        assert [h.id for h in await households.in_team(s, "T02", [theirs.id])] == [theirs.id]


async def test_search_ranks_names_containing_every_typed_word_first(store, clock):
    now = clock.now()
    async with store.session() as s:
        m = await _member(s, now)
        await _add(s, now, m, "Ngô Thị Đức", "Xóm 5")
        await _add(s, now, m, "Hoàng Thu Nga", "Xóm 4")
        nga = await _add(s, now, m, "Ngô Ngọc Nga", "Xóm 5")
        await _add(s, now, m, "Ngô Ngọc Hà", "Xóm 1")
    async with store.session() as s:
        assert (await households.search(s, "T01", "ngo nga"))[0].id == nga.id
        assert (await households.search(s, "T01", "nga ngo"))[0].id == nga.id
        assert (await households.search(s, "T01", "Ngo Ngoc Ngaa"))[0].id == nga.id  # a typo still finds it
