"""The variant as HTML and page CSS, checked in real PDFs: escaping, page chrome, scripts, hyphenation, QR code."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from pathlib import Path

import pikepdf
import pytest

from bantin.content.model import Paragraph
from bantin.render.html import build_html
from bantin.render.pdf import render_pdf
from bantin.render.profiles import PROFILES
from testing_utils import KHMER_SENTENCES, glyph_ids, pdf_structure_problems, pdf_text, struct_elements


def test_injected_markup_prints_literally_and_fetches_nothing(sample_variant, tmp_path: Path) -> None:
    evil = "<script>alert(1)</script> <img src=file:///etc/passwd> {{ 7*7 }} <link rel=stylesheet href=http://example.invalid/x.css>"
    b = dataclasses.replace(sample_variant.bulletin, body=(Paragraph(evil),), title="Tiêu đề <b>đậm</b>")
    variant = dataclasses.replace(sample_variant, bulletin=b)
    html = build_html(variant)
    assert "<script>" not in html and "&lt;script&gt;" in html and "{{ 7*7 }}" in html
    result = render_pdf(variant, "a4", tmp_path / "evil.pdf")
    text = pdf_text(result.path)
    assert "<script>alert(1)</script>" in text and "{{ 7*7 }}" in text and "Tiêu đề <b>đậm</b>" in text
    assert result.refused_urls == ()  # escaped markup is text: nothing was even requested


@pytest.mark.parametrize("profile", list(PROFILES))
def test_text_has_every_paragraph_in_nfc(rendered, sample_bulletin, profile: str) -> None:
    result = rendered[("vi", profile)]
    text = pdf_text(result.path)
    assert unicodedata.is_normalized("NFC", text)
    head = f"{sample_bulletin.source} · Thứ Sáu, 28 tháng 6, 2024"  # header: source and the date in the locale's format
    assert text.count(head) == result.pages
    for n in range(1, result.pages + 1):
        assert f"Trang {n}/{result.pages}" in text
    body = re.sub(r"\s+", " ", re.sub(r"Trang \d+/\d+", " ", text.replace(head, " ")))
    for p in sample_bulletin.paragraphs:
        assert p.text in body


def test_khmer_shapes_without_notdef(rendered) -> None:
    for profile in PROFILES:
        path = rendered[("km", profile)].path
        gids = glyph_ids(path)
        assert gids and 0 not in gids  # glyph 0 is .notdef: a box
        with pikepdf.open(path) as pdf:
            names = {str(f.BaseFont) for page in pdf.pages for _, f in page.Resources.Font.items()}
        assert any("Khmer" in n for n in names), names
        text = pdf_text(path)
        assert any("\u1780" <= ch <= "\u17ff" for ch in text)
        assert "ខេត្ត" in "".join(KHMER_SENTENCES)


def _narrow(width: str = "32mm") -> str:
    return f"main p {{ width: {width}; text-align: left; }}"


def _glyph_text(path: Path) -> str:
    """What is printed, glyph by glyph (pdfplumber ignores /ActualText): hyphens a line break added included."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def test_vietnamese_is_never_hyphenated_but_english_is_in_print_only(variants, tmp_path: Path) -> None:
    """A very narrow column: English (lang en, hyphens auto) breaks words with a hyphen, Vietnamese never does.

    The hyphen is printed but not in the text layer: there the word reads whole, as in the source.
    """
    hyphens = ("\u2010", "\u00ad")
    vi = render_pdf(variants["vi"], "a5", tmp_path / "vi.pdf", extra_css=_narrow())
    vi_text = pdf_text(vi.path)
    source = " ".join(p.text for p in variants["vi"].bulletin.paragraphs)
    assert not any(h in vi_text or h in _glyph_text(vi.path) for h in hyphens)
    assert vi_text.count("-") <= source.count("-") + variants["vi"].bulletin.title.count("-") + 10  # only the source's own dashes
    en = render_pdf(variants["en"], "a5", tmp_path / "en.pdf", extra_css=_narrow())
    printed, text = _glyph_text(en.path), pdf_text(en.path)
    assert printed.count("\u2010") > 10
    assert not any(h in text for h in hyphens) and "\ufffe" not in text
    squeezed = "".join(text.split())
    assert "".join(variants["en"].bulletin.paragraphs[0].text.split()) in squeezed


def test_qr_code_links_to_the_online_page(sample_variant, tmp_path: Path) -> None:
    base = "https://bantin.example.org/ban-tin"
    result = render_pdf(sample_variant, "a4", tmp_path / "qr.pdf", public_url=base + "/")
    url = f"{base}/{sample_variant.bulletin.id}/vi/"
    # pdfium reports a hyphen that ends a line as U+FFFE.
    assert url in pdf_text(result.path).replace(" ", "").replace("\ufffe", "-")
    assert result.refused_urls == ()
    with pikepdf.open(result.path) as pdf:
        alts = [str(el.Alt) for el in struct_elements(pdf) if str(el.S) == "/Figure"]
    assert "Mã QR: nghe và đọc bản tin này trực tuyến" in alts
    assert pdf_structure_problems(result.path, "vi") == []
    plain = render_pdf(sample_variant, "a4", tmp_path / "plain.pdf")
    assert "trực tuyến" not in pdf_text(plain.path)
