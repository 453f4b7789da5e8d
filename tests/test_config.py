from pathlib import Path

import pytest
import yaml

from bot.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent


def _write(tmp_path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_shipped_config_is_valid():
    config = load_config(ROOT / "config.yaml")
    assert config.commune.unit_code == 11725
    assert config.team("t01").name == "Thôn Đông Tạ"
    assert {s.platform for s in config.skills} >= {"vneid", "dvc", "cashless", "bdhvs"}


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (lambda c: c["commune"].pop("unit_code"), "commune.unit_code", "thiếu"),
        (lambda c: c["commune"].update(unit_code="abc"), "commune.unit_code", "số nguyên"),
        (lambda c: c["commune"].update(unit_code=99999), "commune.unit_code", "danh mục"),
        (lambda c: c["commune"].update(name="Xã Đại Sơn"), "commune.name", "Xã Kiến Minh"),
        (lambda c: c.update(teams=[]), "teams", "rỗng"),
        (lambda c: c["teams"].append({"code": "T01", "name": "Trùng"}), "(gốc)", "T01"),
        (lambda c: c["skills"][0].update(platform="zalo"), "(gốc)", "zalo"),
        (lambda c: c.update(timezone="Asia/Hanoi_City"), "timezone", "múi giờ"),
        (lambda c: c["database"].update(url="mysql://x"), "database.url", "sqlite+aiosqlite"),
        (lambda c: c["channels"]["telegram"].update(mode="push"), "channels.telegram.mode", "polling"),
        (lambda c: c["targets"].update(platform_coverage_pct=120), "targets.platform_coverage_pct", "khoảng"),
        (lambda c: c.update(tagrets={}), "tagrets", "gõ sai"),
        (lambda c: c.update(quiet_hours={"start": 1260}), "quiet_hours.start", "ngoặc kép"),
        (lambda c: c["channels"].update(zalo={"monthly_quota": 100, "reply_reserve": 200}), "channels.zalo", "reply"),
    ],
)
def test_a_wrong_value_names_the_key(tmp_path, change, key, words):
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, change))
    message = str(err.value)
    assert f"`{key}`" in message and words in message
    assert "Traceback" not in message and "\n" not in message


def test_missing_file_and_broken_yaml(tmp_path):
    with pytest.raises(ConfigError, match="Không tìm thấy"):
        load_config(tmp_path / "none.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("commune:\n  name: [x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="dòng"):
        load_config(broken)


def test_database_url_from_environment(monkeypatch):
    monkeypatch.setenv("SOTAY_DATABASE_URL", "postgresql+asyncpg://sotay@db/sotay")
    assert load_config(ROOT / "config.yaml").database.url == "postgresql+asyncpg://sotay@db/sotay"


def test_an_alias_that_names_two_skills_is_refused_naming_both(tmp_path):
    def collide(raw):  # type: ignore[no-untyped-def]
        raw["skills"][3]["aliases"].append("Thanh toán")  # dvc would also answer to cashless's "thanh toan"

    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, collide))
    message = str(err.value)
    assert "thanh toan" in message and "cashless" in message and "dvc" in message
