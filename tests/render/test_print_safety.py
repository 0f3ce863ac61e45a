"""Print never loses text and never uses a machine font: unbreakable runs wrap, emoji print, uncovered characters are refused."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import subprocess
import unicodedata
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from fontTools.ttLib import TTFont

from bantin.content.model import Bulletin, BulletList, Paragraph, Photo, Quote
from bantin.errors import RenderError
from bantin.render.fonts import BundledFontConfiguration, covered, font_files
from bantin.render.pdf import render_pdf
from bantin.render.profiles import PROFILES
from bantin.settings import max_paragraph_chars, max_title_chars
from bantin.textutil import bad_character
from testing_utils import pdf_text

#: The longest title and paragraph a bulletin may hold, without one break opportunity.
TITLE = ("Tiêuđề" * 60)[: max_title_chars()]
WORD = ("Đạ" + "ặ" * max_paragraph_chars())[: max_paragraph_chars()]
#: Emoji: a ZWJ family, a ZWJ sequence with U+FE0F, a skin tone in a ZWJ sequence, a keycap and a flag; symbols from Noto Sans Symbols.
EMOJI = "Tiêm chủng 💉 cho trẻ 👶🏽, gia đình 👨‍👩‍👧, ❤️‍🔥 👩🏽‍💻 gọi ☎️ 1️⃣ 🇻🇳 → ①"
LONG = {
    "title": TITLE,
    "place": "Xã" + "Đ" * 200,
    "source": "".join(f"Nguồn{i}" for i in range(60))[: max_title_chars()],  # not periodic: the cut running head is found exactly
    "byline": "Tácgiả" * 50,
    "item": "Mục" * 1000,
    "caption": "Chúthích" * 200,
    "quote": "Tríchdẫn" * 200,
}


def _squeezed(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def _without_head(text: str, head: str) -> str:
    """``text`` without the running head, printed whole or cut short with an ellipsis (at most three lines)."""
    if head in text:
        return text.replace(head, "")
    for k in range(len(head) - 1, 0, -1):
        if head[:k] + "…" in text:
            return text.replace(head[:k] + "…", "")
    raise AssertionError(f"no running head {head[:40]!r}... in {text[:200]!r}")


def _body_text(path: Path, head: str) -> str:
    """The text layer without whitespace, list bullets, each page's running head (``head``) and page number.

    pdfium reads a list item's bullet after the item's first page of text, so it is taken out too.
    """
    pages = []
    pdf = pdfium.PdfDocument(str(path))
    try:
        for page in pdf:
            text = _without_head(_squeezed(page.get_textpage().get_text_range()), _squeezed(head))
            pages.append(re.sub(r"Trang\d+/\d+", "", text).replace("•", ""))
    finally:
        pdf.close()
    return "".join(pages)


#: What of each field the one-page A4 poster is given: the runs without a break opportunity, as long as one page holds.
POSTER = {"paragraph": WORD[:800], **LONG, "item": LONG["item"][:270], "caption": LONG["caption"][:160], "quote": LONG["quote"][:160]}


def _unbreakable(fields: dict[str, str]) -> Bulletin:
    return Bulletin(
        id="2024-06-28-khong-mat-chu",
        title=fields["title"],
        date=dt.date(2024, 6, 28),
        place=fields["place"],
        source=fields["source"],
        byline=fields["byline"],
        body=(
            Paragraph(fields["paragraph"]),
            Paragraph(EMOJI),
            BulletList((fields["item"], "Mục ngắn 📻")),
            Photo(fields["caption"], "Ảnh"),
            Quote(fields["quote"], "Người dân 👍"),
        ),
    )


@pytest.fixture(scope="module")
def long_bulletin() -> Bulletin:
    """Every printed field as one run without a break opportunity, at the model's limits, and a paragraph of emoji."""
    assert bad_character(EMOJI) is None  # the model accepts the ZWJ sequences
    return _unbreakable({"paragraph": WORD, **LONG})


@pytest.fixture(scope="module")
def long_renders(long_bulletin, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Through the parallel child-process path: the long bulletin in every profile, and the poster-sized one on A4.

    Keyed by profile, and "a4 poster" for the poster-sized one; the long bulletin cannot be a one-page poster, so its
    "a4" is the RenderError.
    """
    from bantin.i18n.localize import localize
    from bantin.render.isolation import render_many
    from bantin.render.jobs import RenderJob

    out = tmp_path_factory.mktemp("long")
    variant = localize(long_bulletin, "vi")
    jobs = [RenderJob(variant, name, out / f"long.vi.{name}.pdf") for name in PROFILES]
    jobs.append(RenderJob(localize(_unbreakable(POSTER), "vi"), "a4", out / "poster.vi.a4.pdf"))
    return dict(zip([*PROFILES, "a4 poster"], render_many(jobs), strict=True))


@pytest.fixture(scope="module")
def long_pdfs(long_renders) -> dict:
    """The PDFs of every profile: the long bulletin's a5 and large print, the poster-sized one's A4."""
    from bantin.render.jobs import RenderResult

    pdfs = {name: long_renders[name] for name in PROFILES if name != "a4"} | {"a4": long_renders["a4 poster"]}
    assert all(isinstance(r, RenderResult) for r in pdfs.values()), pdfs
    return pdfs


@pytest.mark.slow
def test_a_bulletin_too_long_for_the_poster_fails_in_its_render_child_with_one_line(long_renders) -> None:
    error = long_renders["a4"]
    assert isinstance(error, RenderError)
    assert str(error).startswith("long.vi.a4.pdf: bulletin '2024-06-28-khong-mat-chu' (vi) does not fit the one-page 'a4' poster")
    assert "\n" not in str(error) and str(error).endswith("or print it with the a5 or large-print profile")


def _chars_outside(path: Path) -> list[tuple[int, str]]:
    """(page, character) for every character of the text layer whose box is not inside its page's MediaBox."""
    outside = []
    pdf = pdfium.PdfDocument(str(path))
    try:
        for number, page in enumerate(pdf, start=1):
            left, bottom, right, top = page.get_mediabox()
            text = page.get_textpage()
            for i in range(text.count_chars()):
                ch = text.get_text_range(i, 1)
                if not ch.strip():
                    continue
                x0, y0, x1, y1 = text.get_charbox(i)
                if x0 < left - 0.5 or x1 > right + 0.5 or y0 < bottom - 0.5 or y1 > top + 0.5:
                    outside.append((number, ch))
    finally:
        pdf.close()
    return outside


@pytest.mark.slow
@pytest.mark.parametrize("profile", list(PROFILES))
def test_unbreakable_runs_wrap_inside_the_page(long_pdfs, profile: str) -> None:
    result = long_pdfs[profile]
    assert result.pages == 1 if profile == "a4" else result.pages > 1
    outside = _chars_outside(result.path)
    assert outside == [], f"{len(outside)} characters outside the page, e.g. {''.join(ch for _, ch in outside[:40])!r}"
    text = _body_text(result.path, f"{LONG['source']} · Thứ Sáu, 28 tháng 6, 2024")
    for field, value in (POSTER if profile == "a4" else {"paragraph": WORD, **LONG}).items():
        assert _squeezed(value) in text, field


@pytest.mark.slow
def test_emoji_print_from_noto_emoji_and_extract_as_written(long_pdfs) -> None:
    """Poppler reads each emoji run back through its /ActualText, ZWJ sequences and skin tones whole."""
    path = long_pdfs["a5"].path
    assert "Noto-Emoji" in {name for name, _ in _embedded_fonts(path)}
    poppler = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert _squeezed(EMOJI) in _squeezed(poppler)


# --------------------------------------------------------------------------- only bundled fonts


def _embedded_fonts(path: Path) -> set[tuple[str, str | None]]:
    """(FontName without its subset prefix, PostScript name of the embedded font program) of every font, Type0 descendants included."""
    found: set[tuple[str, str | None]] = set()
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            fonts = page.obj.get("/Resources", pikepdf.Dictionary()).get("/Font", pikepdf.Dictionary())
            stack = [font for _, font in fonts.items()]
            while stack:
                font = stack.pop()
                stack.extend(font.get("/DescendantFonts", []))
                descriptor = font.get("/FontDescriptor")
                if descriptor is None:
                    continue
                name = str(descriptor.FontName).lstrip("/")
                program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3") or descriptor.get("/FontFile")
                postscript = None
                if program is not None and "/FontFile2" in descriptor:
                    postscript = TTFont(io.BytesIO(program.read_bytes()))["name"].getDebugName(6)
                found.add((name.split("+", 1)[1] if name[6:7] == "+" else name, postscript))
    return found


def _bundled_names() -> tuple[set[str], set[str]]:
    """(the FontNames WeasyPrint gives the bundled faces, e.g. 'Noto-Serif-Bold'; their PostScript names)."""
    names, postscript = set(), set()
    for path in font_files():
        with TTFont(path, lazy=True) as font:
            family, style = font["name"].getDebugName(1), font["name"].getDebugName(2)
            names.add(f"{family} {style}".replace(" Regular", "").replace(" ", "-"))
            postscript.add(font["name"].getDebugName(6))
    return names, postscript


def _foreign_fonts(path: Path) -> list[tuple[str, str | None]]:
    names, postscript = _bundled_names()
    return sorted((name, ps) for name, ps in _embedded_fonts(path) if name not in names or (ps is not None and ps not in postscript))


@pytest.mark.slow
def test_every_embedded_font_is_a_bundled_one(rendered, long_pdfs) -> None:
    """The sample in vi, en and km and the emoji bulletin, in every profile: no machine font (DejaVu) inside."""
    paths = [r.path for r in rendered.values()] + [r.path for r in long_pdfs.values()]
    assert len(paths) == 4 * len(PROFILES)
    assert {path.name: _foreign_fonts(path) for path in paths if _foreign_fonts(path)} == {}
    assert {"Noto-Sans-Khmer", "Noto-Serif-Khmer", "Noto-Emoji"} <= {name for path in paths for name, _ in _embedded_fonts(path)}


def test_the_font_configuration_cannot_fall_back_to_a_machine_font(tmp_path: Path) -> None:
    """WeasyPrint's own configuration falls back to the machine's fonts for a character ours lack; ours cannot."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    star = "\u2605"  # BLACK STAR: in DejaVu, in no bundled font
    assert ord(star) not in covered()
    page = f"<p style='font-family: serif'>Sao {star}</p>"
    bundled = tmp_path / "bundled.pdf"
    HTML(string=page).write_pdf(bundled, font_config=BundledFontConfiguration())
    assert _foreign_fonts(bundled) == []
    if not any("DejaVu" in p.name for p in Path("/usr/share/fonts").rglob("*.ttf")):
        pytest.skip("the control needs a machine font (fonts-dejavu-core)")
    machine = tmp_path / "machine.pdf"
    HTML(string=page).write_pdf(machine, font_config=FontConfiguration())
    assert any("DejaVu" in name for name, _ in _foreign_fonts(machine))


# --------------------------------------------------------------------------- uncovered characters are refused


def _with(variant, **changes):
    return dataclasses.replace(variant, bulletin=dataclasses.replace(variant.bulletin, **changes))


def test_a_character_no_bundled_font_covers_is_refused_naming_it(sample_variant, tmp_path: Path) -> None:
    variant = _with(sample_variant, body=(Paragraph("Đoạn một."), BulletList(("Mục một", "Hạng \u2605\u2605\u2605 và \U0001d11e"))))
    with pytest.raises(RenderError) as caught:
        render_pdf(variant, "a5", tmp_path / "star.pdf")
    assert str(caught.value) == (
        "star.pdf: body block 2 (list), item 2 ('body.2.list.2'): U+2605 BLACK STAR, U+1D11E MUSICAL SYMBOL G CLEF "
        "have no glyph in bantin's bundled fonts and would print as an empty box. "
        "Remove or replace them in the bulletin, or add an OFL font that covers them to src/bantin/assets/fonts"
    )
    assert not (tmp_path / "star.pdf").exists()


def test_an_uncovered_character_in_the_title_or_the_page_wording_is_refused(sample_variant, tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"^t\.pdf: title: U\+2605 BLACK STAR has no glyph in bantin's bundled fonts.+Remove or replace it in"):
        render_pdf(_with(sample_variant, title="Sao \u2605"), "a5", tmp_path / "t.pdf")
    with pytest.raises(RenderError, match=r"^c\.pdf: the page's fixed wording for locale 'vi': U\+2605 BLACK STAR has no glyph"):
        render_pdf(sample_variant, "a5", tmp_path / "c.pdf", extra_css='@page { @top-right { content: "\u2605"; } }')


def test_alt_text_is_not_printed_so_it_may_hold_any_character(sample_variant, tmp_path: Path) -> None:
    variant = _with(sample_variant, body=(Paragraph("Một đoạn."), Photo("Chú thích", "Ảnh có \u2605")))
    assert render_pdf(variant, "a5", tmp_path / "alt.pdf").pages == 1
    assert "Chú thích" in pdf_text(tmp_path / "alt.pdf")
