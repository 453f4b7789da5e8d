"""Importing a thôn's household list: what each row does, bad rows, a second import, and duplicates at scale."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import func, select

from bot.core.tabular import Table, read_table
from bot.core.text import word_key
from bot.services import household_import, households
from bot.services.household_import import Action, Note, Problem
from bot.services.household_match import MatchIndex, Reason
from bot.services.households import NewHousehold
from bot.store.models import AuditEntry, Conversation, Household, Member, Upload
from tests.household_lists import base_rows, with_near_duplicates, xlsx_bytes

HEADER = "STT,Họ tên chủ hộ,Địa chỉ,Số điện thoại,Người cao tuổi,Người phụ trách,Ghi chú\n"


def _csv(*lines: str) -> Table:
    return read_table("ds.csv", (HEADER + "\n".join(lines) + "\n").encode())


async def _import(store, clock, table: Table, team: str = "T01", include_similar: bool = False, dry_run=False):
    async with store.session() as s:
        report = await household_import.plan(s, team, table, include_similar=include_similar)
        if not dry_run:
            await household_import.apply(s, report, clock.now(), None, source="test")
    return report


async def _households(store, team: str = "T01") -> list[Household]:
    async with store.session() as s:
        stmt = select(Household).where(Household.team_code == team).order_by(Household.id)
        return list((await s.exec(stmt)).all())


async def _member(store, clock, name: str, team: str = "T01") -> int:
    async with store.session() as s:
        member = Member(display_name=name, role="member", team_code=team, created_at=clock.now())
        s.add(member)
        await s.flush()
        return member.id


async def test_bad_rows_are_reported_with_their_row_number_while_good_rows_import(store, clock):
    report = await _import(
        store,
        clock,
        _csv(
            "1,Nguyễn Văn An,Xóm 3,0912.345.678,x,,",
            "2,,Xóm 4,,,,",  # no name
            "3,Trần Thị Bình,,,,,",  # no address
            "4,Xóm 5,Lê Văn Cường,,,,",  # columns swapped: a name with digits
            "5,Phạm Thị Dung,Xóm 2,12345,,,",  # an unreadable phone: imported without it
            "6,Hoàng Văn Em 001203004005,Xóm 1,,,,CCCD 001203004005",  # a citizen ID number: masked, not kept
            ",,,,,,",  # a blank line is skipped silently
        ),
    )
    assert [(r.row, r.action, r.problem) for r in report.results] == [
        (2, Action.CREATE, None),
        (3, Action.BAD, Problem.NO_NAME),
        (4, Action.BAD, Problem.NO_ADDRESS),
        (5, Action.BAD, Problem.NAME_DIGITS),
        (6, Action.CREATE, None),
        (7, Action.CREATE, None),
    ]
    assert report.results[4].remarks[0].note is Note.PHONE_UNREADABLE
    assert report.results[5].remarks[0].note is Note.CITIZEN_ID
    saved = await _households(store)
    assert [(h.head_name, h.address, h.phone, h.elderly) for h in saved] == [
        ("Nguyễn Văn An", "Xóm 3", "+84912345678", True),
        ("Phạm Thị Dung", "Xóm 2", None, False),
        ("Hoàng Văn Em", "Xóm 1", None, False),
    ]
    assert all(h.consent_at is None and h.assigned_member_id is None and h.created_by is None for h in saved)
    assert not any("001203004005" in f"{h.head_name}{h.address}" for h in saved)


async def test_importing_the_same_file_twice_changes_nothing(store, clock):
    table_text = "\n".join(f"{i},{r.name},{r.address},{r.phone},{r.elderly},," for i, r in enumerate(base_rows(40)))
    first = await _import(store, clock, _csv(table_text))
    assert first.count(Action.CREATE) == 40
    before = [(h.id, h.updated_at, h.phone) for h in await _households(store)]
    clock.advance(timedelta(days=1))
    second = await _import(store, clock, _csv(table_text))
    assert (second.count(Action.UNCHANGED), second.count(Action.CREATE), second.count(Action.UPDATE)) == (40, 0, 0)
    assert [(h.id, h.updated_at, h.phone) for h in await _households(store)] == before
    assert not second.has_changes


async def test_a_second_file_fills_what_the_register_lacks_and_never_blanks_it_out(store, clock):
    lan = await _member(store, clock, "Bùi Thị Lan")
    await _import(store, clock, _csv("1,Nguyễn Văn An,Xóm 3,,,,", "2,Trần Thị Bình,Xóm 1,0987 654 321,x,,"))
    clock.advance(timedelta(hours=2))
    report = await _import(
        store,
        clock,
        _csv(
            "1,nguyen van an,xom 3,+84 912 345 678,x,bui thi lan,",  # adds phone, flag and the member
            "2,Trần Thị Bình,Xóm 1,,,,",  # blank cells do not erase the phone and flag
            "3,Trần Thị Bình,Xóm 1,0911 111 111,,,",  # another phone: the register keeps its own
        ),
    )
    assert [(r.action, r.changes) for r in report.results] == [
        (Action.UPDATE, ("phone", "elderly", "assigned")),
        (Action.UNCHANGED, ()),
        (Action.UNCHANGED, ()),
    ]
    assert report.results[2].remarks[0].note is Note.PHONE_DIFFERS
    an, binh = await _households(store)
    assert (an.phone, an.elderly, an.assigned_member_id, an.updated_at) == ("+84912345678", True, lan, clock.now())
    assert (binh.phone, binh.elderly) == ("+84987654321", True)


async def test_assigned_member_is_matched_by_name_within_the_team(store, clock):
    lan = await _member(store, clock, "Bùi Thị Lan")
    await _member(store, clock, "Đỗ Văn Hùng")
    await _member(store, clock, "Đỗ Văn Hùng")  # two members of that name
    await _member(store, clock, "Cao Văn Tú", team="T02")  # another team's member
    report = await _import(
        store,
        clock,
        _csv(
            "1,Nguyễn Văn An,Xóm 3,,,BÙI THỊ LAN,",
            "2,Trần Thị Bình,Xóm 1,,,Đỗ Văn Hùng,",
            "3,Lê Văn Cường,Xóm 2,,,Cao Văn Tú,",
        ),
    )
    assert [[x.note for x in r.remarks] for r in report.results] == [
        [],
        [Note.MEMBER_AMBIGUOUS],
        [Note.MEMBER_UNKNOWN],
    ]
    assert [h.assigned_member_id for h in await _households(store)] == [lan, None, None]


async def test_probable_duplicates_are_listed_not_created_unless_asked(store, clock):
    async with store.session() as s:
        await households.create(s, "T01", NewHousehold("Nguyễn Văn An", "Xóm 3", "0912345678"), None, clock.now(), None)
    table = (
        "1,An Nguyễn Văn,Xóm 3,,,,",  # like the household in the register
        "2,Ông Tư,Xóm 9,+84 912 345 678,,,",  # its phone
        "3,Trần Thị Bình,Xóm 1,,,,",
        "4,Tran Thi Binh,Xom 1,,,,",  # the row above, again
        "5,Bình Trần Thị,xóm 1,,,,",  # and again, given name first
    )
    report = await _import(store, clock, _csv(*table), dry_run=True)
    duplicates = report.rows(Action.DUPLICATE)
    assert [(r.row, r.like.household_id is not None, r.like.row, r.like.reason) for r in duplicates] == [
        (2, True, None, Reason.NAME),
        (3, True, None, Reason.PHONE),
        (5, False, 4, None),
        (6, False, 4, Reason.NAME),
    ]
    assert [r.row for r in report.rows(Action.CREATE)] == [4]
    assert len(await _households(store)) == 1  # a dry run writes nothing

    report = await _import(store, clock, _csv(*table), include_similar=True)
    assert [r.row for r in report.rows(Action.CREATE)] == [2, 3, 4, 6]  # an exact repeat is still not created
    assert all(r.remarks[-1].note is Note.SIMILAR_CREATED for r in report.rows(Action.CREATE) if r.like)
    assert len(await _households(store)) == 5


async def test_one_audit_entry_with_counts_and_no_names(store, clock):
    await _import(store, clock, _csv("1,Nguyễn Văn An,Xóm 3,0912345678,,,", "2,,Xóm 1,,,,"))
    async with store.session() as s:
        entries = (await s.exec(select(AuditEntry))).all()
    assert [(e.action, e.detail["created"], e.detail["bad"], e.detail["rows"]) for e in entries] == [
        ("household.import", 1, 1, 2)
    ]
    assert "Nguyễn" not in str(entries[0].detail) and "0912" not in str(entries[0].detail)


async def test_5000_row_sheet_with_3_percent_near_duplicates_has_them_flagged(store, clock):
    """150 rows repeat an earlier household: without diacritics, given name first, or with the phone written
    "+84 9xx xxx xxx" instead of "09xx.xxx.xxx" (and the address abbreviated). All 150 are flagged against the
    row they repeat; none of the 4,850 distinct households is, though many share a name with another."""
    rows = with_near_duplicates(5000, 0.03)
    content = xlsx_bytes(rows, title_rows=2)  # header on row 3: the data starts on row 4
    first_data_row = 4
    report = await _import(store, clock, read_table("ds.xlsx", content))
    expected = {first_data_row + i: first_data_row + r.source for i, r in enumerate(rows) if r.source is not None}
    flagged = {r.row: r.like.row for r in report.rows(Action.DUPLICATE)}
    assert len(expected) == 150
    assert flagged == expected
    assert report.count(Action.CREATE) == 4850 and report.count(Action.BAD) == 0
    names = [r.name for r in rows if r.source is None]
    assert len(set(names)) < len(names) - 500  # namesakes in other houses are not duplicates
    async with store.session() as s:
        assert (await s.exec(select(func.count()).select_from(Household))).one() == 4850

    again = await _import(store, clock, read_table("ds.xlsx", content))
    assert again.count(Action.CREATE) == 0 and not again.has_changes
    assert again.count(Action.UNCHANGED) + again.count(Action.DUPLICATE) == 5000


async def test_similar_reads_only_what_it_needs_and_answers_like_the_whole_register(store, clock):
    """`households.similar` loads a superset of the rows the match index can reach (same phone, or a shared name
    word with agreeing address numbers) and gives the same answer as an index of every household."""
    rows = base_rows(400, seed=21)
    extra = [
        ("Nguyễn Văn An", "Số 12A, ngõ 4"),
        ("Nguyễn Văn Ân", "K12 khu tập thể"),
        ("Lê Văn Tám", "Thôn Kiến Lao"),
        ("Lê Văn Tám", ""),
    ]
    async with store.session() as s:
        for r in rows:
            await households.create(s, "T01", NewHousehold(r.name, r.address, r.phone or None), None, clock.now(), None)
        for name, address in extra:
            await households.create(s, "T01", NewHousehold(name, address), None, clock.now(), None)
    saved = await _households(store)
    full: MatchIndex[int] = MatchIndex()
    for h in saved:
        full.add(h.id, h.name_key, h.address_key, h.phone)
    queries = [NewHousehold(r.name.lower(), r.address.split(",")[0]) for r in rows[:30]]
    queries += [NewHousehold(r.name, f"{r.address} 12", r.phone or None) for r in rows[30:45]]
    queries += [NewHousehold("Nguyen Van An", "so 12 ngo 4"), NewHousehold("Le Van Tam", "Xom 9")]
    queries += [NewHousehold("Lê Tám", "Kiến Lao"), NewHousehold("Người Mới", "Xóm 1", rows[50].phone)]
    async with store.session() as s:
        for new in queries:
            phone = households._e164(new.phone)
            expected = [m.ref for m in full.find(word_key(new.head_name), word_key(new.address), phone, 3)]
            assert [h.id for h in await households.similar(s, "T01", new)] == expected, new


async def test_uploads_are_kept_while_their_import_runs_and_pruned_after(store, clock):
    member = await _member(store, clock, "Cán bộ")
    async with store.session() as s:
        await household_import.save_upload(s, member, "a.csv", b"x", clock.now())
        s.add(_import_flow(member, clock))
    clock.advance(timedelta(hours=1))
    async with store.session() as s:
        mine = await household_import.save_upload(s, member, "b.csv", b"y", clock.now())  # replaces the old one
        other = await _other(s, clock)
        theirs = await household_import.save_upload(s, other, "c.csv", b"z", clock.now())
        kept = (await s.exec(select(Upload.content).where(Upload.member_id == member))).all()
        assert kept == [b"y"]
        assert (await household_import.load_upload(s, mine.id, member)).content == b"y"
        assert await household_import.load_upload(s, theirs.id, member) is None  # not this member's file
    async with store.session() as s:
        assert await household_import.prune_uploads(s, clock.now()) == 1  # theirs: no import holds it (/huy)
    clock.advance(timedelta(hours=23))
    async with store.session() as s:
        assert await household_import.prune_uploads(s, clock.now()) == 0  # mine: not a day old yet
    clock.advance(timedelta(hours=2))
    async with store.session() as s:
        assert await household_import.prune_uploads(s, clock.now()) == 1
        assert (await s.exec(select(func.count()).select_from(Upload))).one() == 0


def _import_flow(member_id: int, clock) -> Conversation:
    return Conversation(
        channel="test",
        user_ref=f"u{member_id}",
        member_id=member_id,
        flow=household_import.FLOW_NAME,
        step="confirm",
        token="t",
        expires_at=clock.now() + timedelta(hours=1),
        updated_at=clock.now(),
    )


async def _other(session, clock) -> int:
    member = Member(display_name="Người khác", role="staff", created_at=clock.now())
    session.add(member)
    await session.flush()
    return member.id


async def test_different_people_with_alike_names_are_both_imported(store, clock):
    """Word order is forgiven, not different names: "Trần Thanh Nga" is not "Ngô Thanh Trang" of the same xóm."""
    table = _csv(
        "1,Ngô Thanh Trang,Xóm 2,,,,",
        "2,Trần Thanh Nga,Xóm 2,,,,",
        "3,Lê Thị Trang,Xóm 2,,,,",
        "4,Lê Thị Trung,Xóm 2,,,,",
        "5,Nguyễn Văn An,Xóm 2,,,,",
        "6,Nguyễn Văn Anh,Xóm 2,,,,",
        "7,Lê Xuân Sơn,Xóm 4,,,,",
        "8,Sơn Lê Xuân,Xóm 4,,,,",  # the same man, given name first
        "9,Nguyen Van Binh,Xóm 5,,,,",
        "10,Nguyễn Văn Bình,Xóm 5,,,,",  # the same, with diacritics
        "11,Ngyuen Van Binh,Xóm 5,,,,",  # the same, two letters swapped
    )
    report = await _import(store, clock, table)
    names = sorted(h.head_name for h in await _households(store))
    alike = ["Ngô Thanh Trang", "Trần Thanh Nga", "Lê Thị Trang", "Lê Thị Trung", "Nguyễn Văn An", "Nguyễn Văn Anh"]
    assert names == sorted([*alike, "Lê Xuân Sơn", "Nguyen Van Binh"])
    assert sorted(r.row for r in report.rows(Action.DUPLICATE)) == [9, 11, 12]  # spreadsheet rows (header is 1)


async def test_near_duplicates_are_found_in_the_register_and_earlier_in_the_file_through_the_address_blocks(
    store, clock
):
    """The index files a household under its name blocks narrowed by its address numbers: a typo in the name, the
    given name first, an address with more or fewer numbers still meet the household they repeat, whether it is
    in the register or an earlier row of the file; the same name with other address numbers is someone else."""
    await _import(store, clock, _csv('1,Nguyễn Văn An,"Xóm 3, số nhà 12",,,,', "2,Lê Thị Hồng,Xóm 7,,,,"))
    report = await _import(
        store,
        clock,
        _csv(
            "1,Nguyen Van Ann,Xom 3,,,,",  # the register's first household: a doubled letter, fewer numbers
            '2,Hồng Lê Thị,"Xóm 7, số nhà 40",,,,',  # the register's second: given name first, more numbers
            "3,Nguyễn Văn An,Xóm 5,,,,",  # a namesake elsewhere: created
            '4,Phạm Quang Thắng,"Xóm 2, số nhà 31",,,,',
            "5,Pham Quang Thang,Xom 2,,,,",  # row 5 again (a row of this file)
            "6,Nguyễn Văn Anh,Xóm 5,,,,",  # one letter from row 4's name: another person
        ),
        dry_run=True,
    )
    duplicates = report.rows(Action.DUPLICATE)
    assert [(r.row, r.like.household_id is not None, r.like.row, r.like.reason) for r in duplicates] == [
        (2, True, None, Reason.NAME),
        (3, True, None, Reason.NAME),
        (6, False, 5, Reason.NAME),
    ]
    assert [r.row for r in report.rows(Action.CREATE)] == [4, 5, 7]
