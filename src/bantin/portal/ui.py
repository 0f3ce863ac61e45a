"""The portal's own words and formats, in the reader's language.

Words come from the chrome catalogs (``locales/<code>/LC_MESSAGES/chrome.po``;
msgids are Vietnamese, the source language).  A UI language is offered when it
is Vietnamese or has a chrome catalog.  A message the catalog does not
translate falls back to the Vietnamese msgid, wrapped in ``<span lang="vi">``
so screen readers still pronounce it right.  Dates, numbers and sizes are
formatted by Babel with the UI locale's CLDR data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
from babel import Locale, negotiate_locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit
from markupsafe import Markup, escape

from bantin.errors import BantinError
from bantin.i18n.locales import SOURCE_LOCALE, LocaleConfig, known_locales, load_locale
from bantin.i18n.localize import CHROME_DOMAIN, load_chrome
from bantin.paths import ASSETS_DIR, locale_data, locales_dir

__all__ = ["N_", "PROFILE_LABELS", "STATUS_LABELS", "UI", "get_ui", "negotiate_ui", "template_env", "ui_languages"]


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

    @property
    def lang(self) -> str:
        return self.config.bcp47

    @property
    def babel(self) -> Locale:
        return self.config.babel_locale

    def text(self, message: str) -> str:
        """Plain translation (for attributes, HTTP headers and feeds); the msgid when untranslated."""
        return dict(self.translations).get(message) or message

    def markup(self, message: str) -> Markup:
        """Translation as HTML; an untranslated message keeps its Vietnamese ``lang``."""
        translated = dict(self.translations).get(message)
        if translated or self.code == SOURCE_LOCALE:
            return Markup(escape(translated or message))
        return Markup('<span lang="vi">%s</span>') % message

    def ngettext(self, singular: str, plural: str, n: int) -> Markup:
        return self.markup(singular if n == 1 else plural)

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
            config = load_locale(code)
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


@lru_cache(maxsize=16)
def _get_ui(code: str, root: Path) -> UI:
    return UI(code=code, config=load_locale(code, root), translations=load_chrome(code, root))


def get_ui(code: str, root: Path | None = None) -> UI:
    """The UI for ``code`` (catalogs are read once per process and locales folder)."""
    return _get_ui(code, (root or locales_dir()).resolve())


def template_env(ui: UI) -> jinja2.Environment:
    """A Jinja environment for the portal templates, with the UI's gettext installed."""
    env = _BASE_ENV.overlay()
    env.install_gettext_callables(ui.markup, ui.ngettext, newstyle=True)  # type: ignore[attr-defined]
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
