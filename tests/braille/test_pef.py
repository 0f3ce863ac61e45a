"""PEF 2008-1: valid against the schema Debian ships, rows are the BRF lines in Unicode braille."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from bantin.braille.brf import to_unicode
from bantin.braille.pef import PEF_NS, PefMeta, pef_xml

META = PefMeta(identifier="bantin:x:vi:braille", title="Tiêm chủng <mở rộng> & quý II", language="vi", date=dt.date(2024, 6, 28), publisher="Trung tâm")
PAGES = [["  ,! CAT      #A", "", "#BJBD"], ["LINE ONE    #B"]]


def test_a_pef_is_valid_against_the_pef_2008_1_schema(pef_problems) -> None:
    assert pef_problems(pef_xml(PAGES, META).encode("utf-8")) == []


def test_the_checker_catches_what_the_schema_forbids(pef_problems) -> None:
    good = pef_xml(PAGES, META)
    assert pef_problems(good.replace('version="2008-1"', 'version="2009"').encode())  # schema
    assert pef_problems(good.replace("<dc:format>application/x-pef+xml</dc:format>", "").encode())  # required meta
    assert pef_problems(good.replace("⠼⠁", "⠼⠁" + "⠁" * 40).encode())  # row too long
    assert pef_problems(pef_xml([["A"] * 26], META).encode())  # too many rows
    assert pef_problems(good.replace("⠼⠃⠚⠃⠙", "2024").encode())  # not braille


def test_head_and_volume_carry_the_required_metadata() -> None:
    doc = etree.fromstring(pef_xml(PAGES, META).encode())
    ns = {"p": PEF_NS, "dc": "http://purl.org/dc/elements/1.1/"}
    assert doc.tag == f"{{{PEF_NS}}}pef" and doc.get("version") == "2008-1"
    meta = doc.find("p:head/p:meta", ns)
    assert meta.findtext("dc:format", namespaces=ns) == "application/x-pef+xml"
    assert meta.findtext("dc:identifier", namespaces=ns) == "bantin:x:vi:braille"
    assert meta.findtext("dc:title", namespaces=ns) == "Tiêm chủng <mở rộng> & quý II"
    assert meta.findtext("dc:language", namespaces=ns) == "vi"
    assert meta.findtext("dc:date", namespaces=ns) == "2024-06-28"
    volume = doc.find("p:body/p:volume", ns)
    assert dict(volume.attrib) == {"cols": "40", "rows": "25", "rowgap": "0", "duplex": "false"}


def test_rows_are_the_brf_lines_in_unicode_braille() -> None:
    doc = etree.fromstring(pef_xml(PAGES, META).encode())
    pages = doc.findall(f".//{{{PEF_NS}}}page")
    assert [[row.text or "" for row in page] for page in pages] == [[to_unicode(line) for line in page] for page in PAGES]


def test_languages_are_marked_where_pef_allows_and_the_schema_accepts_them(pef_problems) -> None:
    meta = PefMeta(
        identifier="bantin:x:en:braille",
        title="Quarterly meeting",
        language="en",
        date=dt.date(2024, 6, 28),
        publisher="Trung tâm Văn hóa",
        description="Unified English Braille",
        other_languages=("vi", "en", "vi"),
        title_lang="en",
        publisher_lang="vi",
        description_lang="en",
    )
    row_langs = [["en", None, "vi"], ["vi"]]
    data = pef_xml(PAGES, meta, row_langs=row_langs).encode()
    assert pef_problems(data) == []
    doc = etree.fromstring(data)
    ns = {"p": PEF_NS, "dc": "http://purl.org/dc/elements/1.1/"}
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert doc.get(lang) == "en"
    assert [e.text for e in doc.findall(".//dc:language", ns)] == ["en", "vi"]  # the document's first, each once
    assert doc.find(".//dc:title", ns).get(lang) is None  # same as the document's: inherited
    assert doc.find(".//dc:publisher", ns).get(lang) == "vi"
    rows = [[row.get(lang) for row in page] for page in doc.iterfind(".//p:page", ns)]
    assert rows == [[None, None, "vi"], ["vi"]]  # only rows in another language than the document's say so


def test_a_pef_without_row_languages_marks_only_the_document(pef_problems) -> None:
    data = pef_xml(PAGES, META).encode()
    assert pef_problems(data) == []
    assert data.count(b"xml:lang") == 1 and b'<pef version="2008-1" xmlns="http://www.daisy.org/ns/2008/pef" xml:lang="vi">' in data
