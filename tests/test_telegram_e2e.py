"""The real Telegram channel (python-telegram-bot) against a fake Bot API server, on SQLite and PostgreSQL.

A simulated user types and taps as on a phone; the assertions look at what the bot sent and at the database.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import func, select

from bot import texts as T
from bot.channels.telegram import (
    TelegramChannel,
    TokenRedactingFilter,
    layout_rows,
    place_menus,
    split_text,
    utf16_len,
)
from bot.config import ConfigError
from bot.core.messages import Option, Reply
from bot.core.roles import Role
from bot.handlers.router import Router
from bot.services import invites
from bot.services.deps import Deps
from bot.store.models import Conversation, Household, TeamChat, Visit, VisitSkill
from tests.chat import new_code
from tests.fakes.telegram_api import FakeTelegram, Sent

USER = 7_000_001
SKILL = "Cài đặt VNeID"
SKILL_LABEL = SKILL


@dataclass
class Phone:
    """One user's Telegram app: every call is one user action (a typed message or a tap)."""

    tg: FakeTelegram
    deps: Deps
    user: int = USER
    actions: int = 0

    async def say(self, text: str, expect: int = 1) -> list[Sent]:
        self.actions += 1
        self.tg.user_sends_text(self.user, text)
        return await self.tg.wait_for_sent(expect)

    async def tap(self, label: str, expect: int = 1, exact: bool = False) -> list[Sent]:
        self.actions += 1
        self.tg.press(self.user, label, exact=exact)
        return await self.tg.wait_for_sent(expect)

    async def press_data(self, message_id: int, data: str, expect: int = 1) -> list[Sent]:
        self.actions += 1
        self.tg.user_presses(self.user, message_id, data)
        return await self.tg.wait_for_sent(expect)

    async def refused_press(self, message_id: int, data: str) -> None:
        """A press the bot refuses: a passing note on the button (answerCallbackQuery), no new message."""
        self.actions += 1
        update = self.tg.user_presses(self.user, message_id, data)
        query_id = update.payload["callback_query"]["id"]
        call = await self.tg.wait_for_call(
            "answerCallbackQuery", lambda c: c.params.get("callback_query_id") == query_id
        )
        assert call.params.get("text") == T.BUTTON_OUTDATED
        assert self.tg.since_last_action == []

    def button(self, label: str) -> tuple[int, str]:
        """(message id, callback data) of the newest keyboard's button containing `label`."""
        keyboard = self.tg.last_keyboard(self.user)
        assert keyboard is not None
        data = next(d for t, d in keyboard.buttons if label in t)
        return keyboard.message_id, data

    async def join(self) -> list[Sent]:
        code = await new_code(self.deps, Role.MEMBER, "T01")
        return await self.say(f"/start {code}")

    async def log_new_household(self) -> list[Sent]:
        await self.say("/ghinhan")
        await self.tap("Thêm hộ mới")
        await self.say("Nguyen Van An")
        await self.say("Xom 3")
        await self.say("0912.345.678")
        await self.tap("✅ Xong", exact=True)
        await self.tap("Hộ đồng ý")
        await self.tap(SKILL)
        await self.tap("✅ Xong", exact=True)
        return await self.tap("✅ Lưu", exact=True)


@asynccontextmanager
async def telegram_bot(deps: Deps) -> AsyncIterator[Phone]:
    """The fake Bot API and the real channel polling it; both are always stopped."""
    tg = FakeTelegram()
    channel: TelegramChannel | None = None
    await tg.start()
    try:
        settings = deps.config.channels.telegram.model_copy(update={"base_url": tg.base_url, "mode": "polling"})
        channel = TelegramChannel(Router(deps), deps, tg.token, settings, poll_interval=0.0, poll_timeout=2.0)
        await channel.start()
        yield Phone(tg, deps)
        assert not tg.unknown_methods, tg.unknown_methods
    finally:
        if channel is not None:
            await channel.stop()
        await tg.stop()


@pytest.fixture
async def phone(deps: Deps) -> AsyncIterator[Phone]:
    async with telegram_bot(deps) as p:
        yield p


async def _count(deps: Deps, model: Any) -> int:
    async with deps.store.session() as s:
        return (await s.exec(select(func.count()).select_from(model))).one()


async def _snapshot(deps: Deps) -> dict[str, Any]:
    async with deps.store.session() as s:
        convs = (await s.exec(select(Conversation))).all()
        state = [(c.flow, c.step, c.token, c.data, c.options) for c in convs]
    return {
        "households": await _count(deps, Household),
        "visits": await _count(deps, Visit),
        "skills": await _count(deps, VisitSkill),
        "conversations": state,
    }


# --- end to end ----------------------------------------------------------------------------------------------
async def test_join_and_log_a_new_household(phone: Phone, deps: Deps) -> None:
    tg = phone.tg
    async with deps.store.session() as s:
        assert await invites.bot_username(s) == tg.bot_username  # remembered at start-up for deep links
    default = await tg.wait_for_call("setMyCommands", lambda c: "scope" not in c.params)
    assert [c["command"] for c in default.params["commands"]] == ["start"]  # strangers see how to join

    [welcome] = await phone.say("xin chao")
    assert welcome.text == T.WELCOME_STRANGER

    [joined] = await phone.join()
    assert "Chào mừng" in joined.text
    assert joined.menu == list(Router(deps).commands.menu(Role.MEMBER))
    assert joined.reply_markup and joined.reply_markup["resize_keyboard"] is True
    call = await tg.wait_for_call("setMyCommands", lambda c: c.params.get("scope") == {"type": "chat", "chat_id": USER})
    names = [c["command"] for c in call.params["commands"]]
    assert names == [c.name for c in Router(deps).commands.for_role(Role.MEMBER)]

    [pick] = await phone.say("/ghinhan")
    assert [t for t, _ in pick.buttons] == [T.HH_ADD_NEW]
    assert all(d != "new" and ":" in d for _, d in pick.buttons)  # the option's key never leaves the bot
    await phone.tap("Thêm hộ mới")
    await phone.say("Nguyen Van An")
    await phone.say("Xom 3")
    [flags] = await phone.say("0912.345.678")
    assert [t for t, _ in flags.buttons][-1] == T.DONE_LABEL
    await phone.tap("✅ Xong", exact=True)
    [skills] = await phone.tap("Hộ đồng ý")

    [toggled] = await phone.tap(SKILL)
    assert toggled.edited and toggled.message_id == skills.message_id
    assert f"✅ {SKILL}" in [t for t, _ in toggled.buttons]
    assert "Đã chọn: Cài đặt VNeID" in toggled.text

    [confirm] = await phone.tap("✅ Xong", exact=True)
    assert not confirm.edited and "Kiểm tra lại" in confirm.text
    [saved] = await phone.tap("✅ Lưu", exact=True)
    assert "Đã lưu lượt" in saved.text

    presses = sum(1 for u in tg.updates if "callback_query" in u.payload)
    await tg.wait_until(lambda: len(tg.calls_to("answerCallbackQuery")) == presses)  # every tap is answered

    async with deps.store.session() as s:
        [household] = (await s.exec(select(Household))).all()
        [visit] = (await s.exec(select(Visit))).all()
        skills_logged = (await s.exec(select(VisitSkill.skill_code).where(VisitSkill.visit_id == visit.id))).all()
    assert household.phone == "+84912345678"
    assert household.head_name == "Nguyen Van An"
    assert (household.elderly, household.ethnic_minority, household.no_device) == (False, False, False)
    assert visit.household_id == household.id
    assert list(skills_logged) == ["vneid_install"]


async def test_forged_and_replayed_buttons_change_nothing(phone: Phone, deps: Deps) -> None:
    await phone.join()
    [pick] = await phone.say("/ghinhan")
    old_message, old_data = phone.button("Thêm hộ mới")
    token = old_data.split(":")[0]
    before = await _snapshot(deps)

    for forged in ("zzzzzz:0", f"{token}:99", "not-a-button", f"{token}:-1"):
        await phone.refused_press(pick.message_id, forged)
        assert await _snapshot(deps) == before

    [ask_name] = await phone.tap("Thêm hộ mới")
    assert ask_name.text == T.HH_ASK_NAME
    await phone.tg.wait_until(lambda: phone.tg.buttons_removed(USER) == [pick.message_id])  # answered: no buttons
    moved_on = await _snapshot(deps)
    await phone.refused_press(old_message, old_data)  # the same button again, after the flow moved on
    assert await _snapshot(deps) == moved_on

    [ask_address] = await phone.say("Nguyen Van An")  # the flow is where it was
    assert "Địa chỉ" in ask_address.text
    assert await _count(deps, Household) == 0


async def test_repeat_visit_takes_five_taps(phone: Phone, deps: Deps) -> None:
    await phone.join()
    await phone.log_new_household()
    phone.actions = 0

    [pick] = await phone.say(T.MENU_LOG)  # the 📝 Ghi nhận button of the main menu sends its label
    assert pick.buttons[0][0].startswith("Nguyen Van An")
    await phone.tap("Nguyen Van An")
    await phone.tap(SKILL)
    await phone.tap("✅ Xong", exact=True)
    [saved] = await phone.tap("✅ Lưu", exact=True)

    assert "Đã lưu lượt" in saved.text
    assert phone.actions == 5
    assert await _count(deps, Visit) == 2
    assert await _count(deps, Household) == 1


async def test_repeat_visit_with_the_last_skills_takes_four_taps(phone: Phone, deps: Deps) -> None:
    await phone.join()
    await phone.log_new_household()
    phone.actions = 0

    await phone.say(T.MENU_LOG)
    await phone.tap("Nguyen Van An")
    [confirm] = await phone.tap(T.SKILLS_AS_BEFORE.format(skills=SKILL_LABEL))
    assert SKILL_LABEL in confirm.text
    [saved] = await phone.tap("✅ Lưu", exact=True)

    assert "Đã lưu lượt" in saved.text
    assert phone.actions == 4
    async with deps.store.session() as s:
        skills = (await s.exec(select(VisitSkill.skill_code))).all()
    assert skills == ["vneid_install", "vneid_install"]


async def test_token_never_logged(deps: Deps, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with telegram_bot(deps) as phone:
        token = phone.tg.token
        await phone.join()
        phone.tg.fail_next("sendMessage", 400, "Bad Request: can't parse entities")
        [apology] = await phone.say("/ghinhan")  # the answer is refused for good; an apology goes instead
        assert apology.text == T.INTERNAL_ERROR
        phone.tg.fail_next("getUpdates", 502, "Bad Gateway")  # a polling error is logged and retried
        [reply] = await phone.say("/huy")
        assert reply.text == T.CANCELLED

    assert caplog.records
    for record in caplog.records:
        assert token not in record.getMessage()
        assert token not in (record.exc_text or "")
    assert token not in caplog.text
    assert "<token>" in caplog.text  # the client's own debug log of its URL was redacted, not absent
    failures = [r for r in caplog.records if r.name == "bot.channels.sender" and r.levelno >= logging.WARNING]
    assert failures and all("BadRequest" in r.getMessage() for r in failures)
    assert all("/ghinhan" not in r.getMessage() for r in failures)


async def test_group_chats_are_ignored(phone: Phone, deps: Deps) -> None:
    code = await new_code(deps, Role.MEMBER, "T01")
    phone.tg.user_sends_text(USER, f"/start {code}", chat_id=-100_555, chat_type="group")
    [reply] = await phone.say("xin chao")
    assert reply.text == T.WELCOME_STRANGER  # the code typed in the group did not join anyone
    assert all(s.chat_id == USER for s in phone.tg.sent)


async def test_photo_in_a_flow_and_failed_edits(phone: Phone) -> None:
    await phone.join()
    await phone.log_new_household()
    await phone.say(T.MENU_LOG)

    phone.actions += 1
    phone.tg.user_sends(USER, photo=[{"file_id": "x", "file_unique_id": "xu", "width": 10, "height": 10}])
    only_text, again = await phone.tg.wait_for_sent(2)
    assert only_text.text == T.TEXT_ONLY and again.buttons

    await phone.tap("Nguyen Van An")
    phone.tg.fail_next("editMessageText", 400, "Bad Request: message is not modified")
    await phone.tap(SKILL, expect=0)
    [confirm] = await phone.tap("✅ Xong", exact=True)  # the ignored error left nothing behind
    assert "Kiểm tra lại" in confirm.text
    assert T.INTERNAL_ERROR not in [s.text for s in phone.tg.sent]

    [skills] = await phone.tap("Sửa nội dung")
    phone.tg.fail_next("editMessageText", 400, "Bad Request: message can't be edited")
    [fresh] = await phone.tap("Bình dân học vụ số")  # cannot edit: the new state comes as a new message
    assert not fresh.edited and fresh.message_id != skills.message_id
    assert "✅ Bình dân học vụ số" in [t for t, _ in fresh.buttons]


async def test_rejected_token_is_a_config_error_without_the_token(deps: Deps) -> None:
    async with FakeTelegram() as tg:
        settings = deps.config.channels.telegram.model_copy(update={"base_url": tg.base_url})
        wrong = "987654321:AAwrongTokenNeverToBeShown_0123456789"
        channel = TelegramChannel(Router(deps), deps, wrong, settings)
        with pytest.raises(ConfigError) as caught:
            await channel.start()
        assert wrong not in str(caught.value) and caught.value.__suppress_context__
        assert settings.token_env in str(caught.value)
        await channel.stop()  # already stopped: a no-op


async def test_webhook_mode_checks_its_settings_before_connecting(deps: Deps, monkeypatch: pytest.MonkeyPatch) -> None:
    base = deps.config.channels.telegram
    monkeypatch.delenv(base.secret_env, raising=False)
    no_url = base.model_copy(update={"mode": "webhook"})
    with pytest.raises(ConfigError, match=re.escape("webhook.url")):
        await TelegramChannel(Router(deps), deps, "1:x", no_url).start()
    hook = base.webhook.model_copy(update={"url": "https://bot.example.vn/tg/hook"})
    no_secret = base.model_copy(update={"mode": "webhook", "webhook": hook})
    with pytest.raises(ConfigError, match=re.escape(base.secret_env)):
        await TelegramChannel(Router(deps), deps, "1:x", no_secret).start()


# --- rendering helpers ---------------------------------------------------------------------------------------
def test_layout_pairs_short_labels_and_isolates_long_ones() -> None:
    labels = ["Một", "Hai", "Một nhãn rất dài hơn hai mươi ký tự", "Ba", "Bốn", "Năm"]
    assert layout_rows(labels) == [[0, 1], [2], [3, 4], [5]]


def test_long_text_is_split_at_line_boundaries() -> None:
    lines = [f"Dòng {i} — " + "x" * 90 for i in range(120)]
    text = "\n".join(lines)
    pieces = split_text(text)
    assert len(pieces) > 1
    assert all(utf16_len(p) <= 4096 for p in pieces)
    assert "\n".join(pieces) == text
    assert all(p.startswith("Dòng ") for p in pieces)
    one_line = "😀" * 3000  # 6000 UTF-16 units, no line break
    assert "".join(split_text(one_line)) == one_line
    assert all(utf16_len(p) <= 4096 for p in split_text(one_line))


def test_menu_never_shares_a_message_with_buttons() -> None:
    prompt = Reply("Chọn", options=(Option("a", "A"),), token="tok", menu=("📝 Ghi nhận",))
    placed = place_menus([Reply("Xin chào"), prompt])
    assert placed == [(Reply("Xin chào"), ("📝 Ghi nhận",)), (prompt, ())]
    alone = place_menus([prompt])
    assert alone == [(prompt, ()), (Reply(T.MENU_HINT), ("📝 Ghi nhận",))]


def test_filter_redacts_message_args_and_traceback() -> None:
    token = "42:secret-token-value"
    redactor = TokenRedactingFilter()
    redactor.add(token)
    try:
        raise RuntimeError(f"failed https://api.example/bot{token}/getMe")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "url %s", (f"/bot{token}/x",), None)
        import sys

        record.exc_info = sys.exc_info()
    redactor.filter(record)
    assert record.getMessage() == "url /bot<token>/x"
    assert token not in (record.exc_text or "") and "<token>" in (record.exc_text or "")


async def test_typed_words_work_as_well_as_taps(phone: Phone, deps: Deps) -> None:
    await phone.join()
    await phone.log_new_household()
    [pick] = await phone.say("cho mình ghi nhận lượt mới với")
    assert pick.buttons[0][0].startswith("Nguyen Van An")
    await phone.say("số 1")
    await phone.say("vnied xong")  # a typo, and done
    [saved] = await phone.say("oke lưu nhé")
    assert saved.text.startswith(T.VISIT_SAVED.split("{")[0])
    [progress] = await phone.say("tiến độ tháng này thế nào")
    assert progress.text.startswith(T.PROGRESS_TITLE_MEMBER.split("{")[0])
    assert await _count(deps, Visit) == 2


TEAM_GROUP = -100_777


async def test_a_leader_links_the_telegram_group_with_the_private_button(phone: Phone, deps: Deps) -> None:
    code = await new_code(deps, Role.LEADER, "T01", name="Tổ trưởng Hà")
    await phone.say(f"/start {code}")
    phone.tg.user_sends_text(USER, "/nhom@SoTayBot", chat_id=TEAM_GROUP, chat_type="supergroup")
    sent = await phone.tg.wait_for_sent(2)
    by_chat = {s.chat_id: s for s in sent}
    assert by_chat[TEAM_GROUP].text == T.GROUP_ASKED_LEADER.format(name="Tổ trưởng Hà")
    assert by_chat[TEAM_GROUP].buttons == []  # nothing to press in the group
    assert [label for label, _ in by_chat[USER].buttons] == [T.GROUP_LINK_BTN_YES, T.GROUP_LINK_BTN_NO]
    sent = await phone.tap(T.GROUP_LINK_BTN_YES, expect=2)  # the answer, and the group's notice by the outbox
    by_chat = {s.chat_id: s.text for s in sent}
    assert by_chat[USER].startswith(T.GROUP_LINKED.split("{")[0])
    assert by_chat[TEAM_GROUP] == T.GROUP_LINKED_NOTICE.format(team="Thôn Đông Tạ")
    async with deps.store.session() as s:
        link = (await s.exec(select(TeamChat))).one()
    assert (link.channel, link.chat_ref, link.team_code) == ("telegram", str(TEAM_GROUP), "T01")
    # chatter in the group gets no answer; another command a pointer to the private chat, in the group
    phone.tg.user_sends_text(USER, "chào cả nhà", chat_id=TEAM_GROUP, chat_type="supergroup")
    phone.tg.user_sends_text(USER, "/tiendo", chat_id=TEAM_GROUP, chat_type="supergroup")
    [pointer] = await phone.tg.wait_for_sent(1)
    assert (pointer.chat_id, pointer.text) == (TEAM_GROUP, T.GROUP_WRITE_PRIVATELY.format(command="tiendo"))
    assert not [c for c in phone.tg.calls_to("setMyCommands") if c.params.get("scope", {}).get("chat_id") == TEAM_GROUP]
