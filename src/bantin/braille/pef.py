"""PEF 2008-1: the same braille pages as the BRF, as Portable Embosser Format XML.

PEF holds Unicode braille patterns (U+2800–U+28FF) in volume/section/page/row
elements, with Dublin Core metadata in its head.  bantin writes one volume of
single-sided 40 × 25 pages; the rows are exactly the BRF lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from bantin.braille.brf import CELLS_PER_LINE, LINES_PER_PAGE, to_unicode

__all__ = ["PEF_MEDIA_TYPE", "PEF_NS", "PefMeta", "pef_xml"]

PEF_NS = "http://www.daisy.org/ns/2008/pef"
DC_NS = "http://purl.org/dc/elements/1.1/"
PEF_MEDIA_TYPE = "application/x-pef+xml"


@dataclass(frozen=True)
class PefMeta:
    """What the PEF head says about the document."""

    identifier: str
    title: str
    language: str
    date: dt.date
    publisher: str | None = None
    description: str | None = None


def pef_xml(pages: Sequence[Sequence[str]], meta: PefMeta, cols: int = CELLS_PER_LINE, rows: int = LINES_PER_PAGE) -> str:
    """The PEF document for ``pages`` of ASCII braille lines (UTF-8 text, LF line ends)."""
    head = [
        f"      <dc:format>{PEF_MEDIA_TYPE}</dc:format>",
        f"      <dc:identifier>{escape(meta.identifier)}</dc:identifier>",
        f"      <dc:title>{escape(meta.title)}</dc:title>",
        f"      <dc:language>{escape(meta.language)}</dc:language>",
        f"      <dc:date>{meta.date.isoformat()}</dc:date>",
    ]
    if meta.publisher:
        head.append(f"      <dc:publisher>{escape(meta.publisher)}</dc:publisher>")
    if meta.description:
        head.append(f"      <dc:description>{escape(meta.description)}</dc:description>")
    body: list[str] = []
    for page in pages:
        body.append("        <page>")
        body.extend(f"          <row>{to_unicode(line)}</row>" for line in page)
        body.append("        </page>")
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<pef version="2008-1" xmlns="{PEF_NS}">',
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
