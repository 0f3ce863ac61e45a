"""Uploaded and pasted sources: what a file IS decides how it is read, never its name.

An operator uploads a ``.txt``, a saved ``.html`` page or a ``.docx`` through the
desk, or pastes text.  :func:`read_upload` looks at the bytes:

* a ZIP archive holding ``word/document.xml`` is a Word document
  (:func:`bantin.content.docx.read_bulletin_docx`); any other archive, an old
  binary ``.doc``, a PDF or an image is refused in one line saying what to give;
* text that starts like HTML (a doctype, ``<html>``, ``<body>``, or markup pasted
  from a page or an editor, see :func:`looks_like_html`) is a page
  (:func:`bantin.content.html.parse_bulletin_html`);
* anything else is a plain-text bulletin (:func:`bantin.content.ingest.parse_bulletin`),
  decoded by ingest's rules (UTF-8 with or without BOM, the legacy Vietnamese
  encodings; NUL bytes, binary data and undecodable bytes are refused).

Every refusal is an :class:`~bantin.errors.IngestError` (an ``InputError``) naming
the file.  A file's name is used in messages only.
"""

from __future__ import annotations

import datetime as dt
import re

from bantin.content.docx import read_bulletin_docx
from bantin.content.html import parse_bulletin_html
from bantin.content.ingest import decode_bulletin, parse_bulletin
from bantin.content.model import Bulletin
from bantin.errors import IngestError
from bantin.textutil import escape_text

__all__ = ["MAX_UPLOAD_BYTES", "PASTED", "looks_like_html", "read_pasted", "read_upload", "sniff"]

#: Most bytes an upload may have: a Word document with a few photos (text and pages have their readers' own, smaller caps).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: The name messages give pasted text.
PASTED = "<nội dung dán vào>"

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_HEAD_CHARS = 4096
_DOCUMENT_RE = re.compile(r"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<!doctype\s+html\b", re.IGNORECASE | re.DOTALL)
_PAGE_TAG_RE = re.compile(r"<(?:html|head|body)(?:\s[^>]*)?>", re.IGNORECASE)
_MARKUP_RE = re.compile(
    r"</?(?:p|div|span|br|h[1-6]|ul|ol|li|table|tr|td|th|tbody|article|section|strong|em|b|i|u|a|img|figure|figcaption|blockquote|meta|font)\b[^>]*>",
    re.IGNORECASE,
)
#: Other kinds of file an operator may pick by mistake: (leading bytes, what it is, what to do).
_NOT_A_BULLETIN = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Word document (.doc)", "Open it in Word and save it as .docx, or paste its text"),
    (b"%PDF-", "a PDF file", "Copy the bulletin's text out of the PDF and paste it"),
    (b"\x89PNG", "a PNG image", "Give the bulletin's text, a saved page or a Word document"),
    (b"\xff\xd8\xff", "a JPEG image", "Give the bulletin's text, a saved page or a Word document"),
    (b"GIF8", "a GIF image", "Give the bulletin's text, a saved page or a Word document"),
    (b"{\\rtf", "an RTF document", "Save it as .docx from Word, or paste its text"),
)


def looks_like_html(text: str) -> bool:
    """True when ``text`` is HTML: a page (doctype, ``<html>``, ``<head>``, ``<body>``) or markup pasted from one.

    A plain-text bulletin never starts with a tag; pasted markup starts with one
    and holds at least two of the tags pages are made of.
    """
    head = text[:_HEAD_CHARS].lstrip("\ufeff \t\r\n")
    if _DOCUMENT_RE.match(head) or _PAGE_TAG_RE.search(head):
        return True
    return head.startswith("<") and len(_MARKUP_RE.findall(head)) >= 2


def sniff(data: bytes) -> str:
    """What the bytes are: ``"docx"``, ``"zip"`` (another archive), ``"html"`` or ``"text"`` (refused kinds raise)."""
    if data.startswith(_ZIP_MAGIC):
        return "docx" if b"word/document.xml" in data else "zip"
    head = data[: _HEAD_CHARS * 4]
    for encoding, bom in (("utf-16", b"\xff\xfe"), ("utf-16", b"\xfe\xff")):
        if head.startswith(bom):
            return "html" if looks_like_html(head.decode(encoding, errors="replace")) else "text"
    return "html" if looks_like_html(head.decode("utf-8", errors="replace")) else "text"


def read_upload(data: bytes, filename: str, date: dt.date | None = None) -> Bulletin:
    """A bulletin from an uploaded file's bytes, read as what they are (Word document, page, text)."""
    name = escape_text(filename or "<tệp tải lên>", 200)
    if len(data) > MAX_UPLOAD_BYTES:
        raise IngestError(
            name, f"{len(data)} bytes is too large for an upload (limit {MAX_UPLOAD_BYTES})", "Upload one bulletin; make the images in a document smaller"
        )
    if not data.strip():
        raise IngestError(name, "is empty", "Choose the file that holds the bulletin")
    for magic, what, hint in _NOT_A_BULLETIN:
        if data.startswith(magic):
            raise IngestError(name, f"is {what}, not a bulletin bantin reads", hint)
    kind = sniff(data)
    if kind in ("docx", "zip"):
        return read_bulletin_docx(data, name, date)  # another archive is refused there, in one line
    if kind == "html":
        return parse_bulletin_html(data, name, date=date)
    return parse_bulletin(decode_bulletin(data, name), name, date=date)


def read_pasted(text: str, date: dt.date | None = None, name: str = PASTED) -> Bulletin:
    """A bulletin from pasted text: HTML pasted from a page is read as a page, anything else as a text bulletin."""
    if looks_like_html(text):
        return parse_bulletin_html(text, name, date=date)
    return parse_bulletin(decode_bulletin(text.encode("utf-8"), name), name, date=date)
