"""`sotay zalo set-webhook | delete-webhook | status` against the fake Zalo Bot API."""

import pytest

from bot.channels import zalo_admin
from bot.config import ConfigError
from bot.services import outbox
from tests.fakes.zalo_api import FakeZalo


def _pointed_at(config, api: FakeZalo):  # type: ignore[no-untyped-def]
    zalo = config.channels.zalo.model_copy(update={"base_url": api.base_url, "monthly_quota": 3000})
    channels = config.channels.model_copy(update={"zalo": zalo})
    return config.model_copy(update={"channels": channels})


async def test_set_and_delete_webhook(config, monkeypatch):
    async with FakeZalo() as api:
        cfg = _pointed_at(config, api)
        monkeypatch.setenv("ZALO_BOT_TOKEN", api.token)
        monkeypatch.setenv("ZALO_WEBHOOK_SECRET", "s3cret-s3cret-s3cret")
        message = await zalo_admin.set_webhook(cfg, "https://bot.example.vn/zalo/webhook")
        assert "https://bot.example.vn/zalo/webhook" in message
        assert (api.webhook_url, api.webhook_secret) == ("https://bot.example.vn/zalo/webhook", "s3cret-s3cret-s3cret")
        await zalo_admin.delete_webhook(cfg)
        assert api.webhook_url == ""


async def test_set_webhook_needs_https_a_secret_and_a_token(config, monkeypatch):
    monkeypatch.setenv("ZALO_BOT_TOKEN", "123:abc")
    with pytest.raises(ConfigError, match="https://"):
        await zalo_admin.set_webhook(config, "http://bot.example.vn/hook")
    monkeypatch.delenv("ZALO_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ConfigError, match="ZALO_WEBHOOK_SECRET="):
        await zalo_admin.set_webhook(config, "https://bot.example.vn/hook")
    monkeypatch.setenv("ZALO_WEBHOOK_SECRET", "short")
    with pytest.raises(ConfigError, match="8–256"):
        await zalo_admin.set_webhook(config, "https://bot.example.vn/hook")
    monkeypatch.setenv("ZALO_WEBHOOK_SECRET", "s3cret-s3cret-s3cret")
    monkeypatch.delenv("ZALO_BOT_TOKEN")
    with pytest.raises(ConfigError, match="ZALO_BOT_TOKEN"):
        await zalo_admin.set_webhook(config, "https://bot.example.vn/hook")


async def test_status_shows_the_bot_and_this_months_use(deps, monkeypatch, clock):
    async with deps.store.session() as s:
        for n in range(3):
            item = await outbox.enqueue(s, "zalo", "c1", clock.now(), text=str(n))
            if n < 2:
                outbox.mark_sent(item, clock.now())
    async with FakeZalo() as api:
        cfg = _pointed_at(deps.config, api)
        monkeypatch.setenv("ZALO_BOT_TOKEN", api.token)
        report = await zalo_admin.status(cfg, deps)
    assert "bot.SoTaySo" in report and "polling" in report
    assert "11/2026: 2/3000 (0%); đang chờ gửi: 1" in report
    assert api.token not in report
