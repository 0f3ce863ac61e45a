"""EPUB 3 with Media Overlays: a variant's text synchronized with its reading.

One XHTML content document holds the variant as the print edition lays it
out (kicker, title, dateline, body, credits); every caption cue of the reading
is one ``<span id="c0001">`` in it.  The Media Overlay (SMIL) has one ``<par>``
per cue, pairing that span with its clip of the MP3.  Clips are contiguous
(each runs to the start of the next cue, the last to the end of the audio),
so a reading system plays the pauses too and the overlay lasts exactly as long
as the MP3.  The package carries EPUB Accessibility metadata.

The cues are matched to the reading's script (:func:`bantin.speech.reading.build_script`)
by their text, so the spans sit inside the blocks they were read from; a
reading made from other text is refused with a one-line error.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import BinaryIO

from mutagen.mp3 import MP3, HeaderNotFoundError

from bantin.content.model import BulletList, Paragraph, Photo, Quote
from bantin.epub.cues import Cue, EpubError, read_vtt
from bantin.epub.ocf import write_ocf
from bantin.fsutil import atomic_path, sha256_file
from bantin.i18n.localize import Variant
from bantin.paths import ASSETS_DIR
from bantin.settings import source_date
from bantin.speech.reading import Segment, build_script

__all__ = ["ACTIVE_CLASS", "EpubResult", "build_epub", "epub_identifier", "epub_path", "make_epub"]

#: The class a reading system puts on the span being read (``media:active-class``).
ACTIVE_CLASS = "media-overlay-active"
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


def _clock(seconds: float) -> str:
    """A SMIL clock value (h:mm:ss.fff) for ``media:duration``."""
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h}:{m:02d}:{s:02d}.{ms:03d}"


def _squash(text: str) -> str:
    return "".join(text.split())


def _align(script: Sequence[Segment], cues: Sequence[Cue], name: str) -> list[list[int]]:
    """For each script segment, the indices of the cues that read it (in order)."""
    groups: list[list[int]] = []
    i = 0
    for segment in script:
        target, got, group = _squash(segment.text), "", []
        while i < len(cues) and len(got) < len(target) and target.startswith(got + _squash(cues[i].text)):
            got += _squash(cues[i].text)
            group.append(i)
            i += 1
        if group and got != target:
            raise EpubError(f"{name}: cue {i + 1} does not continue {segment.text[:40]!r}. The reading is from other text: make it again")
        groups.append(group)
    if i != len(cues):
        raise EpubError(f"{name}: cue {i + 1} ({cues[i].text[:40]!r}) is not in the variant's text. The reading is from other text: make it again")
    return groups


class _Writer:
    """Builds the content document's body, numbering spans in document order."""

    def __init__(self, cues: Sequence[Cue]) -> None:
        self.cues = cues
        self.order: list[int] = []  # cue indices in document order

    def spans(self, group: Sequence[int], strip_stop: bool = False) -> str:
        parts = []
        for k, i in enumerate(group):
            text = self.cues[i].text
            if strip_stop and k == len(group) - 1 and text.endswith("."):
                text = text[:-1]
            self.order.append(i)
            parts.append(f'<span id="c{i + 1:04d}">{escape(text)}</span>')
        return " ".join(parts)


def _body(variant: Variant, cues: Sequence[Cue], name: str) -> tuple[str, list[int]]:
    """The content document's ``<body>`` and the cue indices in the order their spans appear."""
    b, _ = variant.bulletin, variant.gettext
    kicker, missing, byline_label, source_label = _("Bản tin"), _("Ảnh không có sẵn"), _("Tin, ảnh"), _("Nguồn")
    script = build_script(variant)
    groups = _align(script, cues, name)
    w = _Writer(cues)
    intro = [(s, g) for s, g in zip(script, groups, strict=True) if s.role == "intro"]
    body = [(s, g) for s, g in zip(script, groups, strict=True) if s.role == "body"]
    outro = [(s, g) for s, g in zip(script, groups, strict=True) if s.role == "outro"]

    header: list[str] = []
    title_done = place_done = False
    for n, (segment, group) in enumerate(intro):
        if not title_done and _squash(segment.text) in (_squash(b.title), _squash(b.title + ".")):
            strip = not b.title.rstrip().endswith(".")
            header.append(f'<h1 id="title">{w.spans(group, strip) if group else escape(b.title)}</h1>')
            title_done = True
        elif n == 0 and not title_done:
            header.append(f'<p class="kicker">{w.spans(group, True) if group else escape(kicker)}</p>')
        else:
            place = f" · {escape(b.place)}" if b.place and not place_done else ""
            place_done = True
            header.append(f'<p class="dateline"><time datetime="{b.date.isoformat()}">{w.spans(group, True)}</time>{place}</p>')
    if not title_done:
        header.insert(0, f'<h1 id="title">{escape(b.title)}</h1>')

    main: list[str] = []
    k = 0

    def read(text: str) -> str:
        """The text's spans when the next body segment is it, else the plain text."""
        nonlocal k
        if k < len(body) and _squash(body[k][0].text) == _squash(text):
            k += 1
            return w.spans(body[k - 1][1]) if body[k - 1][1] else escape(text)
        return escape(text)

    for block in b.body:
        if isinstance(block, Paragraph):
            main.append(f"<p>{read(block.text)}</p>")
        elif isinstance(block, BulletList):
            items = "".join(f"<li>{read(item)}</li>" for item in block.items)
            main.append(f"<ul>{items}</ul>")
        elif isinstance(block, Quote):
            attribution = f'<p class="attribution">— {escape(block.attribution)}</p>' if block.attribution else ""
            main.append(f"<blockquote><p>{read(block.text)}</p>{attribution}</blockquote>")
        elif isinstance(block, Photo):
            label = "" if block.src else f'<span class="label">{escape(missing)}:</span> '
            main.append(f'<p class="photo">{label}{escape(block.caption)}</p>')
    for segment, group in body[k:]:  # read, but in no block the script knows (kept, in reading order)
        main.append(f"<p>{w.spans(group) if group else escape(segment.text)}</p>")

    footer: list[str] = []
    if b.byline:
        footer.append(f'<p><span class="label">{escape(byline_label)}:</span> {escape(b.byline)}</p>')
    footer += [f"<p>{w.spans(group)}</p>" for _segment, group in outro if group]
    if b.source and not any(group for _segment, group in outro):
        footer.append(f'<p><span class="label">{escape(source_label)}:</span> {escape(b.source)}</p>')
    parts = [f"<header>{''.join(header)}</header>", f"<main>{''.join(main)}</main>"]
    if footer:
        parts.append(f"<footer>{''.join(footer)}</footer>")
    return "\n".join(parts), w.order


def _xhtml(variant: Variant, title: str, body: str, css: bool = True) -> str:
    lang, direction = escape(variant.lang), escape(variant.locale.direction)
    link = '\n<link rel="stylesheet" type="text/css" href="style.css"/>' if css else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="{lang}" xml:lang="{lang}" dir="{direction}">\n'
        f'<head>\n<meta charset="UTF-8"/>\n<title>{escape(title)}</title>{link}\n</head>\n<body>\n{body}\n</body>\n</html>\n'
    )


def _nav(variant: Variant) -> str:
    b = variant.bulletin
    toc = (
        f'<nav epub:type="toc" id="toc" role="doc-toc">\n<h1>{escape(variant.gettext("Bản tin"))}</h1>\n'
        f'<ol>\n<li><a href="content.xhtml#title">{escape(b.title)}</a></li>\n</ol>\n</nav>'
    )
    return _xhtml(variant, b.title, toc, css=False)


def _smil(order: Sequence[int], cues: Sequence[Cue], audio: str, duration: float) -> str:
    """One ``<par>`` per cue in document order; clips are contiguous and end with the audio."""
    pars = []
    for i in order:
        begin = 0.0 if i == 0 else cues[i].start
        end = cues[i + 1].start if i + 1 < len(cues) else duration
        pars.append(
            f'    <par id="p{i + 1:04d}">\n'
            f'      <text src="content.xhtml#c{i + 1:04d}"/>\n'
            f'      <audio src="{audio}" clipBegin="{begin:.3f}s" clipEnd="{end:.3f}s"/>\n'
            "    </par>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<smil xmlns="http://www.w3.org/ns/SMIL" xmlns:epub="http://www.idpf.org/2007/ops" version="3.0">\n'
        '  <body>\n   <seq id="seq1" epub:textref="content.xhtml">\n' + "\n".join(pars) + "\n   </seq>\n  </body>\n</smil>\n"
    )


def _css(font: tuple[str, str] | None) -> str:
    face = ""
    family = "serif"
    if font:
        face = f'@font-face {{ font-family: "{font[0]}"; src: url("fonts/{font[1]}"); }}\n'
        family = f'"{font[0]}", sans-serif'
    return (
        f"{face}body {{ font-family: {family}; line-height: 1.6; margin: 0 4%; }}\n"
        "h1 { font-size: 1.5em; line-height: 1.3; }\n"
        ".kicker, .dateline, .photo, .attribution { font-style: normal; color: #333; }\n"
        ".label { font-weight: bold; }\n"
        f".{ACTIVE_CLASS} {{ background-color: #fff0a0; color: #000; }}\n"
    )


SUMMARY = (
    "A news bulletin as text synchronized with its audio reading (EPUB Media Overlays): each sentence is "
    "highlighted as it is read. Text can be resized and restyled; navigation by headings and a table of contents; "
    "no images that carry information, no flashing, sound or motion hazards."
)


def _opf(variant: Variant, modified: dt.datetime, audio: str, duration: float, font: tuple[str, str] | None) -> str:
    b = variant.bulletin
    lang = escape(variant.lang)
    meta = [
        f'<dc:identifier id="pub-id">{epub_identifier(b.id, variant.locale.code)}</dc:identifier>',
        f"<dc:title>{escape(b.title)}</dc:title>",
        f"<dc:language>{lang}</dc:language>",
        f"<dc:date>{b.date.isoformat()}</dc:date>",
        *([f"<dc:publisher>{escape(b.source)}</dc:publisher>"] if b.source else []),
        f'<meta property="dcterms:modified">{modified.strftime("%Y-%m-%dT%H:%M:%SZ")}</meta>',
        '<meta property="schema:accessMode">textual</meta>',
        '<meta property="schema:accessMode">auditory</meta>',
        '<meta property="schema:accessModeSufficient">textual</meta>',
        *(
            f'<meta property="schema:accessibilityFeature">{f}</meta>'
            for f in ("synchronizedAudioText", "structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability")
        ),
        '<meta property="schema:accessibilityHazard">none</meta>',
        f'<meta property="schema:accessibilitySummary" xml:lang="en">{SUMMARY}</meta>',
        f'<meta property="media:duration" refines="#overlay">{_clock(duration)}</meta>',
        f'<meta property="media:duration">{_clock(duration)}</meta>',
        f'<meta property="media:active-class">{ACTIVE_CLASS}</meta>',
    ]
    items = [
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
        '<item id="content" href="content.xhtml" media-type="application/xhtml+xml" media-overlay="overlay"/>',
        '<item id="overlay" href="content.smil" media-type="application/smil+xml"/>',
        f'<item id="audio" href="{audio}" media-type="audio/mpeg"/>',
        '<item id="css" href="style.css" media-type="text/css"/>',
        *([f'<item id="font" href="fonts/{font[1]}" media-type="font/ttf"/>'] if font else []),
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="pub-id" xml:lang="{lang}" '
        f'dir="{escape(variant.locale.direction)}">\n'
        '  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        + "".join(f"    {m}\n" for m in meta)
        + "  </metadata>\n  <manifest>\n"
        + "".join(f"    {i}\n" for i in items)
        + '  </manifest>\n  <spine>\n    <itemref idref="content"/>\n  </spine>\n</package>\n'
    )


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
    body, order = _body(variant, cues, name)
    audio = f"audio/{audio_name}"
    font = EMBEDDED_FONTS.get(variant.locale.script)
    files = {
        f"{_DIR}/content.xhtml": _xhtml(variant, variant.bulletin.title, body),
        f"{_DIR}/nav.xhtml": _nav(variant),
        f"{_DIR}/content.smil": _smil(order, cues, audio, duration),
        f"{_DIR}/style.css": _css(font),
        f"{_DIR}/package.opf": _opf(variant, _modified(variant), audio, duration, font),
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
