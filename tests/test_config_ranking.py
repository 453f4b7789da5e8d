"""config.yaml's thi đua weights: only known criteria, weights ≥ 0, a clear Vietnamese message otherwise."""

from pathlib import Path

import pytest
import yaml

from bot.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent


def _with_ranking(tmp_path: Path, ranking: dict) -> Path:  # type: ignore[type-arg]
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["reporting"]["ranking"] = ranking
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_an_unknown_criterion_is_named_with_the_known_ones(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_config(_with_ranking(tmp_path, {"luot": 50, "sang_tao": 50}))
    message = str(err.value)
    assert "`reporting.ranking`" in message and "“sang_tao” không có" in message
    assert "luot, households, coverage, participation" in message


def test_a_negative_weight_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="≥ 0"):
        load_config(_with_ranking(tmp_path, {"luot": -1}))


def test_a_subset_of_criteria_is_fine(tmp_path):
    config = load_config(_with_ranking(tmp_path, {"coverage": 1}))
    assert config.reporting.ranking == {"coverage": 1}
