"""The demo commune: synthetic people and a few months of synthetic activity, in its own SQLite file."""

from __future__ import annotations

import os
import random
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config, data_file
from bot.core.roles import Role
from bot.core.text import word_key
from bot.services import household_words, members, visit_summaries
from bot.services.deps import Deps
from bot.store.models import Household, Member, Visit, VisitSkill

# Under the working directory's data/, like the bot's own data/sotay.db and the demo's data/demo-tep: writable
# wherever the package is installed, and in the source tree (make demo) the file it always was.
DEMO_DB = Path(os.environ.get("SOTAY_DEMO_DB") or Path("data") / "demo.db")
SAMPLE_LIST = "demo_danh_sach_ho.csv"  # a household list for `/tep data/demo_danh_sach_ho.csv` (commune staff)
DEMO_CHANNEL = "console"
SEED = 2026

_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Đinh"]
_MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Hữu", "Thu", "Xuân"]
_GIVEN = [
    "An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hằng", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam", "Nga",
    "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Yến", "Đức", "Ánh", "Khánh", "Lộc", "Oanh",
]  # fmt: skip


def demo_user_ref(role: Role) -> str:
    return f"demo-{role.value}"


def place_sample_list(folder: Path = Path("data")) -> Path | None:
    """Copy the shipped sample household list into `folder` (the working directory's data/) unless a file of that
    name is there, so that `/tep data/demo_danh_sach_ho.csv` works from an installed wheel too. Best effort: the
    copy's path, or None when it could not be written (the demo goes on without it)."""
    target = folder / SAMPLE_LIST
    if target.exists():
        return target
    content = data_file(SAMPLE_LIST).read_bytes()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    except OSError:
        return None
    return target


def demo_config(config: Config, db_path: Path = DEMO_DB) -> Config:
    """The deployment's config with the demo's own database."""
    database = config.database.model_copy(update={"url": f"sqlite+aiosqlite:///{db_path}"})
    return config.model_copy(update={"database": database})


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


async def is_seeded(session: AsyncSession) -> bool:
    return bool((await session.exec(select(func.count()).select_from(Member))).one())


async def seed(deps: Deps, households_per_team: int = 40, members_per_team: int = 5, days: int = 120) -> None:
    """Fill an empty database with a synthetic commune; does nothing if it already has members."""
    rng = random.Random(SEED)
    now = deps.clock.now()
    today = now.astimezone(deps.config.tz).date()
    config = deps.config
    async with deps.store.session() as session:
        if await is_seeded(session):
            return
        staff = Member(display_name=f"{_person(rng)} (cán bộ xã)", role=Role.STAFF, created_at=now)
        session.add(staff)
        await session.flush()
        await members.link_identity(session, staff, DEMO_CHANNEL, demo_user_ref(Role.STAFF), "demo", now)
        for team_index, team in enumerate(config.teams):
            team_members = [
                Member(
                    display_name=_person(rng),
                    role=Role.LEADER if i == 0 else Role.MEMBER,
                    team_code=team.code,
                    created_at=now - timedelta(days=days + 10),
                )
                for i in range(members_per_team + 1)
            ]
            session.add_all(team_members)
            await session.flush()
            if team_index == 0:
                await members.link_identity(
                    session, team_members[0], DEMO_CHANNEL, demo_user_ref(Role.LEADER), "demo", now
                )
                await members.link_identity(
                    session, team_members[1], DEMO_CHANNEL, demo_user_ref(Role.MEMBER), "demo", now
                )
            homes = _households(rng, team.code, team_members, households_per_team, now - timedelta(days=days))
            session.add_all(homes)
            await session.flush()
            await household_words.add(session, [(h.id, h.team_code, h.name_key, h.address_key) for h in homes])  # type: ignore[arg-type]
            await _visits(session, rng, config, team.code, team_members, homes, today, days, now)
        await visit_summaries.rebuild(session)


def _households(
    rng: random.Random, team: str, team_members: list[Member], count: int, created: datetime
) -> list[Household]:
    homes = []
    for i in range(count):
        name = _person(rng)
        address = f"Xóm {rng.randint(1, 6)}, số nhà {rng.randint(1, 150)}"
        keeper = team_members[i % len(team_members)]
        homes.append(
            Household(
                team_code=team,
                head_name=name,
                name_key=word_key(name),
                address=address,
                address_key=word_key(address),
                elderly=rng.random() < 0.3,
                ethnic_minority=rng.random() < 0.05,
                no_device=rng.random() < 0.1,
                assigned_member_id=keeper.id,
                consent_at=created,
                consent_version="2026-01",
                consent_by=keeper.id,
                created_by=keeper.id,
                created_at=created,
                updated_at=created,
            )
        )
    return homes


async def _visits(
    session: AsyncSession,
    rng: random.Random,
    config: Config,
    team: str,
    team_members: list[Member],
    homes: list[Household],
    today: date,
    days: int,
    now: datetime,
) -> None:
    skills = [s.code for s in config.skills]
    weights = [5 if s.platform in ("vneid", "dvc", "cashless", "bdhvs") else 1 for s in config.skills]
    for member in team_members:
        mine = [h for h in homes if h.assigned_member_id == member.id] or homes
        for back in range(days, 0, -1):
            if rng.random() > 0.35:
                continue
            day = today - timedelta(days=back)
            home = rng.choice(mine)
            created = datetime.combine(day, datetime.min.time(), config.tz) + timedelta(hours=rng.randint(8, 19))
            visit = Visit(
                household_id=home.id,  # type: ignore[arg-type]
                member_id=member.id,  # type: ignore[arg-type]
                team_code=team,
                visited_on=day,
                people_count=rng.choice([1, 1, 1, 2, 2, 3]),
                outcome="return" if rng.random() < 0.1 else "done",
                created_at=min(created, now),
            )
            session.add(visit)
            await session.flush()
            chosen = set(rng.choices(skills, weights=weights, k=rng.randint(1, 3)))
            session.add_all(VisitSkill(visit_id=visit.id, skill_code=code) for code in chosen)  # type: ignore[arg-type]
