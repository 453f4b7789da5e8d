"""The Alembic migrations create exactly the tables the models describe, on both backends."""

from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.command import downgrade
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel, select

from bot.services import visit_summaries
from bot.store.migrate import alembic_config, upgrade
from bot.store.models import HouseholdReach, HouseholdSkill, TeamSkillDay
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
