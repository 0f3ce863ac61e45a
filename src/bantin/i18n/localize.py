"""Localize: build a :class:`Variant`, the bulletin as one locale will print and read it.

A variant holds the translated blocks, the chrome (bantin's own fixed strings)
in that locale, and the date formatted by Babel with the locale's CLDR data.  It
is plain, hashable data, so later stages (and Prefect's cache) can key on it.

Translations are read straight from the ``.po`` catalogs (the ``.mo`` files are
git-ignored build products, so nothing depends on ``bantin i18n compile``
having run).  Only translated, non-fuzzy messages whose msgid is the block's
*current* source text are used; everything else falls back to the source text,
is recorded as being in the source language (:attr:`Variant.unit_langs`, so
print can tag it ``lang="vi"``), and counts against the variant's
:class:`~bantin.i18n.coverage.Coverage`, which the publish policy
(:func:`skip_reason`) compares with its threshold.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_decimal

from bantin.content.model import Bulletin, TextUnit
from bantin.defaults import DEFAULT_MIN_TRANSLATED
from bantin.i18n.catalogs import CHROME_DOMAIN, bulletin_po_path, chrome_po_path
from bantin.i18n.coverage import Coverage, bulletin_coverage
from bantin.i18n.locales import SOURCE_LOCALE, LocaleConfig, load_locale
from bantin.i18n.translations import load_translations

__all__ = ["CHROME_DOMAIN", "DEFAULT_MIN_TRANSLATED", "Variant", "load_chrome", "localize", "skip_reason"]

#: Publish policy: the share (percent) of a bulletin's blocks that must be translated, not fuzzy.

#: Coverage of a variant built by hand (no catalog counted).
_NO_COVERAGE = Coverage(0, 0, 0)


@dataclass(frozen=True)
class Variant:
    """A bulletin localized for one locale: what render and speak consume."""

    locale: LocaleConfig
    bulletin: Bulletin
    date_text: str
    chrome: tuple[tuple[str, str], ...] = ()
    #: How much of the bulletin's catalog in this locale is usable (all of it for the source locale).
    coverage: Coverage = _NO_COVERAGE
    #: File name of the audio reading that accompanies this variant, if one is made ("Nghe bản đọc").
    reading: str | None = None
    #: ``(text unit key, BCP 47 tag)`` for every text unit: the language its text is actually in,
    #: the variant's when translated, the source's (``vi``) when it fell back to the source text.
    #: Units not listed are in the variant's language (variants built by hand).
    unit_langs: tuple[tuple[str, str], ...] = ()
    #: BCP 47 tag of the source language, which untranslated text (blocks and chrome) is printed in.
    source_lang: str = SOURCE_LOCALE

    @property
    def lang(self) -> str:
        """BCP 47 tag for HTML ``lang`` and PDF ``/Lang``."""
        return self.locale.bcp47

    def lang_of(self, key: str) -> str:
        """BCP 47 tag of the language text unit ``key`` (e.g. ``body.3.paragraph``) is printed in."""
        return dict(self.unit_langs).get(key, self.lang)

    @property
    def fallback_keys(self) -> tuple[str, ...]:
        """Keys of the text units printed in another language than the variant's (untranslated), in reading order."""
        return tuple(key for key, tag in self.unit_langs if tag != self.lang)

    def chrome_lang(self, message: str) -> str:
        """BCP 47 tag of the language chrome string ``message`` is printed in (the source's when untranslated)."""
        return self.lang if self.locale.source or message in dict(self.chrome) else self.source_lang

    @property
    def date_lang(self) -> str:
        """BCP 47 tag of :attr:`date_text`: a locale without CLDR data (cmo, rad) writes dates in its borrowed locale's words."""
        borrowed = self.locale.babel_locale.language
        return self.lang if borrowed == self.lang.split("-")[0] else borrowed

    def gettext(self, message: str) -> str:
        """The chrome string ``message`` in this locale (the Vietnamese source when untranslated)."""
        return dict(self.chrome).get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Plural chrome lookup; bantin's chrome has no plural messages yet, so pick by n."""
        return self.gettext(singular if n == 1 else plural)

    def format_number(self, number: float | int) -> str:
        """A number as the locale's CLDR data writes it (borrowed CLDR for cmo/rad)."""
        return format_decimal(number, locale=self.locale.babel_locale)


def load_chrome(code: str, root: Path | None = None) -> tuple[tuple[str, str], ...]:
    """Translated, non-fuzzy chrome messages of a locale, sorted, NFC; empty for the source locale.

    The chrome is formatted (``Trang {page}/{pages}``), so a translation whose
    placeholders differ from its msgid's raises a
    :class:`~bantin.i18n.checks.PlaceholderError` naming the line: the locale
    fails instead of printing "Page 1 of {total}".
    """
    pairs = {msgid: msgstr for (_ctx, msgid), msgstr in load_translations(chrome_po_path(code, root), code, placeholders=True).items()}
    return tuple(sorted(pairs.items()))


def localize(bulletin: Bulletin, code: str, root: Path | None = None, reading: str | None = None) -> Variant:
    """The variant of ``bulletin`` for locale ``code``.

    The source locale passes the blocks through unchanged; other locales are
    filled from their bulletin catalog ``locales/<code>/LC_MESSAGES/bulletins/<id>.po``.
    ``reading`` names the MP3 that will accompany the variant, if any.  A
    catalog of this locale that fails its checks (syntax, charset, a chrome
    placeholder) raises a :class:`~bantin.i18n.checks.CatalogError`: this
    locale fails with that one line, never a silent mistranslation.
    """
    config = load_locale(code, root)
    source_lang = load_locale(bulletin.language, root).bcp47
    if code == bulletin.language:
        localized = bulletin
        coverage = Coverage(sum(1 for u in bulletin.text_units() if u.text.strip()), 0, 0)
        unit_langs = tuple((u.key, config.bcp47) for u in bulletin.text_units())
    else:
        translations = load_translations(bulletin_po_path(code, bulletin.id, root), code)
        langs: dict[str, str] = {}

        def translate(unit: TextUnit) -> str:
            translated = translations.get((unit.key, unicodedata.normalize("NFC", unit.text)))
            langs[unit.key] = config.bcp47 if translated else source_lang
            return translated or unit.text

        localized = bulletin.replace_text(translate, code)
        coverage = bulletin_coverage(bulletin, code, root)
        unit_langs = tuple(langs.items())
    date_text = unicodedata.normalize("NFC", format_date(bulletin.date, format="full", locale=config.babel_locale))
    return Variant(
        locale=config,
        bulletin=localized,
        date_text=date_text,
        chrome=load_chrome(code, root),
        coverage=coverage,
        reading=reading,
        unit_langs=unit_langs,
        source_lang=source_lang,
    )


def skip_reason(variant: Variant, min_translated: float = DEFAULT_MIN_TRANSLATED) -> str | None:
    """Why the publish policy holds this variant back, or None to publish it."""
    if variant.locale.source or variant.coverage.percent >= min_translated:
        return None
    return f"translation incomplete: {variant.coverage.describe()}; the threshold is {min_translated:g}%"
