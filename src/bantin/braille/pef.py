"""PEF 2008-1: the same braille pages as the BRF, as Portable Embosser Format XML.

PEF holds Unicode braille patterns (U+2800–U+28FF) in volume/section/page/row
elements, with Dublin Core metadata in its head.  bantin writes one volume of
single-sided 40 × 25 pages; the rows are exactly the BRF lines.

Languages.  PEF 2008-1 accepts any namespaced attribute, ``xml:lang``
included, on every element (``attribute.anyExceptDefault`` in its schema), and
any number of ``dc:language`` elements.  bantin writes:

* ``dc:language`` once for the variant's language, first, then once for each
  other language the braille holds (untranslated Vietnamese blocks, names);
* ``xml:lang`` on ``<pef>`` (the variant's language), on ``dc:title`` and
  ``dc:publisher`` (the languages they are printed in) and on
  ``dc:description`` (bantin writes it in English);
* ``xml:lang`` on each ``<row>`` whose language differs from the document's.

A row is the finest thing PEF can mark: its content is braille patterns only,
with no inline elements, so a row that mixes languages (a Vietnamese name in an
English sentence, "Source:" before an untranslated source) carries the language
most of its cells are in, and the switch inside it is not marked.  Volumes,
sections and pages do not follow block boundaries, so they carry nothing of
their own.  A BRF says less still: it is bare ASCII braille (cells, CR LF and
form feeds) with no markup or header, so it cannot name any language, not even
the document's; the cells themselves (e.g. Vietnamese braille letters in an
English document) are the only trace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from bantin.braille.brf import CELLS_PER_LINE, LINES_PER_PAGE, to_unicode

__all__ = ["PEF_MEDIA_TYPE", "PEF_NS", "PefMeta", "pef_xml"]

PEF_NS = "http://www.daisy.org/ns/2008/pef"
DC_NS = "http://purl.org/dc/elements/1.1/"
PEF_MEDIA_TYPE = "application/x-pef+xml"


@dataclass(frozen=True)
class PefMeta:
    """What the PEF head says about the document.

    ``language`` is the document's (BCP 47); ``other_languages`` are the other
    languages its braille holds.  ``title_lang`` and friends are the language of
    that field's text, None when it is the document's.
    """

    identifier: str
    title: str
    language: str
    date: dt.date
    publisher: str | None = None
    description: str | None = None
    other_languages: tuple[str, ...] = ()
    title_lang: str | None = None
    publisher_lang: str | None = None
    description_lang: str | None = None


def _lang(tag: str | None, inherited: str) -> str:
    """`` xml:lang="…"`` when ``tag`` differs from the inherited language, else nothing."""
    return f" xml:lang={quoteattr(tag)}" if tag and tag != inherited else ""


def pef_xml(
    pages: Sequence[Sequence[str]],
    meta: PefMeta,
    cols: int = CELLS_PER_LINE,
    rows: int = LINES_PER_PAGE,
    row_langs: Sequence[Sequence[str | None]] | None = None,
) -> str:
    """The PEF document for ``pages`` of ASCII braille lines (UTF-8 text, LF line ends).

    ``row_langs[page][row]`` is each line's language (None: the document's).
    """
    doc = meta.language
    languages = [doc, *(tag for tag in dict.fromkeys(meta.other_languages) if tag != doc)]
    head = [
        f"      <dc:format>{PEF_MEDIA_TYPE}</dc:format>",
        f"      <dc:identifier>{escape(meta.identifier)}</dc:identifier>",
        f"      <dc:title{_lang(meta.title_lang, doc)}>{escape(meta.title)}</dc:title>",
        *(f"      <dc:language>{escape(tag)}</dc:language>" for tag in languages),
        f"      <dc:date>{meta.date.isoformat()}</dc:date>",
    ]
    if meta.publisher:
        head.append(f"      <dc:publisher{_lang(meta.publisher_lang, doc)}>{escape(meta.publisher)}</dc:publisher>")
    if meta.description:
        head.append(f"      <dc:description{_lang(meta.description_lang, doc)}>{escape(meta.description)}</dc:description>")
    body: list[str] = []
    for n, page in enumerate(pages):
        langs = row_langs[n] if row_langs is not None else ()
        body.append("        <page>")
        body.extend(f"          <row{_lang(langs[r] if r < len(langs) else None, doc)}>{to_unicode(line)}</row>" for r, line in enumerate(page))
        body.append("        </page>")
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<pef version="2008-1" xmlns="{PEF_NS}" xml:lang={quoteattr(doc)}>',
            "  <head>",
            f'    <meta xmlns:dc="{DC_NS}">',
            *head,
            "    </meta>",
            "  </head>",
            "  <body>",
            f'    <volume cols="{cols}" rows="{rows}" rowgap="0" duplex="false">',
            "      <section>",
            *body,
            "      </section>",
            "    </volume>",
            "  </body>",
            "</pef>",
            "",
        ]
    )
