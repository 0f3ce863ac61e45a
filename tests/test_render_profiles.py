"""Profiles, structure, print marks, large print, Khmer shaping, hyphenation, QR, previews, cache and isolation.

Every PDF is rendered by the real WeasyPrint with the bundled fonts and checked
with pikepdf (structure), pdfplumber (glyph sizes) and pypdfium2 (text, preview).
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import unicodedata
from pathlib import Path

import pikepdf
import pytest

from bantin.errors import RenderError
from bantin.content.model import Paragraph, Photo
from bantin.render.core import PROFILES, RenderJob, RenderResult, render_isolated, render_many, render_pdf

from testing_utils import (
    A4_PT,
    A5_PT,
    DATA,
    KHMER_SENTENCES,
    artifact_count,
    char_sizes,
    glyph_ids,
    make_variant,
    mean_pixel_difference,
    page_boxes,
    pdf_structure_problems,
    pdf_text,
)

LOCALES = ("vi", "en", "km")
GOLDEN = DATA / "golden"


@pytest.fixture(scope="module")
def variants(sample_variant, sample_bulletin) -> dict:
    return {"vi": sample_variant, "en": make_variant(sample_bulletin, "en"), "km": make_variant(sample_bulletin, "km")}


@pytest.fixture(scope="module")
def rendered(variants, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], RenderResult]:
    """All 9 PDFs (3 locales × 3 profiles), through the parallel child-process path."""
    out = tmp_path_factory.mktemp("profiles")
    jobs = [RenderJob(variants[code], name, out / code / f"b.{code}.{name}.pdf") for code in LOCALES for name in PROFILES]
    results = render_many(jobs)
    assert all(isinstance(r, RenderResult) for r in results), results
    return {(r.locale, r.profile): r for r in results}


def test_registry_has_the_three_profiles() -> None:
    assert list(PROFILES) == ["a4", "a5", "large-print"]
    for profile in PROFILES.values():
        assert profile.stylesheet_path.is_file()


@pytest.mark.parametrize("code", LOCALES)
@pytest.mark.parametrize("profile", list(PROFILES))
def test_every_pdf_passes_the_structure_checks(rendered, code: str, profile: str) -> None:
    result = rendered[(code, profile)]
    assert pdf_structure_problems(result.path, code) == []
    # Running head and page number of every page are artifacts, not content.
    counts = artifact_count(result.path)
    assert len(counts) == result.pages and min(counts) >= 2, counts


def test_structure_checks_catch_what_they_claim(rendered, tmp_path: Path) -> None:
    """The checker itself fails on a PDF that lacks what PDF/UA needs."""
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(rendered[("vi", "a4")].path) as pdf:
        del pdf.Root["/MarkInfo"]
        del pdf.Root["/ViewerPreferences"]
        pdf.Root.Lang = pikepdf.String("en")
        for el in pdf.Root.StructTreeRoot.ParentTree.Nums[1]:
            if isinstance(el, pikepdf.Dictionary) and str(el.S) == "/Figure":
                del el["/Alt"]
        pdf.save(broken)
    problems = " | ".join(pdf_structure_problems(broken, "vi"))
    for needle in ("MarkInfo", "/Lang", "DisplayDocTitle", "/Figure has no /Alt"):
        assert needle in problems


@pytest.mark.parametrize(("profile", "size"), [("a4", A4_PT), ("a5", A5_PT), ("large-print", A4_PT)])
def test_page_boxes_match_the_profile(rendered, profile: str, size: tuple[float, float]) -> None:
    boxes = page_boxes(rendered[("vi", profile)].path)
    assert boxes["TrimBox"] == (0, 0, *size)
    assert boxes["MediaBox"] == (0, 0, *size)


def test_print_marks_add_bleed_and_marks(sample_variant, tmp_path: Path) -> None:
    result = render_pdf(sample_variant, "a4", tmp_path / "marks.pdf", print_marks=True)
    boxes = page_boxes(result.path)
    bleed = round(3 / 25.4 * 72, 2)
    assert boxes["TrimBox"] == (0, 0, *A4_PT)
    assert boxes["BleedBox"] == pytest.approx((-bleed, -bleed, A4_PT[0] + bleed, A4_PT[1] + bleed), abs=0.02)
    media = boxes["MediaBox"]
    assert media[0] <= -bleed and media[2] >= A4_PT[0] + bleed
    assert pdf_structure_problems(result.path, "vi") == []


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


def test_large_print_glyphs_are_18pt_or_more_and_sans(rendered) -> None:
    for code in LOCALES:
        path = rendered[(code, "large-print")].path
        sizes = [size for _, size in char_sizes(path)]
        assert sizes and min(sizes) >= 18 - 0.01, (code, min(sizes))
    # The standard profile is the control: its body text is smaller.
    assert min(size for _, size in char_sizes(rendered[("vi", "a4")].path)) < 12
    with pikepdf.open(rendered[("vi", "large-print")].path) as pdf:
        names = {str(f.BaseFont) for page in pdf.pages for _, f in page.Resources.Font.items()}
    assert names and all("Sans" in n and "Serif" not in n and "Italic" not in n for n in names), names


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


def _narrow(variant, width: str = "32mm") -> str:
    return f"main p {{ width: {width}; text-align: left; }}"


def test_vietnamese_is_never_hyphenated_but_english_is(variants, tmp_path: Path) -> None:
    """A very narrow column: English (lang en, hyphens auto) breaks words with a hyphen, Vietnamese never does."""
    hyphens = ("\u2010", "\u00ad")
    vi = render_pdf(variants["vi"], "a4", tmp_path / "vi.pdf", extra_css=_narrow(variants["vi"]))
    vi_text = pdf_text(vi.path)
    source = " ".join(p.text for p in variants["vi"].bulletin.paragraphs)
    assert not any(h in vi_text for h in hyphens)
    assert vi_text.count("-") <= source.count("-") + variants["vi"].bulletin.title.count("-") + 10  # only the source's own dashes
    en = render_pdf(variants["en"], "a4", tmp_path / "en.pdf", extra_css=_narrow(variants["en"]))
    assert any(h in pdf_text(en.path) for h in hyphens)


def test_rerender_in_a_child_is_byte_identical(rendered, variants, tmp_path: Path) -> None:
    first = rendered[("km", "a5")]
    again = render_isolated(RenderJob(variants["km"], "a5", tmp_path / first.path.name, force=True))
    assert again.sha256 == first.sha256 and again.path.read_bytes() == first.path.read_bytes()
    assert again.preview is not None and again.preview.read_bytes() == first.preview.read_bytes()


def test_unchanged_pdf_is_skipped_and_force_rerenders(sample_variant, tmp_path: Path) -> None:
    out = tmp_path / "cache.pdf"
    first = render_pdf(sample_variant, "a5", out)
    assert not first.cached and first.preview == out.with_suffix(".png") and first.preview.is_file()
    mtime = out.stat().st_mtime_ns
    second = render_pdf(sample_variant, "a5", out)
    assert second.cached and second.sha256 == first.sha256 and second.pages == first.pages
    forced = render_pdf(sample_variant, "a5", out, force=True)
    assert not forced.cached and forced.sha256 == first.sha256
    assert out.stat().st_mtime_ns == mtime  # same bytes: not rewritten even when forced
    changed = render_pdf(sample_variant, "a5", out, print_marks=True)
    assert not changed.cached and changed.sha256 != first.sha256
    out.write_bytes(b"%PDF-1.7 tampered")
    assert not render_pdf(sample_variant, "a5", out, print_marks=True).cached


def test_qr_code_links_to_the_online_page(sample_variant, tmp_path: Path) -> None:
    base = "https://bantin.example.org/ban-tin"
    result = render_pdf(sample_variant, "a4", tmp_path / "qr.pdf", public_url=base + "/")
    url = f"{base}/{sample_variant.bulletin.id}/vi/"
    # pdfium reports a hyphen that ends a line as U+FFFE.
    assert url in pdf_text(result.path).replace(" ", "").replace("\ufffe", "-")
    assert result.refused_urls == ()
    with pikepdf.open(result.path) as pdf:
        from testing_utils import struct_elements

        alts = [str(el.Alt) for el in struct_elements(pdf) if str(el.S) == "/Figure"]
    assert "Mã QR: nghe và đọc bản tin này trực tuyến" in alts
    assert pdf_structure_problems(result.path, "vi") == []
    plain = render_pdf(sample_variant, "a4", tmp_path / "plain.pdf")
    assert "trực tuyến" not in pdf_text(plain.path)


def test_refused_asset_is_logged_and_rendering_goes_on(sample_variant, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assets = tmp_path / "assets"
    assets.mkdir()
    (tmp_path / "secret.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    body = (Paragraph("Đoạn văn trước ảnh."), Photo("Chú thích", "Ảnh ngoài thư mục", src="../secret.svg"))
    variant = dataclasses.replace(sample_variant, bulletin=dataclasses.replace(sample_variant.bulletin, body=body))
    with caplog.at_level("WARNING"):
        result = render_isolated(RenderJob(variant, "a4", tmp_path / "out" / "refused.pdf", assets))
    assert result.refused_urls == ((tmp_path / "secret.svg").as_uri(),)
    assert "Đoạn văn trước ảnh." in pdf_text(result.path)
    assert any("refused to fetch" in r.getMessage() for r in caplog.records)


def test_injected_markup_in_a_child_render_fetches_and_runs_nothing(sample_variant, tmp_path: Path) -> None:
    evil = '<script>document.write("x")</script><img src="file:///etc/passwd"><link rel=stylesheet href="http://example.invalid/x.css"> {{ 7*7 }}'
    b = dataclasses.replace(sample_variant.bulletin, body=(Paragraph(evil),), source=evil)
    result = render_isolated(RenderJob(dataclasses.replace(sample_variant, bulletin=b), "large-print", tmp_path / "evil.pdf"))
    text = pdf_text(result.path)
    assert '<script>document.write("x")</script>' in text and "{{ 7*7 }}" in text
    assert result.refused_urls == ()


def test_a_render_that_runs_too_long_is_stopped(sample_variant, tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"took longer than 0.01 s.*BANTIN_RENDER_TIMEOUT"):
        render_isolated(RenderJob(sample_variant, "a4", tmp_path / "slow.pdf"), timeout_s=0.01)
    assert not (tmp_path / "slow.pdf").exists()


def test_a_render_that_grows_too_big_is_stopped(sample_variant, tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"(50 MiB).*BANTIN_RENDER_MEMORY_MB"):
        render_isolated(RenderJob(sample_variant, "a4", tmp_path / "big.pdf"), memory_mb=50)
    assert not (tmp_path / "big.pdf").exists()


@pytest.mark.parametrize(("code", "profile"), [("vi", "a4"), ("vi", "large-print"), ("km", "a5")])
def test_page_one_matches_the_golden_preview(rendered, code: str, profile: str) -> None:
    """Layout regressions show up as pixel differences. Regenerate with BANTIN_UPDATE_GOLDEN=1."""
    preview = rendered[(code, profile)].preview
    assert preview is not None and preview.is_file()
    golden = GOLDEN / f"{code}.{profile}.png"
    if os.environ.get("BANTIN_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(preview, golden)
    assert golden.is_file(), f"{golden} missing: run BANTIN_UPDATE_GOLDEN=1 pytest {__file__}"
    assert mean_pixel_difference(preview, golden) < 1.5
    # The comparison is sharp enough to see a different page.
    other = rendered[("en" if code != "en" else "vi", profile)].preview
    assert mean_pixel_difference(other, golden) >= 1.5
