"""A draft of the commune's results report, in the style of a commune's report to the city (section "Kết quả hoạt
động của Tổ công nghệ số cộng đồng"), with the period's figures in place; as chat text and as a Word document.

The figures are the commune's (bot/services/progress); what only people know (good practices, difficulties,
proposals) is what the teams wrote in the period's submitted reports, team by team, or "(bổ sung)" for staff to
write where no team wrote anything. Numbers are written as Vietnamese documents write them:
2.000, 86,5.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from bot import texts as T
from bot.config import Config
from bot.core.clock import format_date
from bot.core.rounding import percent
from bot.services.progress import PRIORITY_FLAGS, CommuneFigures, TeamFigures

TOP_TEAMS = 3  # teams named as leading the thi đua ranking
DOCX_FONT = "Times New Roman"  # the font of Vietnamese administrative documents
DOCX_PT = 14
UNIT_KINDS = ("xã", "phường", "đặc khu", "thị trấn")


class Kind(StrEnum):
    TITLE = "title"
    SUBTITLE = "subtitle"
    NOTE = "note"
    HEADING = "heading"
    BODY = "body"
    ITEM = "item"


@dataclass(frozen=True)
class Paragraph:
    kind: Kind
    text: str


def vi_int(n: int) -> str:
    """2000 → "2.000"."""
    return f"{n:,}".replace(",", ".")


def vi_decimal(x: float) -> str:
    """86.5 → "86,5"; 100.0 → "100"."""
    return vi_int(int(x)) if float(x).is_integer() else f"{x:.1f}".replace(".", ",")


def in_sentence(name: str) -> str:
    """ "Xã Kiến Minh" inside a sentence: "xã Kiến Minh" (the unit's kind in lower case, as documents write it)."""
    for kind in UNIT_KINDS:
        if name.lower().startswith(kind + " "):
            return kind + name[len(kind) :]
    return name


TeamTexts = dict[str, dict[str, str]]  # team code → text part (reports.TEXT_PARTS) → what the team wrote


def paragraphs(figures: CommuneFigures, config: Config, texts: TeamTexts | None = None) -> list[Paragraph]:
    """The draft, paragraph by paragraph; `texts`: the teams' submitted report texts (reports.submitted_texts)."""
    period = config.reporting.windows.parse(figures.period_key)
    label = period.label() if period else figures.period_key
    start, end = (format_date(period.start), format_date(period.end)) if period else ("", "")
    totals = figures.totals
    subtitle = T.REPORT_DRAFT_SUBTITLE.format(commune=in_sentence(config.commune.name), period=label)
    out = [
        Paragraph(Kind.TITLE, T.REPORT_DRAFT_TITLE),
        Paragraph(Kind.SUBTITLE, subtitle),
        Paragraph(Kind.NOTE, T.REPORT_DRAFT_NOTE.format(start=start, end=end)),
        Paragraph(Kind.HEADING, T.REPORT_DRAFT_HEADING),
        Paragraph(Kind.BODY, _teams_text(figures, config, label)),
        Paragraph(Kind.BODY, _results_text(totals, label, end)),
        Paragraph(Kind.BODY, _skills_text(totals, config)),
        Paragraph(Kind.BODY, _coverage_text(totals, config, end)),
        Paragraph(
            Kind.BODY,
            T.REPORT_DRAFT_PRIORITY.format(**{f: vi_int(totals.priority_reached.get(f, 0)) for f in PRIORITY_FLAGS}),
        ),
    ]
    if figures.teams:
        out.append(Paragraph(Kind.BODY, T.REPORT_DRAFT_TEAMS_HEADING))
        out.extend(Paragraph(Kind.ITEM, _team_line(team)) for team in figures.teams)
    if figures.ranking:
        items = [
            T.REPORT_DRAFT_RANK_ITEM.format(team=row.team_name, score=vi_decimal(row.score))
            for row in figures.ranking[:TOP_TEAMS]
        ]
        out.append(Paragraph(Kind.BODY, T.REPORT_DRAFT_RANKING.format(items="; ".join(items))))
    for part, label in T.REPORT_DRAFT_PARTS.items():
        out.extend(_part(part, label, figures, texts or {}))
    return out


def _part(part: str, label: str, figures: CommuneFigures, texts: TeamTexts) -> list[Paragraph]:
    """One text part: each team's words, in the figures' team order, or a place to write it."""
    items = [
        Paragraph(Kind.ITEM, T.REPORT_DRAFT_PART_ITEM.format(team=team.team_name, text=_one_line(written)))
        for team in figures.teams
        if (written := texts.get(team.team_code, {}).get(part, "").strip())
    ]
    if not items:
        return [Paragraph(Kind.BODY, T.REPORT_DRAFT_PART_EMPTY.format(label=label))]
    return [Paragraph(Kind.BODY, T.REPORT_DRAFT_PART_HEADING.format(label=label)), *items]


def _one_line(text: str) -> str:
    """A team's text as one item: its lines (bullets dropped) joined with "; "."""
    lines = (line.strip().lstrip("-•*+ ").strip() for line in text.splitlines())
    return "; ".join(line for line in lines if line)


def _teams_text(figures: CommuneFigures, config: Config, label: str) -> str:
    totals = figures.totals
    return T.REPORT_DRAFT_TEAMS.format(
        commune=config.commune.name,
        teams=vi_int(len(figures.teams)),
        members=vi_int(totals.member_count),
        period=label,
        active=vi_int(totals.active_members),
    )


def _results_text(totals: TeamFigures, label: str, end: str) -> str:
    template = T.REPORT_DRAFT_RESULTS if totals.luot_target > 0 else T.REPORT_DRAFT_RESULTS_NO_TARGET
    return template.format(
        period=label,
        luot=vi_int(totals.luot),
        households=vi_int(totals.households_reached),
        visits=vi_int(totals.visits),
        new=vi_int(totals.households_new),
        pct=percent(totals.luot, totals.luot_target),
        target=vi_int(totals.luot_target),
        end=end,
        cumulative=vi_int(totals.households_cumulative),
    )


def _skills_text(totals: TeamFigures, config: Config) -> str:
    counted = [(s, totals.skills.get(s.code, 0)) for s in config.skills]
    covered = sorted((item for item in counted if item[1] > 0), key=lambda item: -item[1])  # stable: config order
    if not covered:
        return T.REPORT_DRAFT_SKILLS_NONE
    items = [T.REPORT_DRAFT_SKILL_ITEM.format(skill=s.label, n=vi_int(n)) for s, n in covered]
    return T.REPORT_DRAFT_SKILLS.format(items="; ".join(items))


def _coverage_text(totals: TeamFigures, config: Config, end: str) -> str:
    registered = totals.households_registered
    return T.REPORT_DRAFT_COVERAGE.format(
        end=end,
        platform_pct=percent(totals.platform_households, registered),
        platform=vi_int(totals.platform_households),
        registered=vi_int(registered),
        platform_target=config.targets.platform_coverage_pct,
        bdhvs_pct=percent(totals.bdhvs_households, registered),
        bdhvs=vi_int(totals.bdhvs_households),
        bdhvs_target=config.targets.bdhvs_coverage_pct,
    )


def _team_line(team: TeamFigures) -> str:
    values = {
        "team": team.team_name,
        "luot": vi_int(team.luot),
        "households": vi_int(team.households_reached),
        "coverage": percent(team.platform_households, team.households_registered),
    }
    if team.luot_target <= 0:
        return T.REPORT_DRAFT_TEAM_LINE_NO_TARGET.format(**values)
    return T.REPORT_DRAFT_TEAM_LINE.format(
        **values, pct=percent(team.luot, team.luot_target), target=vi_int(team.luot_target)
    )


def report_text(figures: CommuneFigures, config: Config, texts: TeamTexts | None = None) -> str:
    """The draft as chat text: one paragraph a line, a blank line between paragraphs (not between a list's items)."""
    lines: list[str] = []
    for p in paragraphs(figures, config, texts):
        if lines and p.kind is not Kind.ITEM:
            lines.append("")
        lines.append(p.text)
    return "\n".join(lines)


def report_docx(figures: CommuneFigures, config: Config, texts: TeamTexts | None = None) -> bytes:
    """The draft as a .docx, Times New Roman 14 as the commune's documents are typed."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = DOCX_FONT  # type: ignore[attr-defined]
    normal.font.size = Pt(DOCX_PT)  # type: ignore[attr-defined]
    for p in paragraphs(figures, config, texts):
        para = doc.add_paragraph()
        run = para.add_run(p.text)
        if p.kind in (Kind.TITLE, Kind.SUBTITLE):
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.bold = True
        elif p.kind is Kind.NOTE:
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.italic = True
        elif p.kind is Kind.HEADING:
            run.bold = True
        else:
            para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            para.paragraph_format.first_line_indent = Pt(28) if p.kind is Kind.BODY else None
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
