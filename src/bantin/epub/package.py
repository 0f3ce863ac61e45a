"""The EPUB's package document, navigation document, Media Overlay and style sheet.

Navigation: the table of contents lists what the bulletin has as headings.
A bulletin has no sub-headings (its body is paragraphs, lists, quotes and
photos), so the entries are the title, the body and the credits.  The
landmarks give the table of contents and the body matter; the navigation
document is a non-linear spine item, so the landmark can point at it.  There is no
``page-list``: the book is reflowable and made from the bulletin, not from a
print edition, so it has no page breaks of its own; the A4 PDF's page breaks
depend on its fonts and profile and are not marked in the text, so mapping
them would be a guess.

Media Overlay: one ``<par>`` per cue, in document order; each clip runs from
its cue's start to its cue's end (the reading's chunk), so the pauses between
chunks belong to no clip and a reading system skips or plays them as it likes.

Accessibility metadata (EPUB Accessibility 1.1): access modes, the modes
sufficient on their own (audio only when every passage shown is read), the
features, no hazards, a summary in the variant's language when its chrome
catalog translates it (else in Vietnamese, tagged so), and the WCAG 2.1 AA
conformance claim.  ``a11y:certifiedBy`` is left out: nobody certified it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from bantin.epub.content import BODY_ID, CREDITS_ID, TITLE_ID, Content, lang_attrs, xhtml
from bantin.epub.cues import Cue
from bantin.i18n.localize import Variant

__all__ = ["ACTIVE_CLASS", "CONFORMS_TO", "SUMMARY", "css", "nav", "opf", "smil"]

#: The class a reading system puts on the span being read (``media:active-class``).
ACTIVE_CLASS = "media-overlay-active"
#: The conformance claim (the EPUB Accessibility 1.1 form EPUBCheck and Ace recognize).
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"


def N_(message: str) -> str:
    """Mark ``message`` for extraction into the chrome catalog; it is translated where it is used."""
    return message


SUMMARY = N_(
    "Bản tin ở dạng văn bản đồng bộ với bản đọc (EPUB Media Overlays): đoạn đang đọc được tô sáng. "
    "Có thể phóng to và đổi kiểu chữ; có mục lục và đề mục để di chuyển. "
    "Không có hình ảnh mang thông tin; không có nguy cơ nhấp nháy, âm thanh hay chuyển động."
)
#: Chrome of the navigation: the table of contents and the body's entry in it.
CONTENTS, MAIN_TEXT, SOURCE = N_("Mục lục"), N_("Nội dung"), "Nguồn"


def clock(seconds: float) -> str:
    """A SMIL clock value (h:mm:ss.fff) for ``media:duration``."""
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h}:{m:02d}:{s:02d}.{ms:03d}"


def _chrome(variant: Variant, message: str, parent: str) -> tuple[str, str]:
    """(language attributes, escaped text) of chrome string ``message`` inside an element in ``parent``."""
    return lang_attrs(variant.chrome_lang(message), parent), escape(variant.gettext(message))


def nav(variant: Variant, content: Content) -> str:
    """The navigation document: the table of contents (title, body, credits) and the landmarks."""
    b, top = variant.bulletin, variant.lang
    contents_attrs, contents = _chrome(variant, CONTENTS, top)
    main_attrs, main_text = _chrome(variant, MAIN_TEXT, top)
    entries = [
        f'<li><a href="content.xhtml#{TITLE_ID}"{lang_attrs(variant.lang_of("title"), top)}>{escape(b.title)}</a></li>',
        f'<li><a href="content.xhtml#{BODY_ID}"{main_attrs}>{main_text}</a></li>',
    ]
    if content.credits:
        source_attrs, source = _chrome(variant, SOURCE, top)
        entries.append(f'<li><a href="content.xhtml#{CREDITS_ID}"{source_attrs}>{source}</a></li>')
    toc = (
        f'<nav epub:type="toc" id="toc" role="doc-toc" aria-labelledby="toc-heading">\n'
        f'<h1 id="toc-heading"{contents_attrs}>{contents}</h1>\n<ol>\n' + "\n".join(entries) + "\n</ol>\n</nav>"
    )
    landmarks = (
        '<nav epub:type="landmarks" id="landmarks" hidden="hidden">\n<ol>\n'
        f'<li><a epub:type="toc" href="nav.xhtml#toc"{contents_attrs}>{contents}</a></li>\n'
        f'<li><a epub:type="bodymatter" href="content.xhtml#{BODY_ID}"{main_attrs}>{main_text}</a></li>\n'
        "</ol>\n</nav>"
    )
    return xhtml(variant, b.title, variant.lang_of("title"), f"{toc}\n{landmarks}", css=False)


def smil(order: Sequence[int], cues: Sequence[Cue], audio: str, duration: float) -> str:
    """One ``<par>`` per cue in document order; each clip is its cue (pauses belong to no clip)."""
    pars = []
    for i in order:
        begin, end = min(cues[i].start, duration), min(cues[i].end, duration)
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


def css(font: tuple[str, str] | None) -> str:
    """The style sheet: the embedded font if any, readable defaults and the highlight of the span being read."""
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


def _xml_lang(tag: str, parent: str) -> str:
    return f' xml:lang="{escape(tag)}"' if tag != parent else ""


def opf(variant: Variant, content: Content, identifier: str, modified: dt.datetime, audio: str, duration: float, font: tuple[str, str] | None) -> str:
    """The package document: metadata (languages, accessibility, durations), manifest, spine."""
    b, top = variant.bulletin, variant.lang
    summary_lang = variant.chrome_lang(SUMMARY)
    sufficient = ["textual", "textual,auditory"] if content.unread else ["textual", "auditory", "textual,auditory"]
    meta = [
        f'<dc:identifier id="pub-id">{identifier}</dc:identifier>',
        f'<dc:title id="title"{_xml_lang(variant.lang_of("title"), top)}>{escape(b.title)}</dc:title>',
        *(f"<dc:language>{escape(tag)}</dc:language>" for tag in content.langs),
        f"<dc:date>{b.date.isoformat()}</dc:date>",
        *([f"<dc:publisher{_xml_lang(variant.lang_of('source'), top)}>{escape(b.source)}</dc:publisher>"] if b.source else []),
        f'<meta property="dcterms:modified">{modified.strftime("%Y-%m-%dT%H:%M:%SZ")}</meta>',
        f'<meta property="dcterms:conformsTo">{CONFORMS_TO}</meta>',
        '<meta property="schema:accessMode">textual</meta>',
        '<meta property="schema:accessMode">auditory</meta>',
        *(f'<meta property="schema:accessModeSufficient">{modes}</meta>' for modes in sufficient),
        *(
            f'<meta property="schema:accessibilityFeature">{f}</meta>'
            for f in ("synchronizedAudioText", "structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability")
        ),
        '<meta property="schema:accessibilityHazard">none</meta>',
        f'<meta property="schema:accessibilitySummary"{_xml_lang(summary_lang, top)}>{escape(variant.gettext(SUMMARY))}</meta>',
        f'<meta property="media:duration" refines="#overlay">{clock(duration)}</meta>',
        f'<meta property="media:duration">{clock(duration)}</meta>',
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
        f'<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="pub-id" xml:lang="{escape(top)}" '
        f'dir="{escape(variant.locale.direction)}">\n'
        '  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        + "".join(f"    {m}\n" for m in meta)
        + "  </metadata>\n  <manifest>\n"
        + "".join(f"    {i}\n" for i in items)
        + '  </manifest>\n  <spine>\n    <itemref idref="content"/>\n    <itemref idref="nav" linear="no"/>\n  </spine>\n</package>\n'
    )
