"""Platform status: implied by completed visits, corrected by members; the newer wins, visits only raise it."""

from datetime import date, timedelta

import pytest

from bot.services import households, platform_status, visits
from bot.services.households import NewHousehold
from bot.services.platform_status import Status
from bot.store.models import Member


async def _setup(session, now):
    member = Member(display_name="Lan", role="member", team_code="T01", created_at=now)
    session.add(member)
    await session.flush()
    household = await households.create(session, "T01", NewHousehold("Nguyễn Văn An", "Xóm 3"), member.id, now, "v1")
    return member, household


async def _visit(session, member, household, skills, now, outcome=visits.OUTCOME_DONE):
    draft = visits.VisitDraft(household.id, tuple(skills), date(2026, 11, 20), outcome=outcome)
    return await visits.record(session, member, household, draft, now)


async def test_completed_visits_imply_guided_and_return_visits_do_not(deps):
    now = deps.clock.now()
    async with deps.store.session() as s:
        member, household = await _setup(s, now)
        await _visit(s, member, household, ["vneid_level2", "antifraud"], now)
        await _visit(s, member, household, ["dvc"], now, outcome=visits.OUTCOME_RETURN)
        statuses = (await platform_status.for_households(s, deps.config, [household.id]))[household.id]
    assert statuses == {
        "vneid": Status.GUIDED,
        "dvc": Status.NONE,  # the visit asked for a return: not completed
        "cashless": Status.NONE,
        "bdhvs": Status.NONE,
        "smart_hp": Status.NONE,
    }


async def test_a_correction_wins_until_a_later_visit_raises_it(deps):
    now = deps.clock.now()
    async with deps.store.session() as s:
        member, household = await _setup(s, now)
        await _visit(s, member, household, ["vneid_install", "dvc"], now)
        later = now + timedelta(hours=1)
        await platform_status.correct(s, member, household, "vneid", Status.USES, later)
        await platform_status.correct(s, member, household, "dvc", Status.NONE, later)  # logged by mistake
        first = (await platform_status.for_households(s, deps.config, [household.id]))[household.id]
        await _visit(s, member, household, ["vneid_docs", "dvc", "bdhvs"], later + timedelta(hours=1))
        second = (await platform_status.for_households(s, deps.config, [household.id]))[household.id]
    assert (first["vneid"], first["dvc"]) == (Status.USES, Status.NONE)
    assert (second["vneid"], second["dvc"], second["bdhvs"]) == (Status.USES, Status.GUIDED, Status.GUIDED)


async def test_another_teams_household_cannot_be_corrected(deps):
    now = deps.clock.now()
    async with deps.store.session() as s:
        member, _ = await _setup(s, now)
        other = await households.create(s, "T02", NewHousehold("Đỗ Văn Hải", "Xóm 9"), member.id, now, "v1")
        with pytest.raises(PermissionError):
            await platform_status.correct(s, member, other, "vneid", Status.USES, now)
