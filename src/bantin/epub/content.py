"""The EPUB's content document: the variant laid out as print lays it out, every caption cue a span.

One XHTML document holds the variant (kicker, title, dateline, body, credits);
every caption cue of the reading is one ``<span id="c0001">`` in it, inside
the block it was read from.  Cues are matched to the reading's script
(:func:`bantin.speech.reading.build_script`) by their text; a reading made from
other text is refused with a one-line error.

Languages are told as the PDF tells them (see ``bulletin.html.j2``): an element
whose text is in another language than its parent carries ``xml:lang`` and
``lang`` (both, as EPUB's XHTML wants): an untranslated block or list item
(:meth:`Variant.lang_of`), a chrome string printed in the source language
(:meth:`Variant.chrome_lang`), the date (:attr:`Variant.date_lang`).  A cue
that mixes languages ("Source: Trung tâm Y tế huyện.") gets a nested
``<span lang>`` around each stretch in another language, so the
synchronized span keeps its id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from bantin.content.model import BulletList, Paragraph, Photo, Quote
from bantin.epub.cues import Cue, EpubError
from bantin.i18n.localize import Variant
from bantin.speech.reading import Segment, build_script

__all__ = ["Content", "build_content", "lang_attrs", "xhtml"]

#: Chrome strings of the content document (extracted for translators where they are looked up).
KICKER, MISSING, BYLINE, SOURCE = "Bản tin", "Ảnh không có sẵn", "Tin, ảnh", "Nguồn"
#: ``id`` of the title, the body (``<main>``) and the credits (``<footer>``): the navigation points at them.
TITLE_ID, BODY_ID, CREDITS_ID = "title", "body", "credits"


def lang_attrs(tag: str, parent: str) -> str:
    """`` lang="…" xml:lang="…"`` when ``tag`` differs from the language the element inherits, else nothing."""
    if tag == parent:
        return ""
    value = escape(tag)
    return f' lang="{value}" xml:lang="{value}"'


@dataclass
class Content:
    """The content document's body and what the package needs to know about it."""

    body: str
    #: cue indices in the order their spans appear
    order: list[int]
    #: every language a passage is in, the variant's first, then in order of first use
    langs: list[str]
    #: True when some text is shown but not read (a photo caption, the byline, the place): audio alone is not enough
    unread: bool
    #: whether the document has a ``<footer id="credits">``
    credits: bool


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


#: A piece of a segment's text and its language (None: punctuation, in whatever language surrounds it).
Part = tuple[str, str | None]


@dataclass
class _Writer:
    """Builds the body, numbering spans in document order and noting the languages it writes."""

    cues: Sequence[Cue]
    lang: str
    order: list[int] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    unread: bool = False

    def __post_init__(self) -> None:
        self.langs.append(self.lang)

    def attrs(self, tag: str, parent: str) -> str:
        """The language attributes of an element in ``tag`` inside one in ``parent`` (noting ``tag`` as used)."""
        if tag not in self.langs:
            self.langs.append(tag)
        return lang_attrs(tag, parent)

    def text(self, text: str, tag: str, parent: str) -> str:
        """Shown, not read: ``text`` escaped, in a ``<span lang>`` when its language differs from ``parent``."""
        if text.strip():
            self.unread = True
        attrs = self.attrs(tag, parent)
        return f"<span{attrs}>{escape(text)}</span>" if attrs else escape(text)

    def spans(self, group: Sequence[int], parts: Sequence[Part], parent: str, strip_stop: bool = False) -> str:
        """One ``<span id>`` per cue of ``group``; stretches of ``parts`` in another language than ``parent`` nested in it."""
        langs = [tag for text, tag in parts for _ in _squash(text)]
        pos = 0
        out = []
        for k, i in enumerate(group):
            text = self.cues[i].text
            n_chars = len(_squash(text))
            if strip_stop and k == len(group) - 1 and text.endswith("."):
                text = text[:-1]
            self.order.append(i)
            out.append(f'<span id="c{i + 1:04d}">{self._runs(text, langs[pos : pos + n_chars], parent)}</span>')
            pos += n_chars
        return " ".join(out)

    def _runs(self, text: str, langs: Sequence[str | None], parent: str) -> str:
        """``text`` with each stretch whose characters are in another language than ``parent`` wrapped in a ``<span lang>``."""
        tags: list[str] = []
        n = 0
        for ch in text:
            if ch.isspace():
                tags.append("")  # decided below, from its neighbours
            else:
                tags.append(langs[n] or parent if n < len(langs) else parent)
                n += 1
        for j, tag in enumerate(tags):
            if not tag:
                before = next((t for t in reversed(tags[:j]) if t), parent)
                after = next((t for t in tags[j + 1 :] if t), parent)
                tags[j] = before if before == after else parent
        out, start = [], 0
        for j in range(1, len(text) + 1):
            if j == len(text) or tags[j] != tags[start]:
                chunk = escape(text[start:j])
                attrs = self.attrs(tags[start], parent)
                out.append(f"<span{attrs}>{chunk}</span>" if attrs else chunk)
                start = j
        return "".join(out)


def _common(parts: Sequence[Part], default: str) -> str:
    """The one language of all of ``parts`` (punctuation aside), else ``default``."""
    tags = {tag for text, tag in parts if tag and text.strip()}
    return tags.pop() if len(tags) == 1 else default


def build_content(variant: Variant, cues: Sequence[Cue], name: str) -> Content:
    """The content document's ``<body>`` for ``variant`` with one span per cue of its reading."""
    b, _ = variant.bulletin, variant.gettext
    top = variant.lang
    kicker, missing, source_label = _("Bản tin"), _("Ảnh không có sẵn"), _("Nguồn")
    byline_label = _(b.credit_label) if b.byline_label else _("Tin, ảnh")  # the credit the source gave
    script = build_script(variant)
    groups = _align(script, cues, name)
    w = _Writer(cues, top)
    intro = [(s, g) for s, g in zip(script, groups, strict=True) if s.role == "intro"]
    body = [(s, g) for s, g in zip(script, groups, strict=True) if s.role == "body"]
    outro = [(s, g) for s, g in zip(script, groups, strict=True) if s.role == "outro"]

    header: list[str] = []
    title_lang, kicker_lang = variant.lang_of("title"), variant.chrome_lang(KICKER)
    title_done = place_done = False
    for n, (segment, group) in enumerate(intro):
        if not title_done and _squash(segment.text) in (_squash(b.title), _squash(b.title + ".")):
            strip = not b.title.rstrip().endswith(".")
            inner = w.spans(group, [(segment.text, title_lang)], title_lang, strip) if group else w.text(b.title, title_lang, title_lang)
            header.append(f'<h1 id="{TITLE_ID}"{w.attrs(title_lang, top)}>{inner}</h1>')
            title_done = True
        elif n == 0 and not title_done:
            inner = w.spans(group, [(segment.text, kicker_lang)], kicker_lang, True) if group else w.text(kicker, kicker_lang, kicker_lang)
            header.append(f'<p class="kicker"{w.attrs(kicker_lang, top)}>{inner}</p>')
        else:
            date_lang = variant.date_lang
            place = ""
            if b.place and not place_done:
                place = f" · {w.text(b.place, variant.lang_of('place'), top)}"
            place_done = True
            date = w.spans(group, [(segment.text, date_lang)], date_lang, True)
            header.append(f'<p class="dateline"><time datetime="{b.date.isoformat()}"{w.attrs(date_lang, top)}>{date}</time>{place}</p>')
    if not title_done:
        header.insert(0, f'<h1 id="{TITLE_ID}"{w.attrs(title_lang, top)}>{w.text(b.title, title_lang, title_lang)}</h1>')

    main: list[str] = []
    k = 0

    def read(text: str, tag: str) -> str:
        """The text's spans when the next body segment is it, else the plain text (shown, not read)."""
        nonlocal k
        if k < len(body) and _squash(body[k][0].text) == _squash(text) and body[k][1]:
            k += 1
            return w.spans(body[k - 1][1], [(text, tag)], tag)
        if k < len(body) and _squash(body[k][0].text) == _squash(text):
            k += 1  # a segment with no cue (nothing to speak)
        return w.text(text, tag, tag)

    for n, block in enumerate(b.body, start=1):
        if isinstance(block, Paragraph):
            tag = variant.lang_of(f"body.{n}.paragraph")
            main.append(f"<p{w.attrs(tag, top)}>{read(block.text, tag)}</p>")
        elif isinstance(block, BulletList):
            items = []
            for i, item in enumerate(block.items, start=1):
                tag = variant.lang_of(f"body.{n}.list.{i}")
                items.append(f"<li{w.attrs(tag, top)}>{read(item, tag)}</li>")
            main.append(f"<ul>{''.join(items)}</ul>")
        elif isinstance(block, Quote):
            tag = variant.lang_of(f"body.{n}.quote")
            attribution = ""
            if block.attribution:
                attribution = f'<p class="attribution">— {w.text(block.attribution, variant.lang_of(f"body.{n}.quote.attribution"), top)}</p>'
            main.append(f"<blockquote><p{w.attrs(tag, top)}>{read(block.text, tag)}</p>{attribution}</blockquote>")
        elif isinstance(block, Photo):
            label = ""
            if not block.src:
                label = f'<span class="label"{w.attrs(variant.chrome_lang(MISSING), top)}>{escape(missing)}:</span> '
                w.unread = True
            main.append(f'<p class="photo">{label}{w.text(block.caption, variant.lang_of(f"body.{n}.image.caption"), top)}</p>')
    for segment, group in body[k:]:  # read, but in no block the script knows (kept, in reading order)
        main.append(f"<p>{w.spans(group, [(segment.text, None)], top) if group else w.text(segment.text, top, top)}</p>")

    footer: list[str] = []
    if b.byline:
        label = f'<span class="label"{w.attrs(variant.chrome_lang(b.credit_label), top)}>{escape(byline_label)}:</span>'
        footer.append(f"<p>{label} {w.text(b.byline, variant.lang_of('byline'), top)}</p>")
        w.unread = True
    source_parts: list[Part] = [(source_label, variant.chrome_lang(SOURCE)), (": ", None), (b.source or "", variant.lang_of("source")), (".", None)]
    for segment, group in outro:
        if group:
            parts = source_parts if _squash(segment.text) == _squash("".join(t for t, _ in source_parts)) else [(segment.text, None)]
            tag = _common(parts, top)
            footer.append(f"<p{w.attrs(tag, top)}>{w.spans(group, parts, tag)}</p>")
    if b.source and not any(group for _segment, group in outro):
        label = f'<span class="label"{w.attrs(variant.chrome_lang(SOURCE), top)}>{escape(source_label)}:</span>'
        footer.append(f"<p>{label} {w.text(b.source, variant.lang_of('source'), top)}</p>")
    parts_html = [f"<header>{''.join(header)}</header>", f'<main id="{BODY_ID}">{"".join(main)}</main>']
    if footer:
        parts_html.append(f'<footer id="{CREDITS_ID}">{"".join(footer)}</footer>')
    return Content("\n".join(parts_html), w.order, w.langs, w.unread, bool(footer))


def xhtml(variant: Variant, title: str, title_lang: str, body: str, css: bool = True) -> str:
    """A whole XHTML content document in the variant's language (``<title>`` in its own when it differs)."""
    lang, direction = escape(variant.lang), escape(variant.locale.direction)
    link = '\n<link rel="stylesheet" type="text/css" href="style.css"/>' if css else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="{lang}" xml:lang="{lang}" dir="{direction}">\n'
        f'<head>\n<meta charset="UTF-8"/>\n<title{lang_attrs(title_lang, variant.lang)}>{escape(title)}</title>{link}\n</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )
