"""BRF page layout: braille cells wrapped into lines, lines into numbered pages.

A BRF ("braille ready file") is ASCII braille as an embosser prints it: 40
cells per line, 25 lines per page, CR LF after each line and a form feed
between pages.  Each page carries its braille page number at the end of its
first line, with at least three blank cells before it, as braille page numbers
are placed in BANA formats.  Lines break at blank cells; a word is divided
(with a hyphen, dots 3-6) only when it is longer than a whole line.

A block may say which language each run of its cells is in
(:attr:`BrailleBlock.langs`); :func:`lay_out` then gives each line the
language most of its cells are in, which the PEF marks on its rows.  The BRF
itself has no place for it (see :mod:`bantin.braille.pef`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bantin.braille.louis import ASCII_BRAILLE, BrailleError

__all__ = [
    "CELLS_PER_LINE",
    "LINES_PER_PAGE",
    "PAGE_NUMBER_GAP",
    "BrailleBlock",
    "Pages",
    "brf_text",
    "lay_out",
    "paginate",
    "to_unicode",
]

CELLS_PER_LINE = 40
LINES_PER_PAGE = 25
#: Blank cells kept between the text of a first line and the page number.
PAGE_NUMBER_GAP = 3
_HYPHEN = "-"
_UNICODE = {ch: chr(0x2800 + n) for n, ch in enumerate(ASCII_BRAILLE)}
_WORD_RE = re.compile(r"[^ ]+")


@dataclass(frozen=True)
class BrailleBlock:
    """A run of braille cells (ASCII braille) and where its lines start.

    ``first`` and ``runover`` are the blank cells before the first line and the
    following ones (a paragraph in BANA's 3-1 form is first=2, runover=0).
    ``langs`` holds ``(start, end, BCP 47 tag)`` for the runs of ``cells`` in
    each language; cells outside every run have no known language.
    """

    cells: str
    first: int = 0
    runover: int = 0
    centered: bool = False
    blank_before: bool = False
    langs: tuple[tuple[int, int, str], ...] = ()

    def lang_of(self, start: int, end: int) -> str | None:
        """The language most non-blank cells of ``cells[start:end]`` are in (the first such run on a tie), or None."""
        counts: Counter[str] = Counter()
        for run_start, run_end, tag in self.langs:
            lo, hi = max(start, run_start), min(end, run_end)
            if lo < hi:
                counts[tag] += sum(1 for ch in self.cells[lo:hi] if ch != " ")
        best = max(counts.values(), default=0)
        return next((tag for tag, n in counts.items() if n == best), None) if best else None


@dataclass
class Pages:
    """Laid-out braille: ``lines[page][row]`` (ASCII braille) and ``langs[page][row]``, each row's language (None: unknown or blank)."""

    lines: list[list[str]] = field(default_factory=list)
    langs: list[list[str | None]] = field(default_factory=list)


class _Pager:
    """Collects lines into pages and puts the page number on each page's first line."""

    def __init__(self, cols: int, rows: int, page_number: Callable[[int], str]) -> None:
        self.cols, self.rows, self.page_number = cols, rows, page_number
        self.pages: list[list[str]] = [[]]
        self.langs: list[list[str | None]] = [[]]

    def _next_is_first(self) -> bool:
        return len(self.pages[-1]) in (0, self.rows)

    def width(self) -> int:
        """Cells the next line may hold."""
        if self._next_is_first():
            number = self.page_number(len(self.pages) + (1 if len(self.pages[-1]) == self.rows else 0))
            return self.cols - len(number) - PAGE_NUMBER_GAP
        return self.cols

    def emit(self, line: str, lang: str | None = None) -> None:
        if len(self.pages[-1]) == self.rows:
            self.pages.append([])
            self.langs.append([])
        page = self.pages[-1]
        if not page:
            number = self.page_number(len(self.pages))
            line = line.ljust(self.cols - len(number)) + number
        if len(line) > self.cols:
            raise BrailleError(f"braille line of {len(line)} cells is over {self.cols}: a layout bug. Report it")
        page.append(line.rstrip(" "))
        self.langs[-1].append(lang)

    def blank(self) -> None:
        """A blank line, except at the top of a page (where it would waste a line)."""
        if not self._next_is_first():
            self.emit("")


def _lay(block: BrailleBlock, pager: _Pager) -> None:
    words = [(m.start(), m.group()) for m in _WORD_RE.finditer(block.cells)]
    if not words:
        return
    if block.blank_before:
        pager.blank()
    state = {"line": 0}
    current, span = "", (0, 0)  # the line being filled, and where its cells are in block.cells

    def indent() -> int:
        return 0 if block.centered else (block.first if state["line"] == 0 else block.runover)

    def flush(text: str, start: int, end: int) -> None:
        lead = (pager.width() - len(text)) // 2 if block.centered else indent()
        pager.emit(" " * max(lead, 0) + text, block.lang_of(start, end))
        state["line"] += 1

    for start, word in words:
        while True:
            room = max(pager.width() - indent(), 2)
            candidate = f"{current} {word}" if current else word
            if len(candidate) <= room:
                current, span = candidate, (span[0] if current else start, start + len(word))
                break
            if current:
                flush(current, *span)
                current = ""
                continue
            # A word longer than a whole line: divide it with a hyphen.
            flush(word[: room - 1] + _HYPHEN, start, start + room - 1)
            word, start = word[room - 1 :], start + room - 1
    if current:
        flush(current, *span)


def lay_out(
    blocks: Sequence[BrailleBlock],
    page_number: Callable[[int], str],
    cols: int = CELLS_PER_LINE,
    rows: int = LINES_PER_PAGE,
) -> Pages:
    """The blocks laid out as pages of lines, with each line's language; ``page_number(n)`` gives page n's number in cells."""
    pager = _Pager(cols, rows, page_number)
    for block in blocks:
        _lay(block, pager)
    kept = [n for n, page in enumerate(pager.pages) if page]
    return Pages([pager.pages[n] for n in kept], [pager.langs[n] for n in kept])


def paginate(
    blocks: Sequence[BrailleBlock],
    page_number: Callable[[int], str],
    cols: int = CELLS_PER_LINE,
    rows: int = LINES_PER_PAGE,
) -> list[list[str]]:
    """The blocks laid out as pages of lines (ASCII braille); ``page_number(n)`` gives page n's number in cells."""
    return lay_out(blocks, page_number, cols, rows).lines


def brf_text(pages: Sequence[Sequence[str]]) -> str:
    """The BRF file: CR LF after each line, a form feed between pages."""
    return "\f".join("".join(f"{line}\r\n" for line in page) for page in pages)


def to_unicode(line: str) -> str:
    """ASCII braille to Unicode braille patterns (U+2800–U+283F), cell for cell."""
    try:
        return "".join(_UNICODE[ch] for ch in line)
    except KeyError as exc:
        raise BrailleError(f"{exc.args[0]!r} is not an ASCII braille cell: a translation bug. Report it") from None
