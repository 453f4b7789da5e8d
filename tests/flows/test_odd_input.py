"""Odd characters and huge messages get a proper answer, never the apology, on SQLite and PostgreSQL.

Each case here once made the bot answer "Xin lỗi, bot gặp sự cố…": a lone surrogate quoted back, a NUL stored on
PostgreSQL, a search with thousands of words ("Expression tree is too large" on SQLite, too many query arguments
on PostgreSQL), and a button press whose index was a digit of another script.
"""

from __future__ import annotations

import logging

from sqlmodel import select

from bot import texts as T
from bot.channels.telegram import reply_text
from bot.channels.zalo import pack_texts, render
from bot.core.messages import callback_data, parse_callback_data
from bot.core.text import clean_typed, excerpt
from bot.handlers.router import MAX_MESSAGE_CHARS
from bot.services import households
from bot.services.households import NewHousehold
from bot.store.models import AuditEntry, Conversation, Household, Visit
from tests.chat import Chat, joined


async def _household(deps, name: str, address: str) -> int:  # type: ignore[no-untyped-def]
    now, version = deps.clock.now(), deps.config.privacy.consent_version
    async with deps.store.session() as s:
        h = await households.create(s, "T01", NewHousehold(name, address), None, now, version)
        return h.id or 0


def _no_apology(chat: Chat) -> None:
    assert all(r.text != T.INTERNAL_ERROR for r in chat.replies), chat.text
    for reply in chat.replies:  # every channel can render and send what came back
        pack_texts([render(reply)])
        reply_text(reply).encode("utf-8")


async def _state(deps, user_ref: str) -> Conversation | None:  # type: ignore[no-untyped-def]
    async with deps.store.session() as s:
        return await s.get(Conversation, ("test", user_ref))


async def test_a_lone_surrogate_at_a_prompt_that_quotes_the_input(router, deps, caplog):
    caplog.set_level(logging.ERROR, logger="bot")
    chat = await joined(router, deps, "u1")
    await chat.say("/ghinhan")
    await chat.say("a\udfffb")  # Zalo's JSON may carry "\udfff"; the search answer quotes what was typed
    _no_apology(chat)
    assert chat.replies[0].text == T.HH_NO_MATCH.format(query="ab")
    assert not caplog.records


async def test_a_nul_in_a_one_line_entry_is_dropped_before_it_is_stored(router, deps):
    chat = await joined(router, deps, "u1")
    await chat.say("/gn Nguyen\x00 Van\x00 An, xom\x00 3: vneid")
    _no_apology(chat)
    for answer in ("bo qua", "0", "dong y", "luu"):
        await chat.say(answer)
        _no_apology(chat)
    async with deps.store.session() as s:
        household = (await s.exec(select(Household))).one()
        visit = (await s.exec(select(Visit))).one()
    assert (household.head_name, household.address) == ("Nguyen Van An", "xom 3")
    assert visit.household_id == household.id


async def test_a_nul_in_a_typed_name_step(router, deps):
    chat = await joined(router, deps, "u1")
    await chat.say("/ghinhan")
    await chat.press("Thêm hộ mới")
    await chat.say("Lê Thị\x00 Hoa")
    _no_apology(chat)
    assert T.HH_ASK_ADDRESS.format(name="Lê Thị Hoa") in chat.text


async def test_very_long_searches_are_answered(router, deps):
    """Just under the message cap: the search reads a few words, the answer quotes a few characters."""
    hid = await _household(deps, "Nguyễn Văn An", "Xóm 3")
    chat = await joined(router, deps, "u1")
    await chat.say("/ghinhan")
    await chat.say("Nguyễn Văn An " * 280)  # 3,920 characters
    _no_apology(chat)
    state = await _state(deps, "u1")
    assert state is not None and state.data.get("hid") == hid  # the one household with these words
    await chat.say("/ghinhan")
    await chat.say("Nguyễn Văn Anh " * 260)
    _no_apology(chat)
    assert len(chat.text) < 400
    await chat.say("/hocuatoi")
    await chat.say("1 " * 1999)
    _no_apology(chat)
    await chat.say("/huy")
    await chat.say("/ho " + "ab " * 1300)
    _no_apology(chat)
    assert len(chat.text) < 400


async def test_a_message_over_the_cap_is_answered_briefly_and_the_flow_keeps_its_step(router, deps):
    chat = await joined(router, deps, "u1")
    await chat.say("/ghinhan")
    prompt = chat.prompt
    before = await _state(deps, "u1")
    await chat.say("1 " * 2048)
    assert chat.text == T.MESSAGE_TOO_LONG.format(length=4096, limit=MAX_MESSAGE_CHARS)
    after = await _state(deps, "u1")
    assert before is not None and after is not None
    assert (after.flow, after.step, after.token) == (before.flow, before.step, before.token)
    assert prompt.token and prompt.options[-1].label == T.HH_ADD_NEW
    await chat.press_data(callback_data(prompt.token, len(prompt.options) - 1))  # its buttons still work
    assert chat.text == T.HH_ASK_NAME


async def test_a_button_index_in_another_scripts_digits_is_refused_and_audited(router, deps):
    chat = await joined(router, deps, "u1")
    await chat.say("/ghinhan")
    token = chat.prompt.token
    assert token
    for forged in (f"{token}:١", f"{token}:²", f"{token}:０", f"{token}: 1", f"{token}:1\n"):
        await chat.press_data(forged)
        assert chat.text == T.BUTTON_OUTDATED, forged
    async with deps.store.session() as s:
        reasons = [e.detail.get("reason") for e in (await s.exec(select(AuditEntry))).all()]
    assert reasons.count("malformed") == 5
    await chat.press_data(callback_data(token, 0))  # the real press still works
    assert chat.text != T.BUTTON_OUTDATED


def test_callback_data_is_read_with_ascii_digits_only():
    assert parse_callback_data("AbC-_9:12") == ("AbC-_9", 12)
    for data in ("t:١", "t:²", "t:٣٤", "t:", ":1", "t:1:2", "t:-1", "t:1234", "t" * 33 + ":1", "t:1 "):
        assert parse_callback_data(data) is None, data


def test_clean_typed_drops_what_cannot_be_stored_or_sent():
    nfd = "Nguye\u0302\u0303n"  # "Nguyễn" typed by a keyboard that sends combining marks
    assert clean_typed(nfd) == "Nguyễn"
    assert clean_typed("a\udfffb\x00c\u200bd\u202ee\ufeff") == "abcde"
    assert clean_typed("số ２ và ١") == "số 2 và 1"
    assert clean_typed("dòng 1\ndòng\t2") == "dòng 1\ndòng 2"
    family = "👨\u200d👩\u200d👧"
    assert clean_typed(family) == family  # emoji sequences keep their joiners
    assert clean_typed("plain ascii") == "plain ascii"


def test_excerpt_is_short_and_on_one_line():
    assert excerpt("ngắn") == "ngắn"
    long = excerpt("Nguyễn Văn An\n" * 50, limit=40)
    assert len(long) <= 40 and long.endswith("…") and "\n" not in long
