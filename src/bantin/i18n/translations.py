"""Runtime lookups: the usable translations of a catalog, as plain data.

bantin reads the ``.po`` files themselves (the ``.mo`` files are git-ignored
build products), so nothing depends on ``bantin i18n compile`` having run.
Every catalog is checked before use (:mod:`bantin.i18n.checks`): a file with
a syntax or charset error raises; a translation whose placeholders differ
from its msgid's is left out and reported, so it is never printed as
"Page 1 of {total}".
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from bantin.i18n.catalogs import read_catalog
from bantin.i18n.checks import PlaceholderError, placeholder_problems

__all__ = ["Translations", "load_translations", "read_translations"]

#: ``{(msgctxt, msgid): msgstr}``
Translations = dict[tuple[str | None, str], str]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def read_translations(path: Path, code: str, placeholders: bool = False) -> tuple[Translations, list[PlaceholderError]]:
    """``{(msgctxt, msgid): msgstr}`` of the translated, non-fuzzy messages of a catalog (NFC), and the messages left out.

    Fuzzy entries are left out: they never reach print or audio.  With
    ``placeholders`` (strings that get formatted: the chrome), a message whose
    placeholders differ from its msgid's is left out too, and returned as a
    :class:`~bantin.i18n.checks.PlaceholderError`.  A missing file is empty; a
    file with a syntax or charset error raises a CatalogError.
    """
    if not path.is_file():
        return {}, []
    catalog = read_catalog(path, code)
    problems = placeholder_problems(catalog, path) if placeholders else []
    bad = {(p.context, p.msgid) for p in problems}
    translations = {
        (m.context, _nfc(m.id)): _nfc(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string.strip() and not m.fuzzy and (m.context, m.id) not in bad
    }
    return translations, problems


def load_translations(path: Path, code: str, placeholders: bool = False) -> Translations:
    """Like :func:`read_translations`, for publishing: the first message left out is raised, so the locale fails with that line."""
    translations, problems = read_translations(path, code, placeholders)
    if problems:
        raise problems[0]
    return translations
