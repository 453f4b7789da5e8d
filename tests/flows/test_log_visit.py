from datetime import timedelta

import pytest
from sqlmodel import func, select

from bot import texts as T
from bot.core.roles import Role
from bot.handlers.router import Router
from bot.services.deps import Deps
from bot.store.db import Store
from bot.store.models import AuditEntry, Conversation, Household, Visit, VisitSkill
from tests.chat import Chat, joined


async def _count(deps, model) -> int:
    async with deps.store.session() as s:
        return (await s.exec(select(func.count()).select_from(model))).one()


async def _add_household_by_text(chat: Chat, name: str, address: str, phone: str = "bo qua") -> None:
    await chat.say("ghi nhan")
    await chat.say("them ho moi")
    await chat.say(name)
    await chat.say(address)
    await chat.say(phone)
    await chat.say("0")  # no priority flags
    await chat.say("dong y")


async def test_whole_visit_by_typing_without_diacritics(router, deps):
    chat = await joined(router, deps, "u1")
    await _add_household_by_text(chat, "Nguyen Van An", "Xom 3", "0912.345.678")
    await chat.say("vneid dvc 0")
    assert "Kiểm tra lại" in chat.text and "Cài đặt VNeID, Dịch vụ công trực tuyến" in chat.text
    await chat.say("3 nguoi")
    assert "3 người" in chat.text
    await chat.say("luu")
    assert "Đã lưu lượt" in chat.text
    async with deps.store.session() as s:
        household = (await s.exec(select(Household))).one()
        visit = (await s.exec(select(Visit))).one()
        skills = set((await s.exec(select(VisitSkill.skill_code))).all())
    assert (household.head_name, household.phone, household.team_code) == ("Nguyen Van An", "+84912345678", "T01")
    assert household.consent_version == deps.config.privacy.consent_version
    assert (visit.household_id, visit.people_count, visit.outcome) == (household.id, 3, "done")
    assert visit.visited_on.isoformat() == "2026-11-20"
    assert skills == {"vneid_install", "dvc"}


async def test_a_typo_reprompts_and_keeps_what_was_entered(router, deps):
    chat = await joined(router, deps, "u1")
    await chat.say("/ghinhan")
    await chat.say("them ho moi")
    await chat.say("Trần Thị Bình")
    await chat.say("Xóm 2")
    await chat.say("abc")
    assert T.HH_PHONE_INVALID in chat.text and T.HH_ASK_PHONE in chat.text
    await chat.say("0")  # zero is not an option here (only "Bỏ qua" = 1), nor a phone
    assert T.HH_PHONE_INVALID in chat.text or "Không có mục" in chat.text
    await chat.say("1")  # Bỏ qua
    await chat.say("9")  # not an option of the flags list
    assert "Không có mục số 9" in chat.text
    await chat.say("1 0")
    await chat.say("1")
    await chat.say("0")  # finishing skills with nothing chosen
    assert T.SKILLS_NONE in chat.text
    await chat.say("6 0")
    await chat.say("1")
    async with deps.store.session() as s:
        household = (await s.exec(select(Household))).one()
    assert (household.head_name, household.address, household.elderly, household.phone) == (
        "Trần Thị Bình",
        "Xóm 2",
        True,
        None,
    )


async def test_a_mistyped_skill_is_read_and_a_word_naming_none_is_pointed_out(router, deps):
    chat = await joined(router, deps, "u1")
    await _add_household_by_text(chat, "Nguyen Van An", "Xom 3")
    await chat.say("lung tung")
    assert T.SKILLS_NOT_UNDERSTOOD.format(text="lung tung") in chat.text and T.SKILLS_ASK[:20] in chat.text
    await chat.say("vneidd dvcc 0")
    assert "Kiểm tra lại" in chat.text and "Cài đặt VNeID, Dịch vụ công trực tuyến" in chat.text


async def test_forged_and_replayed_buttons_do_nothing(router, deps):
    chat = await joined(router, deps, "u1")
    await _add_household_by_text(chat, "Nguyễn Văn An", "Xóm 3")
    await chat.press("Cài đặt VNeID")
    skills_prompt = chat.prompt
    await chat.press("Xong")
    assert "Kiểm tra lại" in chat.text
    for forged in ("zzzzzzzz:0", f"{skills_prompt.token}:0", "not-a-token", f"{chat.prompt.token}:99"):
        await chat.press_data(forged)
        assert chat.text == T.BUTTON_OUTDATED, forged
    async with deps.store.session() as s:
        state = await s.get(Conversation, ("test", "u1"))
    assert state is not None and state.step == "confirm"
    assert await _count(deps, Visit) == 0


async def test_restart_in_the_middle_of_a_flow_loses_nothing(router, deps):
    chat = await joined(router, deps, "u1")
    await _add_household_by_text(chat, "Nguyễn Văn An", "Xóm 3")
    await chat.press("Bình dân học vụ số")
    token = chat.prompt.token
    # The process restarts: a new store and router on the same database.
    store = Store(deps.store.url)
    try:
        restarted = Chat(Router(Deps(deps.config, store, deps.clock)), "u1")
        await restarted.press_data(f"{token}:{len(deps.config.skills)}")  # the "Xong" button sent before
        assert "Kiểm tra lại" in restarted.text and "Bình dân học vụ số" in restarted.text
        await restarted.say("1")
        assert "Đã lưu lượt" in restarted.text
    finally:
        await store.close()
    assert await _count(deps, Visit) == 1


async def test_expired_flow_offers_to_continue_with_data_kept(router, deps, clock):
    chat = await joined(router, deps, "u1")
    await chat.say("/ghinhan")
    await chat.say("them ho moi")
    await chat.say("Lê Thị Hoa")
    clock.advance(timedelta(minutes=deps.config.flows.timeout_minutes + 1))
    await chat.say("Xóm 4")  # not taken as the address: the member is asked first
    assert "ghi nhận một hộ dở" in chat.text
    await chat.say("tiep tuc")
    assert "Địa chỉ hoặc xóm của hộ Lê Thị Hoa" in chat.text
    await chat.say("Xóm 4")
    assert T.HH_ASK_PHONE in chat.text


async def test_cancel_anywhere(router, deps):
    chat = await joined(router, deps, "u1")
    await chat.say("/ghinhan")
    await chat.say("them ho moi")
    await chat.say("huy")
    assert chat.text == T.CANCELLED
    await chat.say("/huy")
    assert chat.text == T.NOTHING_TO_CANCEL
    await chat.press_data("abc:1")
    assert chat.text == T.BUTTON_OUTDATED


async def test_probable_duplicate_is_offered_before_creating(router, deps):
    chat = await joined(router, deps, "u1")
    await _add_household_by_text(chat, "Nguyễn Văn An", "Xóm 3, số nhà 12")
    await chat.say("1 0")
    await chat.say("1")
    await _add_household_by_text(chat, "an nguyen van", "xom 3")
    assert T.DUP_ASK in chat.text
    assert "Nguyễn Văn An" in chat.labels()[0]
    await chat.say("1")
    assert T.DUP_USING_EXISTING in chat.text
    await chat.say("2 0")
    await chat.say("1")
    assert await _count(deps, Household) == 1
    assert await _count(deps, Visit) == 2


async def test_refused_consent_stores_nothing(router, deps):
    chat = await joined(router, deps, "u1")
    await chat.say("/ghinhan")
    await chat.say("them ho moi")
    await chat.say("Phạm Văn Nam")
    await chat.say("Xóm 1")
    await chat.say("bo qua")
    await chat.say("0")
    await chat.say("khong dong y")
    assert chat.text == T.CONSENT_SURE.format(name="Phạm Văn Nam")  # what was typed is not thrown away unasked
    await chat.say("quay lai")
    assert T.HH_ASK_CONSENT.split("\n")[0] in chat.text
    await chat.say("2")
    await chat.say("1")
    assert chat.text == T.CONSENT_REFUSED
    assert await _count(deps, Household) == 0


async def test_citizen_id_typed_into_a_name_is_masked(router, deps):
    chat = await joined(router, deps, "u1")
    await chat.say("/ghinhan")
    await chat.say("them ho moi")
    await chat.say("Hoàng Văn Sơn 001234567890")
    assert T.CITIZEN_ID_MASKED in chat.text
    await chat.say("Xóm 6")
    await chat.say("bo qua")
    await chat.say("0")
    await chat.say("dong y")
    await chat.say("1 0")
    await chat.say("luu")
    async with deps.store.session() as s:
        household = (await s.exec(select(Household))).one()
    assert "001234567890" not in household.head_name
    assert household.head_name == "Hoàng Văn Sơn"


async def test_the_same_message_delivered_twice_is_handled_once(router, deps):
    chat = await joined(router, deps, "u1")
    await _add_household_by_text(chat, "Nguyễn Văn An", "Xóm 3")
    await chat.say("1 0")
    inbound = chat._inbound(text="1")
    first = await router.handle(inbound)
    second = await router.handle(inbound)
    assert "Đã lưu lượt" in first.replies[0].text
    assert second.duplicate and second.replies == []
    assert await _count(deps, Visit) == 1


async def test_search_by_name_and_the_household_list_stay_in_the_team(router, deps):
    mine = await joined(router, deps, "u1")
    await _add_household_by_text(mine, "Nguyễn Văn An", "Xóm 3")
    await mine.say("1 0")
    await mine.say("1")
    theirs = await joined(router, deps, "u2", team="T02")
    await theirs.say("/ghinhan")
    assert not any("Nguyễn Văn An" in label for label in theirs.labels())
    await theirs.say("nguyen van an")
    assert "Không tìm thấy" in theirs.text
    await mine.say("/ghinhan nguyen an")  # the one household with these words: taken at once
    assert mine.text.startswith(T.SKILLS_ASK.format(household="Nguyễn Văn An — Xóm 3"))


async def test_roles_are_checked(router, deps):
    staff = await joined(router, deps, "s1", role=Role.STAFF, team=None)
    await staff.say("/ghinhan")
    assert staff.text == T.NOT_ALLOWED
    member = await joined(router, deps, "u1")
    await member.say("/moi")
    assert member.text == T.NOT_ALLOWED
    await member.say("/khongco")
    assert member.text == T.UNKNOWN_COMMAND


async def test_every_visit_is_audited(router, deps):
    chat = await joined(router, deps, "u1")
    await _add_household_by_text(chat, "Nguyễn Văn An", "Xóm 3")
    await chat.say("1 0")
    await chat.say("1")
    async with deps.store.session() as s:
        actions = list((await s.exec(select(AuditEntry.action).order_by(AuditEntry.id))).all())
    assert actions == ["invite.create", "member.join", "household.create", "visit.create"]


async def test_a_typed_number_of_people_is_the_count_not_an_option(router, deps):
    chat = await joined(router, deps, "u1")
    await _add_household_by_text(chat, "Nguyễn Văn An", "Xóm 3")
    await chat.say("1 0")
    await chat.say("so nguoi")
    await chat.say("8")
    assert "8 người" in chat.text
    await chat.say("so nguoi")
    await chat.say("0")
    assert T.PEOPLE_INVALID in chat.text
    await chat.press("3")
    assert "3 người" in chat.text


async def test_a_phone_number_typed_with_spaces_is_the_phone_and_1_still_skips(router, deps):
    chat = await joined(router, deps, "u1")
    await chat.say("/ghinhan")
    await chat.say("them ho moi")
    await chat.say("Vũ Quang Hải")
    await chat.say("Xóm 2")
    await chat.say("0912 888 777")
    assert T.HH_ASK_FLAGS in chat.text
    await chat.say("/ghinhan")
    await chat.say("them ho moi")
    await chat.say("Đinh Thị Oanh")
    await chat.say("Xóm 4")
    await chat.say("09123")  # too short to be a phone
    assert T.HH_PHONE_INVALID in chat.text
    await chat.say("1")  # the numbered "Bỏ qua"
    assert T.HH_ASK_FLAGS in chat.text


async def test_a_command_word_typed_in_the_middle_of_a_flow_is_the_command(router, deps):
    chat = await joined(router, deps, "u1")
    await chat.say("/ghinhan")
    await chat.say("them ho moi")
    await chat.say("ghi nhan")  # not a name: the member starts over
    assert T.HH_PICK_EMPTY in chat.text and "Họ tên chủ hộ" not in chat.text
    await chat.say("tro giup")
    assert "Các lệnh bạn dùng được" in chat.text


async def test_an_address_or_phone_typed_a_step_early_is_caught(router, deps):
    chat = await joined(router, deps, "u1")
    await chat.say("/ghinhan")
    await chat.say("them ho moi")
    await chat.say("xom 2")  # the address, typed while the name was asked
    assert T.HH_NAME_HAS_DIGITS in chat.text
    await chat.say("Vu Quang Hai")
    await chat.say("0912 888 777")  # the phone, typed while the address was asked
    assert T.HH_ADDRESS_IS_PHONE in chat.text
    await chat.say("Xom 2")
    await chat.say("0912 888 777")
    await chat.say("0")
    await chat.say("dong y")
    await chat.say("1 0")
    await chat.say("luu")
    async with deps.store.session() as s:
        household = (await s.exec(select(Household))).one()
    assert (household.head_name, household.address, household.phone) == ("Vu Quang Hai", "Xom 2", "+84912888777")


@pytest.mark.parametrize(
    ("typed", "skills"),
    [
        ("vneid muc 2", ["vneid_level2"]),  # level 2 only, not install + level 2
        ("kich hoat vneid", ["vneid_level2"]),
        ("vnied", ["vneid_install"]),  # two letters swapped
        ("dich vu con", ["dvc"]),  # a letter missing
        ("thanh toans", ["cashless"]),  # Telex: the Vietnamese keyboard was off
        ("dichj vuj coong", ["dvc"]),
        ("momo", ["cashless"]),
        ("chữ kí số", ["signature"]),
        ("smart hp", ["smart_hp"]),
    ],
)
async def test_skills_by_the_words_people_use(router, deps, typed, skills):
    chat = await joined(router, deps, "u1")
    await chat.say("/ghinhan")
    await chat.say("them ho moi")
    for answer in ("Phạm Văn Nam", "Xóm 1", "bo qua", "0", "dong y"):
        await chat.say(answer)
    await chat.say(typed)
    async with deps.store.session() as s:
        state = (await s.exec(select(Conversation))).one()
    assert state.data["_sel_skills"] == skills, chat.text
