"""BRF layout: 40-cell lines, 25-line pages, page numbers, form feeds, word wrap and the Unicode mapping."""

from __future__ import annotations

import pytest

from bantin.braille.brf import CELLS_PER_LINE, LINES_PER_PAGE, PAGE_NUMBER_GAP, BrailleBlock, brf_text, lay_out, paginate, to_unicode
from bantin.braille.louis import BrailleError


def number(n: int) -> str:
    """Page numbers the way UEB writes them: number sign then letters a-j for the digits."""
    return "#" + "".join("JABCDEFGHI"[int(d)] for d in str(n))


def words(count: int, word: str = "ABCDE") -> str:
    return " ".join(f"{word}{'ABCDEFGHIJ'[n % 10]}" for n in range(count))


def test_lines_and_pages_stay_within_the_cell_grid() -> None:
    blocks = [BrailleBlock(words(60), first=2, blank_before=True) for _ in range(8)]
    pages = paginate(blocks, number)
    assert len(pages) > 3
    for page in pages:
        assert 0 < len(page) <= LINES_PER_PAGE
        assert all(len(line) <= CELLS_PER_LINE for line in page)


def test_each_page_carries_its_number_at_the_end_of_its_first_line() -> None:
    pages = paginate([BrailleBlock(words(400))], number)
    for n, page in enumerate(pages, start=1):
        first = page[0]
        assert first.endswith(" " * PAGE_NUMBER_GAP + number(n))
        assert len(first) <= CELLS_PER_LINE
        assert not any(line.endswith(number(n)) for line in page[1:])


def test_words_wrap_at_blank_cells_and_none_is_lost() -> None:
    text = words(300)
    pages = paginate([BrailleBlock(text, first=2)], number)
    lines = [line for page in pages for line in page]
    lines[0::LINES_PER_PAGE] = [line.rsplit(" ", 1)[0] for line in lines[0::LINES_PER_PAGE]]  # drop page numbers
    assert " ".join(line.strip() for line in lines).split() == text.split()
    assert not any(line.endswith("-") for line in lines)


def test_paragraph_indents_are_three_one() -> None:
    pages = paginate([BrailleBlock(words(30), first=2, runover=0)], number)
    assert pages[0][0].startswith("  A") and pages[0][1].startswith("A")


def test_only_words_longer_than_a_line_are_hyphenated() -> None:
    long_word = "X" * 100
    pages = paginate([BrailleBlock(f"AB {long_word} CD")], number)
    lines = [line for page in pages for line in page]
    pieces = [line for line in lines if "X" in line]
    assert all(p.endswith("-") for p in pieces[:-1]) and not pieces[-1].endswith("-")
    assert "".join(p.rstrip("-") for p in pieces).count("X") == 100


def test_blank_lines_never_open_a_page() -> None:
    blocks = [BrailleBlock(words(7), blank_before=True) for _ in range(40)]
    pages = paginate(blocks, number)
    assert len(pages) > 1
    assert all(page[0].strip() for page in pages)


def test_centered_lines_are_centered() -> None:
    pages = paginate([BrailleBlock("FIRST"), BrailleBlock("TITLE", centered=True)], number)
    line = pages[0][1]
    assert line.strip() == "TITLE"
    assert abs(line.index("T") - (CELLS_PER_LINE - len(line.lstrip()) - line.index("T"))) <= 1


def test_brf_text_has_crlf_lines_and_a_form_feed_between_pages() -> None:
    pages = paginate([BrailleBlock(words(400))], number)
    text = brf_text(pages)
    assert text.count("\f") == len(pages) - 1
    for raw, page in zip(text.split("\f"), pages, strict=True):
        assert raw.endswith("\r\n")
        assert raw.split("\r\n")[:-1] == page


def test_ascii_braille_maps_to_unicode_cells() -> None:
    assert to_unicode(" A!=") == "\u2800\u2801\u282e\u283f"  # blank, dot 1, dots 2-3-4-6, all six dots
    assert to_unicode("#ABC") == "⠼⠁⠃⠉"
    with pytest.raises(BrailleError, match="not an ASCII braille cell"):
        to_unicode("a")


def test_each_line_gets_the_language_most_of_its_cells_are_in() -> None:
    mostly_english = BrailleBlock("ABCDEA ABCDEB ABCDEC VV WW", langs=((0, 20, "en"), (21, 26, "vi")))
    mostly_names = BrailleBlock("VVVVVVVVVV AB", langs=((0, 10, "vi"), (11, 13, "en")))
    vietnamese = BrailleBlock(words(30, "XY"), first=2, langs=((0, len(words(30, "XY")), "vi"),))
    blocks = [BrailleBlock("KICKER"), mostly_english, mostly_names, vietnamese]
    laid = lay_out(blocks, number)
    assert laid.lines == paginate(blocks, number)
    flat = [(line.strip(), lang) for page, langs in zip(laid.lines, laid.langs, strict=True) for line, lang in zip(page, langs, strict=True)]
    assert flat[0][1] is None  # a block with no languages given
    assert flat[1:3] == [("ABCDEA ABCDEB ABCDEC VV WW", "en"), ("VVVVVVVVVV AB", "vi")]
    assert len(flat) > 4 and {lang for _, lang in flat[3:]} == {"vi"}


def test_languages_follow_lines_across_pages_and_divided_words() -> None:
    long_word = "X" * 100
    cells = f"{words(200)} {long_word}"
    block = BrailleBlock(cells, langs=((0, len(cells) - 100, "en"), (len(cells) - 100, len(cells), "vi")))
    laid = lay_out([block], number)
    assert len(laid.lines) > 1
    assert [len(p) for p in laid.langs] == [len(p) for p in laid.lines]
    for page, langs in zip(laid.lines, laid.langs, strict=True):
        for line, lang in zip(page, langs, strict=True):
            assert lang == ("vi" if "X" in line else "en"), line
