"""The command line as an administrator runs it: real processes, real files."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def sotay(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "TELEGRAM_BOT_TOKEN": "", "ZALO_BOT_TOKEN": "", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=full_env,
        timeout=60,
    )


def test_bad_config_stops_with_one_message(tmp_path):
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw["commune"]["unit_code"] = "mười"
    bad = tmp_path / "config.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    result = sotay("--config", str(bad), "run")
    assert result.returncode == 2
    assert "commune.unit_code" in result.stderr and "số nguyên" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_db_upgrade_and_invite_create(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env = {"SOTAY_DATABASE_URL": url}
    assert sotay("db", "upgrade", env=env).returncode == 0
    result = sotay("invite", "create", "--team", "t02", "--role", "leader", "--name", "Bùi Thị Lan", env=env)
    assert result.returncode == 0, result.stderr
    assert "tổ trưởng — Thôn Kiến Lao" in result.stdout
    code = result.stdout.split("Mã mời: ")[1].split()[0]
    assert len(code) == 8
    with sqlite3.connect(tmp_path / "bot.db") as db:
        (stored,) = db.execute("select code_hash from invite").fetchone()
    assert code not in stored  # only a hash is kept


def test_invite_for_an_unknown_team_is_refused(tmp_path):
    env = {"SOTAY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    result = sotay("invite", "create", "--team", "T99", env=env)
    assert result.returncode == 2
    assert "T99" in result.stderr and "T01" in result.stderr


def test_scripted_demo_logs_a_visit(tmp_path):
    db = tmp_path / "demo.db"
    result = sotay("demo", "--as", "member", "--db", str(db), stdin="/ghinhan\n1\nvneid 0\n7\n1\n")
    assert result.returncode == 0, result.stderr
    assert "Không có mục số 7" in result.stdout  # the typo is answered and the flow goes on
    assert "Đã lưu lượt" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    with sqlite3.connect(db) as conn:
        (count,) = conn.execute(
            "select count(*) from visit join visit_skill on visit_skill.visit_id = visit.id "
            "where visit_skill.skill_code = 'vneid_install' and visit.created_at > datetime('now', '-1 hour')"
        ).fetchone()
    assert count >= 1


def test_run_without_token_opens_the_demo(tmp_path):
    result = sotay("run", stdin="/trogiup\n", env={"SOTAY_DEMO_DB": str(tmp_path / "d.db")})
    assert result.returncode == 0, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
    assert "/ghinhan" in result.stdout


def test_an_unreachable_database_is_named_without_its_password():
    env = {"SOTAY_DATABASE_URL": "postgresql+asyncpg://sotay:hunter2@127.0.0.1:1/sotay"}
    for args in (("db", "upgrade"), ("import", "households", "data/demo_danh_sach_ho.csv", "--team", "T01")):
        result = sotay(*args, env=env)
        assert result.returncode == 1
        assert "Không kết nối được cơ sở dữ liệu (postgresql+asyncpg://sotay:***@127.0.0.1:1/sotay)" in result.stderr
        assert "hunter2" not in result.stderr + result.stdout and "Traceback" not in result.stderr


def test_an_invite_may_name_one_of_several_bots(tmp_path):
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    raw.setdefault("channels", {}).setdefault("zalo", {})["bots"] = [
        {"key": "zalo2", "name": "Zalo Thôn Đông", "token_env": "ZALO_BOT_TOKEN_2"}
    ]
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    env = {"SOTAY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    made = sotay("--config", str(cfg), "invite", "create", "--team", "T01", "--bot", "zalo2", env=env)
    assert made.returncode == 0, made.stderr
    assert "Zalo Thôn Đông" in made.stdout
    with sqlite3.connect(tmp_path / "bot.db") as db:
        assert db.execute("select bot from invite").fetchall() == [("zalo2",)]
    wrong = sotay("--config", str(cfg), "invite", "create", "--team", "T01", "--bot", "zalo9", env=env)
    assert wrong.returncode == 2 and "zalo9" in wrong.stderr and "zalo2" in wrong.stderr
    assert "Traceback" not in wrong.stderr
