"""Braille: a localized variant as BRF (ASCII braille for embossers) and PEF 2008-1.

The stage entry point is :func:`make_braille`; the table registry is
:data:`BRAILLE_TABLES`, and :func:`lang_table` picks the table for text in a
given language inside a given document.  Translation is liblouis's ``lou_translate`` (Debian's
liblouis-bin and liblouis-data).
"""

from bantin.braille.louis import BrailleError, BrailleTextError, LouisUnavailableError
from bantin.braille.tables import BRAILLE_TABLES, BrailleTable, braille_skip_reason, braille_table, lang_table
from bantin.braille.transcribe import BrailleResult, brf_path, make_braille, pef_path

__all__ = [
    "BRAILLE_TABLES",
    "BrailleError",
    "BrailleResult",
    "BrailleTable",
    "BrailleTextError",
    "LouisUnavailableError",
    "braille_skip_reason",
    "braille_table",
    "brf_path",
    "lang_table",
    "make_braille",
    "pef_path",
]
