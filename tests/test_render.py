"""Render: real WeasyPrint PDFs with bundled fonts, checked by extracting them back."""

from __future__ import annotations

import dataclasses
import unicodedata
from pathlib import Path

import pikepdf
import pytest

from bantin.errors import UnknownProfileError
from bantin.content.model import Paragraph
from bantin.render.core import SafeFetcher, build_html, get_profile, render_pdf
from bantin.paths import ASSETS_DIR

from testing_utils import SAMPLE_TITLE, pdf_text


@pytest.fixture(scope="module")
def sample_pdf(sample_variant, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("render") / "sample.vi.a4.pdf"
    return render_pdf(sample_variant, "a4", out)


def test_text_extracts_with_every_diacritic(sample_pdf, sample_bulletin) -> None:
    text = pdf_text(sample_pdf.path)
    assert unicodedata.is_normalized("NFC", text)
    assert SAMPLE_TITLE in text
    for p in sample_bulletin.paragraphs:
        assert p.text in text
    assert "Trang 1/2" in text and "Trang 2/2" in text  # localized page numbers
    assert "Trung tâm Văn hóa - Thể thao và Truyền thông" in text
    assert sample_pdf.pages == 2


def test_fonts_are_bundled_embedded_and_cover_vietnamese(sample_pdf) -> None:
    with pikepdf.open(sample_pdf.path) as pdf:
        fonts = {}
        for page in pdf.pages:
            for _, font in page.Resources.Font.items():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                desc = descendant.FontDescriptor
                fonts[str(font.BaseFont)] = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values()), fonts
    assert all("Noto" in name for name in fonts)  # never a machine font


def test_tagged_pdf_ua_with_language(sample_pdf) -> None:
    with pikepdf.open(sample_pdf.path) as pdf:
        assert str(pdf.Root.Lang) == "vi"
        assert "/StructTreeRoot" in pdf.Root
        assert bool(pdf.Root.MarkInfo.Marked)
        assert str(pdf.docinfo["/Title"]) == SAMPLE_TITLE


def test_rerender_is_byte_identical_and_not_rewritten(sample_variant, sample_pdf) -> None:
    mtime = sample_pdf.path.stat().st_mtime_ns
    again = render_pdf(sample_variant, "a4", sample_pdf.path)
    assert again.sha256 == sample_pdf.sha256
    assert sample_pdf.path.stat().st_mtime_ns == mtime
    other = sample_pdf.path.with_name("copy.pdf")
    assert render_pdf(sample_variant, "a4", other).sha256 == sample_pdf.sha256


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


def test_fetcher_serves_only_own_assets(tmp_path: Path) -> None:
    assets = tmp_path / "bulletin-assets"
    assets.mkdir()
    (assets / "a.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    fetcher = SafeFetcher((ASSETS_DIR, assets))
    assert fetcher.fetch((assets / "a.svg").as_uri()).read()
    assert fetcher.fetch((ASSETS_DIR / "css" / "base.css").as_uri()).read()
    for url in (
        "file:///etc/passwd",
        f"file://{assets}/../secret.txt",
        "http://example.invalid/x.png",
        "https://example.invalid/x.png",
        "data:text/plain;base64," + "A" * 300_000,
    ):
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 5


def test_unknown_profile_lists_known() -> None:
    with pytest.raises(UnknownProfileError, match="Known profiles: a4"):
        get_profile("a3")


def test_rendering_logs_nothing_unexpected(sample_variant, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Like WeasyPrint's own tests: a clean render emits no warnings or errors (an ignored font would)."""
    with caplog.at_level("WARNING"):
        render_pdf(sample_variant, "a4", tmp_path / "clean.pdf")
    assert [r.getMessage() for r in caplog.records if r.levelno >= 30] == []
