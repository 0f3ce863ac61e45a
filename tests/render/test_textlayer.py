"""What machines read from the PDFs: Khmer through /ActualText (pdftotext and pdfium), /Lang on untranslated elements."""

from __future__ import annotations

import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
import weasyprint

from bantin.render import textlayer
from bantin.render.pdf import render_pdf
from testing_utils import KHMER_SENTENCES, KHMER_TITLE, SAMPLE_TITLE, pdf_structure_problems, pdf_text, struct_elements

#: The real km catalog's translations the partial km variant prints (locales/km/...po and the km chrome).
KM_CAPTION = "រូបភាពនៅក្នុងសន្និសីទ"
KM_KICKER = "ព្រឹត្តិបត្រ"


def _poppler(path: Path) -> str:
    """pdftotext's reading of a PDF (UTF-8, NFC)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFC", out)


def _pdfium(path: Path) -> str:
    return unicodedata.normalize("NFC", pdf_text(path))


def _squeezed(text: str) -> str:
    """``text`` without whitespace: Khmer writes no spaces between words, so a line break may fall inside a phrase."""
    return "".join(text.split())


def _folded(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def km_partial(sample_bulletin, tmp_path_factory: pytest.TempPathFactory):
    """The sample in km through the real catalog: caption and chrome in Khmer, everything else still Vietnamese."""
    from bantin.i18n.localize import localize

    variant = localize(sample_bulletin, "km")
    return variant, render_pdf(variant, "a4", tmp_path_factory.mktemp("km-partial") / "b.km.a4.pdf")


def _actual_texts(path: Path) -> list[str]:
    """Every /ActualText of a marked-content sequence in the page content streams."""
    found: list[str] = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for instruction in pikepdf.parse_content_stream(page):
                operands = list(instruction.operands)
                if str(instruction.operator) == "BDC" and isinstance(operands[-1], pikepdf.Dictionary) and "/ActualText" in operands[-1]:
                    found.append(str(operands[-1].ActualText))
    return found


# --------------------------------------------------------------------------- the hooks


def test_the_hooks_are_installed_for_the_pinned_weasyprint() -> None:
    assert weasyprint.__version__ in textlayer.SUPPORTED_WEASYPRINT
    assert textlayer.installed()


def test_another_weasyprint_is_refused_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textlayer, "installed", lambda: False)
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    with pytest.raises(RuntimeError, match=r"checked against WeasyPrint 70\.0, not 71\.0"):
        textlayer.install()


@pytest.mark.parametrize(
    ("text", "needed"),
    [
        (KHMER_TITLE, True),
        ("28 មិថុនា 2024", True),
        ("हिन्दी", True),  # Devanagari: pre-base i matra
        ("ภาษาไทย", True),  # Thai: sara am decomposes
        ("العربية", True),  # Arabic: joining, right to left
        (SAMPLE_TITLE, False),
        ("Quarterly meeting, 28 June 2024", False),
        ("Ελληνικά русский 中文", False),
    ],
)
def test_only_complex_scripts_need_actual_text(text: str, needed: bool) -> None:
    assert textlayer.needs_actual_text(text) is needed


# --------------------------------------------------------------------------- Khmer extracts as its source


@pytest.mark.parametrize("profile", ["a4", "a5", "large-print"])
def test_khmer_title_paragraph_and_caption_round_trip(rendered, variants, profile: str) -> None:
    """The km fixture (title, paragraphs, caption all real Khmer) reads back as its NFC source in both tools."""
    path = rendered[("km", profile)].path
    paragraph = " ".join(KHMER_SENTENCES)
    caption = next(b.caption for b in variants["km"].bulletin.body if b.kind == "image")
    for name, text in (("pdftotext", _poppler(path)), ("pdfium", _pdfium(path))):
        assert unicodedata.is_normalized("NFC", text)
        assert _folded(text).count(KHMER_TITLE) == 1, name  # once: the glyphs' own text is replaced, not doubled
        assert _squeezed(paragraph) in _squeezed(text), name
        for sentence in KHMER_SENTENCES:
            assert _squeezed(sentence) in _squeezed(text), name
        assert _squeezed(caption) in _squeezed(text), name


def test_khmer_from_the_catalog_round_trips(km_partial) -> None:
    """The partial km variant: the translated caption and chrome, and the Khmer date, read back exactly."""
    variant, result = km_partial
    for name, text in (("pdftotext", _poppler(result.path)), ("pdfium", _pdfium(result.path))):
        folded = _folded(text)
        assert KM_CAPTION in folded and KM_KICKER in folded and variant.date_text in folded, name
        assert _squeezed(SAMPLE_TITLE) in _squeezed(text), name  # the untranslated title is still there, once
        assert _squeezed(text).count(_squeezed(SAMPLE_TITLE)) == 1, name


def test_actual_text_only_where_a_complex_script_or_an_added_hyphen_is(rendered, variants, km_partial) -> None:
    """vi carries no /ActualText (its extraction is as before), en only on lines that end in a hyphen the line break
    added (the line without it); every km span's text is NFC Khmer."""
    assert _actual_texts(rendered[("vi", "a4")].path) == []
    english = _squeezed(variants["en"].bulletin.paragraphs[0].text)  # every unit of the en fixture is this sentence
    lines = [(profile, text) for profile in ("a4", "a5") for text in _actual_texts(rendered[("en", profile)].path)]
    assert lines  # the en fixture is hyphenated in both
    for profile, text in lines:
        assert not textlayer.needs_actual_text(text) and text[-1].isalpha() and _squeezed(text).lstrip("·") in english, (profile, text)
    spans = [text.strip() for text in _actual_texts(km_partial[1].path)]
    assert KM_KICKER in spans and KM_CAPTION in spans
    assert all(textlayer.needs_actual_text(s) and unicodedata.is_normalized("NFC", s) for s in spans)


def test_vi_and_en_extract_as_their_source(rendered, variants) -> None:
    for code in ("vi", "en"):
        path = rendered[(code, "a4")].path
        bulletin = variants[code].bulletin
        for name, text in (("pdftotext", _folded(_poppler(path))), ("pdfium", _pdfium(path))):
            assert _squeezed(text).count(_squeezed(bulletin.title)) == 1, (code, name)
            for p in bulletin.paragraphs:
                assert _squeezed(p.text) in _squeezed(text), (code, name)


def test_khmer_pdfs_stay_reproducible_and_pass_the_structure_checks(rendered, variants, km_partial, public_url: str, tmp_path: Path) -> None:
    """Rendered again in this process, the km PDF (made in a render child) has the same bytes."""
    again = render_pdf(variants["km"], "a4", tmp_path / "km.pdf", public_url=public_url)
    assert again.sha256 == rendered[("km", "a4")].sha256
    assert pdf_structure_problems(km_partial[1].path, "km") == []


# --------------------------------------------------------------------------- /Lang on structure elements


def _element_texts(path: Path) -> list[tuple[str, str, str]]:
    """(structure type, /Lang, text) of every structure element carrying /Lang; text from its marked content, /Alt for figures."""
    with pdfplumber.open(path) as pdf:
        chars: dict[tuple[int, int], str] = {}
        for page in pdf.pages:
            for char in page.chars:
                if char.get("mcid") is not None:
                    key = (page.page_number, char["mcid"])
                    chars[key] = chars.get(key, "") + char["text"]

        def text(element: dict) -> str:
            own = "".join(chars.get((element.get("page_number", 0), mcid), "") for mcid in element.get("mcids") or [])
            return own + "".join(text(child) for child in element.get("children", []))

        found: list[tuple[str, str, str]] = []

        def walk(elements: list[dict]) -> None:
            for element in elements:
                if element.get("lang"):
                    body = element.get("alt_text") if element["type"] == "Figure" else text(element)
                    found.append((element["type"], element["lang"], body or ""))
                walk(element.get("children", []))

        walk(pdf.structure_tree)
    return found


def test_untranslated_elements_and_only_they_carry_lang_vi(km_partial) -> None:
    variant, result = km_partial
    with pikepdf.open(result.path) as pdf:
        assert str(pdf.Root.Lang) == "km"
    tagged = _element_texts(result.path)
    assert {lang for _, lang, _ in tagged} == {"vi"}
    printed = {unit.key: unit.text for unit in variant.bulletin.text_units()}
    assert sorted(_squeezed(text) for _, _, text in tagged) == sorted(_squeezed(printed[key]) for key in variant.fallback_keys)
    assert Counter(kind for kind, _, _ in tagged) == {"P": 4, "H1": 1, "Figure": 1, "Span": 2}  # place and source are inline


def test_alt_text_is_in_the_document_language_or_tagged_with_its_own(rendered, km_partial) -> None:
    """The partial km Figure's Vietnamese /Alt sits under /Lang vi; the full km Figure's Khmer /Alt needs none.

    The full km fixture has no chrome catalog: its QR code's alt text is the Vietnamese chrome, tagged vi.
    """
    with pikepdf.open(km_partial[1].path) as pdf:
        figures = [el for el in struct_elements(pdf) if str(el.S) == "/Figure"]
        assert [str(el.Lang) for el in figures] == ["vi"] and str(figures[0].Alt).startswith("Ảnh không có sẵn")
    with pikepdf.open(rendered[("km", "a4")].path) as pdf:
        figures = [el for el in struct_elements(pdf) if str(el.S) == "/Figure"]
        photos = [el for el in figures if not str(el.Alt).startswith("Mã QR")]
        assert photos and all("/Lang" not in el and textlayer.needs_actual_text(str(el.Alt)) for el in photos)
        assert [str(el.Lang) for el in figures if el not in photos] == ["vi"]


def test_a_nested_language_change_is_tagged_where_it_changes(tmp_path: Path) -> None:
    """A Khmer span inside a Vietnamese paragraph of a km document: /Lang vi on the P, /Lang km on the span only."""
    from weasyprint import HTML

    from bantin.render.pdfua import finish_pdf

    html = '<html lang="km"><body><p>ព័ត៌មាន</p><section lang="vi"><p>Xin chào <span lang="km">សួស្តី</span> bạn</p></section></body></html>'
    path = tmp_path / "nested.pdf"
    path.write_bytes(finish_pdf(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")))
    with pikepdf.open(path) as pdf:
        langs = [(str(el.S), str(el.get("/Lang", ""))) for el in struct_elements(pdf) if str(el.S) in ("/P", "/Sect") or "/Lang" in el]
    assert langs == [("/P", ""), ("/Sect", "vi"), ("/P", ""), ("/Span", "km")]
