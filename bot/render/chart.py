"""Progress charts as PNG pictures for a phone: 1080 px wide, large type, Vietnamese labels.

Drawn with matplotlib's object API (a Figure printed by the Agg canvas): no pyplot, no GUI backend and no global
state, so a chart can be drawn in a worker thread. DejaVu Sans, shipped with matplotlib, has every Vietnamese letter.
Layout is in pixels: one axes covering the whole picture, y growing downwards.

- A team: four gauges, each a labelled bar with its numbers and, where config has one, a target mark: households
  reached of those in the register, lượt against the period's target, and the shares of households on at least one
  essential platform and on Bình dân học vụ số against their targets.
- The commune: one bar per team with its name, lượt against the team target (or the platform coverage against
  its target), and the commune's totals last.
Green: the target is met; orange: not yet; blue: a measure without a target.

matplotlib is imported when the first chart is drawn, not with this module: it takes half a second, which every
`sotay` command would otherwise pay.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from bot import texts as T
from bot.config import Config
from bot.core.clock import format_date
from bot.core.rounding import percent
from bot.services.progress import CommuneFigures, TeamFigures

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

Metric = Literal["luot", "coverage"]
WIDTH = 1080  # px: what a phone shows at full width without scaling up
DPI = 100
FONT = "DejaVu Sans"
MARGIN = 48
GREEN, ORANGE, BLUE, TRACK, INK, MUTED = "#2e7d32", "#ef6c00", "#1565c0", "#e0e0e0", "#212121", "#616161"
TITLE_PT, SUBTITLE_PT, LABEL_PT, VALUE_PT, NOTE_PT = 30, 20, 24, 21, 17
NAME_CHARS = 18  # a team's name longer than this is cut with "…" in the commune chart


@dataclass(frozen=True)
class Gauge:
    label: str
    fill: float  # 0–1 of the bar
    mark: float | None  # where the target is, 0–1 of the bar; None: no target
    text: str
    colour: str
    bold: bool = False


def progress_chart(figures: TeamFigures | CommuneFigures, config: Config, metric: Metric = "luot") -> bytes:
    """The PNG of a team's progress, or of every team of the commune (by lượt or by platform coverage)."""
    period = config.reporting.windows.parse(figures.period_key)
    dates = T.CHART_SUBTITLE.format(start=format_date(period.start), end=format_date(period.end)) if period else ""
    label = period.label() if period else figures.period_key
    if isinstance(figures, CommuneFigures):
        title = T.CHART_TITLE.format(name=figures.totals.team_name, period=label)
        return _commune_chart(title, dates, figures, config, metric)
    return _team_chart(T.CHART_TITLE.format(name=figures.team_name, period=label), dates, team_gauges(figures, config))


# --- what is drawn ----------------------------------------------------------------------------------------------
def _colour(value: int, target: int) -> str:
    return GREEN if value >= target else ORANGE


def _luot_gauge(label: str, f: TeamFigures, scale: int = 0, bold: bool = False, short: bool = False) -> Gauge:
    """Lượt against the target, on a bar as long as `scale` lượt (at least the target and the value)."""
    target = f.luot_target
    if target <= 0:
        return Gauge(label, 1.0 if f.luot else 0.0, None, T.CHART_NO_TARGET_VALUE.format(value=f.luot), BLUE, bold)
    scale = max(scale, target, f.luot)
    pct = percent(f.luot, target)
    text = (T.CHART_TEAM_LUOT if short else T.CHART_LUOT_VALUE).format(value=f.luot, target=target, pct=pct)
    return Gauge(label, f.luot / scale, target / scale, text, _colour(f.luot, target), bold)


def _coverage_gauge(
    label: str, value: int, total: int, target_pct: int, short: bool = False, bold: bool = False
) -> Gauge:
    pct = percent(value, total)
    template = T.CHART_TEAM_COVERAGE if short else T.CHART_COVERAGE_VALUE
    text = template.format(pct=pct, value=value, total=total, target=target_pct)
    fill = value / total if total else 0.0
    return Gauge(label, fill, target_pct / 100, text, _colour(pct, target_pct), bold)


def team_gauges(f: TeamFigures, config: Config) -> list[Gauge]:
    targets = config.targets
    registered = f.households_registered
    reached_pct = percent(f.households_reached, f.households_registered)
    reached_text = T.CHART_REACHED_VALUE.format(
        value=f.households_reached, total=f.households_registered, pct=reached_pct
    )
    reached_fill = min(1.0, f.households_reached / f.households_registered) if f.households_registered else 0.0
    return [
        Gauge(T.CHART_REACHED, reached_fill, None, reached_text, BLUE),
        _luot_gauge(T.CHART_LUOT, f),
        _coverage_gauge(T.CHART_PLATFORM, f.platform_households, registered, targets.platform_coverage_pct),
        _coverage_gauge(T.CHART_BDHVS, f.bdhvs_households, registered, targets.bdhvs_coverage_pct),
    ]


def commune_gauges(c: CommuneFigures, config: Config, metric: Metric) -> list[Gauge]:
    """One gauge per team, then the commune's totals; the teams' lượt bars share one scale, to compare them."""
    if metric == "coverage":
        target = config.targets.platform_coverage_pct
        return [
            _coverage_gauge(
                _name(f), f.platform_households, f.households_registered, target, short=True, bold=f is c.totals
            )
            for f in (*c.teams, c.totals)
        ]
    scale = max((max(f.luot, f.luot_target) for f in c.teams), default=0)
    gauges = [_luot_gauge(_name(f), f, scale, short=True) for f in c.teams]
    return [*gauges, _luot_gauge(T.SUMMARY_TOTAL, c.totals, bold=True, short=True)]


def _name(f: TeamFigures) -> str:
    name = f.team_name if f.team_code else T.SUMMARY_TOTAL
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


# --- drawing ----------------------------------------------------------------------------------------------------
def _font(size: int, bold: bool = False) -> FontProperties:
    from matplotlib.font_manager import FontProperties

    return FontProperties(family=FONT, size=size, weight="bold" if bold else "normal")


def _canvas(height: int) -> tuple[Figure, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH / DPI, height / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    return fig, ax


def _text(ax: Any, x: float, y: float, text: str, size: int, **kw: Any) -> None:
    bold = kw.pop("bold", False)
    ax.text(x, y, text, fontproperties=_font(size, bold), color=kw.pop("color", INK), va="center", **kw)


def _header(ax: Any, title: str, dates: str) -> float:
    _text(ax, MARGIN, 60, title, TITLE_PT, bold=True)
    _text(ax, MARGIN, 112, dates, SUBTITLE_PT, color=MUTED)
    return 160


def _bar(ax: Any, x: float, y: float, width: float, height: float, gauge: Gauge) -> None:
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x, y), width, height, facecolor=TRACK, edgecolor="none"))
    if gauge.fill > 0:
        ax.add_patch(Rectangle((x, y), width * min(gauge.fill, 1.0), height, facecolor=gauge.colour, edgecolor="none"))
    if gauge.mark is not None:
        mark_x = x + width * min(gauge.mark, 1.0)
        ax.plot([mark_x, mark_x], [y - 10, y + height + 10], color=INK, linewidth=4, solid_capstyle="butt")


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()


def _team_chart(title: str, dates: str, gauges: Sequence[Gauge]) -> bytes:
    row = 220
    height = 160 + row * len(gauges) + 90
    fig, ax = _canvas(height)
    top = _header(ax, title, dates)
    width = WIDTH - 2 * MARGIN
    for i, gauge in enumerate(gauges):
        y = top + i * row
        _text(ax, MARGIN, y + 30, gauge.label, LABEL_PT, bold=True)
        _bar(ax, MARGIN, y + 66, width, 60, gauge)
        _text(ax, MARGIN, y + 166, gauge.text, VALUE_PT)
    _text(ax, MARGIN, height - 50, T.CHART_LEGEND, NOTE_PT, color=MUTED)
    return _png(fig)


def _commune_chart(title: str, dates: str, c: CommuneFigures, config: Config, metric: Metric) -> bytes:
    gauges = commune_gauges(c, config, metric)
    row = 78
    height = 160 + 70 + row * len(gauges) + 90
    fig, ax = _canvas(height)
    top = _header(ax, title, dates)
    if metric == "coverage":
        heading = T.CHART_COMMUNE_COVERAGE.format(target=config.targets.platform_coverage_pct)
    else:
        heading = T.CHART_COMMUNE_LUOT.format(target=c.teams[0].luot_target if c.teams else 0)
    _text(ax, MARGIN, top + 20, heading, VALUE_PT, bold=True)
    bar_x, bar_w, value_x = 430, 455, 900
    for i, gauge in enumerate(gauges):
        y = top + 70 + i * row
        _text(ax, MARGIN, y + 30, gauge.label, LABEL_PT - 2, bold=gauge.bold)
        _bar(ax, bar_x, y + 8, bar_w, 44, gauge)
        _text(ax, value_x, y + 30, gauge.text, VALUE_PT - 1, bold=gauge.bold)
    _text(ax, MARGIN, height - 50, T.CHART_LEGEND, NOTE_PT, color=MUTED)
    return _png(fig)
