"""liblouis through its command-line tool: text in, ASCII braille (BRF cells) out.

bantin calls Debian's ``lou_translate`` (package liblouis-bin, tables from
liblouis-data) in a subprocess: the venv's Python cannot load Debian's
python3-louis bindings, and the PyPI name ``louis`` is an unrelated placeholder.
Output goes through the ``en-us-brf.dis`` display table, so every cell comes
back as one character of North American ASCII braille, the alphabet of BRF.

``lou_translate`` has three habits the text must be protected from:

* it reads backslash escapes in its input (``\\x41``, ``\\s``...), so
  ``C:\\Users\\An`` is an "invalid escape sequence" and comes back empty:
  every backslash is sent doubled, which it reads as one backslash;
* it reads at most 2,047 bytes of a line (liblouis's ``MAXSTRING``) and
  makes a second line of the rest: a longer text is sent in pieces of at
  most :data:`MAX_LINE_BYTES`, cut at the space nearest the middle (a
  single long word is cut between two characters);
* it writes at most 2,048 cells for a line and silently drops the rest: a
  piece whose braille reaches that length is cut in two and sent again.

A text no longer than a piece is translated whole, exactly as before.
Noncharacters and lone surrogates, which liblouis passes through or cannot
read, become U+FFFD (counted as untranslated).  What cannot be written in a
BRF at all (an eight-dot braille pattern in the text) is a
:class:`BrailleTextError` that quotes the block; only a table that does not
load is blamed on the liblouis install.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Sequence
from typing import NoReturn

from bantin.errors import StageError
from bantin.textutil import describe_character, escape_text

__all__ = [
    "ASCII_BRAILLE",
    "DISPLAY_TABLE",
    "LOU_TRANSLATE",
    "MAX_LINE_BYTES",
    "BrailleError",
    "BrailleTextError",
    "LouisUnavailableError",
    "escape_input",
    "translate",
    "untranslated_count",
]

LOU_TRANSLATE = "lou_translate"
#: liblouis display table for North American ASCII braille (what BRF files hold).
DISPLAY_TABLE = "en-us-brf.dis"
#: A generous bound for one translation run (a bulletin takes well under a second).
TIMEOUT_S = 60.0
#: The 64 cells of six-dot braille in North American ASCII braille order (U+2800 + index).
ASCII_BRAILLE = " A1B'K2L@CIF/MSP\"E3H9O6R^DJG>NTQ,*5<-U8V.%[$+X!&;:4\\0Z7(_?W]#Y)="
#: liblouis's MAXSTRING: lou_translate reads MAXSTRING - 1 bytes of a line and writes MAXSTRING cells at most.
_MAXSTRING = 2048
#: Longest line bantin sends to lou_translate (UTF-8 bytes, doubled backslashes included).
MAX_LINE_BYTES = 2000
#: Characters of text an error message shows around the problem.
_EXCERPT_CHARS = 80
#: How liblouis writes a character its table does not define ('\x1234/' through the display table).
_UNDEFINED_RE = re.compile(r"'\\[XY][A-J]+'")
_SPACE_RE = re.compile(r"\s+")
#: Noncharacters and surrogates: liblouis passes U+FFFF through and cannot read a lone surrogate.
_UNREADABLE_RE = re.compile("[\ud800-\udfff\ufdd0-\ufdef" + "".join(f"{chr(p << 16 | 0xFFFE)}{chr(p << 16 | 0xFFFF)}" for p in range(17)) + "]")
#: Lower-case ASCII braille (some display tables write it) folded to the upper-case form BRF uses.
_FOLD = str.maketrans("abcdefghijklmnopqrstuvwxyz`{|}~", "ABCDEFGHIJKLMNOPQRSTUVWXYZ@[\\]^")
_CELLS = frozenset(ASCII_BRAILLE)


class BrailleError(StageError):
    """liblouis failed or a braille file could not be made."""

    stage = "braille"


class LouisUnavailableError(BrailleError):
    """``lou_translate`` is not installed here."""


class BrailleTextError(BrailleError):
    """A block's text cannot be transcribed; ``block`` is its 1-based number, ``excerpt`` the quoted text."""

    def __init__(self, message: str, block: int, excerpt: str) -> None:
        super().__init__(message)
        self.block = block
        self.excerpt = excerpt


def _clean(text: str) -> str:
    """One line of NFC text: whitespace folded, control characters dropped, unreadable ones → U+FFFD."""
    text = _SPACE_RE.sub(" ", unicodedata.normalize("NFC", text))
    text = _UNREADABLE_RE.sub("\ufffd", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc").strip()


def escape_input(text: str) -> str:
    """``text`` as lou_translate must read it: each backslash doubled (it reads ``\\\\`` as one backslash)."""
    return text.replace("\\", "\\\\")


def _line_bytes(text: str) -> int:
    return len(escape_input(text).encode("utf-8"))


def _halve(piece: str) -> tuple[str, str, str]:
    """``piece`` cut in two: (left, joint, right); at the space nearest the middle, else between characters."""
    middle = len(piece) // 2
    before, after = piece.rfind(" ", 0, middle + 1), piece.find(" ", middle)
    spaces = [i for i in (before, after) if 0 < i < len(piece) - 1]
    if spaces:
        cut = min(spaces, key=lambda i: abs(i - middle))
        return piece[:cut], " ", piece[cut + 1 :]
    cut = max(middle, 1)
    while cut > 1 and unicodedata.combining(piece[cut]):  # keep a mark with its letter
        cut -= 1
    return piece[:cut], "", piece[cut:]


def _fit(line: str) -> list[tuple[str, str]]:
    """``line`` as (joint, piece) pairs, each piece short enough for one lou_translate line."""
    todo, done = [("", line)], []
    while todo:
        joint, piece = todo.pop()
        if len(piece) > 1 and _line_bytes(piece) > MAX_LINE_BYTES:
            left, middle, right = _halve(piece)
            todo += [(middle, right), (joint, left)]
        else:
            done.append((joint, piece))
    return done


def _excerpt(text: str, index: int) -> str:
    """About 80 characters of ``text`` around ``index``, escaped, with … where it was cut."""
    start = max(0, min(index - _EXCERPT_CHARS // 3, len(text) - _EXCERPT_CHARS))
    end = min(len(text), start + _EXCERPT_CHARS)
    return ("…" if start else "") + escape_text(text[start:end], _EXCERPT_CHARS) + ("…" if end < len(text) else "")


def _table_problem(exe: str, table: str, timeout: float) -> str | None:
    """What lou_translate says about ``table`` alone (None when it loads): tells a table problem from a text problem."""
    try:
        probe = subprocess.run([exe, "--forward", f"{DISPLAY_TABLE},{table}"], input=b"a\n", capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return f"translating one letter took over {timeout:g} s"
    said = probe.stderr.decode("utf-8", "replace").strip().splitlines()
    if said or probe.returncode != 0 or probe.stdout.count(b"\n") != 1:
        return said[0] if said else f"exit status {probe.returncode}, no braille for one letter"
    return None


def _run(exe: str, pieces: Sequence[str], table: str, timeout: float) -> tuple[list[str], str | None]:
    """One lou_translate run over ``pieces`` (one line each): the lines it wrote, and its first complaint."""
    data = "".join(escape_input(p) + "\n" for p in pieces).encode("utf-8")
    try:
        done = subprocess.run([exe, "--forward", f"{DISPLAY_TABLE},{table}"], input=data, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        chars = sum(len(p) for p in pieces)
        raise BrailleError(
            f"{LOU_TRANSLATE} with table {table} did not finish {len(pieces)} lines ({chars} characters) in {timeout:g} s. Check the liblouis install"
        ) from None
    out = done.stdout.decode("utf-8", "replace").split("\n")  # bytes: a "\r" in the braille must not split a line
    if out and out[-1] == "":
        out.pop()
    said = done.stderr.decode("utf-8", "replace").strip().splitlines()
    problem = said[0] if said else (f"exit status {done.returncode}" if done.returncode else None)
    return out, problem


def translate(texts: Sequence[str], table: str, timeout: float = TIMEOUT_S, numbers: Sequence[int] | None = None) -> list[str]:
    """ASCII braille for each of ``texts`` with liblouis table ``table``.

    Each text is translated on its own (one input line each), so a capital or
    number indicator never carries over from one text to the next; a text too
    long for one line is translated in pieces (see the module docstring).
    Errors name the text by its 1-based number in ``texts`` ("block 7"), or by
    ``numbers[i]`` when given (the block a text is part of).
    """
    exe = shutil.which(LOU_TRANSLATE)
    if exe is None:
        raise LouisUnavailableError(
            f"{LOU_TRANSLATE} not found on PATH: braille needs liblouis. Install liblouis-bin and liblouis-data (apt-get install liblouis-bin liblouis-data)"
        )
    lines = [_clean(t) for t in texts]
    if not lines:
        return []
    blocks = list(numbers) if numbers is not None else list(range(1, len(lines) + 1))
    plans = [_fit(line) for line in lines]
    cells: dict[str, str] = {}
    while True:
        todo = list(dict.fromkeys(piece for plan in plans for _, piece in plan if piece not in cells))
        if not todo:
            break
        out, problem = _run(exe, todo, table, timeout)
        if problem is not None or len(out) != len(todo):
            _fail(exe, table, timeout, lines, plans, todo, len(out), problem, blocks)
        cells.update(zip(todo, out, strict=True))
        plans = [[part for joint, piece in plan for part in _split_long(joint, piece, cells)] for plan in plans]
    result = []
    for n, plan in enumerate(plans):
        braille = "".join(joint + cells[piece] for joint, piece in plan).rstrip(" ").translate(_FOLD)
        _check_cells(braille, blocks[n], lines[n], table)
        result.append(braille)
    return result


def _split_long(joint: str, piece: str, cells: dict[str, str]) -> list[tuple[str, str]]:
    """``piece`` halved when its braille filled lou_translate's buffer (it may have been cut short), else as is."""
    if len(cells[piece]) >= _MAXSTRING and len(piece) > 1:
        left, middle, right = _halve(piece)
        return [(joint, left), (middle, right)]
    return [(joint, piece)]


def _check_cells(braille: str, block: int, line: str, table: str) -> None:
    """Refuse braille that holds something other than the 64 BRF cells, quoting the text that caused it."""
    odd = next((ch for ch in braille if ch not in _CELLS), None)
    if odd is None:
        return
    where = line.find(odd)
    excerpt = _excerpt(line, max(where, 0))
    if 0x2840 <= ord(odd) <= 0x28FF:
        cause = f"{describe_character(odd)} is eight-dot braille, which a BRF (six dots) cannot hold. Write it with six dots (U+2800–U+283F) or remove it"
    else:
        cause = f"liblouis ({table}) wrote {describe_character(odd)}, which is no braille cell. Replace that character in the text, or report it"
    raise BrailleTextError(f"braille block {block} '{excerpt}': {cause}", block=block, excerpt=excerpt)


def _fail(
    exe: str,
    table: str,
    timeout: float,
    lines: Sequence[str],
    plans: Sequence[Sequence[tuple[str, str]]],
    todo: Sequence[str],
    written: int,
    problem: str | None,
    blocks: Sequence[int],
) -> NoReturn:
    """Raise the error for a failed run: the table's fault if it does not load, else the text it stopped at."""
    table_problem = _table_problem(exe, table, timeout)
    if table_problem is not None:
        raise BrailleError(
            f"{LOU_TRANSLATE} could not load table {table} ({table_problem}). Install liblouis-data, or fix the table name in bantin.braille.tables"
        )
    stuck = todo[written] if written < len(todo) else _culprit(exe, table, timeout, todo)
    if stuck is None:
        raise BrailleError(f"{LOU_TRANSLATE} ({table}) complained ({problem}) but no single block brings it back. Report it with the bulletin")
    n = next(i for i, plan in enumerate(plans) if any(piece == stuck for _, piece in plan))
    excerpt = _excerpt(lines[n], max(lines[n].find(stuck), 0))
    said = problem or f"{written} lines for {len(todo)}"
    raise BrailleTextError(
        f"braille block {blocks[n]} '{excerpt}': {LOU_TRANSLATE} ({table}) stopped on this text ({said}). "
        "Edit or remove the unusual characters there, or report it with this excerpt",
        block=blocks[n],
        excerpt=excerpt,
    )


def _culprit(exe: str, table: str, timeout: float, pieces: Sequence[str]) -> str | None:
    """The piece lou_translate complains about, found by halving the run (a few runs), or None."""
    while len(pieces) > 1:
        half = pieces[: len(pieces) // 2]
        out, problem = _run(exe, half, table, timeout)
        pieces = half if problem is not None or len(out) != len(half) else pieces[len(pieces) // 2 :]
    out, problem = _run(exe, pieces, table, timeout)
    return pieces[0] if pieces and (problem is not None or len(out) != len(pieces)) else None


def untranslated_count(braille: str) -> int:
    """How many characters liblouis could not translate and wrote as an escape in ``braille``."""
    return len(_UNDEFINED_RE.findall(braille))
