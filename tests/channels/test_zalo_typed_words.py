"""Typed as on a phone, through the real Zalo channel and the fake Zalo API: a repeat visit in 4 replies, typed
in words, abbreviated and with the Vietnamese keyboard off."""

from __future__ import annotations

from sqlmodel import func, select

from bot import texts as T
from bot.store.models import Visit, VisitSkill
from tests.channels.test_zalo_e2e import joined_phone, running


async def test_a_visit_logged_in_everyday_words_on_zalo(deps, monkeypatch):
    async with running(deps, monkeypatch) as zalo:
        phone = await joined_phone(zalo, deps)
        for text in ("ghi nhận hộ mới", "Lê Thị Bé", "xóm 4", "ko", "0", "đc"):
            await phone.say(text)
        await phone.say("thanh toans, momo xong")  # Telex leftovers and the field's words
        sent = await phone.say("oke luu")
        assert sent[0].text.startswith(T.VISIT_SAVED.split("{")[0])
        # A repeat visit: four replies, in words.
        replies = [await phone.say(text) for text in ("ghi nhan", "so 1", "1 0", "chốt")]
        assert replies[-1][0].text.startswith(T.VISIT_SAVED.split("{")[0])
        progress = await phone.say("xem tieens ddooj thang nay")
        assert progress[0].text.startswith(T.PROGRESS_TITLE_MEMBER.split("{")[0])
    async with deps.store.session() as s:
        visits = (await s.exec(select(func.count()).select_from(Visit))).one()
        skills = sorted((await s.exec(select(VisitSkill.skill_code))).all())
    assert visits == 2
    assert skills == ["cashless", "vneid_install"]
