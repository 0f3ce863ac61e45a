"""The portal's own words and formats, in the reader's language.

Words come from the chrome catalogs (``locales/<code>/LC_MESSAGES/chrome.po``;
msgids are Vietnamese, the source language).  A UI language is offered when it
is Vietnamese or has a chrome catalog.  A message the catalog does not
translate falls back to the Vietnamese msgid, wrapped in ``<span lang="vi">``
so screen readers still pronounce it right.  Dates, numbers and sizes are
formatted by Babel with the UI locale's CLDR data.

A chrome catalog is checked as it is loaded (:mod:`bantin.i18n.checks`): a
translation whose placeholders differ from its msgid's falls back to the
Vietnamese source for that message only, and a file with a syntax or
charset error to the source for all of it; either is logged once, never an
error page.  Catalogs are reloaded when their file changes (one ``stat`` per
page), so a fixed translation shows without restarting the portal.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import jinja2
from babel import Locale, negotiate_locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit
from markupsafe import Markup, escape

from bantin.errors import BantinError
from bantin.i18n.catalogs import CHROME_DOMAIN, chrome_po_path
from bantin.i18n.checks import CatalogError
from bantin.i18n.locales import SOURCE_LOCALE, LocaleConfig, known_locales, load_locale
from bantin.i18n.translations import read_translations
from bantin.paths import ASSETS_DIR, locale_data, locales_dir

__all__ = ["N_", "PROFILE_LABELS", "STATUS_LABELS", "UI", "get_ui", "negotiate_ui", "template_env", "ui_languages"]

log = logging.getLogger("bantin.portal")

#: What a translation that cannot be formatted raises (``%(percent)d`` given a string, an unknown name...).
_FORMAT_ERRORS = (KeyError, ValueError, TypeError, IndexError)


def N_(message: str) -> str:
    """Mark a string for extraction into the chrome catalog; translated later, where it is shown."""
    return message


#: How print profiles are named on the page.
PROFILE_LABELS: Mapping[str, str] = {
    "a4": N_("A4 (bảng tin)"),
    "a5": N_("A5 (tờ rơi)"),
    "large-print": N_("Chữ to"),
}

#: How a locale's status is named on the page.
STATUS_LABELS: Mapping[str, str] = {
    "source": N_("Bản gốc"),
    "published": N_("Đã xuất bản"),
    "complete": N_("Đã xuất bản"),
    "partial": N_("Dịch một phần"),
    "skipped": N_("Chưa xuất bản"),
    "failed": N_("Lỗi khi xuất bản"),
    "outdated": N_("Đã cũ, chờ xuất bản lại"),
}


def ui_languages(root: Path | None = None) -> list[str]:
    """Codes of the UI languages: Vietnamese first, then every locale with a chrome catalog."""
    root = root or locales_dir()
    codes = [c for c in known_locales(root) if c != SOURCE_LOCALE and locale_data(f"{c}/LC_MESSAGES/{CHROME_DOMAIN}.po", root).is_file()]
    return [SOURCE_LOCALE, *codes]


def negotiate_ui(accept_language: str | None, available: list[str]) -> str:
    """The UI language for an ``Accept-Language`` header (Babel's negotiation), Vietnamese by default."""
    if not accept_language:
        return available[0]
    preferred: list[tuple[float, str]] = []
    for i, part in enumerate(accept_language.split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and tag != "*" and q > 0:
            preferred.append((-q + i * 1e-6, tag.strip().replace("_", "-")))
    tags = [t for _, t in sorted(preferred)]
    return negotiate_locale(tags, available, sep="-") or negotiate_locale([t.split("-")[0] for t in tags], available, sep="-") or available[0]


@dataclass(frozen=True)
class UI:
    """One UI language: its translations and formatters."""

    code: str
    config: LocaleConfig
    translations: tuple[tuple[str, str], ...]
    #: The chrome catalog the translations come from (named in log lines).
    catalog: Path | None = None
    #: msgids whose translation failed to format, already logged (each is logged once).
    _reported: set[str] = field(default_factory=set, compare=False, hash=False, repr=False)
    #: the locales folder the UI was read from (other locales' names come from there, without looking for the project again)
    root: Path | None = field(default=None, compare=False, hash=False, repr=False)

    @cached_property
    def _lookup(self) -> dict[str, str]:
        return dict(self.translations)

    @property
    def lang(self) -> str:
        return self.config.bcp47

    @property
    def babel(self) -> Locale:
        return self.config.babel_locale

    def text(self, message: str) -> str:
        """Plain translation (for attributes, HTTP headers and feeds); the msgid when untranslated."""
        return self._lookup.get(message) or message

    def markup(self, message: str) -> Markup:
        """Translation as HTML; an untranslated message keeps its Vietnamese ``lang``."""
        translated = self._lookup.get(message)
        if translated or self.code == SOURCE_LOCALE:
            return Markup(escape(translated or message))
        return self._source(message)

    def _source(self, message: str) -> Markup:
        """The Vietnamese msgid as HTML, tagged ``lang="vi"`` outside the Vietnamese UI."""
        return Markup(escape(message)) if self.code == SOURCE_LOCALE else Markup('<span lang="vi">%s</span>') % message

    def gettext(self, message: str, /, **variables: object) -> Markup:
        """The templates' ``_()``, as Jinja's newstyle gettext: the translation as HTML, %-formatted with ``variables``.

        A translation that cannot be formatted (a placeholder the catalog checks
        could not see, such as a stray ``%``) falls back to the source string,
        logged once, so a translator's slip never becomes an error page.
        """
        translated = self.markup(message)
        try:
            return translated % variables
        except _FORMAT_ERRORS as exc:
            if message not in self._lookup:
                raise  # the template's own msgid: a bug in bantin, not in the catalog
            if message not in self._reported:
                self._reported.add(message)
                where = self.catalog or CHROME_DOMAIN
                log.warning(
                    "%s: the translation of %r cannot be formatted (%s); the portal shows the Vietnamese source. Fix the msgstr's placeholders",
                    where,
                    message,
                    exc,
                )
            return self._source(message) % variables

    def ngettext(self, singular: str, plural: str, n: int, /, **variables: object) -> Markup:
        """Plural ``_()``: Jinja's newstyle ngettext (``num`` is ``n`` unless given)."""
        variables.setdefault("num", n)
        return self.gettext(singular if n == 1 else plural, **variables)

    # ----------------------------------------------------------------- formats

    def date(self, value: dt.date) -> str:
        return format_date(value, format="long", locale=self.babel)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.babel)

    def percent(self, value: float) -> str:
        return format_percent(value / 100, locale=self.babel)

    def size(self, n_bytes: int | None) -> str:
        """A file size with CLDR units: kB below one megabyte, MB above (decimal units)."""
        if n_bytes is None:
            return ""
        if n_bytes < 1000 * 1000:
            return format_unit(max(1, round(n_bytes / 1000)), "digital-kilobyte", length="short", locale=self.babel)
        return format_unit(round(n_bytes / 1e6, 1), "digital-megabyte", length="short", locale=self.babel, format="#,##0.#")

    def locale_name(self, code: str) -> str:
        """The name of locale ``code`` in the UI language."""
        try:
            config = load_locale(code, self.root)
        except BantinError:
            return code
        if self.code == SOURCE_LOCALE:
            return config.name_vi
        cldr_name = self.babel.languages.get(code)
        return cldr_name or config.name


def duration_text(seconds: float | None) -> str:
    """``m:ss`` (or ``h:mm:ss``) for a duration."""
    if seconds is None:
        return ""
    total = max(0, round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def iso_duration(seconds: float | None) -> str:
    """ISO 8601 duration for ``<time datetime>``."""
    total = max(0, round(seconds or 0))
    m, s = divmod(total, 60)
    return f"PT{m}M{s}S"


#: What identifies one version of a catalog file: (mtime in ns, size, inode); None when there is none.
_Stamp = tuple[int, int, int] | None


def _stamp(path: Path) -> _Stamp:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


@lru_cache(maxsize=32)
def _get_ui(code: str, root: Path, path: Path, stamp: _Stamp) -> UI:
    """The UI of one version (``stamp``) of the chrome catalog at ``path``; its problems are logged here, once."""
    try:
        translations, problems = read_translations(path, code, placeholders=True)
    except CatalogError as exc:
        log.warning("%s The portal shows the Vietnamese source for this language until it is fixed.", exc)
        translations, problems = {}, []
    for problem in problems:
        log.warning("%s The portal shows the Vietnamese source for this message until it is fixed.", problem)
    pairs = {msgid: msgstr for (_ctx, msgid), msgstr in translations.items()}
    return UI(code=code, config=load_locale(code, root), translations=tuple(sorted(pairs.items())), catalog=path, root=root)


def get_ui(code: str, root: Path | None = None) -> UI:
    """The UI for ``code``: read once per version of its chrome catalog, re-read when the file changes (one stat per call)."""
    root = (root or locales_dir()).resolve()
    path = chrome_po_path(code, root)
    return _get_ui(code, root, path, _stamp(path))


#: One environment per UI (per version of its catalog), so each compiles the templates once, not per page:
#: an overlay starts with an empty template cache of its own.  Keyed by the UI object, kept alive with it.
_ENVS: dict[int, tuple[UI, jinja2.Environment]] = {}
_ENVS_MAX = 32


def template_env(ui: UI) -> jinja2.Environment:
    """A Jinja environment for the portal templates, with the UI's gettext installed (made once per UI).

    The overlay gets globals of its own: an overlay shares its parent's dict,
    and installing one language's gettext there would show it to a page being
    rendered in another language at the same time.
    """
    found = _ENVS.get(id(ui))
    if found is not None and found[0] is ui:
        return found[1]
    if len(_ENVS) >= _ENVS_MAX:
        _ENVS.pop(next(iter(_ENVS)))
    env = _new_env(ui)
    _ENVS[id(ui)] = (ui, env)
    return env


def _new_env(ui: UI) -> jinja2.Environment:
    env = _BASE_ENV.overlay()
    env.globals = {**_BASE_ENV.globals, "gettext": ui.gettext, "ngettext": ui.ngettext}
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # {% trans %} passes its variables to gettext, which formats
    return env


_BASE_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(ASSETS_DIR / "templates" / "portal"),
    autoescape=True,
    extensions=["jinja2.ext.i18n"],
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_BASE_ENV.globals.update(duration_text=duration_text, iso_duration=iso_duration)
