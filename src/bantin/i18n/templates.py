"""What is translatable: the chrome template (extracted from bantin's code) and one template per bulletin."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path

from babel.messages import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from bantin.content.model import Bulletin, TextUnit
from bantin.i18n.catalogs import CHROME_DOMAIN, new_catalog
from bantin.paths import PACKAGE_DIR

__all__ = ["bulletin_template", "chrome_template", "translatable_units"]

#: Babel method map: Python sources and Jinja templates of the package (the desk's go to its own catalog, desk.pot).
_METHOD_MAP = [("desk/**", "ignore"), ("**/templates/desk/**", "ignore"), ("**.py", "python"), ("**/templates/**.j2", "jinja2.ext:babel_extract")]
_OPTIONS_MAP = {"**/templates/**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}


def chrome_template() -> Catalog:
    """The chrome template, extracted from the package with Babel's python and Jinja extractors."""
    catalog = new_catalog(None, CHROME_DOMAIN)
    found = extract_from_dir(
        str(PACKAGE_DIR),
        method_map=_METHOD_MAP,
        options_map=_OPTIONS_MAP,
        keywords=DEFAULT_KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        if not message or (isinstance(message, str) and not message.strip()):
            continue
        location = (f"{PACKAGE_DIR.name}/{Path(filename).as_posix()}", lineno)
        catalog.add(_nfc_id(message), locations=[location], auto_comments=comments, context=context)
    return catalog


def _nfc_id(message: str | Sequence[str]) -> str | tuple[str, ...]:
    if isinstance(message, str):
        return unicodedata.normalize("NFC", message)
    return tuple(unicodedata.normalize("NFC", m) for m in message)


def translatable_units(bulletin: Bulletin) -> Iterator[TextUnit]:
    """Text units worth translating (an empty string would be the PO header)."""
    return (u for u in bulletin.text_units() if u.text.strip())


def bulletin_template(bulletin: Bulletin) -> Catalog:
    """One message per text unit, in reading order: msgctxt = unit key, translator comment = position."""
    catalog = new_catalog(None, f"bulletins/{bulletin.id}")
    for unit in translatable_units(bulletin):
        catalog.add(unit.text, context=unit.key, auto_comments=[unit.position])
    return catalog
