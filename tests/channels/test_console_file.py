"""The terminal demo can send a local file: `/tep PATH` (or `/file PATH`) delivers it as an attachment would."""

from __future__ import annotations

import io

from sqlmodel import func, select

from bot.channels.console import ConsoleChannel
from bot.core.roles import Role
from bot.store.models import Household, ProcessedMessage
from tests.chat import new_code
from tests.household_lists import ListRow, xlsx_bytes


async def _console(router, deps, role: Role) -> tuple[ConsoleChannel, io.StringIO]:
    out = io.StringIO()
    console = ConsoleChannel(router, f"console-{role.value}", stdin=io.StringIO(), stdout=out, interactive=False)
    await console.send_line(f"/start {await new_code(deps, role, None if role is Role.STAFF else 'T01')}")
    return console, out


async def test_tep_sends_a_local_file_to_the_import(router, deps, tmp_path):
    sheet = tmp_path / "danh sách.xlsx"
    sheet.write_bytes(xlsx_bytes([ListRow("Nguyễn Văn An", "Xóm 3", "0912 345 678")]))
    console, out = await _console(router, deps, Role.STAFF)
    await console.send_line(f'/tep "{sheet}"')
    assert "Nhập tệp “danh sách.xlsx” vào sổ hộ của tổ nào?" in out.getvalue()
    await console.send_line("1")
    await console.send_line("nhap vao so")
    assert "Đã nhập xong vào sổ hộ của Thôn Đông Tạ" in out.getvalue()
    async with deps.store.session() as s:
        assert (await s.exec(select(Household.head_name))).all() == ["Nguyễn Văn An"]


async def test_a_missing_file_is_answered_in_the_terminal_and_nothing_is_sent(router, deps, tmp_path):
    console, out = await _console(router, deps, Role.STAFF)
    async with deps.store.session() as s:
        before = (await s.exec(select(func.count()).select_from(ProcessedMessage))).one()
    replies = await console.send_line(f"/file {tmp_path / 'khong_co.xlsx'}")
    assert replies == []
    assert "Không mở được tệp" in out.getvalue() and "khong_co.xlsx: không có tệp này" in out.getvalue()
    async with deps.store.session() as s:
        assert (await s.exec(select(func.count()).select_from(ProcessedMessage))).one() == before


async def test_the_chart_and_the_workbook_are_saved_and_their_paths_printed(router, deps, tmp_path):
    out = io.StringIO()
    console = ConsoleChannel(router, "console-staff", stdin=io.StringIO(), stdout=out, interactive=False)
    console.files_dir = tmp_path / "tep"
    await console.send_line(f"/start {await new_code(deps, Role.STAFF, None)}")
    await console.send_line("/bieudo")
    await console.send_line("/xuat 2026-11")
    saved = sorted(p.name for p in (tmp_path / "tep").iterdir())
    assert [n for n in saved if n.endswith(".png")] and (tmp_path / "tep" / "so-tay-2026-11-toan-xa.xlsx").exists()
    assert (tmp_path / "tep" / "bao-cao-2026-11.docx").read_bytes().startswith(b"PK")
    text = out.getvalue()
    assert f"💾 Đã lưu tệp: {tmp_path / 'tep' / 'so-tay-2026-11-toan-xa.xlsx'}" in text
    assert text.count("💾 Đã lưu tệp:") == 3


async def test_a_file_that_cannot_be_saved_is_said_so(router, deps, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    out = io.StringIO()
    console = ConsoleChannel(router, "console-staff", stdin=io.StringIO(), stdout=out, interactive=False)
    console.files_dir = blocker
    await console.send_line(f"/start {await new_code(deps, Role.STAFF, None)}")
    await console.send_line("/bieudo")
    assert "Không lưu được tệp bieu-do-" in out.getvalue()
