"""WebVTT cues of a reading, read back from the ``.vtt`` written beside its MP3.

bantin's readings write one cue per spoken chunk (see
:func:`bantin.speech.reading.captions_vtt`): a number, a timing line and the
chunk's original wording.  This reads that subset of WebVTT strictly, so the
EPUB is built from the files on disk and never from a cached result object.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bantin.errors import StageError

__all__ = ["Cue", "EpubError", "parse_vtt", "read_vtt"]

_TIME = r"(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})"
_TIMING_RE = re.compile(rf"^{_TIME}\s+-->\s+{_TIME}(?:\s.*)?$")


class EpubError(StageError):
    """The EPUB could not be built (its reading's captions are missing or do not match the variant)."""

    stage = "epub"


@dataclass(frozen=True)
class Cue:
    """One caption: its start and end on the reading's timeline (seconds) and its text."""

    start: float
    end: float
    text: str


def _seconds(h: str | None, m: str, s: str, ms: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def parse_vtt(text: str, name: str = "<captions>") -> list[Cue]:
    """The cues of a WebVTT document, in order; a malformed file is an :class:`EpubError` naming the line."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or not lines[0].startswith("WEBVTT"):
        raise EpubError(f"{name}:1: not a WebVTT file (no WEBVTT header). Make the reading again")
    cues: list[Cue] = []
    n = 1
    while n < len(lines):
        match = _TIMING_RE.match(lines[n].strip())
        if not match:
            n += 1
            continue
        g = match.groups()
        start, end = _seconds(*g[:4]), _seconds(*g[4:])
        body: list[str] = []
        n += 1
        while n < len(lines) and lines[n].strip():
            body.append(lines[n].strip())
            n += 1
        if end < start or (cues and start < cues[-1].start):
            raise EpubError(f"{name}:{n}: cue times go backwards. Make the reading again")
        cues.append(Cue(start, end, _unescape(" ".join(body))))
    if not cues:
        raise EpubError(f"{name}: holds no cues. Make the reading again")
    return cues


def read_vtt(path: Path) -> list[Cue]:
    """The cues of the ``.vtt`` file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise EpubError(f"{path}: cannot be read ({exc.strerror}). Make the reading first: the EPUB needs its captions") from None
    return parse_vtt(text, str(path))
