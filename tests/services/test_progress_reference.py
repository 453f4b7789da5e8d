"""Every figure of the fast path equals a slow, obviously correct computation from the raw rows, and the summaries
kept beside the visits equal a rebuild, on a randomised commune (both backends): saves, visits by another team,
return visits, corrections, undos, platform corrections and archived households included."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlmodel import select

from bot.config import Config
from bot.core.periods import Kind, Period
from bot.services import households, period_counts, platform_status, progress, visit_summaries, visits
from bot.services.platform_status import Status
from bot.services.visits import EditRules, Refused, VisitDraft
from bot.store.models import (
    STATUS_ACTIVE,
    FirstReach,
    Household,
    HouseholdPlatform,
    HouseholdReach,
    HouseholdSkill,
    Member,
    MemberPeriod,
    TeamPeriod,
    TeamSkillDay,
    TeamSkillPeriod,
    Visit,
    VisitSkill,
)

FIRST_DAY = date(2026, 1, 1)


async def _commune(store, clock, config: Config, seed: int) -> None:
    """Three teams' members, households and a random history of visits, corrections, undos and platform
    corrections, each through the services (the summaries kept as the bot keeps them)."""
    rng = random.Random(seed)
    now, rules = clock.now(), EditRules.of(config)
    teams = [t.code for t in config.teams[:3]]
    skills = [s.code for s in config.skills]
    platforms = [p.code for p in config.platforms]
    async with store.session() as s:
        await visit_summaries.sync_coverage(s, config)  # as the first read of the figures does on a new database
        await period_counts.sync(s, config)  # from here the visits' transactions keep the period counters
        people: dict[str, list[Member]] = {}
        homes: dict[str, list[Household]] = {}
        for code in teams:
            people[code] = [
                Member(
                    display_name=f"{code} {i}", role="leader" if i == 0 else "member", team_code=code, created_at=now
                )
                for i in range(3)
            ]
            s.add_all(people[code])
            await s.flush()
            homes[code] = []
            for i in range(12):
                new = households.NewHousehold(
                    f"Hộ {code} {i}", f"Xóm {i}", elderly=rng.random() < 0.4, no_device=rng.random() < 0.3
                )
                homes[code].append(await households.create(s, code, new, people[code][1].id, now, "v1"))
        made: list[Visit] = []
        for _ in range(90):
            code = rng.choice(teams)
            member = rng.choice(people[code])
            # now and then a visit made for another team's household (a team helping its neighbour)
            home = rng.choice(homes[rng.choice(teams)] if rng.random() < 0.1 else homes[code])
            draft = VisitDraft(
                home.id or 0,
                tuple(rng.sample(skills, rng.choice((1, 1, 2, 3)))),
                FIRST_DAY + timedelta(days=rng.randrange(320)),
                rng.choice((1, 1, 2, 3)),
                "return" if rng.random() < 0.2 else "done",
            )
            made.append(await visits._insert(s, draft, member.id or 0, code, now))
        for visit in rng.sample(made, 20):
            leader = people[visit.team_code][0]
            await s.refresh(visit)
            if visit.status != STATUS_ACTIVE:
                continue
            try:
                if rng.random() < 0.5:
                    await visits.undo(s, leader, visit, now, rules)
                else:
                    loaded = await visits.load(s, visit.id or 0)
                    assert loaded is not None
                    changes = replace(
                        loaded.revision,
                        skills=tuple(rng.sample(skills, 2)),
                        visited_on=FIRST_DAY + timedelta(days=rng.randrange(320)),
                        outcome=rng.choice(("done", "return")),
                    )
                    await visits.correct(s, leader, visit, changes, now, rules)
            except Refused:
                continue
        for code in teams:
            for home in rng.sample(homes[code], 4):
                status = rng.choice(list(Status))
                when = datetime(2026, rng.randrange(1, 12), rng.randrange(1, 28), 10, tzinfo=config.tz)
                await platform_status.correct(s, people[code][0], home, rng.choice(platforms), status, when)
        for code in teams:
            rng.choice(homes[code]).archived_at = now
            home = rng.choice(homes[code])  # a priority flag raised, as an import does
            if not home.ethnic_minority:
                home.ethnic_minority = True
                await s.flush()
                await period_counts.flags_changed(s, {home.id or 0: {"ethnic_minority": False}})
        await s.flush()


# --- the slow, obviously correct computation ----------------------------------------------------------------
async def _raw(s):
    visits_ = (await s.exec(select(Visit).where(Visit.status == STATUS_ACTIVE))).all()
    skills: dict[int, set[str]] = defaultdict(set)
    for visit_id, code in (await s.exec(select(VisitSkill.visit_id, VisitSkill.skill_code))).all():
        skills[visit_id].add(code)
    homes = (await s.exec(select(Household))).all()
    fixes = (await s.exec(select(HouseholdPlatform))).all()
    return visits_, skills, homes, fixes


def _status(config, visits_, skills, fix, platform: str, day: date, before: datetime) -> Status:
    """One household's status on one platform as of `day`, by the rule stated in platform_status's docstring."""
    platform_skills = {s.code for s in config.skills if s.platform == platform}
    guiding = [v for v in visits_ if v.outcome == "done" and v.visited_on <= day and skills[v.id] & platform_skills]
    if fix is None or fix.set_at >= before:
        return Status.GUIDED if guiding else Status.NONE
    if any(v.created_at > fix.set_at for v in guiding):
        return Status.USES if fix.status == Status.USES else Status.GUIDED
    return Status(fix.status)


def _expected(config: Config, raw, period: Period) -> dict[str, dict[str, object]]:
    visits_, skills, homes, fixes = raw
    before = progress.corrections_before(config, period)
    essential = [p.code for p in config.platforms if p.essential]
    by_home: dict[int, list[Visit]] = defaultdict(list)
    for v in visits_:
        by_home[v.household_id].append(v)
    fix_of = {(f.household_id, f.platform_code): f for f in fixes}
    flags = {h.id: h for h in homes}
    teams = [t.code for t in config.teams]
    out: dict[str, dict[str, object]] = {}
    for code in [*teams, progress.TOTAL]:
        mine = [v for v in visits_ if code == progress.TOTAL or v.team_code == code]
        in_period = [v for v in mine if period.start <= v.visited_on <= period.end]
        reached = {v.household_id for v in in_period}
        before_period = {v.household_id for v in visits_ if v.visited_on < period.start}
        register = [h for h in homes if h.archived_at is None and (code == progress.TOTAL or h.team_code == code)]

        def on(h: Household, codes: list[str]) -> bool:
            return any(
                _status(config, by_home[h.id], skills, fix_of.get((h.id, p)), p, period.end, before) != Status.NONE
                for p in codes
            )

        out[code] = {
            "households_registered": len(register),
            "households_reached": len(reached),
            "households_new": len(reached - before_period),
            "households_cumulative": len({v.household_id for v in mine if v.visited_on <= period.end}),
            "visits": len(in_period),
            "luot": sum(v.people_count for v in in_period),
            "platform_households": sum(on(h, essential) for h in register),
            "bdhvs_households": sum(on(h, ["bdhvs"]) for h in register),
            "priority_reached": {f: sum(bool(getattr(flags[h], f)) for h in reached) for f in progress.PRIORITY_FLAGS},
            "skills": {s.code: sum(s.code in skills[v.id] for v in in_period) for s in config.skills},
        }
    return out


def _members_expected(raw, period: Period) -> dict[int, tuple[int, int, int, date]]:
    visits_ = raw[0]
    found: dict[int, list[Visit]] = defaultdict(list)
    for v in visits_:
        if period.start <= v.visited_on <= period.end:
            found[v.member_id].append(v)
    return {
        m: (len(vs), sum(v.people_count for v in vs), len({v.household_id for v in vs}), max(v.visited_on for v in vs))
        for m, vs in found.items()
    }


def _periods(config: Config) -> list[Period]:
    windows = config.reporting.windows
    return [
        windows.period(Kind.MONTH, 2026, 3),
        windows.period(Kind.MONTH, 2026, 11),
        windows.period(Kind.QUARTER, 2026, 2),
        windows.period(Kind.QUARTER, 2026, 4),
        windows.period(Kind.YEAR, 2026),
    ]


async def test_every_figure_equals_the_slow_computation(store, clock, config):
    for seed in (1, 2):
        await _commune(store, clock, config, seed)
    async with store.session() as s:
        raw = await _raw(s)
        for period in _periods(config):
            commune = await progress.commune_figures(s, config, period)
            want = _expected(config, raw, period)
            members = _members_expected(raw, period)
            for team in (*commune.teams, commune.totals):
                got = {name: getattr(team, name) for name in want[team.team_code]}
                assert got == want[team.team_code], (period.key, team.team_code)
                for row in team.members:
                    got_row = (row.visits, row.luot, row.households_reached)
                    if row.member_id in members:
                        assert (*got_row, row.last_visit_on) == members[row.member_id]
                    else:
                        assert got_row == (0, 0, 0)
            one = await progress.team_figures(s, config, commune.teams[1].team_code, period)
            assert one == commune.teams[1]
            # a commune of fewer teams than have visits (a team taken out of config): the union of its own
            two = config.model_copy(update={"teams": config.teams[:2]})
            codes = {t.code for t in two.teams}
            totals = (await progress.commune_figures(s, two, period)).totals
            union = {v.household_id for v in raw[0] if v.team_code in codes and period.contains(v.visited_on)}
            assert totals.households_reached == len(union)


async def _kept(s) -> tuple:
    reach = set(
        (
            await s.exec(select(HouseholdReach.household_id, HouseholdReach.team_code, HouseholdReach.first_visit_on))
        ).all()
    )
    skills = set(
        (
            await s.exec(select(HouseholdSkill.household_id, HouseholdSkill.skill_code, HouseholdSkill.first_done_on))
        ).all()
    )
    days = set(
        (
            await s.exec(
                select(TeamSkillDay.team_code, TeamSkillDay.visited_on, TeamSkillDay.skill_code, TeamSkillDay.visits)
            )
        ).all()
    )
    first = set((await s.exec(select(Household.id, Household.first_platform_on, Household.first_bdhvs_on))).all())
    teams = set((await s.exec(select(*TeamPeriod.__table__.c))).all())
    members = set((await s.exec(select(*MemberPeriod.__table__.c))).all())
    per_period = set((await s.exec(select(*TeamSkillPeriod.__table__.c))).all())
    firsts = set((await s.exec(select(*FirstReach.__table__.c))).all())
    return reach, skills, days, first, teams, members, per_period, firsts


async def test_the_kept_summaries_equal_a_rebuild_after_a_random_history(store, clock, config):
    await _commune(store, clock, config, 3)
    async with store.session() as s:
        kept = await _kept(s)
        assert any(p is not None for _, p, _ in kept[3])  # the first days are kept, not left empty
        assert all(kept[4:])  # and the period counters
        await visit_summaries.rebuild(s)
        assert await _kept(s) == kept


async def test_a_changed_catalogue_recomputes_the_first_days(store, clock, config):
    await _commune(store, clock, config, 4)
    fewer = config.model_copy(
        update={
            "platforms": [
                p if p.code != "vneid" else p.model_copy(update={"essential": False}) for p in config.platforms
            ]
        }
    )
    async with store.session() as s:
        assert await visit_summaries.sync_coverage(s, fewer)
        assert not await visit_summaries.sync_coverage(s, fewer)
        after = await _kept(s)
        await visit_summaries.rebuild(s)
        assert await _kept(s) == after
        raw = await _raw(s)
        period = config.reporting.windows.period(Kind.YEAR, 2026)
        commune = await progress.commune_figures(s, fewer, period)
        want = _expected(fewer, raw, period)
        assert commune.totals.platform_households == want[progress.TOTAL]["platform_households"]
