"""EPUB 3 with Media Overlays: a variant's text synchronized with its reading.

One XHTML content document holds the variant as the print edition lays it
out, each caption cue of the reading one ``<span id="c0001">`` in the block it
was read from, each passage tagged with the language it is in
(:mod:`bantin.epub.content`).  The Media Overlay (SMIL) has one ``<par>`` per
cue, pairing that span with its clip of the MP3, from the cue's start to its
end; the package carries the navigation and EPUB Accessibility metadata
(:mod:`bantin.epub.package`).  Both EPUBCheck and DAISY Ace pass it clean.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from mutagen.mp3 import MP3, HeaderNotFoundError

from bantin.epub.content import build_content, xhtml
from bantin.epub.cues import Cue, EpubError, read_vtt
from bantin.epub.ocf import write_ocf
from bantin.epub.package import ACTIVE_CLASS, css, nav, opf, smil
from bantin.fsutil import atomic_path, sha256_file
from bantin.i18n.localize import Variant
from bantin.paths import ASSETS_DIR
from bantin.settings import source_date

__all__ = ["ACTIVE_CLASS", "EpubResult", "build_epub", "epub_identifier", "epub_path", "make_epub"]

#: Fonts embedded for scripts that reading systems often lack (SIL OFL, shipped in assets/fonts).
EMBEDDED_FONTS = {"Khmr": ("Noto Sans Khmer", "NotoSansKhmer-Regular.ttf")}
_DIR = "EPUB"


@dataclass(frozen=True)
class EpubResult:
    """The EPUB made for one locale (or why none was made)."""

    locale: str
    path: Path | None
    skipped: str | None = None
    sha256: str = ""
    bytes: int = 0
    #: length of the Media Overlay (= the MP3), seconds
    duration_s: float = 0.0
    #: synchronized spans (one per caption cue)
    cues: int = 0


def epub_path(out_dir: Path, bulletin_id: str, locale: str) -> Path:
    """``<out>/<locale>/<id>.<locale>.epub``."""
    return out_dir / locale / f"{bulletin_id}.{locale}.epub"


def epub_identifier(bulletin_id: str, locale: str) -> str:
    """The book's stable ``dc:identifier``: a name-based UUID of the bulletin and the locale."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'urn:bantin:bulletin:{bulletin_id}:{locale}')}"


def _modified(variant: Variant) -> dt.datetime:
    stamp = source_date()
    if stamp is not None:
        return stamp.astimezone(dt.UTC).replace(microsecond=0)
    return dt.datetime.combine(variant.bulletin.date, dt.time(0, 0), dt.UTC)


def build_epub(variant: Variant, mp3: bytes, audio_name: str, cues: Sequence[Cue], duration: float, name: str = "<reading>") -> bytes:
    """The EPUB's bytes: ``variant``'s text synchronized with ``mp3`` (stored as ``audio/<audio_name>``) by ``cues``."""
    buffer = io.BytesIO()
    write_epub(buffer, variant, mp3, audio_name, cues, duration, name)
    return buffer.getvalue()


def write_epub(target: BinaryIO, variant: Variant, mp3: bytes | Path, audio_name: str, cues: Sequence[Cue], duration: float, name: str = "<reading>") -> None:
    """Write the EPUB to ``target``; ``mp3`` as a path is streamed from its file (a reading of hours stays out of memory)."""
    if duration <= 0 or cues[-1].start >= duration:
        raise EpubError(f"{name}: the audio lasts {duration:.3f} s but its captions run to {cues[-1].end:.3f} s. Make the reading again")
    content = build_content(variant, cues, name)
    audio = f"audio/{audio_name}"
    font = EMBEDDED_FONTS.get(variant.locale.script)
    b = variant.bulletin
    files = {
        f"{_DIR}/content.xhtml": xhtml(variant, b.title, variant.lang_of("title"), content.body),
        f"{_DIR}/nav.xhtml": nav(variant, content),
        f"{_DIR}/content.smil": smil(content.order, cues, audio, duration),
        f"{_DIR}/style.css": css(font),
        f"{_DIR}/package.opf": opf(variant, content, epub_identifier(b.id, variant.locale.code), _modified(variant), audio, duration, font),
    }
    data: dict[str, bytes | Path] = {path: text.encode("utf-8") for path, text in files.items()}
    data[f"{_DIR}/{audio}"] = mp3
    if font:
        data[f"{_DIR}/fonts/{font[1]}"] = ASSETS_DIR / "fonts" / font[1]
    write_ocf(target, data, f"{_DIR}/package.opf", _modified(variant))


def make_epub(variant: Variant, reading: Path | None, out_dir: Path, captions: Path | None = None) -> EpubResult:
    """Write ``<out>/<locale>/<id>.<locale>.epub`` from ``variant`` and its reading (the MP3; its ``.vtt`` beside it).

    ``reading`` None (the locale has no reading) gives a skipped result.  The
    file is written atomically, and only when its bytes change.
    """
    code, b = variant.locale.code, variant.bulletin
    if reading is None:
        return EpubResult(locale=code, path=None, skipped=f"no EPUB: {code} has no reading to synchronize")
    vtt = captions or reading.with_suffix(".vtt")
    cues = read_vtt(vtt)
    try:
        info = MP3(str(reading)).info  # type: ignore[no-untyped-call]
    except (OSError, HeaderNotFoundError) as exc:
        raise EpubError(f"{reading}: cannot be read as an MP3 ({exc}). Make the reading again") from None
    duration = float(info.length) if info is not None else 0.0
    path = epub_path(out_dir, b.id, code)
    with atomic_path(path, keep_unchanged=True) as tmp, tmp.open("wb") as fh:
        write_epub(fh, variant, reading, reading.name, cues, duration, str(vtt))
    return EpubResult(locale=code, path=path, sha256=sha256_file(path), bytes=path.stat().st_size, duration_s=round(duration, 3), cues=len(cues))
