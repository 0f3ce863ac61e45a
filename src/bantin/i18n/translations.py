"""Runtime lookups: the usable translations of a catalog, as plain data.

bantin reads the ``.po`` files themselves (the ``.mo`` files are git-ignored
build products), so nothing depends on ``bantin i18n compile`` having run.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from bantin.i18n.catalogs import read_catalog

__all__ = ["Translations", "load_translations"]

#: ``{(msgctxt, msgid): msgstr}``
Translations = dict[tuple[str | None, str], str]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def load_translations(path: Path, code: str) -> Translations:
    """``{(msgctxt, msgid): msgstr}`` of the translated, non-fuzzy messages of a catalog, NFC.

    Fuzzy entries are left out: they never reach print or audio.  A missing file is empty.
    """
    if not path.is_file():
        return {}
    catalog = read_catalog(path, code)
    return {
        (m.context, _nfc(m.id)): _nfc(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string.strip() and not m.fuzzy
    }
