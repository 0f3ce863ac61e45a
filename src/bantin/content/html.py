"""HTML ingest: turn a saved news page (or fetched bytes) into the bulletin model.

``trafilatura`` finds the article and drops navigation, sidebars, share buttons,
footers and comments; it also reads the page's title, author and publication
date from its metadata (markup only: htmldate's extensive text search is off,
so a date in a sidebar is never taken for the bulletin's).  A few rules for
how Vietnamese news sites lay out a page fill its gaps:

* a lead set apart before the body (``class="sapo"``) is the first paragraph;
* photo captions come from ``<figcaption>``, a two-row caption table, or the
  block right after the image in italics or with a caption class;
* in an old portal's layout table only the cells holding sentences are kept;
* "Xem thêm: <link>" lines, and banners or badges whose alt is page noise, go;
* the article's heading that repeats the title (or one part of ``<title>``) is
  the title; the author's name alone on the last line is the byline.

The article is then written out as the plain text :mod:`bantin.content.ingest`
reads, and parsed by it, so the same noise list, date rules and model apply as
for text:

* the date the text states wins over the page's metadata date; the metadata
  date only fills in when the text states none (and supplies the year of a
  "Sáng 28/6" lead); with neither and no ``date=``, ingest refuses in one line;
* "Nguồn: …" lines become the source, "Tin, ảnh: …" lines the byline (the
  page's author metadata fills in when the text has none);
* paragraphs, lists and photos become blocks.  Photos keep their caption and
  the page's alt text, but the image file is not downloaded: the block's
  ``src`` stays empty and its alt says the photo is not available, as ingest
  does for a lost "(Hình ảnh …)" photo.  The image URLs are on :attr:`Page.images`.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import Document

from bantin.content.ingest import NoiseList, load_noise_list, parse_bulletin
from bantin.content.model import Block, Bulletin, Photo
from bantin.errors import IngestError
from bantin.settings import fetch_limits
from bantin.textutil import normalize_space

__all__ = [
    "Page",
    "PageImage",
    "bulletin_from_page",
    "decode_html",
    "extract_page",
    "parse_bulletin_html",
    "read_bulletin_html",
]

#: What a reader sees when the page's photo was not downloaded (kept in Vietnamese, like ingest's).
PHOTO_NOT_DOWNLOADED = "Ảnh không có sẵn: tệp ảnh không được tải về từ trang gốc"

_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# A photo goes through ingest's text pipeline as a photo line whose caption is this marker and its index.
_PHOTO_MARK = "BANTINPHOTO"
_PHOTO_LINE_RE = re.compile(rf"{_PHOTO_MARK}(\d+)")
# Alt texts that describe nothing (file names, "ảnh", "image 1").
_EMPTY_ALT_RE = re.compile(r"^(?:(?:ảnh|hình|hình ảnh|image|photo|img|picture)\s*\d*|[\w.-]+\.(?:jpe?g|png|gif|webp|svg|bmp))$", re.IGNORECASE)


@dataclass(frozen=True)
class PageImage:
    """A photo of the article as the page had it: absolute URL (when known), alt text, caption."""

    src: str | None
    alt: str
    caption: str


@dataclass(frozen=True)
class Page:
    """What trafilatura found on a news page, before ingest's rules are applied.

    ``lines`` is the article as ingest's plain text (one paragraph per line,
    ``- item`` for list items, a marker line per photo); ``date`` is the page's
    metadata date, which the text's own date overrides.
    """

    source: str
    title: str
    date: dt.date | None
    author: str | None
    sitename: str | None
    url: str | None
    lines: tuple[str, ...]
    images: tuple[PageImage, ...]


# --------------------------------------------------------------------------- decoding


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def decode_html(raw: bytes, source: str | Path = "<page>", charset: str | None = None) -> str:
    """Decode a page: byte-order mark, else the declared ``charset`` (HTTP header), else ``<meta charset>``, else UTF-8, else cp1258.

    A declared charset that does not decode the bytes is skipped, not trusted.
    """
    max_bytes = fetch_limits()[0]
    if len(raw) > max_bytes:
        raise IngestError(
            source, f"{len(raw)} bytes is too large for a news page (limit {max_bytes})", "Save only the article's page, or raise BANTIN_FETCH_MAX_BYTES"
        )
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(name)
            except UnicodeDecodeError:
                raise IngestError(source, f"starts with a {name} byte-order mark but is not valid {name}", "Save the page again as UTF-8") from None
    meta = _META_CHARSET_RE.search(raw[:4096])
    candidates = [_codec(charset), _codec(meta.group(1).decode("ascii")) if meta else None, "utf-8", "cp1258"]
    for name in dict.fromkeys(c for c in candidates if c):
        try:
            return raw.decode(name)
        except UnicodeDecodeError:
            continue
    # cp1258 decodes almost any bytes, so this is for completeness.
    raise IngestError(source, "is neither in its declared character set nor UTF-8 nor Windows-1258", "Save the page again as UTF-8")


# --------------------------------------------------------------------------- extraction


def _text_of(element: Any) -> str:
    return normalize_space(" ".join(element.itertext()))


def _mark_captions(tree: Any) -> None:
    """Move each photo's caption onto its ``<img title>``, where trafilatura keeps it.

    trafilatura keeps an image's src, alt and title but drops ``<figcaption>``.
    Portals also caption photos with a two-row table (image, then caption), or
    with the block right after the image when it is in italics or has a caption
    class ("image_desc", "chu-thich").  Existing title attributes are tooltips,
    not captions, so they are cleared first.
    """
    for img in tree.iter("img"):
        img.attrib.pop("title", None)
    for figure in list(tree.iter("figure")):
        imgs = figure.findall(".//img")
        captions = figure.findall(".//figcaption")
        if imgs and captions:
            imgs[0].set("title", " ".join(_text_of(c) for c in captions))
            for caption in captions:
                caption.drop_tree()
    for table in list(tree.iter("table")):
        imgs = table.findall(".//img")
        cells = [c for c in table.iter("td", "th") if c.find(".//img") is None and _text_of(c)]
        if len(imgs) == 1 and 1 <= len(cells) <= 2 and len(table.findall(".//tr")) <= 3:
            caption = " ".join(_text_of(c) for c in cells)
            if len(caption) <= 400:
                figure = lxml_html.Element("p")
                img = imgs[0]
                img.set("title", caption)
                img.tail = None
                figure.append(img)
                figure.tail = table.tail
                table.getparent().replace(table, figure)
    for img in list(tree.iter("img")):
        if img.get("title") is not None:
            continue
        holder = img  # the outermost element that holds the image and no text
        while (parent := holder.getparent()) is not None and parent.tag not in ("body", "td") and not _text_of(parent):
            holder = parent
        following = holder.getnext()
        if following is not None and _is_caption(following):
            img.set("title", _text_of(following))
            following.drop_tree()
    # trafilatura drops a <figure> that opens the article; a paragraph holding the image it keeps.
    for figure in list(tree.iter("figure")):
        imgs = figure.findall(".//img")
        if imgs and not _text_of(figure):
            holder = lxml_html.Element("p")
            for img in imgs:
                img.tail = None
                holder.append(img)
            holder.tail = figure.tail
            figure.getparent().replace(figure, holder)


def _drop_link_lines(tree: Any) -> None:
    """Drop "Xem thêm: <link>" lines: a paragraph that is a link, with at most a short label beside it."""
    for element in list(tree.iter("p", "div", "h3", "h4")):
        if element.find(".//p") is not None or element.find(".//div") is not None or element.find(".//img") is not None:
            continue
        text = _text_of(element)
        linked = normalize_space(" ".join(t for a in element.iter("a") for t in a.itertext()))
        if linked and len(text.split()) - len(linked.split()) <= 3 and len(linked) >= 0.6 * len(text):
            element.drop_tree()


_CAPTION_CLASS_RE = re.compile(r"caption|desc|chu-?thich|chuthich|image-?note|photo-?note", re.IGNORECASE)
# Source and byline lines ("Nguồn: …", "Tin, ảnh: …", "Theo …") are often in italics too; they are not captions.
_SOURCE_OR_BYLINE_RE = re.compile(r"^\(?\s*(?:(?:nguồn|tin|bài|tác giả|phóng viên|pv|nhóm pv|thực hiện)\b[^:]{0,20}:|theo\s)", re.IGNORECASE)


def _is_caption(element: Any) -> bool:
    """A short block in italics, or with a caption class: the caption of the image just before it."""
    if not isinstance(element.tag, str) or element.tag not in ("p", "div", "span", "em", "i", "center", "figcaption"):
        return False
    text = _text_of(element)
    if not text or len(text.split()) > 60 or element.find(".//img") is not None or _SOURCE_OR_BYLINE_RE.match(text):
        return False
    if _CAPTION_CLASS_RE.search(f"{element.get('class', '')} {element.get('id', '')}"):
        return True
    italic = element if element.tag in ("em", "i") else None
    italics = [italic] if italic is not None else list(element.iter("em", "i"))
    return normalize_space(" ".join(t for e in italics for t in e.itertext())) == text


_LEAD_CLASS_RE = re.compile(r"(?:^|[\s_-])(?:sapo|chapeau|lead|lede|summary|excerpt|tomtat|tom-tat|description)(?:$|[\s_-])", re.IGNORECASE)
_FURNITURE_TAGS = {"aside", "nav", "footer", "header", "li", "a", "form"}
_FURNITURE_CLASS_RE = re.compile(r"related|lien-?quan|sidebar|widget|box|menu|comment|footer|header|list", re.IGNORECASE)
_SENTENCE_END = tuple('.!?…”"»)')


def _lead_text(tree: Any, first_line: str | None) -> str | None:
    """The article's lead ("sapo") when the page sets it apart from the body, as Vietnamese news sites do.

    trafilatura keeps the body container and often drops a lead that sits beside
    it.  Only the first element whose class or id names a lead, outside any
    navigation, sidebar, list or footer, holding at least one sentence, and
    coming before the article's first extracted line on the page, counts.
    """
    order = {element: n for n, element in enumerate(tree.iter())}
    snippet = first_line[:40] if first_line else None
    first = next((order[e] for e in tree.iter() if snippet and isinstance(e.tag, str) and snippet in normalize_space(e.text or "")), None)
    for element in tree.iter("div", "p", "h2", "section", "span", "strong"):
        marks = f"{element.get('class', '')} {element.get('id', '')}"
        if not _LEAD_CLASS_RE.search(marks):
            continue
        ancestors = list(element.iterancestors())
        if any(a.tag in _FURNITURE_TAGS or _FURNITURE_CLASS_RE.search(f"{a.get('class', '')} {a.get('id', '')}") for a in ancestors):
            continue
        text = _text_of(element)
        if len(text.split()) >= 8 and text.endswith(_SENTENCE_END):
            return text if first is None or order[element] < first else None
    return None


def _inline(element: Any) -> str:
    """An element's text with ``<lb/>`` as a line break and photos left out."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "lb":
            parts.append("\n")
        elif child.tag != "graphic":
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


_BLOCK_TAGS = {"p", "head", "list", "table", "row", "cell", "graphic", "quote", "code", "div", "section", "article"}
_CONTAINER_TAGS = {"table", "row", "cell", "div", "section", "article", "body"}


def _lines_of(text: str | None) -> list[str]:
    """Text with line breaks as ingest's paragraphs: a blank line (``<br><br>``) ends one; a single
    break stays inside it as a newline, so ingest joins a line that did not end its sentence."""
    paragraphs: list[str] = []
    current: list[str] = []
    for raw in (text or "").split("\n"):
        line = normalize_space(raw)
        if line:
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def _is_sentence(line: object) -> bool:
    """A line of running text (not a link title, heading, counter or list item): 12 words or more, ending a sentence."""
    return isinstance(line, str) and len(line.split()) >= 12 and line.endswith(_SENTENCE_END) and not line.startswith("- ")


def _article_lines(body: Any, base_url: str | None) -> Iterator[str | PageImage]:
    """trafilatura's XML body as ingest's lines: paragraphs, ``- item``s and photos, in page order.

    Layout tables (old portals put the article in a table cell) are walked like
    any container; a table row holding only short cells is data, one line per row.
    """
    from urllib.parse import urljoin

    def image(graphic: Any) -> PageImage:
        src = graphic.get("src") or None
        if src and base_url and "://" not in src:
            src = urljoin(base_url, src)
        return PageImage(src, normalize_space(graphic.get("alt") or ""), normalize_space(graphic.get("title") or ""))

    def has_blocks(element: Any) -> bool:
        return any(child.tag in _BLOCK_TAGS for child in element)

    def block(element: Any) -> Iterator[str | PageImage]:
        tag = element.tag
        if tag == "graphic":
            yield image(element)
        elif tag == "list":
            for item in element.iter("item"):
                text = normalize_space(_inline(item))
                if text:
                    yield f"- {text}"
            yield from (image(g) for g in element.iter("graphic"))
        elif tag == "row" and not any(has_blocks(cell) for cell in element):
            texts = [normalize_space(_inline(cell)) for cell in element]
            if any(texts):
                yield "; ".join(t for t in texts if t)
            yield from (image(g) for g in element.iter("graphic"))
        elif tag == "table" and any(child.tag == "row" for child in element):
            cells: list[list[str | PageImage]] = [list(container(cell)) for row in element if row.tag == "row" for cell in row]
            if any(_is_sentence(x) for cell in cells for x in cell):
                # A layout table (old portals): the article's cell among banner, menu, sidebar and
                # footer cells.  Only cells that hold sentences are kept.
                for cell in cells:
                    if any(_is_sentence(x) for x in cell):
                        yield from cell
            else:
                for row in element:
                    yield from block(row)
        elif tag in _CONTAINER_TAGS or has_blocks(element):
            yield from container(element)
        else:
            yield from _lines_of(_inline(element))
            yield from (image(g) for g in element.iter("graphic"))

    def container(element: Any) -> Iterator[str | PageImage]:
        yield from _lines_of(element.text)
        for child in element:
            yield from block(child)
            yield from _lines_of(child.tail)

    yield from container(body)


def _parse_tree(text: str, source: str | Path) -> Any:
    text = _XML_DECL_RE.sub("", text, count=1)
    parser = lxml_html.HTMLParser(remove_comments=True, remove_pis=True)
    try:
        tree = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError):
        tree = None
    if tree is None:
        raise IngestError(source, "is not an HTML page", "Pass a news page saved as .html, or the article's text as .txt")
    return tree


_TITLE_SEPARATOR_RE = re.compile(r"\s+(?:::|[-|–—»:/]|>>)\s+")


def _title_line(lines: list[str], title: str, tree: Any) -> str:
    """The bulletin's title, and its line taken out of the text when the article repeats it.

    The article's own heading before its first sentence is the title when it is the
    metadata title or one part of ``<title>`` ("Site :: Section :: Title" on old portals).
    """
    parts = [normalize_space(p).rstrip(" .") for p in _TITLE_SEPARATOR_RE.split(tree.findtext(".//title") or "")]
    wanted = {t.casefold() for t in (title, *parts) if t}
    for n, line in enumerate(lines):
        if _is_sentence(line):
            break
        if line.rstrip(" .").casefold() in wanted and (line.rstrip(" .").casefold() == title.casefold() or len(line.split()) >= 4):
            del lines[n]
            return line.rstrip(" .")
    return title


def extract_page(html: bytes | str, source: str | Path = "<page>", *, base_url: str | None = None, charset: str | None = None) -> Page:
    """Find the article on a news page with trafilatura: its title, metadata date, author, text and photos."""
    text = html if isinstance(html, str) else decode_html(html, source, charset)
    tree = _parse_tree(text, source)
    _mark_captions(tree)
    _drop_link_lines(tree)
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # "discarding data" is reported below, in one line
    document = trafilatura.bare_extraction(
        tree,
        url=base_url,
        include_images=True,
        include_comments=False,
        include_tables=True,
        include_links=False,
        include_formatting=False,
        with_metadata=True,
        deduplicate=False,
        date_extraction_params={"original_date": True, "extensive_search": False},
    )
    no_article = IngestError(
        source,
        "has no article text (only navigation, lists of links or footers)",
        "Save the article's own page, or paste its text into a .txt file and ingest that",
    )
    if not isinstance(document, Document) or document.body is None:
        raise no_article
    body = document.body
    headings = [normalize_space(h.text or "") for h in body.iter("head")]
    title = normalize_space(document.title or "") or next((h for h in headings if h), "")
    title = title.rstrip(" .")
    lines: list[str] = []
    images: list[PageImage] = []
    for item in _article_lines(body, base_url or document.url):
        if isinstance(item, PageImage):
            lines.append(f"(Ảnh: {_PHOTO_MARK}{len(images)})")
            images.append(item)
        else:
            lines.append(item)
    title = _title_line(lines, title, tree)
    author = normalize_space(document.author or "") or None
    if author:
        # The article's last line is often the author's name alone (bold, right-aligned): it is the byline.
        last = next((n for n in range(len(lines) - 1, -1, -1) if not _PHOTO_LINE_RE.search(lines[n])), None)
        if last is not None and lines[last].strip(" .()").casefold() == author.casefold():
            del lines[last]
    lead = _lead_text(tree, next((line for line in lines if not _PHOTO_LINE_RE.search(line)), None))
    if lead and not any(lead in line for line in lines):
        lines.insert(0, lead)
    if not any(_is_sentence(line) for line in lines):
        raise no_article  # only link titles, menus or dates: a list page, not an article
    if not title:
        raise IngestError(
            source, "has no title (no <title>, <h1> or og:title)", "Save the article's own page, or paste its text, title first, into a .txt file"
        )
    date = None
    if document.date:
        try:
            date = dt.date.fromisoformat(document.date[:10])
        except ValueError:
            date = None
    return Page(
        source=str(source),
        title=title,
        date=date,
        author=author,
        sitename=normalize_space(document.sitename or "") or None,
        url=document.url or base_url,
        lines=tuple(lines),
        images=tuple(images),
    )


# --------------------------------------------------------------------------- onto the model


def _photo(image: PageImage) -> Photo:
    """A photo block for a page image that was not downloaded: an honest alt, the page's description kept."""
    alt = image.alt if image.alt and not _EMPTY_ALT_RE.fullmatch(image.alt) else ""
    if alt and alt.casefold() != image.caption.casefold():
        return Photo(image.caption, f"{PHOTO_NOT_DOWNLOADED}. Mô tả ảnh: {alt}")
    if image.caption:
        return Photo(image.caption, f"{PHOTO_NOT_DOWNLOADED}. Chú thích ảnh: {image.caption}")
    return Photo("", f"{PHOTO_NOT_DOWNLOADED}.")


def _date_lines(date: dt.date, noise: NoiseList) -> list[str]:
    """The metadata date as the page's date line, when the noise list knows that form (then ingest reads it as page metadata)."""
    for line in (f"Ngày đăng: {date:%d/%m/%Y}", f"{date:%d/%m/%Y} 00:00"):
        if noise.is_noise(line):
            return [line]
    return []


def bulletin_from_page(page: Page, *, date: dt.date | None = None, noise: NoiseList | None = None) -> Bulletin:
    """Apply ingest's rules (noise list, date rules, model) to an extracted page.

    ``date`` (``--date``) wins; else the date the text states; else the page's metadata date;
    else ingest refuses in one line.
    """
    noise = noise or load_noise_list()
    head = _date_lines(page.date, noise) if page.date else []
    text = "\n\n".join([*head, page.title, *page.lines]) + "\n"
    try:
        bulletin = parse_bulletin(text, page.source, noise, date)
    except IngestError:
        if date is not None or page.date is None:
            raise
        bulletin = parse_bulletin(text, page.source, noise, page.date)
    body: list[Block] = []
    for block in bulletin.body:
        if isinstance(block, Photo) and (m := _PHOTO_LINE_RE.fullmatch(block.caption)):
            image = page.images[int(m.group(1))]
            if not image.caption and image.alt and noise.is_noise(image.alt):
                continue  # a banner or badge ("Image banner", "ipv6 ready"), not a photo of the bulletin
            body.append(_photo(image))
        else:
            body.append(block)
    if bulletin.byline or not page.author:
        return dataclasses.replace(bulletin, body=tuple(body))
    return dataclasses.replace(bulletin, body=tuple(body), byline=page.author, byline_label="Tác giả")


def parse_bulletin_html(
    html: bytes | str,
    source: str | Path = "<page>",
    *,
    date: dt.date | None = None,
    base_url: str | None = None,
    charset: str | None = None,
    noise: NoiseList | None = None,
) -> Bulletin:
    """A bulletin from a page's bytes (or text): ``base_url`` resolves relative image links, ``charset`` is the declared one."""
    return bulletin_from_page(extract_page(html, source, base_url=base_url, charset=charset), date=date, noise=noise)


def read_bulletin_html(path: Path, *, date: dt.date | None = None, base_url: str | None = None) -> Bulletin:
    """Read a news page saved as ``.html`` and structure it like a raw text bulletin."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise IngestError(path, "no such file", "Check the path") from None
    except IsADirectoryError:
        raise IngestError(path, "is a folder, not a file", "Pass the saved page's .html file") from None
    return parse_bulletin_html(raw, path, date=date, base_url=base_url)
