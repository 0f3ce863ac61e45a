"""The braille table registry: which liblouis tables write each language, in one place.

Like the render profile registry, this is the single source: the braille stage,
the record and the portal ask here.  A locale without a table gets its braille
recorded as skipped, never failed.  Khmer has none here on purpose: liblouis
ships a ``km-g1.utb``, but nobody has checked its output for bantin yet.

Each language has two tables.  ``table`` writes the variant's own language
(Vietnamese grade 1, English UEB grade 2).  ``foreign`` writes text in that
language inside another language's braille (an untranslated Vietnamese block,
a Vietnamese name in an English sentence): uncontracted, as braille codes write
foreign words (UEB Rules §13), so the reader meets the letters themselves and
not contractions of a code they may not read; liblouis can also translate those
tables backwards, which is how the tests check them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BRAILLE_TABLES", "BrailleTable", "braille_skip_reason", "braille_table", "lang_table"]


@dataclass(frozen=True)
class BrailleTable:
    """The liblouis tables of one locale's language (file names under /usr/share/liblouis/tables)."""

    locale: str
    #: table for a document in this language
    table: str
    description: str
    #: table for text in this language inside a document in another language (uncontracted)
    foreign: str
    foreign_description: str


#: The registry: locale code (= the language's primary BCP 47 subtag) → liblouis tables.  Debian's liblouis-data ships these.
BRAILLE_TABLES: dict[str, BrailleTable] = {
    "vi": BrailleTable("vi", "vi-vn-g1.ctb", "Vietnamese braille, partially contracted (grade 1)", "vi-vn-g0.utb", "Vietnamese braille, uncontracted"),
    "en": BrailleTable(
        "en", "en-ueb-g2.ctb", "Unified English Braille, contracted (grade 2)", "en-ueb-g1.ctb", "Unified English Braille, uncontracted (grade 1)"
    ),
}


def braille_table(locale: str) -> BrailleTable | None:
    """The tables of ``locale`` (a bantin locale code), or None when there are none."""
    return BRAILLE_TABLES.get(locale)


def lang_table(lang: str, document: str) -> str | None:
    """The liblouis table for text in ``lang`` (BCP 47) in a document in ``document`` (BCP 47), or None when ``lang`` has none.

    >>> lang_table("vi", "vi"), lang_table("vi", "en"), lang_table("en-GB", "en"), lang_table("km", "en")
    ('vi-vn-g1.ctb', 'vi-vn-g0.utb', 'en-ueb-g2.ctb', None)
    """
    primary = lang.split("-")[0].lower()
    entry = BRAILLE_TABLES.get(primary)
    if entry is None:
        return None
    return entry.table if primary == document.split("-")[0].lower() else entry.foreign


def braille_skip_reason(locale: str) -> str | None:
    """Why no braille is made for ``locale``, or None when it has a table."""
    if locale in BRAILLE_TABLES:
        return None
    return f"no braille: no braille table is registered for {locale}"
