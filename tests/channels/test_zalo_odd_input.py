"""Odd characters straight from Zalo's JSON, through the real channel and the fake Zalo API, on both backends."""

from __future__ import annotations

import json

from bot import texts as T
from bot.channels.zalo import MAX_TEXT, utf16_len
from bot.handlers.router import MAX_MESSAGE_CHARS
from tests.channels.test_zalo_e2e import joined_phone, running
from tests.fakes.zalo_api import text_update


async def test_a_lone_surrogate_and_a_nul_in_zalo_json_are_answered(deps, monkeypatch):
    async with running(deps, monkeypatch) as zalo:
        phone = await joined_phone(zalo, deps)
        await phone.say("/ghinhan")
        body = json.dumps(text_update(phone.user, "x")).replace('"x"', '"a\\udfffb\\u0000c"')  # as Zalo may send it
        assert await zalo.post({}, raw=body.encode()) == 200
        sent = await zalo.api.wait_for_sent(1)
        await zalo.channel.settle()
        assert len(sent) == 1
        assert T.HH_NO_MATCH.format(query="abc") in sent[0].text
        assert T.INTERNAL_ERROR not in sent[0].text


async def test_a_pasted_wall_of_text_costs_one_short_zalo_message(deps, monkeypatch):
    async with running(deps, monkeypatch) as zalo:
        phone = await joined_phone(zalo, deps)
        await phone.say("/ghinhan")
        for text in ("Nguyễn Văn An " * 280, "Nguyễn Văn An " * 700):  # under and over the message cap
            sent = await phone.say(text)
            assert len(sent) == 1
            assert utf16_len(sent[0].text) < MAX_TEXT // 4
            assert T.INTERNAL_ERROR not in sent[0].text
        assert sent[0].text.startswith(T.MESSAGE_TOO_LONG.format(length=9800, limit=MAX_MESSAGE_CHARS))
