"""The braille table registry: which liblouis table writes each locale, in one place.

Like the render profile registry, this is the single source: the braille stage,
the record and the portal ask here.  A locale without a table gets its braille
recorded as skipped, never failed.  Khmer has none here on purpose: liblouis
ships a ``km-g1.utb``, but nobody has checked its output for bantin yet.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BRAILLE_TABLES", "BrailleTable", "braille_skip_reason", "braille_table"]


@dataclass(frozen=True)
class BrailleTable:
    """A liblouis translation table for one locale (file name under /usr/share/liblouis/tables)."""

    locale: str
    table: str
    description: str


#: The registry: locale code → liblouis table.  Debian's liblouis-data ships these file names.
BRAILLE_TABLES: dict[str, BrailleTable] = {
    "vi": BrailleTable("vi", "vi-vn-g1.ctb", "Vietnamese braille, partially contracted (grade 1)"),
    "en": BrailleTable("en", "en-ueb-g2.ctb", "Unified English Braille, contracted (grade 2)"),
}


def braille_table(locale: str) -> BrailleTable | None:
    """The table that writes ``locale`` (a bantin locale code), or None when there is none."""
    return BRAILLE_TABLES.get(locale)


def braille_skip_reason(locale: str) -> str | None:
    """Why no braille is made for ``locale``, or None when it has a table."""
    if locale in BRAILLE_TABLES:
        return None
    return f"no braille: no braille table is registered for {locale}"
