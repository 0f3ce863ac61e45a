"""A variant as HTML (Jinja, autoescaped) and its per-variant page CSS, with an optional QR code.

The Jinja environment is built fresh for each render: gettext callables are
installed into it, and a shared one would leak one locale's chrome into
concurrent renders.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import segno

from bantin import __version__, settings
from bantin.content.model import Photo
from bantin.fsutil import source_date
from bantin.i18n.localize import Variant
from bantin.paths import ASSETS_DIR
from bantin.render.profiles import Profile

__all__ = [
    "BLEED",
    "build_html",
    "created_stamp",
    "image_url",
    "online_url",
    "page_css",
    "printed_url",
    "public_base_url",
    "qr_data_uri",
]

#: Bleed added around the trim box by ``print_marks`` (print shops ask for 3 mm).
BLEED = "3mm"
#: The placeholder shown for a photo the scrape lost (``src`` is None).
MISSING_PHOTO = ASSETS_DIR / "img" / "photo-missing.svg"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    """The Jinja environment of every render in this process; the template is compiled once.

    No locale's gettext is installed in it (``install_gettext_callables`` writes
    into the shared globals, and concurrent renders of other locales would see
    it): each render passes its own as template variables, which shadow the
    null translations installed here.  Installing those sets the new-style
    gettext that ``{% trans %}`` compiles against.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(ASSETS_DIR / "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return env


def _translations(variant: Variant) -> dict[str, Any]:
    """The variant's gettext, wrapped as the i18n extension wraps installed ones (escaping, %-formatting)."""
    from jinja2.ext import _make_new_gettext, _make_new_ngettext

    gettext = _make_new_gettext(variant.gettext)
    return {"gettext": gettext, "_": gettext, "ngettext": _make_new_ngettext(variant.ngettext)}


#: One compile of the template per process: a bulletin's render cache keys are computed at once, on threads,
#: and each would otherwise miss Jinja's cache and compile it again (0.05 s each).
_TEMPLATE_LOCK = threading.Lock()


def _template() -> jinja2.Template:
    """The compiled bulletin template (Jinja's cache, reloaded when the file changes)."""
    with _TEMPLATE_LOCK:
        return _environment().get_template("bulletin.html.j2")


def warm_up() -> None:
    """Compile the template now (a render child forked later starts with it compiled)."""
    _template()


def _css_string(text: str) -> str:
    """A CSS string literal; anything that could end the string or the sheet is escaped."""
    out = []
    for ch in text:
        out.append(f"\\{ord(ch):x} " if ch in "\"\\<>&'" or ord(ch) < 32 else ch)
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
        rest = rest[idx + len(tok) :]
    return " ".join(parts)


def page_css(variant: Variant, profile: Profile | None = None, print_marks: bool = False) -> str:
    """Per-variant CSS: fonts for the locale's script, hyphenation, running head, localized page numbers, marks."""
    b, loc, _ = variant.bulletin, variant.locale, variant.gettext
    head = " · ".join(x for x in (b.source or _("Bản tin"), variant.date_text) if x)
    # Translators: page number in the page footer; keep {page} and {pages}.
    page_numbers = _counter_content(_("Trang {page}/{pages}"))
    hyphens = "auto" if loc.hyphenation and (profile is None or profile.hyphenate) else "manual"
    serif = f'{_css_string(loc.serif_font)}, "Noto Serif", "Noto Sans Symbols", "Noto Emoji", serif'
    sans = f'{_css_string(loc.sans_font)}, "Noto Sans", "Noto Sans Symbols", "Noto Emoji", sans-serif'
    body = sans if profile is not None and profile.body_face == "sans" else serif
    marks = f"bleed: {BLEED}; marks: crop cross; " if print_marks else ""
    # Justification stretches the few spaces of scripts like Khmer into gaps: justify Latin only.
    align = "" if loc.script == "Latn" else "main p { text-align: left; }\n"
    return (
        f"html {{ font-family: {body}; hyphens: {hyphens}; }}\n{align}"
        f".kicker, .dateline, figcaption, .credits, .qr {{ font-family: {sans}; }}\n"
        f"@page {{ {marks}@top-left {{ content: {_css_string(head)}; font-family: {sans}; }}"
        f" @bottom-center {{ content: {page_numbers}; font-family: {sans}; }} }}\n"
    )


def created_stamp(variant: Variant) -> str:
    """W3C datetime for the PDF's creation date: SOURCE_DATE_EPOCH if set, else the bulletin's date (UTC+7)."""
    fixed = source_date()
    return fixed.strftime("%Y-%m-%dT%H:%M:%SZ") if fixed else f"{variant.bulletin.date.isoformat()}T00:00:00+07:00"


def public_base_url() -> str | None:
    """The public base URL of the online bulletins (``BANTIN_PUBLIC_URL``), without a trailing slash; None if unset."""
    return settings.public_url()


def online_url(base: str, variant: Variant) -> str:
    """Where a variant's online page and audio reading live: ``<base>/<id>/<locale>/``."""
    return f"{base.rstrip('/')}/{variant.bulletin.id}/{variant.locale.code}/"


def qr_data_uri(url: str) -> str:
    """A QR code for ``url`` as an SVG ``data:`` URL (segno, error correction M): nothing to fetch."""
    uri: str = segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=2, xmldecl=False)
    return uri


#: Zero-width space (a line may break here) and word joiner (it may not): neither prints, nor reaches the text layer.
_MAY_BREAK, _NO_BREAK = "\u200b", "\u2060"


def printed_url(url: str) -> str:
    """``url`` as printed: a line may break after a slash or before a hyphen, never after a hyphen.

    A line that ends in the address's own hyphen reads as a hyphenated word, in
    print and to text extractors (pdftotext joins such lines and drops the
    hyphen), so the address wraps the way style guides wrap URLs: the hyphen
    starts the next line.  The marks are format characters, which print nothing
    and have no glyph in the text layer.
    """
    out: list[str] = []
    for i, ch in enumerate(url):
        if ch == "-":
            out.append(f"{_MAY_BREAK}-{_NO_BREAK}")
        elif ch == "/" and url[i + 1 : i + 2] not in ("/", ""):
            out.append("/" + _MAY_BREAK)
        else:
            out.append(ch)
    return "".join(out)


def image_url(block: Photo, asset_dir: Path | None) -> str:
    """The ``file:`` URL a photo block is printed from; the placeholder when there is no file to take."""
    if block.src and asset_dir is not None:
        return (asset_dir / block.src).resolve().as_uri()
    return MISSING_PHOTO.as_uri()


def build_html(variant: Variant, asset_dir: Path | None = None, public_url: str | None = None) -> str:
    """The variant as HTML; everything from the bulletin is escaped (autoescape on).

    With ``public_url`` (a base URL), the page carries a QR code to the variant's online page and audio.
    """
    b = variant.bulletin
    link = online_url(public_url, variant) if public_url else None
    keywords = ", ".join(x for x in (variant.gettext("Bản tin"), b.place, b.source) if x)
    return _template().render(
        **_translations(variant),
        variant=variant,
        b=b,
        image_url=lambda block: image_url(block, asset_dir),
        printed_url=printed_url,
        keywords=keywords,
        created=created_stamp(variant),
        version=__version__,
        qr_url=link,
        qr_src=qr_data_uri(link) if link else None,
    )
