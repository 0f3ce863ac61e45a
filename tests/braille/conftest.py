"""Braille fixtures: the PEF 2008-1 schema as Debian ships it, and a checker built on it."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

#: Debian's libbrailleutils-java ships the PEF 2008-1 RELAX NG schema inside its core jar.
BRAILLEUTILS_JAR = Path("/usr/share/java/brailleUtils-core.jar")
PEF_RNG = "org/daisy/braille/pef/resource-files/pef-2008-1-full.rng"
PEF_NS = "{http://www.daisy.org/ns/2008/pef}"


@pytest.fixture(scope="session")
def pef_schema():
    from lxml import etree

    assert BRAILLEUTILS_JAR.is_file(), f"{BRAILLEUTILS_JAR} is missing: apt-get install libbrailleutils-java (make setup does)"
    with zipfile.ZipFile(BRAILLEUTILS_JAR) as jar:
        return etree.RelaxNG(etree.fromstring(jar.read(PEF_RNG)))


@pytest.fixture(scope="session")
def pef_problems(pef_schema) -> Callable[[bytes], list[str]]:
    """What keeps a PEF document from being valid: the RELAX NG schema, then the schema's two
    Schematron rules (rows per page, cells per row; XPath 2, so checked here) and the character range."""
    from lxml import etree

    def check(data: bytes) -> list[str]:
        doc = etree.fromstring(data)
        problems = [f"line {e.line}: {e.message}" for e in ([] if pef_schema.validate(doc) else pef_schema.error_log)]
        for volume in doc.iter(f"{PEF_NS}volume"):
            rows, cols = int(volume.get("rows")), int(volume.get("cols"))
            for n, page in enumerate(volume.iter(f"{PEF_NS}page"), start=1):
                if len(page.findall(f"{PEF_NS}row")) > rows:
                    problems.append(f"page {n}: [Rule 1] too many rows")
                for row in page.iter(f"{PEF_NS}row"):
                    text = row.text or ""
                    if len(text) > cols:
                        problems.append(f"page {n}: [Rule 2] row of {len(text)} cells")
                    if any(not 0x2800 <= ord(ch) <= 0x28FF for ch in text):
                        problems.append(f"page {n}: a row holds characters other than braille patterns")
        return problems

    return check


@pytest.fixture(scope="session")
def half_english(sample_bulletin, tmp_path_factory: pytest.TempPathFactory):
    """The sample's English variant with four blocks and two chrome labels left in Vietnamese (braille_utils.UNTRANSLATED_*)."""
    from braille_utils import half_english_root

    from bantin.i18n.localize import localize

    return localize(sample_bulletin, "en", root=half_english_root(tmp_path_factory.mktemp("locales"), sample_bulletin))
