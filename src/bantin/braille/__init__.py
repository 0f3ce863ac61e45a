"""Braille: a localized variant as BRF (ASCII braille for embossers) and PEF 2008-1.

The stage entry point is :func:`make_braille`; the table registry is
:data:`BRAILLE_TABLES`.  Translation is liblouis's ``lou_translate`` (Debian's
liblouis-bin and liblouis-data).
"""

from bantin.braille.louis import BrailleError, BrailleTextError, LouisUnavailableError
from bantin.braille.tables import BRAILLE_TABLES, BrailleTable, braille_skip_reason, braille_table
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
    "make_braille",
    "pef_path",
]
