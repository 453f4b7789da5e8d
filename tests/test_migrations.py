"""The Alembic migrations create exactly the tables the models describe, on both backends."""

from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.command import downgrade
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel, select

from bot.channels.outlet import with_reply_word
from bot.services import household_words, outbox, visit_summaries
from bot.store.migrate import alembic_config, upgrade
from bot.store.models import HouseholdReach, HouseholdSkill, HouseholdWord, OutboxItem, TeamSkillDay
from tests.scratch_db import in_thread


async def test_migrations_match_models(store):
    def diff(connection):  # type: ignore[no-untyped-def]
        return compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)

    async with store.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == []


async def test_0008_fills_the_summaries_from_the_visits_already_stored(store):
    """A database with visits from before migration 0008: household_reach, household_skill and team_skill_day hold
    what services/visit_summaries computes."""
    await store.engine.dispose()  # Alembic runs on its own connections
    in_thread(downgrade, alembic_config(store.url), "0007")
    rows = [
        "INSERT INTO member (id, display_name, role, team_code, active, created_at) "
        "VALUES (1, 'Lan', 'member', 'T01', true, '2026-11-01 00:00:00')",
        *(
            "INSERT INTO household (id, team_code, head_name, name_key, address, address_key, elderly, "
            f"ethnic_minority, no_device, created_at, updated_at) VALUES ({h}, 'T01', 'Hộ {h}', 'ho {h}', 'Xóm 1', "
            "'xom 1', false, false, false, '2026-11-01 00:00:00', '2026-11-01 00:00:00')"
            for h in (1, 2)
        ),
        *(
            "INSERT INTO visit (id, household_id, member_id, team_code, visited_on, people_count, outcome, status, "
            f"created_at) VALUES ({v}, {h}, 1, 'T01', '{day}', 1, '{outcome}', '{status}', '2026-11-10 00:00:00')"
            for v, h, day, outcome, status in [
                (1, 1, "2026-11-05", "done", "active"),
                (2, 1, "2026-11-03", "return", "active"),
                (3, 1, "2026-11-01", "done", "undone"),
                (4, 2, "2026-11-08", "done", "active"),
            ]
        ),
        *(
            f"INSERT INTO visit_skill (visit_id, skill_code) VALUES ({v}, '{code}')"
            for v, code in [(1, "vneid_install"), (2, "dvc"), (3, "dvc"), (4, "dvc"), (4, "bdhvs")]
        ),
    ]
    async with store.engine.begin() as conn:
        for row in rows:
            await conn.execute(text(row))
    await store.engine.dispose()
    in_thread(upgrade, store.url)

    async with store.session() as s:
        reach = set((await s.exec(select(HouseholdReach.household_id, HouseholdReach.first_visit_on))).all())
        skills = set((await s.exec(select(HouseholdSkill.household_id, HouseholdSkill.skill_code))).all())
        per_day = select(TeamSkillDay.visited_on, TeamSkillDay.skill_code, TeamSkillDay.visits)
        days = {(d.isoformat(), code, n) for d, code, n in (await s.exec(per_day)).all()}
        assert reach == {(1, date(2026, 11, 3)), (2, date(2026, 11, 8))}
        assert skills == {(1, "vneid_install"), (2, "dvc"), (2, "bdhvs")}  # not v2 (return), not v3 (undone)
        assert days == {  # v2 counts (a return visit is still a visit), v3 does not (undone)
            ("2026-11-05", "vneid_install", 1),
            ("2026-11-03", "dvc", 1),
            ("2026-11-08", "dvc", 1),
            ("2026-11-08", "bdhvs", 1),
        }
        await visit_summaries.rebuild(s)
        assert set((await s.exec(select(HouseholdReach.household_id, HouseholdReach.first_visit_on))).all()) == reach
        assert {(d.isoformat(), code, n) for d, code, n in (await s.exec(per_day)).all()} == days


async def test_0010_moves_queued_messages_to_the_neutral_outbox_without_losing_or_doubling_one(store):
    """Rows in every state from before 0010: a Zalo broadcast still pending holds the reply word in its text; after
    the migration it holds the recipient's token instead (and the channel adds the word once when it sends); a Zalo
    picture kept in memory by the old process becomes its caption with no file; records are left as they were."""
    await store.engine.dispose()
    in_thread(downgrade, alembic_config(store.url), "0009")
    word = "\n\nTrả lời “đã nhận” để báo bạn đã đọc."
    at = "'2026-11-20 01:00:00'"
    outbox_rows = [  # id, channel, chat, kind, text, payload, dedup_key, status
        (1, "zalo", "z1", "text", "📢 Họp tổ" + word, "{}", "bc:1:1:zalo:1", "pending"),
        (2, "telegram", "7001", "text", "📢 Họp tổ", '{"ack_token": "tok-1"}', "bc:1:1:telegram:2", "pending"),
        (3, "zalo", "z2", "text", "📢 Họp tổ" + word, "{}", "bc:1:2:zalo:3", "sent"),
        (
            4,
            "zalo",
            "z1",
            "photo",
            "Biểu đồ",
            '{"media": "gone", "caption": "Biểu đồ", "answer": true}',
            None,
            "pending",
        ),
        (5, "zalo", "z1", "text", "Nhắc nộp báo cáo", "{}", "rm:1", "failed"),
        (6, "zalo", "z3", "text", "Nhắc nộp báo cáo", "{}", "rm:2", "blocked"),
        (7, "zalo", "z1", "text", "Nhắc cũ", "{}", "rm:3", "withdrawn"),
        (8, "zalo", "z1", "text", "Trả lời “đã nhận” ở cuối nhưng không phải thông báo" + word, "{}", None, "pending"),
    ]
    rows = [
        f"INSERT INTO member (id, display_name, role, team_code, active, created_at) VALUES ({m}, 'M{m}', 'member', "
        f"'T01', true, {at})"
        for m in (1, 2)
    ]
    rows += [
        f"INSERT INTO broadcast (id, sender_member_id, audience, text, recipient_count, message_count, send_at, "
        f"created_at) VALUES (1, 1, 'commune', 'Họp tổ', 2, 3, {at}, {at})",
        "INSERT INTO broadcast_recipient (id, broadcast_id, member_id, token, outbox_ids) VALUES "
        "(1, 1, 1, 'tok-1', '[1, 2]'), (2, 1, 2, 'tok-2', '[3]')",
    ]
    rows += [
        "INSERT INTO outbox (id, channel, chat_ref, kind, text, payload, dedup_key, status, attempts, next_attempt_at, "
        f"created_at) VALUES ({i}, '{ch}', '{chat}', '{kind}', '{body}', '{payload}', "
        f"{repr(key) if key else 'NULL'}, '{status}', 0, {at}, {at})"
        for i, ch, chat, kind, body, payload, key, status in outbox_rows
    ]
    async with store.engine.begin() as conn:
        for row in rows:
            await conn.execute(text(row))
    await store.engine.dispose()
    in_thread(upgrade, store.url)

    async with store.session() as s:
        after = {item.id: item for item in (await s.exec(select(OutboxItem))).all()}
        messages = {i: await outbox.message_of(s, item) for i, item in after.items()}
    assert sorted(after) == [i for i, *_ in outbox_rows]  # none lost, none added
    assert [after[i].status for i in sorted(after)] == [status for *_, status in outbox_rows]
    assert (after[1].text, after[1].payload) == ("📢 Họp tổ", {"ack_token": "tok-1"})
    assert with_reply_word(messages[1]).count("đã nhận") == 1  # the word once, as Zalo sends it
    assert (after[2].text, after[2].payload) == ("📢 Họp tổ", {"ack_token": "tok-1"})
    assert after[3].text.endswith(word) and after[3].payload == {}  # a record of what was sent: as it was
    assert (after[4].kind, after[4].text, after[4].payload, after[4].file_id) == (
        "photo",
        "Biểu đồ",
        {"answer": True},
        None,
    )
    assert messages[4].lost_attachment and messages[4].answer
    assert after[8].text.endswith(word) and after[8].payload == {}  # not a broadcast: its text is the member's words
    await store.engine.dispose()
    in_thread(downgrade, alembic_config(store.url), "0009")  # and back: the word returns to the pending text
    async with store.engine.connect() as conn:
        back = dict((await conn.execute(text("SELECT id, text FROM outbox WHERE id IN (1, 2)"))).all())
    assert back == {1: "📢 Họp tổ" + word, 2: "📢 Họp tổ"}
    in_thread(upgrade, store.url)


async def test_0017_files_the_words_of_the_households_already_stored(store):
    """A register from before migration 0017: household_word holds what services/household_words rebuilds, and
    an archived household has no words."""
    await store.engine.dispose()  # Alembic runs on its own connections
    in_thread(downgrade, alembic_config(store.url), "0016")
    homes = [(1, "nguyen van an", "xom 3 so nha 12", "NULL"), (2, "tran thi binh", "thon dong", "'2026-11-02'")]
    async with store.engine.begin() as conn:
        for hid, name, address, archived in homes:
            await conn.execute(
                text(
                    "INSERT INTO household (id, team_code, head_name, name_key, address, address_key, elderly, "
                    "ethnic_minority, no_device, created_at, updated_at, archived_at) VALUES "
                    f"({hid}, 'T01', '{name}', '{name}', '{address}', '{address}', false, false, false, "
                    f"'2026-11-01 00:00:00', '2026-11-01 00:00:00', {archived})"
                )
            )
    await store.engine.dispose()
    in_thread(upgrade, store.url)

    columns = (HouseholdWord.household_id, HouseholdWord.kind, HouseholdWord.word, HouseholdWord.numbers)
    async with store.session() as s:
        migrated = set((await s.exec(select(*columns))).all())
        assert (1, "n", "an", "12,3") in migrated and (1, "a", "xom", "12,3") in migrated
        assert (1, "f", "nguyen:an", "12,3") in migrated and not {r for r in migrated if r[0] == 2}
        await household_words.rebuild(s)
        assert set((await s.exec(select(*columns))).all()) == migrated
