"""The EPUB tells the truth about languages, navigation, access modes and timing (a half-translated English variant)."""

from __future__ import annotations

import dataclasses
import io
import itertools
import zipfile
from html import unescape
from pathlib import Path

from lxml import etree

from bantin.epub.book import EpubResult, build_epub
from bantin.epub.cues import Cue, read_vtt
from testing_utils import make_pseudo_locale, pseudo

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "smil": "http://www.w3.org/ns/SMIL",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def read(result: EpubResult, name: str) -> bytes:
    assert result.path is not None
    with zipfile.ZipFile(result.path) as zf:
        return zf.read(name)


def lang(el: etree._Element) -> str | None:
    """The language an element's text is in: its own ``xml:lang`` or its nearest ancestor's."""
    for node in (el, *el.iterancestors()):
        if node.get(XML_LANG) is not None:
            return node.get(XML_LANG)
    return None


def squash(text: str) -> str:
    return "".join(text.split())


def holder(root: etree._Element, text: str) -> etree._Element:
    """The innermost element of ``root``'s body whose text holds all of ``text``."""
    body = root.find("x:body", NS)
    found = [el for el in body.iter() if squash(text) in squash("".join(el.itertext()))]
    assert found, text
    return max(found, key=lambda el: len(list(el.iterancestors())))


def test_every_passage_is_marked_with_its_language(mixed, mixed_variant) -> None:
    content = etree.fromstring(read(mixed[0], "EPUB/content.xhtml"))
    # lang and xml:lang together, equal, and only where the language changes.
    for el in content.iter():
        if el.get("lang") is not None or el.get(XML_LANG) is not None:
            assert el.get("lang") == el.get(XML_LANG), etree.tostring(el)
            parent = el.getparent()
            assert parent is None or lang(parent) != el.get("lang"), etree.tostring(el)
    assert content.get("lang") == "en"
    units = {u.key: u.text for u in mixed_variant.bulletin.text_units()}
    shown = {key: text for key, text in units.items() if not key.endswith(".image.alt")}  # no image in the book, so no alt text
    assert {key: lang(holder(content, text)) for key, text in shown.items()} == {key: mixed_variant.lang_of(key) for key in shown}
    untranslated = {"title", "body.2.paragraph", "body.3.list.2", "body.4.quote", "body.5.image.caption", "source"}
    assert set(mixed_variant.fallback_keys) == untranslated  # the fixture is what it claims
    # Each synchronized Vietnamese passage is marked vi (the source line's name inside its English span).
    spans = content.xpath("//x:span[starts-with(@id, 'c')]", namespaces=NS)
    vi_spans = [s for s in spans if any(squash(units[k]) in squash("".join(s.itertext())) for k in untranslated)]
    assert len(vi_spans) == 5
    for span in vi_spans:
        inner = span.find("x:span", NS)
        assert lang(span) == "vi" or (inner is not None and lang(inner) == "vi" and inner.text == units["source"]), etree.tostring(span)
    # Chrome: printed in English where the catalog translates it, in Vietnamese where it does not; the date in English.
    assert lang(holder(content, "Bulletin")) == lang(holder(content, "Text and photos")) == lang(holder(content, "Source:")) == "en"
    assert lang(holder(content, "Ảnh không có sẵn")) == "vi"
    time = content.find(".//x:time", NS)
    assert lang(time) == mixed_variant.date_lang == "en" and time.xpath("string()") == mixed_variant.date_text


def test_the_package_names_each_language(mixed, km, sample_vi) -> None:
    opf = etree.fromstring(read(mixed[0], "EPUB/package.opf"))
    assert opf.get(XML_LANG) == "en"
    assert [e.text for e in opf.findall(".//dc:language", NS)] == ["en", "vi"]
    title = opf.find(".//dc:title", NS)
    assert (title.text, title.get(XML_LANG)) == ("Tiêm chủng mở rộng quý II", "vi")
    assert opf.find(".//dc:publisher", NS).get(XML_LANG) == "vi"
    summary = opf.find(".//opf:meta[@property='schema:accessibilitySummary']", NS)
    assert (summary.text, summary.get(XML_LANG)) == ("A bulletin as text read along with its audio.", None)  # from the catalog
    # A variant without a chrome catalog: its summary and kicker stay Vietnamese, and say so.
    km_opf = etree.fromstring(read(km, "EPUB/package.opf"))
    assert [e.text for e in km_opf.findall(".//dc:language", NS)] == ["km", "vi"]
    assert km_opf.find(".//opf:meta[@property='schema:accessibilitySummary']", NS).get(XML_LANG) == "vi"
    assert km_opf.find(".//dc:title", NS).get(XML_LANG) is None
    # The Vietnamese book: one language, no attribute anywhere but the root.
    vi_opf = etree.fromstring(read(sample_vi, "EPUB/package.opf"))
    assert [e.text for e in vi_opf.findall(".//dc:language", NS)] == ["vi"]
    assert [el.tag for el in vi_opf.iter() if el.get(XML_LANG)] == [opf.tag]
    content = etree.fromstring(read(sample_vi, "EPUB/content.xhtml"))
    assert [el for el in content.iter() if el.get("lang")] == [content]


def test_navigation_has_the_headings_and_landmarks(mixed, sample_vi) -> None:
    nav = etree.fromstring(read(mixed[0], "EPUB/nav.xhtml"))
    content = etree.fromstring(read(mixed[0], "EPUB/content.xhtml"))
    ids = {el.get("id") for el in content.iter() if el.get("id")}
    toc = nav.find(".//x:nav[@role='doc-toc']", NS)
    assert toc.get(EPUB_TYPE) == "toc" and toc.find("x:h1", NS).text == "Contents"
    links = toc.findall(".//x:a", NS)
    assert [(a.text, lang(a), a.get("href")) for a in links] == [
        ("Tiêm chủng mở rộng quý II", "vi", "content.xhtml#title"),
        ("Nội dung", "vi", "content.xhtml#body"),  # untranslated in this catalog
        ("Source", "en", "content.xhtml#credits"),
    ]
    assert {a.get("href").split("#")[1] for a in links} <= ids
    assert content.find(".//x:h1", NS).get("id") == "title" and content.find(".//x:main", NS).get("id") == "body"
    landmarks = nav.find(".//x:nav[@id='landmarks']", NS)
    assert landmarks.get(EPUB_TYPE) == "landmarks"
    assert {a.get(EPUB_TYPE): a.get("href") for a in landmarks.findall(".//x:a", NS)} == {"toc": "nav.xhtml#toc", "bodymatter": "content.xhtml#body"}
    # A reflowable book made from no print edition has no page breaks to list.
    assert nav.find(".//x:nav[@id='page-list']", NS) is None and not nav.xpath("//*[@*[local-name()='type']='page-list']")
    opf = etree.fromstring(read(mixed[0], "EPUB/package.opf"))
    assert [(i.get("idref"), i.get("linear")) for i in opf.findall(".//opf:itemref", NS)] == [("content", None), ("nav", "no")]
    vi_nav = etree.fromstring(read(sample_vi, "EPUB/nav.xhtml"))
    assert [a.text for a in vi_nav.findall(".//x:nav[@role='doc-toc']//x:a", NS)][1:] == ["Nội dung", "Nguồn"]


def test_audio_is_sufficient_only_when_everything_shown_is_read(mixed, sample_vi) -> None:
    """The photo caption, the place, the byline and the attribution are shown but not read."""
    for book in (mixed[0], sample_vi):
        opf = etree.fromstring(read(book, "EPUB/package.opf"))
        modes = [m.text for m in opf.findall(".//opf:meta[@property='schema:accessModeSufficient']", NS)]
        assert modes == ["textual", "textual,auditory"]
        assert [m.text for m in opf.findall(".//opf:meta[@property='schema:accessMode']", NS)] == ["textual", "auditory"]


def test_clips_end_where_their_cues_end(mixed) -> None:
    result, mp3 = mixed
    cues = read_vtt(mp3.with_suffix(".vtt"))
    smil = etree.fromstring(read(result, "EPUB/content.smil"))
    audio = [p.find("smil:audio", NS) for p in smil.findall(".//smil:par", NS)]
    clips = [(float(a.get("clipBegin")[:-1]), float(a.get("clipEnd")[:-1])) for a in audio]
    assert len(clips) == len(cues) == result.cues
    for (begin, end), cue in zip(clips, cues, strict=True):
        assert abs(begin - cue.start) <= 0.001 and abs(end - cue.end) <= 0.001
    assert all(nxt - end >= 0.399 for (_, end), (nxt, _) in itertools.pairwise(clips))  # the pauses are in no clip


def test_the_books_chrome_goes_through_the_catalog(sample_bulletin, tmp_path: Path) -> None:
    """Pseudo-locale xx: every chrome string of the EPUB code is shown translated (as the PDF test does for print)."""
    from bantin.i18n.localize import localize
    from bantin.i18n.templates import chrome_template
    from bantin.speech.normalize import normalize
    from bantin.speech.reading import build_script, speech_chunks

    bulletin = dataclasses.replace(sample_bulletin, byline="Thu Hà")
    root = make_pseudo_locale(tmp_path / "locales", bulletin)
    variant = localize(bulletin, "xx", root=root)
    written = [w for seg in build_script(variant) for w, _ in speech_chunks(seg.text, normalize)]
    cues = [Cue(1.5 * n, 1.5 * n + 1, text) for n, text in enumerate(written)]
    data = build_epub(variant, b"\xff\xfb\x90\x00", "x.mp3", cues, 1.5 * len(cues))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        text = " ".join(unescape(zf.read(f"EPUB/{name}").decode()) for name in ("content.xhtml", "nav.xhtml", "package.opf")).casefold()
    chrome = [m.id for m in chrome_template() if m.id and any("/epub/" in path for path, _ in m.locations)]
    assert len(chrome) >= 7
    for msgid in chrome:
        assert pseudo(msgid).casefold() in text, f"chrome string {msgid!r} is not shown translated"
        assert msgid.casefold() not in text, f"chrome string {msgid!r} escaped translation"
