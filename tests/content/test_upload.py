"""Uploads and pasted text are read as what their bytes are, never by their name; bad bytes fail in one line."""

from __future__ import annotations

import codecs
import datetime as dt

import pytest
from docx_files import LEAD, SECOND, bulletin_docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bantin.content import upload as upload_module
from bantin.content.model import Paragraph
from bantin.content.upload import looks_like_html, read_pasted, read_upload, sniff
from bantin.errors import IngestError, InputError
from testing_utils import DATA

TEXT = f"Hội nghị giao ban công tác dân vận quý II\n\n{LEAD}\n\n{SECOND}\n\nTin: Hà My\n"
PAGE = (
    "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Hội nghị giao ban công tác dân vận quý II</title></head>"
    f"<body><article><h1>Hội nghị giao ban công tác dân vận quý II</h1><p>{LEAD}</p><p>{SECOND}</p></article></body></html>"
)


@pytest.mark.parametrize("name", ["ban-tin.docx", "ban-tin.txt", "ban-tin.html", "", "khong-duoi"])
def test_the_content_decides_not_the_name(name: str) -> None:
    word = read_upload(bulletin_docx(), name)
    assert word.title == "Hội nghị giao ban công tác dân vận quý II" and word.byline_label == "Tin"
    page = read_upload(PAGE.encode(), name)
    assert page.title == "Hội nghị giao ban công tác dân vận quý II" and page.body[:2] == (Paragraph(LEAD), Paragraph(SECOND))
    text = read_upload(TEXT.encode(), name)
    assert text.title == "Hội nghị giao ban công tác dân vận quý II" and (text.byline, text.byline_label) == ("Hà My", "Tin")


def test_a_saved_portal_page_and_bom_text() -> None:
    portal = read_upload((DATA / "html" / "daknong-dan-van-quy-ii-2024.html").read_bytes(), "trang.txt")
    assert portal.date == dt.date(2024, 6, 28) and not portal.title.startswith("<")
    assert read_upload(codecs.BOM_UTF8 + TEXT.encode(), "bom.txt").title == "Hội nghị giao ban công tác dân vận quý II"
    assert read_upload(PAGE.encode("utf-16"), "utf16.htm").title == "Hội nghị giao ban công tác dân vận quý II"


def test_pasted_html_is_read_as_html() -> None:
    """The issue's case: raw HTML pasted into "Nội dung bản tin" made a bulletin titled "<!DOCTYPE html>"."""
    bulletin = read_pasted(PAGE)
    assert bulletin.title == "Hội nghị giao ban công tác dân vận quý II"
    assert all("<" not in b.text for b in bulletin.body if isinstance(b, Paragraph))
    fragment = read_pasted(f"<h1>Hội nghị giao ban quý II</h1>\n<p>{LEAD}</p>\n<p>{SECOND}</p>")
    assert fragment.title == "Hội nghị giao ban quý II" and fragment.body[0] == Paragraph(LEAD)
    assert read_pasted(TEXT).byline == "Hà My"


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("<!DOCTYPE html><html><body><p>x</p></body></html>", True),
        ("\ufeff  <!doctype HTML>\n<title>x</title>", True),
        ('<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x">', True),
        ("<html lang='vi'>", True),
        ("Tiêu đề\n\n<body>", True),
        ("<p>Đoạn một.</p><p>Đoạn hai.</p>", True),
        ('<div class="sapo"><strong>Sáng 28/6</strong></div>', True),
        ("Giá lúa tăng <5% so với quý trước\n\nĐoạn hai.", False),
        ("<Tin nóng> Hội nghị giao ban\n\nSáng 28/6/2024, ...", False),
        ("Hội nghị giao ban\n\nMột dòng có <b> nhưng không bắt đầu bằng thẻ.", False),
        ("", False),
    ],
)
def test_looks_like_html(text: str, html: bool) -> None:
    assert looks_like_html(text) is html


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "is empty"),
        (b"  \n\t ", "is empty"),
        (b"Ti\xeau \x00\x00 \x00 \x00", "looks like binary data"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "is an old Word document (.doc)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "is a PDF file"),
        (b"\x89PNG\r\n\x1a\n" + bytes(40), "is a PNG image"),
        (b"\xff\xd8\xff\xe0" + bytes(40), "is a JPEG image"),
        (b"PK\x03\x04\x14\x00" + bytes(40), "not a readable ZIP archive"),
        (b"\xff\xfe\x00\xd8", "not valid UTF-16"),
    ],
)
def test_bad_uploads_are_refused_in_one_line(data: bytes, expected: str) -> None:
    with pytest.raises(IngestError) as err:
        read_upload(data, "tep-tai-len.txt")
    message = str(err.value)
    assert message.startswith("tep-tai-len.txt: ") and expected in message and "\n" not in message


def test_the_size_limit_comes_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upload_module, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(IngestError, match=r"1001 bytes is too large for an upload \(limit 1000\)"):
        read_upload(b"a" * 1001, "lon.txt")
    assert read_upload(TEXT.encode()[:1000], "vua.txt").title  # at the limit: read


def test_a_name_with_control_characters_is_shown_escaped() -> None:
    with pytest.raises(IngestError) as err:
        read_upload(b"", "x\x1b[31m.txt")
    assert "\x1b" not in str(err.value) and "\\x1b" in str(err.value)


def test_sniff() -> None:
    assert sniff(bulletin_docx()) == "docx"
    assert sniff(PAGE.encode()) == "html" and sniff(TEXT.encode()) == "text"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from([b"", b"PK\x03\x04", b"<!DOCTYPE html><html><body>", b"<p>", codecs.BOM_UTF8, b"\xff\xfe", b"Ti\xc3\xaau \xc4\x91\xe1\xbb\x81\n\n"]),
    data=st.binary(max_size=600),
)
def test_random_bytes_fail_only_as_input_errors(prefix: bytes, data: bytes) -> None:
    """Whatever is uploaded, read_upload answers with a bulletin or one InputError line, never another exception."""
    try:
        read_upload(prefix + data, "ngau-nhien.bin", date=dt.date(2024, 6, 28))
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("ngau-nhien.bin")


@settings(max_examples=30, deadline=None)
@given(st.binary(min_size=1, max_size=400))
def test_random_bytes_inside_a_word_archive(payload: bytes) -> None:
    """A .docx whose document part is random bytes: an IngestError naming the file."""
    from docx_files import docx

    with pytest.raises(IngestError, match=r"^doc\.docx: "):
        read_upload(docx(document=payload.decode("latin-1")), "doc.docx")
