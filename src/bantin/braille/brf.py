"""BRF page layout: braille cells wrapped into lines, lines into numbered pages.

A BRF ("braille ready file") is ASCII braille as an embosser prints it: 40
cells per line, 25 lines per page, CR LF after each line and a form feed
between pages.  Each page carries its braille page number at the end of its
first line, with at least three blank cells before it, as braille page numbers
are placed in BANA formats.  Lines break at blank cells; a word is divided
(with a hyphen, dots 3-6) only when it is longer than a whole line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bantin.braille.louis import ASCII_BRAILLE, BrailleError

__all__ = [
    "CELLS_PER_LINE",
    "LINES_PER_PAGE",
    "PAGE_NUMBER_GAP",
    "BrailleBlock",
    "brf_text",
    "paginate",
    "to_unicode",
]

CELLS_PER_LINE = 40
LINES_PER_PAGE = 25
#: Blank cells kept between the text of a first line and the page number.
PAGE_NUMBER_GAP = 3
_HYPHEN = "-"
_UNICODE = {ch: chr(0x2800 + n) for n, ch in enumerate(ASCII_BRAILLE)}


@dataclass(frozen=True)
class BrailleBlock:
    """A run of braille cells (ASCII braille) and where its lines start.

    ``first`` and ``runover`` are the blank cells before the first line and the
    following ones (a paragraph in BANA's 3-1 form is first=2, runover=0).
    """

    cells: str
    first: int = 0
    runover: int = 0
    centered: bool = False
    blank_before: bool = False


class _Pager:
    """Collects lines into pages and puts the page number on each page's first line."""

    def __init__(self, cols: int, rows: int, page_number: Callable[[int], str]) -> None:
        self.cols, self.rows, self.page_number = cols, rows, page_number
        self.pages: list[list[str]] = [[]]

    def _next_is_first(self) -> bool:
        return len(self.pages[-1]) in (0, self.rows)

    def width(self) -> int:
        """Cells the next line may hold."""
        if self._next_is_first():
            number = self.page_number(len(self.pages) + (1 if len(self.pages[-1]) == self.rows else 0))
            return self.cols - len(number) - PAGE_NUMBER_GAP
        return self.cols

    def emit(self, line: str) -> None:
        if len(self.pages[-1]) == self.rows:
            self.pages.append([])
        page = self.pages[-1]
        if not page:
            number = self.page_number(len(self.pages))
            line = line.ljust(self.cols - len(number)) + number
        if len(line) > self.cols:
            raise BrailleError(f"braille line of {len(line)} cells is over {self.cols}: a layout bug. Report it")
        page.append(line.rstrip(" "))

    def blank(self) -> None:
        """A blank line, except at the top of a page (where it would waste a line)."""
        if not self._next_is_first():
            self.emit("")


def _lay(block: BrailleBlock, pager: _Pager) -> None:
    words = [w for w in block.cells.split(" ") if w]
    if not words:
        return
    if block.blank_before:
        pager.blank()
    state = {"line": 0}
    current = ""

    def indent() -> int:
        return 0 if block.centered else (block.first if state["line"] == 0 else block.runover)

    def flush(text: str) -> None:
        lead = (pager.width() - len(text)) // 2 if block.centered else indent()
        pager.emit(" " * max(lead, 0) + text)
        state["line"] += 1

    for word in words:
        while True:
            room = max(pager.width() - indent(), 2)
            candidate = f"{current} {word}" if current else word
            if len(candidate) <= room:
                current = candidate
                break
            if current:
                flush(current)
                current = ""
                continue
            # A word longer than a whole line: divide it with a hyphen.
            flush(word[: room - 1] + _HYPHEN)
            word = word[room - 1 :]
    if current:
        flush(current)


def paginate(
    blocks: Sequence[BrailleBlock],
    page_number: Callable[[int], str],
    cols: int = CELLS_PER_LINE,
    rows: int = LINES_PER_PAGE,
) -> list[list[str]]:
    """The blocks laid out as pages of lines (ASCII braille); ``page_number(n)`` gives page n's number in cells."""
    pager = _Pager(cols, rows, page_number)
    for block in blocks:
        _lay(block, pager)
    return [page for page in pager.pages if page]


def brf_text(pages: Sequence[Sequence[str]]) -> str:
    """The BRF file: CR LF after each line, a form feed between pages."""
    return "\f".join("".join(f"{line}\r\n" for line in page) for page in pages)


def to_unicode(line: str) -> str:
    """ASCII braille to Unicode braille patterns (U+2800–U+283F), cell for cell."""
    try:
        return "".join(_UNICODE[ch] for ch in line)
    except KeyError as exc:
        raise BrailleError(f"{exc.args[0]!r} is not an ASCII braille cell: a translation bug. Report it") from None
