"""Commune staff import a household list by sending the file in chat; members cannot."""

from __future__ import annotations

from sqlmodel import func, select

from bot import texts as T
from bot.core.roles import Role
from bot.store.models import AuditEntry, Conversation, Household, Upload
from tests.chat import joined
from tests.household_lists import ListRow, xlsx_bytes

ROWS = [
    ListRow("Nguyễn Văn An", "Xóm 3, số nhà 21", "0912.345.678", elderly="x"),
    ListRow("Trần Thị Bình", "Xóm 1, số nhà 40", ""),
    ListRow("Tran Thi Binh", "Xom 1, so nha 40", ""),  # the row above again
    ListRow("", "Xóm 2", ""),  # no name
]


async def _count(deps, model, *where) -> int:
    async with deps.store.session() as s:
        return (await s.exec(select(func.count()).select_from(model).where(*where))).one()


async def test_staff_send_a_list_choose_the_team_see_the_preview_and_import(router, deps):
    chat = await joined(router, deps, "staff1", Role.STAFF, team=None)
    await chat.send_file("danh sach ho.xlsx", xlsx_bytes(ROWS))
    assert "Nhập tệp “danh sach ho.xlsx” vào sổ hộ của tổ nào?" in chat.text
    await chat.press("Thôn Kiến Lao")
    preview = chat.text
    assert "Xem trước, chưa lưu gì — Thôn Kiến Lao, 4 dòng" in preview
    assert "➕ Thêm mới: 2 hộ" in preview and "⚠️ Nghi trùng, không thêm: 1 dòng" in preview
    assert "Dòng 4: Tran Thi Binh — Xom 1, so nha 40 — nghi trùng dòng 3 (Trần Thị Bình — Xóm 1, số nhà 40)" in preview
    assert "Dòng 5: lỗi — thiếu họ tên chủ hộ" in preview
    assert await _count(deps, Household) == 0
    await chat.press(T.IMPORT_BTN_APPLY)
    assert "Đã nhập xong vào sổ hộ của Thôn Kiến Lao" in chat.text and "Kết quả" in chat.text
    async with deps.store.session() as s:
        saved = (await s.exec(select(Household).order_by(Household.id))).all()
        audit = (await s.exec(select(AuditEntry).where(AuditEntry.action == "household.import"))).one()
    assert [(h.team_code, h.head_name, h.phone, h.elderly) for h in saved] == [
        ("T02", "Nguyễn Văn An", "+84912345678", True),
        ("T02", "Trần Thị Bình", None, False),
    ]
    assert audit.actor_member_id is not None and audit.detail["source"] == "chat"
    assert await _count(deps, Upload) == 0 and await _count(deps, Conversation) == 0

    await chat.send_file("danh sach ho.xlsx", xlsx_bytes(ROWS))  # the same file again: nothing to do
    await chat.say("2")
    assert "Không có hộ nào cần thêm hay bổ sung" in chat.text
    assert await _count(deps, Household) == 2 and await _count(deps, Upload) == 0


async def test_cancel_at_the_preview_imports_nothing_and_forgets_the_file(router, deps):
    chat = await joined(router, deps, "staff1", Role.STAFF, team=None)
    await chat.send_file("ds.xlsx", xlsx_bytes(ROWS))
    await chat.say("1")  # the first team, typed as on Zalo or the terminal
    assert await _count(deps, Upload) == 1
    await chat.say("để mai xem")  # neither option ("vâng" would be yes: import)
    assert T.IMPORT_CONFIRM_HINT in chat.text
    await chat.press(T.IMPORT_BTN_CANCEL)
    assert T.IMPORT_CANCELLED in chat.text
    assert await _count(deps, Household) == 0 and await _count(deps, Upload) == 0


async def test_an_import_left_with_huy_has_its_file_deleted_at_the_next_prune(router, deps):
    first = await joined(router, deps, "staff1", Role.STAFF, team=None)
    await first.send_file("ds.xlsx", xlsx_bytes(ROWS))
    await first.say("/huy")
    assert await _count(deps, Upload) == 1  # the cancel command does not know about files
    second = await joined(router, deps, "staff2", Role.STAFF, team=None)
    await second.send_file("khac.xlsx", xlsx_bytes(ROWS))
    async with deps.store.session() as s:
        assert (await s.exec(select(Upload.name))).all() == ["khac.xlsx"]


async def test_a_member_cannot_import_a_list(router, deps):
    chat = await joined(router, deps, "m1", Role.MEMBER)
    await chat.send_file("ds.xlsx", xlsx_bytes(ROWS))
    assert chat.text == T.IMPORT_STAFF_ONLY
    assert await _count(deps, Upload) == 0
    await chat.say("/nhap")
    assert T.NOT_ALLOWED in chat.text


async def test_files_too_big_or_not_a_list_are_answered_at_once(router, deps):
    chat = await joined(router, deps, "staff1", Role.STAFF, team=None)
    await chat.send_file("ds.xlsx", None)  # the channel could not download it
    assert "tối đa 5 MB" in chat.text
    await chat.send_file("ds.csv", b"x" * (5 * 1024 * 1024 + 1))
    assert "tối đa 5 MB" in chat.text
    await chat.send_file("ds.csv", "STT,Họ tên,Năm sinh\n1,An,1950\n".encode())
    assert "Không đọc được tệp “ds.csv”" in chat.text and "“Địa chỉ”" in chat.text and "Năm sinh" in chat.text
    await chat.send_file("ds.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    assert ".xlsx" in chat.text
    assert await _count(deps, Upload) == 0 and await _count(deps, Conversation) == 0


async def test_nhap_explains_how_to_send_a_list(router, deps):
    chat = await joined(router, deps, "staff1", Role.STAFF, team=None)
    await chat.say("/nhap")
    assert "📎" in chat.text and "Zalo chưa nhận được tệp" in chat.text and "sotay import households" in chat.text
