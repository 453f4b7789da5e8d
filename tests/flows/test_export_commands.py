"""/bieudo and /xuat in chat: a leader gets their own team, staff the commune (and the report draft), members are
refused the export; the default period is the current quarter; a workbook too big for a chat points to the CLI."""

from __future__ import annotations

import io

import docx
import openpyxl
from sqlmodel import select

from bot import texts as T
from bot.core.roles import Role
from bot.handlers import exports
from bot.services import progress
from bot.services.visits import EditRules
from bot.store.models import AuditEntry
from tests.chat import joined
from tests.export_commune import build
from tests.render.test_chart import size

PNG = b"\x89PNG\r\n\x1a\n"


def _book(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def _column(ws, header: str) -> list[object]:
    rows = list(ws.iter_rows(values_only=True))
    index = rows[0].index(header)
    return [r[index] for r in rows[1:]]


async def test_a_leader_exports_their_own_team_only(router, deps):
    await build(deps.store, EditRules.of(deps.config))
    leader = await joined(router, deps, "lead", Role.LEADER, "T01")

    replies = await leader.say("/xuat")  # the current quarter: the clock says 20/11/2026
    assert len(replies) == 1
    name, content = replies[0].document
    assert name == "so-tay-2026-Q4-T01.xlsx"
    assert "Thôn Đông Tạ, quý IV/2026: 3 hộ, 3 lần đến hộ" in replies[0].text
    book = _book(content)
    assert _column(book["Tổng hợp"], "Mã tổ") == ["T01"]
    assert set(_column(book["Hộ"], "Tổ")) == set(_column(book["Lượt"], "Tổ")) == {"Thôn Đông Tạ"}
    period = deps.config.reporting.windows.parse("2026-Q4")
    async with deps.store.session() as s:
        figures = await progress.team_figures(s, deps.config, "T01", period)
    assert _column(book["Tổng hợp"], "Lượt người được hướng dẫn") == [figures.luot]
    assert _column(book["Thành viên"], "Họ tên") == [m.name for m in figures.members]

    await leader.say("/xuat 2026-Q4 T02")
    assert leader.text == T.EXPORT_OWN_TEAM_ONLY.format(team="Thôn Đông Tạ")
    await leader.say("/xuat 2026-11")
    assert leader.last.document[0] == "so-tay-2026-11-T01.xlsx"
    async with deps.store.session() as s:
        audits = (await s.exec(select(AuditEntry).where(AuditEntry.action == "export"))).all()
    assert [(a.entity_id, a.detail["team"], a.detail["rows"]["Lượt"]) for a in audits] == [
        ("2026-Q4", "T01", 3),
        ("2026-11", "T01", 3),
    ]


async def test_staff_get_the_commune_and_the_report_draft(router, deps):
    await build(deps.store, EditRules.of(deps.config))
    staff = await joined(router, deps, "staff", Role.STAFF, None)

    workbook, text, document = await staff.say("/xuat 2026-q4")
    assert workbook.document[0] == "so-tay-2026-Q4-toan-xa.xlsx"
    assert _column(_book(workbook.document[1])["Tổng hợp"], "Mã tổ") == ["T01", "T02", "T03", "T04", "T05", "Toàn xã"]
    assert "hướng dẫn 6 lượt người dân tại 3 hộ (4 lần đến hộ)" in text.text
    assert document.document[0] == "bao-cao-2026-Q4.docx"
    assert "BÁO CÁO" in [p.text for p in docx.Document(io.BytesIO(document.document[1])).paragraphs]

    (one_team,) = await staff.say("/xuat T02 2026-Q4")  # a team named: that team, no commune report
    assert one_team.document[0] == "so-tay-2026-Q4-T02.xlsx"


async def test_members_are_refused_the_export(router, deps):
    member = await joined(router, deps, "mem", Role.MEMBER, "T01")
    await member.say("/xuat")
    assert member.text == T.NOT_ALLOWED


async def test_a_wrong_period_gets_examples(router, deps):
    leader = await joined(router, deps, "lead", Role.LEADER, "T01")
    await leader.say("/xuat quy4")
    assert leader.text == T.PERIOD_BAD_KEY.format(key="quy4", command="xuat", example="2026-Q4")
    await leader.say("/bieudo 2026-13")
    assert "Không hiểu kỳ “2026-13”" in leader.text and "/bieudo 2026-Q4" in leader.text


async def test_too_many_visits_for_a_chat_point_to_the_command_line(router, deps, monkeypatch):
    await build(deps.store, EditRules.of(deps.config))
    monkeypatch.setattr(exports, "CHAT_MAX_VISITS", 2)
    leader = await joined(router, deps, "lead", Role.LEADER, "T01")
    (reply,) = await leader.say("/xuat 2026-Q4")
    assert reply.document is None
    assert "3 lần đến hộ" in reply.text and "tối đa 2" in reply.text
    assert "sotay export --period 2026-Q4 --team T01 --out so-tay-2026-Q4-T01.xlsx" in reply.text


async def test_the_chart_of_a_team_and_of_the_commune(router, deps):
    await build(deps.store, EditRules.of(deps.config))
    member = await joined(router, deps, "mem", Role.MEMBER, "T02")
    (reply,) = await member.say("/bieudo")
    assert reply.image.startswith(PNG) and size(reply.image)[0] == 1080
    assert reply.text == "📊 Tiến độ Thôn Kiến Lao, quý IV/2026."

    staff = await joined(router, deps, "staff", Role.STAFF, None)
    (reply,) = await staff.say("/bieudo 2026-11")
    assert reply.image.startswith(PNG) and size(reply.image)[1] == 160 + 70 + 78 * 6 + 90  # five teams and the totals
    assert "tháng 11/2026" in reply.text and "/bieudo 2026-11 nentang" in reply.text
    (reply,) = await staff.say("/bieudo 2026-11 nen tang")
    assert reply.text == T.CHART_CAPTION_COVERAGE.format(period="tháng 11/2026")
    (reply,) = await staff.say("bieu do")  # the keyword, without diacritics
    assert reply.image is not None and "quý IV/2026" in reply.text
