"""The commune's results report draft: the figures in place, in Vietnamese, as text and as a Word document."""

from __future__ import annotations

import io

import docx

from bot.render.commune_report import in_sentence, report_docx, report_text, vi_decimal, vi_int
from bot.services import progress
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
