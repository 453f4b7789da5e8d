"""The /bieudo pictures: PNG, 1080 px wide, every Vietnamese letter drawn, colours telling met and missed targets."""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import replace

import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font
from PIL import Image

from bot import texts as T
from bot.render import chart
from bot.render.chart import GREEN, ORANGE, commune_gauges, progress_chart, team_gauges
from bot.services.progress import CommuneFigures, RankRow, TeamFigures

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def figures(code: str = "T01", name: str = "Thôn Đông Tạ", luot: int = 37, platform: int = 70, bdhvs: int = 30):
    return TeamFigures(
        team_code=code,
        team_name=name,
        period_key="2026-Q4",
        households_registered=120,
        households_reached=31,
        households_new=12,
        households_cumulative=80,
        visits=25,
        luot=luot,
        skills={"vneid_install": 10, "dvc": 4},
        platform_households=platform,
        bdhvs_households=bdhvs,
        priority_reached={"elderly": 5, "ethnic_minority": 1, "no_device": 2},
        luot_target=50,
    )


def commune(config) -> CommuneFigures:
    teams = tuple(
        figures(t.code, t.name, luot, platform)
        for t, luot, platform in zip(config.teams, [37, 64, 12, 50, 0], [70, 100, 20, 96, 0], strict=True)
    )
    totals = replace(figures("", config.commune.name, 163, 286), households_registered=600, luot_target=250)
    return CommuneFigures("2026-Q4", teams, totals, (RankRow("T02", "Thôn Kiến Lao", 90.0),))


def size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE)
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def colours(png: bytes) -> set[str]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    found = image.getcolors(maxcolors=1 << 20) or []
    return {"#{:02x}{:02x}{:02x}".format(*rgb) for _, rgb in found}


def test_a_teams_chart_is_a_png_for_a_phone(config):
    png = progress_chart(figures(), config)
    assert size(png) == (1080, 160 + 4 * 220 + 90)
    assert ORANGE in colours(png) and GREEN not in colours(png)  # 37/50 lượt, 58% and 25% coverage: none met


def test_met_targets_are_green(config):
    png = progress_chart(figures(luot=60, platform=110, bdhvs=90), config)
    assert GREEN in colours(png) and ORANGE not in colours(png)


def test_the_communes_chart_has_a_bar_per_team_and_the_totals(config):
    figures_ = commune(config)
    png = progress_chart(figures_, config)
    assert size(png) == (1080, 160 + 70 + 78 * 6 + 90)
    gauges = commune_gauges(figures_, config, "luot")
    assert [g.label for g in gauges] == [t.name for t in config.teams] + ["Toàn xã"]
    assert [g.text for g in gauges] == ["37/50", "64/50", "12/50", "50/50", "0/50", "163/250"]
    assert gauges[1].fill == 1.0 and gauges[0].fill == pytest.approx(37 / 64)  # teams share one scale
    coverage = commune_gauges(figures_, config, "coverage")
    assert [g.text for g in coverage] == ["58%", "83%", "17%", "80%", "0%", "48%"]
    assert [g.colour == GREEN for g in coverage] == [False, True, False, True, False, False]
    assert size(progress_chart(figures_, config, "coverage"))[0] == 1080


def test_team_gauges_carry_the_figures_and_the_targets(config):
    gauges = team_gauges(figures(), config)
    assert [g.text for g in gauges] == [
        "31/120 hộ trong sổ (26%)",
        "37/50 lượt chỉ tiêu (74%)",
        "58% (70/120 hộ) · chỉ tiêu 80%",
        "25% (30/120 hộ) · chỉ tiêu 60%",
    ]
    assert [g.mark for g in gauges] == [None, 1.0, 0.8, 0.6]


def _rendered_warnings(config, name: str) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        progress_chart(figures(name=name), config)
    return [str(w.message) for w in caught]


def test_vietnamese_letters_are_drawn_not_boxes(config):
    assert not [w for w in _rendered_warnings(config, "Thôn Mỹ Đức ỹ ữ ặ đ Ư ơ") if "missing from font" in w]
    # the check itself works: a letter DejaVu Sans does not have is reported
    assert [w for w in _rendered_warnings(config, "Thôn 漢") if "missing from font" in w]


def test_the_font_has_every_letter_of_the_charts_texts(config):
    font = FT2Font(font_manager.findfont(chart.FONT, fallback_to_default=False))
    texts = [v for k, v in vars(T).items() if k.startswith("CHART_") and isinstance(v, str)]
    texts += [t.name for t in config.teams] + [config.commune.name, T.SUMMARY_TOTAL, "ỹ ữ ặ đ"]
    missing = {ch for text in texts for ch in text if not ch.isspace() and font.get_char_index(ord(ch)) == 0}
    assert missing <= {"📊"}  # the emoji is in captions, which the chat app draws, never in the picture
