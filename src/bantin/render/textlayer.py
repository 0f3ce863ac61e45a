"""What machines read from a PDF: ``/Lang`` per structure element and ``/ActualText`` for complex scripts.

WeasyPrint 70 gets two things wrong for bantin's multilingual PDFs, and both
are fixed here by small hooks around its PDF writer, installed once per
process by :func:`install` (``bantin.render.pdf`` calls it on import):

* **Language of parts.**  ``pdf/tags.py`` writes the document language on the
  catalog only (``add_tags``); ``_build_box_tree`` never reads an element's
  ``lang``.  The hook wraps ``_build_box_tree`` (it recurses through its module
  global, so every level passes through the wrapper) and puts ``/Lang`` on
  the structure element of each box whose language (WeasyPrint's inherited
  ``lang`` property, from the HTML ``lang`` attribute) differs from the language
  its structure parent already carries: the document's at the top.  Children
  inherit it through the structure tree, as PDF readers expect (ISO 32000-1
  14.9.2).  The img's ``lang`` thereby tags its ``/Figure``, and so its ``/Alt``.
* **Text of complex scripts.**  WeasyPrint maps each glyph to text through one
  ToUnicode entry per glyph, which cannot express Khmer's reordered pre-base
  coeng-ro, split vowels or conjuncts: extraction garbles them.  The hook wraps
  ``draw.draw_text`` and encloses each text run holding a character of a
  complex script in ``/Span <</ActualText (run text)>> BDC ... EMC`` (ISO 32000-1
  14.9.4), nested inside WeasyPrint's own ``/Span <</MCID n>>`` sequence.
  Runs holding an emoji get it too: a ZWJ sequence (👨‍👩‍👧), a skin tone or a
  flag is one glyph of the bundled Noto Emoji, which one ToUnicode entry
  cannot name.  Runs only in simple scripts (Latin, Vietnamese included,
  Greek, Cyrillic, CJK ...) are left alone, so their extraction does not change,
  except a run WeasyPrint ended with a hyphen of its own where it hyphenated a
  word at the line end: its ActualText is its text without that hyphen, so the
  word reads back as the source has it (``Com‐``/``mittee``: ``Committee``).

Both hooks rely on WeasyPrint internals, so :func:`install` refuses any
WeasyPrint version it was not checked against (:data:`SUPPORTED_WEASYPRINT`):
an upgrade fails loudly, in the tests first, instead of silently dropping tags.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

import pydyf
import weasyprint
import weasyprint.draw
import weasyprint.pdf
from fontTools.unicodedata import script
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.pdf import tags as weasy_tags

from bantin.textutil import is_pictographic

__all__ = ["SIMPLE_SCRIPTS", "SUPPORTED_WEASYPRINT", "actual_text", "inserted_hyphen", "install", "installed", "needs_actual_text"]

#: WeasyPrint versions whose ``pdf/tags.py`` and ``draw/text.py`` these hooks were read against.
SUPPORTED_WEASYPRINT = ("70.0",)

#: ISO 15924 codes of scripts whose glyphs come in text order, one glyph per character (or a ligature
#: ToUnicode can name): their runs need no ActualText.  Every other script, Khmer first, gets it.
SIMPLE_SCRIPTS = frozenset(
    {
        "Zyyy",
        "Zinh",
        "Latn",
        "Grek",
        "Cyrl",
        "Armn",
        "Geor",
        "Hani",
        "Hira",
        "Kana",
        "Bopo",
        "Hang",
        "Ethi",
        "Cher",
        "Cans",
        "Yiii",
        "Copt",
        "Glag",
        "Runr",
        "Ogam",
    }
)

_LOCK = threading.Lock()
_STATE = threading.local()
_ORIGINAL: dict[str, Callable[..., Any]] = {}


def needs_actual_text(text: str) -> bool:
    """Whether ``text`` holds a character of a script outside :data:`SIMPLE_SCRIPTS` (a complex script) or an emoji."""
    return any(ord(ch) >= 0x370 and (script(ch) not in SIMPLE_SCRIPTS or is_pictographic(ch) or 0x1F1E6 <= ord(ch) <= 0x1F1FF) for ch in text)


# --------------------------------------------------------------------------- /Lang per structure element


def _lang_stack() -> list[str | None]:
    stack: list[str | None] | None = getattr(_STATE, "langs", None)
    if stack is None:  # _build_box_tree called outside add_tags: compare with nothing
        stack = _STATE.langs = [None]
    return stack


def _add_tags(pdf: Any, *args: Any, **kwargs: Any) -> Any:
    """WeasyPrint's ``add_tags``, with the document language as the outermost inherited language."""
    lang = pdf.catalog.get("Lang")
    previous = getattr(_STATE, "langs", None)
    _STATE.langs = [str(lang.string) if isinstance(lang, pydyf.String) and lang.string else None]
    try:
        return _ORIGINAL["add_tags"](pdf, *args, **kwargs)
    finally:
        _STATE.langs = previous


def _makes_element(box: Any) -> bool:
    """Whether WeasyPrint's ``_build_box_tree`` yields ``box``'s own element (not its children's, not nothing)."""
    if isinstance(box, (boxes.PageBox, boxes.MarginBox)):
        return False
    return not (box.element is not None and box.element_tag in ("html", "body") and isinstance(box, boxes.ParentBox))


def _build_box_tree(box: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
    """WeasyPrint's ``_build_box_tree``, putting ``/Lang`` on elements whose language differs from their parent's.

    The stack holds the language each open structure element passes on; boxes
    that make no element of their own (page, html, body, margin boxes) push
    nothing, so their children compare with the nearest real ancestor.
    """
    target = box._box if isinstance(box, AbsolutePlaceholder) else box
    own = _makes_element(target)
    stack = _lang_stack()
    inherited = stack[-1]
    lang = (target.style["lang"] or inherited) if own else inherited
    if own:
        stack.append(lang)
    try:
        for element in _ORIGINAL["_build_box_tree"](box, *args, **kwargs):
            if own and lang and lang != inherited:
                element["Lang"] = pydyf.String(lang)
            yield element
    finally:
        if own:
            stack.pop()


# --------------------------------------------------------------------------- /ActualText for complex scripts


def inserted_hyphen(textbox: Any) -> str | None:
    """The hyphen WeasyPrint added at the end of a run where it hyphenated a word at a line end, or None.

    WeasyPrint appends the ``hyphenate-character`` (U+2010) to the run's text.
    A hyphen the source itself has there (a compound broken after its own
    hyphen) is no addition: the run's last word followed by it is then in the
    element's text.
    """
    hyphen: str = textbox.style["hyphenate_character"] or ""
    text: str = textbox.text
    if not hyphen or textbox.style["hyphens"] == "none" or not text.endswith(hyphen):
        return None
    stem = text[: -len(hyphen)]
    word = re.search(r"\w+$", stem)
    if word is None:
        return None
    element = getattr(textbox, "element", None)
    source = "".join(element.itertext()) if element is not None else ""
    return None if (word.group() + hyphen).casefold() in source.casefold() else hyphen


def actual_text(textbox: Any) -> str | None:
    """The ActualText a drawn text run gets, or None when its glyphs already read as its source.

    A run holding a complex script gets its text (NFC); a run WeasyPrint ended
    with a hyphen of its own (line-end hyphenation) gets its text without that
    hyphen, so "Com‐" / "mittee" reads back as the source's "Committee" (modulo
    the line break), not with a U+2010 the source never had.
    """
    text = textbox.text
    if textbox.style["visibility"] != "visible" or not text:
        return None
    hyphen = inserted_hyphen(textbox)
    if hyphen is None and not needs_actual_text(text):
        return None
    return unicodedata.normalize("NFC", text[: -len(hyphen)] if hyphen else text)


def _draw_text(stream: Any, textbox: Any, *args: Any, **kwargs: Any) -> Any:
    """WeasyPrint's ``draw_text``, enclosed in ``/Span <</ActualText ...>> BDC ... EMC`` for complex scripts and added hyphens."""
    text = actual_text(textbox)
    if text is None:
        return _ORIGINAL["draw_text"](stream, textbox, *args, **kwargs)
    stream.begin_marked_content("Span", pydyf.Dictionary({"ActualText": pydyf.String(text)}))
    try:
        return _ORIGINAL["draw_text"](stream, textbox, *args, **kwargs)
    finally:
        stream.end_marked_content()


# --------------------------------------------------------------------------- install


def installed() -> bool:
    """Whether the hooks are in place in this process."""
    return weasy_tags._build_box_tree is _build_box_tree and weasyprint.pdf.add_tags is _add_tags and weasyprint.draw.draw_text is _draw_text


def install() -> None:
    """Put both hooks in place (idempotent); refuse a WeasyPrint version they were not checked against."""
    with _LOCK:
        if installed():
            return
        if weasyprint.__version__ not in SUPPORTED_WEASYPRINT:
            raise RuntimeError(
                f"bantin's PDF text layer hooks (bantin/render/textlayer.py) were checked against WeasyPrint "
                f"{', '.join(SUPPORTED_WEASYPRINT)}, not {weasyprint.__version__}. Install the pinned WeasyPrint, "
                "or re-read pdf/tags.py (add_tags, _build_box_tree) and draw/text.py (draw_text) and extend SUPPORTED_WEASYPRINT"
            )
        _ORIGINAL["add_tags"] = weasyprint.pdf.add_tags
        _ORIGINAL["_build_box_tree"] = weasy_tags._build_box_tree
        _ORIGINAL["draw_text"] = weasyprint.draw.draw_text
        weasyprint.pdf.add_tags = _add_tags
        weasy_tags._build_box_tree = _build_box_tree
        weasyprint.draw.draw_text = _draw_text
