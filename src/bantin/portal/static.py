"""The portal's own files: the Khmer web font, the favicon, the cover image and the read-along script.

All are made from what bantin ships (the bundled Noto fonts, the centre's name
from the project config) and are the same bytes for the same inputs, so the
live app and the static export serve identical files:

- ``static/NotoSansKhmer-{Regular,Bold}-<hash>.woff2``: Noto Sans Khmer subset to the Khmer
  blocks (all layout features kept, so shaping is intact) and compressed as
  WOFF2, loaded through ``@font-face`` with a Khmer ``unicode-range`` so other
  scripts never fetch it.  The hash in its name lets it be cached for a year.
- ``static/readalong-<hash>.js``: the bulletin page's read-along (a file, as
  the page's Content-Security-Policy allows no inline script).
- ``favicon.ico`` (16, 32 and 48 px) and ``cover.png`` (1400 × 1400, the
  podcast cover ``itunes:image`` points at), drawn with Pillow.
"""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = ["COVER_PATH", "FAVICON_PATH", "StaticFile", "cover_png", "favicon_ico", "khmer_font", "readalong_js", "static_files"]

FAVICON_PATH = "favicon.ico"
COVER_PATH = "cover.png"
#: Long-lived cache for files whose name carries their hash.
IMMUTABLE = "public, max-age=31536000, immutable"
#: Khmer, Khmer Symbols, the joiners and the dotted circle shaping inserts before a lone mark.
KHMER_UNICODES = [*range(0x1780, 0x1800), *range(0x19E0, 0x1A00), 0x200B, 0x200C, 0x200D, 0x25CC]
KHMER_RANGE = "U+1780-17FF, U+19E0-19FF, U+200B-200D, U+25CC"

# Colours of the portal's header (base.html.j2): the link blue and the paper white.
_BLUE = (10, 74, 140)
_PAPER = (253, 253, 251)


@dataclass(frozen=True)
class StaticFile:
    """One of the portal's own files: its site path, bytes, media type and cache lifetime."""

    path: str
    data: bytes
    media_type: str
    cache: str

    @property
    def etag(self) -> str:
        return hashlib.sha256(self.data).hexdigest()[:32]


def _asset(*parts: str) -> Path:
    return Path(str(resources.files("bantin").joinpath("assets", *parts)))


def _hashed(stem: str, data: bytes, suffix: str) -> str:
    return f"static/{stem}-{hashlib.sha256(data).hexdigest()[:12]}.{suffix}"


@functools.cache
def khmer_font(bold: bool = False) -> StaticFile:
    """Noto Sans Khmer (Regular or Bold), subset to Khmer, as WOFF2 (made once per process; a second or two)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # Khmer shaping needs every GSUB/GPOS feature the font has
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    style = "Bold" if bold else "Regular"
    font = TTFont(_asset("fonts", f"NotoSansKhmer-{style}.ttf"), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=KHMER_UNICODES)
    subsetter.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, options)
    data = buf.getvalue()
    return StaticFile(_hashed(f"NotoSansKhmer-{style}", data, "woff2"), data, "font/woff2", IMMUTABLE)


@functools.cache
def readalong_js() -> StaticFile:
    """The read-along script of the bulletin page."""
    data = _asset("js", "readalong.js").read_bytes()
    return StaticFile(_hashed("readalong", data, "js"), data, "text/javascript; charset=utf-8", IMMUTABLE)


@functools.cache
def cover_png(centre: str, size: int = 1400) -> bytes:
    """A square podcast cover: the centre's name, white on the portal's blue, over a loudspeaker's sound waves."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (size, size), _BLUE)
    draw = ImageDraw.Draw(img)
    unit = size / 1400
    # Three arcs: the sound of a loudspeaker, the bulletin's medium.
    cx, cy = round(size * 0.22), round(size * 0.30)
    for i, r in enumerate((110, 190, 270)):
        rr = round(r * unit)
        draw.arc((cx - rr, cy - rr, cx + rr, cy + rr), start=-45, end=45, fill=_PAPER, width=round((36 - 6 * i) * unit))
    draw.ellipse((cx - round(60 * unit), cy - round(60 * unit), cx + round(60 * unit), cy + round(60 * unit)), fill=_PAPER)
    name = " ".join(centre.split()) or "bantin"
    margin = round(110 * unit)
    width = size - 2 * margin
    for pt in (120, 104, 92, 80, 70, 60, 52, 46):
        font = ImageFont.truetype(str(_asset("fonts", "NotoSans-Bold.ttf")), round(pt * unit))
        lines = _wrap(draw, name, font, width)
        if len(lines) <= 5:
            break
    line_h = round(font.size * 1.25)
    y = size - margin - line_h * len(lines)
    bar = y - round(70 * unit)
    draw.rectangle((margin, bar, margin + round(220 * unit), bar + round(16 * unit)), fill=_PAPER)
    for line in lines:
        draw.text((margin, y), line, font=font, fill=_PAPER)
        y += line_h
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _wrap(draw: object, text: str, font: object, width: int) -> list[str]:
    """Words of ``text`` in lines no wider than ``width`` pixels (a word longer than that stands alone)."""
    from PIL import ImageDraw, ImageFont

    assert isinstance(draw, ImageDraw.ImageDraw) and isinstance(font, ImageFont.FreeTypeFont)
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [text]


@functools.cache
def favicon_ico(centre: str) -> bytes:
    """The favicon: the centre's initial on the portal's blue, at 16, 32 and 48 px."""
    from PIL import Image, ImageDraw, ImageFont

    size = 192
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=36, fill=_BLUE)
    initial = next((c for c in centre if c.isalnum()), "b").upper()
    font = ImageFont.truetype(str(_asset("fonts", "NotoSans-Bold.ttf")), 132)
    draw.text((size / 2, size / 2), initial, font=font, fill=_PAPER, anchor="mm")
    buf = io.BytesIO()
    img.save(buf, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    return buf.getvalue()


def static_files(centre: str) -> dict[str, StaticFile]:
    """Every file of the portal's own, by site path."""
    files = [
        khmer_font(),
        khmer_font(bold=True),
        readalong_js(),
        StaticFile(FAVICON_PATH, favicon_ico(centre), "image/x-icon", "public, max-age=86400"),
        StaticFile(COVER_PATH, cover_png(centre), "image/png", "public, max-age=86400"),
    ]
    return {f.path: f for f in files}
