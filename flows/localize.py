"""Localize: build a :class:`Variant`, the bulletin as one locale will print and read it.

A variant holds the translated blocks, the chrome (bantin's own fixed strings)
in that locale, and the date formatted by Babel with the locale's CLDR data.  It
is plain, hashable data, so later stages (and Prefect's cache) can key on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel.dates import format_date
from babel.messages.pofile import read_po

from .locales import LocaleConfig, load_locale
from .model import Bulletin
from .paths import locales_dir

__all__ = ["CHROME_DOMAIN", "Variant", "load_chrome", "localize"]

#: gettext domain of bantin's own strings ("Bản tin", "Nguồn", "Trang 1/2"...).
CHROME_DOMAIN = "chrome"


@dataclass(frozen=True)
class Variant:
    """A bulletin localized for one locale: what render and speak consume."""

    locale: LocaleConfig
    bulletin: Bulletin
    date_text: str
    chrome: tuple[tuple[str, str], ...] = ()

    @property
    def lang(self) -> str:
        """BCP 47 tag for HTML ``lang`` and PDF ``/Lang``."""
        return self.locale.bcp47

    def gettext(self, message: str) -> str:
        """The chrome string ``message`` in this locale (the Vietnamese source when untranslated)."""
        return dict(self.chrome).get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Plural chrome lookup; bantin's chrome has no plural messages yet, so pick by n."""
        return self.gettext(singular if n == 1 else plural)


def load_chrome(code: str, root: Path | None = None) -> tuple[tuple[str, str], ...]:
    """Translated, non-fuzzy chrome messages of a locale, sorted; empty for the source locale."""
    po_path = (root or locales_dir()) / code / "LC_MESSAGES" / f"{CHROME_DOMAIN}.po"
    if not po_path.is_file():
        return ()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=None, domain=CHROME_DOMAIN)
    pairs = {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy
    }
    return tuple(sorted(pairs.items()))


def localize(bulletin: Bulletin, code: str, root: Path | None = None) -> Variant:
    """The variant of ``bulletin`` for locale ``code``.

    The source locale passes the blocks through unchanged; other locales are
    filled from their bulletin catalogs (see :mod:`flows.i18n`).
    """
    config = load_locale(code, root)
    if code != bulletin.language:
        raise NotImplementedError(f"translated variants ({code}) come from bulletin catalogs")
    date_text = format_date(bulletin.date, format="full", locale=config.babel_locale)
    return Variant(locale=config, bulletin=bulletin, date_text=date_text, chrome=load_chrome(code, root))
