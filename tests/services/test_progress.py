"""Progress figures on a small fixture commune, every number computed by hand (see the fixture's comments).

The commune (config.yaml's teams; T04 and T05 have nobody and nothing):

  T01  members Hùng (leader, no visits), Lan, Minh
       h1 An (elderly, Lan's)   visits: v7 Lan 10/10 · v1 Lan 05/11 (2 people) · v2 Minh 12/11
       h2 Bình (ethnic, Lan's)  v3 Lan 06/11 (3 people) corrected into v4 (2 people, + bdhvs); bdhvs corrected to
                                "none" afterwards
       h3 Cúc (elderly, no device, Minh's)  v6 Minh 20/10 (no platform skills) · v5 Minh 15/11 undone
       h4 Dũng (Minh's)         was T02's: v9 Hoa (T02) 03/11, then moved to T01: v8 Minh 10/11, "cần quay lại"
       h5 Em (archived)         v13 Lan 01/10
       h6 Giang (nobody's)      never visited; corrected: VNeID "uses", BDHVS "guided" on 18/11
  T02  members Hoa, Tú (leader, no visits)
       h7 Hải (elderly, Hoa's)  v10 Hoa 20/11 (4 people; VNeID, BDHVS, Smart HP)
       h8 Khánh (Hoa's)         v11 Hoa 31/10 (shopping only); DVC corrected "guided" at 00:30 on 01/11
  T03  member Nam
       h10 Lộc (Nam's)          v12 Nam 20/10 (cashless); BDHVS corrected "guided" at 23:30 on 31/10
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from bot.config import Config
from bot.core.clock import VN_TZ
from bot.core.periods import Kind
from bot.services import platform_status, progress, visit_summaries
from bot.services.platform_status import Status
from bot.store.models import Household, HouseholdPlatform, Member, Visit, VisitSkill

NOVEMBER = "2026-11"
ALL_SKILLS_ZERO = {
    "vneid_install": 0,
    "vneid_level2": 0,
    "vneid_docs": 0,
    "dvc": 0,
    "cashless": 0,
    "bdhvs": 0,
    "antifraud": 0,
    "signature": 0,
    "shopping": 0,
    "smart_hp": 0,
}
NO_PRIORITY = {"elderly": 0, "ethnic_minority": 0, "no_device": 0}


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN_TZ)


@dataclass
class Commune:
    members: dict[str, int]
    households: dict[str, int]


async def _build(s) -> Commune:  # type: ignore[no-untyped-def]
    created = _at(date(2026, 9, 1))
    members = {}
    for name, role, team in [
        ("Hùng", "leader", "T01"),
        ("Lan", "member", "T01"),
        ("Minh", "member", "T01"),
        ("Hoa", "member", "T02"),
        ("Tú", "leader", "T02"),
        ("Nam", "member", "T03"),
        ("Cũ", "member", "T01"),  # left the team: inactive, never listed
    ]:
        m = Member(display_name=name, role=role, team_code=team, created_at=created, active=name != "Cũ")
        s.add(m)
        await s.flush()
        members[name] = m.id
    homes = {}
    for key, team, keeper, flags, archived in [
        ("h1", "T01", "Lan", {"elderly": True}, False),
        ("h2", "T01", "Lan", {"ethnic_minority": True}, False),
        ("h3", "T01", "Minh", {"elderly": True, "no_device": True}, False),
        ("h4", "T01", "Minh", {}, False),
        ("h5", "T01", "Lan", {}, True),
        ("h6", "T01", None, {}, False),
        ("h7", "T02", "Hoa", {"elderly": True}, False),
        ("h8", "T02", "Hoa", {}, False),
        ("h10", "T03", "Nam", {}, False),
    ]:
        h = Household(
            team_code=team,
            head_name=key,
            name_key=key,
            address="Xóm 1",
            address_key="xom 1",
            assigned_member_id=members[keeper] if keeper else None,
            created_at=created,
            updated_at=created,
            archived_at=_at(date(2026, 11, 2)) if archived else None,
            **flags,
        )
        s.add(h)
        await s.flush()
        homes[key] = h.id

    async def visit(home, who, team, day, people, skills, status="active", outcome="done", created=None, replaces=None):
        v = Visit(
            household_id=homes[home],
            member_id=members[who],
            team_code=team,
            visited_on=day,
            people_count=people,
            outcome=outcome,
            status=status,
            replaces_id=replaces,
            created_at=created or _at(day),
        )
        s.add(v)
        await s.flush()
        for code in skills:
            s.add(VisitSkill(visit_id=v.id, skill_code=code))
        return v.id

    await visit("h1", "Lan", "T01", date(2026, 10, 10), 1, ["vneid_install"])  # v7
    await visit("h1", "Lan", "T01", date(2026, 11, 5), 2, ["vneid_install", "vneid_level2"])  # v1
    await visit("h1", "Minh", "T01", date(2026, 11, 12), 1, ["dvc"])  # v2
    v3 = await visit("h2", "Lan", "T01", date(2026, 11, 6), 3, ["cashless"], status="corrected")
    await visit(  # v4, the correction of v3
        "h2", "Lan", "T01", date(2026, 11, 6), 2, ["cashless", "bdhvs"], created=_at(date(2026, 11, 7)), replaces=v3
    )
    await visit("h3", "Minh", "T01", date(2026, 10, 20), 1, ["antifraud", "shopping"])  # v6
    await visit("h3", "Minh", "T01", date(2026, 11, 15), 1, ["antifraud"], status="undone")  # v5
    await visit("h4", "Hoa", "T02", date(2026, 11, 3), 1, ["vneid_install"])  # v9, before h4 moved to T01
    await visit("h4", "Minh", "T01", date(2026, 11, 10), 2, ["dvc", "signature"], outcome="return")  # v8
    await visit("h5", "Lan", "T01", date(2026, 10, 1), 1, ["vneid_install"])  # v13
    await visit("h7", "Hoa", "T02", date(2026, 11, 20), 4, ["vneid_level2", "bdhvs", "smart_hp"])  # v10
    await visit("h8", "Hoa", "T02", date(2026, 10, 31), 1, ["shopping"])  # v11
    await visit("h10", "Nam", "T03", date(2026, 10, 20), 1, ["cashless"])  # v12
    await visit("h1", "Cũ", "T01", date(2026, 11, 2), 1, ["shopping"])  # v14, by the member who has since left
    for home, platform, status, at in [
        ("h2", "bdhvs", "none", _at(date(2026, 11, 8))),  # after v4: the correction wins
        ("h6", "vneid", "uses", _at(date(2026, 11, 18))),
        ("h6", "bdhvs", "guided", _at(date(2026, 11, 18))),
        ("h8", "dvc", "guided", _at(date(2026, 11, 1), 0, 30)),  # November's, not October's
        ("h10", "bdhvs", "guided", _at(date(2026, 10, 31), 23, 30)),  # October's
    ]:
        s.add(HouseholdPlatform(household_id=homes[home], platform_code=platform, status=status, set_at=at))
    await visit_summaries.rebuild(s)  # the visits were written here directly, not through services/visits
    return Commune(members, homes)


@pytest.fixture
async def commune(store) -> Commune:  # type: ignore[no-untyped-def]
    async with store.session() as s:
        return await _build(s)


def _period(config: Config, key: str):  # type: ignore[no-untyped-def]
    period = config.reporting.windows.parse(key)
    assert period is not None
    return period


async def _team(store, config, team, key=NOVEMBER):  # type: ignore[no-untyped-def]
    async with store.session() as s:
        return await progress.team_figures(s, config, team, _period(config, key))


async def test_team_t01_in_november(store, config, commune):
    t = await _team(store, config, "t01")  # the code is found whatever its case
    assert (t.team_code, t.team_name, t.period_key) == ("T01", "Thôn Đông Tạ", NOVEMBER)
    # active visits in November: v1, v2, v4, v8 and v14 (v3 corrected, v5 undone, v6/v7/v13 in October)
    assert t.visits == 5
    assert t.luot == 8  # 2 (v1) + 1 (v2) + 2 (v4, not v3's 3) + 2 (v8) + 1 (v14)
    assert t.households_reached == 3  # h1 (three visits by three members), h2, h4
    assert t.households_new == 2  # h2, h4; h1 was first helped in October
    assert t.households_cumulative == 5  # h1, h2, h4 and, in October, h3 and h5 (archived since)
    assert t.skills == {
        **ALL_SKILLS_ZERO,
        "vneid_install": 1,  # v1
        "vneid_level2": 1,  # v1
        "dvc": 2,  # v2, v8
        "cashless": 1,  # v4 (v3's is not counted again)
        "bdhvs": 1,  # v4
        "signature": 1,  # v8
        "shopping": 1,  # v14; antifraud stays 0: v5 was undone
    }
    assert t.priority_reached == {"elderly": 1, "ethnic_minority": 1, "no_device": 0}  # h1, h2 (h3 not reached)
    assert t.households_registered == 5  # h1, h2, h3, h4 (moved in), h6; not h5 (archived)
    # ≥ 1 essential platform: h1 (VNeID), h2 (cashless), h4 (VNeID, guided by T02), h6 (corrected "uses");
    # not h3 (antifraud/shopping only) — h4's DVC from v8 does not count: that visit asked for a return
    assert t.platform_households == 4
    assert t.bdhvs_households == 1  # h6; h2's BDHVS was corrected to "none" after v4
    assert t.luot_target == 100  # targets.team_luot_per_month
    assert (t.member_count, t.active_members) == (3, 2)  # Hùng, Lan, Minh; Cũ has left
    hung, lan, minh = t.members
    assert (hung.name, lan.name, minh.name) == ("Hùng", "Lan", "Minh")  # Vietnamese name order
    assert lan == progress.MemberFigures(
        member_id=commune.members["Lan"],
        name="Lan",
        households_assigned=2,  # h1, h2 (h5 is archived)
        target=10,
        households_reached=2,  # h1 (v1), h2 (v4)
        visits=2,
        luot=4,  # 2 + 2
        last_visit_on=date(2026, 11, 6),
    )
    assert (minh.households_assigned, minh.households_reached, minh.visits, minh.luot) == (2, 2, 2, 3)  # h1, h4
    assert minh.last_visit_on == date(2026, 11, 12)  # v2; v5 (15/11) was undone
    assert (hung.households_assigned, hung.visits, hung.luot, hung.last_visit_on) == (0, 0, 0, None)


async def test_team_t02_counts_the_household_it_helped_before_it_moved(store, config, commune):
    t = await _team(store, config, "T02")
    assert (t.visits, t.luot) == (2, 5)  # v9 (1), v10 (4)
    assert (t.households_reached, t.households_new, t.households_cumulative) == (2, 2, 3)  # h4, h7; + h8 in October
    assert t.skills == {**ALL_SKILLS_ZERO, "vneid_install": 1, "vneid_level2": 1, "bdhvs": 1, "smart_hp": 1}
    assert t.priority_reached == {"elderly": 1, "ethnic_minority": 0, "no_device": 0}  # h7
    assert t.households_registered == 2  # h7, h8 (h4 is T01's now)
    assert (t.platform_households, t.bdhvs_households) == (2, 1)  # h7 (visit), h8 (DVC corrected 01/11); h7
    assert (t.member_count, t.active_members) == (2, 1)
    hoa, tu = t.members
    assert (hoa.name, hoa.households_assigned, hoa.households_reached, hoa.luot) == ("Hoa", 2, 2, 5)
    assert hoa.last_visit_on == date(2026, 11, 20)
    assert (tu.name, tu.visits) == ("Tú", 0)


async def test_a_quiet_team_keeps_its_coverage_and_members(store, config, commune):
    t = await _team(store, config, "T03")
    assert (t.visits, t.luot, t.households_reached, t.households_new) == (0, 0, 0, 0)
    assert t.households_cumulative == 1  # h10, in October
    assert t.skills == ALL_SKILLS_ZERO and t.priority_reached == NO_PRIORITY
    assert (t.households_registered, t.platform_households, t.bdhvs_households) == (1, 1, 1)
    (nam,) = t.members
    assert (nam.households_assigned, nam.visits, nam.last_visit_on) == (1, 0, date(2026, 10, 20))


async def test_coverage_is_as_of_the_periods_end(store, config, commune):
    october = [await _team(store, config, code, "2026-10") for code in ("T01", "T02", "T03")]
    # T01 on 31/10: only h1 (v7); h2 and h4 were visited in November, h6 corrected on 18/11
    # T02: h8's DVC correction was made at 00:30 on 01/11 (17:30 UTC on 31/10): after October's end
    # T03: h10's BDHVS correction at 23:30 on 31/10 is still October's
    assert [(t.platform_households, t.bdhvs_households) for t in october] == [(1, 0), (0, 0), (1, 1)]
    t01 = october[0]
    assert (t01.visits, t01.luot, t01.households_reached, t01.households_new) == (3, 3, 3, 3)  # v7, v6, v13
    assert t01.members[1].last_visit_on == date(2026, 10, 10)  # Lan's v7; her November visits are later


async def test_quarter_and_year_targets_and_sums(store, config, commune):
    q4 = await _team(store, config, "T01", "2026-Q4")
    assert q4.luot_target == 50  # team_luot_per_quarter
    assert (q4.visits, q4.luot) == (8, 11)  # October's 3 visits (3 lượt) and November's 5 (8)
    assert (q4.households_reached, q4.households_new) == (5, 5)  # h1–h5, none helped before October
    year = await _team(store, config, "T01", "2026")
    assert year.luot_target == 200  # 4 × team_luot_per_quarter
    assert year.luot == 11


async def test_commune_counts_each_household_once(store, config, commune):
    async with store.session() as s:
        c = await progress.commune_figures(s, config, _period(config, NOVEMBER))
    assert [t.team_code for t in c.teams] == ["T01", "T02", "T03", "T04", "T05"]
    assert c.teams[3].visits == 0 and c.teams[3].members == () and c.teams[3].skills == ALL_SKILLS_ZERO
    total = c.totals
    assert (total.team_code, total.team_name, total.period_key) == ("", "Xã Kiến Minh", NOVEMBER)
    assert (total.visits, total.luot) == (7, 13)  # T01 5 + T02 2; 8 + 5
    assert total.households_reached == 4  # h1, h2, h4, h7: h4 was helped by T01 and T02, counted once
    assert total.households_new == 3  # h2, h4, h7 (the teams' 2 + 2 count h4 twice)
    assert total.households_cumulative == 8  # h1, h2, h3, h4, h5, h7, h8, h10
    assert total.skills == {
        **ALL_SKILLS_ZERO,
        "vneid_install": 2,
        "vneid_level2": 2,
        "dvc": 2,
        "cashless": 1,
        "bdhvs": 2,
        "signature": 1,
        "shopping": 1,
        "smart_hp": 1,
    }
    assert total.priority_reached == {"elderly": 2, "ethnic_minority": 1, "no_device": 0}  # h1, h7; h2
    assert (total.households_registered, total.platform_households, total.bdhvs_households) == (8, 7, 3)
    assert total.luot_target == 500  # 100 per team × 5 teams
    assert (total.member_count, total.active_members) == (6, 3)
    assert total.members == ()


async def test_ranking_weights_each_criterion_against_the_best_team(store, config, commune):
    async with store.session() as s:
        c = await progress.commune_figures(s, config, _period(config, NOVEMBER))
    assert [r.team_code for r in c.ranking] == ["T01", "T02", "T03", "T04", "T05"]
    t01, t02, t03, t04, _ = c.ranking
    # best values: lượt 8 (T01), households 3 (T01), coverage 1.0 (T02 2/2, T03 1/1), participation 2/3 (T01)
    assert t01.parts == {"luot": 100.0, "households": 100.0, "coverage": 80.0, "participation": 100.0}
    assert t01.score == 96.0  # (100·40 + 100·30 + 80·20 + 100·10) / 100
    # T02: lượt 5/8, households 2/3, coverage 1.0/1.0, participation (1/2)/(2/3)
    assert t02.parts == {"luot": 62.5, "households": 66.7, "coverage": 100.0, "participation": 75.0}
    assert t02.score == 72.5  # (62.5·40 + 66.67·30 + 100·20 + 75·10) / 100 = (2500 + 2000 + 2000 + 750) / 100
    assert (t03.score, t03.parts["coverage"]) == (20.0, 100.0)
    assert t04.score == 0.0


async def test_member_figures_alone_match_the_teams_row(store, config, commune):
    async with store.session() as s:
        lan = await s.get(Member, commune.members["Lan"])
        own = await progress.member_figures(s, config, lan, _period(config, NOVEMBER))
    team = await _team(store, config, "T01")
    assert own == team.members[1]


def test_luot_target_by_kind(config):
    windows = config.reporting.windows
    assert progress.luot_target(config, windows.period(Kind.MONTH, 2026, 11)) == 100
    assert progress.luot_target(config, windows.period(Kind.QUARTER, 2026, 4)) == 50
    assert progress.luot_target(config, windows.period(Kind.YEAR, 2026)) == 200


async def test_each_households_correction_is_its_own(store, config):
    """Two households corrected to "none" at different times: each is compared with its own visits (a query that
    mixed up the correction rows would give both the same answer; SQLite would not even complain)."""
    async with store.session() as s:
        lan = Member(display_name="Lan", role="member", team_code="T01", created_at=_at(date(2026, 9, 1)))
        s.add(lan)
        await s.flush()
        homes = []
        for name in ("A", "B"):
            h = Household(
                team_code="T01",
                head_name=name,
                name_key=name,
                address="x",
                address_key="x",
                created_at=_at(date(2026, 9, 1)),
                updated_at=_at(date(2026, 9, 1)),
            )
            s.add(h)
            await s.flush()
            v = Visit(household_id=h.id, member_id=lan.id, team_code="T01", visited_on=date(2026, 11, 5))
            v.created_at = _at(date(2026, 11, 5))
            s.add(v)
            await s.flush()
            s.add(VisitSkill(visit_id=v.id, skill_code="bdhvs"))
            homes.append(h.id)
        # A: corrected after its visit → "none"; B: corrected before its visit → the visit raises it to "guided"
        s.add(
            HouseholdPlatform(
                household_id=homes[0], platform_code="bdhvs", status="none", set_at=_at(date(2026, 11, 10))
            )
        )
        s.add(
            HouseholdPlatform(
                household_id=homes[1], platform_code="bdhvs", status="none", set_at=_at(date(2026, 11, 1))
            )
        )
        await visit_summaries.rebuild(s)
    async with store.session() as s:
        statuses = await platform_status.for_households(s, config, homes)
        t01 = await progress.team_figures(s, config, "T01", _period(config, NOVEMBER))
    assert [statuses[h]["bdhvs"] for h in homes] == [Status.NONE, Status.GUIDED]
    assert (t01.platform_households, t01.bdhvs_households) == (1, 1)  # B only


def _team_row(code: str, luot: int, reached: int, covered: int, registered: int, active: int, members: int):  # type: ignore[no-untyped-def]
    return progress.TeamFigures(
        team_code=code,
        team_name=code,
        period_key=NOVEMBER,
        households_registered=registered,
        households_reached=reached,
        households_new=0,
        households_cumulative=0,
        visits=0,
        luot=luot,
        skills={},
        platform_households=covered,
        bdhvs_households=0,
        priority_reached={},
        luot_target=100,
        active_members=active,
        member_count=members,
    )


def test_ranking_uses_only_the_configured_criteria(config):
    only_coverage = config.model_copy(
        update={"reporting": config.reporting.model_copy(update={"ranking": {"coverage": 3, "luot": 0}})}
    )
    teams = [_team_row("A", 90, 9, 1, 4, 1, 1), _team_row("B", 10, 1, 4, 5, 1, 1)]
    a, b = progress.rank(only_coverage, teams)  # B covers 80%, A 25%: lượt (weight 0) does not count
    assert (a.team_code, a.score, a.parts) == ("B", 100.0, {"coverage": 100.0})
    assert (b.team_code, b.score) == ("A", 31.3)  # 25 / 80 = 31.25 → 31.3: half up, the figures' one rule
    nothing = config.model_copy(update={"reporting": config.reporting.model_copy(update={"ranking": {}})})
    assert progress.rank(nothing, teams) == ()


def test_no_team_with_any_value_scores_zero_not_a_division_error(config):
    rows = progress.rank(config, [_team_row("A", 0, 0, 0, 0, 0, 0), _team_row("B", 0, 0, 0, 0, 0, 0)])
    assert [(r.team_code, r.score) for r in rows] == [("A", 0.0), ("B", 0.0)]  # ties keep config order
