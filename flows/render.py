"""Render: a variant to a print-ready, tagged PDF with WeasyPrint.

Profiles (``a4``, ...) are a registry of stylesheet + WeasyPrint options, like
WeasyPrint's own ``pdf/pdfua.py`` VARIANTS: adding one is an entry here plus a
CSS file.  Fonts ship in ``flows/assets/fonts`` and are loaded with the same
``FontConfiguration`` for the CSS and ``write_pdf``.  The URL fetcher serves
only bantin's assets and the bulletin's own asset folder; every refusal is
recorded so the manifest can count it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jinja2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from . import __version__
from .errors import RenderError, UnknownProfileError
from .fsutil import atomic_path, sha256_file
from .localize import Variant
from .model import Photo
from .paths import ASSETS_DIR

__all__ = ["PROFILES", "Profile", "RenderResult", "SafeFetcher", "build_html", "get_profile", "render_pdf"]

log = logging.getLogger("bantin.render")

#: Largest ``data:`` URL the fetcher accepts (bytes of the URL).
MAX_DATA_URL = 256 * 1024


@dataclass(frozen=True)
class Profile:
    """A named print profile: a stylesheet in ``assets/css`` plus WeasyPrint options."""

    name: str
    stylesheet: str
    description: str
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def stylesheet_path(self) -> Path:
        return ASSETS_DIR / "css" / self.stylesheet


#: WeasyPrint options every profile starts from; a profile's own options override them.
BASE_OPTIONS: Mapping[str, Any] = MappingProxyType({
    # Tagged PDF/UA-1: structure tree, /Lang, DisplayDocTitle, XMP pdfuaid:part.
    "pdf_variant": "pdf/ua-1",
    # A stable /ID derived from the content, so identical input gives identical bytes.
    "pdf_identifier": False,
    # Subset fonts (full_fonts False) to keep files small; keep hinting off for print.
    "full_fonts": False,
    "hinting": False,
    # Use the document's <meta> title/author/keywords/dates.
    "custom_metadata": False,
})

#: The profile registry.
PROFILES: dict[str, Profile] = {
    "a4": Profile("a4", "a4.css", "A4 standard print, for notice boards"),
}


def get_profile(name: str) -> Profile:
    """The registered profile called ``name``."""
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownProfileError(name, list(PROFILES)) from None


# --------------------------------------------------------------------------- fetching


class SafeFetcher(URLFetcher):
    """Serves only files under the allowed folders and small ``data:`` URLs; refuses the rest.

    A refusal raises a (recoverable) error so WeasyPrint logs it and goes on
    rendering; ``refused`` keeps the URLs for the manifest.
    """

    def __init__(self, roots: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.roots = tuple(r.resolve() for r in roots)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> Any:
        reason = self._refusal(url)
        if reason:
            self.refused.append(url[:200])
            log.warning("refused to fetch %s: %s", url[:200], reason)
            raise ValueError(f"bantin refused to fetch {url[:80]}: {reason}")
        return super().fetch(url, headers)

    def _refusal(self, url: str) -> str | None:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return f"data: URL larger than {MAX_DATA_URL} bytes" if len(url) > MAX_DATA_URL else None
        if scheme != "file":
            return f"{scheme}: URLs are never fetched while rendering"
        from urllib.parse import unquote, urlsplit

        path = Path(unquote(urlsplit(url).path)).resolve()
        if any(path == root or root in path.parents for root in self.roots):
            return None
        return "outside bantin's assets and the bulletin's asset folder"


# --------------------------------------------------------------------------- HTML

def _environment() -> jinja2.Environment:
    """A fresh Jinja environment for one render.

    ``install_gettext_callables`` writes into the environment's globals, and a
    cached template keeps the gettext it was loaded with; a shared environment
    (or an overlay, which shares both) would leak one locale's chrome into other,
    possibly concurrent, renders.  Compiling the template again costs milliseconds.
    """
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(ASSETS_DIR / "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _css_string(text: str) -> str:
    """A CSS string literal; anything that could end the string or the sheet is escaped."""
    out = []
    for ch in text:
        out.append(f"\\{ord(ch):x} " if ch in '"\\<>&\'' or ord(ch) < 32 else ch)
    return '"' + "".join(out) + '"'


def _counter_content(template: str) -> str:
    """Turn a chrome string like 'Trang {page}/{pages}' into a CSS ``content`` value."""
    parts: list[str] = []
    rest = template
    while rest:
        starts = [(rest.find(tok), tok) for tok in ("{page}", "{pages}") if tok in rest]
        if not starts:
            parts.append(_css_string(rest))
            break
        idx, tok = min(starts)
        if idx:
            parts.append(_css_string(rest[:idx]))
        parts.append("counter(pages)" if tok == "{pages}" else "counter(page)")
        rest = rest[idx + len(tok):]
    return " ".join(parts)


def page_css(variant: Variant) -> str:
    """Per-variant CSS: fonts for the locale's script, hyphenation, running head and localized page numbers."""
    b, loc, _ = variant.bulletin, variant.locale, variant.gettext
    head = " · ".join(x for x in (b.source or _("Bản tin"), variant.date_text) if x)
    # Translators: page number in the page footer; keep {page} and {pages}.
    page_numbers = _counter_content(_("Trang {page}/{pages}"))
    hyphens = "auto" if loc.hyphenation else "manual"
    return (
        f'html {{ font-family: {_css_string(loc.serif_font)}, "Noto Serif", serif; hyphens: {hyphens}; }}\n'
        f'.kicker, .dateline, figcaption, .credits {{ font-family: {_css_string(loc.sans_font)}, "Noto Sans", sans-serif; }}\n'
        f"@page {{ @top-left {{ content: {_css_string(head)}; }}"
        f" @bottom-center {{ content: {page_numbers}; }} }}\n"
    )


def created_stamp(variant: Variant) -> str:
    """W3C datetime for the PDF's creation date: SOURCE_DATE_EPOCH if set, else the bulletin's date (UTC+7)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{variant.bulletin.date.isoformat()}T00:00:00+07:00"


def build_html(variant: Variant, asset_dir: Path | None = None) -> str:
    """The variant as HTML; everything from the bulletin is escaped (autoescape on)."""
    b = variant.bulletin

    def image_url(block: Photo) -> str:
        if block.src and asset_dir is not None:
            return (asset_dir / block.src).resolve().as_uri()
        return (ASSETS_DIR / "img" / "photo-missing.svg").as_uri()

    env = _environment()
    env.install_gettext_callables(variant.gettext, variant.ngettext, newstyle=True)  # type: ignore[attr-defined]
    keywords = ", ".join(x for x in (variant.gettext("Bản tin"), b.place, b.source) if x)
    return env.get_template("bulletin.html.j2").render(
        variant=variant, b=b, image_url=image_url, keywords=keywords, created=created_stamp(variant), version=__version__,
    )


# --------------------------------------------------------------------------- PDF


@dataclass(frozen=True)
class RenderResult:
    """A rendered PDF and the facts the manifest records about it."""

    path: Path
    locale: str
    profile: str
    pages: int
    bytes: int
    sha256: str
    refused_urls: tuple[str, ...] = ()


def render_pdf(variant: Variant, profile_name: str, out_path: Path, asset_dir: Path | None = None) -> RenderResult:
    """Render ``variant`` with a profile to ``out_path`` atomically; unchanged bytes are not rewritten."""
    profile = get_profile(profile_name)
    roots = (ASSETS_DIR,) + ((asset_dir,) if asset_dir else ())
    fetcher = SafeFetcher(roots)
    fonts = FontConfiguration()
    options = {**BASE_OPTIONS, **profile.options}
    try:
        stylesheets = [
            CSS(filename=str(ASSETS_DIR / "css" / "fonts.css"), font_config=fonts, url_fetcher=fetcher),
            CSS(filename=str(ASSETS_DIR / "css" / "base.css"), font_config=fonts, url_fetcher=fetcher),
            CSS(filename=str(profile.stylesheet_path), font_config=fonts, url_fetcher=fetcher),
            CSS(string=page_css(variant), font_config=fonts, url_fetcher=fetcher),
        ]
        html = HTML(string=build_html(variant, asset_dir), base_url=str(ASSETS_DIR / "templates") + "/", url_fetcher=fetcher)
        document = html.render(stylesheets=stylesheets, font_config=fonts, **options)
        pdf = document.write_pdf(**options)
    except Exception as exc:  # WeasyPrint raises many kinds; the stage reports one.
        raise RenderError(f"{out_path.name}: WeasyPrint failed for locale '{variant.locale.code}', profile '{profile_name}': {exc}") from exc
    if not pdf:
        raise RenderError(f"{out_path.name}: WeasyPrint produced no bytes")
    if not (out_path.is_file() and out_path.read_bytes() == pdf):
        with atomic_path(out_path) as tmp:
            tmp.write_bytes(pdf)
    return RenderResult(
        path=out_path,
        locale=variant.locale.code,
        profile=profile_name,
        pages=len(document.pages),
        bytes=len(pdf),
        sha256=sha256_file(out_path),
        refused_urls=tuple(fetcher.refused),
    )
