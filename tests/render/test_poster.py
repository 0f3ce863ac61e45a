"""Print layout truths: the A4 poster is one page with its QR code, no page holds only the QR panel,
hyphenation never reaches the text layer nor an address, and the poster points to the portal, not to a file."""

from __future__ import annotations

import dataclasses
import subprocess
import unicodedata
from pathlib import Path

import pdfplumber
import pikepdf
import pypdfium2 as pdfium
import pytest

from bantin.content.model import Paragraph
from bantin.render.html import page_css
from bantin.render.pdf import render_pdf
from bantin.render.profiles import PROFILES
from testing_utils import body_size, pdf_structure_problems, struct_elements

#: The msgid of the QR code's alt text (the /Figure that marks where the QR panel is).
QR_ALT = "Mã QR: nghe và đọc bản tin này trực tuyến"
#: Hyphens a line break may add: the hyphenate-character, the soft hyphen, and pdfium's mark for a line-end hyphen.
ADDED_HYPHENS = ("\u2010", "\u00ad", "\ufffe")


def _squeezed(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def _poppler(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _poppler_pages(path: Path) -> list[str]:
    return _poppler(path).split("\f")[:-1]


def _pdfium_pages(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [page.get_textpage().get_text_range() for page in pdf]
    finally:
        pdf.close()


def _flow(pages: list[str], variant) -> str:
    """The pages' text squeezed into one flow, without each page's running head and page number (they sit between the
    lines of a paragraph that crosses a page); pdfium's mark for a line-end hyphen read back as the hyphen it is."""
    gettext, b = variant.gettext, variant.bulletin
    head = _squeezed(" · ".join(x for x in (b.source or gettext("Bản tin"), variant.date_text) if x))
    flow = []
    for number, text in enumerate(pages, start=1):
        page_number = _squeezed(gettext("Trang {page}/{pages}").format(page=number, pages=len(pages)))
        squeezed = _squeezed(text.replace("\ufffe", "-"))
        shown = head
        if head not in squeezed:  # cut to three lines, ending in an ellipsis (large print)
            shown = next((head[:k] + "…" for k in range(len(head) - 1, 0, -1) if head[:k] + "…" in squeezed), head)
        for margin in (shown, page_number):  # pdfium reads the margin boxes first, pdftotext last
            at = 0 if squeezed.startswith(margin) else squeezed.rfind(margin)
            assert at >= 0, (number, margin, squeezed[:80], squeezed[-80:])
            squeezed = squeezed[:at] + squeezed[at + len(margin) :]
        flow.append(squeezed)
    return "".join(flow)


def _glyphs(path: Path) -> str:
    """The glyphs' own text (pdfplumber reads ToUnicode and ignores /ActualText): what is printed, hyphens included."""
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _printed_units(variant) -> list[str]:
    """Every printed text unit of a variant (alt text is read aloud, not printed)."""
    return [u.text for u in variant.bulletin.text_units() if not u.key.endswith(".alt") and u.text.strip()]


def _qr_page(path: Path, variant) -> int | None:
    """The 0-based page of the QR code's /Figure, None when there is none."""
    alt = variant.gettext(QR_ALT)
    with pikepdf.open(path) as pdf:
        pages = [page.obj.objgen for page in pdf.pages]
        for element in struct_elements(pdf):
            if str(element.S) == "/Figure" and str(element.get("/Alt", "")) == alt:
                return pages.index(element.Pg.objgen)
    return None


def _url(public_url: str, variant) -> str:
    return f"{public_url}/{variant.bulletin.id}/{variant.locale.code}/"


@pytest.fixture(scope="module")
def catalog_posters(sample_bulletin, public_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The sample's A4 poster in en, km, cmo and rad through the shipped catalogs (English is the longest), with a reading and a QR code."""
    from bantin.i18n.localize import localize
    from bantin.render.isolation import render_many
    from bantin.render.jobs import RenderJob, RenderResult

    out = tmp_path_factory.mktemp("posters")
    variants = {code: localize(sample_bulletin, code, reading=f"{sample_bulletin.id}.{code}.mp3") for code in ("en", "km", "cmo", "rad")}
    results = render_many([RenderJob(v, "a4", out / f"b.{code}.a4.pdf", public_url=public_url) for code, v in variants.items()])
    assert all(isinstance(r, RenderResult) for r in results), results
    return {code: (variants[code], result) for code, result in zip(variants, results, strict=True)}


def _posters(rendered, variants, catalog_posters) -> dict:
    """{name: (variant, result)} of every A4 poster rendered with a QR code: vi, the en and km fixtures, and the catalogs' four."""
    found = {code: (variants[code], rendered[(code, "a4")]) for code in ("vi", "en", "km")}
    found.update({f"{code} (catalog)": pair for code, pair in catalog_posters.items()})
    return found


# --------------------------------------------------------------------------- the A4 poster: one page


def test_every_a4_poster_is_one_page_with_its_qr_code_and_address(rendered, variants, catalog_posters, public_url: str) -> None:
    for name, (variant, result) in _posters(rendered, variants, catalog_posters).items():
        assert result.pages == 1, name
        assert _qr_page(result.path, variant) == 0, name
        assert _squeezed(_url(public_url, variant)) in _squeezed(_poppler(result.path)), name
        assert 9.0 <= body_size(result.path) <= 11.0, name  # the poster's type scale: never under its 9 pt floor
    # English says the most: it is set smaller than Vietnamese, and still passes the structure checks.
    english, vietnamese = catalog_posters["en"][1], rendered[("vi", "a4")]
    assert body_size(english.path) < body_size(vietnamese.path)
    assert pdf_structure_problems(english.path, "en") == []


# --------------------------------------------------------------------------- no page holds only the QR panel


@pytest.mark.parametrize("profile", ["a5", "large-print"])
@pytest.mark.parametrize("code", ["vi", "en", "km"])
def test_the_last_page_holds_the_end_of_the_text_with_the_qr_panel(rendered, variants, code: str, profile: str) -> None:
    result, variant = rendered[(code, profile)], variants[code]
    assert result.pages > 1 or (code, profile) == ("km", "a5")  # the short Khmer fixture fits one A5 page
    assert _qr_page(result.path, variant) == result.pages - 1
    last_page = _squeezed(_pdfium_pages(result.path)[-1]).replace("\ufffe", "-")
    assert _squeezed(variant.bulletin.paragraphs[-1].text)[-20:] in last_page


def test_the_qr_panel_keeps_to_the_last_block_where_it_would_fall_alone(sample_variant, public_url: str, tmp_path: Path) -> None:
    """A body that ends at the foot of an A5 page: the panel pulls the last lines over with it.

    The control renders it with the keep rule turned off: the panel then does fall onto a page of its own.
    """
    words = " ".join(p.text for p in sample_variant.bulletin.paragraphs).split()
    body = (*sample_variant.bulletin.body[:2], Paragraph(" ".join(words[:160])))
    variant = dataclasses.replace(sample_variant, reading="x.vi.mp3", bulletin=dataclasses.replace(sample_variant.bulletin, body=body))
    ending = _squeezed(" ".join(words[150:160]))
    kept = render_pdf(variant, "a5", tmp_path / "kept.pdf", public_url=public_url)
    alone = render_pdf(variant, "a5", tmp_path / "alone.pdf", public_url=public_url, extra_css=".closing { break-before: auto; }")
    assert kept.pages == alone.pages == 2
    assert ending in _squeezed(_pdfium_pages(kept.path)[-1]) and _qr_page(kept.path, variant) == 1
    assert ending not in _squeezed(_pdfium_pages(alone.path)[-1]) and _qr_page(alone.path, variant) == 1


# --------------------------------------------------------------------------- hyphenation never reaches the text layer


@pytest.mark.parametrize("profile", list(PROFILES))
@pytest.mark.parametrize("code", ["vi", "en", "km"])
def test_the_text_layer_reads_as_the_source(rendered, variants, public_url: str, code: str, profile: str) -> None:
    """pdftotext and pdfium read every printed unit and the address whole: no hyphen a line break added, anywhere."""
    result, variant = rendered[(code, profile)], variants[code]
    expected = [*_printed_units(variant), _url(public_url, variant)]
    for tool, pages in (("pdftotext", _poppler_pages(result.path)), ("pdfium", _pdfium_pages(result.path))):
        assert len(pages) == result.pages
        flow = _flow(pages, variant)
        for unit in expected:
            assert _squeezed(unit) in flow, (tool, unit[:60])
        assert not any(h in flow for h in ADDED_HYPHENS[:2]), tool


def test_the_catalog_posters_read_as_their_source(catalog_posters, public_url: str) -> None:
    for code, (variant, result) in catalog_posters.items():
        for tool, pages in (("pdftotext", _poppler_pages(result.path)), ("pdfium", _pdfium_pages(result.path))):
            flow = _flow(pages, variant)
            for unit in [*_printed_units(variant), _url(public_url, variant)]:
                assert _squeezed(unit) in flow, (code, tool, unit[:60])
            assert not any(h in flow for h in ADDED_HYPHENS[:2]), (code, tool)


def test_english_is_hyphenated_in_print_but_not_in_large_print_nor_in_addresses(rendered, variants, catalog_posters, public_url: str) -> None:
    """The glyphs: body text breaks words with a hyphen (so the text-layer tests above test something); large print
    never does, and no profile breaks the address with one."""
    variant = variants["en"]
    printed = {profile: _glyphs(rendered[("en", profile)].path) for profile in PROFILES}
    assert "\u2010" in printed["a5"] and "\u2010" in _glyphs(catalog_posters["en"][1].path)
    assert "\u2010" not in printed["large-print"]
    for profile, glyphs in printed.items():
        assert _squeezed(_url(public_url, variant)) in _squeezed(glyphs), profile
    assert "hyphens: auto" in page_css(variant, PROFILES["a5"]) and "hyphens: auto" not in page_css(variant, PROFILES["large-print"])


# --------------------------------------------------------------------------- the poster points to the portal


def test_the_reading_line_gives_the_portal_address_never_a_file_name(rendered, variants, sample_variant, public_url: str, tmp_path: Path) -> None:
    vi = variants["vi"]
    assert vi.reading
    for profile in PROFILES:
        text = _squeezed(_poppler(rendered[("vi", profile)].path))
        assert "Nghebảnđọc:" + _squeezed(_url(public_url, vi)) in text, profile
        assert vi.reading not in text and ".mp3" not in text, profile
    # Without a public URL there is no address to give: no reading line, no QR code, and still no file name.
    plain = render_pdf(dataclasses.replace(sample_variant, reading="b.vi.mp3"), "a4", tmp_path / "plain.pdf")
    text = _poppler(plain.path)
    assert "Nghe bản đọc" not in text and "b.vi.mp3" not in text and "trực tuyến" not in text
    # No reading made: the line invites to listen and read online, at the same address.
    quiet = _squeezed(_poppler(rendered[("en", "a4")].path))
    assert "Nghevàđọctrựctuyến:" + _squeezed(_url(public_url, variants["en"])) in quiet
