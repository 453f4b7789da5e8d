"""`sotay reminders preview` as staff run it to check their config: real processes, on SQLite and PostgreSQL."""

from __future__ import annotations

from bot import cli
from tests.services.test_reminders import commune, queued, tick, vn
from tests.test_cli import ROOT, sotay


async def test_preview_lists_recipients_apps_and_texts_and_writes_nothing(deps):
    await commune(deps.store)
    env = {"SOTAY_DATABASE_URL": deps.store.url}
    result = sotay("reminders", "preview", "--at", "2026-11-22T08:00", env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Lúc 08:00 22/11/2026 sẽ gửi 6 tin nhắc việc:"
    assert lines[1] == (
        "📨 Gửi tới Nguyễn Văn An (Telegram): ⏰ Chào Nguyễn Văn An, báo cáo tháng 11/2026 của Thôn Đông Tạ cần nộp "
        "trước ngày 25/11/2026 (còn 3 ngày). Gõ /baocao để xem số liệu và nộp."
    )
    assert "📨 Gửi tới Võ Văn Em (Telegram): 👋 Chào Võ Văn Em, đã 7 ngày bạn chưa ghi nhận" in result.stdout
    assert await queued(deps.store) == []

    await tick(deps.store, deps.config, vn(11, 22, 8))  # now they are queued: the preview says so
    again = sotay("reminders", "preview", "--at", "2026-11-22T08:00", env=env)
    assert again.stdout.count("(đã có trong hàng đợi: không gửi lại)") == 6


async def test_preview_of_a_whole_day(deps):
    await commune(deps.store)
    day = sotay("reminders", "preview", "--at", "2026-12-18", env={"SOTAY_DATABASE_URL": deps.store.url})
    assert day.returncode == 0, day.stderr
    assert day.stdout.splitlines()[0] == "Trong ngày 18/12/2026 sẽ gửi 2 tin nhắc việc:"
    assert "📨 Gửi tới Lê Thị Bình (Zalo): ⏰ Chào Lê Thị Bình, báo cáo quý IV/2026" in day.stdout


def test_a_moment_with_nothing_due_and_a_wrong_one(tmp_path, monkeypatch, capsys):
    """In-process: an empty database, and an --at that cannot be read (refused before any database work)."""
    monkeypatch.setattr(cli, "configure_logging", lambda level: None)
    monkeypatch.setenv("SOTAY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    config = ["--config", str(ROOT / "config.yaml")]
    assert cli.main([*config, "reminders", "preview", "--at", "2026-12-18T09:00"]) == 0
    assert capsys.readouterr().out.strip() == "Lúc 09:00 18/12/2026 không có tin nhắc việc nào."
    assert cli.main([*config, "reminders", "preview", "--at", "18/12/2026"]) == 2
    err = capsys.readouterr().err
    assert "Không hiểu thời điểm “18/12/2026”" in err and "2026-12-18T08:00" in err
