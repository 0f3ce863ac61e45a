"""Word documents: mammoth, then the saved-page reader; small .docx files are built in the test (docx_files)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from docx_files import LEAD, SECOND, bulletin_docx, docx, image, para

from bantin.content import docx as docx_module
from bantin.content.docx import PHOTO_NOT_EXTRACTED, docx_to_html, read_bulletin_docx
from bantin.content.model import BulletList, Paragraph, Photo
from bantin.errors import IngestError


def test_a_word_bulletin_keeps_its_structure() -> None:
    bulletin = read_bulletin_docx(bulletin_docx(), "ban-tin.docx")
    assert bulletin.title == "Hội nghị giao ban công tác dân vận quý II"
    assert bulletin.date == dt.date(2024, 6, 28) and bulletin.time_of_day == "sáng" and bulletin.place == "Hội trường huyện ủy"
    assert bulletin.body[0] == Paragraph(LEAD)
    assert bulletin.body[1] == Paragraph(SECOND)  # bold in Word: the text, not lost
    photo = bulletin.body[2]
    assert isinstance(photo, Photo) and photo.src is None
    assert photo.alt == f"{PHOTO_NOT_EXTRACTED}. Mô tả ảnh: Quang cảnh hội nghị giao ban"
    assert bulletin.body[3] == Paragraph("Hội nghị đánh giá cao kết quả đạt được:")
    assert bulletin.body[4] == BulletList(("Tiêm chủng đạt 95,5% kế hoạch", "Xây dựng 12 nhà đại đoàn kết"))
    assert len(bulletin.body) == 5
    assert (bulletin.byline, bulletin.byline_label) == ("Hà My", "Tin")  # "Tin:" stays a text credit, never "Tin, ảnh"


def test_images_are_placeholders_never_data() -> None:
    html = docx_to_html(bulletin_docx(), "x.docx")
    assert "data:" not in html and 'alt="Quang cảnh hội nghị giao ban"' in html
    assert "<title>Hội nghị giao ban công tác dân vận quý II</title>" in html


def test_a_bold_first_line_is_the_title_and_a_sign_off_the_byline() -> None:
    data = docx(
        para("Ra quân tổng vệ sinh môi trường", bold=True),
        para(LEAD),
        para(SECOND),
        para("Hà My – Trung tâm VH-TT&TT huyện"),
    )
    bulletin = read_bulletin_docx(data, "ve-sinh.docx")
    assert bulletin.title == "Ra quân tổng vệ sinh môi trường"
    assert bulletin.body == (Paragraph(LEAD), Paragraph(SECOND))
    assert (bulletin.byline, bulletin.byline_label) == ("Hà My – Trung tâm VH-TT&TT huyện", "Tin")


def test_the_date_argument_wins_when_the_document_states_none() -> None:
    text = "Các đại biểu đã thảo luận nhiều nội dung quan trọng và thống nhất phương hướng nhiệm vụ trong thời gian tới."
    data = docx(para("Tin ngắn", heading=True), para(text))
    with pytest.raises(IngestError, match="states no date"):
        read_bulletin_docx(data, "ngan.docx")
    assert read_bulletin_docx(data, "ngan.docx", date=dt.date(2024, 7, 1)).date == dt.date(2024, 7, 1)


def _zip(parts: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_zip({"mimetype": "application/epub+zip", "OEBPS/x.xhtml": "<p/>"}), "not a Word document (no word/document.xml)"),
        (b"PK\x03\x04 not really a zip", "not a readable ZIP archive"),
        (docx(document="<w:document this is not XML"), "cannot be read as a Word document"),
        (
            docx(document='<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]><w:document>&lol;</w:document>'),
            "part word/document.xml declares a DTD",
        ),
        (docx(image("chỉ có ảnh")), "is an empty Word document"),
    ],
    ids=["other-zip", "broken-zip", "broken-xml", "dtd", "no-text"],
)
def test_unreadable_documents_are_refused_in_one_line(data: bytes, expected: str) -> None:
    with pytest.raises(IngestError) as err:
        read_bulletin_docx(data, "tai-lieu.docx")
    message = str(err.value)
    assert message.startswith("tai-lieu.docx: ") and expected in message and "\n" not in message


def test_archive_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Member count and the declared unpacked size are bounded before mammoth opens anything."""
    many = docx(para("Tiêu đề"), para(LEAD), extra={f"word/media/x{i}.png": b"" for i in range(docx_module.DOCX_MAX_MEMBERS)})
    with pytest.raises(IngestError, match=r"holds 10\d\d parts, more than a Word document has"):
        read_bulletin_docx(many, "nhieu.docx")
    monkeypatch.setattr(docx_module, "DOCX_MAX_UNCOMPRESSED", 200_000)
    bomb = docx(para("Tiêu đề"), para(LEAD), extra={"word/media/zeros.png": bytes(300_000)})
    assert len(bomb) < 20_000  # small on the wire, large unpacked
    with pytest.raises(IngestError, match=r"unpacks to 3\d{5} bytes"):
        read_bulletin_docx(bomb, "bom.docx")
