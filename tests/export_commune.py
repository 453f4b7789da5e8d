"""A small commune for the export, chart and report tests, built through the services as the bot builds it.

T01  Hùng (leader), Lan, Minh
     h1 Nguyễn Văn Ánh, 0912 345 678, elderly, Lan's, consent 01/09   v1 Lan 05/11 (2 people; VNeID install,
                                                                        BDHVS; a note) · v4 Minh 12/11 (antifraud,
                                                                        "cần quay lại")
     h2 Trần Thị Bình, ethnic minority, Lan's       v6 Lan 20/09 (DVC, the quarter before) · v2 Lan 06/11 (DVC,
                                                    3 people) corrected into v7 (2 people); VNeID corrected "uses"
     h3 Lê Văn Cường, no device, imported (nobody's, no consent)   v3 Minh 07/11 (cashless) undone
     h4 Phạm Thị Dung (archived)
T02  Hoa
     h5 Đỗ Thị Hải, Hoa's                           v5 Hoa 10/11 (level-2 e-ID)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.core.clock import VN_TZ
from bot.services import households, platform_status, visits
from bot.services.households import NewHousehold
from bot.services.platform_status import Status
from bot.services.visits import EditRules, Revision, VisitDraft
from bot.store.db import Store
from bot.store.models import Household, Member, Visit

NOTE = "Bà cụ hay quên mật khẩu"


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VN_TZ)


@dataclass
class Built:
    members: dict[str, Member]
    homes: dict[str, Household]
    visits: dict[str, int]  # v1… → visit id


async def build(store: Store, rules: EditRules) -> Built:
    async with store.session() as s:
        members: dict[str, Member] = {}
        team_people = [("Hùng", "leader", "T01"), ("Lan", "member", "T01"), ("Minh", "member", "T01")]
        for name, role, team in [*team_people, ("Hoa", "member", "T02")]:
            member = Member(display_name=name, role=role, team_code=team, created_at=at(date(2026, 8, 1)))
            s.add(member)
            await s.flush()
            members[name] = member
        lan, minh, hoa = members["Lan"], members["Minh"], members["Hoa"]
        created = at(date(2026, 9, 1))
        homes = {
            "h1": await households.create(
                s,
                "T01",
                NewHousehold("Nguyễn Văn Ánh", "Xóm 3, số nhà 21", "+84912345678", elderly=True),
                lan.id,
                created,
                "2026-01",
            ),
            "h2": await households.create(
                s, "T01", NewHousehold("Trần Thị Bình", "Xóm 1", ethnic_minority=True), lan.id, created, "2026-01"
            ),
            "h3": await households.create(
                s, "T01", NewHousehold("Lê Văn Cường", "Xóm 2", no_device=True), None, created, None
            ),
            "h4": await households.create(s, "T01", NewHousehold("Phạm Thị Dung", "Xóm 4"), lan.id, created, "2026-01"),
            "h5": await households.create(
                s, "T02", NewHousehold("Đỗ Thị Hải", "Thôn Kiến Lao"), hoa.id, created, "2026-01"
            ),
        }
        homes["h4"].archived_at = created
        s.add(homes["h4"])

        async def visit(who: Member, home: str, day: date, skills: tuple[str, ...], **kw: object) -> int:
            draft = VisitDraft(homes[home].id or 0, skills, day, **kw)  # type: ignore[arg-type]
            return (await visits.record(s, who, homes[home], draft, at(day))).id or 0

        ids = {
            "v6": await visit(lan, "h2", date(2026, 9, 20), ("dvc",)),
            "v1": await visit(lan, "h1", date(2026, 11, 5), ("bdhvs", "vneid_install"), people_count=2, note=NOTE),
            "v2": await visit(lan, "h2", date(2026, 11, 6), ("dvc",), people_count=3),
            "v3": await visit(minh, "h3", date(2026, 11, 7), ("cashless",)),
            "v4": await visit(minh, "h1", date(2026, 11, 12), ("antifraud",), outcome=visits.OUTCOME_RETURN),
            "v5": await visit(hoa, "h5", date(2026, 11, 10), ("vneid_level2",)),
        }
        v2 = await s.get(Visit, ids["v2"])
        fixed = Revision(("dvc",), 2, visits.OUTCOME_DONE, date(2026, 11, 6), None)
        ids["v7"] = (await visits.correct(s, lan, v2, fixed, at(date(2026, 11, 6), 10), rules)).new.id or 0
        v3 = await s.get(Visit, ids["v3"])
        await visits.undo(s, minh, v3, at(date(2026, 11, 7), 10), rules)
        await platform_status.correct(s, lan, homes["h2"], "vneid", Status.USES, at(date(2026, 11, 6), 11))
    return Built(members, homes, ids)
