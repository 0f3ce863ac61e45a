"""The braille stage on the sample bulletin: vi and en transcribed, km skipped, files valid and reproducible."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from bantin.braille.brf import CELLS_PER_LINE, LINES_PER_PAGE, to_unicode
from bantin.braille.pef import PEF_NS
from bantin.braille.tables import BRAILLE_TABLES
from bantin.braille.transcribe import BrailleResult, braille_blocks, make_braille
from testing_utils import make_variant


@pytest.fixture(scope="module")
def made(sample_variant, sample_bulletin, tmp_path_factory: pytest.TempPathFactory) -> dict[str, BrailleResult]:
    out = tmp_path_factory.mktemp("braille")
    return {
        "vi": make_braille(sample_variant, out),
        "en": make_braille(make_variant(sample_bulletin, "en"), out),
        "km": make_braille(make_variant(sample_bulletin, "km"), out),
    }


def brf_pages(result: BrailleResult) -> list[list[str]]:
    assert result.brf is not None
    text = result.brf.read_bytes().decode("ascii")
    pages = text.split("\f")
    assert all(page.endswith("\r\n") for page in pages)
    return [page.split("\r\n")[:-1] for page in pages]


def test_the_tables_are_installed() -> None:
    for table in BRAILLE_TABLES.values():
        assert Path("/usr/share/liblouis/tables", table.table).is_file(), table


@pytest.mark.parametrize("code", ["vi", "en"])
def test_brf_lines_fit_40_cells_and_pages_25_lines(made, code: str) -> None:
    result = made[code]
    assert result.skipped is None and result.brf is not None
    assert result.brf.name.endswith(f".{code}.brf")
    pages = brf_pages(result)
    assert len(pages) == result.pages >= 2  # the sample runs over a page in both
    for page in pages:
        assert 0 < len(page) <= LINES_PER_PAGE
        assert all(len(line) <= CELLS_PER_LINE for line in page)


@pytest.mark.parametrize("code", ["vi", "en"])
def test_every_page_ends_its_first_line_with_its_braille_number(made, code: str) -> None:
    from bantin.braille.louis import translate

    pages = brf_pages(made[code])
    numbers = translate([str(n) for n in range(1, len(pages) + 1)], BRAILLE_TABLES[code].table)
    assert numbers[:2] == ["#A", "#B"]
    for page, number in zip(pages, numbers, strict=True):
        assert page[0].endswith("   " + number)


def test_english_braille_is_contracted_ueb(made) -> None:
    text = made["en"].brf.read_text(encoding="ascii")
    words = text.replace("\r\n", " ").split()
    # "The provincial communication centre reported that the district committees ..."
    assert ",!" in words and "!" in words  # "The" and "the" as one cell
    assert made["en"].table == "en-ueb-g2.ctb"


def test_vietnamese_braille_has_the_title_and_the_year(made, sample_variant) -> None:
    from bantin.braille.louis import translate

    (title,) = translate([sample_variant.bulletin.title], "vi-vn-g1.ctb")
    flat = " ".join(line.strip() for page in brf_pages(made["vi"]) for line in page)
    assert " ".join(title.split()[:4]) in flat
    assert "#BJBD" in flat
    assert made["vi"].untranslated == 0


def test_khmer_is_skipped_with_a_reason_and_writes_nothing(made) -> None:
    km = made["km"]
    assert km.skipped and "km" in km.skipped and km.table is None
    assert km.brf is None and km.pef is None
    out = made["vi"].brf.parent.parent
    assert not (out / "km").exists()


@pytest.mark.parametrize("code", ["vi", "en"])
def test_the_pef_is_valid_and_holds_the_brf_pages(made, code: str, pef_problems) -> None:
    result = made[code]
    data = result.pef.read_bytes()
    assert pef_problems(data) == []
    doc = etree.fromstring(data)
    rows = [[row.text or "" for row in page] for page in doc.iter(f"{{{PEF_NS}}}page")]
    assert rows == [[to_unicode(line) for line in page] for page in brf_pages(result)]
    ns = {"dc": "http://purl.org/dc/elements/1.1/"}
    assert doc.findtext(".//dc:language", namespaces=ns) == code
    assert doc.findtext(".//dc:date", namespaces=ns) == "2024-06-28"


def test_a_rerun_rewrites_nothing(made, sample_variant) -> None:
    vi = made["vi"]
    before = (vi.brf.stat().st_mtime_ns, vi.pef.stat().st_mtime_ns)
    again = make_braille(sample_variant, vi.brf.parent.parent)
    assert again == vi
    assert (vi.brf.stat().st_mtime_ns, vi.pef.stat().st_mtime_ns) == before


def test_source_date_epoch_dates_the_pef(small_variant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2025, 1, 2, tzinfo=dt.UTC).timestamp())))
    result = make_braille(small_variant, tmp_path)
    assert "<dc:date>2025-01-02</dc:date>" in result.pef.read_text(encoding="utf-8")


def test_blocks_follow_the_print_edition(sample_variant) -> None:
    texts = [text for text, _ in braille_blocks(sample_variant)]
    b = sample_variant.bulletin
    assert texts[:2] == ["Bản tin", b.title]
    assert texts[2].startswith(sample_variant.date_text)
    assert texts[-1] == f"Nguồn: {b.source}"
    assert any(t.startswith("Ảnh không có sẵn: ") for t in texts)  # the sample's photo file was lost
    assert sum(1 for t in texts if t in {p.text for p in b.paragraphs}) == len(b.paragraphs)


def test_the_result_describes_the_files(made) -> None:
    import hashlib

    vi = made["vi"]
    for path, digest, size in ((vi.brf, vi.brf_sha256, vi.brf_bytes), (vi.pef, vi.pef_sha256, vi.pef_bytes)):
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest and len(data) == size


def _with_paragraphs(variant, *texts: str):
    """``variant`` with its body replaced by these paragraphs (the braille stage reads nothing else)."""
    import dataclasses

    from bantin.content.model import Paragraph

    return dataclasses.replace(variant, bulletin=dataclasses.replace(variant.bulletin, body=tuple(Paragraph(t) for t in texts)))


def test_a_path_and_a_very_long_word_are_transcribed(small_variant, tmp_path: Path) -> None:
    from bantin.braille.louis import translate

    word = "ab" * 5000
    variant = _with_paragraphs(small_variant, "Tệp gốc ở C:\\Users\\An\\bao-cao.docx trên máy.", word)
    result = make_braille(variant, tmp_path)
    assert result.untranslated == 0
    lines = []
    for page in brf_pages(result):
        first, *rest = page
        lines += [first.rsplit("   ", 1)[0], *rest]  # the page number ends each page's first line
    (path,) = translate(["C:\\Users\\An\\bao-cao.docx"], "vi-vn-g1.ctb")
    assert path.startswith(".C3@*.USERS@*.AN@*")
    assert path in " ".join(lines).split()
    # The word runs over many lines, divided with a hyphen at each break; put back together it is whole.
    joined = "".join(line.strip().removesuffix("-") for line in lines)
    assert "AB" * 5000 in joined


def test_an_untranscribable_block_names_the_bulletin_and_quotes_the_text(small_variant, tmp_path: Path) -> None:
    from bantin.braille.louis import BrailleTextError

    variant = _with_paragraphs(small_variant, "Ký hiệu ⣿ trong bản gốc.")
    with pytest.raises(BrailleTextError) as caught:
        make_braille(variant, tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{variant.bulletin.id} (vi): braille block 4 'Ký hiệu ⣿ trong bản gốc.': U+28FF")
    assert "Install liblouis" not in message and "\n" not in message
    assert not list(tmp_path.rglob("*.brf"))
