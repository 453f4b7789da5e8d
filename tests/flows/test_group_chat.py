"""The team's group chat in the router: /nhom typed in the group, confirmed privately by the leader; everything
else said in a group is left alone, and a member's private conversation is never touched from the group."""

from __future__ import annotations

from itertools import count

from sqlmodel import col, select

from bot import texts as T
from bot.core.messages import Inbound, InboundKind, Reply, callback_data
from bot.core.roles import Role
from bot.handlers.router import Handled, Router
from bot.services import team_chats
from bot.services.deps import Deps
from bot.store.models import Conversation, OutboxItem, TeamChat
from tests.chat import Chat, joined

GROUP = "-1001"
OTHER_GROUP = "-1002"
_ids = count(1)


async def in_group(
    chat: Chat, text: str = "", group: str = GROUP, kind: InboundKind = InboundKind.TEXT, choice: str | None = None
) -> Handled:
    """What the channel hands over for a message the chat's user typed in a group."""
    inbound = Inbound(
        channel=chat.channel,
        user_ref=chat.user_ref,
        chat_ref=group,
        message_id=f"g{next(_ids)}",
        text=text,
        choice=choice,
        kind=kind,
        display_name=chat.name,
        group=True,
    )
    return await chat.router.handle(inbound)


async def links(deps) -> list[TeamChat]:
    async with deps.store.session() as s:
        return list((await s.exec(select(TeamChat).order_by(col(TeamChat.id)))).all())


async def active_link(deps, team: str = "T01") -> TeamChat | None:
    async with deps.store.session() as s:
        return await team_chats.active(s, team)


async def conversation(deps, chat: Chat) -> Conversation | None:
    async with deps.store.session() as s:
        return await s.get(Conversation, (chat.channel, chat.user_ref))


async def ask_to_link(leader: Chat, group: str = GROUP, typed: str = "/nhom") -> Handled:
    handled = await in_group(leader, typed, group)
    assert [r.text for r in handled.replies] == [T.GROUP_ASKED_LEADER.format(name=leader.name)]
    assert handled.private_chat == leader.user_ref  # the leader's own chat with the bot
    (prompt,) = handled.private
    assert prompt.options and prompt.token
    leader.replies = handled.private  # the leader reads it in the private chat
    return handled


async def leader(router, deps, user_ref: str = "lead1", team: str = "T01") -> Chat:
    chat = await joined(router, deps, user_ref, Role.LEADER, team)
    chat.name = f"leader {user_ref}"
    return chat


async def test_a_leader_links_the_group_once_they_confirm_with_a_button(router, deps):
    lead = await leader(router, deps)
    await ask_to_link(lead)
    assert await links(deps) == []  # nothing linked before the leader says yes
    await lead.press(T.GROUP_LINK_BTN_YES)
    assert T.GROUP_LINKED.split("{")[0] in lead.text
    link = await active_link(deps)
    assert link is not None and (link.channel, link.chat_ref, link.team_code) == ("test", GROUP, "T01")
    async with deps.store.session() as s:
        notice = (await s.exec(select(OutboxItem).where(OutboxItem.chat_ref == GROUP))).one()
    assert notice.text == T.GROUP_LINKED_NOTICE.format(team="Thôn Đông Tạ")


async def test_a_typed_yes_without_diacritics_links_and_a_typed_no_does_not(router, deps):
    lead = await leader(router, deps)
    await ask_to_link(lead, typed="/nhóm")
    await lead.say("ko")
    assert lead.last.text == T.GROUP_LINK_REFUSED
    assert await links(deps) == []
    await ask_to_link(lead, typed="/Nhom@SoTayBot")
    await lead.say("co")
    assert await active_link(deps) is not None


async def test_refusing_with_the_button_links_nothing(router, deps):
    lead = await leader(router, deps)
    await ask_to_link(lead)
    await lead.press(T.GROUP_LINK_BTN_NO)
    assert lead.last.text == T.GROUP_LINK_REFUSED
    assert await links(deps) == []


async def test_only_the_team_leader_may_link_or_unlink(router, deps):
    await leader(router, deps)
    member = await joined(router, deps, "mem1", Role.MEMBER, "T01")
    staff = await joined(router, deps, "staff", Role.STAFF, None)
    for chat in (member, staff):
        for typed in ("/nhom", "/nhom huy"):
            handled = await in_group(chat, typed)
            assert [r.text for r in handled.replies] == [T.GROUP_LEADER_ONLY]
            assert handled.private == []
    assert await links(deps) == []
    assert await conversation(deps, member) is None


async def test_linking_another_group_replaces_the_first(router, deps):
    lead = await leader(router, deps)
    await ask_to_link(lead)
    await lead.say("ok")
    await ask_to_link(lead, OTHER_GROUP)
    await lead.say("đồng ý")
    rows = await links(deps)
    assert [(r.chat_ref, r.active) for r in rows] == [(GROUP, False), (OTHER_GROUP, True)]
    assert (await active_link(deps)).chat_ref == OTHER_GROUP  # type: ignore[union-attr]


async def test_a_group_moves_to_the_team_whose_leader_links_it_next(router, deps):
    first, second = await leader(router, deps), await leader(router, deps, "lead2", "T02")
    await ask_to_link(first)
    await first.say("ok")
    await ask_to_link(second)
    await second.say("ok")
    assert await active_link(deps, "T01") is None
    assert (await active_link(deps, "T02")).chat_ref == GROUP  # type: ignore[union-attr]


async def test_the_same_group_typed_again_says_it_is_linked_already(router, deps):
    lead = await leader(router, deps)
    await ask_to_link(lead)
    await lead.say("ok")
    handled = await in_group(lead, "/nhom")
    assert [r.text for r in handled.replies] == [T.GROUP_ALREADY_LINKED.format(team="Thôn Đông Tạ")]
    assert handled.private == []


async def test_unlinking_in_the_group_or_privately(router, deps):
    lead = await leader(router, deps)
    await ask_to_link(lead)
    await lead.say("ok")
    handled = await in_group(lead, "/nhom huỷ")
    assert [r.text for r in handled.replies] == [T.GROUP_UNLINKED.format(team="Thôn Đông Tạ")]
    assert await active_link(deps) is None
    handled = await in_group(lead, "/nhom bo")
    assert [r.text for r in handled.replies] == [T.GROUP_NOT_LINKED_HERE.format(team="Thôn Đông Tạ")]
    await ask_to_link(lead)
    await lead.say("ok")
    await lead.say("/nhom")
    assert T.GROUP_STATUS.split("{")[0] in lead.text
    await lead.say("/nhom go")
    assert lead.last.text == T.GROUP_UNLINKED.format(team="Thôn Đông Tạ")
    assert await active_link(deps) is None
    await lead.say("/nhom")
    assert T.GROUP_HOW_TO in lead.text


async def test_staff_see_every_teams_group_privately(router, deps):
    lead = await leader(router, deps)
    staff = await joined(router, deps, "staff", Role.STAFF, None)
    await ask_to_link(lead)
    await lead.say("ok")
    await staff.say("/nhom")
    assert T.GROUP_STATUS_TEAM.format(team="Thôn Đông Tạ", where="test") in staff.text
    assert T.GROUP_STATUS_TEAM.format(team="Thôn Kiến Lao", where=T.GROUP_STATUS_NONE) in staff.text


async def test_group_chatter_is_ignored_and_other_commands_point_to_the_private_chat(router, deps):
    member = await joined(router, deps, "mem1", Role.MEMBER, "T01")
    for text in ("chào cả nhà", "2", "có", "ghi nhận hộ bà Lan", "tiến độ tháng này", "huỷ"):
        handled = await in_group(member, text)
        assert handled.replies == [] and handled.private == [], text
    for kind in (InboundKind.STICKER, InboundKind.IMAGE, InboundKind.FILE, InboundKind.UNSUPPORTED):
        assert (await in_group(member, "", kind=kind)).replies == []
    handled = await in_group(member, "/tiendo")
    assert [r.text for r in handled.replies] == [T.GROUP_WRITE_PRIVATELY.format(command="tiendo")]
    assert handled.role is None  # the group's command menu is not the member's
    assert (await in_group(member, "/lenhcuabotkhac")).replies == []  # perhaps another bot's
    stranger = Chat(router, "999")
    assert (await in_group(stranger, "/tiendo")).replies == []
    assert (await in_group(stranger, "/start ABCD2345")).replies == []


async def test_a_button_pressed_in_a_group_is_refused_with_a_note(router, deps):
    member = await joined(router, deps, "mem1", Role.MEMBER, "T01")
    handled = await in_group(member, kind=InboundKind.CHOICE, choice="abc:0")
    assert handled.replies == [Reply(T.GROUP_BUTTON, notice=True)]


async def test_a_members_private_flow_is_untouched_by_what_they_type_in_the_group(router, deps):
    member = await joined(router, deps, "mem1", Role.MEMBER, "T01")
    await member.say("/ghinhan")
    before = await conversation(deps, member)
    assert before is not None
    prompt = member.prompt
    for text in ("1", "có", "huỷ", "/huy", "/ghinhan", "Nguyễn Văn A"):
        await in_group(member, text)
    await in_group(member, kind=InboundKind.CHOICE, choice=callback_data(prompt.token or "", 0))
    after = await conversation(deps, member)
    assert after is not None
    assert (after.flow, after.step, after.token, after.data) == (before.flow, before.step, before.token, before.data)


# --- a leader's notice to the team's group chat (group_chat.broadcasts) -----------------------------------------
def _with_broadcasts(deps, delivery: str) -> tuple[Deps, Router]:
    config = deps.config.model_copy(
        update={"group_chat": deps.config.group_chat.model_copy(update={"broadcasts": delivery})}
    )
    changed = Deps(config=config, store=deps.store, clock=deps.clock)
    return changed, Router(changed)


async def _linked_team(router, deps) -> tuple[Chat, Chat]:
    lead = await leader(router, deps)
    member = await joined(router, deps, "mem1", Role.MEMBER, "T01")
    await ask_to_link(lead)
    await lead.say("ok")
    return lead, member


async def _broadcast(lead: Chat) -> None:
    await lead.say("/thongbao Họp tổ tối thứ Sáu")
    assert T.BROADCAST_PREVIEW_TITLE in lead.text, lead.text
    await lead.press("✅ Gửi")


async def _rows(deps) -> list[OutboxItem]:
    async with deps.store.session() as s:
        stmt = select(OutboxItem).where(col(OutboxItem.dedup_key).like("bc:%")).order_by(col(OutboxItem.id))
        return list((await s.exec(stmt)).all())


async def test_a_leaders_notice_to_the_group_only_is_one_row_without_an_ack(deps):
    deps, router = _with_broadcasts(deps, "group")
    lead, _ = await _linked_team(router, deps)
    await lead.say("/thongbao Họp tổ tối thứ Sáu")
    assert T.BROADCAST_PREVIEW_GROUP in lead.text and T.BROADCAST_PREVIEW_ACK not in lead.text
    await lead.press("✅ Gửi")
    assert T.BROADCAST_SENT_GROUP in lead.text
    (row,) = await _rows(deps)
    assert (row.chat_ref, row.payload) == (GROUP, {})  # no "Đã nhận" token in a group
    await lead.say("/thongbao")
    await lead.press(T.BROADCAST_BTN_HISTORY)
    await lead.press("nhóm chat")
    assert T.BROADCAST_STATUS_GROUP.format(state=T.BROADCAST_GROUP_STATES["pending"]) in lead.text


async def test_both_gives_members_their_own_acknowledgeable_copy(deps):
    deps, router = _with_broadcasts(deps, "both")
    lead, member = await _linked_team(router, deps)
    await _broadcast(lead)
    rows = await _rows(deps)
    assert [r.chat_ref for r in rows] == [member.user_ref, GROUP]
    assert rows[0].payload.get("ack_token") and rows[1].payload == {}


async def test_group_without_a_linked_group_sends_to_each_member(deps):
    deps, router = _with_broadcasts(deps, "group")
    lead = await leader(router, deps)
    member = await joined(router, deps, "mem1", Role.MEMBER, "T01")
    await _broadcast(lead)
    assert [r.chat_ref for r in await _rows(deps)] == [member.user_ref]
