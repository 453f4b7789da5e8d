from datetime import timedelta

from sqlmodel import select

from bot import texts as T
from bot.store.models import ChannelIdentity, Member
from tests.chat import Chat, joined


async def test_one_member_on_two_channels_sees_the_same_households(router, deps, clock):
    telegram = await joined(router, deps, "tg-1")
    await telegram.say("/ghinhan")
    await telegram.say("them ho moi")
    for answer in ("Nguyễn Văn An", "Xóm 3", "bo qua", "0", "dong y", "1 0", "1"):
        await telegram.say(answer)
    await telegram.say("/lienket")
    code = telegram.text.split("Mã liên kết: ")[1].split()[0]

    zalo = Chat(router, "zl-1", channel="zalo-test")
    await zalo.say(f"/start {code}")
    assert "Đã liên kết" in zalo.text
    await zalo.say("ghi nhan")
    assert "Nguyễn Văn An" in zalo.labels()[0]
    async with deps.store.session() as s:
        members = (await s.exec(select(Member))).all()
        identities = (await s.exec(select(ChannelIdentity.channel).order_by(ChannelIdentity.channel))).all()
    assert len(members) == 1
    assert list(identities) == ["test", "zalo-test"]


async def test_link_code_is_single_use_and_expires(router, deps, clock):
    chat = await joined(router, deps, "tg-1")
    await chat.say("/lienket")
    code = chat.text.split("Mã liên kết: ")[1].split()[0]
    await Chat(router, "zl-1", channel="zalo-test").say(f"/start {code}")
    other = Chat(router, "zl-2", channel="zalo-test")
    await other.say(f"/start {code}")
    assert other.text == T.JOIN_USED
    await chat.say("/lienket")
    late = chat.text.split("Mã liên kết: ")[1].split()[0]
    clock.advance(timedelta(minutes=deps.config.channels.zalo.link_ttl_minutes + 1))
    await other.say(f"/start {late}")
    assert other.text == T.JOIN_EXPIRED
