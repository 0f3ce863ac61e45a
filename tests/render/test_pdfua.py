"""PDF/UA: tagged structure, language, embedded bundled fonts, running heads and page numbers as artifacts."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from bantin.render.pdf import render_pdf
from bantin.render.pdfua import finish_pdf, mark_margin_boxes_as_artifacts
from bantin.render.profiles import PROFILES
from testing_utils import A4_PT, SAMPLE_TITLE, artifact_count, page_boxes, pdf_structure_problems


@pytest.mark.parametrize("code", ["vi", "en", "km"])
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


def test_margin_boxes_are_left_alone_once_they_are_artifacts(sample_pdf) -> None:
    """Post-processing is idempotent: a finished PDF has no orphan marked content left, and finishing it again changes nothing."""
    data = sample_pdf.path.read_bytes()
    with pikepdf.open(sample_pdf.path) as pdf:
        assert mark_margin_boxes_as_artifacts(pdf) == 0
    assert finish_pdf(data) == finish_pdf(finish_pdf(data))


def test_tagged_pdf_ua_with_language(sample_pdf) -> None:
    with pikepdf.open(sample_pdf.path) as pdf:
        assert str(pdf.Root.Lang) == "vi"
        assert "/StructTreeRoot" in pdf.Root
        assert bool(pdf.Root.MarkInfo.Marked)
        assert str(pdf.docinfo["/Title"]) == SAMPLE_TITLE


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


def test_print_marks_add_bleed_and_marks(sample_variant, tmp_path: Path) -> None:
    result = render_pdf(sample_variant, "a4", tmp_path / "marks.pdf", print_marks=True)
    boxes = page_boxes(result.path)
    bleed = round(3 / 25.4 * 72, 2)
    assert boxes["TrimBox"] == (0, 0, *A4_PT)
    assert boxes["BleedBox"] == pytest.approx((-bleed, -bleed, A4_PT[0] + bleed, A4_PT[1] + bleed), abs=0.02)
    media = boxes["MediaBox"]
    assert media[0] <= -bleed and media[2] >= A4_PT[0] + bleed
    assert pdf_structure_problems(result.path, "vi") == []
