"""Cutting normalized text for engines with a length limit (gTTS: 100 characters per request).

Text is cut at sentence ends, then at clause ends (``, ; :`` and spaced
dashes), then between words; a word is never cut.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

__all__ = ["chunk", "split_sentences"]


_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])\s+")
_CLAUSE_END_RE = re.compile(r"(?<=[;:,])\s+|\s+[-–—]+\s+")


def split_sentences(text: str) -> list[str]:
    """Split text after . ! ? … (normalized text has no abbreviation dots left to confuse this)."""
    return [s for s in (part.strip() for part in _SENTENCE_END_RE.split(" ".join(text.split()))) if s]


def _pack(pieces: Sequence[str], limit: int, finer: Callable[[str], list[str]] | None) -> list[str]:
    """Greedily join pieces with spaces up to ``limit``; a piece too long on its own goes to ``finer``."""
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if len(piece) > limit and finer is not None:
            if current:
                chunks.append(current)
                current = ""
            chunks.extend(finer(piece))
            continue
        candidate = f"{current} {piece}" if current else piece
        if len(candidate) <= limit or not current:
            current = candidate
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return chunks


def chunk(text: str, limit: int = 100) -> list[str]:
    """Cut text into pieces of at most ``limit`` characters at sentence, then clause, then word boundaries.

    Words are never cut; a single word longer than ``limit`` becomes a chunk of its own.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"chunk() limit must be a positive int, got {limit!r}")

    def words(clause: str) -> list[str]:
        return _pack(clause.split(), limit, None)

    def clauses(sentence: str) -> list[str]:
        parts = [p for p in _CLAUSE_END_RE.split(sentence) if p.strip()]
        return _pack(parts, limit, words)

    return _pack(split_sentences(text), limit, clauses)
