from datetime import timedelta

from sqlmodel import select

from bot import texts as T
from bot.core.roles import Role
from bot.store.models import ChannelIdentity, Member
from tests.chat import Chat, joined, new_code


async def test_stranger_gets_only_the_welcome(router):
    chat = Chat(router, "x")
    for text in ("xin chao", "/ghinhan", "/moi"):
        await chat.say(text)
        assert chat.text == T.WELCOME_STRANGER
    await chat.press_data("abc:0")
    assert chat.text == T.WELCOME_STRANGER


async def test_join_with_code_typed_loosely(router, deps):
    code = await new_code(deps, Role.MEMBER, "T02", name="Đinh Thu Trang")
    chat = Chat(router, "u9")
    await chat.say(f"{code[:4].lower()}-{code[4:].lower()}")  # a bare code, lower case, with a dash
    assert "Chào mừng Đinh Thu Trang" in chat.text and "Thôn Kiến Lao" in chat.text
    assert chat.last.menu
    async with deps.store.session() as s:
        member = (await s.exec(select(Member))).one()
        identity = (await s.exec(select(ChannelIdentity))).one()
    assert (member.role, member.team_code, identity.user_ref) == ("member", "T02", "u9")


async def test_wrong_used_and_expired_codes(router, deps, clock):
    chat = Chat(router, "u1")
    await chat.say("/start ABCD2345")
    assert chat.text == T.JOIN_UNKNOWN
    code = await new_code(deps, Role.MEMBER, "T01")
    await Chat(router, "u2").say(f"/start {code}")
    await chat.say(f"/start {code}")
    assert chat.text == T.JOIN_USED
    late = await new_code(deps, Role.MEMBER, "T01")
    clock.advance(timedelta(hours=deps.config.invites.ttl_hours, seconds=1))
    await chat.say(f"/start {late}")
    assert chat.text == T.JOIN_EXPIRED


async def test_leader_invites_a_member_of_their_team(router, deps):
    leader = await joined(router, deps, "l1", role=Role.LEADER)
    await leader.say("/moi Vũ Minh Khánh")
    assert "Mã mời:" in leader.text and "tổ viên" in leader.text
    code = leader.text.split("Mã mời: ")[1].split()[0]
    newcomer = Chat(router, "n1")
    await newcomer.say(f"/start {code}")
    assert "Chào mừng Vũ Minh Khánh" in newcomer.text and "Thôn Đông Tạ" in newcomer.text


async def test_staff_invite_flow_picks_team_and_role(router, deps):
    staff = await joined(router, deps, "s1", role=Role.STAFF, team=None)
    await staff.say("moi")
    await staff.say("T03")
    await staff.say("to truong")
    assert "tổ trưởng, Thôn Phù Liễn" in staff.text
    code = staff.text.split("Mã mời: ")[1].split()[0]
    chat = Chat(router, "n2")
    await chat.say(f"/start {code}")
    assert "tổ trưởng" in chat.text
    async with deps.store.session() as s:
        member = (await s.exec(select(Member).where(Member.team_code == "T03"))).one()
    assert member.role == "leader"


async def test_joined_member_cannot_join_again(router, deps):
    chat = await joined(router, deps, "u1")
    code = await new_code(deps, Role.LEADER, "T01")
    await chat.say(f"/start {code}")
    assert "Các lệnh bạn dùng được" in chat.text
    async with deps.store.session() as s:
        assert len((await s.exec(select(Member))).all()) == 1
