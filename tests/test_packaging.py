"""The bot runs from an installed package, not only from the source tree: its data files are package data.

The whole path, a built wheel in a fresh venv, is `.ci/wheel-check` (`make wheel-check`, run by CI)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from bot import cli, config
from bot import texts as T
from bot.config import ConfigError, data_file, load_config, sample_config
from bot.core.tabular import read_table
from bot.demo import SAMPLE_LIST, place_sample_list

ROOT = Path(__file__).resolve().parent.parent


def test_the_data_files_are_read_from_the_installed_package():
    units = resources.files("bot.data") / "vn_admin_units_2025.csv"
    rows = list(csv.DictReader(io.StringIO(units.read_text(encoding="utf-8"))))
    assert {"unit_code", "unit_name", "province_name"} <= set(rows[0])
    assert any(r["unit_code"] == "11725" for r in rows)  # the example commune, Xã Kiến Minh
    sample = data_file(SAMPLE_LIST)
    table = read_table(SAMPLE_LIST, sample.read_bytes())
    try:
        assert len(list(table.rows)) > 0
    finally:
        table.close()


def test_the_example_config_ships_with_the_package_and_is_the_projects_own():
    shipped = sample_config()
    assert shipped.read_bytes() == (ROOT / "config.yaml").read_bytes()
    assert load_config(shipped).commune.unit_code == 11725


def test_every_folder_of_bot_is_a_listed_package():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    folders = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "bot").rglob("*.py") if "__pycache__" not in p.parts
    }
    missing = folders - listed
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml, or the wheel lacks it"
    assert {"bot.data", "bot.sample"} <= listed


def test_a_missing_data_file_is_one_line_and_exit_code_2(monkeypatch, capsys):
    monkeypatch.setattr(config, "ADMIN_UNITS_CSV", "khong_co.csv")
    assert cli.main(["--config", str(ROOT / "config.yaml"), "invite", "create", "--role", "staff"]) == 2
    out, err = capsys.readouterr()
    assert err == T.DATA_FILE_MISSING.format(name="khong_co.csv", package="bot.data") + "\n"
    assert out == ""


def test_a_missing_data_package_is_the_same_one_line():
    with pytest.raises(ConfigError) as caught:
        data_file(SAMPLE_LIST, package="bot.khong_co")
    assert str(caught.value) == T.DATA_FILE_MISSING.format(name=SAMPLE_LIST, package="bot.khong_co")


def test_the_sample_list_is_placed_once_and_never_overwritten(tmp_path):
    folder = tmp_path / "data"
    assert place_sample_list(folder) == folder / SAMPLE_LIST
    assert (folder / SAMPLE_LIST).read_bytes() == (ROOT / "data" / SAMPLE_LIST).read_bytes()
    (folder / SAMPLE_LIST).write_text("của người dùng", encoding="utf-8")
    place_sample_list(folder)
    assert (folder / SAMPLE_LIST).read_text(encoding="utf-8") == "của người dùng"


def test_the_demo_runs_where_there_is_no_config_and_writes_under_that_folders_data(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SOTAY_CONFIG", "SOTAY_DEMO_DB", "SOTAY_DATABASE_URL")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        input="/trogiup\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "TELEGRAM_BOT_TOKEN": "", "ZALO_BOT_TOKEN": ""},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert T.CONFIG_SAMPLE_USED.format(commune="Xã Kiến Minh") in result.stderr
    assert "/ghinhan" in result.stdout and "Traceback" not in result.stdout + result.stderr
    assert (tmp_path / "data" / "demo.db").is_file() and (tmp_path / "data" / SAMPLE_LIST).is_file()
