"""Localize: translated variants from the catalogs, the publish policy, CLDR dates, NFC."""

from __future__ import annotations

import dataclasses
import unicodedata
from pathlib import Path

import pikepdf
import pytest
from babel import Locale

from bantin.errors import UnknownLocaleError
from bantin.i18n.catalogs import Coverage, bulletin_po_path, read_catalog, _write_catalog
from bantin.i18n.locales import load_locale
from bantin.i18n.localize import localize, reading_skip_reason, skip_reason
from bantin.render.pdf import render_pdf
from bantin.speech.engines import ENGINES

from testing_utils import ROOT, SHIPPED_LOCALES, SAMPLE_TITLE, SAMPLE_TITLE_EN, make_pseudo_locale, pdf_text, pseudo, struct_elements


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


def test_readings_only_where_the_engine_has_a_voice() -> None:
    assert reading_skip_reason(load_locale("km"), "espeak", ENGINES) == "no reading: engine espeak has no km voice"
    assert reading_skip_reason(load_locale("cmo"), "espeak", ENGINES) == "no reading: no speech engine has a cmo voice"
    assert reading_skip_reason(load_locale("en"), "espeak", ENGINES) is None
    assert load_locale("en").voice_for("espeak") == "en-gb"
    # An engine that is not registered is left to fail loudly in synthesize_audio.
    assert reading_skip_reason(load_locale("vi"), "no-such-engine", ENGINES) is None


def test_fuzzy_and_nfd_translations(sample_bulletin, tmp_path: Path) -> None:
    """Fuzzy entries never reach the variant; decomposed (NFD) translations come out NFC."""
    root = tmp_path / "locales"
    for code in ("vi", "en"):
        (root / code).mkdir(parents=True)
        (root / code / "locale.yaml").write_bytes((SHIPPED_LOCALES / code / "locale.yaml").read_bytes())
    catalog = read_catalog(bulletin_po_path("en", sample_bulletin.id, ROOT / "locales"), "en")
    catalog.get(sample_bulletin.title, context="title").string = unicodedata.normalize("NFD", "Hội nghị in Đắk Song")
    catalog.get("Huyện ủy Đắk Song", context="place").flags.add("fuzzy")
    _write_catalog(bulletin_po_path("en", sample_bulletin.id, root), catalog, sort=False)
    variant = localize(sample_bulletin, "en", root=root)
    assert variant.bulletin.title == unicodedata.normalize("NFC", "Hội nghị in Đắk Song")
    assert variant.bulletin.place == "Huyện ủy Đắk Song"  # fuzzy: the source text, never the guess
    assert variant.coverage == Coverage(8, 1, 0) and "1 fuzzy" in skip_reason(variant)
    for code in ("en", "km", "cmo", "vi"):
        for text in _texts(localize(sample_bulletin, code)) + _texts(variant):
            assert unicodedata.is_normalized("NFC", text), text


def test_pseudo_locale_leaves_no_chrome_untranslated_in_the_pdf(sample_bulletin, tmp_path: Path) -> None:
    """Every chrome string in a rendered PDF went through the catalog (pseudo-locale xx)."""
    from bantin.i18n.catalogs import chrome_template

    bulletin = dataclasses.replace(sample_bulletin, byline="Thu Hà")  # so "Tin, ảnh" is printed too
    root = make_pseudo_locale(tmp_path / "locales", bulletin)
    variant = localize(bulletin, "xx", root=root, reading="reading.mp3")
    assert variant.coverage.percent == 100
    pdf = render_pdf(variant, "a4", tmp_path / "xx.pdf", public_url="https://bantin.example")  # with the QR block
    with pikepdf.open(pdf.path) as doc:  # alt texts are part of what a reader meets
        alts = " ".join(str(el.Alt) for el in struct_elements(doc) if "/Alt" in el)
    text = f"{pdf_text(pdf.path)} {alts}".casefold()
    # Every chrome message of print and audio (the portal's words are checked by the portal's tests).
    chrome = [m.id for m in chrome_template() if m.id and any("/portal/" not in path for path, _ in m.locations)]
    assert len(chrome) >= 8
    for msgid in chrome:
        shown = msgid.replace("{page}", "1").replace("{pages}", str(pdf.pages))
        plain = msgid.split("{")[0].strip()
        assert pseudo(msgid) != f"[{msgid}]"
        assert plain.casefold() not in text, f"chrome string {msgid!r} escaped translation"
        assert pseudo(shown).casefold() in text, f"pseudo form of {msgid!r} missing"
    assert pseudo(bulletin.title).casefold() in text and SAMPLE_TITLE.casefold() not in text
