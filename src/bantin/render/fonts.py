"""Only bantin's bundled fonts reach a PDF: an isolated fontconfig, and a coverage check before layout.

WeasyPrint 70 loads the machine's fontconfig configuration and falls back
through it (to DejaVu, say) for any character the CSS fonts lack, so the same
bulletin printed differently on two machines.  :class:`BundledFontConfiguration`
gives Pango a fontconfig configuration that holds nothing but ``assets/fonts``
(and the ``@font-face`` copies WeasyPrint adds), so fallback can only pick a
bundled face.  A character no bundled face covers would then print as an empty
box: :func:`check_coverage` refuses it first, in one line naming the character
and the bulletin field it stands in.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from weasyprint.text.ffi import ffi, pangoft2
from weasyprint.text.fonts import FontConfiguration

from bantin.errors import RenderError
from bantin.i18n.localize import Variant
from bantin.paths import ASSETS_DIR
from bantin.textutil import describe_character

__all__ = ["FONTS_DIR", "BundledFontConfiguration", "check_coverage", "covered", "font_files", "uncovered"]

#: The bundled OFL fonts (see ``assets/fonts/README.md``); the only fonts a render may use.
FONTS_DIR = ASSETS_DIR / "fonts"
#: How many distinct uncovered characters one error message names.
_NAMED = 3


def font_files() -> list[Path]:
    """The bundled font files, sorted."""
    return sorted(p for p in FONTS_DIR.iterdir() if p.suffix.lower() in (".ttf", ".otf"))


@lru_cache(maxsize=1)
def _fontconfig() -> ctypes.CDLL:
    """The fontconfig library WeasyPrint has loaded (a second dlopen returns the same one)."""
    lib = ctypes.CDLL(ctypes.util.find_library("fontconfig") or "libfontconfig.so.1")
    lib.FcConfigCreate.restype = ctypes.c_void_p
    lib.FcConfigCreate.argtypes = []
    lib.FcConfigAppFontAddFile.restype = ctypes.c_int
    lib.FcConfigAppFontAddFile.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.FcConfigDestroy.restype = None
    lib.FcConfigDestroy.argtypes = [ctypes.c_void_p]
    return lib


class BundledFontConfiguration(FontConfiguration):  # type: ignore[misc]
    """A WeasyPrint font configuration whose fontconfig knows the bundled fonts and nothing else.

    WeasyPrint's own constructor loads the machine's configuration; its Pango
    font map is then given a fresh, empty fontconfig configuration holding only
    ``assets/fonts``.  ``@font-face`` rules keep adding their fonts to it as usual.
    """

    def __init__(self) -> None:
        super().__init__()
        lib = _fontconfig()
        config = lib.FcConfigCreate()
        # File by file: adding a folder would look for a fontconfig cache this configuration has no place for.
        for path in font_files():
            if not config or not lib.FcConfigAppFontAddFile(config, str(path).encode()):
                raise RenderError(f"fontconfig could not load bantin's bundled font {path}. Reinstall bantin")
        self._config = ffi.cast("FcConfig *", config)
        pangoft2.pango_fc_font_map_set_config(ffi.cast("PangoFcFontMap *", self.font_map), self._config)
        lib.FcConfigDestroy(config)  # the font map holds its own reference, as in WeasyPrint's constructor


@lru_cache(maxsize=1)
def covered() -> frozenset[int]:
    """Every code point some bundled font maps to a glyph."""
    from fontTools.ttLib import TTFont

    points: set[int] = set()
    for path in font_files():
        with TTFont(path, lazy=True) as font:
            points.update(font.getBestCmap() or {})
    return frozenset(points)


def _needs_glyph(ch: str) -> bool:
    """False for characters shaping hides: controls, format characters (joiners), variation selectors."""
    if unicodedata.category(ch) in ("Cc", "Cf"):
        return False
    code = ord(ch)
    return not (0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or 0x180B <= code <= 0x180F)


def uncovered(text: str) -> list[str]:
    """The distinct characters of ``text`` that no bundled font covers, in order of appearance."""
    have = covered()
    missing: dict[str, None] = {}
    for ch in set(text):
        if ord(ch) not in have and _needs_glyph(ch):
            missing[ch] = None
    return sorted(missing, key=text.index)


class _PrintedText(HTMLParser):
    """The text nodes of an HTML page (alt text is read aloud, never printed, so it is not collected)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _printed_text(html: str, css: str) -> str:
    parser = _PrintedText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts) + css  # the running head and page numbers are CSS strings


def _sources(variant: Variant) -> Iterator[tuple[str, str]]:
    """(where, text) for every printed text of a variant that comes from the bulletin or its locale."""
    for unit in variant.bulletin.text_units():
        if not unit.key.endswith(".alt"):
            yield (unit.position if unit.position == unit.key else f"{unit.position} ('{unit.key}')"), unit.text
    yield "the date line", variant.date_text


def check_coverage(name: str, variant: Variant, html: str, css: str = "") -> None:
    """Raise a one-line :class:`RenderError` when printed text holds a character no bundled font covers.

    The bulletin's fields are checked first so the message names the field;
    whatever else is printed (the locale's fixed wording) is checked last.
    """
    sources: Iterable[tuple[str, str]] = [*_sources(variant), (f"the page's fixed wording for locale '{variant.locale.code}'", _printed_text(html, css))]
    for where, text in sources:
        missing = uncovered(text)
        if missing:
            names = ", ".join(describe_character(ch) for ch in missing[:_NAMED])
            more = f" and {len(missing) - _NAMED} more" if len(missing) > _NAMED else ""
            verb, them = ("has", "it") if len(missing) == 1 else ("have", "them")
            raise RenderError(
                f"{name}: {where}: {names}{more} {verb} no glyph in bantin's bundled fonts and would print as an empty box. "
                f"Remove or replace {them} in the bulletin, or add an OFL font that covers {them} to src/bantin/assets/fonts"
            )
