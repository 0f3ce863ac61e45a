"""liblouis through its command-line tool: text in, ASCII braille (BRF cells) out.

bantin calls Debian's ``lou_translate`` (package liblouis-bin, tables from
liblouis-data) in a subprocess: the venv's Python cannot load Debian's
python3-louis bindings, and the PyPI name ``louis`` is an unrelated placeholder.
Output goes through the ``en-us-brf.dis`` display table, so every cell comes
back as one character of North American ASCII braille, the alphabet of BRF.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Sequence

from bantin.errors import StageError

__all__ = [
    "ASCII_BRAILLE",
    "DISPLAY_TABLE",
    "LOU_TRANSLATE",
    "BrailleError",
    "LouisUnavailableError",
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
#: How liblouis writes a character its table does not define ('\x1234/' through the display table).
_UNDEFINED_RE = re.compile(r"'\\[XY][A-J]+'")
_SPACE_RE = re.compile(r"\s+")
#: Lower-case ASCII braille (some display tables write it) folded to the upper-case form BRF uses.
_FOLD = str.maketrans("abcdefghijklmnopqrstuvwxyz`{|}~", "ABCDEFGHIJKLMNOPQRSTUVWXYZ@[\\]^")


class BrailleError(StageError):
    """liblouis failed or a braille file could not be made."""

    stage = "braille"


class LouisUnavailableError(BrailleError):
    """``lou_translate`` is not installed here."""


def _clean(text: str) -> str:
    """One line of NFC text: whitespace folded, control characters dropped (lou_translate reads lines)."""
    text = _SPACE_RE.sub(" ", unicodedata.normalize("NFC", text))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc").strip()


def translate(texts: Sequence[str], table: str, timeout: float = TIMEOUT_S) -> list[str]:
    """ASCII braille for each of ``texts`` with liblouis table ``table``, in one ``lou_translate`` run.

    Each text is translated on its own (one input line each), so a capital or
    number indicator never carries over from one text to the next.
    """
    exe = shutil.which(LOU_TRANSLATE)
    if exe is None:
        raise LouisUnavailableError(
            f"{LOU_TRANSLATE} not found on PATH: braille needs liblouis. Install liblouis-bin and liblouis-data (apt-get install liblouis-bin liblouis-data)"
        )
    lines = [_clean(t) for t in texts]
    if not lines:
        return []
    try:
        done = subprocess.run(
            [exe, "--forward", f"{DISPLAY_TABLE},{table}"],
            input="\n".join(lines) + "\n",
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BrailleError(f"{LOU_TRANSLATE} with table {table} did not finish in {timeout:g} s. Check the liblouis install") from None
    problem = done.stderr.strip().splitlines()
    out = done.stdout.split("\n")
    if out and out[-1] == "":
        out.pop()
    if done.returncode != 0 or problem or len(out) != len(lines):
        said = problem[0] if problem else f"exit status {done.returncode}, {len(out)} lines for {len(lines)}"
        raise BrailleError(
            f"{LOU_TRANSLATE} could not translate with table {table} ({said}). Install liblouis-data, or fix the table name in bantin.braille.tables"
        )
    return [line.rstrip(" ").translate(_FOLD) for line in out]


def untranslated_count(braille: str) -> int:
    """How many characters liblouis could not translate and wrote as an escape in ``braille``."""
    return len(_UNDEFINED_RE.findall(braille))
