"""Localize: translated variants from the catalogs, the publish policy, CLDR dates, NFC."""

from __future__ import annotations

import dataclasses
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
import pytest
from babel import Locale

from bantin.errors import UnknownLocaleError
from bantin.i18n.catalogs import bulletin_po_path, read_catalog, write_catalog
from bantin.i18n.coverage import Coverage
from bantin.i18n.localize import localize, skip_reason
from bantin.render.pdf import render_pdf
from testing_utils import ROOT, SAMPLE_TITLE, SAMPLE_TITLE_EN, SHIPPED_LOCALES, make_pseudo_locale, pdf_text, pseudo, struct_elements


def _texts(variant) -> list[str]:
    return [u.text for u in variant.bulletin.text_units()] + [variant.date_text] + [s for pair in variant.chrome for s in pair]


def test_english_variant_is_translated_in_full(sample_bulletin) -> None:
    variant = localize(sample_bulletin, "en")
    assert variant.bulletin.title == SAMPLE_TITLE_EN
    assert variant.lang == "en" and variant.bulletin.language == "en"
    assert variant.coverage == Coverage(9, 0, 0) and skip_reason(variant) is None
    assert variant.gettext("Bản tin") == "Bulletin" and variant.gettext("Trang {page}/{pages}") == "Page {page} of {pages}"
    source = {u.key: u.text for u in sample_bulletin.text_units()}
    assert all(u.text != source[u.key] for u in variant.bulletin.text_units() if u.key != "place"), "every block is translated"
    assert "Mass Mobilization Commission" in variant.bulletin.paragraphs[0].text


def test_dates_follow_cldr(sample_bulletin) -> None:
    assert localize(sample_bulletin, "en").date_text == "Friday, June 28, 2024"
    assert localize(sample_bulletin, "vi").date_text == "Thứ Sáu, 28 tháng 6, 2024"
    # CLDR's default numbering system for km is Latin digits (Khmer digits are only its "native" system),
    # while weekday and month are Khmer words.
    assert Locale.parse("km").default_numbering_system == "latn"
    assert localize(sample_bulletin, "km").date_text == "សុក្រ 28 មិថុនា 2024"
    # cmo borrows Vietnamese formats (no CLDR data).
    assert localize(sample_bulletin, "cmo").date_text == "Thứ Sáu, 28 tháng 6, 2024"
    assert localize(sample_bulletin, "en").format_number(1234.5) == "1,234.5"
    assert localize(sample_bulletin, "cmo").format_number(1234.5) == "1.234,5"


def test_unknown_locale_lists_known_ones(sample_bulletin) -> None:
    with pytest.raises(UnknownLocaleError) as info:
        localize(sample_bulletin, "fr")
    message = str(info.value)
    assert "unknown locale 'fr'" in message and "cmo, en, km, rad, vi" in message and "locales/fr/locale.yaml" in message


def test_policy_skips_incomplete_catalogs(sample_bulletin) -> None:
    km = localize(sample_bulletin, "km")
    assert km.coverage == Coverage(1, 0, 8)
    assert skip_reason(km) == "translation incomplete: 1 of 9 messages translated (11%), 0 fuzzy, 8 untranslated; the threshold is 100%"
    assert skip_reason(km, min_translated=10) is None
    # The one translated block is used; untranslated blocks keep the source text.
    assert km.bulletin.body[1].caption == "រូបភាពនៅក្នុងសន្និសីទ" and km.bulletin.title == SAMPLE_TITLE
    for code in ("cmo", "rad"):
        variant = localize(sample_bulletin, code)
        assert variant.coverage == Coverage(0, 0, 9) and variant.coverage.percent == 0
        assert skip_reason(variant, min_translated=1) is not None
    assert skip_reason(localize(sample_bulletin, "vi")) is None


def test_fuzzy_and_nfd_translations(sample_bulletin, tmp_path: Path) -> None:
    """Fuzzy entries never reach the variant; decomposed (NFD) translations come out NFC."""
    root = tmp_path / "locales"
    for code in ("vi", "en"):
        (root / code).mkdir(parents=True)
        (root / code / "locale.yaml").write_bytes((SHIPPED_LOCALES / code / "locale.yaml").read_bytes())
    catalog = read_catalog(bulletin_po_path("en", sample_bulletin.id, ROOT / "locales"), "en")
    catalog.get(sample_bulletin.title, context="title").string = unicodedata.normalize("NFD", "Hội nghị in Đắk Song")
    catalog.get("Huyện ủy Đắk Song", context="place").flags.add("fuzzy")
    write_catalog(bulletin_po_path("en", sample_bulletin.id, root), catalog, sort=False)
    variant = localize(sample_bulletin, "en", root=root)
    assert variant.bulletin.title == unicodedata.normalize("NFC", "Hội nghị in Đắk Song")
    assert variant.bulletin.place == "Huyện ủy Đắk Song"  # fuzzy: the source text, never the guess
    assert variant.coverage == Coverage(8, 1, 0) and "1 fuzzy" in skip_reason(variant)
    for code in ("en", "km", "cmo", "vi"):
        for text in _texts(localize(sample_bulletin, code)) + _texts(variant):
            assert unicodedata.is_normalized("NFC", text), text


def test_pseudo_locale_leaves_no_chrome_untranslated_in_the_pdf(sample_bulletin, tmp_path: Path) -> None:
    """Every chrome string in a rendered PDF went through the catalog (pseudo-locale xx)."""
    from bantin.i18n.templates import chrome_template

    bulletin = dataclasses.replace(sample_bulletin, byline="Thu Hà")  # so "Tin, ảnh" is printed too
    root = make_pseudo_locale(tmp_path / "locales", bulletin)
    variant = localize(bulletin, "xx", root=root, reading="reading.mp3")
    assert variant.coverage.percent == 100
    pdf = render_pdf(variant, "a4", tmp_path / "xx.pdf", public_url="https://bantin.example")  # with the QR block
    with pikepdf.open(pdf.path) as doc:  # alt texts are part of what a reader meets
        alts = " ".join(str(el.Alt) for el in struct_elements(doc) if "/Alt" in el)
    # Without a reading the poster says where to read online instead ("Nghe và đọc trực tuyến").
    unread = render_pdf(localize(bulletin, "xx", root=root), "a4", tmp_path / "xx-unread.pdf", public_url="https://bantin.example")
    text = f"{pdf_text(pdf.path)} {alts} {pdf_text(unread.path)}".casefold()
    # Every chrome message of print and audio (the portal's and the EPUB's own words are checked by their tests).
    chrome = [m.id for m in chrome_template() if m.id and any("/portal/" not in path and "/epub/" not in path for path, _ in m.locations)]
    assert len(chrome) >= 8
    for msgid in chrome:
        shown = msgid.replace("{page}", "1").replace("{pages}", str(pdf.pages))
        plain = msgid.split("{")[0].strip()
        assert pseudo(msgid) != f"[{msgid}]"
        assert plain.casefold() not in text, f"chrome string {msgid!r} escaped translation"
        assert pseudo(shown).casefold() in text, f"pseudo form of {msgid!r} missing"
    assert pseudo(bulletin.title).casefold() in text and SAMPLE_TITLE.casefold() not in text


def test_untranslated_units_keep_the_source_language(sample_bulletin) -> None:
    """A partial km catalog: each text unit records the language it is printed in."""
    km = localize(sample_bulletin, "km")
    units = [u.key for u in sample_bulletin.text_units()]
    assert [key for key, _ in km.unit_langs] == units  # every unit, in reading order
    assert km.lang_of("body.2.image.caption") == "km"  # the one translated block
    assert km.fallback_keys == tuple(k for k in units if k != "body.2.image.caption")
    assert {km.lang_of(k) for k in km.fallback_keys} == {"vi"}
    assert localize(sample_bulletin, "en").fallback_keys == () and localize(sample_bulletin, "vi").fallback_keys == ()
    assert {tag for _, tag in localize(sample_bulletin, "cmo").unit_langs} == {"vi"}  # nothing translated yet


class _LangTags(HTMLParser):
    """(tag, lang, text) of every element carrying a ``lang`` attribute, plus each img's alt."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[list[str]] = []
        self.open: list[tuple[str, int | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        index = None
        if "lang" in attr and tag != "html":
            self.found.append([tag, attr["lang"] or "", attr.get("alt") or ""])
            index = len(self.found) - 1
        if tag not in ("img", "meta"):
            self.open.append((tag, index))

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        for _, index in self.open:
            if index is not None:
                self.found[index][2] += data


def test_untranslated_blocks_are_tagged_lang_vi_in_the_html(sample_bulletin) -> None:
    """The km document's HTML marks every fallback block ``lang="vi"`` and nothing translated."""
    from bantin.render.html import build_html

    km = localize(sample_bulletin, "km")
    html = build_html(km)
    assert '<html lang="km"' in html
    parser = _LangTags()
    parser.feed(html)
    tagged = [(tag, lang, text.strip()) for tag, lang, text in parser.found]
    assert {lang for _, lang, _ in tagged} == {"vi"}
    b = sample_bulletin
    photo = b.body[1]
    expected = [
        ("title", b.title),
        ("h1", b.title),
        ("span", b.place),
        ("p", b.body[0].text),
        ("img", photo.alt),
        *(("p", block.text) for block in b.body[2:]),
        ("span", b.source),
    ]
    assert [(tag, text) for tag, _, text in tagged] == expected
    assert km.bulletin.body[1].caption in html and f'lang="vi">{km.bulletin.body[1].caption}' not in html
    assert 'lang="vi"' not in build_html(localize(sample_bulletin, "en")).replace('<html lang="en"', "")


def test_untranslated_blocks_carry_lang_vi_in_the_pdf_structure(sample_bulletin, tmp_path: Path) -> None:
    """PDF/UA: the fallback title (/H1) and paragraphs (/P) of a km variant carry /Lang (vi) (bantin.render.textlayer)."""
    km = localize(sample_bulletin, "km")
    pdf = render_pdf(km, "a4", tmp_path / "km.pdf")
    with pikepdf.open(pdf.path) as doc:
        assert str(doc.Root.Lang) == "km"
        elements = struct_elements(doc)
        heading = next(el for el in elements if str(el.S) == "/H1")
        tagged_vi = [str(el.S) for el in elements if str(el.get("/Lang", "")) == "vi"]
    paragraphs = sum(1 for key in km.fallback_keys if key.endswith(".paragraph"))
    assert str(heading.get("/Lang", "")) == "vi"
    assert tagged_vi.count("/P") >= paragraphs == 4


def test_untranslated_chrome_and_borrowed_dates_are_tagged(sample_bulletin) -> None:
    """cmo has no chrome translations and borrows Vietnamese date words: those are tagged ``vi`` too."""
    from bantin.render.html import build_html

    cmo = localize(sample_bulletin, "cmo")
    assert cmo.chrome_lang("Bản tin") == "vi" and cmo.date_lang == "vi" and cmo.date_text.startswith("Thứ Sáu")
    html = build_html(cmo, public_url="https://bantin.example")
    assert '<p class="kicker" lang="vi">Bản tin</p>' in html and '<time datetime="2024-06-28" lang="vi">' in html
    assert '<span class="label" lang="vi">Nguồn:</span>' in html
    km = localize(sample_bulletin, "km")  # km's printed chrome is translated and its dates are CLDR km
    assert km.chrome_lang("Bản tin") == "km" and km.date_lang == "km"
    assert 'class="kicker">' in build_html(km) and '<time datetime="2024-06-28">' in build_html(km)
    vi = localize(sample_bulletin, "vi")
    assert vi.chrome_lang("Bản tin") == "vi" == vi.date_lang
