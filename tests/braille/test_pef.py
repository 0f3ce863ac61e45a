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
