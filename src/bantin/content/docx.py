"""Word documents (``.docx``): mammoth turns one into semantic HTML, then the saved-page reader structures it.

mammoth keeps what a bulletin is made of (headings, paragraphs, bulleted and
numbered lists, bold, images with their alt text) and drops Word's styling.  The
HTML then goes through :func:`bantin.content.html.parse_bulletin_html`, so the
same article finder, noise list, date rules, credit lines and model apply as for
a saved news page.

* The title is the document's first heading; a document without headings whose
  first paragraph is short, with no full stop (typed in bold, as operators do), has
  that paragraph as its title.
* Images embedded in the document are kept as photo blocks with their alt text
  ("Mô tả ảnh") and no file, as the saved-page reader keeps a page's photos: the
  alt says the photo is not available, so the print edition never shows an empty
  frame and a reader learns what the photo showed.  The image bytes are never
  decoded (no ``data:`` URIs are built).
* A ``.docx`` is a ZIP archive: before mammoth opens it, the archive's members
  are counted and their declared sizes summed (a ZIP reader never inflates a member
  past its declared size), and an XML part with a DTD is refused (Word never
  writes one; a DTD is how entity-expansion bombs work).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import zipfile
from typing import Any

import mammoth  # no type hints shipped: "mammoth.*" is in the mypy overrides (pyproject.toml)
from lxml import etree
from lxml import html as lxml_html

from bantin.content.html import PHOTO_NOT_DOWNLOADED, parse_bulletin_html
from bantin.content.model import Block, Bulletin, Photo
from bantin.errors import IngestError
from bantin.textutil import escape_text, normalize_space

__all__ = ["DOCX_MAX_MEMBERS", "DOCX_MAX_UNCOMPRESSED", "PHOTO_NOT_EXTRACTED", "check_docx_archive", "docx_to_html", "read_bulletin_docx"]

#: Most members a .docx may hold (a bulletin's document has a few dozen parts and images).
DOCX_MAX_MEMBERS = 1000
#: Most bytes all members of a .docx may add up to once decompressed (declared sizes).
DOCX_MAX_UNCOMPRESSED = 50 * 1024 * 1024
#: What a reader sees for a photo of a Word document: the file is not taken out of the document.
PHOTO_NOT_EXTRACTED = "Ảnh không có sẵn: tệp ảnh trong tài liệu Word không được lấy ra"

_NOT_DOCX_HINT = "Save it again from Word as .docx (Word Document), or paste its text"
_DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_PROLOG_BYTES = 64 * 1024
_SENTENCE_END = tuple(".!?…;:")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def check_docx_archive(data: bytes, name: str) -> zipfile.ZipFile:
    """The ZIP archive of a .docx, refused with one line when it is not one or is too large inside."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise IngestError(name, f"is not a readable ZIP archive, so not a Word document ({exc})", _NOT_DOCX_HINT) from None
    if len(members) > DOCX_MAX_MEMBERS:
        raise IngestError(name, f"holds {len(members)} parts, more than a Word document has (limit {DOCX_MAX_MEMBERS})", _NOT_DOCX_HINT)
    total = sum(m.file_size for m in members)
    if total > DOCX_MAX_UNCOMPRESSED:
        raise IngestError(
            name,
            f"unpacks to {total} bytes, more than a bulletin's document (limit {DOCX_MAX_UNCOMPRESSED})",
            "Make the images in the document smaller, or paste its text",
        )
    names = {m.filename for m in members}
    if "word/document.xml" not in names:
        raise IngestError(name, "is a ZIP archive but not a Word document (no word/document.xml)", _NOT_DOCX_HINT)
    for member in members:
        if member.filename.endswith((".xml", ".rels")):
            try:
                with archive.open(member) as part:
                    head = part.read(_PROLOG_BYTES)  # a DTD comes before the root element
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
                raise IngestError(name, f"has a damaged part {escape_text(member.filename, 120)} ({exc})", _NOT_DOCX_HINT) from None
            if _DTD_RE.search(head):
                raise IngestError(name, f"part {escape_text(member.filename, 120)} declares a DTD, which Word never writes", _NOT_DOCX_HINT)
    return archive


def docx_to_html(data: bytes, name: str) -> str:
    """The document as semantic HTML (a whole page, with ``<title>``), images as placeholders keeping their alt text."""
    check_docx_archive(data, name)
    count = 0

    def placeholder(image: Any) -> dict[str, str]:
        nonlocal count
        count += 1
        return {"src": f"docx-image-{count}.png"}  # a name the article finder takes for an image; the bytes are never read

    try:
        result = mammoth.convert_to_html(io.BytesIO(data), convert_image=mammoth.images.img_element(placeholder))
    except Exception as exc:  # mammoth raises many kinds (KeyError, ValueError, XML errors) on a damaged document
        problem = f"cannot be read as a Word document ({type(exc).__name__}: {escape_text(str(exc), 120)})"
        raise IngestError(name, problem, _NOT_DOCX_HINT) from None
    return _as_page(str(result.value), name)


def _as_page(fragment: str, name: str) -> str:
    """mammoth's HTML as a page whose first heading (or bold first line) is the title."""
    if not normalize_space(re.sub(r"<[^>]*>", " ", fragment)):
        raise IngestError(name, "is an empty Word document (no text)", "Check that it is the bulletin's document")
    root = lxml_html.fragment_fromstring(fragment, create_parent="article")
    heading = next(root.iter(*_HEADINGS), None)
    if heading is None:
        first = next((p for p in root.iter("p") if normalize_space(p.text_content())), None)
        if first is not None:
            text = normalize_space(first.text_content())
            if len(text.split()) <= 40 and not text.endswith(_SENTENCE_END) and first.find(".//img") is None:
                first.tag = "h1"
                heading = first
    title = normalize_space(heading.text_content()) if heading is not None else ""
    html = lxml_html.Element("html")
    head = etree.SubElement(html, "head")
    etree.SubElement(head, "meta", charset="utf-8")
    etree.SubElement(head, "title").text = title
    body = etree.SubElement(html, "body")
    body.append(root)
    return "<!DOCTYPE html>\n" + str(etree.tostring(html, encoding="unicode", method="html"))


def read_bulletin_docx(data: bytes, name: str, date: dt.date | None = None) -> Bulletin:
    """A bulletin from a Word document's bytes; ``name`` (the uploaded file's name) is used in messages only."""
    shown = escape_text(name, 200)
    bulletin = parse_bulletin_html(docx_to_html(data, shown), shown, date=date)
    body: list[Block] = []
    for block in bulletin.body:
        if isinstance(block, Photo) and block.alt.startswith(PHOTO_NOT_DOWNLOADED):
            block = dataclasses.replace(block, alt=PHOTO_NOT_EXTRACTED + block.alt[len(PHOTO_NOT_DOWNLOADED) :])
        body.append(block)
    return dataclasses.replace(bulletin, body=tuple(body))
