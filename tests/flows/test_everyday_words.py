"""What people type besides commands: greetings, thanks, a sticker, yes/no, and first steps by role."""

from __future__ import annotations

from bot import texts as T
from bot.core.messages import InboundKind
from bot.core.roles import Role
from bot.services import households
from bot.services.households import NewHousehold
from tests.chat import Chat, joined, new_code


async def test_the_join_message_is_written_for_the_role(router, deps):
    for user, role, team, expected in (
        ("m", Role.MEMBER, "T01", T.JOIN_NEXT_TEAM),
        ("l", Role.LEADER, "T01", T.JOIN_NEXT_LEADER),
        ("s", Role.STAFF, None, T.JOIN_NEXT_STAFF),
    ):
        chat = Chat(router, user)
        await chat.say(f"/start {await new_code(deps, role, team, name='Lan')}")
        assert expected in chat.text, role
    assert "/ghinhan" not in T.JOIN_NEXT_STAFF  # staff log no visits
    assert "bấm" not in T.JOIN_OK + T.JOIN_NEXT_TEAM  # nothing to tap on Zalo


async def test_staff_have_the_broadcast_in_their_menu(router, deps):
    staff = await joined(router, deps, "s1", role=Role.STAFF, team=None)
    await staff.say("/trogiup")
    assert T.MENU_BROADCAST in staff.replies[-1].menu


async def test_greetings_and_thanks_get_a_friendly_answer_with_the_menu(router, deps):
    chat = await joined(router, deps, "u1")
    for typed, template in (("chào", T.FRIENDLY_HELLO), ("alo", T.FRIENDLY_HELLO), ("cảm ơn", T.FRIENDLY_THANKS)):
        await chat.say(typed)
        assert chat.replies[0].text == template.format(name="member u1"), typed
        assert chat.replies[0].menu


async def test_thanks_in_the_middle_of_a_flow_keeps_the_prompt(router, deps):
    chat = await joined(router, deps, "u1")
    await chat.say("/ghinhan")
    token = chat.prompt.token
    await chat.say("cam on nhieu nha")
    assert chat.replies[0].text == T.FRIENDLY_THANKS.format(name="member u1")
    assert chat.prompt.token == token  # the same prompt, its buttons still good


async def test_a_sticker_outside_a_flow_gets_the_menu(router, deps):
    chat = await joined(router, deps, "u1")
    await chat.send(chat._inbound(kind=InboundKind.STICKER))
    assert chat.replies[0].text == T.NOT_TEXT_MENU and chat.replies[0].menu


async def test_a_member_with_no_household_given_is_told_why_the_count_is_zero(router, deps):
    now = deps.clock.now()
    async with deps.store.session() as s:
        h = await households.create(s, "T01", NewHousehold("Lê Thị Hoa", "Xóm 2"), None, now, "2026-01")
        hid = h.id
    chat = await joined(router, deps, "u1")
    await chat.say("/tiendo")
    assert T.PROGRESS_MY_HOUSEHOLDS_NONE.format(target=deps.config.targets.member_households) in chat.text
    await chat.say(f"/ghinhan #{hid}")
    await chat.say("dong y")  # imported: consent is asked at the first visit
    await chat.say("1 0")
    await chat.say("luu")
    await chat.say("/hocuatoi")
    assert T.MINE_VISITED.format(target=deps.config.targets.member_households, n=1) in chat.text
    assert chat.prompt.options[0].key == f"h{hid}"
