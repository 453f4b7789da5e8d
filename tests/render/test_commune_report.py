"""The commune's results report draft: the figures in place, in Vietnamese, as text and as a Word document."""

from __future__ import annotations

import io
from datetime import datetime

import docx

from bot.core.clock import VN_TZ
from bot.render.commune_report import in_sentence, report_docx, report_text, vi_decimal, vi_int
from bot.services import progress, reports
from bot.services.visits import EditRules
from tests.export_commune import build


async def _commune(deps, key: str = "2026-Q4"):
    await build(deps.store, EditRules.of(deps.config))
    async with deps.store.session() as s:
        return await progress.commune_figures(s, deps.config, deps.config.reporting.windows.parse(key))


async def test_the_draft_has_the_figures_in_place(deps):
    figures = await _commune(deps)
    text = report_text(figures, deps.config)
    totals = figures.totals
    assert (totals.luot, totals.households_reached, totals.visits, totals.member_count) == (6, 3, 4, 4)
    assert "trên địa bàn xã Kiến Minh, quý IV/2026" in text
    assert "Xã Kiến Minh hiện có 5 Tổ công nghệ số cộng đồng" in text
    assert "toàn xã có: 4 thành viên" in text and "có 3 thành viên trực tiếp hướng dẫn" in text
    assert "hướng dẫn 6 lượt người dân tại 3 hộ (4 lần đến hộ)" in text
    assert "đạt 2% chỉ tiêu 250 lượt" in text
    assert "Cài đặt VNeID (1 lần)" in text and "Định danh điện tử mức 2 (1 lần)" in text
    assert "Thanh toán không dùng tiền mặt" not in text  # only the undone visit covered it
    assert "(3/4 hộ) đã được hướng dẫn hoặc đang sử dụng" in text  # h1, h2, h5 of h1–h3 and h5
    assert "1 hộ có người cao tuổi, 1 hộ đồng bào dân tộc thiểu số và 0 hộ chưa có thiết bị số" in text
    assert "- Thôn Đông Tạ: 5 lượt người (10% chỉ tiêu 50 lượt), 2 hộ được hướng dẫn" in text
    assert "Các tổ dẫn đầu thi đua trong kỳ: Thôn Đông Tạ (" in text
    for placeholder in ("Mô hình hay, cách làm sáng tạo", "Khó khăn, vướng mắc", "Kiến nghị, đề xuất"):
        assert f"{placeholder}: (bổ sung)" in text


async def test_the_word_document_says_the_same(deps):
    figures = await _commune(deps)
    document = docx.Document(io.BytesIO(report_docx(figures, deps.config)))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "BÁO CÁO" and document.paragraphs[0].runs[0].bold
    assert paragraphs == [line for line in report_text(figures, deps.config).split("\n") if line]
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_numbers_and_names_as_documents_write_them():
    assert (vi_int(2000), vi_int(1234567), vi_int(7)) == ("2.000", "1.234.567", "7")
    assert (vi_decimal(86.5), vi_decimal(100.0)) == ("86,5", "100")
    assert (in_sentence("Xã Kiến Minh"), in_sentence("Đặc khu Cát Hải")) == ("xã Kiến Minh", "đặc khu Cát Hải")


async def test_the_teams_own_words_come_from_their_submitted_reports(deps):
    """Submitted reports give the text parts, team by team; a draft not yet submitted, or a part nobody wrote,
    leaves the place for staff to write."""
    config = deps.config
    quarter = config.reporting.windows.parse("2026-Q4")
    now = datetime(2026, 12, 10, 9, 0, tzinfo=VN_TZ)
    figures = await _commune(deps)
    async with deps.store.session() as s:
        for team, part, text in [
            ("T01", "good_practices", "- Lập nhóm Zalo hỏi đáp VNeID\n- Đến nhà người cao tuổi buổi tối"),
            ("T01", "difficulties", "Nhiều hộ chưa có điện thoại thông minh"),
            ("T02", "good_practices", "Hướng dẫn tại nhà văn hoá thôn"),
            ("T03", "proposals", "Cấp thêm điện thoại cho tổ"),  # T03 only saves a draft
        ]:
            await reports.save_text(s, config, team, quarter, part, text, None, now)
        for team in ("T01", "T02"):
            await reports.submit(s, config, team, quarter, None, now)
        texts = await reports.submitted_texts(s, "2026-Q4")
    assert set(texts) == {"T01", "T02"}

    text = report_text(figures, config, texts)
    assert (
        "Mô hình hay, cách làm sáng tạo (theo báo cáo của các tổ):\n"
        "- Thôn Đông Tạ: Lập nhóm Zalo hỏi đáp VNeID; Đến nhà người cao tuổi buổi tối\n"
        "- Thôn Kiến Lao: Hướng dẫn tại nhà văn hoá thôn"
    ) in text
    assert "Khó khăn, vướng mắc (theo báo cáo của các tổ):\n- Thôn Đông Tạ: Nhiều hộ chưa có điện thoại" in text
    assert "Kiến nghị, đề xuất: (bổ sung)" in text and "Cấp thêm điện thoại" not in text
    document = docx.Document(io.BytesIO(report_docx(figures, config, texts)))
    assert [p.text for p in document.paragraphs] == [line for line in text.split("\n") if line]
