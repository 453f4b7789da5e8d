from bot.core.roles import Role
from tests.chat import Chat, joined, new_code


async def test_stranger_is_told_how_to_join(router):
    chat = Chat(router, "u1")
    await chat.say("xin chao")
    assert "/start" in chat.text and "mã mời" in chat.text


async def test_join_then_log_repeat_visit(router, deps):
    chat = await joined(router, deps, "u1")
    await chat.say("/ghinhan")
    await chat.press("Thêm hộ mới")
    await chat.say("Nguyễn Văn An")
    await chat.say("Xóm 3")
    await chat.press("Bỏ qua")
    await chat.press("Xong")
    await chat.press("đồng ý")
    await chat.press("Cài đặt VNeID")
    await chat.press("Xong")
    await chat.press("Lưu")
    assert "Đã lưu lượt" in chat.text
    await chat.say("ghi nhan")
    assert "Nguyễn Văn An" in chat.labels()[0]
