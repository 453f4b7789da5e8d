"""/tiendo as chat text: short lines for a phone, no wide tables; bars from bot/render/progress.bar.

Data loading lives in bot/services/progress.py; this module only turns its figures into lines.
"""

from __future__ import annotations

from datetime import date

from bot import texts as T
from bot.config import Config
from bot.core.periods import Period
from bot.core.rounding import percent
from bot.render.progress import bar
from bot.services.progress import CommuneFigures, Due, MemberFigures, RankRow, TeamFigures

TOP_SKILLS = 3


def num(n: int) -> str:
    """Vietnamese thousands: 20.000."""
    return f"{n:,}".replace(",", ".")


def day_text(day: date | None, today: date) -> str:
    """dd/mm in the current year, dd/mm/yyyy otherwise; "chưa có" for none."""
    if day is None:
        return T.PROGRESS_NEVER
    return day.strftime("%d/%m") if day.year == today.year else day.strftime("%d/%m/%Y")


def span(period: Period) -> str:
    start = period.start.strftime("%d/%m") if period.start.year == period.end.year else f"{period.start:%d/%m/%Y}"
    return T.PROGRESS_SPAN.format(start=start, end=f"{period.end:%d/%m/%Y}")


def due_line(due: Due, template: str = T.PROGRESS_DUE_AHEAD) -> str:
    return template.format(period=due.period.label(), due=f"{due.day:%d/%m/%Y}", days=due.days_left)


def member_text(config: Config, figures: MemberFigures, period: Period, today: date, due: Due) -> str:
    """A member's own progress: the households they look after against the target, and this period's work."""
    return "\n".join(
        [
            T.PROGRESS_TITLE_MEMBER.format(period=period.label()),
            span(period),
            T.PROGRESS_MY_HOUSEHOLDS.format(bar=bar(figures.households_assigned, figures.target))
            if figures.households_assigned
            else T.PROGRESS_MY_HOUSEHOLDS_NONE.format(target=figures.target),
            T.PROGRESS_MY_REACHED.format(households=num(figures.households_reached), visits=num(figures.visits)),
            T.PROGRESS_MY_LUOT.format(luot=num(figures.luot)),
            T.PROGRESS_MY_LAST.format(day=day_text(figures.last_visit_on, today)),
            due_line(due, T.PROGRESS_DUE_MEMBER),
        ]
    )


def _coverage(template: str, empty: str, n: int, registered: int, target_pct: int) -> list[str]:
    if not registered:
        return [empty]
    share = percent(n, registered)
    return [
        template.format(n=num(n), registered=num(registered), pct=share),
        T.PROGRESS_BAR.format(bar=f"{bar(share, target_pct)}%"),
    ]


def _skills(config: Config, skills: dict[str, int]) -> list[str]:
    used = [(n, i, code) for i, (code, n) in enumerate(skills.items()) if n > 0]
    if not used:
        return [T.PROGRESS_SKILLS_NONE]
    used.sort(key=lambda item: (-item[0], item[1]))  # most first, then catalogue order
    lines = [T.PROGRESS_SKILLS]
    for n, _, code in used[:TOP_SKILLS]:
        skill = config.skill_by_code.get(code)
        lines.append(T.PROGRESS_SKILL.format(label=skill.label if skill else code, n=num(n)))
    if len(used) > TOP_SKILLS:
        lines.append(T.PROGRESS_SKILLS_MORE.format(n=len(used) - TOP_SKILLS))
    return lines


def figures_lines(config: Config, t: TeamFigures) -> list[str]:
    """The body shared by a team and the commune's totals."""
    targets = config.targets
    return [
        T.PROGRESS_HOUSEHOLDS.format(reached=num(t.households_reached), new=num(t.households_new)),
        T.PROGRESS_CUMULATIVE.format(cumulative=num(t.households_cumulative), registered=num(t.households_registered)),
        T.PROGRESS_LUOT.format(luot=num(t.luot), visits=num(t.visits)),
        T.PROGRESS_BAR.format(bar=bar(t.luot, t.luot_target)),
        *_coverage(
            T.PROGRESS_PLATFORM,
            T.PROGRESS_PLATFORM_EMPTY,
            t.platform_households,
            t.households_registered,
            targets.platform_coverage_pct,
        ),
        *_coverage(
            T.PROGRESS_BDHVS,
            T.PROGRESS_BDHVS_EMPTY,
            t.bdhvs_households,
            t.households_registered,
            targets.bdhvs_coverage_pct,
        ),
        *_skills(config, t.skills),
        T.PROGRESS_PRIORITY.format(**{k: num(v) for k, v in t.priority_reached.items()}),
        T.PROGRESS_ACTIVE.format(active=t.active_members, total=t.member_count),
    ]


def member_lines(members: tuple[MemberFigures, ...], today: date) -> list[str]:
    if not members:
        return [T.PROGRESS_NO_MEMBERS]
    return [T.PROGRESS_MEMBERS] + [
        T.PROGRESS_MEMBER.format(
            name=m.name,
            assigned=num(m.households_assigned),
            target=m.target,
            luot=num(m.luot),
            last=day_text(m.last_visit_on, today),
        )
        for m in members
    ]


SECTION = "\n\n"  # one message, in sections: a channel splits it at line ends only when it is too long


def team_text(config: Config, t: TeamFigures, period: Period, today: date, due: Due) -> str:
    """A leader's view: the team's figures, then one line per member."""
    head = [T.PROGRESS_TITLE_TEAM.format(period=period.label(), team=t.team_name), span(period)]
    return SECTION.join(
        ["\n".join([*head, *figures_lines(config, t), due_line(due)]), "\n".join(member_lines(t.members, today))]
    )


def _team_rows(t: TeamFigures) -> list[str]:
    coverage = f"{percent(t.platform_households, t.households_registered)}%" if t.households_registered else "–"
    return [
        T.PROGRESS_TEAM_NAME.format(code=t.team_code, name=t.team_name),
        T.PROGRESS_TEAM_LINE.format(
            luot=num(t.luot),
            target=num(t.luot_target),
            reached=num(t.households_reached),
            new=num(t.households_new),
            pct=coverage,
        ),
    ]


def _score(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def ranking_lines(config: Config, ranking: tuple[RankRow, ...], period: Period) -> list[str]:
    weights = {k: w for k, w in config.reporting.ranking.items() if w > 0}
    if not ranking or not weights:
        return [T.PROGRESS_RANKING_OFF]
    total = sum(weights.values())
    criteria = " · ".join(
        T.PROGRESS_RANKING_CRITERION.format(label=T.PROGRESS_CRITERIA.get(k, k), pct=percent(w, total))
        for k, w in weights.items()
    )
    return [
        T.PROGRESS_RANKING.format(period=period.label()),
        T.PROGRESS_RANKING_WEIGHTS.format(criteria=criteria),
        *(
            T.PROGRESS_RANK_ROW.format(n=i, code=r.team_code, name=r.team_name, score=_score(r.score))
            for i, r in enumerate(ranking, start=1)
        ),
    ]


def commune_text(config: Config, c: CommuneFigures, period: Period, due: Due) -> str:
    """Staff's overview: every team in two short lines; the commune's totals; the thi đua ranking."""
    head = [T.PROGRESS_TITLE_COMMUNE.format(period=period.label(), commune=config.commune.name), span(period)]
    teams = [T.PROGRESS_TEAMS] + [line for t in c.teams for line in _team_rows(t)]
    totals = [T.PROGRESS_TOTALS.format(teams=len(c.teams)), *figures_lines(config, c.totals)]
    return SECTION.join(
        [
            "\n".join([*head, due_line(due), *teams]),
            "\n".join(totals),
            "\n".join(ranking_lines(config, c.ranking, period)),
        ]
    )
