"""The desk's words: its own gettext catalog, ``desk.pot`` (msgids Vietnamese, the source language).

Like the portal's chrome (:mod:`bantin.portal.ui`, whose :class:`UI` it reuses):
a UI language is Vietnamese or one with ``<code>/LC_MESSAGES/desk.po``,
chosen by ``Accept-Language``; an untranslated message shows its Vietnamese
msgid; a catalog with a broken placeholder falls back to the source for that
message.  The desk's strings are kept out of the portal's ``chrome.pot``
(readers never see them) and extracted here by :func:`desk_template`.
"""

from __future__ import annotations

import logging
import unicodedata
from functools import lru_cache
from pathlib import Path

import jinja2
from babel.messages import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from bantin.i18n.catalogs import new_catalog
from bantin.i18n.checks import CatalogError
from bantin.i18n.locales import SOURCE_LOCALE, known_locales, load_locale
from bantin.i18n.translations import read_translations
from bantin.paths import ASSETS_DIR, PACKAGE_DIR, locale_data, locales_dir
from bantin.portal.ui import UI, negotiate_ui

__all__ = ["DESK_DOMAIN", "desk_languages", "desk_po_path", "desk_pot_path", "desk_template", "desk_ui", "template_env"]

log = logging.getLogger("bantin.desk")

DESK_DOMAIN = "desk"
TEMPLATES = ASSETS_DIR / "templates" / "desk"


def desk_pot_path(root: Path | None = None) -> Path:
    """``locales/desk.pot`` (the project's, else bantin's own)."""
    return locale_data(f"{DESK_DOMAIN}.pot", root)


def desk_po_path(code: str, root: Path | None = None) -> Path:
    """``locales/<code>/LC_MESSAGES/desk.po`` (the project's, else bantin's own)."""
    return locale_data(f"{code}/LC_MESSAGES/{DESK_DOMAIN}.po", root)


def desk_languages(root: Path | None = None) -> list[str]:
    """Vietnamese first, then every locale with a desk catalog."""
    root = root or locales_dir()
    return [SOURCE_LOCALE, *(c for c in known_locales(root) if c != SOURCE_LOCALE and desk_po_path(c, root).is_file())]


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


@lru_cache(maxsize=16)
def _ui(code: str, root: Path, path: Path, stamp: tuple[int, int, int] | None) -> UI:
    pairs: dict[str, str] = {}
    if code != SOURCE_LOCALE and stamp is not None:
        try:
            translations, problems = read_translations(path, code, placeholders=True)
        except CatalogError as exc:
            log.warning("%s The desk shows the Vietnamese source for this language until it is fixed.", exc)
            translations, problems = {}, []
        for problem in problems:
            log.warning("%s The desk shows the Vietnamese source for this message until it is fixed.", problem)
        pairs = {msgid: msgstr for (_ctx, msgid), msgstr in translations.items()}
    return UI(code=code, config=load_locale(code, root), translations=tuple(sorted(pairs.items())), catalog=path, root=root)


def desk_ui(accept_language: str | None, root: Path | None = None) -> UI:
    """The desk UI for a request's ``Accept-Language`` (Vietnamese unless a catalog matches better)."""
    root = (root or locales_dir()).resolve()
    code = negotiate_ui(accept_language, desk_languages(root))
    path = desk_po_path(code, root)
    return _ui(code, root, path, _stamp(path))


_BASE_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    extensions=["jinja2.ext.i18n"],
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENVS: dict[int, tuple[UI, jinja2.Environment]] = {}


def template_env(ui: UI) -> jinja2.Environment:
    """The desk's Jinja environment with ``ui``'s gettext installed (one per UI, so templates compile once)."""
    found = _ENVS.get(id(ui))
    if found is not None and found[0] is ui:
        return found[1]
    if len(_ENVS) >= 16:
        _ENVS.pop(next(iter(_ENVS)))
    env = _BASE_ENV.overlay()
    env.globals = {**_BASE_ENV.globals, "gettext": ui.gettext, "ngettext": ui.ngettext, "_": ui.gettext}
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    _ENVS[id(ui)] = (ui, env)
    return env


#: What the desk's catalog is extracted from: its Python modules and its templates (nothing else of bantin).
_DESK_SOURCES = (PACKAGE_DIR / "desk", TEMPLATES)


def desk_template() -> Catalog:
    """The desk template, extracted from ``bantin/desk/**.py`` and ``templates/desk/*.j2`` with Babel."""
    catalog = new_catalog(None, DESK_DOMAIN)
    for folder in _DESK_SOURCES:
        found = extract_from_dir(
            str(folder),
            method_map=[("**.py", "python"), ("**.j2", "jinja2.ext:babel_extract")],
            options_map={"**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}},
            keywords={**{k: v for k, v in DEFAULT_KEYWORDS.items() if k in ("_", "gettext", "ngettext", "N_")}, "t": None},
            comment_tags=("Translators:",),
            strip_comment_tags=True,
        )
        for filename, lineno, message, comments, context in found:
            if not message or (isinstance(message, str) and not message.strip()):
                continue
            rel = (folder / filename).relative_to(PACKAGE_DIR.parent).as_posix()
            msg = unicodedata.normalize("NFC", message) if isinstance(message, str) else tuple(unicodedata.normalize("NFC", m) for m in message)
            catalog.add(msg, locations=[(rel, lineno)], auto_comments=comments, context=context)
    return catalog
